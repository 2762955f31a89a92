"""Working days: weekends, Vietnamese public holidays and the administrator's exceptions."""

from datetime import date

import holidays
import pytest

from tinhso.core import calendar
from tinhso.core import services as core
from tinhso.core.models import AuditEntry, CalendarDay, CalendarDayKind

pytestmark = pytest.mark.django_db

VN_2026 = holidays.country_holidays("VN", years=2026)


def test_the_holidays_package_gives_the_2026_days_used_below() -> None:
    """Tết 2026 is Feb 16–20, Sep 1–2 with Aug 31 off for working Sat Aug 22."""
    tet = {day for day in VN_2026 if day.month == 2}
    assert tet == {date(2026, 2, d) for d in range(16, 21)}
    assert {date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2)} <= set(VN_2026)
    assert date(2026, 8, 22) in VN_2026.weekend_workdays


def test_one_working_day_after_friday_is_monday() -> None:
    """Saturday and Sunday are skipped, both forwards and backwards."""
    friday, monday = date(2026, 3, 6), date(2026, 3, 9)
    assert calendar.add_working_days(friday, 1) == monday
    assert calendar.add_working_days(monday, 5) == date(2026, 3, 16)
    assert calendar.add_working_days(monday, -1) == friday
    assert calendar.add_working_days(date(2026, 3, 7), 1) == monday  # from a Saturday
    assert calendar.add_working_days(monday, 0) == monday


def test_lunar_new_year_2026_is_skipped() -> None:
    """A dossier received Fri 13 Feb 2026 with 1 working day is due Mon 23 Feb."""
    assert calendar.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert calendar.add_working_days(date(2026, 2, 12), 3) == date(2026, 2, 24)
    assert calendar.add_working_days(date(2026, 2, 23), -1) == date(2026, 2, 13)
    for day in range(16, 21):
        assert not calendar.is_working_day(date(2026, 2, day))


def test_national_day_and_its_bridge_are_skipped() -> None:
    """Fri 28 Aug 2026 + 1 working day is Thu 3 Sep: Aug 31, Sep 1 and Sep 2 are off."""
    assert calendar.add_working_days(date(2026, 8, 28), 1) == date(2026, 9, 3)
    assert not calendar.is_working_day(date(2026, 9, 2))
    assert calendar.public_holiday_name(date(2026, 9, 2)) == "Quốc khánh"


def test_saturday_22_august_2026_is_a_make_up_working_day() -> None:
    """The Saturday worked in exchange for Mon 31 Aug counts as a working day."""
    assert calendar.is_working_day(date(2026, 8, 22))
    assert calendar.add_working_days(date(2026, 8, 21), 1) == date(2026, 8, 22)
    assert calendar.add_working_days(date(2026, 8, 21), 2) == date(2026, 8, 24)
    assert calendar.next_working_day(date(2026, 8, 22)) == date(2026, 8, 22)
    assert not calendar.is_working_day(date(2026, 8, 29))  # an ordinary Saturday


def test_new_year_crosses_into_the_next_year() -> None:
    """Thu 31 Dec 2026 + 1 working day skips New Year's Day (Fri) and the weekend."""
    assert calendar.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_working_days_between_counts_after_start_up_to_end() -> None:
    """Mon→next Mon is 5; Fri 13 Feb→Mon 23 Feb 2026 is 1; reversed is negative."""
    assert calendar.working_days_between(date(2026, 3, 2), date(2026, 3, 9)) == 5
    assert calendar.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1
    assert calendar.working_days_between(date(2026, 3, 9), date(2026, 3, 2)) == -5
    assert calendar.working_days_between(date(2026, 3, 9), date(2026, 3, 9)) == 0
    assert calendar.working_days_between(date(2026, 8, 21), date(2026, 8, 24)) == 2


def test_working_days_between_undoes_add_working_days() -> None:
    """Counting the days back from a computed deadline gives the days added."""
    start = date(2026, 2, 10)
    for days in (1, 5, 12, 30):
        due = calendar.add_working_days(start, days)
        assert calendar.working_days_between(start, due) == days


def test_next_working_day() -> None:
    """A working day is its own next working day; Sat 14 Feb 2026 moves to Mon 23 Feb."""
    assert calendar.next_working_day(date(2026, 3, 9)) == date(2026, 3, 9)
    assert calendar.next_working_day(date(2026, 3, 7)) == date(2026, 3, 9)
    assert calendar.next_working_day(date(2026, 2, 14)) == date(2026, 2, 23)
    assert calendar.next_working_day(date(2026, 8, 29)) == date(2026, 9, 3)


def test_administrator_day_off_moves_deadlines_and_is_audited() -> None:
    """A day off set for Tue 10 Mar 2026 pushes Mon + 1 to Wed; clearing it undoes that."""
    monday, tuesday = date(2026, 3, 9), date(2026, 3, 10)
    assert calendar.add_working_days(monday, 1) == tuesday

    core.set_calendar_day(tuesday, CalendarDayKind.DAY_OFF, note="Nghỉ bầu cử")
    assert not calendar.is_working_day(tuesday)
    assert calendar.add_working_days(monday, 1) == date(2026, 3, 11)
    assert calendar.working_days_between(monday, date(2026, 3, 13)) == 3
    entry = AuditEntry.objects.get(action="core.calendar.set")
    assert entry.detail == {
        "date": "2026-03-10",
        "kind": "day_off",
        "note": "Nghỉ bầu cử",
    }

    core.clear_calendar_day(tuesday)
    assert not CalendarDay.objects.exists()
    assert calendar.add_working_days(monday, 1) == tuesday
    cleared = AuditEntry.objects.get(action="core.calendar.clear")
    assert cleared.object_id == "2026-03-10"


def test_administrator_make_up_saturday_counts() -> None:
    """A make-up working Saturday (14 Mar 2026) is the next working day after Friday."""
    friday, saturday = date(2026, 3, 13), date(2026, 3, 14)
    core.set_calendar_day(saturday, CalendarDayKind.WORKING_DAY, note="Làm bù")
    assert calendar.add_working_days(friday, 1) == saturday
    assert calendar.next_working_day(saturday) == saturday
    assert calendar.working_days_between(friday, date(2026, 3, 16)) == 2
    assert AuditEntry.objects.filter(action="core.calendar.set").count() == 1


def test_administrator_can_overrule_the_package_both_ways() -> None:
    """An extra Tết day off (Mon 23 Feb) and working the package's bridge day (31 Aug)."""
    core.set_calendar_day(date(2026, 2, 23), CalendarDayKind.DAY_OFF)
    assert calendar.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 24)
    core.set_calendar_day(date(2026, 8, 31), CalendarDayKind.WORKING_DAY)
    assert calendar.add_working_days(date(2026, 8, 28), 1) == date(2026, 8, 31)


def test_changing_a_day_replaces_the_earlier_setting() -> None:
    """Setting the same date again changes its kind; one row, two audit rows."""
    day = date(2026, 3, 14)
    core.set_calendar_day(day, CalendarDayKind.WORKING_DAY)
    core.set_calendar_day(day, CalendarDayKind.DAY_OFF)
    assert CalendarDay.objects.get(date=day).kind == CalendarDayKind.DAY_OFF
    assert not calendar.is_working_day(day)
    assert AuditEntry.objects.filter(action="core.calendar.set").count() == 2


def test_clearing_a_day_that_was_never_set_changes_nothing() -> None:
    """Clearing an ordinary day writes no audit row."""
    core.clear_calendar_day(date(2026, 3, 10))
    assert not AuditEntry.objects.filter(action="core.calendar.clear").exists()
