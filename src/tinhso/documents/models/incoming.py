from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.core.models import OrgUnit, StoredFile
from tinhso.documents.constants import DocumentType, IncomingStatus, Secrecy, Urgency


class IncomingDocument(models.Model):
    """One entry of an agency's incoming register (sổ văn bản đến)."""

    agency = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="incoming_documents",
        verbose_name=_("cơ quan nhận"),
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    incoming_number = models.PositiveIntegerField(_("số đến"))
    # Decree 30: documents marked Mật or above are registered apart, in
    # their own number series, so the ordinary register shows no gap.
    secret_series = models.BooleanField(_("sổ văn bản mật"), default=False)
    received_at = models.DateTimeField(_("thời gian đến"))
    number_symbol = models.CharField(_("số, ký hiệu"), max_length=100)
    issued_date = models.DateField(_("ngày ban hành"))
    issuer_name = models.CharField(_("cơ quan ban hành"), max_length=255)
    issuer_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị ban hành (trong hệ thống)"),
    )
    doc_type = models.CharField(
        _("loại văn bản"), max_length=32, choices=DocumentType.choices
    )
    subject = models.TextField(_("trích yếu"))
    signer_name = models.CharField(_("người ký"), max_length=150, blank=True)
    urgency = models.CharField(
        _("độ khẩn"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    secrecy = models.CharField(
        _("độ mật"), max_length=16, choices=Secrecy.choices, default=Secrecy.NORMAL
    )
    page_count = models.PositiveIntegerField(_("số trang"))
    main_file = models.ForeignKey(
        StoredFile,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tệp văn bản"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người vào sổ"),
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=IncomingStatus.choices,
        default=IncomingStatus.REGISTERED,
    )
    # One dict per embedded signature, as checked on arrival (pki.signing);
    # kept so the panel shows what was true when the document came in.
    signatures = models.JSONField(_("kết quả kiểm tra chữ ký số"), default=list)
    signature_summary = models.TextField(_("tóm tắt chữ ký số"), blank=True)
    # Set by the leader's assignment; closing on or before it counts on time.
    deadline = models.DateField(_("hạn xử lý"), null=True, blank=True)
    closed_at = models.DateTimeField(_("thời gian hoàn thành"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người kết thúc"),
    )
    closing_note = models.TextField(_("kết quả xử lý"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("văn bản đến")
        verbose_name_plural = _("văn bản đến")
        ordering = ["-year", "-incoming_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "secret_series", "incoming_number"],
                name="incoming_number_unique",
            )
        ]
        indexes = [
            models.Index(
                fields=["agency", "-received_at"], name="incoming_agency_received"
            ),
            models.Index(fields=["received_at"], name="incoming_received"),
            # Where a clerk registered secret documents (search_partitions).
            models.Index(
                fields=["registered_by", "secrecy", "agency"],
                name="incoming_registrar_secrecy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incoming_number}/{self.year} — {self.number_symbol}"


class Attachment(models.Model):
    document = models.ForeignKey(
        IncomingDocument,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("văn bản"),
    )
    file = models.ForeignKey(
        StoredFile, on_delete=models.PROTECT, related_name="+", verbose_name=_("tệp")
    )

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")

    def __str__(self) -> str:
        return str(self.file)
