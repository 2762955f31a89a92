"""Menu entries of the data-sharing platform; each page checks its policy again."""

from django.utils.translation import gettext_lazy as _

from tinhso.core.modules import Module, register
from tinhso.datahub.policies import can_use_datahub


def register_modules() -> None:
    register(
        Module(
            code="datahub",
            label=_("Chia sẻ dữ liệu"),
            url_name="datahub:services",
            order=210,
            allowed=can_use_datahub,
        )
    )
