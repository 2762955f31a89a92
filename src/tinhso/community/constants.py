"""Choices of the community digital technology teams and of training."""

from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 2000
# How far back a member may date help given: reporting refreshes the last
# days again, and a figure belongs to the day it was logged.
MAX_DAYS_BACK = 30
# A team counts as active when it logged help within this many days.
ACTIVE_DAYS = 30

AUDIT_TEAM = "community.team"
AUDIT_MEMBER = "community.member"
AUDIT_IMPORT = "community.import"
AUDIT_HELP = "community.help"
AUDIT_TRAINING = "community.training"


class TeamRole(models.TextChoices):
    LEADER = "leader", _("Tổ trưởng")
    DEPUTY = "deputy", _("Tổ phó")
    MEMBER = "member", _("Thành viên")


class Gender(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class HelpKind(models.TextChoices):
    """What a team member helped a resident with."""

    EID_LEVEL_1 = "eid_1", _("Kích hoạt định danh điện tử mức 1")
    EID_LEVEL_2 = "eid_2", _("Kích hoạt định danh điện tử mức 2")
    DVC_ACCOUNT = "dvc_account", _("Tạo tài khoản dịch vụ công")
    ONLINE_SUBMISSION = "online_submission", _("Nộp hồ sơ trực tuyến")
    CASHLESS = "cashless", _("Thanh toán không dùng tiền mặt")
    ECOMMERCE = "ecommerce", _("Đưa sản phẩm lên sàn thương mại điện tử")
    SKILLS = "skills", _("Hướng dẫn kỹ năng số")


class TrainingGroup(models.TextChoices):
    OFFICIALS = "officials", _("Cán bộ, công chức")
    RESIDENTS = "residents", _("Người dân")
    BUSINESSES = "businesses", _("Doanh nghiệp, hộ kinh doanh")


# The member list's columns, as communes keep it (Decision 1907/QĐ-BTTTT's
# model of a team): header → field.
MEMBER_COLUMNS: list[tuple[str, str]] = [
    ("STT", "row"),
    ("Họ và tên", "full_name"),
    ("Năm sinh", "birth_year"),
    ("Giới tính", "gender"),
    ("Số CCCD", "personal_id"),
    ("Số điện thoại", "phone"),
    ("Thư điện tử", "email"),
    ("Đơn vị, tổ chức", "organisation"),
    ("Vai trò trong tổ", "team_role"),
    ("Thôn, tổ dân phố", "village"),
]
