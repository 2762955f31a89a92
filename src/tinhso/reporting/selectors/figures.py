"""Figures for dashboards and roll-ups, read from the monthly facts only.

A unit's figure for a period comes from its own facts over the months of
the period (summed for a flow, the last month's for a stock); the figure of
a group of units (a commune with its villages, the province with
everything) combines the units' figures by the indicator's roll-up: a sum,
the average over the units that have a figure, or a weighted ratio (every
numerator added up over every denominator added up).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from tinhso.core.models import OrgUnit
from tinhso.reporting.constants import OverTime, Rollup
from tinhso.reporting.models import Indicator, MonthlyFact


@dataclass
class Parts:
    """What combines into a figure: numerators, denominators, and how many
    units gave them."""

    value: float = 0.0
    total: float = 0.0
    units: int = 0

    def add(self, value: float, total: float | None, units: int = 1) -> None:
        self.value += value
        self.total += total or 0.0
        self.units += units


def combine(indicator: Indicator, parts: Parts | None) -> float | None:
    """The figure shown for ``parts``: a ratio in percent; None for no data."""
    if parts is None or not parts.units:
        return None
    if indicator.rollup == Rollup.RATIO:
        return 100.0 * parts.value / parts.total if parts.total else None
    if indicator.rollup == Rollup.AVERAGE:
        return parts.value / parts.units
    return parts.value


def months_of(first: dt.date, last: dt.date) -> list[dt.date]:
    month, months = first.replace(day=1), []
    while month <= last:
        months.append(month)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


@dataclass
class UnitFigures:
    """Per indicator id: each unit's parts over the period, keyed by the
    unit's path; and the whole scope's parts month by month."""

    by_unit: dict[int, dict[str, Parts]] = field(default_factory=dict)
    by_month: dict[int, dict[dt.date, Parts]] = field(default_factory=dict)


def _scope(scope: OrgUnit | None) -> Q:
    """Units of ``scope``'s subtree; no condition for the province, whose
    subtree is every unit with figures (the platform runs one province, and
    former units, roots of their own, never get facts): a prefix test on
    every row would cost as much as the sums."""
    if scope is None or (scope.parent_id is None and not scope.legacy):
        return Q()
    return Q(unit__path__startswith=scope.path)


def unit_figures(
    indicators: Iterable[Indicator],
    first: dt.date,
    last: dt.date,
    scope: OrgUnit | None = None,
) -> UnitFigures:
    """Read the months from ``first``'s to ``last``'s of ``indicators`` for
    every unit of ``scope``'s subtree (everywhere with None): two grouped
    queries for flows, one plain one for stocks."""
    chosen = list(indicators)
    flows = [i.pk for i in chosen if i.over_time == OverTime.FLOW]
    stocks = [i.pk for i in chosen if i.over_time == OverTime.STOCK]
    months = Q(month__gte=first.replace(day=1), month__lte=last.replace(day=1))
    result = UnitFigures(
        by_unit={i.pk: {} for i in chosen}, by_month={i.pk: {} for i in chosen}
    )
    if flows:
        rows = MonthlyFact.objects.filter(
            months, _scope(scope), indicator_id__in=flows
        ).order_by()
        for ind, path, v, t in (
            rows.values("indicator_id", "unit_id")
            .annotate(v=Sum("value"), t=Sum("total"))
            .values_list("indicator_id", "unit__path", "v", "t")
        ):
            result.by_unit[ind][path] = Parts(v, t or 0.0, 1)
        for ind, month, v, t, n in (
            rows.values("indicator_id", "month")
            .annotate(v=Sum("value"), t=Sum("total"), n=Count("*"))
            .values_list("indicator_id", "month", "v", "t", "n")
        ):
            result.by_month[ind][month] = Parts(v, t or 0.0, n)
    if stocks:
        last_seen: dict[tuple[int, str], tuple[dt.date, float, float | None]] = {}
        for ind, path, month, v, t in (
            MonthlyFact.objects.filter(months, _scope(scope), indicator_id__in=stocks)
            .order_by("month")
            .values_list("indicator_id", "unit__path", "month", "value", "total")
        ):
            result.by_month[ind].setdefault(month, Parts()).add(v, t)
            last_seen[(ind, path)] = (month, v, t)
        for (ind, path), (_month, v, t) in last_seen.items():
            result.by_unit[ind][path] = Parts(v, t or 0.0, 1)
    return result


class Grouping:
    """Which of ``groups`` each unit's path falls under (the first of them
    on the way down from the root), worked out once per path."""

    def __init__(self, groups: Iterable[OrgUnit]) -> None:
        self.wanted = {g.pk for g in groups}
        self._seen: dict[str, int | None] = {}

    def of(self, path: str) -> int | None:
        if path not in self._seen:
            self._seen[path] = next(
                (
                    int(part)
                    for part in path.strip("/").split("/")
                    if part and int(part) in self.wanted
                ),
                None,
            )
        return self._seen[path]

    def parts(self, per_unit: dict[str, Parts]) -> dict[int, Parts]:
        """The parts of each group unit's whole subtree (itself included)."""
        grouped: dict[int, Parts] = defaultdict(Parts)
        for path, parts in per_unit.items():
            group = self.of(path)
            if group is not None:
                grouped[group].add(parts.value, parts.total, parts.units)
        return grouped


def group_parts(
    per_unit: dict[str, Parts], groups: Iterable[OrgUnit]
) -> dict[int, Parts]:
    return Grouping(groups).parts(per_unit)


def total_parts(per_unit: dict[str, Parts]) -> Parts:
    whole = Parts()
    for parts in per_unit.values():
        whole.add(parts.value, parts.total, parts.units)
    return whole
