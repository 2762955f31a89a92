"""What core shares through the data-sharing platform: the org tree."""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from tinhso.core import selectors
from tinhso.core.models import OrgUnitKind
from tinhso.core.sharing import Field, Param, Provider, Rows, register

ORGUNIT_FIELDS = (
    Field("code", "string", _("Mã đơn vị")),
    Field("name", "string", _("Tên đơn vị")),
    Field("kind", "string", _("Loại đơn vị")),
    Field("division_type", "string", _("Loại đơn vị hành chính")),
    Field("parent_code", "string", _("Mã đơn vị cấp trên")),
    Field("depth", "integer", _("Cấp trong cây")),
)


def _orgunits(params: Mapping[str, Any], offset: int, limit: int) -> Rows:
    units = selectors.orgunits()
    if params.get("q"):
        units = selectors.search_orgunits(params["q"])
    if params.get("kind"):
        units = units.filter(kind=params["kind"])
    if params.get("parent_code"):
        units = units.filter(parent__code=params["parent_code"], parent__legacy=False)
    units = units.order_by("path")
    total = units.count()
    rows = units.values_list(
        "code", "name", "kind", "division_type", "parent__code", "depth"
    )[offset : offset + limit]
    names = [f.name for f in ORGUNIT_FIELDS]
    items = [dict(zip(names, row, strict=True)) for row in rows]
    for item in items:
        item["parent_code"] = item["parent_code"] or ""
    return Rows(items, total=total)


def register_providers() -> None:
    register(
        Provider(
            code="orgunits",
            label=_("Cây tổ chức: cơ quan, đơn vị hành chính"),
            description=_(
                "Tỉnh, các cơ quan chuyên môn, xã, phường, đặc khu và thôn, tổ dân phố "
                "đang hoạt động, với mã định danh và đơn vị cấp trên."
            ),
            fields=ORGUNIT_FIELDS,
            fetch=_orgunits,
            params=(
                Param("q", "string", _("Tìm theo tên (có dấu hoặc không dấu)")),
                Param(
                    "kind",
                    "string",
                    _("Loại đơn vị"),
                    choices=tuple(OrgUnitKind.values),
                ),
                Param("parent_code", "string", _("Mã đơn vị cấp trên")),
            ),
            examples={"kind": OrgUnitKind.COMMUNE},
        )
    )
