"""Menu entries of the dossiers app; each page checks its policy again."""

from django.utils.translation import gettext_lazy as _

from tinhso.accounts.policies import is_official
from tinhso.core.modules import Module, register
from tinhso.dossiers.policies import can_manage_catalog


def register_modules() -> None:
    register(
        Module(
            code="dossiers",
            label=_("Hồ sơ một cửa"),
            url_name="dossiers:dossier_list",
            order=190,
            allowed=is_official,
        )
    )
    register(
        Module(
            code="catalog_admin",
            label=_("Danh mục thủ tục"),
            url_name="dossiers:catalog_admin",
            order=200,
            allowed=can_manage_catalog,
        )
    )
