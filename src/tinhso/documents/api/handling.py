"""Handling of incoming documents in the API: my work, backlog, and the acts.

Schemas in, a service or selector, schemas out. Refusals leave as
problem+json through the DomainError handler of ``tinhso.api``.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from tinhso.accounts.auth import current_user
from tinhso.core.errors import DomainError
from tinhso.core.pagination import MAX_PAGE_SIZE, Paged
from tinhso.documents.models import Handling, IncomingDocument
from tinhso.documents.policies import handling as policies
from tinhso.documents.selectors import handling as selectors
from tinhso.documents.services import handling as services

router = Router(tags=["Văn bản"])


# Schemas -----------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    full_name: str


class HandlingOut(Schema):
    id: int
    document_id: int
    parent_id: int | None
    role: str
    role_label: str = Field(alias="get_role_display")
    user: PersonOut | None
    unit_id: int | None
    unit_name: str | None
    assigned_by: PersonOut
    instruction: str
    deadline: dt.date | None
    status: str
    progress: int
    done_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_unit_name(obj: Handling) -> str | None:
        return obj.unit.name if obj.unit is not None else None


class OpinionOut(Schema):
    id: int
    handling_id: int | None
    author: PersonOut
    text: str
    progress: int | None
    created_at: dt.datetime


class DocumentBriefOut(Schema):
    id: int
    incoming_number: int
    year: int
    number_symbol: str
    subject: str
    issuer_name: str
    urgency: str
    status: str
    deadline: dt.date | None
    received_at: dt.datetime


class WorkItemOut(Schema):
    handling: HandlingOut
    document: DocumentBriefOut
    state: str = Field(
        description="overdue (quá hạn), near_due (sắp đến hạn), on_track, none"
    )
    overdue: bool
    near_due: bool
    days_late: int
    as_unit: bool


class HandlerLoadOut(Schema):
    key: str
    name: str
    unit_name: str
    is_unit: bool
    open: int
    overdue: int
    near_due: int
    on_track: int


class BacklogDocumentOut(DocumentBriefOut):
    state: str = Field(description="overdue, near_due, unassigned, on_track")


class BacklogOut(Schema):
    counts: dict[str, int]
    handlers: list[HandlerLoadOut]
    items: list[BacklogDocumentOut]
    count: int
    page: int
    page_size: int


class HandlerIn(Schema):
    """A person (``user_id``) or a unit (``unit_id``), not both."""

    user_id: int | None = None
    unit_id: int | None = None

    def key(self) -> str:
        if (self.user_id is None) == (self.unit_id is None):
            raise DomainError(
                "handling_bad_handler",
                _("Mỗi người hoặc đơn vị xử lý cần đúng một trong user_id, unit_id."),
            )
        return (
            f"user:{self.user_id}"
            if self.user_id is not None
            else f"unit:{self.unit_id}"
        )


class AssignIn(Schema):
    lead: HandlerIn | None = Field(None, description="Xử lý chính: đúng một")
    co: list[HandlerIn] = Field([], description="Phối hợp")
    info: list[HandlerIn] = Field([], description="Nhận để biết")
    deadline: dt.date | None = Field(None, description="Hạn xử lý, không trước hôm nay")
    instruction: str = Field("", description="Ý kiến chỉ đạo")

    def handlers(self) -> dict[str, Any]:
        lead = [self.lead.key()] if self.lead is not None else []
        co = [h.key() for h in self.co]
        info = [h.key() for h in self.info]
        found = selectors.resolve_handlers(lead + co + info)
        offset = len(lead)
        return {
            "lead": found[0] if lead else None,
            "co": found[offset : offset + len(co)],
            "info": found[offset + len(co) :],
            "deadline": self.deadline,
            "instruction": self.instruction,
        }


class ReassignIn(AssignIn):
    lead: HandlerIn | None = Field(None, description="Xử lý chính: không bắt buộc")
    deadline: dt.date | None = Field(
        None, description="Không sau hạn của phần việc; mặc định bằng hạn đó"
    )


class OpinionIn(Schema):
    text: str
    progress: int | None = Field(None, description="Tiến độ, 0–100 (%)")
    handling_id: int | None = Field(
        None, description="Phần việc; mặc định phần xử lý chính hoặc phối hợp của mình"
    )


class CloseIn(Schema):
    note: str = Field(description="Kết quả xử lý")


class DoneIn(Schema):
    note: str = ""


class DocumentStateOut(Schema):
    id: int
    status: str
    status_label: str
    deadline: dt.date | None
    closed_at: dt.datetime | None
    closed_by: PersonOut | None
    closing_note: str
    on_time: bool | None = Field(
        None, description="Hoàn thành đúng hạn; null khi chưa xong hoặc không có hạn"
    )


class ActionsOut(Schema):
    assign: bool
    close: bool
    opinion_handling_ids: list[int]
    reassign_handling_ids: list[int]
    done_handling_ids: list[int]


class PanelOut(Schema):
    document: DocumentStateOut
    deadline_state: str
    handlings: list[HandlingOut]
    opinions: list[OpinionOut]
    actions: ActionsOut


class BacklogQuery(Schema):
    state: str = Field("", description="overdue, near_due, unassigned, on_track")
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


# Helpers -----------------------------------------------------------------------


def _state_out(document: IncomingDocument) -> dict[str, Any]:
    return {
        "id": document.pk,
        "status": document.status,
        "status_label": document.get_status_display(),
        "deadline": document.deadline,
        "closed_at": document.closed_at,
        "closed_by": document.closed_by,
        "closing_note": document.closing_note,
        "on_time": selectors.is_on_time(document),
    }


def _panel_out(request: HttpRequest, document_id: int) -> dict[str, Any]:
    user = current_user(request)
    document = selectors.get_document_for(user, document_id)
    panel = selectors.panel(user, document)
    nodes: list[selectors.Node] = panel["nodes"]
    return {
        "document": _state_out(document),
        "deadline_state": panel["deadline_state"],
        "handlings": [node.handling for node in nodes],
        "opinions": panel["opinions"],
        "actions": {
            "assign": panel["can_assign"],
            "close": panel["can_close"],
            "opinion_handling_ids": [n.handling.pk for n in panel["opinion_targets"]],
            "reassign_handling_ids": [n.handling.pk for n in nodes if n.can_reassign],
            "done_handling_ids": [n.handling.pk for n in nodes if n.can_done],
        },
    }


# Operations --------------------------------------------------------------------


@router.get(
    "/my-work",
    response=list[WorkItemOut],
    summary="Việc của tôi: văn bản đang chờ xử lý, gấp nhất trước",
)
@paginate(Paged)
def my_work(request: HttpRequest) -> Any:
    user = current_user(request)
    if not policies.has_work(user):
        raise PermissionDenied
    return [
        {
            "handling": item.handling,
            "document": item.document,
            "state": item.state,
            "overdue": item.overdue,
            "near_due": item.near_due,
            "days_late": item.days_late,
            "as_unit": item.as_unit,
        }
        for item in selectors.my_work(user)
    ]


@router.get(
    "/backlog",
    response=BacklogOut,
    summary="Tồn đọng của các đơn vị mình lãnh đạo",
)
def backlog(request: HttpRequest, query: Query[BacklogQuery]) -> Any:
    user = current_user(request)
    if not policies.can_view_backlog(user):
        raise PermissionDenied
    result = selectors.backlog(user, state=query.state)
    start = (query.page - 1) * query.page_size
    return {
        "counts": result.counts,
        "handlers": [{**vars(h), "on_track": h.on_track} for h in result.handlers],
        "items": list(result.documents[start : start + query.page_size]),
        "count": result.documents.count(),
        "page": query.page,
        "page_size": query.page_size,
    }


@router.get(
    "/incoming/{document_id}/handling",
    response=PanelOut,
    summary="Phân công, ý kiến xử lý và việc mình được làm với một văn bản đến",
)
def handling_panel(request: HttpRequest, document_id: int) -> Any:
    return _panel_out(request, document_id)


@router.post(
    "/incoming/{document_id}/assignments",
    response={201: PanelOut},
    summary="Phân công (hoặc thay đổi phân công) xử lý văn bản đến",
)
def assign(request: HttpRequest, document_id: int, payload: AssignIn) -> Any:
    user = current_user(request)
    document = selectors.get_document_for(user, document_id)
    services.assign(document, user, **payload.handlers())
    return Status(201, _panel_out(request, document_id))


@router.post(
    "/incoming/{document_id}/opinions",
    response={201: OpinionOut},
    summary="Ghi ý kiến, tiến độ xử lý",
)
def record_opinion(request: HttpRequest, document_id: int, payload: OpinionIn) -> Any:
    user = current_user(request)
    document = selectors.get_document_for(user, document_id)
    handling = None
    if payload.handling_id is not None:
        handling = selectors.get_handling_for(user, payload.handling_id)
    opinion = services.record_opinion(
        document,
        user,
        text=payload.text,
        progress=payload.progress,
        handling=handling,
    )
    return Status(201, opinion)


@router.post(
    "/handlings/{handling_id}/reassign",
    response={201: list[HandlingOut]},
    summary="Phân công tiếp phần việc cho người, đơn vị trong đơn vị mình",
)
def reassign(request: HttpRequest, handling_id: int, payload: ReassignIn) -> Any:
    user = current_user(request)
    handling = selectors.get_handling_for(user, handling_id)
    return Status(201, services.reassign(handling, user, **payload.handlers()))


@router.post(
    "/incoming/{document_id}/close",
    response=DocumentStateOut,
    summary="Hoàn thành xử lý văn bản đến, kèm kết quả",
)
def close(request: HttpRequest, document_id: int, payload: CloseIn) -> Any:
    user = current_user(request)
    document = selectors.get_document_for(user, document_id)
    return _state_out(services.close(document, user, note=payload.note))


@router.post(
    "/handlings/{handling_id}/done",
    response=HandlingOut,
    summary="Xong phần phối hợp, hoặc đánh dấu đã đọc văn bản nhận để biết",
)
def mark_done(request: HttpRequest, handling_id: int, payload: DoneIn) -> Any:
    user = current_user(request)
    handling = selectors.get_handling_for(user, handling_id)
    return services.mark_done(handling, user, note=payload.note)
