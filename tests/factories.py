"""Objects for tests, made through the real services."""

import itertools
from typing import Any

from tinhso.accounts import services as accounts
from tinhso.accounts.models import Role, User
from tinhso.core import services as core
from tinhso.core.models import OrgUnit, OrgUnitKind

PASSWORD = "Mat-khau-2026"
_seq = itertools.count(1)


def orgunit(
    *,
    kind: str = OrgUnitKind.AGENCY,
    name: str | None = None,
    parent: OrgUnit | None = None,
    code: str | None = None,
) -> OrgUnit:
    n = next(_seq)
    return core.create_orgunit(
        kind=kind,
        code=code or f"T{n:05d}",
        name=name or f"Đơn vị thử {n}",
        parent=parent,
    )


def province(name: str = "Tỉnh Tuyên Quang", code: str = "08") -> OrgUnit:
    return core.create_orgunit(kind=OrgUnitKind.PROVINCE, code=code, name=name)


def official(
    *,
    unit: OrgUnit | None = None,
    role: str | None = None,
    subtree: bool = False,
    username: str | None = None,
    full_name: str = "Nguyễn Văn An",
    **extra: Any,
) -> User:
    user = accounts.create_official(
        username=username or f"canbo{next(_seq)}",
        full_name=full_name,
        password=PASSWORD,
        org_unit=unit,
        **extra,
    )
    if role is not None:
        assert unit is not None
        accounts.assign_role(user, role=role, org_unit=unit, include_subtree=subtree)
    return user


def administrator(unit: OrgUnit, **extra: Any) -> User:
    return official(unit=unit, role=Role.ADMINISTRATOR, subtree=True, **extra)


def citizen(
    identifier: str = "008192004217",
    full_name: str = "Nguyễn Thị Mai Hương",
    phone: str = "0912345678",
    kind: str = "citizen",
) -> User:
    """An active citizen account (or a business, given a tax code and kind)."""
    user = accounts.register_public_account(
        kind=kind,
        identifier=identifier,
        full_name=full_name,
        phone=phone,
        password=PASSWORD,
    )
    accounts.activate_public_account(user)
    return user
