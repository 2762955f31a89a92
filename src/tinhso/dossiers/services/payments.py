"""Fees and charges of a dossier: what is owed, the VietQR code that pays it,
the bank's notification that confirms it, an officer's confirmation, and
the numbered payment receipt.

A bank notification is trusted only with a valid HMAC-SHA256 signature over
its exact bytes, made with the secret shared with the bank
(``PAYMENT_NOTIFY_SECRET``). Each bank transaction is kept once: a replay
returns the first outcome and changes nothing.
"""

import datetime as dt
import re
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import Role, User
from tinhso.accounts.policies import holds_role
from tinhso.core import audit, bankfeed, numbering, vietqr
from tinhso.core.errors import DomainError, Forbidden, NotFound
from tinhso.core.text import nfc
from tinhso.dossiers.constants import (
    AUDIT_BANK_NOTIFIED,
    AUDIT_CREDIT_SETTLED,
    AUDIT_PAYMENT_CONFIRMED,
    OPEN_STATUSES,
    BankOutcome,
    PaymentMethod,
    PaymentStatus,
)
from tinhso.dossiers.models import BankNotification, Dossier, Payment, Procedure
from tinhso.dossiers.services import notifications

# No 0/O, 1/I: a reference someone reads aloud or types from paper.
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
REFERENCE_RE = re.compile(r"\bHS([2-9A-HJ-NP-Z]{10})\b", re.IGNORECASE)
SIGNATURE_HEADER = bankfeed.SIGNATURE_HEADER


def fees_due(procedure: Procedure) -> int:
    return sum(fee.amount for fee in procedure.fees.all())


def new_reference() -> str:
    return "HS" + "".join(secrets.choice(_ALPHABET) for _ in range(10))


def open_payment(dossier: Dossier) -> Payment | None:
    """The payment a new dossier owes, or None when its procedure is free.
    Called in the transaction that creates the dossier."""
    amount = fees_due(dossier.procedure)
    if not amount:
        return None
    return Payment.objects.create(
        dossier=dossier, amount=amount, reference=new_reference()
    )


def qr_text(payment: Payment) -> str:
    """The VietQR text paying exactly ``payment`` to the collecting account."""
    return vietqr.payload(
        settings.PAYMENT_BANK_BIN,
        settings.PAYMENT_ACCOUNT,
        payment.amount,
        payment.reference,
    )


def _paid(
    payment: Payment,
    method: str,
    at: dt.datetime,
    by: User | None,
    bank_transaction: str = "",
) -> None:
    payment.status, payment.method, payment.paid_at = PaymentStatus.PAID, method, at
    payment.confirmed_by, payment.bank_transaction = by, bank_transaction or None
    payment.receipt_number = numbering.next_number(
        f"dossiers.payment.{payment.dossier.agency_id}",
        timezone.localtime(at).year,
    )
    # One save, after the receipt number: saving a payment locks its month's
    # tally (metrics.refresh), which every act takes last.
    payment.save(
        update_fields=[
            "status",
            "method",
            "paid_at",
            "confirmed_by",
            "receipt_number",
            "bank_transaction",
        ]
    )
    notifications.notify(payment.dossier, notifications.PAID)


@transaction.atomic
def confirm_payment(
    dossier: Dossier,
    officer: User,
    method: str,
    *,
    at: dt.datetime | None = None,
) -> Payment:
    """A one-stop officer of the receiving unit records the fees as paid: in
    cash at the counter, or by a transfer seen on the account's statement."""
    if not holds_role(officer, Role.ONE_STOP_OFFICER, dossier.agency):
        raise Forbidden(
            "not_one_stop_officer",
            _("Chỉ cán bộ một cửa của %(agency)s xác nhận thanh toán.")
            % {"agency": dossier.agency.name},
        )
    if method not in PaymentMethod.values:
        raise DomainError(
            "payment_method_unknown",
            _("Chọn hình thức nộp: tiền mặt hoặc chuyển khoản."),
            extra={"field": "method"},
        )
    payment = (
        Payment.objects.select_for_update()
        .select_related("dossier")
        .filter(dossier=dossier)
        .first()
    )
    if payment is None:
        raise DomainError(
            "dossier_free", _("Thủ tục của hồ sơ này không thu phí, lệ phí.")
        )
    if payment.status == PaymentStatus.PAID:
        raise DomainError(
            "payment_already_paid", _("Phí, lệ phí của hồ sơ này đã được nộp.")
        )
    if payment.dossier.status not in OPEN_STATUSES:
        raise DomainError(
            "dossier_closed", _("Hồ sơ đã kết thúc, không ghi nhận thanh toán được.")
        )
    _paid(payment, method, at or timezone.now(), officer)
    audit.record(
        AUDIT_PAYMENT_CONFIRMED,
        obj=payment.dossier,
        detail={
            "code": payment.dossier.code,
            "amount": payment.amount,
            "method": method,
        },
    )
    return payment


@transaction.atomic
def settle_credit(
    transaction_id: str,
    officer: User,
    note: str,
    *,
    at: dt.datetime | None = None,
) -> BankNotification:
    """A one-stop officer says what became of a credit that paid nothing:
    refunded to the payer, or the dossier's fees confirmed by hand."""
    credit = (
        # Only the credit's row: its payment may be missing (an outer join,
        # which PostgreSQL does not lock).
        BankNotification.objects.select_for_update(of=("self",))
        .select_related("payment__dossier__agency")
        .filter(transaction_id=transaction_id)
        .first()
    )
    if credit is None or credit.outcome == BankOutcome.PAID:
        raise NotFound(
            "credit_not_found", _("Không có khoản chuyển khoản cần đối soát này.")
        )
    dossier = credit.payment.dossier if credit.payment else None
    if not holds_role(
        officer, Role.ONE_STOP_OFFICER, dossier.agency if dossier else None
    ):
        raise Forbidden(
            "not_one_stop_officer",
            _("Chỉ cán bộ một cửa của nơi tiếp nhận hồ sơ đối soát khoản này."),
        )
    if credit.settled_at is not None:
        raise DomainError(
            "credit_already_settled", _("Khoản chuyển khoản này đã được đối soát.")
        )
    note = nfc(note).strip()
    if not note:
        raise DomainError(
            "settle_note_required",
            _("Ghi rõ đã xử lý thế nào: hoàn trả, hay xác nhận nộp cho hồ sơ nào."),
            extra={"field": "note"},
        )
    credit.settled_at, credit.settled_by, credit.settled_note = (
        at or timezone.now(),
        officer,
        note,
    )
    credit.save(update_fields=["settled_at", "settled_by", "settled_note"])
    audit.record(
        AUDIT_CREDIT_SETTLED,
        obj=credit,
        actor=officer,
        detail={"transaction": credit.transaction_id, "amount": credit.amount},
    )
    return credit


def sign(body: bytes) -> str:
    """The signature header value the bank puts on ``body``."""
    return bankfeed.sign(body, settings.PAYMENT_NOTIFY_SECRET)


def _verified(body: bytes, signature: str | None) -> bankfeed.Credit:
    credit = bankfeed.read(body, signature, settings.PAYMENT_NOTIFY_SECRET)
    if credit.account != settings.PAYMENT_ACCOUNT:
        raise DomainError(
            "bank_wrong_account",
            _("Giao dịch không vào tài khoản thu của nền tảng."),
        )
    return credit


def _match(data: bankfeed.Credit) -> tuple[str, Payment | None]:
    found = REFERENCE_RE.search(data.description)
    payment = (
        Payment.objects.select_for_update()
        .select_related("dossier")
        .filter(reference="HS" + found.group(1).upper())
        .first()
        if found
        else None
    )
    if payment is None:
        return BankOutcome.UNKNOWN_REFERENCE, None
    if payment.status == PaymentStatus.PAID:
        return BankOutcome.ALREADY_PAID, payment
    if payment.dossier.status not in OPEN_STATUSES:
        return BankOutcome.DOSSIER_CLOSED, payment
    if payment.amount != data.amount:
        return BankOutcome.WRONG_AMOUNT, payment
    return BankOutcome.PAID, payment


def record_bank_notification(
    body: bytes, signature: str | None
) -> tuple[BankNotification, bool]:
    """Take one credit notification from the bank. Returns it and whether it
    is new; a replay (same transaction) returns the first one untouched.
    Only an exact amount with a known reference marks a payment paid; any
    other credit is kept for an officer to settle by hand."""
    data = _verified(body, signature)
    seen = BankNotification.objects.filter(transaction_id=data.transaction_id).first()
    if seen is not None:
        return seen, False
    try:
        with transaction.atomic():
            outcome, payment = _match(data)
            notification = BankNotification.objects.create(
                transaction_id=data.transaction_id,
                amount=data.amount,
                description=data.description[:300],
                credited_at=data.credited_at,
                outcome=outcome,
                payment=payment,
            )
            if outcome == BankOutcome.PAID and payment is not None:
                _paid(
                    payment,
                    PaymentMethod.VIETQR,
                    data.credited_at,
                    None,
                    data.transaction_id,
                )
            audit.record(
                AUDIT_BANK_NOTIFIED,
                obj=payment.dossier if payment else notification,
                detail={
                    "transaction": data.transaction_id,
                    "amount": data.amount,
                    "outcome": outcome,
                },
            )
    except IntegrityError:
        # The same transaction, notified twice at once: the other one won.
        return BankNotification.objects.get(transaction_id=data.transaction_id), False
    return notification, True
