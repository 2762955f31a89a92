"""Keeping the facts dashboards read.

Computed indicators: each refresh asks the app's registered indicator
(``core.metrics``) for the days since the last refresh, less a few days of
overlap for transactions that committed late, and replaces exactly those
days' facts. Figures belong to the day of their event, so days further
back do not change; a refresh run twice, or stopped half-way, leaves the
same facts. Reported indicators: an approved report's values become facts
on the last day of its period.

Every change to the daily facts rolls the months it touched into
``MonthlyFact`` in the same transaction.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from tinhso.core import metrics
from tinhso.reporting.constants import OverTime, Source
from tinhso.reporting.models import Fact, Indicator, MonthlyFact, Refresh

# Days refreshed again before the last refreshed day: a dossier accepted at
# 23:59 may commit after a refresh that started at midnight.
OVERLAP_DAYS = 3
# How far back the first refresh of an indicator reaches.
HISTORY_YEARS = 5
# Days computed and written per transaction on a first refresh.
CHUNK_DAYS = 366

type Progress = Callable[[Indicator, dt.date, int], None]


@dataclass(frozen=True)
class Refreshed:
    indicator: str
    first: dt.date | None
    last: dt.date | None
    rows: int
    error: str = ""


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def roll_months(indicator: Indicator, first: dt.date, last: dt.date) -> int:
    """Make the MonthlyFact rows of the months from ``first``'s to
    ``last``'s again from the daily facts; returns the rows written."""
    start, after = month_of(first), next_month(month_of(last))
    days = Fact.objects.filter(indicator=indicator, day__gte=start, day__lt=after)
    if indicator.over_time == OverTime.FLOW:
        grouped = (
            days.annotate(month=TruncMonth("day"))
            .values("unit_id", "month")
            .annotate(v=Sum("value"), t=Sum("total"))
            .order_by()
        )
        rows = [
            MonthlyFact(
                indicator=indicator,
                unit_id=g["unit_id"],
                month=g["month"],
                value=g["v"],
                total=g["t"],
            )
            for g in grouped
        ]
    else:  # a stock is what its last day in the month said
        last_of: dict[tuple[int, dt.date], tuple[float, float | None]] = {}
        for unit_id, day, value, total in days.order_by("day").values_list(
            "unit_id", "day", "value", "total"
        ):
            last_of[(unit_id, month_of(day))] = (value, total)
        rows = [
            MonthlyFact(indicator=indicator, unit_id=u, month=m, value=v, total=t)
            for (u, m), (v, t) in last_of.items()
        ]
    MonthlyFact.objects.filter(
        indicator=indicator, month__gte=start, month__lt=after
    ).delete()
    MonthlyFact.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _replace_days(
    indicator: Indicator,
    first: dt.date,
    last: dt.date,
    figures: Iterable[metrics.Figure],
) -> int:
    rows = [
        Fact(
            indicator=indicator,
            unit_id=f.unit_id,
            day=f.day,
            value=f.value,
            total=f.total,
        )
        for f in figures
    ]
    Fact.objects.filter(indicator=indicator, day__gte=first, day__lte=last).delete()
    Fact.objects.bulk_create(rows, batch_size=5000)
    roll_months(indicator, first, last)
    return len(rows)


def computed_indicators() -> list[Indicator]:
    return list(
        Indicator.objects.filter(source=Source.COMPUTED, active=True).exclude(metric="")
    )


def refresh_indicator(
    indicator: Indicator,
    *,
    today: dt.date | None = None,
    full: bool = False,
    progress: Progress | None = None,
) -> Refreshed:
    """Bring one computed indicator's facts up to ``today``."""
    today = today or timezone.localdate()
    mark, _created = Refresh.objects.get_or_create(indicator=indicator)
    if indicator.metric not in metrics.indicators:
        mark.error = f"no registered indicator {indicator.metric!r}"
        mark.save(update_fields=["error"])
        return Refreshed(indicator.code, None, None, 0, mark.error)
    compute = metrics.indicators.get(indicator.metric).compute
    if full or mark.through is None:
        first = dt.date(today.year - HISTORY_YEARS, 1, 1)
    else:
        first = min(mark.through, today) - dt.timedelta(days=OVERLAP_DAYS)
    start, written = first, 0
    while start <= today:
        end = min(today, start + dt.timedelta(days=CHUNK_DAYS - 1))
        with transaction.atomic():
            written += _replace_days(indicator, start, end, compute(start, end))
            mark.through, mark.refreshed_at, mark.error = end, timezone.now(), ""
            mark.rows = written
            mark.save(update_fields=["through", "refreshed_at", "error", "rows"])
        if progress is not None:
            progress(indicator, end, written)
        start = end + dt.timedelta(days=1)
    return Refreshed(indicator.code, first, today, written)


def refresh(
    codes: Iterable[str] | None = None,
    *,
    today: dt.date | None = None,
    full: bool = False,
    progress: Progress | None = None,
) -> list[Refreshed]:
    """Refresh the computed indicators (those of ``codes``, or all)."""
    chosen = computed_indicators()
    if codes is not None:
        wanted = set(codes)
        chosen = [i for i in chosen if i.code in wanted]
    return [
        refresh_indicator(i, today=today, full=full, progress=progress) for i in chosen
    ]


def put_reported(
    indicator: Indicator,
    unit_id: int,
    day: dt.date,
    value: float | None,
    total: float | None,
) -> None:
    """Set (or, with ``value`` None, clear) one reported fact and its month.
    Runs inside the approving transaction."""
    Fact.objects.filter(indicator=indicator, unit_id=unit_id, day=day).delete()
    if value is not None:
        Fact.objects.create(
            indicator=indicator, unit_id=unit_id, day=day, value=value, total=total
        )
    roll_months(indicator, day, day)
