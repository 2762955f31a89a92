"""Reads of dossiers: through the user's visibility, or, for the public
look-up, by code together with the applicant's phone or ID number."""

import contextlib
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BigIntegerField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.lookups import StartsWith
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import Role, RoleAssignment, User
from tinhso.accounts.policies import is_official
from tinhso.accounts.selectors import (
    active_officials,
    role_holders,
    role_scope,
)
from tinhso.accounts.services import normalize_phone
from tinhso.core.errors import DomainError, NotFound
from tinhso.core.masking import masked_name
from tinhso.core.models import OrgUnit, OrgUnitKind, StoredFile
from tinhso.core.pagination import Counted
from tinhso.core.prepared import prepared
from tinhso.core.text import fold, label_of
from tinhso.dossiers.constants import (
    APOLOGISED,
    REFUSED,
    BankOutcome,
    DossierStatus,
    PaymentStatus,
    ProcedureLevel,
)
from tinhso.dossiers.models import (
    BankNotification,
    Dossier,
    Handover,
    Notification,
    Payment,
    Procedure,
    Rating,
    Step,
    SubmittedDocument,
    Supplement,
)
from tinhso.dossiers.policies import (
    DOSSIER_ROLES,
    can_reconcile_credits,
    works_on_dossiers_of,
)


def _covered_units(user_id: Any) -> QuerySet[OrgUnit, Any]:
    """Units where the account works on dossiers: those of its dossier
    roles, and below a role held over a subtree (as ``role_scope``), as one
    subquery, so that a list's statement has the same shape for everyone."""
    roles = RoleAssignment.objects.filter(
        user_id=user_id, role__in=DOSSIER_ROLES
    ).filter(
        Q(org_unit_id=OuterRef("pk"))
        | Q(StartsWith(OuterRef("path"), F("org_unit__path")), include_subtree=True)
    )
    return OrgUnit.objects.filter(Exists(roles)).order_by().values("pk")


def _seen_by(user_id: Any, *, official: bool) -> Q:
    condition = Q(applicant_id=user_id)
    if official:
        received = Handover.objects.filter(receiver_id=user_id).values("dossier_id")
        condition |= (
            Q(agency_key__in=_covered_units(user_id))
            | Q(handler_id=user_id)
            | Q(pk__in=received)
        )
    return condition


def _visible(user_id: Any, *, official: bool) -> QuerySet[Dossier]:
    return (
        # The agency as "agency_id + 0": the same value, offered by no index,
        # so that SQLite walks the newest-first index to the page instead of
        # gathering every dossier of the covered units to sort them all.
        Dossier.objects.alias(
            agency_key=ExpressionWrapper(
                F("agency_id") + Value(0), output_field=BigIntegerField()
            )
        )
        .filter(_seen_by(user_id, official=official))
        # Not the receiving officer: only a dossier's own page and receipt
        # name them, and an account row is wide to read for every line.
        .select_related("procedure", "agency")
        .order_by("-received_at", "-pk")
    )


def visible_dossiers(user: Any) -> QuerySet[Dossier]:
    """Dossiers ``user`` may see.

    Officials: those received at a unit where they are a one-stop officer,
    specialist or leader (a role over a subtree reaches every unit below),
    and those handed to them, as an inter-agency procedure hands them to
    another agency. Other roles (clerks, administrators, data and reporting
    officers) do not see applicants' personal data. Citizens and
    businesses: their own. Nobody else's dossier shows, even to someone
    who knows its code.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Dossier.objects.none()
    return _visible(user.pk, official=is_official(user))


# What a line of the list shows (DossierOut): a dossier's row is wide, and
# the list needs no model instances.
_LINE = (
    "code",
    "channel",
    "status",
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "received_at",
    "appointment_at",
    "rescheduled_at",
)
_LINE_REFS = (
    "procedure__code",
    "procedure__name",
    "agency_id",
    "agency__code",
    "agency__name",
)


@prepared
def _lines_seen_by_official(user_id: int) -> QuerySet[Dossier, tuple[Any, ...]]:
    return _visible(user_id, official=True).values_list(*_LINE, *_LINE_REFS)


@prepared
def _lines_of_applicant(user_id: int) -> QuerySet[Dossier, tuple[Any, ...]]:
    return _visible(user_id, official=False).values_list(*_LINE, *_LINE_REFS)


@prepared
def _keys_seen_by_official(user_id: int) -> QuerySet[Dossier, int]:
    return _visible(user_id, official=True).values_list("pk", flat=True)


@prepared
def _keys_of_applicant(user_id: int) -> QuerySet[Dossier, int]:
    return _visible(user_id, official=False).values_list("pk", flat=True)


def _line(row: tuple[Any, ...]) -> dict[str, Any]:
    *own, procedure_code, procedure_name, agency_id, agency_code, agency_name = row
    line = dict(zip(_LINE, own, strict=True))
    line["procedure"] = {"code": procedure_code, "name": procedure_name}
    line["agency"] = {"id": agency_id, "code": agency_code, "name": agency_name}
    return line


def visible_dossier_pages(user: Any) -> Counted[dict[str, Any]] | QuerySet[Dossier]:
    """``visible_dossiers(user)`` newest first, for ``capped_page``, as
    lines of the list (what DossierOut shows), paged and counted with
    prepared reads: every officer opens the list."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Dossier.objects.none()
    official = is_official(user)
    lines = _lines_seen_by_official if official else _lines_of_applicant
    # Counted over the keys alone: the lines' joins and columns cost 5×.
    keys = _keys_seen_by_official if official else _keys_of_applicant
    return Counted(
        page=lambda offset, limit: [
            _line(row) for row in lines.page(user.pk, offset=offset, limit=limit)
        ],
        count=lambda limit: keys.count(user.pk, limit=limit),
    )


def _sees(user: Any, dossier: Dossier) -> bool:
    """Whether ``visible_dossiers(user)`` holds ``dossier``, read already:
    the same rule, asked of one row in memory."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if dossier.applicant_id == user.pk:
        return True
    if not is_official(user):
        return False
    if dossier.handler_id == user.pk or works_on_dossiers_of(user, dossier.agency):
        return True
    return Handover.objects.filter(dossier=dossier, receiver=user).exists()


@prepared
def _by_code(code: str) -> QuerySet[Dossier]:
    return (
        Dossier.objects.select_related("procedure", "agency")
        .filter(code=code)
        .order_by()
    )


def get_dossier_for(user: Any, code: object) -> Dossier:
    """The dossier with ``code`` if ``user`` may see it (``visible_dossiers``).

    Read by its code, then checked in memory: building the condition of
    every dossier a user sees costs more than the rest of a dossier's page.
    """
    dossier = next(iter(_by_code(str(code))), None)
    if dossier is None or not _sees(user, dossier):
        raise NotFound("dossier_not_found", _("Không tìm thấy hồ sơ."))
    return dossier


@prepared
def _papers_of(dossier_id: int) -> QuerySet[SubmittedDocument]:
    return SubmittedDocument.objects.filter(dossier_id=dossier_id).order_by("position")


def papers_of(dossier: Dossier) -> list[SubmittedDocument]:
    """The documents received with ``dossier``, in the procedure's order."""
    return _papers_of(dossier.pk)


def counters_of(user: Any) -> QuerySet[OrgUnit]:
    """Units where ``user`` receives dossiers as a one-stop officer."""
    return OrgUnit.objects.filter(
        role_scope(user, role=Role.ONE_STOP_OFFICER), legacy=False
    ).order_by("depth", "name")


@dataclass(frozen=True)
class Named:
    id: int
    code: str
    name: str


@dataclass
class LookedUp:
    """What the public look-up shows of a dossier, read as plain values:
    every citizen's look-up reads one, and nothing more of the dossier
    can be reached from it."""

    pk: int
    code: str
    status: str
    received_at: dt.datetime
    appointment_at: dt.datetime
    rescheduled_at: dt.datetime | None
    applicant_name: str
    applicant_phone: str
    applicant_id_number: str
    procedure: Named
    agency: Named

    def get_status_display(self) -> str:
        return label_of(DossierStatus, self.status)

    @property
    def applicant_masked(self) -> str:
        return masked_name(self.applicant_name)


@prepared
def _looked_up(code: str) -> QuerySet[Dossier, tuple[Any, ...]]:
    return (
        Dossier.objects.filter(code=code)
        .order_by()
        .values_list(
            "pk",
            "code",
            "status",
            "received_at",
            "appointment_at",
            "rescheduled_at",
            "applicant_name",
            "applicant_phone",
            "applicant_id_number",
            "procedure_id",
            "procedure__code",
            "procedure__name",
            "agency_id",
            "agency__code",
            "agency__name",
        )
    )


def look_up(code: str, contact: str) -> LookedUp | None:
    """The dossier with ``code`` whose applicant gave ``contact`` (phone or
    ID number); None for a wrong code or a wrong contact alike, so the
    answer never tells whether a code exists."""
    given = {re.sub(r"\s", "", contact)} - {""}
    with contextlib.suppress(DomainError):  # not a phone: an ID number
        given.add(normalize_phone(contact))
    if not given:
        return None
    row = next(iter(_looked_up(code.strip().upper())), None)
    if row is None:
        return None
    found = LookedUp(
        *row[:9],  # type: ignore[misc]  # the first nine columns, in order
        procedure=Named(*row[9:12]),
        agency=Named(*row[12:]),
    )
    if not given & {found.applicant_phone, found.applicant_id_number}:
        return None
    return found


# Left with less than this before its appointment, a dossier is due soon.
DUE_SOON = dt.timedelta(days=1)
IN_HAND = (DossierStatus.RECEIVED, DossierStatus.PROCESSING, DossierStatus.PROCESSED)


def queue_of(user: Any) -> list[Dossier]:
    """Dossiers ``user`` holds now, soonest due first, each with ``time_left``:
    "overdue", "due_soon" (under a day left) or "on_track"."""
    now = timezone.now()
    dossiers = list(
        visible_dossiers(user)
        .filter(handler=user, status__in=IN_HAND)
        .order_by("appointment_at", "pk")
    )
    for dossier in dossiers:
        left = dossier.appointment_at - now
        dossier.time_left = (  # type: ignore[attr-defined]
            "overdue"
            if left < dt.timedelta(0)
            else "due_soon"
            if left < DUE_SOON
            else "on_track"
        )
    return dossiers


def awaiting_acceptance(user: Any) -> QuerySet[Dossier]:
    """Online dossiers nobody has accepted yet, at units where ``user`` is a
    one-stop officer: any of them may check and accept one."""
    return (
        Dossier.objects.filter(
            status__in=(DossierStatus.REGISTERED, DossierStatus.SUPPLEMENT),
            received_by__isnull=True,
            agency__in=counters_of(user),
        )
        .select_related("procedure", "agency")
        .order_by("submitted_at", "pk")
    )


def applicant_dossiers(user: Any) -> QuerySet[Dossier]:
    """The dossiers ``user`` submitted online, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Dossier.objects.none()
    return (
        Dossier.objects.filter(applicant=user)
        .select_related("procedure", "agency", "payment")
        .order_by("-received_at", "-pk")
    )


def payment_of(dossier: Dossier) -> Payment | None:
    return Payment.objects.filter(dossier=dossier).first()


def rating_of(dossier: Dossier) -> Rating | None:
    return Rating.objects.filter(dossier=dossier).first()


def notifications_of(dossier: Dossier) -> list[Notification]:
    return list(dossier.notifications.all())


def unsettled_credits(user: Any) -> QuerySet[BankNotification]:
    """Bank credits that paid nothing (unknown reference, wrong amount, a
    second payment) and are not settled yet, oldest first, as a one-stop
    officer ``user`` sees them: those of no dossier (any officer may know
    whose they are) and those of dossiers of the officer's units."""
    if not can_reconcile_credits(user):
        return BankNotification.objects.none()
    mine = role_scope(
        user, role=Role.ONE_STOP_OFFICER, unit_field="payment__dossier__agency"
    )
    return (
        BankNotification.objects.exclude(outcome=BankOutcome.PAID)
        .filter(settled_at__isnull=True)
        .filter(Q(payment__isnull=True) | mine)
        .select_related("payment__dossier")
        .order_by("credited_at", "pk")
    )


def unpaid(dossier: Dossier) -> bool:
    payment = payment_of(dossier)
    return payment is not None and payment.status != PaymentStatus.PAID


# The province's public administration service centre (Decree 118/2025)
# receives the dossiers of every provincial agency.
SERVICE_CENTRE = "trung tam phuc vu hanh chinh cong"


def is_service_centre(unit: OrgUnit) -> bool:
    return unit.kind == OrgUnitKind.AGENCY and fold(unit.name).startswith(
        SERVICE_CENTRE
    )


def places_for(procedure: Procedure) -> list[OrgUnit]:
    """Where ``procedure`` may be submitted: any commune for a commune-level
    one; its agency or the service centre for a province-level one."""
    units = OrgUnit.objects.filter(legacy=False)
    if procedure.level == ProcedureLevel.COMMUNE:
        return list(units.filter(kind=OrgUnitKind.COMMUNE).order_by("name"))
    centres = [u for u in units.filter(kind=OrgUnitKind.AGENCY) if is_service_centre(u)]
    return [u for u in (procedure.agency, *centres) if u is not None]


def handovers_of(dossier: Dossier) -> list[Handover]:
    """The control sheet's lines; the caller has fetched ``dossier`` through
    ``get_dossier_for``."""
    return list(
        dossier.handovers.select_related("giver", "receiver", "receiver__org_unit")
    )


def next_step(dossier: Dossier) -> Step | None:
    """The procedure's step after the one the dossier is at, if any."""
    return dossier.procedure.steps.filter(position__gt=dossier.step).first()


def candidates(dossier: Dossier, step: Step) -> list[User]:
    """Active officials of the receiving unit who hold ``step``'s role: the
    usual receivers. Someone of another agency is named by user name."""
    holders = role_holders(step.role).filter(
        org_unit__path__startswith=dossier.agency.path
    )
    return list(dict.fromkeys(a.user for a in holders))


def official_named(username: str) -> User | None:
    return active_officials().filter(username=username.strip()).first()


def open_supplement(dossier: Dossier | LookedUp) -> Supplement | None:
    """The supplement request the applicant has yet to answer, if any."""
    return (
        Supplement.objects.filter(dossier_id=dossier.pk, received_at__isnull=True)
        .select_related("requested_by")
        .last()
    )


def waiting_supplement(dossier: Dossier | LookedUp) -> Supplement | None:
    """``open_supplement`` of a dossier waiting for one (status 5), without
    a query for the others: the public look-up asks it on every call."""
    if dossier.status != DossierStatus.SUPPLEMENT:
        return None
    return open_supplement(dossier)


def refusal_of(dossier: Dossier) -> Handover | None:
    """The line recording why the dossier was refused, if it was."""
    return dossier.handovers.filter(step_name=REFUSED).select_related("giver").last()


def apology_of(dossier: Dossier) -> Handover | None:
    """The latest apology for lateness, if any."""
    return dossier.handovers.filter(step_name=APOLOGISED).select_related("giver").last()


def statistics_units() -> QuerySet[OrgUnit]:
    """Units a statistics page may be asked for: agencies and communes."""
    return OrgUnit.objects.filter(
        legacy=False, kind__in=(OrgUnitKind.AGENCY, OrgUnitKind.COMMUNE)
    ).order_by("kind", "name")


def result_for(user: Any, dossier: Dossier) -> StoredFile:
    """The electronic result ``user`` may download: officers who see the
    dossier any time, the applicant once it has been returned."""
    if dossier.result_file is None or (
        not is_official(user) and dossier.status != DossierStatus.RETURNED
    ):
        raise NotFound("result_not_ready", _("Hồ sơ chưa có kết quả điện tử."))
    return dossier.result_file


def paid_payment(dossier: Dossier) -> Payment:
    """The dossier's payment, once paid: what a payment receipt prints."""
    payment = payment_of(dossier)
    if payment is None or payment.status != PaymentStatus.PAID:
        raise NotFound("dossier_unpaid", _("Hồ sơ chưa nộp phí, lệ phí."))
    return payment
