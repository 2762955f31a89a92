"""Reads of core tables that follow a rule."""

from django.db.models import QuerySet

from tinhso.core import search
from tinhso.core.models import OrgUnit
from tinhso.core.services import ORGUNIT_SCOPE


def orgunits(*, include_legacy: bool = False) -> QuerySet[OrgUnit]:
    units = OrgUnit.objects.all()
    return units if include_legacy else units.filter(legacy=False)


def subtree(unit: OrgUnit, *, include_self: bool = True) -> QuerySet[OrgUnit]:
    units = OrgUnit.objects.filter(path__startswith=unit.path, legacy=unit.legacy)
    return units if include_self else units.exclude(pk=unit.pk)


def search_orgunits(query: str, *, include_legacy: bool = False) -> QuerySet[OrgUnit]:
    return search.filter_queryset(
        orgunits(include_legacy=include_legacy), ORGUNIT_SCOPE, query
    )


def ancestors(unit: OrgUnit) -> list[OrgUnit]:
    by_id = OrgUnit.objects.in_bulk(unit.ancestor_ids())
    return [by_id[i] for i in unit.ancestor_ids() if i in by_id]


def resolve_current(unit: OrgUnit) -> list[OrgUnit]:
    """Today's units for ``unit``: itself if current, else its successors.

    A former district has no successor of its own; it resolves to the
    current communes that took over its communes.
    """
    if not unit.legacy:
        return [unit]
    direct = list(unit.successors.filter(legacy=False).order_by("name"))
    if direct:
        return direct
    former_children = subtree(unit, include_self=False)
    return list(
        OrgUnit.objects.filter(legacy=False, predecessors__in=former_children)
        .distinct()
        .order_by("name")
    )


def province_name() -> str:
    """Name shown in the header: the setting, else the current province unit."""
    from django.conf import settings
    from django.core.cache import cache

    configured: str = getattr(settings, "PROVINCE_NAME", "")
    if configured:
        return configured
    name = cache.get("tinhso:province_name")
    if name is None:
        unit = (
            OrgUnit.objects.filter(kind="province", legacy=False).order_by("pk").first()
        )
        name = unit.name if unit is not None else ""
        cache.set("tinhso:province_name", name, 300)
    return name
