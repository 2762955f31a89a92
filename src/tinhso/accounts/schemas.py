from datetime import datetime
from typing import Any

from ninja import Field, Schema

from tinhso.accounts.models import Role
from tinhso.core.schemas import OrgUnitOut


class RoleOut(Schema):
    id: int
    role: str
    role_label: str = Field(alias="get_role_display")
    org_unit: OrgUnitOut
    include_subtree: bool
    granted_at: datetime


class UserOut(Schema):
    id: int
    username: str
    kind: str
    full_name: str
    email: str
    phone: str
    title: str
    org_unit: OrgUnitOut | None
    is_active: bool
    two_factor: bool

    @staticmethod
    def resolve_two_factor(obj: Any) -> bool:
        device = getattr(obj, "totp", None) if hasattr(obj, "totp") else None
        return device is not None and device.confirmed_at is not None


class MeOut(UserOut):
    roles: list[RoleOut] = Field(alias="roles_list")
    modules: list[str]


class UserIn(Schema):
    username: str
    full_name: str
    password: str
    org_unit_id: int | None = None
    email: str = ""
    phone: str = ""
    title: str = ""


class UserPatch(Schema):
    full_name: str | None = None
    email: str | None = None
    phone: str | None = None
    title: str | None = None
    org_unit_id: int | None = None
    is_active: bool | None = None


class RoleIn(Schema):
    role: Role
    org_unit_id: int
    include_subtree: bool = False


class TokenIn(Schema):
    name: str
    days: int | None = Field(None, ge=1, le=3650)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="Chỉ hiện một lần; hãy lưu lại ngay.")
