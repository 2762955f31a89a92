"""Handling an incoming document: assignment, opinions, passing work on, closing.

Every act takes the document's row lock, checks the policy, validates, writes
and audits in one transaction, and tells an electronic sender where the
document stands (``receipts.report_status``). Nothing is written on a refusal.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import AccountKind, User
from tinhso.core import audit
from tinhso.core.errors import Conflict, DomainError, Forbidden, NotFound
from tinhso.core.models import OrgUnit
from tinhso.core.text import nfc
from tinhso.documents.constants import (
    DispatchStatus,
    HandlingRole,
    HandlingStatus,
    IncomingStatus,
)
from tinhso.documents.models import Handling, IncomingDocument, Opinion
from tinhso.documents.policies import handling as policies
from tinhso.documents.services import receipts

ACTION_ASSIGN = "documents.incoming.assign"
ACTION_OPINION = "documents.incoming.opinion"
ACTION_REASSIGN = "documents.incoming.reassign"
ACTION_CLOSE = "documents.incoming.close"
ACTION_DONE = "documents.incoming.done"

# Long enough for any instruction or note people write; bounds the row.
MAX_TEXT = 4000

Handler = User | OrgUnit


def handler_key(handler: Handler) -> str:
    """ "user:12" or "unit:5": how forms, the API and the audit log name a handler."""
    kind = "unit" if isinstance(handler, OrgUnit) else "user"
    return f"{kind}:{handler.pk}"


def row_key(row: Handling) -> str:
    return f"user:{row.user_id}" if row.user_id is not None else f"unit:{row.unit_id}"


def _name(handler: Handler) -> str:
    if isinstance(handler, OrgUnit):
        return handler.name
    return handler.full_name or handler.username


# Shared checks ---------------------------------------------------------------


def _lock(document: IncomingDocument) -> IncomingDocument:
    """The document re-read under its row lock: concurrent acts queue here."""
    # Only the document's row: the agency's row is shared by all its documents.
    return (
        IncomingDocument.objects.select_for_update(of=("self",))
        .select_related("agency")
        .get(pk=document.pk)
    )


def _rows(document: IncomingDocument) -> list[Handling]:
    return list(
        Handling.objects.filter(document=document)
        .select_related("user", "unit", "user__org_unit")
        .order_by("created_at", "pk")
    )


def _require_under_way(document: IncomingDocument) -> None:
    if document.status == IncomingStatus.REGISTERED:
        raise Conflict(
            "handling_not_assigned",
            _("Văn bản chưa được phân công xử lý."),
        )
    if document.status not in policies.UNDER_WAY:
        raise Conflict(
            "handling_document_closed",
            _("Văn bản đã ở trạng thái “%(status)s”, không còn xử lý được nữa.")
            % {"status": document.get_status_display()},
        )


def _text(value: str, *, required: str = "") -> str:
    """``value`` cleaned; ``required`` is the message when it may not be empty."""
    text = nfc(value or "").strip()
    if required and not text:
        raise DomainError("handling_text_required", required)
    if len(text) > MAX_TEXT:
        raise DomainError(
            "handling_text_too_long",
            _("Nội dung dài quá %(limit)s ký tự.") % {"limit": MAX_TEXT},
        )
    return text


def _check_deadline(deadline: dt.date | None) -> None:
    if deadline is not None and deadline < timezone.localdate():
        raise DomainError(
            "handling_deadline_past", _("Hạn xử lý không thể là ngày đã qua.")
        )


def _check_handlers(
    chosen: Sequence[tuple[Handler, str]],
    *,
    within: OrgUnit,
    outside_message: str,
    own_unit_message: str,
) -> None:
    """Each handler once, an active official or a current unit, inside ``within``.

    ``within`` itself may not be chosen as a unit: work goes to a unit under it
    or to a person. The messages take %(name)s and %(unit)s.
    """
    seen: set[str] = set()
    for handler, _role in chosen:
        key = handler_key(handler)
        if key in seen:
            raise DomainError(
                "handling_duplicate_handler",
                _(
                    "%(name)s được chọn nhiều lần; mỗi người hoặc đơn vị chỉ "
                    "nhận một vai trò."
                )
                % {"name": _name(handler)},
            )
        seen.add(key)
        names = {"name": _name(handler), "unit": within.name}
        if isinstance(handler, OrgUnit):
            if handler.pk == within.pk:
                raise DomainError("handling_own_unit", own_unit_message % names)
            inside = handler.path.startswith(within.path) and not handler.legacy
        else:
            if handler.kind != AccountKind.OFFICIAL or not handler.is_active:
                raise DomainError(
                    "handling_inactive_handler",
                    _(
                        "Tài khoản của %(name)s không còn hoạt động, không giao việc được."
                    )
                    % names,
                )
            unit = handler.org_unit
            inside = unit is not None and unit.path.startswith(within.path)
        if not inside:
            raise DomainError("handling_outside_unit", outside_message % names)


def _new_row(
    document: IncomingDocument,
    handler: Handler,
    role: str,
    *,
    actor: Any,
    parent: Handling | None,
    deadline: dt.date | None,
    instruction: str,
) -> Handling:
    return Handling.objects.create(
        document=document,
        role=role,
        user=handler if isinstance(handler, User) else None,
        unit=handler if isinstance(handler, OrgUnit) else None,
        parent=parent,
        assigned_by=actor,
        # Recipients for information only read it: no deadline to meet.
        deadline=None if role == HandlingRole.INFO else deadline,
        instruction=instruction,
    )


def _descendants(row: Handling, rows: Sequence[Handling]) -> list[Handling]:
    found: list[Handling] = []
    frontier = [row.pk]
    while frontier:
        children = [r for r in rows if r.parent_id in frontier]
        found.extend(children)
        frontier = [r.pk for r in children]
    return found


def _finish(
    rows: Sequence[Handling], now: dt.datetime, *, progress: int | None = None
) -> list[int]:
    """Mark the open ones among ``rows`` done; their ids."""
    ids = [row.pk for row in rows if row.status == HandlingStatus.OPEN]
    if ids:
        fields: dict[str, Any] = {"status": HandlingStatus.DONE, "done_at": now}
        if progress is not None:
            fields["progress"] = progress
        Handling.objects.filter(pk__in=ids).update(**fields)
    return ids


def _start(document: IncomingDocument, actor: Any) -> bool:
    """The first work on an assigned document puts it in progress."""
    if document.status != IncomingStatus.ASSIGNED:
        return False
    document.status = IncomingStatus.IN_PROGRESS
    document.save(update_fields=["status"])
    receipts.report_status(document, DispatchStatus.IN_PROGRESS, actor=actor)
    return True


def _chosen(
    lead: Handler | None, co: Sequence[Handler], info: Sequence[Handler]
) -> list[tuple[Handler, str]]:
    chosen: list[tuple[Handler, str]] = []
    if lead is not None:
        chosen.append((lead, HandlingRole.LEAD))
    chosen += [(handler, HandlingRole.CO) for handler in co]
    chosen += [(handler, HandlingRole.INFO) for handler in info]
    return chosen


# Acts ------------------------------------------------------------------------


def assign(
    document: IncomingDocument,
    actor: Any,
    *,
    lead: Handler | None,
    co: Sequence[Handler] = (),
    info: Sequence[Handler] = (),
    deadline: dt.date | None = None,
    instruction: str = "",
) -> list[Handling]:
    """A leader of the receiving agency assigns ``document``, or changes it.

    Exactly one lead handler; co-handlers and recipients for information are
    optional; every handler is a person or a unit of the agency. On a change,
    handlers that stay keep their row (and the work passed on below it) with
    the new deadline and instruction; handlers left out are marked done with
    a note saying so; rows are never deleted. Returns the open top-level rows.
    Raises Forbidden, Conflict or DomainError; nothing is written then.
    """
    with transaction.atomic():
        document = _lock(document)
        if document.status not in policies.OPEN_DOCUMENT:
            raise Conflict(
                "handling_document_closed",
                _("Văn bản đã ở trạng thái “%(status)s”, không phân công được nữa.")
                % {"status": document.get_status_display()},
            )
        agency = document.agency
        if not policies.can_assign(actor, document):
            raise Forbidden(
                "handling_assign_forbidden",
                _("Chỉ lãnh đạo của %(agency)s được phân công xử lý văn bản này.")
                % {"agency": agency.name},
            )
        if lead is None:
            raise DomainError(
                "handling_lead_required",
                _("Cần chọn đúng một người hoặc đơn vị xử lý chính."),
            )
        chosen = _chosen(lead, co, info)
        _check_handlers(
            chosen,
            within=agency,
            outside_message=_(
                "%(name)s không thuộc %(unit)s nên không thể được giao xử lý "
                "văn bản này."
            ),
            own_unit_message=_(
                "Hãy giao cho một phòng, ban hoặc cán bộ của %(unit)s, không giao "
                "cho cả cơ quan."
            ),
        )
        _check_deadline(deadline)
        instruction = _text(instruction)

        now = timezone.now()
        rows = _rows(document)
        current = {
            row_key(row): row
            for row in rows
            if row.parent_id is None and row.status == HandlingStatus.OPEN
        }
        wanted = {handler_key(handler): role for handler, role in chosen}
        kept: list[Handling] = []
        ended: list[int] = []
        for key, row in current.items():
            if wanted.get(key) == row.role:
                kept.append(row)
                continue
            part = [row, *_descendants(row, rows)]
            ended += _finish(part, now)
            Opinion.objects.create(
                document=document,
                handling=row,
                author=actor,
                text=_("Thôi giao: phân công đã được thay đổi."),
            )
        clamped: list[int] = []
        for row in kept:
            new_deadline = None if row.role == HandlingRole.INFO else deadline
            if (row.deadline, row.instruction) == (new_deadline, instruction):
                continue
            Opinion.objects.create(
                document=document,
                handling=row,
                author=actor,
                text=_(
                    "Điều chỉnh phân công: hạn xử lý %(old)s → %(new)s; "
                    "ý kiến chỉ đạo: %(instruction)s"
                )
                % {
                    "old": _date(row.deadline),
                    "new": _date(new_deadline),
                    "instruction": instruction or "—",
                },
            )
            row.deadline = new_deadline
            row.instruction = instruction
            row.assigned_by = actor
            row.save(update_fields=["deadline", "instruction", "assigned_by"])
            if new_deadline is not None:
                # Work passed on below may not end after the part it belongs to.
                later = [
                    r.pk
                    for r in _descendants(row, rows)
                    if r.status == HandlingStatus.OPEN
                    and r.deadline is not None
                    and r.deadline > new_deadline
                ]
                Handling.objects.filter(pk__in=later).update(deadline=new_deadline)
                clamped += later
        kept_keys = {row_key(row) for row in kept}
        created = [
            _new_row(
                document,
                handler,
                role,
                actor=actor,
                parent=None,
                deadline=deadline,
                instruction=instruction,
            )
            for handler, role in chosen
            if handler_key(handler) not in kept_keys
        ]
        first = document.status == IncomingStatus.REGISTERED
        document.deadline = deadline
        fields = ["deadline"]
        if first:
            document.status = IncomingStatus.ASSIGNED
            fields.append("status")
        document.save(update_fields=fields)
        if first:
            receipts.report_status(document, DispatchStatus.ASSIGNED, actor=actor)
        audit.record(
            ACTION_ASSIGN,
            obj=document,
            actor=actor,
            detail={
                "change": not first,
                "lead": handler_key(lead),
                "co": [handler_key(h) for h in co],
                "info": [handler_key(h) for h in info],
                "deadline": deadline.isoformat() if deadline else None,
                "instruction": instruction,
                "created": [row.pk for row in created],
                "kept": [row.pk for row in kept],
                "ended": ended,
                "deadline_clamped": clamped,
            },
        )
    return sorted([*kept, *created], key=lambda row: (row.created_at, row.pk))


def _date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else _("không có")


def _get_handling(document: IncomingDocument, handling: Handling) -> Handling:
    row = (
        Handling.objects.select_related("user", "unit", "user__org_unit")
        .filter(pk=handling.pk, document=document)
        .first()
    )
    if row is None:
        raise NotFound("handling_not_found", _("Không tìm thấy phần việc."))
    return row


def record_opinion(
    document: IncomingDocument,
    actor: Any,
    *,
    text: str,
    progress: int | None = None,
    handling: Handling | None = None,
) -> Opinion:
    """A lead or co-handler records an opinion, with their progress (0–100) if given.

    ``handling`` is the part written on; by default the actor's own open
    lead or co part (the lead one first). The first opinion on an assigned
    document puts it in progress.
    """
    with transaction.atomic():
        document = _lock(document)
        _require_under_way(document)
        if handling is not None:
            row: Handling | None = _get_handling(document, handling)
            if row is not None and not policies.can_record_opinion(
                actor, row, document
            ):
                row = None
        else:
            mine = [
                r
                for r in _rows(document)
                if policies.can_record_opinion(actor, r, document)
            ]
            mine.sort(key=lambda r: (r.role != HandlingRole.LEAD, r.created_at, r.pk))
            row = mine[0] if mine else None
        if row is None:
            raise Forbidden(
                "handling_opinion_forbidden",
                _(
                    "Chỉ người đang xử lý chính hoặc phối hợp xử lý văn bản mới ghi "
                    "được ý kiến xử lý."
                ),
            )
        text = _text(text, required=_("Cần nhập nội dung ý kiến."))
        if progress is not None and not 0 <= progress <= 100:
            raise DomainError("handling_bad_progress", _("Tiến độ phải từ 0 đến 100%."))
        opinion = Opinion.objects.create(
            document=document,
            handling=row,
            author=actor,
            text=text,
            progress=progress,
        )
        if progress is not None:
            row.progress = progress
            row.save(update_fields=["progress"])
        started = _start(document, actor)
        audit.record(
            ACTION_OPINION,
            obj=document,
            actor=actor,
            detail={
                "handling": row.pk,
                "opinion": opinion.pk,
                "progress": progress,
                "started": started,
            },
        )
    return opinion


def reassign(
    handling: Handling,
    actor: Any,
    *,
    lead: Handler | None = None,
    co: Sequence[Handler] = (),
    info: Sequence[Handler] = (),
    deadline: dt.date | None = None,
    instruction: str = "",
) -> list[Handling]:
    """A lead or co-handler passes their part on down their own unit.

    Makes one child row per person or unit chosen, each inside the
    handler's own unit (the unit of a unit's row, else the person's unit);
    their deadline is ``deadline`` or the part's own, never after it.
    The part stays open with its handler. Returns the new rows.
    """
    with transaction.atomic():
        document = _lock(handling.document)
        _require_under_way(document)
        parent = _get_handling(document, handling)
        if parent.status != HandlingStatus.OPEN:
            raise Conflict("handling_already_done", _("Phần việc này đã xong."))
        if not policies.can_reassign(actor, parent, document):
            raise Forbidden(
                "handling_reassign_forbidden",
                _(
                    "Chỉ người đang xử lý chính hoặc phối hợp mới phân công tiếp được "
                    "phần việc của mình."
                ),
            )
        own_unit = parent.unit
        if own_unit is None and parent.user is not None:
            own_unit = parent.user.org_unit
        if own_unit is None:
            raise DomainError(
                "handling_no_unit",
                _(
                    "Tài khoản của bạn chưa thuộc đơn vị nào nên chưa phân công tiếp được."
                ),
            )
        chosen = _chosen(lead, co, info)
        if not chosen:
            raise DomainError(
                "handling_handlers_required",
                _("Cần chọn ít nhất một người hoặc đơn vị để phân công tiếp."),
            )
        for handler, _role in chosen:
            if handler == actor or handler == parent.user:
                raise DomainError(
                    "handling_self", _("Không thể tự giao việc cho chính mình.")
                )
        _check_handlers(
            chosen,
            within=own_unit,
            outside_message=_(
                "%(name)s không thuộc %(unit)s; chỉ phân công tiếp được cho người hoặc "
                "đơn vị trong đơn vị của mình."
            ),
            own_unit_message=_(
                "Hãy giao cho người hoặc đơn vị trực thuộc %(unit)s, không giao "
                "lại cho cả %(unit)s."
            ),
        )
        rows = _rows(document)
        children = [
            r
            for r in rows
            if r.parent_id == parent.pk and r.status == HandlingStatus.OPEN
        ]
        if lead is not None and any(r.role == HandlingRole.LEAD for r in children):
            raise DomainError(
                "handling_lead_exists",
                _("Phần việc này đã có người xử lý chính."),
            )
        taken = {row_key(r) for r in children}
        for handler, _role in chosen:
            if handler_key(handler) in taken:
                raise DomainError(
                    "handling_already_assigned",
                    _("%(name)s đã được giao phần việc này.")
                    % {"name": _name(handler)},
                )
        _check_deadline(deadline)
        if deadline is None:
            deadline = parent.deadline
        elif parent.deadline is not None and deadline > parent.deadline:
            raise DomainError(
                "handling_deadline_after_parent",
                _(
                    "Hạn xử lý không được sau hạn của phần việc được giao "
                    "(%(deadline)s)."
                )
                % {"deadline": _date(parent.deadline)},
            )
        instruction = _text(instruction)
        created = [
            _new_row(
                document,
                handler,
                role,
                actor=actor,
                parent=parent,
                deadline=deadline,
                instruction=instruction,
            )
            for handler, role in chosen
        ]
        audit.record(
            ACTION_REASSIGN,
            obj=document,
            actor=actor,
            detail={
                "handling": parent.pk,
                "lead": handler_key(lead) if lead is not None else None,
                "co": [handler_key(h) for h in co],
                "info": [handler_key(h) for h in info],
                "deadline": deadline.isoformat() if deadline else None,
                "instruction": instruction,
                "created": [row.pk for row in created],
            },
        )
    return created


def close(document: IncomingDocument, actor: Any, *, note: str) -> IncomingDocument:
    """The lead handler, or the leader who assigned the lead, closes ``document``.

    Every open part is marked done (the lead line at 100%), the result
    note and the time are kept, and the sender is told it is completed.
    """
    with transaction.atomic():
        document = _lock(document)
        _require_under_way(document)
        rows = _rows(document)
        if not policies.can_close(actor, document, rows):
            raise Forbidden(
                "handling_close_forbidden",
                _(
                    "Chỉ người xử lý chính hoặc lãnh đạo đã phân công mới kết thúc "
                    "được việc xử lý văn bản này."
                ),
            )
        note = _text(note, required=_("Cần nhập kết quả xử lý."))
        now = timezone.now()
        by_id = {row.pk: row for row in rows}
        lead_line = [row for row in rows if policies.leads_document(row, by_id)]
        finished = _finish(lead_line, now, progress=100)
        finished += _finish([row for row in rows if row not in lead_line], now)
        document.status = IncomingStatus.COMPLETED
        document.closed_at = now
        document.closed_by = actor
        document.closing_note = note
        document.save(
            update_fields=["status", "closed_at", "closed_by", "closing_note"]
        )
        receipts.report_status(
            document, DispatchStatus.COMPLETED, actor=actor, note=note
        )
        on_time = (
            None
            if document.deadline is None
            else timezone.localdate(now) <= document.deadline
        )
        audit.record(
            ACTION_CLOSE,
            obj=document,
            actor=actor,
            detail={
                "note": note,
                "deadline": document.deadline.isoformat()
                if document.deadline
                else None,
                "on_time": on_time,
                "finished": finished,
            },
        )
    return document


def mark_done(handling: Handling, actor: Any, *, note: str = "") -> Handling:
    """A co-handler finishes their part; a recipient for information marks it read.

    Work passed on below the part ends with it. A co-handler's part counts
    as work on the document (it goes in progress); reading does not.
    """
    with transaction.atomic():
        document = _lock(handling.document)
        _require_under_way(document)
        row = _get_handling(document, handling)
        if row.status != HandlingStatus.OPEN:
            raise Conflict("handling_already_done", _("Phần việc này đã xong."))
        rows = _rows(document)
        by_id = {r.pk: r for r in rows}
        if not policies.can_mark_done(actor, row, document, by_id):
            if policies.acts_for(actor, row):
                raise DomainError(
                    "handling_lead_closes",
                    _(
                        "Người xử lý chính kết thúc việc xử lý bằng “Hoàn thành xử "
                        "lý” kèm kết quả, không đánh dấu xong riêng phần mình."
                    ),
                )
            raise Forbidden(
                "handling_done_forbidden",
                _("Chỉ người được giao phần việc này mới đánh dấu xong được."),
            )
        note = _text(note)
        now = timezone.now()
        working = row.role in policies.WORKING_ROLES
        if note:
            Opinion.objects.create(
                document=document, handling=row, author=actor, text=note
            )
        finished = _finish([row], now, progress=100 if working else None)
        finished += _finish(_descendants(row, rows), now)
        started = _start(document, actor) if working else False
        audit.record(
            ACTION_DONE,
            obj=document,
            actor=actor,
            detail={
                "handling": row.pk,
                "role": row.role,
                "note": note,
                "finished": finished,
                "started": started,
            },
        )
        row.refresh_from_db()
    return row
