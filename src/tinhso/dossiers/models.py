"""The procedure catalog (procedures, what they need, what they cost, how
they are processed) and the dossiers of it: their papers, their hand-overs,
supplements, payments, notifications and ratings."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.core.models import OrgUnit, StoredFile
from tinhso.dossiers.constants import (
    BankOutcome,
    Channel,
    CopyKind,
    DossierStatus,
    DurationUnit,
    FeeKind,
    PaymentMethod,
    PaymentStatus,
    ProcedureLevel,
    Satisfaction,
    ServiceLevel,
)

# Working hours in a working day: steps planned in hours add up to days so.
HOURS_PER_DAY = 8


def step_days(duration: Decimal, unit: str) -> Decimal:
    """A step's time in working days, whether planned in hours or days."""
    return duration / HOURS_PER_DAY if unit == DurationUnit.HOURS else duration


class ProcedureField(models.Model):
    """A field (lĩnh vực) procedures are grouped by: hộ tịch, đất đai …"""

    code = models.SlugField(_("mã lĩnh vực"), max_length=64, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lĩnh vực")

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """One administrative procedure (thủ tục hành chính) of the catalog."""

    code = models.CharField(_("mã thủ tục"), max_length=40, unique=True)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    field = models.ForeignKey(
        ProcedureField,
        on_delete=models.PROTECT,
        related_name="procedures",
        verbose_name=_("lĩnh vực"),
    )
    level = models.CharField(
        _("cấp thực hiện"), max_length=16, choices=ProcedureLevel.choices
    )
    # The agency that handles a province-level procedure; a commune-level
    # one is handled by every commune, so it names none.
    agency = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cơ quan thực hiện"),
    )
    service_level = models.CharField(
        _("mức độ dịch vụ công trực tuyến"),
        max_length=16,
        choices=ServiceLevel.choices,
    )
    processing_days = models.DecimalField(
        _("thời hạn giải quyết (ngày làm việc)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    result = models.TextField(_("kết quả thực hiện"), blank=True)
    conditions = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"))
    published = models.BooleanField(_("công khai"), default=True)
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("thủ tục hành chính")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RequiredDocument(models.Model):
    """One item of the dossier's composition (thành phần hồ sơ)."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="documents"
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.TextField(_("tên giấy tờ"))
    copy_kind = models.CharField(
        _("hình thức"), max_length=20, choices=CopyKind.choices
    )
    quantity = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    required = models.BooleanField(_("bắt buộc"), default=True)
    # The form to fill in, when the item is one ("Tờ khai … Mẫu TP/HT-…").
    form_name = models.CharField(_("mẫu đơn, tờ khai"), max_length=300, blank=True)
    form_file = models.ForeignKey(
        StoredFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tệp mẫu"),
    )

    class Meta:
        ordering = ["procedure", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "position"], name="procedure_document_position"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Fee(models.Model):
    """A fee or charge (phí, lệ phí) of a procedure, in whole đồng."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="fees"
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    kind = models.CharField(_("loại"), max_length=8, choices=FeeKind.choices)
    description = models.CharField(_("nội dung"), max_length=300)
    amount = models.PositiveBigIntegerField(_("mức thu (đồng)"))

    class Meta:
        ordering = ["procedure", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "position"], name="procedure_fee_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount} đồng"


class Step(models.Model):
    """One step of processing: who does it, in which unit, in how long."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("nội dung công việc"), max_length=300)
    # The unit as the catalog names it for every agency alike ("Bộ phận Một
    # cửa", "Công chức Tư pháp - Hộ tịch"); the org tree holds the real ones.
    unit_label = models.CharField(_("đơn vị, bộ phận thực hiện"), max_length=200)
    role = models.CharField(_("vai trò thực hiện"), max_length=32)
    duration = models.DecimalField(
        _("thời gian"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    duration_unit = models.CharField(
        _("đơn vị thời gian"), max_length=8, choices=DurationUnit.choices
    )
    # Done by another agency (liên thông): the dossier may go outside the
    # receiving unit for this step only.
    inter_agency = models.BooleanField(_("liên thông"), default=False)

    class Meta:
        ordering = ["procedure", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "position"], name="procedure_step_position"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def working_days(self) -> Decimal:
        return step_days(self.duration, self.duration_unit)


class Dossier(models.Model):
    """One dossier (hồ sơ) of a procedure, from receipt to result."""

    code = models.CharField(_("mã hồ sơ"), max_length=64, unique=True)
    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="dossiers"
    )
    # Where it was received: the commune, or the agency (or the province's
    # public administration service centre) for a province-level procedure.
    agency = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("nơi tiếp nhận"),
    )
    channel = models.CharField(_("kênh nộp"), max_length=2, choices=Channel.choices)
    status = models.CharField(
        _("trạng thái"), max_length=2, choices=DossierStatus.choices
    )
    applicant_name = models.CharField(_("người nộp"), max_length=150)
    applicant_id_number = models.CharField(_("số định danh, mã số thuế"), max_length=20)
    applicant_phone = models.CharField(_("số điện thoại"), max_length=15)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("tài khoản người nộp"),
    )
    received_at = models.DateTimeField(_("thời gian tiếp nhận"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người tiếp nhận"),
    )
    # The deadline promised on the receipt (hẹn trả kết quả).
    appointment_at = models.DateTimeField(_("hẹn trả kết quả"))
    note = models.TextField(_("ghi chú"), blank=True)
    # Where processing is: the procedure's step (1 = receipt) and who holds it.
    step = models.PositiveSmallIntegerField(_("bước đang xử lý"), default=1)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người đang xử lý"),
    )
    finished_at = models.DateTimeField(_("xử lý xong lúc"), null=True, blank=True)
    # The later date an apology promises; lateness still counts against
    # ``appointment_at``, the one on the receipt.
    rescheduled_at = models.DateTimeField(_("hẹn lại"), null=True, blank=True)
    # Online only: when the applicant sent it. ``received_at`` is the same
    # until a one-stop officer accepts it, then the time of acceptance,
    # from which the appointment runs.
    submitted_at = models.DateTimeField(_("nộp trực tuyến lúc"), null=True, blank=True)
    result_file = models.ForeignKey(
        StoredFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kết quả điện tử"),
    )
    # The agency seal certificate the electronic result was signed with.
    result_sealed_by = models.CharField(
        _("chứng thư ký kết quả"), max_length=64, blank=True
    )

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            # Lists newest first: walked in this order, a list over many
            # units stops at its page instead of sorting every row it sees.
            # It holds the columns of who sees a dossier, so that the walk
            # of a list's count reads no row.
            models.Index(
                fields=["-received_at", "-id", "agency", "applicant", "handler"],
                name="dossier_newest",
            ),
            models.Index(
                fields=["agency", "-received_at"], name="dossier_agency_received"
            ),
            models.Index(fields=["handler", "appointment_at"], name="dossier_queue"),
            # The few in progress, which the figures count live since time
            # alone makes them overdue. Not a partial index: SQLite cannot
            # use one when the statuses come as query parameters.
            models.Index(fields=["status", "received_at"], name="dossier_status"),
        ]

    def __str__(self) -> str:
        return self.code


class SubmittedDocument(models.Model):
    """A paper of the dossier, as the receipt lists it."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="documents"
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.TextField(_("tên giấy tờ"))
    copy_kind = models.CharField(
        _("hình thức"), max_length=20, choices=CopyKind.choices
    )
    quantity = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    file = models.ForeignKey(
        StoredFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tệp"),
    )

    class Meta:
        ordering = ["dossier", "position"]

    def __str__(self) -> str:
        return self.name


class Handover(models.Model):
    """One line of the control sheet (phiếu kiểm soát quá trình giải quyết):
    who handed the dossier to whom, when, after which step, and whether
    it was still within the appointment."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="handovers"
    )
    step = models.PositiveSmallIntegerField(_("bước đã làm"))
    step_name = models.CharField(_("nội dung công việc"), max_length=300)
    # None: the applicant, handing in what a supplement request asked for.
    giver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bên giao"),
    )
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bên nhận"),
    )
    handed_at = models.DateTimeField(_("thời gian giao, nhận"))
    on_time = models.BooleanField(_("trong hạn"))
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["dossier", "handed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.step}: {self.step_name}"


class Supplement(models.Model):
    """A request to supplement the dossier (yêu cầu bổ sung, hoàn thiện): the
    clock stands still from ``requested_at`` until the papers arrive."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="supplements"
    )
    reason = models.TextField(_("nội dung cần bổ sung"))
    requested_at = models.DateTimeField(_("yêu cầu lúc"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người yêu cầu"),
    )
    received_at = models.DateTimeField(_("nhận bổ sung lúc"), null=True, blank=True)
    paused_halves = models.PositiveIntegerField(
        _("số nửa ngày làm việc tạm dừng"), default=0
    )

    class Meta:
        ordering = ["dossier", "requested_at"]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.reason[:40]}"


class Payment(models.Model):
    """What the applicant owes for the dossier's fees and charges, and how it
    was paid: by VietQR transfer, confirmed by the bank's notification or
    by an officer, or in cash at the counter."""

    dossier = models.OneToOneField(
        Dossier, on_delete=models.CASCADE, related_name="payment"
    )
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    # The transfer message that ties a bank's credit to this dossier.
    reference = models.CharField(_("nội dung chuyển khoản"), max_length=25, unique=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=8,
        choices=PaymentStatus.choices,
        default=PaymentStatus.PENDING,
    )
    method = models.CharField(
        _("hình thức"), max_length=8, choices=PaymentMethod.choices, blank=True
    )
    bank_transaction = models.CharField(
        _("mã giao dịch ngân hàng"), max_length=64, null=True, blank=True, unique=True
    )
    paid_at = models.DateTimeField(_("thời gian nộp"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người xác nhận"),
    )
    # Number of the payment receipt in the receiving agency's yearly register.
    receipt_number = models.PositiveIntegerField(_("số biên nhận"), null=True)

    class Meta:
        verbose_name = _("thanh toán")

    def __str__(self) -> str:
        return f"{self.reference}: {self.amount} đồng"


class BankNotification(models.Model):
    """A credit the bank reported, kept once per bank transaction so that a
    replayed notification finds its first outcome and changes nothing."""

    transaction_id = models.CharField(_("mã giao dịch"), max_length=64, unique=True)
    amount = models.PositiveBigIntegerField(_("số tiền"))
    description = models.CharField(_("nội dung"), max_length=300)
    credited_at = models.DateTimeField(_("thời gian ghi có"))
    received_at = models.DateTimeField(_("nhận báo có lúc"), auto_now_add=True)
    outcome = models.CharField(_("kết quả"), max_length=20, choices=BankOutcome.choices)
    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
    )
    # A credit that paid nothing stays to reconcile until a one-stop
    # officer says what was done (refunded, matched to a dossier …).
    settled_at = models.DateTimeField(_("đối soát lúc"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người đối soát"),
    )
    settled_note = models.TextField(_("cách xử lý"), blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.transaction_id


class Notification(models.Model):
    """A message sent to the applicant about their dossier, by e-mail or SMS."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="notifications"
    )
    channel = models.CharField(_("kênh"), max_length=8)
    recipient = models.CharField(_("người nhận"), max_length=254)
    text = models.TextField(_("nội dung"))
    sent_at = models.DateTimeField(_("gửi lúc"))
    error = models.CharField(_("lỗi"), max_length=300, blank=True)

    class Meta:
        ordering = ["dossier", "sent_at", "pk"]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient}"


class Rating(models.Model):
    """The applicant's rating of how their dossier was served."""

    dossier = models.OneToOneField(
        Dossier, on_delete=models.CASCADE, related_name="rating"
    )
    satisfaction = models.CharField(
        _("mức độ hài lòng"), max_length=16, choices=Satisfaction.choices
    )
    comment = models.TextField(_("ý kiến"), blank=True)
    rated_at = models.DateTimeField(_("đánh giá lúc"))

    class Meta:
        verbose_name = _("đánh giá")

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.satisfaction}"


class MonthlyTally(models.Model):
    """The figures of one procedure's dossiers received at one unit in one
    month, as ``metrics.Tally`` counts them, kept so that statistics read
    a row per month instead of every dossier.

    ``metrics.refresh`` counts a row again from its dossiers whenever one of
    them, its payment or its rating is saved, in the same transaction;
    ``tinhso dossiers tally`` counts them all again. Overdue dossiers are
    not kept: time alone makes them so.
    """

    month = models.DateField(_("tháng"))  # its first day
    agency = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    received = models.PositiveIntegerField(default=0)
    online = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    in_progress = models.PositiveIntegerField(default=0)
    stopped = models.PositiveIntegerField(default=0)
    with_fees = models.PositiveIntegerField(default=0)
    paid_online = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    dissatisfied = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "agency", "procedure"], name="monthly_tally_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.agency_id}/{self.procedure_id}"
