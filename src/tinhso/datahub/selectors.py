"""Reads of the data-sharing platform that follow a rule: what a data
officer sees, usage figures, the access log of a service or client."""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Expression, Q, QuerySet, Sum, TextField
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tinhso.accounts.policies import held_roles
from tinhso.core import search, sharing
from tinhso.core.errors import DomainError
from tinhso.core.masking import mask
from tinhso.core.models import OrgUnit
from tinhso.core.text import fold, nfc
from tinhso.datahub.constants import DATASET_SCOPE, DatasetStatus, ServiceStatus
from tinhso.datahub.models import (
    AccessEntry,
    Client,
    DataService,
    Dataset,
    DatastoreRow,
    Grant,
    GrantUsage,
    Resource,
)
from tinhso.datahub.policies import MANAGING_ROLES

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


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


@dataclass(frozen=True)
class Shown:
    """A log row as a page shows it: personal parameters masked."""

    entry: AccessEntry
    params: list[tuple[str, str]]


def shown_entries(entries: Any) -> list[Shown]:
    """``entries`` with the parameters that hold personal data masked (the
    log itself keeps them whole, as proof of who was asked about)."""
    rows = list(entries)
    sources = dict(
        DataService.objects.filter(code__in={e.service_code for e in rows}).values_list(
            "code", "source"
        )
    )
    kinds: dict[str, dict[str, str]] = {}
    for code, source in sources.items():
        if source in sharing.providers:
            provider = sharing.providers.get(source)
            kinds[code] = {p.name: p.personal for p in provider.params if p.personal}
    shown = []
    for entry in rows:
        personal = kinds.get(entry.service_code, {})
        shown.append(
            Shown(
                entry,
                [
                    (k, str(mask(personal[k], v)) if k in personal else str(v))
                    for k, v in sorted(entry.params.items())
                ],
            )
        )
    return shown


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


# Open data ------------------------------------------------------------------


def published_datasets() -> QuerySet[Dataset]:
    return Dataset.objects.filter(status=DatasetStatus.PUBLISHED).select_related(
        "publisher"
    )


def search_datasets(
    query: str = "",
    *,
    publishers: list[str] | None = None,
    themes: list[str] | None = None,
    keywords: list[str] | None = None,
    formats: list[str] | None = None,
    modified_since: dt.datetime | None = None,
) -> QuerySet[Dataset]:
    """Published datasets matching ``query`` (title, description, keywords,
    publisher; with or without diacritics) and the filters, newest first.
    Each filter takes any of its values; ``publishers`` are units' CKAN
    names (``org_name``)."""
    datasets = published_datasets()
    if publishers:
        units = [u for u, _n in publishers_with_counts() if org_name(u) in publishers]
        datasets = datasets.filter(publisher__in=units)
    if themes:
        datasets = datasets.filter(theme__in=themes)
    if keywords:
        tagged = Q(pk__in=[])
        for keyword in keywords:
            tagged |= Q(tag_index__contains=f"|{nfc(keyword).casefold()}|")
        datasets = datasets.filter(tagged)
    if formats:
        datasets = datasets.filter(
            pk__in=Resource.objects.filter(
                format__in=[f.upper() for f in formats]
            ).values("dataset")
        )
    if modified_since is not None:
        datasets = datasets.filter(modified_at__gte=modified_since)
    if query.strip():
        return search.filter_queryset(
            datasets.order_by(), DATASET_SCOPE, query, newest_first=True
        )
    return datasets.order_by("-pk")


def datasets_for(user: Any) -> QuerySet[Dataset]:
    """Datasets of the units ``user`` publishes for, drafts included."""
    return (
        Dataset.objects.filter(_managed(user, "publisher"))
        .select_related("publisher")
        .order_by("-modified_at")
    )


def get_dataset(name_or_id: str) -> Dataset | None:
    """A published dataset by CKAN name or id."""
    datasets = published_datasets().prefetch_related("resources")
    found = datasets.filter(name=name_or_id).first()
    if found is None and _UUID.fullmatch(name_or_id.lower()):
        found = datasets.filter(uuid=name_or_id).first()
    return found


def org_name(unit: OrgUnit) -> str:
    """A unit's CKAN organization name: its name folded into a slug."""
    return slugify(fold(unit.name))[:100].strip("-")


def publishers_with_counts() -> list[tuple[OrgUnit, int]]:
    """Units with published datasets and how many, by name."""
    counts = published_datasets().values("publisher").annotate(n=Count("pk")).order_by()
    by_id = {row["publisher"]: row["n"] for row in counts}
    units = OrgUnit.objects.filter(pk__in=by_id).order_by("name")
    return [(unit, by_id[unit.pk]) for unit in units]


def published_resource(resource_id: str) -> Resource | None:
    if not _UUID.fullmatch(resource_id.lower()):
        return None
    return (
        Resource.objects.filter(
            uuid=resource_id, dataset__status=DatasetStatus.PUBLISHED
        )
        .select_related("dataset", "file")
        .first()
    )


class _JsonText(Expression):
    """One key of a datastore row, as text. The key is always a key: the
    ORM's ``data__2024`` would read an array index, ``data__contains`` a
    lookup, and statistics tables have columns named so."""

    def __init__(self, key: str) -> None:
        super().__init__(output_field=TextField())
        self.key = key

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        column = f'"{DatastoreRow._meta.db_table}"."data"'
        if connection.vendor == "postgresql":
            return f"({column} ->> %s)", [self.key]
        return f"CAST(json_extract({column}, %s) AS TEXT)", [f'$."{self.key}"']


def _as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class Records:
    fields: list[dict[str, str]]
    records: list[dict[str, Any]]
    total: int | None


def datastore_search(
    resource: Resource,
    *,
    q: str = "",
    filters: dict[str, Any] | None = None,
    offset: int = 0,
    limit: int = 100,
) -> Records:
    """A page of a resource's rows: from the datastore for an uploaded
    table (filtered by exact values and folded words), from the provider
    for a live view (``filters`` are the provider's parameters)."""
    columns = [{"id": c["id"], "type": c["type"]} for c in resource.columns]
    if resource.live:
        provider = sharing.get(resource.provider)
        if provider.external or provider.personal_fields():
            # Open once, but its source has taken on personal data since.
            raise DomainError(
                "provider_not_open",
                _("Nguồn của tài nguyên này nay có dữ liệu cá nhân; không mở được."),
            )
        # The officer's parameters win over a caller's filters.
        params = {**(filters or {}), **resource.provider_params}
        if q:
            params["q"] = q
        live = provider.fetch(sharing.clean_params(provider, params), offset, limit)
        names = [c["id"] for c in columns]
        items = [{k: row.get(k) for k in names} for row in live.items]
        return Records(columns, items, live.total)
    rows = DatastoreRow.objects.filter(resource=resource)
    known = {c["id"] for c in columns}
    for n, (key, value) in enumerate((filters or {}).items()):
        if key not in known or '"' in key:
            raise DomainError(
                "unknown_field",
                _("Tài nguyên không có cột “%(name)s”.") % {"name": key},
            )
        name = f"filtered_{n}"
        rows = rows.annotate(**{name: _JsonText(key)})
        if value is None:
            rows = rows.filter(**{f"{name}__isnull": True})
        else:
            rows = rows.filter(**{name: _as_text(value)})
    for word in fold(q).split():
        rows = rows.filter(folded__contains=word)
    total = rows.count() if filters or q else resource.row_count
    page = rows.order_by("n").values_list("n", "data")[offset : offset + limit]
    return Records(
        [{"id": "_id", "type": "int"}, *columns],
        [{"_id": n, **data} for n, data in page],
        total,
    )
