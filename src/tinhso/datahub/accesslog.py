"""The gateway's access log: every call, chained by SHA-256 like the audit
log, so an owner can prove what was shared with whom and ``tinhso datahub
verify-log`` finds any row edited, deleted or reordered since."""

import datetime as dt
from datetime import UTC
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

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
        source_ip=source_ip,
    )
    with transaction.atomic():
        LOG.append(entry)
        if grant_id is not None:
            refused = status in (403, 429)
            changes: dict[str, Any] = {
                "rows": F("rows") + rows,
                "latency_us": F("latency_us") + latency_us,
            }
            if refused:
                changes["refused"] = F("refused") + 1
            elif not counted:
                changes["calls"] = F("calls") + 1
            if status >= 500:
                changes["failed"] = F("failed") + 1
            _usage_row(grant_id, timezone.localdate(entry.at)).update(**changes)
    return entry


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


def verify(batch_size: int = 2000) -> Problem | None:
    return LOG.verify(batch_size)
