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
