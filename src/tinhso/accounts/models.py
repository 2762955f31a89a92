from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.core.models import OrgUnit


class AccountKind(models.TextChoices):
    OFFICIAL = "official", _("Cán bộ, công chức")
    CITIZEN = "citizen", _("Công dân")
    BUSINESS = "business", _("Doanh nghiệp, tổ chức")


class Role(models.TextChoices):
    CLERK = "clerk", _("Văn thư")
    SPECIALIST = "specialist", _("Chuyên viên")
    LEADER = "leader", _("Lãnh đạo")
    ONE_STOP_OFFICER = "one_stop_officer", _("Cán bộ một cửa")
    DATA_OFFICER = "data_officer", _("Cán bộ quản trị dữ liệu")
    REPORTING_OFFICER = "reporting_officer", _("Cán bộ báo cáo")
    MARKET_OFFICER = "market_officer", _("Cán bộ quản lý sàn OCOP")
    COMMUNITY_OFFICER = "community_officer", _("Cán bộ phụ trách tổ công nghệ số")
    ADMINISTRATOR = "administrator", _("Quản trị hệ thống")


class AccountManager(UserManager["User"]):
    use_in_migrations = True


class User(AbstractBaseUser, PermissionsMixin):
    """An account: an official, a citizen or a business.

    Officials sign in with a user name; citizens with their 12-digit personal
    ID number and businesses with their tax code, both kept in ``username``.
    """

    username = models.CharField(_("tên đăng nhập"), max_length=150, unique=True)
    kind = models.CharField(
        _("loại tài khoản"),
        max_length=16,
        choices=AccountKind.choices,
        default=AccountKind.OFFICIAL,
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    email = models.EmailField(_("thư điện tử"), blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    phone_verified_at = models.DateTimeField(null=True, blank=True)
    title = models.CharField(_("chức vụ"), max_length=150, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("đơn vị công tác"),
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    objects = AccountManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_official(self) -> bool:
        return self.kind == AccountKind.OFFICIAL

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.rsplit(" ", 1)[-1] if self.full_name else self.username


class RoleAssignment(models.Model):
    """A role held in one org unit, optionally over its whole subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="role_assignments",
        verbose_name=_("đơn vị"),
    )
    include_subtree = models.BooleanField(_("cả các đơn vị cấp dưới"), default=False)
    granted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "org_unit"], name="role_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.org_unit}"


class TOTPDevice(models.Model):
    """The authenticator app an official confirmed for two-factor login."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last accepted time step; a code is never accepted twice.
    last_step = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"TOTP {self.user}"


class APIToken(models.Model):
    """A personal token for programs. Only its SHA-256 is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("tên"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class PhoneVerification(models.Model):
    """A one-time code sent to a citizen's or business's phone."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(max_length=15)
    code_hash = models.CharField(max_length=64)
    sent_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.phone} @ {self.sent_at:%Y-%m-%d %H:%M}"
