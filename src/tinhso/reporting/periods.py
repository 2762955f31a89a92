"""Report periods: calendar months, quarters, halves and years, or the
Decree 09/2019 cut-off periods that run from the 15th of the month before
to the 14th (a quarter: 15 December to 14 March, …; a year: 15 December to
14 December)."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from tinhso.reporting.constants import Frequency

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
# Months each period kind spans, and how a period of it is named.
SPAN: dict[str, int] = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.HALF_YEARLY: 6,
    Frequency.YEARLY: 12,
}


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date


def _add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def _label(frequency: str, first_month: dt.date) -> str:
    year, month = first_month.year, first_month.month
    if frequency == Frequency.MONTHLY:
        return _("Tháng %(month)d/%(year)d") % {"month": month, "year": year}
    if frequency == Frequency.QUARTERLY:
        return _("Quý %(quarter)s/%(year)d") % {
            "quarter": ROMAN[(month - 1) // 3 + 1],
            "year": year,
        }
    if frequency == Frequency.HALF_YEARLY:
        if month == 1:
            return _("6 tháng đầu năm %(year)d") % {"year": year}
        return _("6 tháng cuối năm %(year)d") % {"year": year}
    return _("Năm %(year)d") % {"year": year}


def period_of(frequency: str, day: dt.date, *, cutoff_15th: bool) -> Period:
    """The period of ``frequency`` that ``day`` falls in."""
    span = SPAN[frequency]
    # Under the cut-off rule the 15th onwards already counts for next month.
    month = day.replace(day=1)
    if cutoff_15th and day.day >= 15:
        month = _add_months(month, 1)
    first_month = dt.date(month.year, (month.month - 1) // span * span + 1, 1)
    after = _add_months(first_month, span)
    if cutoff_15th:
        start = _add_months(first_month, -1).replace(day=15)
        end = _add_months(after, -1).replace(day=14)
    else:
        start, end = first_month, after - dt.timedelta(days=1)
    return Period(_label(frequency, first_month), start, end)


def periods_between(
    frequency: str, first: dt.date, last: dt.date, *, cutoff_15th: bool
) -> list[Period]:
    """Every period from the one holding ``first`` to the one holding ``last``."""
    found: list[Period] = []
    day = first
    while day <= last:
        found.append(period_of(frequency, day, cutoff_15th=cutoff_15th))
        day = found[-1].end + dt.timedelta(days=1)
    return found
