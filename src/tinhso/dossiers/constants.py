"""Vocabulary of the procedure catalog (thủ tục hành chính)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# core.search scope of the catalog: code, name, field and agency, folded.
CATALOG_SCOPE = "dossiers.procedure"


class ProcedureLevel(models.TextChoices):
    """Which tier of the two-level local government handles it (from 1 July 2025)."""

    PROVINCE = "province", _("Cấp tỉnh")
    COMMUNE = "commune", _("Cấp xã")


class ServiceLevel(models.TextChoices):
    """Online public service level, Decree 42/2022/NĐ-CP."""

    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")
    NONE = "none", _("Không trực tuyến")


class CopyKind(models.TextChoices):
    """What form a required document must be handed in as."""

    ORIGINAL = "original", _("Bản chính")
    COPY = "copy", _("Bản sao")
    CERTIFIED_COPY = "certified_copy", _("Bản sao có chứng thực")
    ORIGINAL_OR_COPY = "original_or_copy", _("Bản chính hoặc bản sao")


class FeeKind(models.TextChoices):
    FEE = "fee", _("Phí")
    CHARGE = "charge", _("Lệ phí")


class DurationUnit(models.TextChoices):
    """A processing step is planned in working hours or working days."""

    HOURS = "hours", _("giờ làm việc")
    DAYS = "days", _("ngày làm việc")


# Roles a processing step is done in (accounts.Role values).
STEP_ROLES = ("one_stop_officer", "specialist", "leader", "clerk")

AUDIT_PROCEDURE_SAVED = "dossiers.procedure.saved"
AUDIT_CATALOG_IMPORTED = "dossiers.catalog.imported"
