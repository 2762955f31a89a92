"""The appointment a receipt promises: processing time in working days,
counted in half days on the working-day calendar.

The half day of receipt counts as the first (a half-day procedure received
in the morning is due that afternoon) and the clock stands still while a
supplement is awaited (``paused_halves``, ``extended``). A dossier received
after the day's cut-off (15:00), on a day off or outside working hours
counts as received at the start of the next working day, as one-stop
offices do. Weekends, public holidays (lunar New Year included) and the
administrators' days off and make-up days come from ``core.calendar``.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tinhso.core.calendar import WorkingCalendar

# Local working hours: the half day a result is promised for begins then.
MORNING = dt.time(7, 30)
AFTERNOON = dt.time(13, 30)
NOON = dt.time(12, 0)
DAY_CUTOFF = dt.time(15, 0)


def _start(received: dt.datetime, calendar: WorkingCalendar) -> tuple[dt.date, int]:
    """The half day (date, 0 morning / 1 afternoon) in which the dossier counts as received."""
    day, clock = received.date(), received.time()
    if not calendar.is_working_day(day) or clock >= DAY_CUTOFF:
        following = day + dt.timedelta(days=1)
        return calendar.next_working_day(following), 0
    return day, 0 if clock < NOON else 1


def _advance(
    day: dt.date, half: int, halves: int, calendar: WorkingCalendar
) -> tuple[dt.date, int]:
    for _ in range(halves):
        if half == 0:
            half = 1
        else:
            day, half = calendar.add_working_days(day, 1), 0
    return day, half


def _at(day: dt.date, half: int, zone: dt.tzinfo | None) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(day, MORNING if half == 0 else AFTERNOON), zone
    )


def appointment(
    received_at: dt.datetime,
    days: Decimal,
    calendar: WorkingCalendar | None = None,
) -> dt.datetime:
    """When the result is due for a dossier received at ``received_at``.

    ``days`` is the procedure's processing time in working days, in steps of
    a half day: 0.5 received in a morning is due that afternoon, 1 received
    on a Friday morning is due on Monday morning.
    """
    calendar = calendar or WorkingCalendar.load()
    local = timezone.localtime(received_at)
    halves = int(days * 2)
    if halves != days * 2 or halves < 1:
        raise ValueError(f"processing time {days}: whole half days only")
    day, half = _advance(*_start(local, calendar), halves, calendar)
    return _at(day, half, local.tzinfo)


def paused_halves(
    start: dt.datetime, end: dt.datetime, calendar: WorkingCalendar | None = None
) -> int:
    """Working half days from ``start`` to ``end``: how long the clock stood
    still while the applicant was completing the dossier."""
    calendar = calendar or WorkingCalendar.load()
    first = _start(timezone.localtime(start), calendar)
    last = _start(timezone.localtime(end), calendar)
    count = 0
    while first < last:
        first = _advance(*first, 1, calendar)
        count += 1
    return count


def extended(
    due: dt.datetime, halves: int, calendar: WorkingCalendar | None = None
) -> dt.datetime:
    """``due`` moved on by ``halves`` working half days (a pause's length)."""
    calendar = calendar or WorkingCalendar.load()
    local = timezone.localtime(due)
    day, half = local.date(), 0 if local.time() < NOON else 1
    day, half = _advance(day, half, halves, calendar)
    return _at(day, half, local.tzinfo)
