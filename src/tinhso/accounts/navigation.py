from django.utils.translation import gettext_lazy as _

from tinhso.accounts import policies
from tinhso.core.modules import Module, register


def register_modules() -> None:
    register(
        Module(
            code="orgtree",
            label=_("Cây tổ chức"),
            url_name="accounts:orgtree",
            order=900,
            allowed=policies.can_view_orgtree,
        )
    )
    register(
        Module(
            code="users",
            label=_("Người dùng"),
            url_name="accounts:users",
            order=910,
            allowed=policies.can_administer_users,
        )
    )
