"""Append-only logs whose rows are chained by SHA-256, and their check.

A chained log is two tables: its rows (``seq``, ``prev_hash``,
``entry_hash`` and whatever else they record) and a one-row head holding
the chain's tip. Appending bumps the head first, which takes the row lock
on PostgreSQL (and SQLite's write lock), so concurrent appends queue and
the chain stays linear. The audit log and the data-sharing access log are
both kept this way.
"""

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

GENESIS = "0" * 64


def canonical_json(data: dict[str, Any]) -> str:
    return json.dumps(
        data,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        cls=DjangoJSONEncoder,
    )


def as_stored(value: Any) -> Any:
    """``value`` as the database gives JSON back, so a hash survives a re-read.

    PostgreSQL's jsonb prints whole floats of 1e16 and more as integers.
    """
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1e16:
        return int(value)
    if isinstance(value, dict):
        return {key: as_stored(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_stored(item) for item in value]
    return value


def stored_json(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` round-tripped through JSON, exactly as it will be hashed."""
    return as_stored(json.loads(canonical_json(data)))


@dataclass(frozen=True)
class Log[E: models.Model]:
    """One chained log: its row model (with ``seq``, ``prev_hash`` and
    ``entry_hash``), head model and the fields hashed."""

    entry: type[models.Model]
    head: type[models.Model]
    hashed: Callable[[E], dict[str, Any]]
    # Stamped under the lock, so times rise with ``seq``.
    time_field: str = "at"

    def digest(self, entry: E) -> str:
        return hashlib.sha256(canonical_json(self.hashed(entry)).encode()).hexdigest()

    def append(self, new: E) -> E:
        """Stamp and number ``new``, chain it to the tip and save it."""
        entry: Any = new
        with transaction.atomic():
            heads = self.head._default_manager
            heads.get_or_create(id=1)
            heads.filter(id=1).update(seq=F("seq") + 1)
            seq, tip = heads.filter(id=1).values_list("seq", "entry_hash").get()
            setattr(entry, self.time_field, timezone.now())
            entry.seq = seq
            entry.prev_hash = tip
            entry.entry_hash = self.digest(entry)
            entry.save()
            heads.filter(id=1).update(entry_hash=entry.entry_hash)
        return new

    def verify(
        self, batch_size: int = 2000, *, last: int | None = None
    ) -> "Problem | None":
        """Walk the chain; the first bad row, or None when all is intact.

        With ``last``, only the newest ``last`` rows are walked: each must
        follow the one before it and the newest must be the tip, but the
        first of them is taken on trust.
        """
        expected_prev = GENESIS
        expected_seq = 1
        if last is not None:
            tip_seq = (
                self.head._default_manager.filter(id=1)
                .values_list("seq", flat=True)
                .first()
            ) or 0
            expected_seq = max(1, tip_seq - last + 1)
            if expected_seq > 1:
                first: Any = self.entry._default_manager.filter(
                    seq=expected_seq
                ).first()
                if first is None:
                    return Problem(expected_seq, f"row #{expected_seq} is missing")
                expected_prev = first.prev_hash
        for row in self._iterate(batch_size, after=expected_seq - 1):
            entry: Any = row
            if entry.seq != expected_seq:
                return Problem(
                    expected_seq, f"row #{expected_seq} is missing or out of order"
                )
            if entry.prev_hash != expected_prev:
                return Problem(
                    entry.seq, f"row #{entry.seq} does not follow the row before it"
                )
            if self.digest(entry) != entry.entry_hash:
                return Problem(
                    entry.seq, f"row #{entry.seq} was changed after it was written"
                )
            expected_prev = entry.entry_hash
            expected_seq += 1
        head = self.head._default_manager.filter(id=1).values("seq", "entry_hash")
        tip = head.first()
        last_seq = expected_seq - 1
        if tip is not None and (
            tip["seq"] != last_seq or tip["entry_hash"] != expected_prev
        ):
            return Problem(
                last_seq + 1,
                f"row #{last_seq + 1} is missing: rows after #{last_seq} were "
                f"deleted (the log had {tip['seq']})",
            )
        return None

    def _iterate(self, batch_size: int, after: int = 0) -> Iterator[E]:
        last = after
        rows = self.entry._default_manager
        while True:
            batch: list[Any] = list(
                rows.filter(seq__gt=last).order_by("seq")[:batch_size]
            )
            if not batch:
                return
            yield from batch
            last = batch[-1].seq


@dataclass(frozen=True)
class Problem:
    seq: int
    reason: str
