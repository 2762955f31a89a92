"""A CKAN-compatible read API over the open data portal, so that existing
CKAN clients (ckanapi, the CKAN harvester, data.gov portals) work
unchanged: ``/api/3/action/<action>`` (and ``/api/action/<action>``, as
ckanapi calls it), GET with query parameters or POST with a JSON body,
answers ``{"help", "success", "result"}`` and CKAN's error shapes."""

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from tinhso.core.errors import DomainError
from tinhso.datahub import selectors
from tinhso.datahub.constants import LICENCE_URLS, Licence
from tinhso.datahub.models import Dataset, Resource

MAX_ROWS = 1000


class ActionError(Exception):
    def __init__(self, status: int, kind: str, message: str, **more: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"__type": kind, "message": message, **more}


def _not_found(what: str) -> ActionError:
    return ActionError(
        404, "Not Found Error", _("Không tìm thấy %(what)s.") % {"what": what}
    )


def _invalid(field: str, message: str) -> ActionError:
    return ActionError(409, "Validation Error", message, **{field: [message]})


def _int(data: dict[str, Any], name: str, default: int, top: int) -> int:
    value = data.get(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _invalid(name, _("Phải là một số nguyên.")) from None
    if not 0 <= number <= top:
        raise _invalid(name, _("Phải từ 0 đến %(top)s.") % {"top": top})
    return number


def _iso(value: Any) -> str | None:
    return value.replace(tzinfo=None).isoformat() if value else None


def organization(unit: Any, count: int | None = None) -> dict[str, Any]:
    org: dict[str, Any] = {
        "id": str(unit.pk),
        "name": selectors.org_name(unit),
        "title": unit.name,
        "display_name": unit.name,
        "description": "",
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "created": _iso(unit.created_at),
        "extras": [{"key": "agency_code", "value": unit.code}],
    }
    if count is not None:
        org["package_count"] = count
    return org


def resource_dict(request: HttpRequest, resource: Resource) -> dict[str, Any]:
    url = request.build_absolute_uri(
        reverse("datahub:resource_download", args=[resource.uuid])
    )
    size = resource.file.size if resource.file else None
    mimetype = resource.file.content_type if resource.file else "application/json"
    return {
        "id": str(resource.uuid),
        "package_id": str(resource.dataset.uuid),
        "name": resource.name,
        "description": resource.description,
        "format": resource.format,
        "url": url,
        "url_type": "upload" if resource.file else "",
        "mimetype": mimetype,
        "size": size,
        "position": resource.position,
        "created": _iso(resource.created_at),
        "last_modified": _iso(resource.modified_at),
        "state": "active",
        "datastore_active": True,
        "resource_type": "api" if resource.live else "file.upload",
    }


def package(request: HttpRequest, dataset: Dataset) -> dict[str, Any]:
    resources = [resource_dict(request, r) for r in dataset.resources.all()]
    page = request.build_absolute_uri(
        reverse("datahub:portal_dataset", args=[dataset.name])
    )
    extras = [
        ("theme", dataset.theme),
        ("frequency", dataset.frequency),
        ("temporal_start", dataset.temporal_start),
        ("temporal_end", dataset.temporal_end),
        ("spatial_text", dataset.spatial.name if dataset.spatial else ""),
        ("spatial_code", dataset.spatial.code if dataset.spatial else ""),
    ]
    return {
        "id": str(dataset.uuid),
        "name": dataset.name,
        "title": dataset.title,
        "notes": dataset.description,
        "type": "dataset",
        "state": "active",
        "private": False,
        "license_id": dataset.licence,
        "license_title": str(Licence(dataset.licence).label),
        "license_url": LICENCE_URLS.get(Licence(dataset.licence), ""),
        "metadata_created": _iso(dataset.created_at),
        "metadata_modified": _iso(dataset.modified_at),
        "maintainer": dataset.publisher.name,
        "maintainer_email": dataset.contact_email,
        "author": dataset.publisher.name,
        "author_email": dataset.contact_email,
        "owner_org": str(dataset.publisher.pk),
        "organization": organization(dataset.publisher),
        "url": page,
        "version": None,
        "tags": [
            {"name": k, "display_name": k, "state": "active"} for k in dataset.keywords
        ],
        "num_tags": len(dataset.keywords),
        "groups": [],
        "resources": resources,
        "num_resources": len(resources),
        "extras": [{"key": key, "value": str(value)} for key, value in extras if value],
    }


def package_list(request: HttpRequest, data: dict[str, Any]) -> Any:
    limit = _int(data, "limit", MAX_ROWS, MAX_ROWS)
    offset = _int(data, "offset", 0, 10**9)
    names = (
        selectors.published_datasets().order_by("name").values_list("name", flat=True)
    )
    return list(names[offset : offset + limit])


_FQ_FIELDS = {"organization", "tags", "res_format", "groups", "theme"}


_FQ_TERM = re.compile(r'([+-]?)(\w+):("[^"]*"|\[[^\]]*\]|[^\s()]+)')
_FQ_GLUE = re.compile(r"\(|\)|\bOR\b|\bAND\b|\s+")


def _filters(fq: str) -> tuple[dict[str, list[str]], str]:
    """CKAN's ``fq`` as clients send it: ``field:value`` terms, values quoted
    when they hold spaces (``tags:"trường học"``), several values of one
    field joined by OR in parentheses (the harvester's organisation filter),
    and ``metadata_modified:[SINCE TO *]`` (its incremental harvest).
    Returns the values by field and the ``since`` time ("" when none)."""
    found: dict[str, list[str]] = {}
    since = ""
    for sign, field, value in _FQ_TERM.findall(fq):
        if field == "metadata_modified" and value.startswith("["):
            lower = value.strip("[]").split(" TO ")[0].strip()
            since = "" if lower == "*" else lower
            continue
        if sign == "-" or field not in _FQ_FIELDS:
            raise ActionError(
                409,
                "Search Query Error",
                _(
                    "Chỉ lọc được theo organization, tags, res_format, theme, "
                    "metadata_modified: “%(term)s”."
                )
                % {"term": f"{sign}{field}:{value}"},
            )
        found.setdefault(field, []).append(value.strip('"'))
    if _FQ_GLUE.sub("", _FQ_TERM.sub("", fq)):
        raise ActionError(
            409,
            "Search Query Error",
            _("Không hiểu bộ lọc “%(fq)s”.") % {"fq": fq},
        )
    return found, since


def package_search(request: HttpRequest, data: dict[str, Any]) -> Any:
    rows = _int(data, "rows", 10, MAX_ROWS)
    start = _int(data, "start", 0, 10**9)
    q = str(data.get("q") or "")
    q = "" if q.strip() in ("*:*", "*") else q
    fq, since = _filters(str(data.get("fq") or ""))
    if fq.get("groups"):
        return {
            "count": 0,
            "results": [],
            "facets": {},
            "search_facets": {},
            "sort": "",
        }
    found = selectors.search_datasets(
        q,
        publishers=fq.get("organization", []),
        keywords=fq.get("tags", []),
        formats=fq.get("res_format", []),
        themes=fq.get("theme", []),
        modified_since=_since(since),
    )
    page = list(found.prefetch_related("resources")[start : start + rows])
    short = len(page) < rows and (page or start == 0)
    count = start + len(page) if short else found.count()
    return {
        "count": count,
        "results": [package(request, d) for d in page],
        "facets": {},
        "search_facets": {},
        "sort": "metadata_created desc",
    }


def _since(text: str) -> dt.datetime | None:
    if not text:
        return None
    moment = parse_datetime(text.replace("Z", "+00:00"))
    if moment is None:
        raise _invalid("fq", _("Thời điểm “%(value)s” không hợp lệ.") % {"value": text})
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def package_show(request: HttpRequest, data: dict[str, Any]) -> Any:
    given = str(data.get("id") or data.get("name_or_id") or "")
    if not given:
        raise _invalid("id", _("Thiếu giá trị."))
    dataset = selectors.get_dataset(given)
    if dataset is None:
        raise _not_found(_("bộ dữ liệu"))
    return package(request, dataset)


def organization_list(request: HttpRequest, data: dict[str, Any]) -> Any:
    units = selectors.publishers_with_counts()
    if str(data.get("all_fields", "")).lower() in ("true", "1"):
        return [organization(unit, count) for unit, count in units]
    return [selectors.org_name(unit) for unit, _count in units]


def organization_show(request: HttpRequest, data: dict[str, Any]) -> Any:
    given = str(data.get("id") or "")
    for unit, count in selectors.publishers_with_counts():
        if given in (selectors.org_name(unit), str(unit.pk)):
            return organization(unit, count)
    raise _not_found(_("tổ chức"))


def resource_show(request: HttpRequest, data: dict[str, Any]) -> Any:
    resource = selectors.published_resource(str(data.get("id") or ""))
    if resource is None:
        raise _not_found(_("tài nguyên"))
    return resource_dict(request, resource)


def datastore_search(request: HttpRequest, data: dict[str, Any]) -> Any:
    resource_id = str(data.get("resource_id") or data.get("id") or "")
    resource = selectors.published_resource(resource_id)
    if resource is None:
        raise _not_found(_("tài nguyên"))
    limit = _int(data, "limit", 100, MAX_ROWS)
    offset = _int(data, "offset", 0, 10**9)
    filters = data.get("filters") or {}
    if isinstance(filters, str):
        try:
            filters = json.loads(filters)
        except ValueError:
            raise _invalid("filters", _("Phải là một đối tượng JSON.")) from None
    if not isinstance(filters, dict):
        raise _invalid("filters", _("Phải là một đối tượng JSON."))
    q = data.get("q") or ""
    if not isinstance(q, str):
        raise _invalid("q", _("Chỉ nhận một chuỗi tìm kiếm."))
    try:
        found = selectors.datastore_search(
            resource, q=q, filters=filters, offset=offset, limit=limit
        )
    except DomainError as exc:
        raise _invalid("filters", exc.message) from None
    return {
        "resource_id": str(resource.uuid),
        "fields": found.fields,
        "records": found.records,
        "total": found.total,
        "limit": limit,
        "offset": offset,
        "q": q,
        "filters": filters,
        "_links": {
            "start": f"/api/3/action/datastore_search?resource_id={resource.uuid}",
            "next": (
                f"/api/3/action/datastore_search?resource_id={resource.uuid}"
                f"&offset={offset + limit}"
            ),
        },
    }


def status_show(request: HttpRequest, data: dict[str, Any]) -> Any:
    return {
        "site_title": _("Cổng dữ liệu mở"),
        "site_url": request.build_absolute_uri("/du-lieu-mo/"),
        "ckan_version": "2.10.0",
        "extensions": ["datastore", "dcat"],
        "locale_default": "vi",
    }


ACTIONS: dict[str, Callable[[HttpRequest, dict[str, Any]], Any]] = {
    "package_list": package_list,
    "package_search": package_search,
    "package_show": package_show,
    "organization_list": organization_list,
    "organization_show": organization_show,
    "resource_show": resource_show,
    "datastore_search": datastore_search,
    "status_show": status_show,
}


def _data(request: HttpRequest) -> dict[str, Any]:
    data: dict[str, Any] = dict(request.GET.items())
    if request.method == "POST":
        if request.content_type == "application/json":
            try:
                body = json.loads(request.body or b"{}")
            except ValueError:
                raise ActionError(
                    400, "Validation Error", _("Thân yêu cầu không phải JSON hợp lệ.")
                ) from None
            if not isinstance(body, dict):
                raise ActionError(
                    400,
                    "Validation Error",
                    _("Thân yêu cầu phải là một đối tượng JSON."),
                )
            data.update(body)
        else:
            data.update(request.POST.items())
    return data


@csrf_exempt  # read-only actions, called by programs without a session
def action(request: HttpRequest, name: str) -> JsonResponse:
    help_url = request.build_absolute_uri(f"/api/3/action/help_show?name={name}")
    handler = ACTIONS.get(name)
    try:
        if request.method not in ("GET", "POST"):
            raise ActionError(405, "Validation Error", _("Chỉ nhận GET hoặc POST."))
        if handler is None:
            raise ActionError(
                400,
                "Bad request - Action name not known",
                _("Không có hành động “%(name)s”.") % {"name": name},
            )
        result = handler(request, _data(request))
    except ActionError as exc:
        return JsonResponse(
            {"help": help_url, "success": False, "error": exc.body},
            status=exc.status,
            json_dumps_params={"ensure_ascii": False},
        )
    response = JsonResponse(
        {"help": help_url, "success": True, "result": result},
        json_dumps_params={"ensure_ascii": False},
    )
    # Harvesters and browser apps on other portals read the catalog too.
    response["Access-Control-Allow-Origin"] = "*"
    return response
