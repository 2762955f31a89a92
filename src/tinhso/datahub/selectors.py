"""Reads of the data-sharing platform that follow a rule: what a data
officer sees, usage figures, the access log of a service or client."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from tinhso.accounts.policies import held_roles
from tinhso.datahub.constants import ServiceStatus
from tinhso.datahub.models import AccessEntry, Client, DataService, Grant, GrantUsage
from tinhso.datahub.policies import MANAGING_ROLES


def published_services() -> QuerySet[DataService]:
    return DataService.objects.filter(status=ServiceStatus.PUBLISHED).select_related(
        "owner"
    )


def _managed(user: Any, field: str) -> Q:
    """Rows whose ``field`` unit ``user`` manages (itself, or below it when
    the role covers the subtree)."""
    where = Q(pk__in=[])
    for a in held_roles(user):
        if a.role not in MANAGING_ROLES:
            continue
        where |= Q(**{f"{field}_id": a.org_unit_id})
        if a.include_subtree:
            where |= Q(**{f"{field}__path__startswith": a.org_unit.path})
    return where


def catalog_for(user: Any) -> QuerySet[DataService]:
    """Every published service, and the drafts and retired ones ``user``'s
    units own."""
    return (
        DataService.objects.filter(
            Q(status=ServiceStatus.PUBLISHED) | _managed(user, "owner")
        )
        .select_related("owner")
        .order_by("code")
    )


def clients_for(user: Any) -> QuerySet[Client]:
    """Clients ``user``'s units run, and those holding grants on services
    ``user``'s units own."""
    owned_services = DataService.objects.filter(_managed(user, "owner"))
    return (
        Client.objects.filter(
            _managed(user, "unit") | Q(grants__service__in=owned_services)
        )
        .distinct()
        .select_related("unit")
        .order_by("code")
    )


def live_grants(**where: Any) -> QuerySet[Grant]:
    return (
        Grant.objects.filter(revoked_at__isnull=True, **where)
        .select_related("client", "service", "service__owner", "granted_by")
        .order_by("client__code", "service__code")
    )


@dataclass(frozen=True)
class Usage:
    client_code: str
    client_name: str
    service_code: str
    service_name: str
    calls: int
    refused: int
    failed: int
    rows: int
    mean_ms: float | None


def usage(
    *,
    services: QuerySet[DataService] | None = None,
    clients: QuerySet[Client] | None = None,
    since: dt.date | None = None,
) -> list[Usage]:
    """Calls per client and service from ``since`` (the last 30 days by
    default), read from the daily tallies, never the log itself."""
    since = since or timezone.localdate() - dt.timedelta(days=29)
    rows = GrantUsage.objects.filter(day__gte=since)
    if services is not None:
        rows = rows.filter(grant__service__in=services)
    if clients is not None:
        rows = rows.filter(grant__client__in=clients)
    grouped = (
        rows.values(
            "grant__client__code",
            "grant__client__name",
            "grant__service__code",
            "grant__service__name",
        )
        .annotate(
            calls=Sum("calls"),
            refused=Sum("refused"),
            failed=Sum("failed"),
            rows=Sum("rows"),
            latency=Sum("latency_us"),
        )
        .order_by("grant__service__code", "grant__client__code")
    )
    return [
        Usage(
            client_code=g["grant__client__code"],
            client_name=g["grant__client__name"],
            service_code=g["grant__service__code"],
            service_name=g["grant__service__name"],
            calls=g["calls"],
            refused=g["refused"],
            failed=g["failed"],
            rows=g["rows"],
            mean_ms=(
                g["latency"] / 1000 / (g["calls"] + g["refused"])
                if g["calls"] + g["refused"]
                else None
            ),
        )
        for g in grouped
    ]


def access_entries(
    *, service_codes: list[str] | None = None, client_codes: list[str] | None = None
) -> QuerySet[AccessEntry]:
    """The log, newest first, cut to some services or clients."""
    entries = AccessEntry.objects.order_by("-seq")
    if service_codes is not None and client_codes is not None:
        return entries.filter(
            Q(service_code__in=service_codes) | Q(client_code__in=client_codes)
        )
    if service_codes is not None:
        return entries.filter(service_code__in=service_codes)
    if client_codes is not None:
        return entries.filter(client_code__in=client_codes)
    return entries
