from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from ninja import Query, Router, Schema
from ninja.pagination import paginate

from tinhso.core import selectors
from tinhso.core.errors import NotFound
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.core.pagination import Paged
from tinhso.core.schemas import OrgUnitOut, OrgUnitResolvedOut

router = Router(tags=["Cây tổ chức"])


class OrgUnitFilter(Schema):
    q: str = ""
    kind: OrgUnitKind | None = None
    parent: int | None = None
    legacy: bool = False


def _require_official(request: HttpRequest) -> None:
    # Officials see the whole tree; public accounts use the public portal.
    if getattr(request.user, "kind", None) != "official":
        raise PermissionDenied


def _get(unit_id: int) -> OrgUnit:
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise NotFound("orgunit_not_found", _("Không tìm thấy đơn vị."))
    return unit


@router.get("", response=list[OrgUnitOut], summary="Danh sách, tìm kiếm đơn vị")
@paginate(Paged)
def list_orgunits(request: HttpRequest, filters: Query[OrgUnitFilter]) -> Any:
    _require_official(request)
    if filters.q.strip():
        units = selectors.search_orgunits(filters.q, include_legacy=filters.legacy)
    else:
        units = selectors.orgunits(include_legacy=filters.legacy)
    if filters.kind:
        units = units.filter(kind=filters.kind)
    if filters.parent is not None:
        units = units.filter(parent_id=filters.parent)
    return units.order_by("path")


@router.get("/{unit_id}", response=OrgUnitOut, summary="Một đơn vị")
def get_orgunit(request: HttpRequest, unit_id: int) -> Any:
    _require_official(request)
    return _get(unit_id)


@router.get(
    "/{unit_id}/subtree", response=list[OrgUnitOut], summary="Cây con của đơn vị"
)
@paginate(Paged)
def get_subtree(request: HttpRequest, unit_id: int) -> Any:
    _require_official(request)
    return selectors.subtree(_get(unit_id)).order_by("path")


@router.get(
    "/{unit_id}/current",
    response=OrgUnitResolvedOut,
    summary="Đơn vị hiện nay tương ứng (với đơn vị cũ trước 01/7/2025)",
)
def resolve_orgunit(request: HttpRequest, unit_id: int) -> Any:
    _require_official(request)
    unit = _get(unit_id)
    return {"unit": unit, "current": selectors.resolve_current(unit)}
