from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.core.models import OrgUnit, StoredFile
from tinhso.documents.constants import (
    BusinessType,
    Channel,
    DispatchStatus,
    InboundStatus,
)
from tinhso.documents.models.incoming import IncomingDocument
from tinhso.documents.models.outgoing import OutgoingDocument


class Dispatch(models.Model):
    """One recipient's copy of an issued document, and where it stands."""

    document = models.ForeignKey(
        OutgoingDocument,
        on_delete=models.PROTECT,
        related_name="dispatches",
        verbose_name=_("văn bản đi"),
    )
    channel = models.CharField(_("kênh gửi"), max_length=8, choices=Channel.choices)
    business_type = models.CharField(
        _("nghiệp vụ"),
        max_length=1,
        choices=BusinessType.choices,
        default=BusinessType.NEW,
    )
    recipient_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị nhận"),
    )
    # The edXML OrganId and name; for an internal recipient, its own.
    recipient_code = models.CharField(_("mã định danh nơi nhận"), max_length=64)
    recipient_name = models.CharField(_("tên nơi nhận"), max_length=255)
    # edXML DocumentId, shared by every copy of one document.
    message_id = models.CharField(_("mã văn bản edXML"), max_length=255)
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=DispatchStatus.choices,
        default=DispatchStatus.SENT,
    )
    package_file = models.ForeignKey(
        StoredFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gói tin edXML"),
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người gửi"),
    )
    sent_at = models.DateTimeField(_("thời gian gửi"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)

    class Meta:
        verbose_name = _("lượt gửi văn bản")
        verbose_name_plural = _("lượt gửi văn bản")
        ordering = ["-sent_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient_unit", "status"], name="dispatch_recipient"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.recipient_name}"


class StatusReceipt(models.Model):
    """A status message back from the recipient (edXML status, 01–16)."""

    dispatch = models.ForeignKey(
        Dispatch,
        on_delete=models.CASCADE,
        related_name="receipts",
        verbose_name=_("lượt gửi"),
    )
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=DispatchStatus.choices
    )
    note = models.TextField(_("ghi chú"), blank=True)
    actor_name = models.CharField(_("người thực hiện"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("thời gian"), auto_now_add=True)

    class Meta:
        verbose_name = _("trạng thái văn bản")
        verbose_name_plural = _("trạng thái văn bản")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} — {self.created_at:%d/%m/%Y %H:%M}"


class InboundMessage(models.Model):
    """An electronic document that has reached an agency, awaiting its clerk.

    Internal dispatches land here at once; edXML packages from outside land
    here when imported. Registering one makes the incoming document.
    """

    agency = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="inbound_messages",
        verbose_name=_("cơ quan nhận"),
    )
    dispatch = models.ForeignKey(
        Dispatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inbound",
        verbose_name=_("lượt gửi trong hệ thống"),
    )
    channel = models.CharField(_("kênh nhận"), max_length=8, choices=Channel.choices)
    business_type = models.CharField(
        _("nghiệp vụ"),
        max_length=1,
        choices=BusinessType.choices,
        default=BusinessType.NEW,
    )
    message_id = models.CharField(_("mã văn bản edXML"), max_length=255)
    sender_code = models.CharField(_("mã định danh nơi gửi"), max_length=64)
    sender_name = models.CharField(_("nơi gửi"), max_length=255)
    sender_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị gửi (trong hệ thống)"),
    )
    # Decree 30 metadata as sent: number_symbol, issued_date (ISO), doc_type,
    # subject, signer_name, signer_position, urgency, secrecy, page_count.
    metadata = models.JSONField(_("thông tin văn bản"), default=dict)
    main_file = models.ForeignKey(
        StoredFile,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tệp văn bản"),
    )
    attachments = models.ManyToManyField(
        StoredFile, blank=True, related_name="+", verbose_name=_("tệp đính kèm")
    )
    package_file = models.ForeignKey(
        StoredFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gói tin edXML"),
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=InboundStatus.choices,
        default=InboundStatus.PENDING,
    )
    incoming = models.OneToOneField(
        IncomingDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound",
        verbose_name=_("văn bản đến"),
    )
    reject_reason = models.TextField(_("lý do từ chối"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người xử lý"),
    )
    received_at = models.DateTimeField(_("thời gian đến"), auto_now_add=True)
    handled_at = models.DateTimeField(_("thời gian xử lý"), null=True, blank=True)

    class Meta:
        verbose_name = _("văn bản điện tử đến")
        verbose_name_plural = _("văn bản điện tử đến")
        ordering = ["-received_at", "-pk"]
        constraints = [
            # A message that arrives twice (a retried transport) lands once.
            models.UniqueConstraint(
                fields=["agency", "message_id", "business_type"],
                name="inbound_message_once",
            )
        ]
        indexes = [
            models.Index(fields=["agency", "status"], name="inbound_agency_status"),
        ]

    def __str__(self) -> str:
        return f"{self.metadata.get('number_symbol', '')} — {self.sender_name}"
