"""The gateway's access log: every call, chained by SHA-256 like the audit
log, so an owner can prove what was shared with whom and ``tinhso datahub
verify-log`` finds any row edited, deleted or reordered since."""

import datetime as dt
from datetime import UTC
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from tinhso.core.audit import clean_ip
from tinhso.core.chain import Log, Problem, stored_json
from tinhso.datahub.models import AccessEntry, AccessHead, GrantUsage


def _hashed(entry: AccessEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "client": entry.client_code,
        "service": entry.service_code,
        "grant": entry.grant_id,
        "params": entry.params,
        "status": entry.status,
        "outcome": entry.outcome,
        "rows": entry.rows,
        "size": entry.size,
        "latency_us": entry.latency_us,
        "personal": entry.personal,
        "source_ip": entry.source_ip,
        "prev_hash": entry.prev_hash,
    }


LOG: Log[AccessEntry] = Log(AccessEntry, AccessHead, _hashed)


def append(
    *,
    client_code: str,
    service_code: str,
    grant_id: int | None,
    params: dict[str, Any],
    status: int,
    outcome: str,
    rows: int = 0,
    size: int = 0,
    latency_us: int = 0,
    personal: list[str] | None = None,
    source_ip: str | None = None,
    counted: bool = False,
) -> AccessEntry:
    """Log one call, and add it to its grant's figures of the day.

    ``counted`` says the call was already counted against the grant's quota
    (``take_quota``); otherwise it is counted here.
    """
    entry = AccessEntry(
        client_code=client_code,
        service_code=service_code,
        grant_id=grant_id,
        params=stored_json(params),
        status=status,
        outcome=outcome,
        rows=rows,
        size=size,
        latency_us=latency_us,
        personal=personal or [],
        # As the column keeps it (IPv6 compressed), so the hash survives.
        source_ip=clean_ip(source_ip),
    )
    refused = status in (403, 429)
    usage = (
        (
            0 if refused or counted else 1,
            int(refused),
            int(status >= 500),
            rows,
            latency_us,
        )
        if grant_id is not None
        else None
    )
    with transaction.atomic():
        _append(entry, usage)
    return entry


# Every gateway call writes here, so the statements are written out rather
# than built by the ORM each time (which cost several times their running).
_ENTRY = AccessEntry._meta.db_table
_HEAD = AccessHead._meta.db_table
_USAGE = GrantUsage._meta.db_table
_COLUMNS = [f.column for f in AccessEntry._meta.concrete_fields if f.column != "id"]
_INSERT = (
    f'INSERT INTO "{_ENTRY}" ({", ".join(f'"{c}"' for c in _COLUMNS)}) '  # noqa: S608
    f"VALUES ({', '.join(['%s'] * len(_COLUMNS))})"
)
_UPSERT = (
    f'INSERT INTO "{_USAGE}" ("grant_id", "day", "calls", "refused", "failed", '  # noqa: S608
    '"rows", "latency_us") VALUES (%s, %s, %s, %s, %s, %s, %s) '
    'ON CONFLICT ("grant_id", "day") DO UPDATE SET '
    '"calls" = "{t}"."calls" + excluded."calls", '
    '"refused" = "{t}"."refused" + excluded."refused", '
    '"failed" = "{t}"."failed" + excluded."failed", '
    '"rows" = "{t}"."rows" + excluded."rows", '
    '"latency_us" = "{t}"."latency_us" + excluded."latency_us"'
).replace("{t}", _USAGE)


def _append(entry: AccessEntry, usage: tuple[int, ...] | None) -> None:
    """Chain ``entry`` to the tip and add ``usage`` (calls, refused, failed,
    rows, latency) to its grant's day, inside the caller's transaction."""
    with connection.cursor() as cursor:
        # The UPDATE takes the head's row lock (SQLite's write lock), so
        # appends from every app server queue here and the chain stays linear.
        bump = f'UPDATE "{_HEAD}" SET "seq" = "seq" + 1 WHERE "id" = 1'  # noqa: S608
        cursor.execute(bump)
        if cursor.rowcount == 0:
            AccessHead.objects.get_or_create(id=1)
            cursor.execute(bump)
        cursor.execute(
            f'SELECT "seq", "entry_hash" FROM "{_HEAD}" WHERE "id" = 1'  # noqa: S608
        )
        entry.seq, entry.prev_hash = cursor.fetchone()
        entry.at = timezone.now()
        entry.entry_hash = LOG.digest(entry)
        fields = [f for f in AccessEntry._meta.concrete_fields if f.column != "id"]
        cursor.execute(
            _INSERT,
            [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in fields],
        )
        cursor.execute(
            f'UPDATE "{_HEAD}" SET "entry_hash" = %s WHERE "id" = 1',  # noqa: S608
            [entry.entry_hash],
        )
        if usage is not None:
            day = connection.ops.adapt_datefield_value(timezone.localdate(entry.at))
            cursor.execute(_UPSERT, [entry.grant_id, day, *usage])


def _usage_row(grant_id: int, day: dt.date) -> Any:
    GrantUsage.objects.bulk_create(
        [GrantUsage(grant_id=grant_id, day=day)], ignore_conflicts=True
    )
    return GrantUsage.objects.filter(grant_id=grant_id, day=day)


def take_quota(grant_id: int, quota: int) -> bool:
    """Count one call against a grant's daily quota; False when spent.

    One conditional UPDATE, so concurrent calls on every app server can
    never take more than the quota between them.
    """
    with transaction.atomic():
        taken = (
            _usage_row(grant_id, timezone.localdate())
            .filter(calls__lt=quota)
            .update(calls=F("calls") + 1)
        )
    return taken == 1


def verify(batch_size: int = 2000, *, last: int | None = None) -> Problem | None:
    """The whole chain, or only its ``last`` rows (each following the one
    before, up to the tip), which a page can afford to walk."""
    return LOG.verify(batch_size, last=last)
