"""Working days: weekends, Vietnamese public holidays and administrators'
days off / make-up working days.

Public holidays (lunar New Year, Hùng Kings' day, the yearly swaps) come from
the ``holidays`` package; ``CalendarDay`` rows override them both ways.
"""

from datetime import date, timedelta
from functools import lru_cache
from typing import Self

import holidays

from tinhso.core.models import CalendarDay, CalendarDayKind


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> dict[date, str]:
    vn = holidays.country_holidays("VN", years=year, language="vi")
    return dict(vn.items())


@lru_cache(maxsize=64)
def _swap_working_days(year: int) -> frozenset[date]:
    vn = holidays.country_holidays("VN", years=year)
    # Saturdays worked in exchange for a bridge day off.
    return frozenset(getattr(vn, "weekend_workdays", set()))


def public_holiday_name(day: date) -> str | None:
    return _public_holidays(day.year).get(day)


class WorkingCalendar:
    """A calendar with the administrator's exceptions read once.

    Build one per computation (``WorkingCalendar.load()``) rather than per
    day: a dossier deadline may walk a dozen days.
    """

    def __init__(self, overrides: dict[date, str]) -> None:
        self.overrides = overrides

    @classmethod
    def load(cls) -> Self:
        # Administrators enter a handful of exceptions a year: read them all.
        return cls(dict(CalendarDay.objects.values_list("date", "kind")))

    def is_working_day(self, day: date) -> bool:
        override = self.overrides.get(day)
        if override == CalendarDayKind.DAY_OFF:
            return False
        if override == CalendarDayKind.WORKING_DAY:
            return True
        if day in _public_holidays(day.year):
            return False
        if day in _swap_working_days(day.year):
            return True
        return day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> date:
        """The date ``days`` working days after ``start`` (before, if negative).

        ``start`` itself is not counted: one working day after a Friday is
        the next Monday.
        """
        step = 1 if days >= 0 else -1
        remaining = abs(days)
        day = start
        while remaining:
            day += timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the next one."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def is_working_day(day: date) -> bool:
    return WorkingCalendar.load().is_working_day(day)


def add_working_days(start: date, days: int) -> date:
    return WorkingCalendar.load().add_working_days(start, days)


def next_working_day(day: date) -> date:
    return WorkingCalendar.load().next_working_day(day)


def working_days_between(start: date, end: date) -> int:
    return WorkingCalendar.load().working_days_between(start, end)
