"""What the one-stop app shares through the data-sharing platform: the
published procedure catalog and the one-stop figures by unit."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tinhso.core.errors import DomainError
from tinhso.core.models import OrgUnit
from tinhso.core.sharing import Field, Param, Provider, Rows, register
from tinhso.dossiers import metrics
from tinhso.dossiers.constants import ProcedureLevel, ServiceLevel
from tinhso.dossiers.selectors import catalog

PROCEDURE_FIELDS = (
    Field("code", "string", _("Mã thủ tục")),
    Field("name", "string", _("Tên thủ tục")),
    Field("field", "string", _("Lĩnh vực")),
    Field("level", "string", _("Cấp thực hiện")),
    Field("service_level", "string", _("Mức độ dịch vụ công trực tuyến")),
    Field("agency_code", "string", _("Mã cơ quan giải quyết")),
    Field("agency", "string", _("Cơ quan giải quyết")),
    Field("processing_days", "number", _("Thời hạn giải quyết (ngày làm việc)")),
)


def _procedures(params: Mapping[str, Any], offset: int, limit: int) -> Rows:
    found = catalog.search_procedures(
        params.get("q", ""),
        level=params.get("level", ""),
        field=params.get("field", ""),
        service_level=params.get("service_level", ""),
    )
    total = found.count()
    rows = found.values_list(
        "code",
        "name",
        "field__name",
        "level",
        "service_level",
        "agency__code",
        "agency__name",
        "processing_days",
    )[offset : offset + limit]
    names = [f.name for f in PROCEDURE_FIELDS]
    items = [dict(zip(names, row, strict=True)) for row in rows]
    for item in items:
        days = item["processing_days"]
        item["processing_days"] = _number(days)
    return Rows(items, total)


STATISTICS_FIELDS = (
    Field("unit_code", "string", _("Mã đơn vị")),
    Field("unit", "string", _("Đơn vị")),
    Field("received", "integer", _("Hồ sơ tiếp nhận")),
    Field("online", "integer", _("Tiếp nhận trực tuyến")),
    Field("resolved", "integer", _("Đã giải quyết")),
    Field("on_time", "integer", _("Giải quyết đúng hạn")),
    Field("late", "integer", _("Giải quyết trễ hạn")),
    Field("in_progress", "integer", _("Đang giải quyết")),
    Field("overdue", "integer", _("Đang quá hạn")),
    Field("online_rate", "number", _("Tỷ lệ tiếp nhận trực tuyến (%)")),
    Field("on_time_rate", "number", _("Tỷ lệ giải quyết đúng hạn (%)")),
)


def _period(params: Mapping[str, Any]) -> tuple[dt.date, dt.date]:
    year = params["year"]
    month = params.get("month")
    if not 2000 <= year <= timezone.localdate().year:
        raise DomainError(
            "invalid_parameter",
            gettext("Năm phải từ 2000 đến năm nay."),
            extra={"parameter": "year"},
        )
    if month is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if not 1 <= month <= 12:
        raise DomainError(
            "invalid_parameter",
            gettext("Tháng phải từ 1 đến 12."),
            extra={"parameter": "month"},
        )
    after = dt.date(year + month // 12, month % 12 + 1, 1)
    return dt.date(year, month, 1), after - dt.timedelta(days=1)


def _statistics(params: Mapping[str, Any], offset: int, limit: int) -> Rows:
    first, last = _period(params)
    unit = None
    if params.get("unit_code"):
        unit = OrgUnit.objects.filter(code=params["unit_code"], legacy=False).first()
        if unit is None:
            raise DomainError(
                "invalid_parameter",
                gettext("Không có đơn vị mã “%(code)s”.")
                % {"code": params["unit_code"]},
                extra={"parameter": "unit_code"},
            )
    grouped = metrics.figures(unit, first, last, "unit")
    units = dict(
        (pk, (code, name))
        for pk, code, name in OrgUnit.objects.filter(pk__in=list(grouped)).values_list(
            "pk", "code", "name"
        )
    )
    ordered = sorted(grouped.items(), key=lambda item: units.get(item[0], ("", ""))[0])
    items = []
    for pk, tally in ordered[offset : offset + limit]:
        code, name = units.get(pk, ("", ""))
        items.append(
            {
                "unit_code": code,
                "unit": name,
                "received": tally.received,
                "online": tally.online,
                "resolved": tally.resolved,
                "on_time": tally.on_time,
                "late": tally.late,
                "in_progress": tally.in_progress,
                "overdue": tally.overdue,
                "online_rate": _number(tally.online_rate),
                "on_time_rate": _number(tally.on_time_rate),
            }
        )
    return Rows(items, total=len(ordered))


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def register_providers() -> None:
    register(
        Provider(
            code="procedures",
            label=_("Danh mục thủ tục hành chính"),
            description=_(
                "Các thủ tục hành chính đang công khai: mã, tên, lĩnh vực, cấp thực "
                "hiện, mức độ dịch vụ công trực tuyến, cơ quan và thời hạn giải quyết."
            ),
            fields=PROCEDURE_FIELDS,
            fetch=_procedures,
            params=(
                Param("q", "string", _("Tìm theo mã, tên (có dấu hoặc không dấu)")),
                Param("field", "string", _("Mã lĩnh vực")),
                Param(
                    "level",
                    "string",
                    _("Cấp thực hiện"),
                    choices=tuple(ProcedureLevel.values),
                ),
                Param(
                    "service_level",
                    "string",
                    _("Mức độ dịch vụ công trực tuyến"),
                    choices=tuple(ServiceLevel.values),
                ),
            ),
        )
    )
    register(
        Provider(
            code="dossier_statistics",
            label=_("Số liệu giải quyết hồ sơ một cửa theo đơn vị"),
            description=_(
                "Hồ sơ tiếp nhận, đã giải quyết, đúng hạn, trễ hạn và đang giải quyết "
                "của từng đơn vị trong một năm hoặc một tháng (theo Quyết định 766/QĐ-TTg)."
            ),
            fields=STATISTICS_FIELDS,
            fetch=_statistics,
            params=(
                Param("year", "integer", _("Năm"), required=True),
                Param("month", "integer", _("Tháng (1–12); bỏ trống là cả năm")),
                Param("unit_code", "string", _("Mã đơn vị; bỏ trống là cả tỉnh")),
            ),
            examples={"year": str(timezone.localdate().year)},
        )
    )
