"""Document exchange API: dispatch, electronic inbox, take-back, revoke, edXML.

Like the pages: parse, look up through a selector (an unseen object is a 404),
call a service (which asks the policy); errors leave as problem+json.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from tinhso.accounts.auth import current_user
from tinhso.core.errors import DomainError, NotFound
from tinhso.core.pagination import Paged
from tinhso.documents.models import Dispatch, InboundMessage
from tinhso.documents.selectors import exchange as selectors
from tinhso.documents.services import exchange as services
from tinhso.documents.services import transports

router = Router(tags=["Liên thông văn bản"])


class ExternalIn(Schema):
    code: str = Field(..., description="Mã định danh cơ quan nhận (OrganId)")
    name: str = Field("", description="Tên cơ quan nhận")


class DispatchIn(Schema):
    units: list[int] = Field(
        default_factory=list, description="Cơ quan, đơn vị trong hệ thống (id)"
    )
    external: list[ExternalIn] = Field(
        default_factory=list, description="Cơ quan ngoài hệ thống (gửi gói tin edXML)"
    )


class ReceiptOut(Schema):
    status: str
    status_label: str
    note: str
    actor_name: str
    created_at: dt.datetime

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return str(obj.get_status_display())


class DispatchOut(Schema):
    id: int
    document_id: int
    channel: str
    business_type: str
    recipient_unit_id: int | None
    recipient_code: str
    recipient_name: str
    message_id: str
    status: str
    status_label: str
    sent_at: dt.datetime
    updated_at: dt.datetime
    receipts: list[ReceiptOut]

    @staticmethod
    def resolve_status_label(obj: Dispatch) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_receipts(obj: Dispatch) -> list[Any]:
        return list(obj.receipts.all())


class ReasonIn(Schema):
    reason: str = Field("", description="Lý do")


class RevokeIn(Schema):
    reason: str = Field(..., description="Lý do thu hồi")


class RevokedOut(Schema):
    id: int
    status: str


class AnswerIn(Schema):
    note: str = ""


class InboundOut(Schema):
    id: int
    agency_id: int
    channel: str
    business_type: str
    message_id: str
    sender_code: str
    sender_name: str
    status: str
    status_label: str
    number_symbol: str
    subject: str
    issued_date: str
    received_at: dt.datetime
    incoming_id: int | None
    take_back_requested: bool

    @staticmethod
    def resolve_status_label(obj: InboundMessage) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_number_symbol(obj: InboundMessage) -> str:
        return str(obj.metadata.get("number_symbol", ""))

    @staticmethod
    def resolve_subject(obj: InboundMessage) -> str:
        return str(obj.metadata.get("subject", ""))

    @staticmethod
    def resolve_issued_date(obj: InboundMessage) -> str:
        return str(obj.metadata.get("issued_date", ""))

    @staticmethod
    def resolve_take_back_requested(obj: InboundMessage) -> bool:
        return selectors.take_back_requested(obj)


class SignatureOut(Schema):
    signer_common_name: str
    issuer: str
    signing_time: dt.datetime | None
    intact: bool
    trusted: bool
    covers_whole_document: bool
    ok: bool
    summary: str


class FileOut(Schema):
    name: str
    size: int
    sha256: str
    content_type: str


class InboundDetailOut(InboundOut):
    metadata: dict[str, Any]
    reject_reason: str
    main_file: FileOut
    attachments: list[FileOut]
    signatures: list[SignatureOut]

    @staticmethod
    def resolve_attachments(obj: InboundMessage) -> list[Any]:
        return list(obj.attachments.all())


class RegisteredOut(Schema):
    inbound_id: int
    incoming_id: int
    incoming_number: int
    year: int


class ImportOut(Schema):
    kind: str = Field(..., description="document: văn bản; status: trạng thái")
    created: bool
    inbound: list[InboundOut]
    dispatch_id: int | None
    status: str


def _dispatches(document: Any) -> list[Dispatch]:
    return list(selectors.dispatches_of(document))


@router.post(
    "/outgoing/{document_id}/dispatches",
    response={201: list[DispatchOut]},
    summary="Gửi văn bản đã phát hành",
)
def dispatch(request: HttpRequest, document_id: int, payload: DispatchIn) -> Any:
    user = current_user(request)
    document = selectors.get_issued_for(user, document_id)
    units = list(selectors.agencies().filter(pk__in=payload.units))
    if len(units) != len(set(payload.units)):
        raise NotFound(
            "dispatch_recipient_not_found", _("Không tìm thấy cơ quan, đơn vị nhận.")
        )
    made = services.dispatch_outgoing(
        document,
        clerk=user,
        units=units,
        external=[(item.code, item.name) for item in payload.external],
    )
    by_id = {d.pk: d for d in _dispatches(document)}
    return Status(201, [by_id[d.pk] for d in made])


@router.get(
    "/outgoing/{document_id}/dispatches",
    response=list[DispatchOut],
    summary="Các lượt gửi và trạng thái của văn bản",
)
def list_dispatches(request: HttpRequest, document_id: int) -> Any:
    document = selectors.get_issued_for(current_user(request), document_id)
    return _dispatches(document)


@router.post(
    "/outgoing/{document_id}/revoke",
    response=RevokedOut,
    summary="Thu hồi văn bản đã phát hành",
)
def revoke(request: HttpRequest, document_id: int, payload: RevokeIn) -> Any:
    user = current_user(request)
    document = selectors.get_issued_for(user, document_id)
    return services.revoke_outgoing(document, clerk=user, reason=payload.reason)


@router.post(
    "/dispatches/{dispatch_id}/take-back",
    response=DispatchOut,
    summary="Lấy lại văn bản đã gửi",
)
def take_back(request: HttpRequest, dispatch_id: int, payload: ReasonIn) -> Any:
    user = current_user(request)
    found = selectors.get_dispatch_for(user, dispatch_id)
    services.take_back(found, clerk=user, reason=payload.reason)
    return selectors.dispatches_of(found.document).get(pk=found.pk)


@router.get(
    "/dispatches/{dispatch_id}/edxml",
    response={200: None},
    summary="Tải gói tin edXML của lượt gửi",
)
def dispatch_edxml(request: HttpRequest, dispatch_id: int) -> HttpResponse:
    found = selectors.get_dispatch_for(current_user(request), dispatch_id)
    return edxml_response(services.export_package(found), found.message_id)


def edxml_response(package: bytes, name: str) -> HttpResponse:
    response = HttpResponse(package, content_type="application/xml; charset=utf-8")
    filename = f"{transports.safe_name(name)}.xml"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private"
    return response


@router.get("/inbox", response=list[InboundOut], summary="Văn bản điện tử đến")
@paginate(Paged)
def inbox(request: HttpRequest, status: str = "pending") -> Any:
    """``status``: pending (chờ vào sổ), registered, rejected, taken_back."""
    return selectors.inbox(current_user(request), status)


@router.get(
    "/inbox/{message_id}",
    response=InboundDetailOut,
    summary="Một văn bản điện tử đến",
)
def inbound_detail(request: HttpRequest, message_id: int) -> Any:
    message = selectors.get_inbound_for(current_user(request), message_id)
    message.signatures = selectors.signature_checks(message)  # type: ignore[attr-defined]
    return message


@router.post(
    "/inbox/{message_id}/register",
    response={201: RegisteredOut},
    summary="Vào sổ văn bản đến",
)
def register(request: HttpRequest, message_id: int) -> Any:
    user = current_user(request)
    message = selectors.get_inbound_for(user, message_id)
    document = services.register_inbound(message, clerk=user)
    return Status(
        201,
        {
            "inbound_id": message.pk,
            "incoming_id": document.pk,
            "incoming_number": document.incoming_number,
            "year": document.year,
        },
    )


@router.post("/inbox/{message_id}/reject", response=InboundOut, summary="Từ chối nhận")
def reject(request: HttpRequest, message_id: int, payload: ReasonIn) -> Any:
    user = current_user(request)
    message = selectors.get_inbound_for(user, message_id)
    return services.reject_inbound(message, clerk=user, reason=payload.reason)


@router.post(
    "/inbox/{message_id}/take-back/accept",
    response=InboundOut,
    summary="Đồng ý cho bên gửi lấy lại",
)
def accept_take_back(request: HttpRequest, message_id: int, payload: AnswerIn) -> Any:
    user = current_user(request)
    message = selectors.get_inbound_for(user, message_id)
    return services.answer_take_back(
        message, clerk=user, accept=True, note=payload.note
    )


@router.post(
    "/inbox/{message_id}/take-back/refuse",
    response=InboundOut,
    summary="Không đồng ý cho bên gửi lấy lại",
)
def refuse_take_back(request: HttpRequest, message_id: int, payload: AnswerIn) -> Any:
    user = current_user(request)
    message = selectors.get_inbound_for(user, message_id)
    return services.answer_take_back(
        message, clerk=user, accept=False, note=payload.note
    )


@router.post(
    "/edxml/import",
    response={200: ImportOut, 201: ImportOut},
    summary="Nhận gói tin edXML (văn bản hoặc trạng thái)",
    description=(
        "Gửi gói tin trong thân yêu cầu (Content-Type: application/xml) hoặc "
        "tải lên tệp ở trường `file` (multipart). Gói tin đã nhận trước đó "
        "trả về 200 với bản đã có; gói tin mới trả về 201."
    ),
)
def import_edxml(request: HttpRequest, file: File[UploadedFile] = None) -> Any:  # type: ignore[assignment]
    user = current_user(request)
    data = file.read() if file is not None else request.body
    if not data:
        raise DomainError(
            "edxml_empty",
            _("Chưa có gói tin: gửi XML trong thân yêu cầu hoặc tải tệp lên."),
        )
    result = services.import_edxml(data, actor=user)
    body = {
        "kind": result.kind,
        "created": result.created,
        "inbound": result.messages,
        "dispatch_id": result.dispatch.pk if result.dispatch else None,
        "status": result.status,
    }
    return Status(201 if result.created else 200, body)
