from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.core.models import OrgUnit, StoredFile
from tinhso.documents.constants import (
    DocumentType,
    OutgoingStatus,
    ReviewActionKind,
    Secrecy,
    Urgency,
)


class AgencyProfile(models.Model):
    """How an agency writes its documents: its symbol and place name."""

    agency = models.OneToOneField(
        OrgUnit,
        on_delete=models.CASCADE,
        related_name="document_profile",
        verbose_name=_("cơ quan"),
    )
    symbol = models.CharField(
        _("ký hiệu cơ quan"),
        max_length=32,
        help_text=_("Chữ viết tắt tên cơ quan trong ký hiệu văn bản, ví dụ UBND, SNV."),
    )
    place_name = models.CharField(
        _("địa danh"),
        max_length=64,
        help_text=_("Địa danh ghi trước ngày tháng của văn bản, ví dụ Tuyên Quang."),
    )

    class Meta:
        verbose_name = _("thông tin văn bản của cơ quan")
        verbose_name_plural = _("thông tin văn bản của cơ quan")

    def __str__(self) -> str:
        return f"{self.agency} ({self.symbol})"


class ReviewStep(models.Model):
    """One step of an agency's review chain for outgoing drafts."""

    agency = models.ForeignKey(
        OrgUnit,
        on_delete=models.CASCADE,
        related_name="review_steps",
        verbose_name=_("cơ quan"),
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    label = models.CharField(_("tên bước"), max_length=100)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người duyệt"),
    )

    class Meta:
        verbose_name = _("bước trình duyệt")
        verbose_name_plural = _("quy trình trình duyệt")
        ordering = ["agency", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "position"], name="review_step_unique_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.label}"


class OutgoingDocument(models.Model):
    """A document an agency drafts, reviews, signs, issues and dispatches."""

    agency = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="outgoing_documents",
        verbose_name=_("cơ quan ban hành"),
    )
    drafting_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị soạn thảo"),
    )
    drafter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người soạn thảo"),
    )
    doc_type = models.CharField(
        _("loại văn bản"), max_length=32, choices=DocumentType.choices
    )
    subject = models.TextField(_("trích yếu"))
    urgency = models.CharField(
        _("độ khẩn"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    secrecy = models.CharField(
        _("độ mật"), max_length=16, choices=Secrecy.choices, default=Secrecy.NORMAL
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người ký"),
    )
    # "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH": authority prefix and title, as signed.
    signer_position = models.CharField(
        _("chức vụ người ký"), max_length=150, blank=True
    )
    recipients_note = models.TextField(_("nơi nhận"), blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=OutgoingStatus.choices,
        default=OutgoingStatus.DRAFT,
    )
    current_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người đang duyệt"),
    )
    # Position in the agency's chain of the step under way; a forwarded
    # review keeps it, so the chain goes on where it left off.
    review_position = models.PositiveSmallIntegerField(null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("năm"), null=True, blank=True)
    outgoing_number = models.PositiveIntegerField(_("số đi"), null=True, blank=True)
    # Decree 30: documents marked Mật or above take numbers from their own
    # series ("hệ thống số riêng"), so the ordinary register shows no gap.
    secret_series = models.BooleanField(_("sổ văn bản mật"), default=False)
    number_symbol = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)
    issued_date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("số trang"), null=True, blank=True)
    signed_file = models.ForeignKey(
        StoredFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tệp đã ký"),
    )
    issued_file = models.ForeignKey(
        StoredFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tệp phát hành"),
    )
    signed_at = models.DateTimeField(_("thời gian ký"), null=True, blank=True)
    issued_at = models.DateTimeField(_("thời gian phát hành"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người phát hành"),
    )
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("thay thế văn bản"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("văn bản đi")
        verbose_name_plural = _("văn bản đi")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "secret_series", "outgoing_number"],
                condition=models.Q(outgoing_number__isnull=False),
                name="outgoing_number_unique",
            )
        ]
        indexes = [
            models.Index(fields=["agency", "status"], name="outgoing_agency_status"),
            models.Index(fields=["issued_at"], name="outgoing_issued"),
        ]

    def __str__(self) -> str:
        return self.number_symbol or str(_("Dự thảo: %(subject)s")) % {
            "subject": self.subject[:60]
        }


class DraftVersion(models.Model):
    """One uploaded version of a draft; kept, never overwritten."""

    document = models.ForeignKey(
        OutgoingDocument,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("văn bản"),
    )
    number = models.PositiveSmallIntegerField(_("phiên bản"))
    source_file = models.ForeignKey(
        StoredFile,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tệp tải lên"),
    )
    # The PDF that is reviewed and signed: the upload itself, or its DOCX
    # converted by LibreOffice.
    pdf_file = models.ForeignKey(
        StoredFile,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tệp PDF"),
    )
    note = models.TextField(_("ghi chú"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người tải lên"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phiên bản dự thảo")
        verbose_name_plural = _("phiên bản dự thảo")
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="draft_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.number}"


class OutgoingAttachment(models.Model):
    document = models.ForeignKey(
        OutgoingDocument,
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


class ReviewAction(models.Model):
    """The draft's history: each submit, approval, return, forward, signature."""

    document = models.ForeignKey(
        OutgoingDocument,
        on_delete=models.CASCADE,
        related_name="review_actions",
        verbose_name=_("văn bản"),
    )
    version = models.ForeignKey(
        DraftVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("phiên bản"),
    )
    kind = models.CharField(_("việc"), max_length=16, choices=ReviewActionKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chuyển đến"),
    )
    comment = models.TextField(_("ý kiến"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lượt trình duyệt")
        verbose_name_plural = _("lịch sử trình duyệt")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.actor}"
