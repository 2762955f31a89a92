"""Indicators that apps feed to reporting, registered by a stable code.

Each app's ``metrics.py`` registers its indicators from ``ready()``;
reporting asks them for figures and never reads the apps' tables itself.

A figure belongs to the day its event happened (a dossier received, a
document issued, a fee paid), never to a day that later events could
still change: reporting can then refresh the last few days alone and
stay right.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.functional import Promise

from tinhso.core.registry import Registry


@dataclass(frozen=True)
class Figure:
    """One unit's figure for one day."""

    unit_id: int
    day: dt.date  # in the platform's time zone
    value: int
    # The denominator of a share; None for a plain count.
    total: int | None = None


@dataclass(frozen=True)
class Indicator:
    """A figure an app computes for reporting, known by a stable code.

    ``compute(first, last)`` answers for every day from ``first`` to
    ``last``, both included, one figure per unit and day that had any
    events (a missing row means zero), in one aggregate query.
    """

    code: str
    label: str | Promise
    description: str | Promise
    compute: Callable[[dt.date, dt.date], list[Figure]]
    share: bool = False


indicators: Registry[Indicator] = Registry("indicators")


def register(indicator: Indicator) -> Indicator:
    return indicators.register(indicator.code, indicator)


def bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants from the start of ``first`` to the end of ``last``, local time."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time(), tzinfo=zone)
    after = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start, after


def daily(
    rows: QuerySet[Any],
    when: str,
    first: dt.date,
    last: dt.date,
    *,
    unit: str,
    counted: Q | None = None,
    share: bool | None = None,
    value: Any = None,
) -> list[Figure]:
    """``rows`` grouped by ``unit`` and the local day of ``when``, in one query.

    The value is the number of rows, or of rows meeting ``counted``, or the
    aggregate ``value`` (say ``Sum("amount")``); a share (by default, when
    ``counted`` is given) has the number of rows as its total.
    """
    start, after = bounds(first, last)
    if value is None:
        value = Count("pk", filter=counted) if counted is not None else Count("pk")
    grouped = (
        rows.filter(**{f"{when}__gte": start, f"{when}__lt": after})
        .annotate(day=TruncDate(when, tzinfo=timezone.get_current_timezone()))
        .values(unit, "day")
        .annotate(value=value, total=Count("pk"))
        .order_by(unit, "day")
    )
    as_share = counted is not None if share is None else share
    return [
        Figure(
            unit_id=row[unit],
            day=row["day"],
            value=int(row["value"] or 0),
            total=row["total"] if as_share else None,
        )
        for row in grouped
    ]


def levels(
    spans: Iterable[tuple[int, dt.date, dt.date | None]],
    first: dt.date,
    last: dt.date,
    *,
    totals: dict[int, int] | None = None,
) -> list[Figure]:
    """A daily count of things alive per unit, from each thing's ``(unit,
    since, until)`` (``until`` the day it stopped counting, or None): a
    figure for every day from ``first`` (or the unit's first thing) to
    ``last``. ``totals`` makes each a share of the unit's total, and gives
    every unit in it a figure from ``first``, zero or not."""
    changes: dict[int, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    # A share counts every unit with a total, things or not: a commune
    # without any still weighs in the province's ratio.
    for unit_id in totals or {}:
        changes[unit_id]
    for unit_id, since, until in spans:
        changes[unit_id][since] += 1
        if until is not None:
            changes[unit_id][until] -= 1
    figures = []
    for unit_id, by_day in changes.items():
        level = sum(n for day, n in by_day.items() if day < first)
        total = totals.get(unit_id, 0) if totals is not None else None
        if total is None and level == 0 and not any(first <= d <= last for d in by_day):
            continue
        # Counts start at a unit's first change: no rows of zeros for years.
        day = first if total is not None or not by_day else max(first, min(by_day))
        while day <= last:
            level += by_day.get(day, 0)
            figures.append(Figure(unit_id=unit_id, day=day, value=level, total=total))
            day += dt.timedelta(days=1)
    return figures
