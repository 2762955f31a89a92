"""Reporting's API: the operations center's dashboard (what its pages and
wall screens draw), the indicator catalog and figures, and the periodic
reports a unit fills, sends and has approved."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

import pydantic_core
from ninja import Router, Schema

from tinhso.core.errors import DomainError, Forbidden, NotFound
from tinhso.core.models import OrgUnit
from tinhso.reporting import policies
from tinhso.reporting.models import Indicator
from tinhso.reporting.selectors import dashboard as board
from tinhso.reporting.selectors import reports as report_selectors
from tinhso.reporting.services import reports as report_services

router = Router(tags=["Báo cáo, điều hành"])


def _center(request: HttpRequest) -> None:
    if not policies.can_view_center(request.user):
        raise Forbidden(
            "not_center_user",
            _(
                "Chỉ lãnh đạo, cán bộ báo cáo và quản trị mới xem được số liệu điều hành."
            ),
        )


def scope_of(unit_id: int | None) -> OrgUnit:
    if unit_id is None:
        found = board.province()
    else:
        found = OrgUnit.objects.filter(pk=unit_id, legacy=False).first()
    if found is None:
        raise NotFound("unit_not_found", _("Không tìm thấy đơn vị."))
    return found


def indicator_of(code: str | None) -> Indicator | None:
    if not code:
        return None
    found = Indicator.objects.filter(code=code, active=True).first()
    if found is None:
        raise NotFound(
            "indicator_not_found",
            _("Không có chỉ tiêu mã “%(code)s”.") % {"code": code},
        )
    return found


def year_of(year: int | None) -> int:
    this_year = timezone.localdate().year
    if year is None:
        return this_year
    if not 2000 <= year <= this_year:
        raise DomainError(
            "bad_year",
            _("Năm phải từ 2000 đến %(year)d.") % {"year": this_year},
            extra={"field": "year"},
        )
    return year


class IndicatorOut(Schema):
    code: str
    name: str
    unit_of_measure: str
    pillar: str
    group: str
    source: str
    rollup: str
    over_time: str
    direction: str
    ratio: bool


class TileOut(Schema):
    indicator: str
    value: float | None
    target: float | None
    met: bool | None
    trend: list[float | None]


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    value: float | None
    rank: int | None
    values: list[float | None]


class AlertOut(Schema):
    indicator: str
    unit: str
    value: float
    threshold: float
    comparison: str
    raised_at: dt.datetime


class DashboardOut(Schema):
    unit: UnitOut
    year: int
    first: dt.date
    last: dt.date
    months: list[dt.date]
    indicators: list[IndicatorOut]
    chosen: str | None
    tiles: list[TileOut]
    children: list[UnitOut]
    communes: list[UnitOut]
    alerts: list[AlertOut]
    refreshed_at: dt.datetime | None


def _indicator(i: Indicator) -> dict[str, Any]:
    return {
        "code": i.code,
        "name": i.name,
        "unit_of_measure": i.unit_of_measure,
        "pillar": i.pillar,
        "group": i.group,
        "source": i.source,
        "rollup": i.rollup,
        "over_time": i.over_time,
        "direction": i.direction,
        "ratio": i.is_ratio,
    }


def _unit(row: board.UnitRow) -> dict[str, Any]:
    return {
        "id": row.unit.pk,
        "code": row.unit.code,
        "name": row.unit.name,
        "kind": row.unit.kind,
        "value": row.value,
        "rank": row.rank,
        "values": [value for _i, value in row.cells],
    }


def dashboard_data(found: board.Dashboard) -> dict[str, Any]:
    keys = found.indicators
    return {
        "unit": {
            "id": found.scope.pk,
            "code": found.scope.code,
            "name": found.scope.name,
            "kind": found.scope.kind,
            "value": None,
            "rank": None,
            "values": [t.value for t in found.tiles],
        },
        "year": found.year,
        "first": found.first,
        "last": found.last,
        "months": [m for m, _v in found.tiles[0].trend] if found.tiles else [],
        "indicators": [_indicator(i) for i in keys],
        "chosen": found.chosen.code if found.chosen else None,
        "tiles": [
            {
                "indicator": t.indicator.code,
                "value": t.value,
                "target": float(t.target) if t.target is not None else None,
                "met": t.met,
                "trend": [v for _m, v in t.trend],
            }
            for t in found.tiles
        ],
        "children": [_unit(r) for r in found.children],
        "communes": [_unit(r) for r in found.communes],
        "alerts": [
            {
                "indicator": a.rule.indicator.code,
                "unit": a.unit.name,
                "value": a.value,
                "threshold": float(a.rule.threshold),
                "comparison": a.rule.comparison,
                "raised_at": a.raised_at,
            }
            for a in found.alerts
        ],
        "refreshed_at": found.refreshed_at,
    }


@router.get("/dashboard", response=DashboardOut, summary="Bảng điều hành")
def dashboard(
    request: HttpRequest,
    unit: int | None = None,
    year: int | None = None,
    indicator: str | None = None,
) -> HttpResponse:
    """Key indicators of ``unit`` (the province by default) for ``year`` so
    far against target, with each month's figure; the units one level down
    ranked by ``indicator`` (the first key indicator by default); the
    communes' figures for the map; open alerts."""
    _center(request)
    found = board.dashboard(scope_of(unit), year_of(year), indicator_of(indicator))
    # Every wall screen polls this: written straight to JSON, without
    # building the response models again (tests hold it to DashboardOut).
    return HttpResponse(
        pydantic_core.to_json(dashboard_data(found)), content_type="application/json"
    )


@router.get("/indicators", response=list[IndicatorOut], summary="Danh mục chỉ tiêu")
def indicators(request: HttpRequest) -> list[dict[str, Any]]:
    _center(request)
    return [_indicator(i) for i in Indicator.objects.filter(active=True)]


class VersionOut(Schema):
    number: int
    sealed: bool
    values: dict[str, dict[str, str]]


class ReportOut(Schema):
    id: int
    form: str
    period: str
    unit: str
    status: str
    deadline: dt.date
    late: bool
    version: VersionOut | None


class ValuesIn(Schema):
    values: dict[str, Any]


def _report_out(request: HttpRequest, report: Any) -> dict[str, Any]:
    version = report_selectors.visible_version(request.user, report)
    return {
        "id": report.pk,
        "form": report.round.form.code,
        "period": report.round.label,
        "unit": report.unit.code,
        "status": report.status,
        "deadline": report.round.deadline,
        "late": report_services.is_late(report),
        "version": (
            {
                "number": version.number,
                "sealed": version.sealed,
                "values": version.values,
            }
            if version is not None
            else None
        ),
    }


def _checked(checked: Any) -> None:
    if not checked.ok:
        raise DomainError(
            "report_values_invalid",
            _("Số liệu báo cáo chưa hợp lệ."),
            status=422,
            extra={"errors": checked.errors},
        )


@router.get("/reports/{report_id}", response=ReportOut, summary="Một báo cáo")
def report_detail(request: HttpRequest, report_id: int) -> dict[str, Any]:
    return _report_out(request, report_selectors.get_report(request.user, report_id))


@router.put("/reports/{report_id}/values", response=ReportOut, summary="Lưu nháp")
def report_save(request: HttpRequest, report_id: int, body: ValuesIn) -> dict[str, Any]:
    """Save the draft; keys are the form's item keys, a ratio's denominator
    under ``key.total``. Refused whole (422) when any value is wrong."""
    report = report_selectors.get_report(request.user, report_id)
    _checked(report_services.save_values(request.user, report, body.values))
    return _report_out(request, report_selectors.get_report(request.user, report_id))


@router.post("/reports/{report_id}/submit", response=ReportOut, summary="Gửi báo cáo")
def report_submit(request: HttpRequest, report_id: int) -> dict[str, Any]:
    report = report_selectors.get_report(request.user, report_id)
    _checked(report_services.submit(request.user, report))
    return _report_out(request, report_selectors.get_report(request.user, report_id))


@router.post("/reports/{report_id}/approve", response=ReportOut, summary="Duyệt")
def report_approve(request: HttpRequest, report_id: int) -> dict[str, Any]:
    report = report_selectors.get_report(request.user, report_id)
    report_services.approve(request.user, report)
    return _report_out(request, report_selectors.get_report(request.user, report_id))


class CommentIn(Schema):
    comment: str


@router.post("/reports/{report_id}/return", response=ReportOut, summary="Trả lại")
def report_return(
    request: HttpRequest, report_id: int, body: CommentIn
) -> dict[str, Any]:
    report = report_selectors.get_report(request.user, report_id)
    report_services.send_back(request.user, report, body.comment)
    return _report_out(request, report_selectors.get_report(request.user, report_id))
