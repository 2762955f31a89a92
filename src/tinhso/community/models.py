"""Tables of the community digital technology teams: teams in villages,
their members, the help they log, and digital-skills training with its
sessions and attendance lists."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tinhso.community.constants import Gender, HelpKind, TeamRole, TrainingGroup
from tinhso.core.models import OrgUnit

personal_id_validator = RegexValidator(
    r"^\d{12}$", _("Số định danh cá nhân (CCCD) gồm đúng 12 chữ số.")
)
phone_validator = RegexValidator(
    r"^0\d{9}$", _("Số điện thoại gồm 10 chữ số, bắt đầu bằng 0.")
)


class Team(models.Model):
    """A community digital technology team (tổ công nghệ số cộng đồng) of a
    village, or of a commune where it serves the whole commune."""

    name = models.CharField(_("tên tổ"), max_length=200)
    commune = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("xã, phường"),
    )
    village = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("thôn, tổ dân phố"),
    )
    established_on = models.DateField(_("ngày thành lập"))
    dissolved_on = models.DateField(_("ngày giải thể"), null=True, blank=True)
    decision = models.CharField(_("quyết định thành lập"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("tổ công nghệ số cộng đồng")
        verbose_name_plural = _("tổ công nghệ số cộng đồng")
        ordering = ["commune__name", "name"]
        constraints = [
            # One working team per village.
            models.UniqueConstraint(
                fields=["village"],
                condition=Q(dissolved_on__isnull=True, village__isnull=False),
                name="team_one_per_village",
                violation_error_message=_(
                    "Thôn, tổ dân phố này đã có tổ công nghệ số cộng đồng đang hoạt động."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    full_name = models.CharField(_("họ và tên"), max_length=150)
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"), null=True, blank=True)
    gender = models.CharField(
        _("giới tính"), max_length=8, choices=Gender.choices, blank=True
    )
    personal_id = models.CharField(
        _("số CCCD"), max_length=12, blank=True, validators=[personal_id_validator]
    )
    phone = models.CharField(
        _("số điện thoại"), max_length=10, validators=[phone_validator]
    )
    email = models.EmailField(_("thư điện tử"), blank=True)
    organisation = models.CharField(_("đơn vị, tổ chức"), max_length=150)
    team_role = models.CharField(
        _("vai trò trong tổ"),
        max_length=8,
        choices=TeamRole.choices,
        default=TeamRole.MEMBER,
    )
    # The account the member signs in with to log help, when it has one.
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="team_memberships",
        verbose_name=_("tài khoản"),
    )
    joined_on = models.DateField(_("ngày tham gia"))
    left_on = models.DateField(_("ngày thôi tham gia"), null=True, blank=True)

    class Meta:
        verbose_name = _("thành viên tổ")
        verbose_name_plural = _("thành viên tổ")
        ordering = ["team", "team_role", "full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "phone"],
                condition=Q(left_on__isnull=True),
                name="member_one_phone_per_team",
                violation_error_message=_(
                    "Tổ đã có thành viên dùng số điện thoại này."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.full_name


class Help(models.Model):
    """Help a member gave residents: one visit, one kind of help."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="helps")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="helps")
    kind = models.CharField(
        _("nội dung hỗ trợ"), max_length=20, choices=HelpKind.choices
    )
    household = models.CharField(_("hộ, người được hỗ trợ"), max_length=150)
    personal_id = models.CharField(
        _("số CCCD người được hỗ trợ"),
        max_length=12,
        blank=True,
        validators=[personal_id_validator],
    )
    people = models.PositiveSmallIntegerField(_("số người được hỗ trợ"), default=1)
    village = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("nơi hỗ trợ"),
    )
    commune = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    helped_on = models.DateField(_("ngày hỗ trợ"))
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    logged_at = models.DateTimeField(auto_now_add=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("hoạt động hỗ trợ")
        verbose_name_plural = _("hoạt động hỗ trợ")
        ordering = ["-logged_at"]
        indexes = [
            models.Index(fields=["commune", "logged_at"]),
            models.Index(fields=["team", "-logged_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.household}"


class Course(models.Model):
    """A digital-skills course, taught in sessions across communes."""

    name = models.CharField(_("tên khóa"), max_length=200)
    audience = models.CharField(
        _("đối tượng"), max_length=16, choices=TrainingGroup.choices
    )
    organiser = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị tổ chức"),
    )
    description = models.TextField(_("nội dung"), blank=True)
    hours = models.PositiveSmallIntegerField(_("số giờ"), default=4)

    class Meta:
        verbose_name = _("khóa tập huấn kỹ năng số")
        verbose_name_plural = _("khóa tập huấn kỹ năng số")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="sessions"
    )
    commune = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("xã, phường"),
    )
    held_on = models.DateField(_("ngày học"))
    place = models.CharField(_("địa điểm"), max_length=200)
    trainer = models.CharField(_("người hướng dẫn"), max_length=150)

    class Meta:
        verbose_name = _("buổi tập huấn")
        verbose_name_plural = _("buổi tập huấn")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.course} — {self.held_on:%d/%m/%Y}"


class Attendance(models.Model):
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendees"
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    group = models.CharField(_("nhóm"), max_length=16, choices=TrainingGroup.choices)
    personal_id = models.CharField(
        _("số CCCD"), max_length=12, blank=True, validators=[personal_id_validator]
    )
    phone = models.CharField(_("số điện thoại"), max_length=10, blank=True)
    logged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("người tham dự")
        verbose_name_plural = _("người tham dự")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.full_name
