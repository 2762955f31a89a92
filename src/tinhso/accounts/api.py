from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from ninja import Router, Status
from ninja.pagination import paginate

from tinhso.accounts import policies, selectors, services
from tinhso.accounts.auth import BearerToken, current_user
from tinhso.accounts.models import RoleAssignment
from tinhso.accounts.schemas import (
    MeOut,
    RoleIn,
    RoleOut,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
    UserPatch,
)
from tinhso.core.errors import NotFound
from tinhso.core.models import OrgUnit
from tinhso.core.modules import visible_modules
from tinhso.core.pagination import Paged

router = Router(tags=["Tài khoản"])


def _unit(unit_id: int | None) -> OrgUnit | None:
    if unit_id is None:
        return None
    unit = OrgUnit.objects.filter(pk=unit_id, legacy=False).first()
    if unit is None:
        raise NotFound("orgunit_not_found", _("Không tìm thấy đơn vị."))
    return unit


@router.get("/me", response=MeOut, summary="Tài khoản đang dùng")
def me(request: HttpRequest) -> Any:
    user = current_user(request)
    user.roles_list = list(selectors.roles_of(user))  # type: ignore[attr-defined]
    user.modules = [m.code for m in visible_modules(user)]  # type: ignore[attr-defined]
    return user


@router.get("/me/tokens", response=list[TokenOut], summary="Mã truy cập của tôi")
def my_tokens(request: HttpRequest) -> Any:
    return list(selectors.tokens_of(current_user(request)))


@router.post("/me/tokens", response={201: TokenCreatedOut}, summary="Tạo mã truy cập")
def create_token(request: HttpRequest, payload: TokenIn) -> Any:
    if not policies.can_issue_token(
        current_user(request), via_token=BearerToken.used(request)
    ):
        raise PermissionDenied
    token, secret = services.issue_token(
        current_user(request), payload.name, days=payload.days
    )
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": secret})


@router.delete(
    "/me/tokens/{token_id}", response={204: None}, summary="Thu hồi mã truy cập"
)
def revoke_token(request: HttpRequest, token_id: int) -> Any:
    token = selectors.get_token_for(current_user(request), token_id)
    if token is None:
        raise NotFound("token_not_found", _("Không tìm thấy mã truy cập."))
    services.revoke_token(token)
    return Status(204, None)


def _require_admin(request: HttpRequest) -> None:
    if not policies.can_administer_users(request.user):
        raise PermissionDenied


@router.get("/users", response=list[UserOut], summary="Người dùng (quản trị)")
@paginate(Paged)
def list_users(request: HttpRequest, q: str = "") -> Any:
    _require_admin(request)
    return selectors.visible_users(request.user, q)


@router.post("/users", response={201: UserOut}, summary="Tạo tài khoản cán bộ")
def create_user(request: HttpRequest, payload: UserIn) -> Any:
    _require_admin(request)
    unit = _unit(payload.org_unit_id)
    if not policies.can_manage_orgunit(request.user, unit):
        raise PermissionDenied
    user = services.create_official(
        username=payload.username,
        full_name=payload.full_name,
        password=payload.password,
        org_unit=unit,
        email=payload.email,
        phone=payload.phone,
        title=payload.title,
    )
    return Status(201, user)


@router.get("/users/{user_id}", response=UserOut, summary="Một người dùng")
def get_user(request: HttpRequest, user_id: int) -> Any:
    _require_admin(request)
    return selectors.get_user_for(request.user, user_id)


@router.patch("/users/{user_id}", response=UserOut, summary="Sửa thông tin người dùng")
def update_user(request: HttpRequest, user_id: int, payload: UserPatch) -> Any:
    _require_admin(request)
    user = selectors.get_user_for(request.user, user_id)
    # null means "leave as is", except for the unit, where it means "none".
    fields = {
        name: value
        for name, value in payload.dict(exclude_unset=True).items()
        if value is not None or name == "org_unit_id"
    }
    if "org_unit_id" in fields:
        unit = _unit(fields.pop("org_unit_id"))
        if not policies.can_manage_orgunit(request.user, unit):
            raise PermissionDenied
        fields["org_unit"] = unit
    if not policies.can_manage_user(request.user, user):
        raise PermissionDenied
    if "is_active" in fields and not policies.can_set_active(request.user, user):
        raise PermissionDenied
    return services.update_official(user, **fields)


@router.get(
    "/users/{user_id}/roles", response=list[RoleOut], summary="Vai trò của người dùng"
)
def user_roles(request: HttpRequest, user_id: int) -> Any:
    _require_admin(request)
    return list(selectors.roles_of(selectors.get_user_for(request.user, user_id)))


@router.post("/users/{user_id}/roles", response={201: RoleOut}, summary="Phân vai trò")
def grant_role(request: HttpRequest, user_id: int, payload: RoleIn) -> Any:
    _require_admin(request)
    user = selectors.get_user_for(request.user, user_id)
    unit = _unit(payload.org_unit_id)
    assert unit is not None
    if not policies.can_grant_role(
        request.user, unit, include_subtree=payload.include_subtree
    ):
        raise PermissionDenied
    assignment = services.assign_role(
        user,
        role=payload.role,
        org_unit=unit,
        include_subtree=payload.include_subtree,
        granted_by=current_user(request),
    )
    return Status(201, assignment)


@router.delete(
    "/users/{user_id}/roles/{role_id}", response={204: None}, summary="Thu hồi vai trò"
)
def revoke_role(request: HttpRequest, user_id: int, role_id: int) -> Any:
    _require_admin(request)
    user = selectors.get_user_for(request.user, user_id)
    assignment = RoleAssignment.objects.filter(pk=role_id, user=user).first()
    if assignment is None:
        raise NotFound("role_not_found", _("Không tìm thấy vai trò."))
    if not policies.can_revoke_role(request.user, assignment):
        raise PermissionDenied
    services.revoke_role(assignment)
    return Status(204, None)
