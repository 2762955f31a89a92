"""Outgoing documents API: drafts, versions, review, signing, issue, chains.

Refusals leave as problem+json: 403 with the policy's code for a user who
may see a document but not act on it, 404 for one they may not see.
"""

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _

from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from tinhso.accounts.auth import current_user
from tinhso.accounts.models import User
from tinhso.accounts.selectors import active_officials
from tinhso.core import files
from tinhso.core.errors import DomainError, Forbidden, NotFound
from tinhso.core.models import OrgUnit, StoredFile
from tinhso.core.pagination import Paged
from tinhso.documents.constants import Secrecy, Urgency
from tinhso.documents.models import DraftVersion, OutgoingDocument, ReviewAction
from tinhso.documents.policies import outgoing as policies
from tinhso.documents.selectors import outgoing as selectors
from tinhso.documents.services import outgoing as services

router = Router(tags=["Văn bản đi"])


class VersionOut(Schema):
    number: int
    source_name: str = Field(alias="source_file.name")
    source_sha256: str = Field(alias="source_file.sha256")
    pdf_name: str = Field(alias="pdf_file.name")
    pdf_sha256: str = Field(alias="pdf_file.sha256")
    note: str
    created_by_id: int
    created_at: datetime


class ActionOut(Schema):
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    actor_id: int
    actor_name: str = Field(alias="actor.full_name")
    to_user_id: int | None
    version: int | None
    comment: str
    created_at: datetime

    @staticmethod
    def resolve_version(obj: ReviewAction) -> int | None:
        return obj.version.number if obj.version is not None else None


class OutgoingOut(Schema):
    id: int
    agency_id: int
    agency_name: str = Field(alias="agency.name")
    drafting_unit_id: int | None
    drafter_id: int
    doc_type: str
    doc_type_label: str = Field(alias="get_doc_type_display")
    subject: str
    urgency: str
    secrecy: str
    signer_id: int | None
    signer_position: str
    recipients_note: str
    status: str
    status_label: str = Field(alias="get_status_display")
    current_reviewer_id: int | None
    review_position: int | None
    year: int | None
    outgoing_number: int | None
    secret_series: bool = Field(description="Số thuộc sổ văn bản mật đi")
    number_symbol: str
    issued_date: date | None
    page_count: int | None
    signed_at: datetime | None
    issued_at: datetime | None
    created_at: datetime


class OutgoingDetailOut(OutgoingOut):
    versions: list[VersionOut]
    history: list[ActionOut]
    signed_sha256: str | None
    issued_sha256: str | None

    @staticmethod
    def resolve_versions(obj: OutgoingDocument) -> list[DraftVersion]:
        return list(selectors.versions_of(obj))

    @staticmethod
    def resolve_history(obj: OutgoingDocument) -> list[ReviewAction]:
        return list(selectors.history_of(obj))

    @staticmethod
    def resolve_signed_sha256(obj: OutgoingDocument) -> str | None:
        return obj.signed_file.sha256 if obj.signed_file else None

    @staticmethod
    def resolve_issued_sha256(obj: OutgoingDocument) -> str | None:
        return obj.issued_file.sha256 if obj.issued_file else None


class DraftIn(Schema):
    agency_id: int | None = Field(
        None, description="Cơ quan ban hành; bỏ trống nếu chỉ soạn cho một cơ quan"
    )
    doc_type: str
    subject: str
    signer_id: int
    signer_position: str = ""
    urgency: str = Urgency.NORMAL
    secrecy: str = Secrecy.NORMAL
    recipients_note: str = ""
    drafting_unit_id: int | None = None
    note: str = ""


class CommentIn(Schema):
    comment: str = ""


class ForwardIn(CommentIn):
    to_user_id: int


class StepIn(Schema):
    label: str
    reviewer_id: int


class StepOut(Schema):
    position: int
    label: str
    reviewer_id: int
    reviewer_name: str = Field(alias="reviewer.full_name")


class ChainIn(Schema):
    steps: list[StepIn]


class ChainOut(Schema):
    agency_id: int
    steps: list[StepOut]


def _official(user_id: int | None) -> User | None:
    if user_id is None:
        return None
    user = active_officials().filter(pk=user_id).first()
    if user is None:
        raise NotFound("user_not_found", _("Không tìm thấy cán bộ."))
    return user


def _unit(unit_id: int | None) -> OrgUnit | None:
    if unit_id is None:
        return None
    unit = OrgUnit.objects.filter(pk=unit_id, legacy=False).first()
    if unit is None:
        raise NotFound("orgunit_not_found", _("Không tìm thấy đơn vị."))
    return unit


def _drafting_agency(user: Any, agency_id: int | None) -> OrgUnit:
    if agency_id is not None:
        return selectors.get_agency(agency_id)
    agencies = selectors.drafting_agencies(user)
    if len(agencies) == 1:
        return agencies[0]
    if not agencies:
        raise Forbidden(
            "outgoing_draft_forbidden",
            _("Bạn không giữ vai trò nào được soạn văn bản đi."),
        )
    raise DomainError(
        "outgoing_agency_required",
        _("Bạn soạn văn bản cho nhiều cơ quan: hãy chọn cơ quan (agency_id)."),
    )


@router.get(
    "/outgoing",
    response=list[OutgoingOut],
    summary="Văn bản đi: chờ tôi, dự thảo của tôi, sổ văn bản đi",
)
@paginate(Paged)
def list_outgoing(
    request: HttpRequest,
    tab: Literal["waiting", "mine", "issued"] = "waiting",
    q: str = "",
    doc_type: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> Any:
    user = current_user(request)
    if tab == "waiting":
        return selectors.waiting_for(user)
    if tab == "mine":
        return selectors.my_drafts(user)
    return selectors.search_issued(
        user, q, doc_type=doc_type, date_from=date_from, date_to=date_to
    )


@router.post(
    "/outgoing",
    response={201: OutgoingDetailOut},
    summary="Tạo dự thảo (tải lên DOCX hoặc PDF)",
)
def create_outgoing(
    request: HttpRequest, payload: Form[DraftIn], file: File[UploadedFile]
) -> Any:
    user = current_user(request)
    agency = _drafting_agency(user, payload.agency_id)
    document = services.create_draft(
        agency=agency,
        drafter=user,
        fields=services.DraftFields(
            doc_type=payload.doc_type,
            subject=payload.subject,
            signer=_official(payload.signer_id),
            signer_position=payload.signer_position,
            urgency=payload.urgency,
            secrecy=payload.secrecy,
            recipients_note=payload.recipients_note,
            drafting_unit=_unit(payload.drafting_unit_id),
        ),
        file=file,
        file_name=file.name or "du-thao",
        note=payload.note,
    )
    return Status(201, selectors.get_outgoing_for(user, document.pk))


@router.get(
    "/outgoing/{document_id}", response=OutgoingDetailOut, summary="Một văn bản đi"
)
def get_outgoing(request: HttpRequest, document_id: int) -> Any:
    return selectors.get_outgoing_for(current_user(request), document_id)


@router.get(
    "/outgoing/{document_id}/versions",
    response=list[VersionOut],
    summary="Các phiên bản dự thảo",
)
def list_versions(request: HttpRequest, document_id: int) -> Any:
    document = selectors.get_outgoing_for(current_user(request), document_id)
    return list(selectors.versions_of(document))


@router.post(
    "/outgoing/{document_id}/versions",
    response={201: VersionOut},
    summary="Tải lên phiên bản mới",
)
def upload_version(
    request: HttpRequest,
    document_id: int,
    file: File[UploadedFile],
    note: Form[str] = "",
) -> Any:
    user = current_user(request)
    document = selectors.get_outgoing_for(user, document_id)
    version = services.upload_version(
        document, user, file=file, file_name=file.name or "du-thao", note=note
    )
    return Status(201, selectors.get_version(document, version.number))


def _stored(document: OutgoingDocument, which: str) -> StoredFile | None:
    if which == "signed":
        return document.signed_file
    if which == "issued":
        return document.issued_file
    if which.startswith("v"):
        number, _sep, part = which[1:].partition("-")
        if part in ("", "source"):
            version = selectors.get_version(document, number)
            return version.source_file if part == "source" else version.pdf_file
    return None


@router.get(
    "/outgoing/{document_id}/files/{which}",
    summary="Tải tệp: v<n> (PDF), v<n>-source, signed, issued",
    response={200: None},
)
def download(request: HttpRequest, document_id: int, which: str) -> Any:
    document = selectors.get_outgoing_for(current_user(request), document_id)
    stored = _stored(document, which)
    if stored is None:
        raise NotFound("outgoing_file_not_found", _("Văn bản chưa có tệp này."))
    return files.response(stored, download=True, no_store=True)


def _after(request: HttpRequest, document: OutgoingDocument) -> OutgoingDocument:
    # Read again through visibility: the act may have changed what is shown.
    return selectors.get_outgoing_for(current_user(request), document.pk)


@router.post(
    "/outgoing/{document_id}/submit", response=OutgoingDetailOut, summary="Trình"
)
def submit(request: HttpRequest, document_id: int, payload: CommentIn) -> Any:
    user = current_user(request)
    document = selectors.get_outgoing_for(user, document_id)
    services.submit(document, user, comment=payload.comment)
    return _after(request, document)


@router.post(
    "/outgoing/{document_id}/approve", response=OutgoingDetailOut, summary="Đồng ý"
)
def approve(request: HttpRequest, document_id: int, payload: CommentIn) -> Any:
    user = current_user(request)
    document = selectors.get_outgoing_for(user, document_id)
    services.approve(document, user, comment=payload.comment)
    return _after(request, document)


@router.post(
    "/outgoing/{document_id}/return", response=OutgoingDetailOut, summary="Trả lại"
)
def return_draft(request: HttpRequest, document_id: int, payload: CommentIn) -> Any:
    user = current_user(request)
    document = selectors.get_outgoing_for(user, document_id)
    services.return_draft(document, user, comment=payload.comment)
    return _after(request, document)


@router.post(
    "/outgoing/{document_id}/forward",
    response=OutgoingDetailOut,
    summary="Chuyển tiếp cho cán bộ khác",
)
def forward(request: HttpRequest, document_id: int, payload: ForwardIn) -> Any:
    user = current_user(request)
    document = selectors.get_outgoing_for(user, document_id)
    services.forward(
        document, user, to_user=_official(payload.to_user_id), comment=payload.comment
    )
    return _after(request, document)


@router.post(
    "/outgoing/{document_id}/sign", response=OutgoingDetailOut, summary="Ký số"
)
def sign(request: HttpRequest, document_id: int) -> Any:
    user = current_user(request)
    document = selectors.get_outgoing_for(user, document_id)
    services.sign_outgoing(document, user)
    return _after(request, document)


@router.post(
    "/outgoing/{document_id}/issue",
    response=OutgoingDetailOut,
    summary="Cấp số, phát hành",
)
def issue(request: HttpRequest, document_id: int) -> Any:
    user = current_user(request)
    document = selectors.get_outgoing_for(user, document_id)
    services.issue_outgoing(document, user)
    return _after(request, document)


def _chain(agency: OrgUnit) -> dict[str, Any]:
    return {"agency_id": agency.pk, "steps": list(selectors.review_chain(agency))}


@router.get(
    "/review-chains/{agency_id}",
    response=ChainOut,
    summary="Quy trình trình duyệt của cơ quan",
)
def get_chain(request: HttpRequest, agency_id: int) -> Any:
    user = current_user(request)
    agency = selectors.get_agency(agency_id)
    if not (
        policies.can_configure_chain(user, agency) or policies.works_in(user, agency)
    ):
        raise NotFound("agency_not_found", _("Không tìm thấy cơ quan."))
    return _chain(agency)


@router.put(
    "/review-chains/{agency_id}",
    response=ChainOut,
    summary="Đặt quy trình trình duyệt (thay toàn bộ các bước)",
)
def put_chain(request: HttpRequest, agency_id: int, payload: ChainIn) -> Any:
    user = current_user(request)
    agency = selectors.get_agency(agency_id)
    steps = [(step.label, _official(step.reviewer_id)) for step in payload.steps]
    services.set_review_chain(agency, user, steps)
    return _chain(agency)
