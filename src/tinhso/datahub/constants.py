from django.db import models
from django.utils.translation import gettext_lazy as _


class Classification(models.TextChoices):
    PUBLIC = "public", _("Công khai")
    SHARED = "shared", _("Chia sẻ trong cơ quan nhà nước")
    RESTRICTED = "restricted", _("Hạn chế")


class ServiceStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đang cung cấp")
    RETIRED = "retired", _("Ngừng cung cấp")


# How long an OAuth2 access token lives, in seconds.
TOKEN_LIFETIME = 3600
# Hours an old key keeps working after a rotation, unless said otherwise.
ROTATION_OVERLAP_HOURS = 24
# The search index scope of open datasets.
DATASET_SCOPE = "datahub.dataset"
KEY_PREFIX = "tsk_"  # an API key (the OAuth2 client secret)
TOKEN_PREFIX = "tsa_"  # noqa: S105 - an OAuth2 access token's visible prefix


class Theme(models.TextChoices):
    """Themes of open datasets, as the EU's data-theme vocabulary that DCAT-AP
    uses names them (their codes are the vocabulary's)."""

    AGRI = "AGRI", _("Nông nghiệp, thủy sản, lâm nghiệp và thực phẩm")
    ECON = "ECON", _("Kinh tế và tài chính")
    EDUC = "EDUC", _("Giáo dục, văn hóa và thể thao")
    ENER = "ENER", _("Năng lượng")
    ENVI = "ENVI", _("Môi trường")
    GOVE = "GOVE", _("Chính phủ và khu vực công")
    HEAL = "HEAL", _("Y tế")
    INTR = "INTR", _("Quốc tế")
    JUST = "JUST", _("Tư pháp, pháp luật và an toàn công cộng")
    REGI = "REGI", _("Vùng và đô thị")
    SOCI = "SOCI", _("Dân cư và xã hội")
    TECH = "TECH", _("Khoa học và công nghệ")
    TRAN = "TRAN", _("Giao thông vận tải")


class Frequency(models.TextChoices):
    """Update frequencies, as the EU's frequency vocabulary names them."""

    DAILY = "DAILY", _("Hằng ngày")
    WEEKLY = "WEEKLY", _("Hằng tuần")
    MONTHLY = "MONTHLY", _("Hằng tháng")
    QUARTERLY = "QUARTERLY", _("Hằng quý")
    ANNUAL = "ANNUAL", _("Hằng năm")
    IRREG = "IRREG", _("Không định kỳ")
    NEVER = "NEVER", _("Không cập nhật")


class Licence(models.TextChoices):
    CC_BY_4 = "cc-by-4.0", _("Creative Commons Ghi công 4.0 (CC BY 4.0)")
    CC0 = "cc-zero", _("Creative Commons CC0 (không giữ bản quyền)")
    ODC_BY = "odc-by", _("Open Data Commons Ghi công (ODC-By)")
    ODBL = "odc-odbl", _("Open Data Commons Open Database License (ODbL)")


LICENCE_URLS = {
    Licence.CC_BY_4: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
    Licence.ODC_BY: "https://opendatacommons.org/licenses/by/1-0/",
    Licence.ODBL: "https://opendatacommons.org/licenses/odbl/1-0/",
}


class DatasetStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đã công bố")
    WITHDRAWN = "withdrawn", _("Đã thu hồi")


class ResourceFormat(models.TextChoices):
    CSV = "CSV", "CSV"
    XLSX = "XLSX", "XLSX"
    JSON = "JSON", "JSON"
    LIVE = "API", _("Dữ liệu trực tuyến từ nền tảng")
