"""Producers: a business or household signs its producer up, a market
officer approves it (or suspends it), and the producer keeps its own
details and bank account current."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tinhso.core import audit, vietqr
from tinhso.core.errors import DomainError, Forbidden
from tinhso.core.errors import validated as valid
from tinhso.core.models import OrgUnitKind
from tinhso.core.text import nfc
from tinhso.market import policies
from tinhso.market.constants import (
    AUDIT_PRODUCER_REGISTERED,
    AUDIT_PRODUCER_REVIEWED,
    ProducerStatus,
)
from tinhso.market.models import Producer
from tinhso.market.services import products

_TEXT_FIELDS = ("name", "address", "representative", "account_name")


def _checked(producer: Producer) -> None:
    for field in _TEXT_FIELDS:
        setattr(producer, field, nfc(getattr(producer, field)))
    producer.account_name = producer.account_name.upper()
    if producer.bank_bin not in vietqr.BANKS:
        raise DomainError(
            "bank_unknown",
            _("Chọn ngân hàng của tài khoản nhận tiền."),
            extra={"field": "bank_bin"},
        )
    if producer.commune_id and producer.commune.kind != OrgUnitKind.COMMUNE:
        raise DomainError(
            "not_a_commune",
            _("Chọn xã, phường, đặc khu nơi chủ thể đặt cơ sở sản xuất."),
            extra={"field": "commune"},
        )
    try:
        # The account must be one a VietQR code can carry.
        vietqr.payload(producer.bank_bin, producer.bank_account, None, "OCOP")
    except ValueError:
        raise DomainError(
            "bank_account_invalid",
            _("Số tài khoản chỉ gồm chữ số hoặc chữ cái, tối đa 19 ký tự."),
            extra={"field": "bank_account"},
        ) from None
    valid(producer, exclude=["owner"])


def _save(producer: Producer) -> None:
    try:
        with transaction.atomic():
            producer.save()
    except IntegrityError:
        if (
            Producer.objects.filter(tax_code=producer.tax_code)
            .exclude(pk=producer.pk)
            .exists()
        ):
            raise DomainError(
                "producer_tax_code_taken",
                _("Mã số thuế %(code)s đã đăng ký bán trên sàn.")
                % {"code": producer.tax_code},
                extra={"field": "tax_code"},
            ) from None
        raise DomainError(
            "producer_account_taken",
            _("Tài khoản ngân hàng này đã là tài khoản nhận tiền của chủ thể khác."),
            extra={"field": "bank_account"},
        ) from None


@transaction.atomic
def register(actor: Any, producer: Producer) -> Producer:
    """``actor`` signs up ``producer`` as its own; it waits for approval."""
    if not policies.can_register_producer(actor):
        raise Forbidden(
            "cannot_register_producer",
            _(
                "Chỉ tài khoản doanh nghiệp, hộ kinh doanh chưa đăng ký chủ thể mới "
                "đăng ký bán trên sàn."
            ),
        )
    producer.owner = actor
    producer.status = ProducerStatus.PENDING
    _checked(producer)
    # Errors of uniqueness surface with their own message in _save.
    _save(producer)
    audit.record(
        AUDIT_PRODUCER_REGISTERED,
        obj=producer,
        actor=actor,
        detail={"tax_code": producer.tax_code, "name": producer.name},
    )
    return producer


@transaction.atomic
def update(actor: Any, producer: Producer) -> Producer:
    """The producer changes its own details; a suspended one stays so, and
    a new receiving account waits for approval again."""
    if producer.owner_id != getattr(actor, "pk", None):
        raise Forbidden(
            "not_producer_owner", _("Chỉ chủ thể sửa được thông tin của mình.")
        )
    _checked(producer)
    before = Producer.objects.select_for_update().get(pk=producer.pk)
    payee = ("bank_bin", "bank_account", "account_name", "tax_code")
    if before.status == ProducerStatus.APPROVED and any(
        getattr(before, f) != getattr(producer, f) for f in payee
    ):
        # Where buyers' money goes is what an officer checked: a new account
        # waits for approval, so a stolen login cannot redirect payments.
        producer.status = ProducerStatus.PENDING
    producer.review_note = before.review_note
    _save(producer)
    products.reindex_producer(producer)
    audit.record(
        "market.producer.update",
        obj=producer,
        actor=actor,
        detail={"bank_bin": producer.bank_bin, "bank_account": producer.bank_account},
    )
    return producer


@transaction.atomic
def review(actor: Any, producer: Producer, status: str, note: str = "") -> Producer:
    """A market officer approves a producer, or suspends its sales."""
    if not policies.is_market_officer(actor):
        raise Forbidden(
            "not_market_officer",
            _("Chỉ cán bộ quản lý sàn OCOP duyệt chủ thể và sản phẩm."),
        )
    if status not in (ProducerStatus.APPROVED, ProducerStatus.SUSPENDED):
        raise DomainError("review_status_invalid", _("Chọn duyệt hoặc tạm dừng bán."))
    note = nfc(note)
    if status == ProducerStatus.SUSPENDED and not note:
        raise DomainError(
            "review_note_required",
            _("Ghi rõ lý do tạm dừng để chủ thể biết cần làm gì."),
            extra={"field": "note"},
        )
    producer = Producer.objects.select_for_update().get(pk=producer.pk)
    producer.status, producer.review_note = status, note
    producer.save(update_fields=["status", "review_note"])
    audit.record(
        AUDIT_PRODUCER_REVIEWED,
        obj=producer,
        actor=actor,
        detail={"status": status, "note": note},
    )
    return producer
