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


class DossierStatus(models.TextChoices):
    """Statuses of the national public-service portal, by their numbers."""

    REGISTERED = "1", _("Mới đăng ký")
    RECEIVED = "2", _("Đã tiếp nhận")
    NOT_RECEIVED = "3", _("Không được tiếp nhận")
    PROCESSING = "4", _("Đang xử lý")
    SUPPLEMENT = "5", _("Yêu cầu bổ sung")
    AWAITING_PAYMENT = "6", _("Chờ thực hiện nghĩa vụ tài chính")
    WITHDRAWN = "7", _("Công dân yêu cầu rút hồ sơ")
    STOPPED = "8", _("Dừng xử lý")
    PROCESSED = "9", _("Đã xử lý xong")
    RETURNED = "10", _("Đã trả kết quả")


# A dossier still being worked on: its procedure's steps are in use.
OPEN_STATUSES = (
    DossierStatus.REGISTERED,
    DossierStatus.RECEIVED,
    DossierStatus.PROCESSING,
    DossierStatus.SUPPLEMENT,
    DossierStatus.AWAITING_PAYMENT,
    DossierStatus.PROCESSED,
)

# Counted by the service index: received and not yet resolved or stopped.
IN_PROGRESS = (
    DossierStatus.RECEIVED,
    DossierStatus.PROCESSING,
    DossierStatus.SUPPLEMENT,
    DossierStatus.AWAITING_PAYMENT,
)
RESOLVED = (DossierStatus.PROCESSED, DossierStatus.RETURNED)


class Channel(models.TextChoices):
    """How a dossier arrived (the portal's channel codes)."""

    COUNTER = "1", _("Trực tiếp")
    ONLINE = "2", _("Trực tuyến")
    POST = "3", _("Qua dịch vụ bưu chính công ích")


AUDIT_DOSSIER_RECEIVED = "dossiers.dossier.received"
AUDIT_DOSSIER_HANDED_OVER = "dossiers.dossier.handed_over"
AUDIT_DOSSIER_RETURNED = "dossiers.dossier.returned"
AUDIT_DOSSIER_REFUSED = "dossiers.dossier.refused"
AUDIT_DOSSIER_WITHDRAWN = "dossiers.dossier.withdrawn"
AUDIT_DOSSIER_APOLOGISED = "dossiers.dossier.apologised"
AUDIT_SUPPLEMENT_REQUESTED = "dossiers.dossier.supplement_requested"
AUDIT_SUPPLEMENT_RECEIVED = "dossiers.dossier.supplement_received"

# Wrong public look-ups allowed per address in a quarter of an hour: enough
# for typing mistakes, too few to try phone numbers against a code.
LOOKUP_MISSES = 10
LOOKUP_WINDOW = 15 * 60

# Lines of the control sheet, which is a Vietnamese form whoever prints it:
# stored as data, like the catalog's step names, not translated.
SUPPLEMENT_REQUESTED = "Yêu cầu bổ sung, hoàn thiện hồ sơ"
SUPPLEMENT_RECEIVED = "Nhận hồ sơ bổ sung"
REFUSED = "Từ chối giải quyết hồ sơ"
WITHDRAWN = "Người nộp rút hồ sơ"
APOLOGISED = "Xin lỗi và hẹn lại ngày trả kết quả"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Chưa nộp")
    PAID = "paid", _("Đã nộp")


class PaymentMethod(models.TextChoices):
    VIETQR = "vietqr", _("Chuyển khoản VietQR")
    COUNTER = "counter", _("Tiền mặt tại Bộ phận Một cửa")


class BankOutcome(models.TextChoices):
    """What became of a credit the bank reported."""

    PAID = "paid", _("Đã ghi nhận thanh toán")
    UNKNOWN_REFERENCE = "unknown_reference", _("Không khớp hồ sơ nào")
    WRONG_AMOUNT = "wrong_amount", _("Sai số tiền")
    ALREADY_PAID = "already_paid", _("Hồ sơ đã được thanh toán trước đó")
    DOSSIER_CLOSED = "dossier_closed", _("Hồ sơ đã kết thúc (rút, dừng hoặc từ chối)")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Hài lòng")
    NEUTRAL = "neutral", _("Bình thường")
    DISSATISFIED = "dissatisfied", _("Không hài lòng")


AUDIT_PAYMENT_CONFIRMED = "dossiers.payment.confirmed"
AUDIT_BANK_NOTIFIED = "dossiers.payment.bank_notified"
AUDIT_CREDIT_SETTLED = "dossiers.payment.credit_settled"
AUDIT_DOSSIER_SUBMITTED = "dossiers.dossier.submitted"
AUDIT_DOSSIER_ACCEPTED = "dossiers.dossier.accepted"
AUDIT_RESULT_ATTACHED = "dossiers.dossier.result_attached"
AUDIT_DOSSIER_RATED = "dossiers.dossier.rated"

# Control-sheet lines of the online path and of payment.
SUBMITTED_ONLINE = "Nộp hồ sơ trực tuyến"
ACCEPTED_ONLINE = "Tiếp nhận hồ sơ trực tuyến"
PAID = "Nộp phí, lệ phí"
