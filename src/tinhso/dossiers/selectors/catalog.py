"""Reads of the procedure catalog: public search, one procedure, the file."""

from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from tinhso.accounts.models import Role
from tinhso.core import search
from tinhso.core.errors import NotFound
from tinhso.dossiers import catalog_table as table
from tinhso.dossiers.constants import (
    CATALOG_SCOPE,
    CopyKind,
    DurationUnit,
    FeeKind,
    ProcedureLevel,
    ServiceLevel,
)
from tinhso.dossiers.models import (
    Fee,
    Procedure,
    ProcedureField,
    RequiredDocument,
    Step,
)


def published_procedures() -> QuerySet[Procedure]:
    return Procedure.objects.filter(published=True).select_related("field", "agency")


def search_procedures(
    query: str = "",
    *,
    level: str = "",
    field: str = "",
    service_level: str = "",
) -> QuerySet[Procedure]:
    """Published procedures matching ``query`` (code, name, field, agency;
    with or without diacritics) and the filters, by code."""
    procedures = published_procedures()
    if level:
        procedures = procedures.filter(level=level)
    if field:
        procedures = procedures.filter(field__code=field)
    if service_level:
        procedures = procedures.filter(service_level=service_level)
    if query.strip():
        procedures = search.filter_queryset(procedures, CATALOG_SCOPE, query)
    return procedures.order_by("code")


def procedure_codes() -> set[str]:
    """Codes of every procedure in the catalog, published or not."""
    return set(Procedure.objects.values_list("code", flat=True))


def fields() -> QuerySet[ProcedureField]:
    """Fields that have a published procedure, by name."""
    return ProcedureField.objects.filter(procedures__published=True).distinct()


def _with_parts(procedures: QuerySet[Procedure]) -> QuerySet[Procedure]:
    return procedures.prefetch_related(
        Prefetch("documents", RequiredDocument.objects.select_related("form_file")),
        Prefetch("fees", Fee.objects.all()),
        Prefetch("steps", Step.objects.all()),
    )


def get_procedure(code: object) -> Procedure:
    """A published procedure with its documents, fees and steps."""
    procedure = _with_parts(published_procedures()).filter(code=str(code)).first()
    if procedure is None:
        raise NotFound("procedure_not_found", _("Không tìm thấy thủ tục."))
    return procedure


def catalog_rows() -> Iterator[dict[str, Any]]:
    """Every procedure (published or not) as rows of the catalog table."""
    procedures = _with_parts(Procedure.objects.select_related("field", "agency"))
    for p in procedures.order_by("code"):
        yield {
            "kind": table.PROCEDURE,
            "code": p.code,
            "name": p.name,
            "field": p.field.name,
            "level": ProcedureLevel(p.level).label,
            "agency": p.agency.code if p.agency else "",
            "service_level": ServiceLevel(p.service_level).label,
            "processing_days": p.processing_days,
            "result": p.result,
            "conditions": p.conditions,
            "legal_basis": p.legal_basis,
            "published": _("Có") if p.published else _("Không"),
        }
        for d in p.documents.all():
            yield {
                "kind": table.DOCUMENT,
                "code": p.code,
                "name": d.name,
                "copy_kind": CopyKind(d.copy_kind).label,
                "quantity": d.quantity,
                "required": _("Có") if d.required else _("Không"),
                "form_name": d.form_name,
            }
        for f in p.fees.all():
            yield {
                "kind": table.FEE,
                "code": p.code,
                "name": f.description,
                "fee_kind": FeeKind(f.kind).label,
                "amount": f.amount,
            }
        for s in p.steps.all():
            yield {
                "kind": table.STEP,
                "code": p.code,
                "name": s.name,
                "unit_label": s.unit_label,
                "role": Role(s.role).label,
                "duration": s.duration,
                "duration_unit": DurationUnit(s.duration_unit).label,
                "inter_agency": _("Có") if s.inter_agency else "",
            }


def export_catalog(kind: str) -> bytes:
    """The whole catalog as an XLSX or CSV file that ``import_catalog`` reads back.

    Choices are written in Vietnamese whatever the reader's language, so a
    file exported in English imports anywhere.
    """
    with translation.override("vi"):
        return table.write_table(list(catalog_rows()), kind)
