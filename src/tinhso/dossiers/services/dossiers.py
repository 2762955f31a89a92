"""Dossiers from receipt to result: the code, the appointment, the papers
handed in; then hand-overs along the procedure's steps, supplement requests
that stop the clock, refusal or withdrawal, each a line of the control
sheet, until the result is returned."""

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import Role, User
from tinhso.accounts.policies import holds_role
from tinhso.accounts.selectors import roles_of
from tinhso.accounts.services import CITIZEN_ID_RE, TAX_CODE_RE, normalize_phone
from tinhso.core import audit, numbering, ratelimit
from tinhso.core.errors import DomainError, Forbidden, NotFound
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.core.text import nfc, thousands
from tinhso.dossiers.constants import (
    APOLOGISED,
    AUDIT_DOSSIER_APOLOGISED,
    AUDIT_DOSSIER_HANDED_OVER,
    AUDIT_DOSSIER_RECEIVED,
    AUDIT_DOSSIER_REFUSED,
    AUDIT_DOSSIER_RETURNED,
    AUDIT_DOSSIER_WITHDRAWN,
    AUDIT_SUPPLEMENT_RECEIVED,
    AUDIT_SUPPLEMENT_REQUESTED,
    LOOKUP_MISSES,
    LOOKUP_WINDOW,
    OPEN_STATUSES,
    REFUSED,
    SUPPLEMENT_RECEIVED,
    SUPPLEMENT_REQUESTED,
    WITHDRAWN,
    Channel,
    DossierStatus,
    PaymentStatus,
    ProcedureLevel,
)
from tinhso.dossiers.models import (
    Dossier,
    Handover,
    Procedure,
    Step,
    SubmittedDocument,
    Supplement,
)
from tinhso.dossiers.selectors import dossiers as dossier_selectors
from tinhso.dossiers.services import notifications, payments
from tinhso.dossiers.services.deadlines import appointment, extended, paused_halves


@dataclass
class Applicant:
    name: str
    id_number: str
    phone: str
    email: str = ""
    address: str = ""


def dossier_code(agency: OrgUnit, received_at: dt.datetime) -> str:
    """``<agency e-identifier>-<yyMMdd>-<4-digit sequence of the day>``.

    The sequence restarts every day for each receiving agency and is taken
    in the caller's transaction, so it has no gaps and no repeats.
    """
    day = timezone.localtime(received_at).date()
    register = f"dossiers.{agency.pk}.{day:%m%d}"
    number = numbering.next_number(register, day.year)
    return f"{agency.code}-{day:%y%m%d}-{number:04d}"


def _check_applicant(applicant: Applicant) -> Applicant:
    name = nfc(applicant.name)
    id_number = re.sub(r"\s", "", applicant.id_number)
    if not name:
        raise DomainError(
            "applicant_name_required",
            _("Cần họ tên người nộp hồ sơ."),
            extra={"field": "applicant_name"},
        )
    if not (CITIZEN_ID_RE.match(id_number) or TAX_CODE_RE.match(id_number)):
        raise DomainError(
            "applicant_id_invalid",
            _("Số định danh cá nhân gồm 12 chữ số; mã số thuế gồm 10 chữ số."),
            extra={"field": "applicant_id_number"},
        )
    email = applicant.email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise DomainError(
                "applicant_email_invalid",
                _("Địa chỉ thư điện tử không hợp lệ."),
                extra={"field": "applicant_email"},
            ) from None
    try:
        phone = normalize_phone(applicant.phone)
    except DomainError:
        raise DomainError(
            "applicant_phone_invalid",
            _("Số điện thoại gồm 10 chữ số, bắt đầu bằng 0."),
            extra={"field": "applicant_phone"},
        ) from None
    return Applicant(name, id_number, phone, email, nfc(applicant.address))


def _check_place(procedure: Procedure, agency: OrgUnit) -> None:
    if procedure.level == ProcedureLevel.COMMUNE:
        if agency.kind != OrgUnitKind.COMMUNE:
            raise DomainError(
                "dossier_wrong_level",
                _("Thủ tục cấp xã được tiếp nhận tại xã, phường, đặc khu."),
            )
        return
    if agency != procedure.agency and not dossier_selectors.is_service_centre(agency):
        raise DomainError(
            "dossier_wrong_place",
            _(
                "Thủ tục này tiếp nhận tại %(agency)s hoặc Trung tâm Phục vụ hành "
                "chính công tỉnh."
            )
            % {"agency": procedure.agency.name if procedure.agency else _("cấp tỉnh")},
        )


@transaction.atomic
def receive_at_counter(
    officer: User,
    procedure: Procedure,
    agency: OrgUnit,
    applicant: Applicant,
    documents: list[int],
    *,
    quantities: dict[int, int] | None = None,
    received_at: dt.datetime | None = None,
) -> Dossier:
    """A one-stop officer receives a dossier handed in at the counter.

    ``documents`` are the positions of the procedure's required documents
    handed in; every required one must be. The dossier gets its code, the
    status "received" and the appointment the receipt promises.
    """
    if not holds_role(officer, Role.ONE_STOP_OFFICER, agency):
        raise Forbidden(
            "not_one_stop_officer",
            _("Chỉ cán bộ một cửa của %(agency)s tiếp nhận hồ sơ tại đây.")
            % {"agency": agency.name},
        )
    if not procedure.published:
        raise DomainError("procedure_unpublished", _("Thủ tục này không còn áp dụng."))
    _check_place(procedure, agency)
    person = _check_applicant(applicant)
    required = list(procedure.documents.all())
    handed = set(documents)
    unknown = handed - {d.position for d in required}
    if unknown:
        raise DomainError(
            "dossier_document_unknown",
            _("Thủ tục không có thành phần hồ sơ số %(n)s.")
            % {"n": ", ".join(str(n) for n in sorted(unknown))},
        )
    missing = [d.name for d in required if d.required and d.position not in handed]
    if missing:
        raise DomainError(
            "dossier_incomplete",
            _("Hồ sơ còn thiếu: %(names)s.") % {"names": "; ".join(missing)},
            extra={"missing": missing},
        )
    at = received_at or timezone.now()
    dossier = Dossier.objects.create(
        code=dossier_code(agency, at),
        procedure=procedure,
        agency=agency,
        channel=Channel.COUNTER,
        status=DossierStatus.RECEIVED,
        applicant_name=person.name,
        applicant_id_number=person.id_number,
        applicant_phone=person.phone,
        applicant_email=person.email,
        applicant_address=person.address,
        received_at=at,
        received_by=officer,
        appointment_at=appointment(at, procedure.processing_days),
        step=1,
        handler=officer,
    )
    quantities = quantities or {}
    SubmittedDocument.objects.bulk_create(
        SubmittedDocument(
            dossier=dossier,
            position=n,
            name=d.name,
            copy_kind=d.copy_kind,
            quantity=max(quantities.get(d.position, d.quantity), 1),
        )
        for n, d in enumerate((d for d in required if d.position in handed), start=1)
    )
    payments.open_payment(dossier)
    audit.record(
        AUDIT_DOSSIER_RECEIVED,
        obj=dossier,
        detail={"code": dossier.code, "procedure": procedure.code, "channel": "1"},
    )
    notifications.notify(dossier, notifications.RECEIVED)
    return dossier


def _steps(dossier: Dossier) -> list[Step]:
    steps = list(dossier.procedure.steps.all())
    if len(steps) < 2:
        raise DomainError(
            "procedure_without_steps",
            _("Thủ tục chưa có trình tự xử lý; quản trị cần bổ sung các bước."),
        )
    return steps


def _record(
    dossier: Dossier,
    what: str,
    giver: User | None,
    receiver: User | None,
    note: str,
    at: dt.datetime,
    *,
    step: int | None = None,
) -> Handover:
    """One line of the control sheet, at the dossier's step unless told."""
    return Handover.objects.create(
        dossier=dossier,
        step=dossier.step if step is None else step,
        step_name=what,
        giver=giver,
        receiver=receiver,
        handed_at=at,
        on_time=at <= dossier.appointment_at,
        note=nfc(note),
    )


def _may_receive(user: User, step: Step, agency: OrgUnit) -> bool:
    """Whether ``user`` may do ``step``: they hold its role in the receiving
    unit (or below), or anywhere when the step is another agency's."""
    if step.inter_agency:
        return holds_role(user, step.role)
    return any(
        a.role == step.role and a.org_unit.path.startswith(agency.path)
        for a in roles_of(user)
    )


def _locked(dossier: Dossier) -> Dossier:
    return (
        Dossier.objects.select_for_update()
        .select_related("procedure")
        .get(pk=dossier.pk)
    )


@transaction.atomic
def hand_over(
    dossier: Dossier,
    giver: User,
    receiver: User,
    *,
    note: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    """``giver``, who holds the dossier, has done its step and passes it to
    ``receiver`` for the next one (a unit of another agency too, when the
    procedure is inter-agency). Reaching the last step (returning the
    result), the dossier counts as processed."""
    dossier = _locked(dossier)
    if dossier.status not in (DossierStatus.RECEIVED, DossierStatus.PROCESSING):
        raise DomainError(
            "dossier_not_in_progress",
            _("Hồ sơ ở trạng thái “%(status)s”, không chuyển tiếp được.")
            % {"status": dossier.get_status_display()},
        )
    if dossier.handler_id != giver.pk:
        raise Forbidden(
            "not_dossier_handler", _("Chỉ người đang giữ hồ sơ mới chuyển tiếp được.")
        )
    steps = _steps(dossier)
    following = next((s for s in steps if s.position > dossier.step), None)
    if following is None:
        raise DomainError(
            "dossier_at_last_step", _("Hồ sơ đã ở bước trả kết quả; hãy trả kết quả.")
        )
    if not receiver.is_active or not _may_receive(receiver, following, dossier.agency):
        raise DomainError(
            "handover_wrong_receiver",
            _(
                "Bước “%(step)s” do %(role)s của %(unit)s làm; %(name)s không "
                "giữ vai trò này ở đó."
            )
            % {
                "step": following.name,
                "role": str(Role(following.role).label).lower(),
                "unit": following.unit_label
                if following.inter_agency
                else dossier.agency.name,
                "name": receiver.full_name,
            },
            extra={"field": "receiver"},
        )
    when = at or timezone.now()
    current = next((s for s in steps if s.position == dossier.step), None)
    if current is None:  # only if the catalog was changed behind the service
        raise DomainError(
            "dossier_step_missing", _("Trình tự của thủ tục không còn bước này.")
        )
    _record(dossier, current.name, giver, receiver, note, when, step=current.position)
    dossier.step, dossier.handler = following.position, receiver
    last = following.position == steps[-1].position
    dossier.status = DossierStatus.PROCESSED if last else DossierStatus.PROCESSING
    if last:
        dossier.finished_at = when
    dossier.save(update_fields=["step", "handler", "status", "finished_at"])
    audit.record(
        AUDIT_DOSSIER_HANDED_OVER,
        obj=dossier,
        detail={
            "code": dossier.code,
            "step": current.position,
            "to": receiver.username,
        },
    )
    notifications.notify(
        dossier, notifications.PROCESSED if last else notifications.MOVED
    )
    return dossier


@transaction.atomic
def return_result(
    dossier: Dossier, officer: User, *, note: str = "", at: dt.datetime | None = None
) -> Dossier:
    """The one-stop officer hands the result to the applicant."""
    dossier = _locked(dossier)
    if dossier.status != DossierStatus.PROCESSED:
        raise DomainError(
            "dossier_not_processed",
            _("Hồ sơ chưa xử lý xong, chưa trả kết quả được."),
        )
    if dossier.handler_id != officer.pk:
        raise Forbidden(
            "not_dossier_handler", _("Chỉ người đang giữ hồ sơ mới trả kết quả được.")
        )
    payment = getattr(dossier, "payment", None)
    if payment is not None and payment.status != PaymentStatus.PAID:
        raise DomainError(
            "dossier_unpaid",
            _("Người nộp chưa nộp phí, lệ phí %(amount)s đồng; chưa trả kết quả được.")
            % {"amount": thousands(payment.amount)},
        )
    when = at or timezone.now()
    last = _steps(dossier)[-1]
    _record(dossier, last.name, officer, None, note, when, step=last.position)
    dossier.status, dossier.handler = DossierStatus.RETURNED, None
    dossier.save(update_fields=["status", "handler"])
    audit.record(AUDIT_DOSSIER_RETURNED, obj=dossier, detail={"code": dossier.code})
    notifications.notify(dossier, notifications.RETURNED)
    return dossier


def _holding(dossier: Dossier, user: User, *statuses: str) -> None:
    """``user`` holds ``dossier`` in one of ``statuses``. Nobody holds an online
    dossier not yet accepted: every one-stop officer of its unit may act."""
    if dossier.status not in statuses:
        raise DomainError(
            "dossier_wrong_status",
            _("Hồ sơ ở trạng thái “%(status)s”, không làm được việc này.")
            % {"status": dossier.get_status_display()},
        )
    if dossier.handler_id is None and dossier.received_by_id is None:
        if not holds_role(user, Role.ONE_STOP_OFFICER, dossier.agency):
            raise Forbidden(
                "not_one_stop_officer",
                _("Chỉ cán bộ một cửa của %(agency)s xử lý hồ sơ nộp trực tuyến này.")
                % {"agency": dossier.agency.name},
            )
        return
    if dossier.handler_id != user.pk:
        raise Forbidden(
            "not_dossier_handler", _("Chỉ người đang giữ hồ sơ mới làm được việc này.")
        )


@transaction.atomic
def request_supplement(
    dossier: Dossier, user: User, reason: str, *, at: dt.datetime | None = None
) -> Supplement:
    """Ask the applicant to complete the dossier; the clock stops."""
    dossier = _locked(dossier)
    _holding(
        dossier,
        user,
        DossierStatus.REGISTERED,
        DossierStatus.RECEIVED,
        DossierStatus.PROCESSING,
    )
    reason = nfc(reason)
    if not reason:
        raise DomainError(
            "supplement_reason_required",
            _("Ghi rõ giấy tờ, nội dung người nộp cần bổ sung."),
            extra={"field": "reason"},
        )
    when = at or timezone.now()
    supplement = Supplement.objects.create(
        dossier=dossier, reason=reason, requested_at=when, requested_by=user
    )
    _record(dossier, SUPPLEMENT_REQUESTED, user, None, reason, when)
    dossier.status = DossierStatus.SUPPLEMENT
    dossier.save(update_fields=["status"])
    audit.record(AUDIT_SUPPLEMENT_REQUESTED, obj=dossier, detail={"code": dossier.code})
    notifications.notify(dossier, notifications.SUPPLEMENT)
    return supplement


@transaction.atomic
def receive_supplement(
    dossier: Dossier, user: User, *, note: str = "", at: dt.datetime | None = None
) -> Dossier:
    """The applicant has handed in what was asked: the clock runs again and
    the appointment moves on by the working time it stood still."""
    dossier = _locked(dossier)
    _holding(dossier, user, DossierStatus.SUPPLEMENT)
    return _resume(dossier, None, user, note, at or timezone.now())


def _resume(
    dossier: Dossier,
    giver: User | None,
    receiver: User | None,
    note: str,
    when: dt.datetime,
) -> Dossier:
    """The supplement is in: the clock runs again and the appointment moves
    on by the working time it stood still. A dossier asked to supplement
    before it was accepted goes back to waiting for acceptance."""
    supplement = dossier.supplements.filter(received_at__isnull=True).last()
    assert supplement is not None, "a dossier awaiting a supplement has one open"
    supplement.received_at = when
    supplement.paused_halves = paused_halves(supplement.requested_at, when)
    supplement.save(update_fields=["received_at", "paused_halves"])
    dossier.appointment_at = extended(dossier.appointment_at, supplement.paused_halves)
    dossier.status = (
        DossierStatus.REGISTERED
        if dossier.received_by_id is None
        else DossierStatus.PROCESSING
    )
    _record(dossier, SUPPLEMENT_RECEIVED, giver, receiver, nfc(note), when)
    dossier.save(update_fields=["status", "appointment_at"])
    audit.record(
        AUDIT_SUPPLEMENT_RECEIVED,
        obj=dossier,
        detail={"code": dossier.code, "paused_halves": supplement.paused_halves},
    )
    return dossier


@transaction.atomic
def refuse(
    dossier: Dossier, user: User, reason: str, *, at: dt.datetime | None = None
) -> Dossier:
    """The holder refuses the dossier with reasons: at the counter it was
    not received (status 3); later its processing stops (status 8)."""
    dossier = _locked(dossier)
    _holding(dossier, user, *OPEN_STATUSES)
    reason = nfc(reason)
    if not reason:
        raise DomainError(
            "refusal_reason_required",
            _("Ghi rõ lý do từ chối để người nộp biết."),
            extra={"field": "reason"},
        )
    _close(dossier, user, REFUSED, reason, at)
    dossier.status = (
        DossierStatus.NOT_RECEIVED if dossier.step == 1 else DossierStatus.STOPPED
    )
    dossier.save(update_fields=["status", "handler", "finished_at"])
    audit.record(AUDIT_DOSSIER_REFUSED, obj=dossier, detail={"code": dossier.code})
    notifications.notify(dossier, notifications.REFUSED)
    return dossier


@transaction.atomic
def withdraw(
    dossier: Dossier, user: User, note: str = "", *, at: dt.datetime | None = None
) -> Dossier:
    """The applicant takes the dossier back (status 7), as the holder records."""
    dossier = _locked(dossier)
    _holding(dossier, user, *OPEN_STATUSES)
    return _withdrawn(dossier, user, note, at)


def _withdrawn(
    dossier: Dossier, user: User, note: str, at: dt.datetime | None, **detail: object
) -> Dossier:
    """Close a locked dossier as withdrawn (status 7), recorded as ``user``'s."""
    _close(dossier, user, WITHDRAWN, nfc(note), at)
    dossier.status = DossierStatus.WITHDRAWN
    dossier.save(update_fields=["status", "handler", "finished_at"])
    audit.record(
        AUDIT_DOSSIER_WITHDRAWN,
        obj=dossier,
        actor=user,
        detail={"code": dossier.code, **detail},
    )
    notifications.notify(dossier, notifications.WITHDRAWN)
    return dossier


@transaction.atomic
def apologise(
    dossier: Dossier,
    user: User,
    reason: str,
    promised: dt.datetime,
    *,
    at: dt.datetime | None = None,
) -> Dossier:
    """The dossier will be late: the holder apologises in writing and promises
    a new date. It stays late for the statistics, which count against the
    receipt's appointment."""
    dossier = _locked(dossier)
    _holding(
        dossier,
        user,
        DossierStatus.RECEIVED,
        DossierStatus.PROCESSING,
        DossierStatus.PROCESSED,
    )
    reason = nfc(reason)
    if not reason:
        raise DomainError(
            "apology_reason_required",
            _("Ghi rõ lý do chậm trễ."),
            extra={"field": "reason"},
        )
    if promised <= max(dossier.appointment_at, at or timezone.now()):
        raise DomainError(
            "apology_date_too_early",
            _("Ngày hẹn lại phải sau hạn đã hẹn và sau lúc này."),
            extra={"field": "promised"},
        )
    when = at or timezone.now()
    _record(dossier, APOLOGISED, user, None, reason, when)
    dossier.rescheduled_at = promised
    dossier.save(update_fields=["rescheduled_at"])
    audit.record(
        AUDIT_DOSSIER_APOLOGISED,
        obj=dossier,
        detail={"code": dossier.code, "promised": promised.isoformat()},
    )
    notifications.notify(dossier, notifications.APOLOGISED)
    return dossier


def _close(
    dossier: Dossier, user: User, what: str, note: str, at: dt.datetime | None
) -> None:
    when = at or timezone.now()
    _record(dossier, what, user, None, note, when)
    dossier.handler, dossier.finished_at = None, when


def look_up(code: str, contact: str, address: str | None) -> dossier_selectors.LookedUp:
    """The public look-up, limited per client address: NotFound on a miss
    (counted), 429 once LOOKUP_MISSES misses were made in LOOKUP_WINDOW."""
    key = f"dossier-lookup:{address}"
    if ratelimit.exceeded(key, limit=LOOKUP_MISSES):
        raise DomainError(
            "too_many_lookups",
            _("Bạn đã tra cứu sai nhiều lần; hãy thử lại sau 15 phút."),
            status=429,
        )
    dossier = dossier_selectors.look_up(code, contact)
    if dossier is None:
        ratelimit.hit(key, limit=LOOKUP_MISSES, window=LOOKUP_WINDOW)
        raise NotFound(
            "dossier_not_found",
            _(
                "Không tìm thấy hồ sơ có mã này với số điện thoại hoặc số định danh "
                "đã nhập."
            ),
        )
    return dossier
