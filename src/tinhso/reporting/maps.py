"""The communes' map drawn as SVG on the server: outlines projected to the
page, shaded by an indicator in five classes. No tiles, scripts or fonts
from elsewhere, and it shows without JavaScript."""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

# Light to dark: higher figures are darker whatever the indicator's direction.
PALETTE = ("#e8f1fa", "#b9d3ec", "#7eaed8", "#3f7fbf", "#174f8c")
NO_DATA = "#eeeeee"


@dataclass(frozen=True)
class Area:
    unit_id: int
    name: str
    value: float | None
    path: str
    fill: str
    label: str
    # Numbers written for SVG, never through the locale's decimal comma.
    label_x: str
    label_y: str


@dataclass(frozen=True)
class Legend:
    low: float
    high: float
    fill: str


@dataclass(frozen=True)
class Drawing:
    width: int
    height: int
    areas: list[Area]
    legend: list[Legend]
    schematic: bool
    label_size: str


def _polygons(geometry: dict[str, Any]) -> list[list[list[list[float]]]]:
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"]]
    return list(geometry.get("coordinates") or [])


def breaks(values: Sequence[float], classes: int = len(PALETTE)) -> list[float]:
    """Upper bounds of equal-count classes over ``values``."""
    ordered = sorted(values)
    if not ordered:
        return []
    return [
        ordered[math.ceil(len(ordered) * k / classes) - 1]
        for k in range(1, classes + 1)
    ]


def _fill(value: float | None, bounds: list[float]) -> str:
    if value is None:
        return NO_DATA
    for n, bound in enumerate(bounds):
        if value <= bound:
            return PALETTE[n]
    return PALETTE[-1]


def draw(
    shapes: dict[int, dict[str, Any]],
    rows: Iterable[tuple[int, str, float | None]],
    *,
    width: int = 640,
    schematic: bool = False,
) -> Drawing | None:
    """Project ``shapes`` (unit id → GeoJSON geometry) and shade each by
    its row's value; None when no unit has a shape."""
    rows = [r for r in rows if r[0] in shapes]
    if not rows:
        return None
    points = [
        (lon, lat)
        for unit_id, _name, _value in rows
        for polygon in _polygons(shapes[unit_id])
        for ring in polygon
        for lon, lat, *_rest in ring
    ]
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    # Equirectangular, with longitude shrunk by the cosine of the middle
    # latitude so shapes keep their proportions at Vietnam's latitudes.
    squeeze = math.cos(math.radians((north + south) / 2))
    span_x = max((east - west) * squeeze, 1e-9)
    span_y = max(north - south, 1e-9)
    pad = 8
    scale = (width - 2 * pad) / span_x
    height = int(span_y * scale + 2 * pad)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (
            round(pad + (lon - west) * squeeze * scale, 1),
            round(pad + (north - lat) * scale, 1),
        )

    valued = [v for _u, _n, v in rows if v is not None]
    bounds = breaks(valued)
    areas = []
    for unit_id, name, value in rows:
        parts, xs, ys = [], [], []
        for polygon in _polygons(shapes[unit_id]):
            for ring in polygon:
                projected = [xy(lon, lat) for lon, lat, *_rest in ring]
                xs += [p[0] for p in projected]
                ys += [p[1] for p in projected]
                parts.append("M" + " L".join(f"{x},{y}" for x, y in projected) + " Z")
        areas.append(
            Area(
                unit_id=unit_id,
                name=name,
                value=value,
                path=" ".join(parts),
                fill=_fill(value, bounds),
                label=short_name(name),
                label_x=f"{sum(xs) / len(xs):.1f}",
                label_y=f"{sum(ys) / len(ys):.1f}",
            )
        )
    legend: list[Legend] = []
    low = min(valued) if valued else 0.0
    for n, bound in enumerate(bounds):
        if legend and bound == legend[-1].high:
            continue
        legend.append(Legend(low=low, high=bound, fill=PALETTE[n]))
        low = bound
    # Labels a fifth of an average area's width, within reason.
    size = max(5.0, min(12.0, width / max(1.0, math.sqrt(len(areas))) / 6))
    return Drawing(width, height, areas, legend, schematic, f"{size:.1f}")


def short_name(name: str) -> str:
    """ "Phường Hà Giang 1" → "Hà Giang 1": the division word goes on a map."""
    for word in ("Phường ", "Xã ", "Đặc khu ", "Thị trấn "):
        if name.startswith(word):
            return name[len(word) :]
    return name
