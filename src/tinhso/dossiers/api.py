"""The procedure catalog in the API: public search and reading; the
administrators' import and export of the whole catalog."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import BaseModel, ConfigDict, computed_field

from tinhso.core.pagination import Paged
from tinhso.dossiers import catalog_table
from tinhso.dossiers.constants import (
    CopyKind,
    DurationUnit,
    FeeKind,
    ProcedureLevel,
    ServiceLevel,
)
from tinhso.dossiers.policies import can_manage_catalog
from tinhso.dossiers.selectors import catalog as selectors
from tinhso.dossiers.services import catalog as services

router = Router(tags=["Thủ tục hành chính"])


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class FieldOut(_Out):
    code: str
    name: str


class AgencyRef(_Out):
    id: int
    code: str
    name: str


class ProcedureOut(_Out):
    code: str = Field(description="Mã thủ tục, ví dụ 1.001193")
    name: str
    field: FieldOut
    level: ProcedureLevel
    agency: AgencyRef | None = Field(
        description="Cơ quan thực hiện; trống với thủ tục cấp xã (mọi xã thực hiện)"
    )
    service_level: ServiceLevel = Field(
        description="Mức độ dịch vụ công trực tuyến (Nghị định 42/2022)"
    )
    processing_days: Decimal = Field(description="Thời hạn giải quyết, ngày làm việc")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def level_label(self) -> str:
        return str(ProcedureLevel(self.level).label)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def service_level_label(self) -> str:
        return str(ServiceLevel(self.service_level).label)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def page_url(self) -> str:
        return reverse("dossiers:procedure_detail", args=[self.code])


class DocumentOut(_Out):
    position: int
    name: str
    copy_kind: CopyKind
    quantity: int
    required: bool
    form_name: str


class FeeOut(_Out):
    kind: FeeKind
    description: str
    amount: int = Field(description="Mức thu, đồng")


class StepOut(_Out):
    position: int
    name: str
    unit_label: str
    role: str
    duration: Decimal
    duration_unit: DurationUnit


class ProcedureDetailOut(ProcedureOut):
    result: str
    conditions: str
    legal_basis: str
    documents: list[DocumentOut] = Field(validation_alias="document_list")
    fees: list[FeeOut] = Field(validation_alias="fee_list")
    steps: list[StepOut] = Field(validation_alias="step_list")


class CatalogFilters(Schema):
    q: str = Field(
        "", max_length=200, description="Từ khóa hoặc mã; có dấu hay không dấu đều được"
    )
    level: ProcedureLevel | None = None
    field: str = Field("", max_length=64, description="Mã lĩnh vực")
    service_level: ServiceLevel | None = None


class ImportOut(Schema):
    created: int
    updated: int
    fields_created: int
    codes: list[str]


@router.get(
    "/procedures",
    response=list[ProcedureOut],
    auth=None,
    summary="Danh mục thủ tục: tìm kiếm, lọc (công khai)",
    url_name="procedure_list",
)
@paginate(Paged)
def list_procedures(request: HttpRequest, filters: Query[CatalogFilters]) -> Any:
    return selectors.search_procedures(
        filters.q,
        level=filters.level or "",
        field=filters.field,
        service_level=filters.service_level or "",
    )


@router.get(
    "/procedures/{code}",
    response=ProcedureDetailOut,
    auth=None,
    summary="Một thủ tục: thành phần hồ sơ, phí, trình tự (công khai)",
    url_name="procedure_detail",
)
def get_procedure(request: HttpRequest, code: str) -> Any:
    procedure = selectors.get_procedure(code)
    procedure.document_list = list(procedure.documents.all())  # type: ignore[attr-defined]
    procedure.fee_list = list(procedure.fees.all())  # type: ignore[attr-defined]
    procedure.step_list = list(procedure.steps.all())  # type: ignore[attr-defined]
    return procedure


@router.get(
    "/fields",
    response=list[FieldOut],
    auth=None,
    summary="Lĩnh vực có thủ tục công khai",
    url_name="procedure_fields",
)
def list_fields(request: HttpRequest) -> Any:
    return list(selectors.fields())


def _require_manager(request: HttpRequest) -> None:
    if not can_manage_catalog(request.user):
        raise PermissionDenied


@router.get(
    "/catalog/export",
    summary="Tải cả danh mục (xlsx hoặc csv), đọc lại được bằng /catalog/import",
    url_name="catalog_export",
)
def export_catalog(
    request: HttpRequest, format: catalog_table.Format = "xlsx"
) -> HttpResponse:
    _require_manager(request)
    response = HttpResponse(
        selectors.export_catalog(format),
        content_type=catalog_table.CONTENT_TYPES[format],
    )
    response["Content-Disposition"] = (
        f'attachment; filename="danh-muc-thu-tuc.{format}"'
    )
    return response


@router.post(
    "/catalog/import",
    response={200: ImportOut},
    summary="Nạp danh mục từ tệp xlsx hoặc csv: tất cả hoặc không gì",
    url_name="catalog_import",
)
def import_catalog(request: HttpRequest, file: File[UploadedFile]) -> Any:
    _require_manager(request)
    return services.import_catalog(file.read(), file.name or "")
