"""Report periods: calendar ones, and Decree 09/2019's cut-off periods."""

import datetime as dt
import itertools

import pytest

from tinhso.reporting.constants import Frequency
from tinhso.reporting.periods import period_of, periods_between

D = dt.date


@pytest.mark.parametrize(
    ("frequency", "day", "cutoff", "label", "start", "end"),
    [
        (
            Frequency.MONTHLY,
            D(2026, 3, 14),
            True,
            "Tháng 3/2026",
            D(2026, 2, 15),
            D(2026, 3, 14),
        ),
        (
            Frequency.MONTHLY,
            D(2026, 3, 15),
            True,
            "Tháng 4/2026",
            D(2026, 3, 15),
            D(2026, 4, 14),
        ),
        (
            Frequency.QUARTERLY,
            D(2025, 12, 20),
            True,
            "Quý I/2026",
            D(2025, 12, 15),
            D(2026, 3, 14),
        ),
        (
            Frequency.QUARTERLY,
            D(2026, 9, 14),
            True,
            "Quý III/2026",
            D(2026, 6, 15),
            D(2026, 9, 14),
        ),
        (
            Frequency.HALF_YEARLY,
            D(2026, 6, 14),
            True,
            "6 tháng đầu năm 2026",
            D(2025, 12, 15),
            D(2026, 6, 14),
        ),
        (
            Frequency.YEARLY,
            D(2026, 12, 15),
            True,
            "Năm 2027",
            D(2026, 12, 15),
            D(2027, 12, 14),
        ),
        (
            Frequency.QUARTERLY,
            D(2026, 9, 30),
            False,
            "Quý III/2026",
            D(2026, 7, 1),
            D(2026, 9, 30),
        ),
        (
            Frequency.MONTHLY,
            D(2024, 2, 10),
            False,
            "Tháng 2/2024",
            D(2024, 2, 1),
            D(2024, 2, 29),
        ),
    ],
)
def test_periods(frequency, day, cutoff, label, start, end) -> None:  # type: ignore[no-untyped-def]
    period = period_of(frequency, day, cutoff_15th=cutoff)
    assert (period.label, period.start, period.end) == (label, start, end)


def test_periods_between_follow_each_other_without_gaps() -> None:
    found = periods_between(
        Frequency.QUARTERLY, D(2026, 1, 1), D(2026, 12, 3), cutoff_15th=True
    )
    assert [p.label for p in found] == [
        "Quý I/2026",
        "Quý II/2026",
        "Quý III/2026",
        "Quý IV/2026",
    ]
    for before, after in itertools.pairwise(found):
        assert after.start == before.end + dt.timedelta(days=1)
