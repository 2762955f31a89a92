"""Indicators that apps feed to reporting, registered by a stable code.

Each app's ``metrics.py`` registers its indicators from ``ready()``;
reporting asks them for figures and never reads the apps' tables itself.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from tinhso.core.registry import Registry


@dataclass(frozen=True)
class MonthlyFigure:
    """One unit's figure for one month."""

    unit_id: int
    month: dt.date  # the first day of the month
    value: int
    # The denominator of a share; None for a plain count.
    total: int | None = None


@dataclass(frozen=True)
class Indicator:
    """A figure an app computes for reporting, known by a stable code.

    ``compute(first, last)`` answers for every month from ``first``'s to
    ``last``'s, both included, one figure per unit and month that had any
    documents (a missing row means zero).
    """

    code: str
    label: str | Promise
    description: str | Promise
    compute: Callable[[dt.date, dt.date], list[MonthlyFigure]]
    share: bool = False


indicators: Registry[Indicator] = Registry("indicators")


def register(indicator: Indicator) -> Indicator:
    return indicators.register(indicator.code, indicator)
