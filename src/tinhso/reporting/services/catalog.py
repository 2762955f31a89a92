"""Writes of the catalog: indicators, targets, alert rules, the center's
devices and the map's shapes. Pages validate with model forms; these check
the actor, keep the invariants forms cannot see, and audit."""

import json
import math
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tinhso.core import audit, metrics
from tinhso.core.errors import DomainError, Forbidden, validated
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.reporting import policies
from tinhso.reporting.constants import Rollup, ShapeSource, Source
from tinhso.reporting.models import AlertRule, Device, Indicator, Shape, Target


def may_manage(actor: Any) -> None:
    if not policies.can_manage_catalog(actor):
        raise Forbidden(
            "not_reporting_admin",
            _("Chỉ quản trị hệ thống mới sửa được danh mục chỉ tiêu và biểu mẫu."),
        )


def save_indicator(actor: Any, indicator: Indicator) -> Indicator:
    may_manage(actor)
    if indicator.source == Source.COMPUTED:
        if indicator.metric not in metrics.indicators:
            raise DomainError(
                "unknown_metric",
                _("Hệ thống không có chỉ số “%(code)s” để tính tự động.")
                % {"code": indicator.metric},
                extra={"field": "metric"},
            )
        computed = metrics.indicators.get(indicator.metric)
        if computed.share != (indicator.rollup == Rollup.RATIO):
            raise DomainError(
                "metric_rollup_mismatch",
                _(
                    "Chỉ số “%(code)s” là tỷ lệ thì chỉ tiêu phải tổng hợp theo tỷ lệ "
                    "có trọng số, và ngược lại."
                )
                % {"code": indicator.metric},
                extra={"field": "rollup"},
            )
    else:
        indicator.metric = ""
    validated(indicator)
    with transaction.atomic():
        created = indicator.pk is None
        indicator.save()
        audit.record(
            "reporting.indicator_created" if created else "reporting.indicator_changed",
            obj=indicator,
            actor=actor,
            detail={"code": indicator.code},
        )
    return indicator


def set_target(actor: Any, target: Target) -> Target:
    may_manage(actor)
    validated(target)
    with transaction.atomic():
        Target.objects.filter(
            indicator=target.indicator, unit=target.unit, year=target.year
        ).exclude(pk=target.pk).delete()
        target.save()
        audit.record(
            "reporting.target_set",
            obj=target,
            actor=actor,
            detail={
                "indicator": target.indicator.code,
                "unit": target.unit.code,
                "year": target.year,
                "value": str(target.value),
            },
        )
    return target


def delete_target(actor: Any, target: Target) -> None:
    may_manage(actor)
    with transaction.atomic():
        audit.record(
            "reporting.target_deleted",
            obj=target,
            actor=actor,
            detail={"indicator": target.indicator.code, "year": target.year},
        )
        target.delete()


def save_alert_rule(actor: Any, rule: AlertRule) -> AlertRule:
    may_manage(actor)
    validated(rule)
    with transaction.atomic():
        rule.save()
        # A changed rule judges afresh at the next refresh.
        rule.alerts.filter(cleared_at__isnull=True).delete()
        audit.record(
            "reporting.alert_rule_saved",
            obj=rule,
            actor=actor,
            detail={"indicator": rule.indicator.code, "threshold": str(rule.threshold)},
        )
    return rule


def save_device(actor: Any, device: Device) -> Device:
    may_manage(actor)
    validated(device)
    with transaction.atomic():
        device.save()
        audit.record(
            "reporting.device_saved",
            obj=device,
            actor=actor,
            detail={"name": device.name, "url": device.stream_url},
        )
    return device


def delete_device(actor: Any, device: Device) -> None:
    may_manage(actor)
    with transaction.atomic():
        audit.record(
            "reporting.device_deleted",
            obj=device,
            actor=actor,
            detail={"name": device.name},
        )
        device.delete()


# Map shapes ---------------------------------------------------------------------


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "Polygon":
        polygons: list[Any] = [coords]
    elif kind == "MultiPolygon":
        polygons = list(coords or [])
    else:
        raise ValueError(kind)
    rings = [ring for polygon in polygons for ring in polygon]
    for ring in rings:
        if len(ring) < 4:
            raise ValueError("ring")
        for point in ring:
            lon, lat = float(point[0]), float(point[1])
            if not (math.isfinite(lon) and math.isfinite(lat)):
                raise ValueError("point")
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise ValueError("point")
    if not rings:
        raise ValueError("empty")
    return rings


def import_shapes(
    actor: Any, data: bytes, *, code_property: str = "code"
) -> dict[str, Any]:
    """Load communes' outlines from a GeoJSON FeatureCollection whose
    features name the commune's code in ``code_property``. Either every
    feature is good and all are kept, or none is, with each fault named."""
    may_manage(actor)
    try:
        collection = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DomainError(
            "geojson_unreadable", _("Tệp không phải GeoJSON hợp lệ.")
        ) from exc
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list) or not features:
        raise DomainError(
            "geojson_no_features",
            _("Tệp GeoJSON phải là một FeatureCollection có ít nhất một vùng."),
        )
    communes = {
        u.code: u
        for u in OrgUnit.objects.filter(kind=OrgUnitKind.COMMUNE, legacy=False)
    }
    faults: list[str] = []
    found: dict[int, dict[str, Any]] = {}
    for n, feature in enumerate(features, start=1):
        props = (feature or {}).get("properties") or {}
        code = str(props.get(code_property, "")).strip()
        unit = communes.get(code) or communes.get(code.zfill(5))
        if unit is None:
            faults.append(
                _("Vùng %(n)d: không có xã, phường mang mã “%(code)s”.")
                % {"n": n, "code": code}
            )
            continue
        geometry = (feature or {}).get("geometry") or {}
        try:
            _rings(geometry)
        except (ValueError, TypeError, IndexError):
            faults.append(
                _("Vùng %(n)d (%(name)s): hình không phải Polygon/MultiPolygon hợp lệ.")
                % {"n": n, "name": unit.name}
            )
            continue
        found[unit.pk] = {
            "type": geometry["type"],
            "coordinates": geometry["coordinates"],
        }
    if faults:
        raise DomainError(
            "geojson_faults",
            _("Không nạp vùng nào: %(faults)s") % {"faults": " ".join(faults[:20])},
            extra={"faults": faults},
        )
    with transaction.atomic():
        for unit_id, geometry in found.items():
            Shape.objects.update_or_create(
                unit_id=unit_id,
                defaults={"geometry": geometry, "source": ShapeSource.IMPORTED},
            )
        audit.record(
            "reporting.shapes_imported",
            object_type="reporting.shape",
            actor=actor,
            detail={"communes": len(found)},
        )
    return {"communes": len(found)}


def draw_schematic(province: OrgUnit) -> int:
    """Give every commune of ``province`` without an outline a hexagon on a
    grid, in alphabetical order: a labelled stand-in until the province's
    boundary file is imported, never passed off as a real map."""
    communes = list(
        OrgUnit.objects.filter(
            kind=OrgUnitKind.COMMUNE, legacy=False, path__startswith=province.path
        ).order_by("name_folded")
    )
    have = set(
        Shape.objects.filter(unit__in=communes).values_list("unit_id", flat=True)
    )
    columns = max(1, math.ceil(math.sqrt(len(communes) * 1.3)))
    size = 0.05  # degrees; only the proportions matter
    made = []
    for n, unit in enumerate(communes):
        if unit.pk in have:
            continue
        row, col = divmod(n, columns)
        cx = 105.0 + col * size * math.sqrt(3) + (row % 2) * size * math.sqrt(3) / 2
        cy = 22.0 - row * size * 1.5
        ring = [
            [
                round(cx + size * math.cos(math.radians(60 * k + 30)), 6),
                round(cy + size * math.sin(math.radians(60 * k + 30)), 6),
            ]
            for k in range(6)
        ]
        ring.append(ring[0])
        made.append(
            Shape(
                unit=unit,
                geometry={"type": "Polygon", "coordinates": [ring]},
                source=ShapeSource.SCHEMATIC,
            )
        )
    Shape.objects.bulk_create(made)
    return len(made)
