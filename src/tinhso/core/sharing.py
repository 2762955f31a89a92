"""Data that apps offer for sharing, registered by a stable code.

Each app registers its providers from ``ready()`` (the org tree, the
procedure catalog, the one-stop statistics …); the data-sharing platform
publishes them as data services behind its gateway and as live views of
open datasets, and never reads the apps' tables itself. A provider reads
through the app's own selectors and answers plain rows.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tinhso.core.errors import DomainError
from tinhso.core.registry import Registry

# Field and parameter types, as JSON Schema names them.
TYPES = ("string", "integer", "number", "boolean", "date")


class PersonalKind:
    """Kinds of personal data (Decree 13/2023/NĐ-CP) a field may hold."""

    ID_NUMBER = "id_number"
    PHONE = "phone"
    BIRTH_DATE = "birth_date"
    NAME = "name"
    ADDRESS = "address"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    label: str | Promise
    # A PersonalKind when the field holds personal data, else "".
    personal: str = ""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    label: str | Promise
    required: bool = False
    choices: tuple[str, ...] = ()
    personal: str = ""


@dataclass(frozen=True)
class Rows:
    """One page of a provider's answer; ``total`` counts every match when
    the provider knows it cheaply, else None."""

    items: list[dict[str, Any]]
    total: int | None = None


Fetch = Callable[[Mapping[str, Any], int, int], Rows]


@dataclass(frozen=True)
class Provider:
    """Shareable data: ``fetch(params, offset, limit)`` answers rows whose
    keys are ``fields``' names. ``external`` marks a system outside the
    platform (reached over the network, so slower and fallible)."""

    code: str
    label: str | Promise
    description: str | Promise
    fields: tuple[Field, ...]
    fetch: Fetch
    params: tuple[Param, ...] = ()
    external: bool = False
    max_limit: int = 200
    examples: dict[str, str] = field(default_factory=dict)

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def personal_fields(self) -> dict[str, str]:
        return {f.name: f.personal for f in self.fields if f.personal}


providers: Registry[Provider] = Registry("providers")


def register(provider: Provider) -> Provider:
    for f in provider.fields:
        if f.type not in TYPES:
            raise ValueError(f"{provider.code}.{f.name}: unknown type {f.type!r}")
    return providers.register(provider.code, provider)


def get(code: str) -> Provider:
    if code not in providers:
        raise DomainError(
            "unknown_provider",
            _("Không có nguồn dữ liệu mã “%(code)s”.") % {"code": code},
            status=404,
        )
    return providers.get(code)


def clean_params(provider: Provider, given: Mapping[str, Any]) -> dict[str, Any]:
    """``given`` checked against ``provider.params``: required ones present,
    unknown ones refused, values of the declared type (query strings arrive
    as text)."""
    known = {p.name: p for p in provider.params}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise DomainError(
            "unknown_parameter",
            _("Dịch vụ không có tham số: %(names)s.") % {"names": ", ".join(unknown)},
            extra={"parameters": unknown},
        )
    clean: dict[str, Any] = {}
    for name, param in known.items():
        value = given.get(name)
        if value is None or value == "":
            if param.required:
                raise DomainError(
                    "missing_parameter",
                    _("Thiếu tham số bắt buộc “%(name)s” (%(label)s).")
                    % {"name": name, "label": param.label},
                    extra={"parameter": name},
                )
            continue
        clean[name] = _typed(param, value)
    return clean


def _typed(param: Param, value: Any) -> Any:
    def wrong() -> DomainError:
        return DomainError(
            "invalid_parameter",
            _("Tham số “%(name)s” không hợp lệ: “%(value)s”.")
            % {"name": param.name, "value": str(value)[:100]},
            extra={"parameter": param.name},
        )

    if param.type == "integer":
        try:
            number = int(str(value).strip())
        except ValueError:
            raise wrong() from None
        return number
    if param.type == "date":
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise wrong() from None
    if param.type == "boolean":
        text = str(value).strip().lower()
        if text not in {"true", "false", "1", "0"}:
            raise wrong()
        return text in {"true", "1"}
    text = str(value).strip()
    if len(text) > 200:
        raise wrong()
    if param.choices and text not in param.choices:
        raise wrong()
    return text
