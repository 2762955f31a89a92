from typing import Any

from django.utils.translation import gettext_lazy as _

from tinhso.accounts.models import Role
from tinhso.accounts.policies import holds_role
from tinhso.core.modules import Module, register
from tinhso.pki import policies


def _signs_documents(user: Any) -> bool:
    # Administrators reach their own certificates from the PKI pages.
    return holds_role(user, Role.LEADER) and not policies.can_view_pki(user)


def register_modules() -> None:
    register(
        Module(
            code="pki",
            label=_("Chứng thư số"),
            url_name="pki:index",
            order=920,
            allowed=policies.can_view_pki,
        )
    )
    register(
        Module(
            code="pki_mine",
            label=_("Chứng thư số của tôi"),
            url_name="pki:mine",
            order=930,
            allowed=_signs_documents,
        )
    )
