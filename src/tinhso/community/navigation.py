"""Menu entry of the community digital technology teams."""

from django.utils.translation import gettext_lazy as _

from tinhso.community.policies import can_use
from tinhso.core.modules import Module, register


def register_modules() -> None:
    register(
        Module(
            code="community",
            label=_("Tổ công nghệ số"),
            url_name="community:home",
            order=250,
            allowed=can_use,
        )
    )
