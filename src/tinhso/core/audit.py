"""Append-only audit log, each row chained to the one before by SHA-256.

Every write service calls ``record`` inside its own transaction, so the row
and the change it describes commit or roll back together.
"""

import hashlib
import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from tinhso.core import context
from tinhso.core.models import AuditEntry, AuditHead

GENESIS = "0" * 64


def canonical_json(data: dict[str, Any]) -> str:
    return json.dumps(
        data,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        cls=DjangoJSONEncoder,
    )


def _hashed_fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "source_ip": entry.source_ip,
        "detail": entry.detail,
        "prev_hash": entry.prev_hash,
    }


def compute_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(canonical_json(_hashed_fields(entry)).encode()).hexdigest()


def _as_stored(value: Any) -> Any:
    """``value`` as the database gives it back, so the hash survives a re-read.

    PostgreSQL's jsonb prints whole floats of 1e16 and more as integers.
    """
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1e16:
        return int(value)
    if isinstance(value, dict):
        return {key: _as_stored(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_stored(item) for item in value]
    return value


def _clean_ip(value: str | None) -> str | None:
    """The address as the column stores it (IPv6 compressed, lower case).

    Something that is not an address (a proxy's odd REMOTE_ADDR) is not
    recorded rather than failing the audited change.
    """
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
        if address.version == 4:
            return str(address)
        return clean_ipv6_address(str(address))
    except (ValueError, ValidationError):
        return None


def _object_ref(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def record(
    action: str,
    *,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    detail: dict[str, Any] | None = None,
    actor: Any = None,
    source_ip: str | None = None,
) -> AuditEntry:
    """Append one row. Actor and address default to the current request's."""
    current = context.current()
    if actor is None:
        actor = current.user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if obj is not None:
        object_type, object_id = _object_ref(obj)
    # Round-trip through JSON so the stored detail is exactly what was hashed.
    clean_detail = _as_stored(json.loads(canonical_json(detail or {})))
    with transaction.atomic():
        AuditHead.objects.get_or_create(id=1)
        # The UPDATE takes the row lock on PostgreSQL (and SQLite's write
        # lock), so concurrent appends queue here and the chain stays linear.
        AuditHead.objects.filter(id=1).update(seq=F("seq") + 1)
        head = AuditHead.objects.get(id=1)
        entry = AuditEntry(
            seq=head.seq,
            at=timezone.now(),
            actor=actor,
            actor_label=getattr(actor, "username", "") if actor is not None else "",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            source_ip=_clean_ip(source_ip or current.source_ip),
            detail=clean_detail,
            prev_hash=head.entry_hash,
        )
        entry.entry_hash = compute_hash(entry)
        entry.save()
        AuditHead.objects.filter(id=1).update(entry_hash=entry.entry_hash)
    return entry


@dataclass(frozen=True)
class Problem:
    seq: int
    reason: str


def verify(batch_size: int = 2000) -> Problem | None:
    """Walk the chain; return the first bad row, or None when all is intact."""
    expected_prev = GENESIS
    expected_seq = 1
    for entry in _iterate(batch_size):
        if entry.seq != expected_seq:
            return Problem(
                expected_seq, f"row #{expected_seq} is missing or out of order"
            )
        if entry.prev_hash != expected_prev:
            return Problem(
                entry.seq, f"row #{entry.seq} does not follow the row before it"
            )
        if compute_hash(entry) != entry.entry_hash:
            return Problem(
                entry.seq, f"row #{entry.seq} was changed after it was written"
            )
        expected_prev = entry.entry_hash
        expected_seq += 1
    head = AuditHead.objects.filter(id=1).first()
    last_seq = expected_seq - 1
    if head is not None and (head.seq != last_seq or head.entry_hash != expected_prev):
        return Problem(
            last_seq + 1,
            f"row #{last_seq + 1} is missing: rows after #{last_seq} were deleted "
            f"(the log had {head.seq})",
        )
    return None


def _iterate(batch_size: int) -> Iterator[AuditEntry]:
    last = 0
    while True:
        batch = list(
            AuditEntry.objects.filter(seq__gt=last).order_by("seq")[:batch_size]
        )
        if not batch:
            return
        yield from batch
        last = batch[-1].seq
