"""Indicators that apps feed to reporting, registered by a stable code.

Each app's ``metrics.py`` registers its indicators from ``ready()``;
reporting asks them for figures and never reads the apps' tables itself.

A figure belongs to the day its event happened (a dossier received, a
document issued, a fee paid), never to a day that later events could
still change: reporting can then refresh the last few days alone and
stay right.
"""

import datetime as dt
from collections.abc import Callable
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
