"""Tables of reporting: the indicator catalog and its targets; the daily
facts per unit that dashboards read (and their monthly roll-up); periodic
report forms, their schedules and rounds, each unit's report with its
versions; alert rules; the operations center's cameras and sensors and the
map's commune shapes."""

from django.conf import settings
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.core.models import OrgUnit
from tinhso.reporting.constants import (
    Comparison,
    DeviceKind,
    Direction,
    Frequency,
    ItemKind,
    OverTime,
    Pillar,
    ReportAct,
    ReportStatus,
    Rollup,
    ShapeSource,
    Source,
)

code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9_.-]*$",
    _("Mã chỉ gồm chữ thường không dấu, chữ số, dấu chấm, gạch nối, gạch dưới."),
)


class Indicator(models.Model):
    """An indicator of the catalog (chỉ tiêu): what it measures, where its
    figures come from, and how they add up over time and up the org tree."""

    code = models.CharField(
        _("mã chỉ tiêu"), max_length=64, unique=True, validators=[code_validator]
    )
    name = models.CharField(_("tên chỉ tiêu"), max_length=300)
    unit_of_measure = models.CharField(_("đơn vị tính"), max_length=32)
    pillar = models.CharField(_("trụ cột"), max_length=16, choices=Pillar.choices)
    group = models.CharField(_("nhóm"), max_length=120, blank=True)
    description = models.TextField(_("mô tả, cách tính"), blank=True)
    source = models.CharField(_("nguồn số liệu"), max_length=16, choices=Source.choices)
    # The code of a core.metrics indicator, for a computed one.
    metric = models.CharField(_("chỉ số của hệ thống"), max_length=64, blank=True)
    rollup = models.CharField(
        _("cách tổng hợp theo đơn vị"), max_length=16, choices=Rollup.choices
    )
    over_time = models.CharField(
        _("cách tổng hợp theo thời gian"),
        max_length=8,
        choices=OverTime.choices,
        default=OverTime.FLOW,
    )
    direction = models.CharField(
        _("chiều đánh giá"),
        max_length=8,
        choices=Direction.choices,
        default=Direction.HIGHER,
    )
    # A ratio is entered as two numbers; these name them on report forms.
    numerator_label = models.CharField(_("tên tử số"), max_length=200, blank=True)
    denominator_label = models.CharField(_("tên mẫu số"), max_length=200, blank=True)
    decimals = models.PositiveSmallIntegerField(_("số chữ số thập phân"), default=0)
    key = models.BooleanField(
        _("chỉ tiêu chính"),
        default=False,
        help_text=_("Hiện thành ô số liệu trên bảng điều hành."),
    )
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pillar", "order", "code"]
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("danh mục chỉ tiêu")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def is_ratio(self) -> bool:
        return self.rollup == Rollup.RATIO


class Target(models.Model):
    """What a unit should reach on an indicator in a year (mục tiêu)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets"
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("đơn vị")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    # In the indicator's displayed unit: 85 for 85%.
    value = models.DecimalField(_("mục tiêu"), max_digits=16, decimal_places=2)
    direction = models.CharField(
        _("chiều đánh giá"), max_length=8, choices=Direction.choices
    )
    note = models.CharField(_("căn cứ"), max_length=300, blank=True)

    class Meta:
        ordering = ["year", "indicator", "unit"]
        verbose_name = _("mục tiêu")
        verbose_name_plural = _("mục tiêu")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "year"], name="target_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}: {self.value}"


class Fact(models.Model):
    """One unit's figure of one indicator on one day: what an app computed
    (refreshed by ``reporting.facts``) or what an approved report said (on
    the last day of its period). ``total`` is a ratio's denominator."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    value = models.FloatField()
    total = models.FloatField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "day", "unit"], name="fact_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}@{self.unit_id} {self.day}: {self.value}"


class MonthlyFact(models.Model):
    """The month of a unit's daily facts, kept beside them so a year on the
    dashboard is twelve rows a unit: a flow's sums, or a stock's last day."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    value = models.FloatField()
    total = models.FloatField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "month", "unit"], name="monthlyfact_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}@{self.unit_id} {self.month}: {self.value}"


class Refresh(models.Model):
    """How far a computed indicator's facts were last refreshed."""

    indicator = models.OneToOneField(
        Indicator, on_delete=models.CASCADE, related_name="refresh"
    )
    through = models.DateField(null=True)
    refreshed_at = models.DateTimeField(null=True)
    rows = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.indicator_id} → {self.through}"


# Periodic reports --------------------------------------------------------------


class ReportForm(models.Model):
    """A report form (biểu mẫu báo cáo) an administrator designs: sections
    of items, and rules its values must keep. Frozen once it has a round, so
    every report of it keeps meaning the same; copy it to change it."""

    code = models.CharField(
        _("mã biểu mẫu"), max_length=64, unique=True, validators=[code_validator]
    )
    name = models.CharField(_("tên báo cáo"), max_length=300)
    description = models.TextField(_("căn cứ, hướng dẫn"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("biểu mẫu báo cáo")
        verbose_name_plural = _("biểu mẫu báo cáo")

    def __str__(self) -> str:
        return self.name


class FormSection(models.Model):
    form = models.ForeignKey(
        ReportForm, on_delete=models.CASCADE, related_name="sections"
    )
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(_("tên phần"), max_length=300)

    class Meta:
        ordering = ["form", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class FormItem(models.Model):
    """One line of a form: an indicator (a ratio takes two numbers), a plain
    number, or free text."""

    section = models.ForeignKey(
        FormSection, on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveIntegerField(default=0)
    # Names the item in imports, exports and rules; unique within the form.
    key = models.CharField(_("mã dòng"), max_length=32, validators=[code_validator])
    kind = models.CharField(_("loại"), max_length=16, choices=ItemKind.choices)
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chỉ tiêu"),
    )
    label = models.CharField(_("nội dung"), max_length=300)
    help = models.CharField(_("hướng dẫn"), max_length=300, blank=True)
    required = models.BooleanField(_("bắt buộc"), default=True)
    min_value = models.DecimalField(
        _("giá trị nhỏ nhất"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("giá trị lớn nhất"), max_digits=16, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["section__order", "section_id", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.key}: {self.label}"

    @property
    def is_ratio(self) -> bool:
        return self.indicator is not None and self.indicator.is_ratio


class SumRule(models.Model):
    """The ``total`` item must equal the sum of the ``parts``."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="rules")
    total = models.ForeignKey(FormItem, on_delete=models.CASCADE, related_name="+")
    parts = models.ManyToManyField(FormItem, related_name="+")

    def __str__(self) -> str:
        return f"{self.total.key} = Σ"


class Schedule(models.Model):
    """Who reports a form, how often and by when: a round opens for each
    period, with a report for each unit."""

    form = models.ForeignKey(
        ReportForm, on_delete=models.PROTECT, related_name="schedules"
    )
    owner = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị nhận báo cáo"),
    )
    frequency = models.CharField(
        _("kỳ báo cáo"), max_length=16, choices=Frequency.choices
    )
    units = models.ManyToManyField(
        OrgUnit, related_name="+", verbose_name=_("đơn vị báo cáo")
    )
    starts = models.DateField(_("từ ngày"))
    # Only a one-off report names its own end; others follow the calendar.
    ends = models.DateField(_("đến ngày"), null=True, blank=True)
    # Decree 09/2019 periods run from the 15th of the month before to the
    # 14th; without it a period is the calendar month, quarter or year.
    cutoff_15th = models.BooleanField(
        _("chốt số liệu theo Nghị định 09/2019 (ngày 15 tháng trước đến ngày 14)"),
        default=True,
    )
    deadline_days = models.PositiveSmallIntegerField(
        _("hạn gửi (số ngày sau ngày chốt số liệu)"), default=5
    )
    remind_days = models.PositiveSmallIntegerField(
        _("nhắc trước hạn (số ngày)"), default=3
    )
    active = models.BooleanField(_("đang áp dụng"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lịch báo cáo")

    def __str__(self) -> str:
        return f"{self.form} ({self.get_frequency_display()})"


class Round(models.Model):
    """One period of a schedule (kỳ báo cáo), with its deadline."""

    schedule = models.ForeignKey(
        Schedule, on_delete=models.PROTECT, related_name="rounds"
    )
    form = models.ForeignKey(
        ReportForm, on_delete=models.PROTECT, related_name="rounds"
    )
    label = models.CharField(_("kỳ"), max_length=64)
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    deadline = models.DateField(_("hạn gửi"))
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_end", "form"]
        verbose_name = _("kỳ báo cáo")
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "period_start"], name="round_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.form} — {self.label}"


class Report(models.Model):
    """One unit's report for one round; its values live in versions."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=ReportStatus.choices,
        default=ReportStatus.PENDING,
    )
    # The version being worked on or last sent, and the one approved.
    current = models.ForeignKey(
        "ReportVersion", on_delete=models.PROTECT, null=True, related_name="+"
    )
    approved = models.ForeignKey(
        "ReportVersion", on_delete=models.PROTECT, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True)
    approved_at = models.DateTimeField(_("duyệt lúc"), null=True)

    class Meta:
        ordering = ["round", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="report_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round} — {self.unit}"


class ReportVersion(models.Model):
    """The values of one version of a report. A draft version changes as the
    officer works; once sent it never changes again: a return or a reopening
    starts the next version."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    # {item key: {"value": "12", "total": "40"} | {"text": "…"}}
    values = models.JSONField(default=dict)
    sealed = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "number"], name="reportversion_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id} v{self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        # A version once sent is the record of what the unit reported.
        if self.pk is not None and (
            ReportVersion.objects.filter(pk=self.pk, sealed=True).exists()
        ):
            raise PermissionError("A sent report version never changes.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ReportEvent(models.Model):
    """What happened to a report, by whom: its history."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    act = models.CharField(max_length=16, choices=ReportAct.choices)
    version = models.ForeignKey(
        ReportVersion, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.act}"


class Reminder(models.Model):
    """A reminder sent about a report: once before the deadline, once after."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="reminders"
    )
    late = models.BooleanField()
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "late"], name="reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {'late' if self.late else 'due'}"


# Operations center ---------------------------------------------------------------


class AlertRule(models.Model):
    """Raise an alert when a unit's figure of the year so far crosses a
    threshold; ``each_below`` applies it to every unit one level down."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="alert_rules"
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("đơn vị")
    )
    each_below = models.BooleanField(
        _("áp dụng cho từng đơn vị cấp dưới"), default=True
    )
    comparison = models.CharField(_("khi"), max_length=8, choices=Comparison.choices)
    threshold = models.DecimalField(_("ngưỡng"), max_digits=16, decimal_places=2)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("ngưỡng cảnh báo")

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.comparison} {self.threshold}"


class Alert(models.Model):
    """A threshold crossed by one unit; cleared when its figure comes back."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="alerts")
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    value = models.FloatField()
    raised_at = models.DateTimeField(auto_now_add=True)
    cleared_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "unit"],
                condition=models.Q(cleared_at__isnull=True),
                name="alert_open_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule} @ {self.unit_id}"


class Device(models.Model):
    """A camera or sensor shown on the operations center's wall. The platform
    keeps its link; the stream itself plays from the device or its server."""

    name = models.CharField(_("tên thiết bị"), max_length=200)
    kind = models.CharField(_("loại"), max_length=8, choices=DeviceKind.choices)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("địa bàn")
    )
    place = models.CharField(_("vị trí"), max_length=300)
    stream_url = models.CharField(
        _("địa chỉ luồng dữ liệu"),
        max_length=500,
        validators=[URLValidator(schemes=["http", "https", "rtsp", "rtsps"])],
        help_text=_("http(s)://… hoặc rtsp://…; nền tảng chỉ lưu và hiện đường dẫn."),
    )
    active = models.BooleanField(_("đang hoạt động"), default=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit__path", "name"]
        verbose_name = _("thiết bị")
        verbose_name_plural = _("camera, cảm biến")

    def __str__(self) -> str:
        return self.name

    @property
    def _path(self) -> str:
        return self.stream_url.split("?", 1)[0].lower()

    @property
    def shows_image(self) -> bool:
        """A snapshot or MJPEG stream over HTTP, which an <img> shows."""
        return self._path.startswith("http") and self._path.endswith(
            (".jpg", ".jpeg", ".png", ".mjpg", ".mjpeg", ".cgi")
        )

    @property
    def shows_video(self) -> bool:
        return self._path.startswith("http") and self._path.endswith((".mp4", ".webm"))


class Shape(models.Model):
    """A commune's outline on the map: a GeoJSON geometry in longitude and
    latitude, imported from the province's boundary file or drawn as a
    labelled schematic when none is loaded."""

    unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="+")
    geometry = models.JSONField()
    source = models.CharField(max_length=16, choices=ShapeSource.choices)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.unit_id} ({self.source})"
