"""Navigation: each app registers the modules it offers and who may use them.

The base layout shows a module only when its ``allowed`` says yes; the pages
behind it check their own policies again.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tinhso.core.registry import Registry


@dataclass(frozen=True)
class Module:
    code: str
    label: str | Promise
    url_name: str
    order: int
    allowed: Callable[[Any], bool]


modules: Registry[Module] = Registry("modules")


def register(module: Module) -> Module:
    return modules.register(module.code, module)


def visible_modules(user: Any) -> list[Module]:
    if not getattr(user, "is_authenticated", False):
        return []
    return sorted((m for m in modules if m.allowed(user)), key=lambda m: m.order)


def register_core_modules() -> None:
    register(
        Module(
            code="home",
            label=_("Trang chủ"),
            url_name="core:home",
            order=0,
            allowed=lambda user: True,
        )
    )
