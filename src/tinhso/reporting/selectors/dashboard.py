"""The operations center's dashboard: key indicators against target with
their trend, the units one level down ranked and ready to drill into, the
communes for the map, and the alerts open in the scope."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Q
from django.utils import timezone

from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.reporting.constants import Direction
from tinhso.reporting.models import Alert, Indicator, Refresh, Target
from tinhso.reporting.selectors.figures import (
    Grouping,
    Parts,
    combine,
    months_of,
    total_parts,
    unit_figures,
)

# What the dashboard shows of a unit.
UNIT_FIELDS = ("id", "code", "name", "kind", "path", "depth", "parent_id")


@dataclass
class Tile:
    indicator: Indicator
    value: float | None
    target: Decimal | None
    direction: str
    trend: list[tuple[dt.date, float | None]]

    @property
    def met(self) -> bool | None:
        if self.value is None or self.target is None:
            return None
        if self.direction == Direction.LOWER:
            return self.value <= float(self.target)
        return self.value >= float(self.target)

    @property
    def progress(self) -> float | None:
        """How far along the target, in percent (for a higher-is-better one)."""
        if self.value is None or not self.target:
            return None
        if self.direction == Direction.LOWER:
            return None
        return max(0.0, min(100.0, 100.0 * self.value / float(self.target)))


@dataclass
class UnitRow:
    unit: OrgUnit
    # Each key indicator with its figure, in the tiles' order.
    cells: list[tuple[Indicator, float | None]]
    value: float | None  # of the chosen indicator
    rank: int | None = None


@dataclass
class Dashboard:
    scope: OrgUnit
    year: int
    first: dt.date
    last: dt.date
    indicators: list[Indicator]
    chosen: Indicator | None
    tiles: list[Tile]
    children: list[UnitRow]
    communes: list[UnitRow]
    alerts: list[Alert]
    ancestors: list[OrgUnit] = field(default_factory=list)
    refreshed_at: dt.datetime | None = None


def province() -> OrgUnit | None:
    return (
        OrgUnit.objects.filter(kind=OrgUnitKind.PROVINCE, legacy=False, parent=None)
        .order_by("pk")
        .first()
    )


def key_indicators() -> list[Indicator]:
    return list(Indicator.objects.filter(active=True, key=True))


def period(year: int, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The year so far (the whole year, once it is over)."""
    today = today or timezone.localdate()
    last = min(dt.date(year, 12, 31), today)
    return dt.date(year, 1, 1), last


def _ranked(rows: list[UnitRow], indicator: Indicator | None) -> list[UnitRow]:
    if indicator is None:
        return rows
    lower = indicator.direction == Direction.LOWER
    valued = [r for r in rows if r.value is not None]
    valued.sort(key=lambda r: (r.value if lower else -(r.value or 0.0), r.unit.name))
    for rank, row in enumerate(valued, start=1):
        row.rank = rank
    return valued + [r for r in rows if r.value is None]


def dashboard(
    scope: OrgUnit,
    year: int,
    chosen: Indicator | None = None,
    *,
    today: dt.date | None = None,
) -> Dashboard:
    first, last = period(year, today)
    keys = key_indicators()
    wanted = keys + ([chosen] if chosen is not None and chosen not in keys else [])
    figures = unit_figures(wanted, first, last, scope)
    if chosen is None and keys:
        # The first key indicator with figures here, to rank and shade by.
        chosen = next((i for i in keys if figures.by_unit[i.pk]), keys[0])
    months = months_of(first, last)
    targets = {
        t.indicator_id: t
        for t in Target.objects.filter(
            unit=scope, year=year, indicator__in=[i.pk for i in keys]
        )
    }
    tiles = []
    for ind in keys:
        target = targets.get(ind.pk)
        tiles.append(
            Tile(
                indicator=ind,
                value=combine(ind, total_parts(figures.by_unit[ind.pk])),
                target=target.value if target else None,
                direction=target.direction if target else ind.direction,
                trend=[
                    (m, combine(ind, figures.by_month[ind.pk].get(m))) for m in months
                ],
            )
        )

    # The units one level down and the communes of the map, in one read.
    units = list(
        OrgUnit.objects.filter(
            Q(parent=scope) | Q(kind=OrgUnitKind.COMMUNE, path__startswith=scope.path),
            legacy=False,
        )
        .only(*UNIT_FIELDS)
        .order_by("name_folded")
    )
    below = sorted((u for u in units if u.parent_id == scope.pk), key=lambda u: u.kind)
    grouped = _grouped(below, wanted, figures.by_unit)
    children = _rows(below, grouped, keys, chosen)
    if scope.kind == OrgUnitKind.COMMUNE:
        in_map = [scope]
    else:
        in_map = [u for u in units if u.kind == OrgUnitKind.COMMUNE]
    if not {u.id for u in in_map} <= {u.id for u in below}:
        # Communes under former districts: grouped on their own.
        grouped = _grouped(in_map, wanted, figures.by_unit)
    communes = _rows(in_map, grouped, [], chosen)
    alerts = list(
        Alert.objects.filter(cleared_at__isnull=True, unit__path__startswith=scope.path)
        .select_related("rule__indicator", "unit")
        .order_by("-raised_at")[:20]
    )
    ancestors = list(
        OrgUnit.objects.filter(pk__in=scope.ancestor_ids()[:-1]).order_by("depth")
    )
    refreshed = Refresh.objects.aggregate(at=Max("refreshed_at"))["at"]
    return Dashboard(
        scope=scope,
        year=year,
        first=first,
        last=last,
        indicators=keys,
        chosen=chosen,
        tiles=tiles,
        children=_ranked(children, chosen),
        communes=communes,
        alerts=alerts,
        ancestors=ancestors,
        refreshed_at=refreshed,
    )


def _rows(
    units: list[OrgUnit],
    grouped: dict[int, dict[int, Parts]],
    keys: list[Indicator],
    chosen: Indicator | None,
) -> list[UnitRow]:
    rows = []
    for unit in units:
        uid = unit.id
        rows.append(
            UnitRow(
                unit=unit,
                cells=[(ind, combine(ind, grouped[ind.id].get(uid))) for ind in keys],
                value=(
                    combine(chosen, grouped[chosen.id].get(uid))
                    if chosen is not None
                    else None
                ),
            )
        )
    return rows


def _grouped(
    units: list[OrgUnit], wanted: list[Indicator], by_unit: dict[int, dict[str, Parts]]
) -> dict[int, dict[int, Parts]]:
    """Each indicator's parts for each of ``units``' subtrees."""
    grouping = Grouping(units)
    return {ind.id: grouping.parts(by_unit[ind.id]) for ind in wanted}
