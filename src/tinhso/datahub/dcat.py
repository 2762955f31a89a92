"""The open data catalogue as DCAT (DCAT-AP's profile) in JSON-LD, for
national portals and harvesters that read DCAT rather than CKAN's API."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from tinhso.core.selectors import province_name
from tinhso.datahub import selectors
from tinhso.datahub.constants import LICENCE_URLS, Licence
from tinhso.datahub.models import Dataset, Resource

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
THEMES = "http://publications.europa.eu/resource/authority/data-theme/"
FREQUENCIES = "http://publications.europa.eu/resource/authority/frequency/"
MEDIA_TYPES = {
    "CSV": "text/csv",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "JSON": "application/json",
    "API": "application/json",
}


def _literal(value: str) -> dict[str, str]:
    return {"@value": value, "@language": "vi"}


def _date(value: Any) -> dict[str, str]:
    return {"@value": value.isoformat(), "@type": "xsd:date"}


def _distribution(request: HttpRequest, resource: Resource) -> dict[str, Any]:
    url = request.build_absolute_uri(
        reverse("datahub:resource_download", args=[resource.uuid])
    )
    node: dict[str, Any] = {
        "@id": url,
        "@type": "dcat:Distribution",
        "dct:title": _literal(resource.name),
        "dcat:accessURL": {"@id": url},
        "dcat:downloadURL": {"@id": url},
        "dcat:mediaType": MEDIA_TYPES[resource.format],
        "dct:format": resource.format,
        "dct:modified": {
            "@value": resource.modified_at.isoformat(),
            "@type": "xsd:dateTime",
        },
    }
    if resource.description:
        node["dct:description"] = _literal(resource.description)
    if resource.file:
        node["dcat:byteSize"] = {
            "@value": str(resource.file.size),
            "@type": "xsd:decimal",
        }
    return node


def dataset_node(request: HttpRequest, dataset: Dataset) -> dict[str, Any]:
    page = request.build_absolute_uri(
        reverse("datahub:portal_dataset", args=[dataset.name])
    )
    node: dict[str, Any] = {
        "@id": page,
        "@type": "dcat:Dataset",
        "dct:identifier": str(dataset.uuid),
        "dct:title": _literal(dataset.title),
        "dct:description": _literal(dataset.description),
        "dct:publisher": {
            "@type": "foaf:Organization",
            "foaf:name": _literal(dataset.publisher.name),
            "dct:identifier": dataset.publisher.code,
        },
        "dcat:theme": {"@id": THEMES + dataset.theme},
        "dct:accrualPeriodicity": {"@id": FREQUENCIES + dataset.frequency},
        "dct:license": {"@id": LICENCE_URLS[Licence(dataset.licence)]},
        "dcat:keyword": [_literal(k) for k in dataset.keywords],
        "dcat:landingPage": {"@id": page},
        "dct:issued": {
            "@value": (dataset.published_at or dataset.created_at).isoformat(),
            "@type": "xsd:dateTime",
        },
        "dct:modified": {
            "@value": dataset.modified_at.isoformat(),
            "@type": "xsd:dateTime",
        },
        "dcat:distribution": [
            _distribution(request, r) for r in dataset.resources.all()
        ],
    }
    if dataset.temporal_start or dataset.temporal_end:
        period: dict[str, Any] = {"@type": "dct:PeriodOfTime"}
        if dataset.temporal_start:
            period["dcat:startDate"] = _date(dataset.temporal_start)
        if dataset.temporal_end:
            period["dcat:endDate"] = _date(dataset.temporal_end)
        node["dct:temporal"] = period
    if dataset.spatial:
        node["dct:spatial"] = {
            "@type": "dct:Location",
            "dct:identifier": dataset.spatial.code,
            "skos:prefLabel": _literal(dataset.spatial.name),
        }
    if dataset.contact_email:
        node["dcat:contactPoint"] = {
            "@type": "vcard:Organization",
            "vcard:fn": dataset.publisher.name,
            "vcard:hasEmail": {"@id": f"mailto:{dataset.contact_email}"},
        }
    return node


# Datasets a page of the catalogue holds; harvesters follow hydra:nextPage.
PAGE = 1000


def catalogue(request: HttpRequest, page: int = 1) -> dict[str, Any]:
    """One page of the catalogue, paged as the CKAN DCAT extension pages
    it (a ``hydra:PagedCollection``), so a portal of 300,000 datasets is
    harvested a thousand at a time."""
    datasets = selectors.published_datasets().order_by("pk")
    total = datasets.count()
    last = max(1, -(-total // PAGE))
    page = min(max(page, 1), last)
    chunk = datasets.prefetch_related("resources")[(page - 1) * PAGE : page * PAGE]
    home = request.build_absolute_uri(reverse("datahub:portal"))
    here = request.build_absolute_uri(reverse("datahub:dcat"))

    def at(number: int) -> str:
        return f"{here}?page={number}"

    paging: dict[str, Any] = {
        "@id": at(page),
        "@type": "hydra:PagedCollection",
        "hydra:totalItems": total,
        "hydra:itemsPerPage": PAGE,
        "hydra:firstPage": at(1),
        "hydra:lastPage": at(last),
    }
    if page > 1:
        paging["hydra:previousPage"] = at(page - 1)
    if page < last:
        paging["hydra:nextPage"] = at(page + 1)
    return {
        "@context": {
            **CONTEXT,
            "skos": "http://www.w3.org/2004/02/skos/core#",
            "hydra": "http://www.w3.org/ns/hydra/core#",
        },
        "@graph": [
            {
                "@id": home,
                "@type": "dcat:Catalog",
                "dct:title": _literal(
                    _("Cổng dữ liệu mở %(province)s") % {"province": province_name()}
                ),
                "dct:description": _literal(
                    _("Dữ liệu mở do các cơ quan, đơn vị của tỉnh công bố.")
                ),
                "dct:language": {
                    "@id": "http://publications.europa.eu/resource/authority/language/VIE"
                },
                "foaf:homepage": {"@id": home},
                "dcat:dataset": [dataset_node(request, d) for d in chunk],
            },
            paging,
        ],
    }
