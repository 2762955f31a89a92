"""Choices of the reporting app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Pillar(models.TextChoices):
    FOUNDATION = "foundation", _("Nền tảng chuyển đổi số")
    GOVERNMENT = "government", _("Chính quyền số")
    ECONOMY = "economy", _("Kinh tế số")
    SOCIETY = "society", _("Xã hội số")


class Source(models.TextChoices):
    COMPUTED = "computed", _("Tính tự động từ hệ thống")
    REPORTED = "reported", _("Đơn vị báo cáo")


class Rollup(models.TextChoices):
    """How the figures of several units make the figure of their parent."""

    SUM = "sum", _("Cộng")
    AVERAGE = "average", _("Trung bình các đơn vị")
    RATIO = "ratio", _("Tỷ lệ có trọng số (tổng tử số / tổng mẫu số)")


class OverTime(models.TextChoices):
    """How one unit's figures over a period make the period's figure."""

    FLOW = "flow", _("Cộng dồn trong kỳ")
    STOCK = "stock", _("Số liệu cuối kỳ")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Càng cao càng tốt")
    LOWER = "lower", _("Càng thấp càng tốt")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Hằng tháng")
    QUARTERLY = "quarterly", _("Hằng quý")
    HALF_YEARLY = "half_yearly", _("6 tháng")
    YEARLY = "yearly", _("Hằng năm")
    ONCE = "once", _("Một lần")


class ItemKind(models.TextChoices):
    INDICATOR = "indicator", _("Chỉ tiêu")
    NUMBER = "number", _("Số liệu")
    TEXT = "text", _("Nội dung")


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("Chưa báo cáo")
    DRAFT = "draft", _("Đang soạn")
    SUBMITTED = "submitted", _("Chờ duyệt")
    RETURNED = "returned", _("Bị trả lại")
    APPROVED = "approved", _("Đã duyệt")


class ReportAct(models.TextChoices):
    SAVED = "saved", _("Lưu nháp")
    IMPORTED = "imported", _("Nhập từ tệp Excel")
    SUBMITTED = "submitted", _("Gửi báo cáo")
    APPROVED = "approved", _("Duyệt")
    RETURNED = "returned", _("Trả lại")
    REOPENED = "reopened", _("Mở lại để sửa")


class Comparison(models.TextChoices):
    BELOW = "below", _("thấp hơn")
    ABOVE = "above", _("cao hơn")


class DeviceKind(models.TextChoices):
    CAMERA = "camera", _("Camera")
    SENSOR = "sensor", _("Cảm biến")


class ShapeSource(models.TextChoices):
    IMPORTED = "imported", _("Ranh giới nhập từ tệp GeoJSON")
    SCHEMATIC = "schematic", _("Sơ đồ minh họa (không phải ranh giới thật)")
