"""Acts done once per ``Idempotency-Key``, the header a client sends so that
retrying a request it never saw answered cannot do the act twice.

The key row is written in the act's own transaction: a failed act leaves no
key (the retry runs it again), a finished one leaves key and answer
together. Two requests with one key at once serialize on the key's unique
index; the second one replays the first one's answer.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core.errors import DomainError
from tinhso.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
# How long a key is remembered; a client retries within minutes, not days.
KEPT = timedelta(days=7)
KEY_MAX = 255


def fingerprint(*parts: Any) -> str:
    """A digest of what a request asks for, to tell a retry from a new ask."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def once(
    user: Any,
    key: str | None,
    digest: str,
    act: Callable[[], tuple[int, Any]],
) -> tuple[int, Any, bool]:
    """Run ``act`` (which returns a status and a JSON-ready body) unless
    ``key`` was used before by ``user``; return status, body and whether
    this is a replay. Without a key the act simply runs."""
    if key is None:
        status, body = act()
        return status, body, False
    key = key.strip()
    if not key or len(key) > KEY_MAX:
        raise DomainError(
            "idempotency_key_invalid",
            _("Khóa %(header)s phải có từ 1 đến %(max)s ký tự.")
            % {"header": HEADER, "max": KEY_MAX},
        )
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(
                user=user, key=key, fingerprint=digest, status=0, body={}
            )
            status, body = act()
            record.status, record.body = status, body
            record.save(update_fields=["status", "body"])
            return status, body, False
    except IntegrityError:
        earlier = IdempotencyKey.objects.filter(user=user, key=key).first()
        if earlier is None:  # the constraint that failed was the act's own
            raise
    if earlier.fingerprint != digest:
        raise DomainError(
            "idempotency_key_reused",
            _(
                "Khóa %(header)s này đã dùng cho một yêu cầu khác; hãy dùng khóa mới "
                "cho mỗi yêu cầu."
            )
            % {"header": HEADER},
            status=422,
        )
    return earlier.status, earlier.body, True


def forget_old() -> int:
    """Drop keys older than ``KEPT``; returns how many."""
    deleted, _rows = IdempotencyKey.objects.filter(
        created_at__lt=timezone.now() - KEPT
    ).delete()
    return deleted
