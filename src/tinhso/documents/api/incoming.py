"""The incoming register in the API: search, register, read, download."""

import datetime as dt
import functools
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import BaseModel, ConfigDict, computed_field, field_validator

from tinhso.accounts.auth import current_user
from tinhso.accounts.models import Role
from tinhso.accounts.selectors import role_scope
from tinhso.core import files
from tinhso.core.errors import DomainError, NotFound
from tinhso.core.models import OrgUnit, StoredFile
from tinhso.core.pagination import Paged
from tinhso.documents.constants import (
    AGENCY_KINDS,
    DocumentType,
    IncomingStatus,
    Secrecy,
    Urgency,
)
from tinhso.documents.models import Attachment, IncomingDocument
from tinhso.documents.selectors import incoming as selectors
from tinhso.documents.services import incoming as services

router = Router(tags=["Văn bản"])


class _Out(BaseModel):
    # Plain pydantic read from the objects' attributes: the list endpoint
    # turns 20 to 200 documents into JSON per call, and ninja's Schema
    # (an attribute wrapper per field, resolvers) costs about 4x as much.
    model_config = ConfigDict(from_attributes=True)


class UnitRef(_Out):
    id: int
    code: str
    name: str


class FileOut(_Out):
    name: str
    size: int
    sha256: str
    content_type: str


class AttachmentOut(FileOut):
    id: int
    url: str


class SignatureOut(_Out):
    signer_common_name: str = Field(description="Người ký (tên trong chứng thư số)")
    issuer: str = Field(description="Tổ chức cấp chứng thư số")
    fingerprint: str = Field(description="Dấu vân tay SHA-256 của chứng thư")
    signing_time: dt.datetime | None = Field(None, description="Thời gian ký")
    intact: bool = Field(description="Nội dung không bị thay đổi sau khi ký")
    valid: bool = Field(description="Chữ ký đúng về mật mã")
    trusted: bool = Field(description="Chứng thư chuỗi về CA gốc tin cậy")
    covers_whole_document: bool = Field(description="Chữ ký phủ toàn bộ tệp")
    ok: bool = Field(description="Hợp lệ về mọi mặt")
    summary: str

    @field_validator("signing_time", mode="before")
    @classmethod
    def _signing_time(cls, value: object) -> dt.datetime | None:
        # As checked on arrival: an ISO time, or nothing the signer claimed.
        return parse_datetime(value) if isinstance(value, str) else None


@functools.cache
def _file_url_parts(script_prefix: str) -> tuple[str, str]:
    # reverse() once per deployment prefix, not once per document: the
    # prefix is only the cache key, reverse() reads it itself.
    url = reverse("api:incoming_file", kwargs={"document_id": 0})
    head, _, tail = url.rpartition("/0/")
    return head + "/", "/" + tail


class IncomingOut(_Out):
    id: int
    agency: UnitRef
    year: int
    incoming_number: int = Field(description="Số đến trong sổ của năm")
    secret_series: bool = Field(description="Số thuộc sổ văn bản mật đến")
    received_at: dt.datetime
    number_symbol: str = Field(description="Số, ký hiệu, ví dụ 12/QĐ-UBND")
    issued_date: dt.date
    issuer_name: str
    issuer_unit: UnitRef | None
    doc_type: str
    subject: str = Field(description="Trích yếu")
    signer_name: str
    urgency: str
    secrecy: str
    page_count: int
    status: str
    signature_summary: str
    deadline: dt.date | None
    closed_at: dt.datetime | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def doc_type_label(self) -> str:
        return str(DocumentType(self.doc_type).label)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_label(self) -> str:
        return str(IncomingStatus(self.status).label)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def file_url(self) -> str:
        head, tail = _file_url_parts(get_script_prefix())
        return f"{head}{self.id}{tail}"


# The columns IncomingOut reads, so a page of the list builds no more of
# each row than it shows (of 200 rows, the PDF's signatures as JSON, say).
_UNIT_REFS = ("agency", "issuer_unit")
LIST_COLUMNS = (
    *(name for name in IncomingOut.model_fields if name not in _UNIT_REFS),
    *(f"{ref}__{name}" for ref in _UNIT_REFS for name in UnitRef.model_fields),
)


class IncomingDetailOut(IncomingOut):
    file: FileOut = Field(validation_alias="main_file")
    attachments: list[AttachmentOut] = Field(validation_alias="attachment_list")
    signatures: list[SignatureOut]


def _detail(document: IncomingDocument) -> IncomingDocument:
    """``document`` with what IncomingDetailOut reads beyond its fields."""
    document.attachment_list = [  # type: ignore[attr-defined]
        _attachment(a) for a in selectors.attachments_of(document)
    ]
    return document


def _attachment(attachment: Attachment) -> dict[str, Any]:
    stored = attachment.file
    return {
        "id": attachment.pk,
        "name": stored.name,
        "size": stored.size,
        "sha256": stored.sha256,
        "content_type": stored.content_type,
        "url": reverse(
            "api:incoming_attachment_file",
            kwargs={
                "document_id": attachment.document_id,
                "attachment_id": attachment.pk,
            },
        ),
    }


class IncomingFilters(Schema):
    q: str = Field(
        "",
        max_length=200,
        description="Từ khóa hoặc số, ký hiệu; có dấu hay không dấu đều được",
    )
    date_from: dt.date | None = Field(None, description="Đến từ ngày (ngày đến)")
    date_to: dt.date | None = Field(None, description="Đến ngày (ngày đến)")
    doc_type: DocumentType | None = None
    issuer: str = Field("", max_length=200, description="Tên cơ quan ban hành")
    issuer_unit_id: int | None = Field(
        None, description="Đơn vị ban hành trong hệ thống"
    )
    status: IncomingStatus | None = None
    secrecy: Secrecy | None = None
    urgency: Urgency | None = None


class IncomingIn(Schema):
    agency_id: int | None = Field(
        None, description="Cơ quan vào sổ; bỏ trống khi văn thư chỉ thuộc một cơ quan"
    )
    number_symbol: str = Field(max_length=100, description="Ví dụ 12/QĐ-UBND")
    issued_date: dt.date
    issuer_name: str = Field("", max_length=255)
    issuer_unit_id: int | None = None
    doc_type: DocumentType
    subject: str
    signer_name: str = Field("", max_length=150)
    urgency: Urgency = Urgency.NORMAL
    secrecy: Secrecy = Secrecy.NORMAL
    page_count: int | None = Field(None, ge=1)
    received_at: dt.datetime | None = None


def _issuer_unit(unit_id: int | None) -> OrgUnit | None:
    if unit_id is None:
        return None
    unit = OrgUnit.objects.filter(
        pk=unit_id, kind__in=AGENCY_KINDS, legacy=False
    ).first()
    if unit is None:
        raise NotFound("orgunit_not_found", _("Không tìm thấy đơn vị."))
    return unit


def _agency(user: Any, agency_id: int | None) -> OrgUnit:
    """The agency whose register the clerk writes in.

    Without an id, the one agency where the caller is clerk; a clerk of
    several agencies must say which.
    """
    if agency_id is not None:
        unit = OrgUnit.objects.filter(pk=agency_id).first()
        if unit is None:
            raise NotFound("orgunit_not_found", _("Không tìm thấy đơn vị."))
        return unit
    mine = list(
        OrgUnit.objects.filter(
            role_scope(user, role=Role.CLERK), kind__in=AGENCY_KINDS, legacy=False
        )[:2]
    )
    if len(mine) != 1:
        raise DomainError(
            "incoming_agency_required",
            _("Cần chọn cơ quan vào sổ (agency_id)."),
            extra={"field": "agency_id"},
        )
    return mine[0]


@router.get(
    "/incoming",
    response=list[IncomingOut],
    summary="Sổ văn bản đến: tìm kiếm, lọc",
    url_name="incoming_list",
)
@paginate(Paged)
def list_incoming(
    request: HttpRequest, filters: Query[IncomingFilters]
) -> QuerySet[IncomingDocument]:
    return (
        selectors.search_incoming(
            current_user(request),
            filters.q,
            date_from=filters.date_from,
            date_to=filters.date_to,
            doc_type=filters.doc_type or "",
            issuer=filters.issuer,
            issuer_unit=filters.issuer_unit_id,
            status=filters.status or "",
            secrecy=filters.secrecy or "",
            urgency=filters.urgency or "",
        )
        # Only the rows and columns IncomingOut shows: no main file.
        .select_related(None)
        .select_related(*_UNIT_REFS)
        .only(*LIST_COLUMNS)
    )


@router.post(
    "/incoming",
    response={201: IncomingDetailOut},
    summary="Vào sổ văn bản đến (tải lên PDF)",
    url_name="incoming_register",
)
def register_incoming(
    request: HttpRequest,
    payload: Form[IncomingIn],
    file: File[UploadedFile],
    attachments: File[list[UploadedFile] | None] = None,
) -> Any:
    user = current_user(request)
    document = services.register_incoming(
        agency=_agency(user, payload.agency_id),
        clerk=user,
        file=file,
        file_name=file.name or "",
        number_symbol=payload.number_symbol,
        issued_date=payload.issued_date,
        issuer_name=payload.issuer_name,
        issuer_unit=_issuer_unit(payload.issuer_unit_id),
        doc_type=payload.doc_type,
        subject=payload.subject,
        signer_name=payload.signer_name,
        urgency=payload.urgency,
        secrecy=payload.secrecy,
        page_count=payload.page_count,
        received_at=payload.received_at,
        attachments=[(f, f.name or "") for f in attachments or []],
    )
    return Status(201, _detail(selectors.get_incoming_for(user, document.pk)))


@router.get(
    "/incoming/{document_id}",
    response=IncomingDetailOut,
    summary="Một văn bản đến",
    url_name="incoming_detail",
)
def get_incoming(request: HttpRequest, document_id: int) -> IncomingDocument:
    return _detail(selectors.get_incoming_for(current_user(request), document_id))


@router.get(
    "/incoming/{document_id}/signatures",
    response=list[SignatureOut],
    summary="Kết quả kiểm tra chữ ký số của văn bản đến",
    url_name="incoming_signatures",
)
def incoming_signatures(request: HttpRequest, document_id: int) -> list[Any]:
    document = selectors.get_incoming_for(current_user(request), document_id)
    return list(document.signatures)


def _download(
    request: HttpRequest, document: IncomingDocument, stored: StoredFile
) -> FileResponse:
    services.record_download(current_user(request), document, stored)
    return files.response(stored, download=True, no_store=True)


_PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "Tệp",
            "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    }
}


@router.get(
    "/incoming/{document_id}/file",
    summary="Tải tệp PDF của văn bản đến",
    url_name="incoming_file",
    openapi_extra=_PDF_RESPONSE,
)
def incoming_file(request: HttpRequest, document_id: int) -> FileResponse:
    document = selectors.get_incoming_for(current_user(request), document_id)
    return _download(request, document, document.main_file)


@router.get(
    "/incoming/{document_id}/attachments/{attachment_id}/file",
    summary="Tải tệp đính kèm của văn bản đến",
    url_name="incoming_attachment_file",
)
def incoming_attachment_file(
    request: HttpRequest, document_id: int, attachment_id: int
) -> FileResponse:
    attachment = selectors.get_attachment_for(
        current_user(request), document_id, attachment_id
    )
    return _download(request, attachment.document, attachment.file)
