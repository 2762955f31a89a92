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
KEY_PREFIX = "tsk_"  # an API key (the OAuth2 client secret)
TOKEN_PREFIX = "tsa_"  # noqa: S105 - an OAuth2 access token's visible prefix
