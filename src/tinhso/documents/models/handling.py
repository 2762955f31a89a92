from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.core.models import OrgUnit
from tinhso.documents.constants import HandlingRole, HandlingStatus
from tinhso.documents.models.incoming import IncomingDocument


class Handling(models.Model):
    """One person's or unit's part in handling an incoming document.

    A leader's assignment makes one row per lead, co-handler and recipient
    for information; a handler who re-assigns down their own unit makes rows
    whose ``parent`` is their own.
    """

    document = models.ForeignKey(
        IncomingDocument,
        on_delete=models.CASCADE,
        related_name="handlings",
        verbose_name=_("văn bản"),
    )
    role = models.CharField(_("vai trò"), max_length=8, choices=HandlingRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handlings",
        verbose_name=_("người xử lý"),
    )
    # A unit assigned as a whole: its leaders see it until they pass it on.
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handlings",
        verbose_name=_("đơn vị xử lý"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("giao từ"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người giao"),
    )
    instruction = models.TextField(_("ý kiến chỉ đạo"), blank=True)
    deadline = models.DateField(_("hạn xử lý"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=8,
        choices=HandlingStatus.choices,
        default=HandlingStatus.OPEN,
    )
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    done_at = models.DateTimeField(_("thời gian xong"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phân công xử lý")
        verbose_name_plural = _("phân công xử lý")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(unit__isnull=False),
                name="handling_has_handler",
            )
        ]
        indexes = [
            models.Index(fields=["user", "status"], name="handling_user_status"),
            models.Index(fields=["unit", "status"], name="handling_unit_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.user or self.unit}"


class Opinion(models.Model):
    """An opinion or progress note recorded while handling (ý kiến xử lý)."""

    document = models.ForeignKey(
        IncomingDocument,
        on_delete=models.CASCADE,
        related_name="opinions",
        verbose_name=_("văn bản"),
    )
    handling = models.ForeignKey(
        Handling,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="opinions",
        verbose_name=_("phân công"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người ghi"),
    )
    text = models.TextField(_("nội dung"))
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ý kiến xử lý")
        verbose_name_plural = _("ý kiến xử lý")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]
