"""The operations center's pages: the dashboard (refreshing itself), the
map, the wall view with cameras and sensors. They draw what the dashboard
API returns, from the same selector."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tinhso.core.errors import DomainError
from tinhso.reporting import maps, policies
from tinhso.reporting.api import indicator_of, scope_of, year_of
from tinhso.reporting.constants import ShapeSource
from tinhso.reporting.models import Device, Indicator, Shape
from tinhso.reporting.selectors import dashboard as board

REFRESH_SECONDS = 60


def _require_center(request: HttpRequest) -> None:
    if not policies.can_view_center(request.user):
        raise PermissionDenied


def _number(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def _board(request: HttpRequest) -> board.Dashboard:
    try:
        return board.dashboard(
            scope_of(_number(request.GET.get("unit"))),
            year_of(_number(request.GET.get("year"))),
            indicator_of(request.GET.get("indicator")),
        )
    except DomainError as exc:
        raise Http404(exc.message) from exc


def _map(found: board.Dashboard, width: int) -> maps.Drawing | None:
    shapes = Shape.objects.filter(unit__in=[r.unit.pk for r in found.communes])
    schematic = shapes.filter(source=ShapeSource.SCHEMATIC).exists()
    return maps.draw(
        {s.unit_id: s.geometry for s in shapes},
        [(r.unit.pk, r.unit.name, r.value) for r in found.communes],
        width=width,
        schematic=schematic,
    )


def _context(
    request: HttpRequest, found: board.Dashboard, width: int
) -> dict[str, Any]:
    this_year = timezone.localdate().year
    return {
        "board": found,
        "drawing": _map(found, width),
        "all_indicators": Indicator.objects.filter(active=True),
        "years": list(range(this_year, this_year - 6, -1)),
        "refresh_seconds": REFRESH_SECONDS,
        "query": request.GET.urlencode(),
    }


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    _require_center(request)
    found = _board(request)
    context = _context(request, found, 560)
    if request.headers.get("HX-Request"):
        return render(request, "reporting/center/_live.html", context)
    return render(request, "reporting/center/dashboard.html", context)


@login_required
@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    _require_center(request)
    found = _board(request)
    context = _context(request, found, 960)
    if request.headers.get("HX-Request"):
        return render(request, "reporting/center/_map.html", context)
    return render(request, "reporting/center/map.html", context)


@login_required
@require_GET
def wall(request: HttpRequest) -> HttpResponse:
    _require_center(request)
    found = _board(request)
    context = _context(request, found, 520)
    context["devices"] = Device.objects.filter(active=True).select_related("unit")
    if request.headers.get("HX-Request"):
        return render(request, "reporting/center/_wall_live.html", context)
    return render(request, "reporting/center/wall.html", context)
