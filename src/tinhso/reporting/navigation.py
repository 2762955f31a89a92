"""Menu entries of reporting and the operations center."""

from django.utils.translation import gettext_lazy as _

from tinhso.core.modules import Module, register
from tinhso.reporting.policies import can_use_reporting, can_view_center


def register_modules() -> None:
    register(
        Module(
            code="center",
            label=_("Điều hành"),
            url_name="reporting:dashboard",
            order=50,
            allowed=can_view_center,
        )
    )
    register(
        Module(
            code="reporting",
            label=_("Báo cáo"),
            url_name="reporting:reports",
            order=220,
            allowed=can_use_reporting,
        )
    )
