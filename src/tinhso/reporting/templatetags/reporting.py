"""Template filters for figures: grouped thousands and the indicator's
decimals, a ratio as a percentage, a dash for no data."""

from typing import Any

from django import template
from django.utils import formats

from tinhso.reporting.models import Indicator

register = template.Library()


def show(value: float | None, indicator: Indicator | None) -> str:
    if value is None:
        return "—"
    decimals = 0
    if indicator is not None:
        decimals = max(indicator.decimals, 1 if indicator.is_ratio else 0)
    return formats.number_format(
        round(float(value), decimals), decimals, use_l10n=True, force_grouping=True
    )


@register.filter
def figure(value: Any, indicator: Indicator | None = None) -> str:
    return show(value, indicator)


@register.filter
def with_unit(value: Any, indicator: Indicator) -> str:
    if value is None:
        return "—"
    unit = "%" if indicator.is_ratio else indicator.unit_of_measure
    joiner = "" if unit == "%" else " "
    return f"{show(value, indicator)}{joiner}{unit}"


@register.simple_tag
def sparkline(
    trend: list[tuple[Any, float | None]], width: int = 120, height: int = 28
) -> str:
    """Points of an SVG polyline for the months' figures (gaps skipped)."""
    values = [v for _m, v in trend if v is not None]
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = width / max(1, len(trend) - 1)
    return " ".join(
        f"{round(n * step, 1)},{round(height - 2 - (v - low) / span * (height - 4), 1)}"
        for n, (_m, v) in enumerate(trend)
        if v is not None
    )


@register.filter
def ratio_of(entry: dict[str, str]) -> float | None:
    """A stored ratio's percentage ({"value": "412", "total": "530"} → 77.7)."""
    try:
        value, total = float(entry["value"]), float(entry["total"])
    except (KeyError, TypeError, ValueError):
        return None
    return 100.0 * value / total if total else None
