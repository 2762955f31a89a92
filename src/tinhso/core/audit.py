"""Append-only audit log, each row chained to the one before by SHA-256.

Every write service calls ``record`` inside its own transaction, so the row
and the change it describes commit or roll back together.
"""

import ipaddress
from datetime import UTC
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.ipv6 import clean_ipv6_address

from tinhso.core import context
from tinhso.core.chain import GENESIS, Log, Problem, canonical_json, stored_json
from tinhso.core.models import AuditEntry, AuditHead

__all__ = [
    "GENESIS",
    "Problem",
    "canonical_json",
    "clean_ip",
    "compute_hash",
    "record",
    "verify",
]


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


LOG: Log[AuditEntry] = Log(AuditEntry, AuditHead, _hashed_fields)


def compute_hash(entry: AuditEntry) -> str:
    return LOG.digest(entry)


def clean_ip(value: str | None) -> str | None:
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
    entry = AuditEntry(
        actor=actor,
        actor_label=getattr(actor, "username", "") if actor is not None else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        source_ip=clean_ip(source_ip or current.source_ip),
        # Stored exactly as it is hashed.
        detail=stored_json(detail or {}),
    )
    LOG.append(entry)
    return entry


def verify(batch_size: int = 2000) -> Problem | None:
    """Walk the chain; return the first bad row, or None when all is intact."""
    return LOG.verify(batch_size)
