"""Credit notifications from a bank, signed with a secret shared with it.

A notification is trusted only with a valid HMAC-SHA256 signature over its
exact bytes (header ``X-Tinhso-Signature: sha256=<hex>``). What a credit
pays for is each app's business: fees of a dossier, an OCOP order.
"""

import datetime as dt
import hashlib
import hmac
import json
import re
from dataclasses import dataclass

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from tinhso.core.errors import DomainError

SIGNATURE_HEADER = "X-Tinhso-Signature"
FIELDS = ("transaction_id", "amount", "description", "credited_at", "account")


@dataclass(frozen=True)
class Credit:
    transaction_id: str
    amount: int
    description: str
    credited_at: dt.datetime
    account: str
    # The NAPAS BIN of the credited account's bank, when the sender names it.
    bank_bin: str = ""


def sign(body: bytes, secret: str) -> str:
    """The signature header value a bank puts on ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _signed(body: bytes, signature: str | None, secret: str) -> bool:
    # Bytes on both sides: a header with non-ASCII text is simply wrong.
    given = (signature or "").strip().encode("utf-8", "replace")
    return bool(given) and hmac.compare_digest(sign(body, secret).encode(), given)


def read(body: bytes, signature: str | None, secret: str) -> Credit:
    """The credit ``body`` reports; DomainError if it is forged or malformed."""
    if not _signed(body, signature, secret):
        raise DomainError(
            "bank_signature_invalid",
            _("Chữ ký của thông báo không hợp lệ; thông báo bị bỏ qua."),
            status=401,
        )
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict) or any(k not in data for k in FIELDS):
        raise DomainError(
            "bank_notification_malformed",
            _("Thông báo cần các trường: %(fields)s.") % {"fields": ", ".join(FIELDS)},
        )
    credited = (
        parse_datetime(data["credited_at"])
        if isinstance(data["credited_at"], str)
        else None
    )
    amount = data["amount"]
    if (
        credited is None
        or credited.tzinfo is None
        or not isinstance(amount, int)
        or isinstance(amount, bool)
        or amount <= 0
        or not isinstance(data["transaction_id"], str)
        or not 0 < len(data["transaction_id"]) <= 64
        or not isinstance(data["description"], str)
        or not re.fullmatch(r"(\d{6})?", str(data.get("bank_bin", "")))
    ):
        raise DomainError(
            "bank_notification_malformed",
            _(
                "Thông báo có trường sai kiểu: số tiền là số nguyên dương, thời gian "
                "theo ISO 8601 có múi giờ, mã ngân hàng (bank_bin) 6 chữ số."
            ),
        )
    return Credit(
        transaction_id=data["transaction_id"],
        amount=amount,
        description=data["description"],
        credited_at=credited,
        account=str(data["account"]),
        bank_bin=str(data.get("bank_bin", "")),
    )
