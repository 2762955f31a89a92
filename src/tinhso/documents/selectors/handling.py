"""Reads for handling: "my work", leaders' backlog, a document's handling panel.

Documents are reached through ``selectors.incoming`` (its visibility rules);
a user's own handlings and the units they lead decide the rest.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import Role, User
from tinhso.accounts.selectors import active_officials, officials, role_scope
from tinhso.core.calendar import WorkingCalendar
from tinhso.core.errors import DomainError, NotFound
from tinhso.core.models import OrgUnit
from tinhso.core.selectors import subtree
from tinhso.core.text import fold
from tinhso.documents.constants import (
    HandlingRole,
    HandlingStatus,
    IncomingStatus,
    Urgency,
)
from tinhso.documents.models import Handling, IncomingDocument, Opinion
from tinhso.documents.policies import handling as policies
from tinhso.documents.selectors.incoming import get_incoming_for, visible_incoming

# "Near due" (sắp đến hạn): the deadline is at most this many working days away.
NEAR_DUE_WORKING_DAYS = 2

OVERDUE = "overdue"
NEAR_DUE = "near_due"
ON_TRACK = "on_track"
NO_DEADLINE = "none"
UNASSIGNED = "unassigned"
DONE = "done"

_STATE_RANK = {OVERDUE: 0, NEAR_DUE: 1, UNASSIGNED: 2, ON_TRACK: 3, NO_DEADLINE: 4}
_URGENCY_RANK: dict[str, int] = {
    Urgency.FLASH: 0,
    Urgency.VERY_URGENT: 1,
    Urgency.URGENT: 2,
    Urgency.NORMAL: 3,
}


@dataclass(frozen=True)
class Today:
    """Today and the last day that still counts as near due."""

    date: dt.date
    near_limit: dt.date

    @classmethod
    def now(cls, calendar: WorkingCalendar | None = None) -> "Today":
        today = timezone.localdate()
        calendar = calendar or WorkingCalendar.load()
        return cls(today, calendar.add_working_days(today, NEAR_DUE_WORKING_DAYS))

    def state(self, deadline: dt.date | None) -> str:
        if deadline is None:
            return NO_DEADLINE
        if deadline < self.date:
            return OVERDUE
        if deadline <= self.near_limit:
            return NEAR_DUE
        return ON_TRACK


def is_on_time(document: IncomingDocument) -> bool | None:
    """Closed on or before its deadline; None while open or without a deadline."""
    if document.closed_at is None or document.deadline is None:
        return None
    return timezone.localdate(document.closed_at) <= document.deadline


def _led_unit_ids(user: Any) -> list[int]:
    """Units where ``user`` holds the leader role itself (not from above)."""
    return list(
        user.roles.filter(role=Role.LEADER).values_list("org_unit_id", flat=True)
    )


# My work -------------------------------------------------------------------


@dataclass(frozen=True)
class WorkItem:
    """One open part of a document that waits on the user."""

    handling: Handling
    state: str
    days_late: int
    # A unit's part, on the user's list because they lead that unit.
    as_unit: bool

    @property
    def document(self) -> IncomingDocument:
        return self.handling.document

    @property
    def overdue(self) -> bool:
        return self.state == OVERDUE

    @property
    def near_due(self) -> bool:
        return self.state == NEAR_DUE

    def sort_key(self) -> tuple[int, dt.date, int, dt.datetime, int]:
        return (
            _STATE_RANK[self.state],
            self.handling.deadline or dt.date.max,
            _URGENCY_RANK.get(self.document.urgency, 9),
            self.document.received_at,
            self.handling.pk,
        )


def my_work(user: Any) -> list[WorkItem]:
    """Open parts of documents under way for ``user``, most urgent first.

    The user's own parts, and parts given to a unit they lead (the leader
    role held in that unit) until the unit's leaders pass them on. Overdue
    first, then near due (within two working days), then by deadline, then
    by urgency; parts without a deadline (for information) last.
    """
    if not policies.has_work(user):
        return []
    open_children = Handling.objects.filter(
        parent=OuterRef("pk"), status=HandlingStatus.OPEN
    )
    rows = (
        Handling.objects.filter(
            status=HandlingStatus.OPEN, document__status__in=policies.UNDER_WAY
        )
        .filter(
            Q(user=user)
            | (
                Q(user__isnull=True, unit_id__in=_led_unit_ids(user))
                & ~Exists(open_children)
            )
        )
        .select_related("document", "document__agency", "unit", "assigned_by", "parent")
    )
    today = Today.now()
    items = []
    for row in rows:
        state = today.state(row.deadline)
        late = (
            (today.date - row.deadline).days if row.deadline and state == OVERDUE else 0
        )
        items.append(
            WorkItem(
                handling=row, state=state, days_late=late, as_unit=row.user_id is None
            )
        )
    items.sort(key=WorkItem.sort_key)
    return items


# Backlog -------------------------------------------------------------------


@dataclass
class HandlerLoad:
    """How much open work one handler in the leader's units holds."""

    key: str
    name: str
    unit_name: str
    is_unit: bool
    open: int
    overdue: int
    near_due: int

    @property
    def on_track(self) -> int:
        return self.open - self.overdue - self.near_due


@dataclass
class Backlog:
    counts: dict[str, int]
    handlers: list[HandlerLoad]
    # Annotated with ``state`` (overdue, near_due, unassigned, on_track) and
    # ``leads`` (the open top-level lead rows), most urgent first.
    documents: QuerySet[IncomingDocument]
    state: str = ""
    units: list[OrgUnit] = field(default_factory=list)


def _urgency_rank() -> Case:
    return Case(
        *(
            When(urgency=value, then=Value(rank))
            for value, rank in _URGENCY_RANK.items()
        ),
        default=Value(9),
        output_field=IntegerField(),
    )


def backlog(user: Any, *, state: str = "") -> Backlog:
    """Open documents of the units ``user`` leads, with counts and who holds them.

    A unit's documents are those its agency received (for a leader of the
    agency) and those with open parts given to the unit or its people,
    among the documents the leader may see (``selectors.incoming``).
    ``state`` narrows the list (not the counts) to overdue, near_due,
    unassigned or on_track. Forbidden-free: a user leading nothing gets an
    empty backlog; the page asks ``policies.can_view_backlog`` first.
    """
    today = Today.now()
    in_units = role_scope(user, role=Role.LEADER, unit_field="unit") | role_scope(
        user, role=Role.LEADER, unit_field="user__org_unit"
    )
    of_agency = role_scope(user, role=Role.LEADER, unit_field="agency")
    ours = Handling.objects.filter(status=HandlingStatus.OPEN).filter(in_units)
    # Only what the leader may open: a backlog must not list (or count) a
    # document its links would answer "not found" for.
    visible = visible_incoming(user).filter(status__in=policies.OPEN_DOCUMENT)
    documents = IncomingDocument.objects.filter(pk__in=visible.values("pk")).filter(
        of_agency | Q(pk__in=ours.values("document_id"))
    )
    counts = documents.aggregate(
        total=Count("pk"),
        unassigned=Count("pk", filter=Q(status=IncomingStatus.REGISTERED)),
        overdue=Count("pk", filter=Q(deadline__lt=today.date)),
        near_due=Count(
            "pk", filter=Q(deadline__gte=today.date, deadline__lte=today.near_limit)
        ),
    )
    counts[ON_TRACK] = (
        counts["total"] - counts[UNASSIGNED] - counts[OVERDUE] - counts[NEAR_DUE]
    )

    # Every handler of the agency's documents for its leaders; handlers in
    # their own units for leaders of a department.
    loads = (
        Handling.objects.filter(
            status=HandlingStatus.OPEN,
            role__in=policies.WORKING_ROLES,
            document__status__in=policies.UNDER_WAY,
            document_id__in=documents.values("pk"),
        )
        .filter(
            in_units | role_scope(user, role=Role.LEADER, unit_field="document__agency")
        )
        .values(
            "user_id",
            "unit_id",
            "user__full_name",
            "user__org_unit__name",
            "unit__name",
        )
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(deadline__lt=today.date)),
            near_due=Count(
                "pk", filter=Q(deadline__gte=today.date, deadline__lte=today.near_limit)
            ),
        )
    )
    handlers = [
        HandlerLoad(
            key=f"unit:{row['unit_id']}"
            if row["user_id"] is None
            else f"user:{row['user_id']}",
            name=row["unit__name"]
            if row["user_id"] is None
            else row["user__full_name"],
            unit_name=""
            if row["user_id"] is None
            else row["user__org_unit__name"] or "",
            is_unit=row["user_id"] is None,
            open=row["open"],
            overdue=row["overdue"],
            near_due=row["near_due"],
        )
        for row in loads
    ]
    handlers.sort(key=lambda h: (-h.overdue, -h.near_due, -h.open, fold(h.name)))

    doc_state = Case(
        When(status=IncomingStatus.REGISTERED, then=Value(UNASSIGNED)),
        When(deadline__lt=today.date, then=Value(OVERDUE)),
        When(deadline__lte=today.near_limit, then=Value(NEAR_DUE)),
        default=Value(ON_TRACK),
    )
    listed = (
        documents.annotate(state=doc_state)
        .annotate(
            state_rank=Case(
                *(
                    When(state=name, then=Value(rank))
                    for name, rank in _STATE_RANK.items()
                ),
                default=Value(9),
                output_field=IntegerField(),
            ),
            urgency_rank=_urgency_rank(),
        )
        .select_related("agency")
        .prefetch_related(
            Prefetch(
                "handlings",
                queryset=Handling.objects.filter(
                    status=HandlingStatus.OPEN,
                    parent__isnull=True,
                    role=HandlingRole.LEAD,
                ).select_related("user", "unit"),
                to_attr="leads",
            )
        )
        .order_by(
            "state_rank",
            F("deadline").asc(nulls_last=True),
            "urgency_rank",
            "received_at",
            "pk",
        )
    )
    if state in (OVERDUE, NEAR_DUE, UNASSIGNED, ON_TRACK):
        listed = listed.filter(state=state)
    else:
        state = ""
    units = list(OrgUnit.objects.filter(pk__in=_led_unit_ids(user)).order_by("path"))
    return Backlog(
        counts=counts, handlers=handlers, documents=listed, state=state, units=units
    )


# One document ----------------------------------------------------------------


def get_document_for(user: Any, document_id: object) -> IncomingDocument:
    """A document ``user`` may see (``selectors.incoming``); NotFound otherwise."""
    return get_incoming_for(user, document_id)


def get_handling_for(user: Any, handling_id: object) -> Handling:
    """A handling row of a document ``user`` may see; NotFound otherwise."""
    row = None
    if str(handling_id).isdigit():
        row = (
            Handling.objects.filter(
                pk=int(str(handling_id)),
                document_id__in=visible_incoming(user).values("pk"),
            )
            .select_related(
                "document",
                "document__agency",
                "user",
                "user__org_unit",
                "unit",
                "parent",
            )
            .first()
        )
    if row is None:
        raise NotFound("handling_not_found", _("Không tìm thấy phần việc."))
    return row


@dataclass
class Node:
    """One handling row as the panel shows it, with its children below."""

    handling: Handling
    state: str
    opinions: list[Opinion] = field(default_factory=list)
    children: list["Node"] = field(default_factory=list)
    leads: bool = False
    acts: bool = False
    can_opinion: bool = False
    can_reassign: bool = False
    can_done: bool = False

    @property
    def handler_name(self) -> str:
        return handler_label(self.handling)


def handler_label(row: Handling) -> str:
    if row.user is not None:
        return row.user.full_name or row.user.username
    return row.unit.name if row.unit is not None else ""


def rows_of(document: IncomingDocument) -> list[Handling]:
    return list(
        Handling.objects.filter(document=document)
        .select_related("user", "user__org_unit", "unit", "assigned_by")
        .order_by("created_at", "pk")
    )


def panel(user: Any, document: IncomingDocument) -> dict[str, Any]:
    """What the document page shows of its handling, for ``user``.

    ``document`` was fetched through ``get_incoming_for``. Keys: document,
    deadline_state, on_time, tree (top-level Nodes), nodes (all, in order),
    opinions (oldest first), opinion_targets (Nodes the user may write on),
    can_assign, assigned (whether it has been assigned), can_close, can_act.
    """
    rows = rows_of(document)
    by_id = {row.pk: row for row in rows}
    opinions = list(
        Opinion.objects.filter(document=document)
        .select_related("author", "handling", "handling__user", "handling__unit")
        .order_by("created_at", "pk")
    )
    today = Today.now()
    nodes: dict[int, Node] = {}
    for row in rows:
        open_row = row.status == HandlingStatus.OPEN
        acts = policies.acts_for(user, row)
        nodes[row.pk] = Node(
            handling=row,
            state=today.state(row.deadline) if open_row else DONE,
            leads=policies.leads_document(row, by_id),
            acts=acts and open_row,
            can_opinion=policies.can_record_opinion(user, row, document),
            can_reassign=policies.can_reassign(user, row, document),
            can_done=policies.can_mark_done(user, row, document, by_id),
        )
    tree: list[Node] = []
    for row in rows:
        node = nodes[row.pk]
        if row.parent_id is not None and row.parent_id in nodes:
            nodes[row.parent_id].children.append(node)
        else:
            tree.append(node)
    for opinion in opinions:
        if opinion.handling_id is not None and opinion.handling_id in nodes:
            nodes[opinion.handling_id].opinions.append(opinion)
    flat = list(nodes.values())
    under_way = document.status in policies.UNDER_WAY
    can_close = policies.can_close(user, document, rows)
    targets = [node for node in flat if node.can_opinion]
    targets.sort(key=lambda n: (not n.leads, n.handling.role != HandlingRole.LEAD))
    return {
        "document": document,
        "deadline_state": today.state(document.deadline) if under_way else "",
        "on_time": is_on_time(document),
        "tree": tree,
        "nodes": flat,
        "opinions": opinions,
        "opinion_targets": targets,
        "can_assign": policies.can_assign(user, document),
        "assigned": bool(rows),
        "can_close": can_close,
        "can_act": bool(targets) or can_close or any(n.can_done for n in flat),
    }


# Choosing handlers -------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A person or unit that may be given a part."""

    key: str
    name: str
    detail: str
    is_unit: bool


def candidates(within: OrgUnit, *, exclude: Any = None) -> list[Candidate]:
    """Units under ``within`` and active officials working in it or below.

    Units first (by place in the tree), then people (by unit, then name);
    ``exclude`` (a user) is left out.
    """
    units = sorted(
        subtree(within, include_self=False), key=lambda u: (u.depth, fold(u.name))
    )
    people = active_officials().filter(org_unit__path__startswith=within.path)
    people = people.select_related("org_unit")
    if exclude is not None:
        people = people.exclude(pk=exclude.pk)
    ordered = sorted(
        people,
        key=lambda p: (
            p.org_unit.depth if p.org_unit else 0,
            fold(p.org_unit.name if p.org_unit else ""),
            fold(p.full_name),
        ),
    )
    return [
        Candidate(
            key=f"unit:{u.pk}", name=u.name, detail=u.get_kind_display(), is_unit=True
        )
        for u in units
    ] + [
        Candidate(
            key=f"user:{p.pk}",
            name=p.full_name or p.username,
            detail=", ".join(
                x for x in (p.title, p.org_unit.name if p.org_unit else "") if x
            ),
            is_unit=False,
        )
        for p in ordered
    ]


def resolve_handlers(keys: list[str]) -> list[User | OrgUnit]:
    """The people and units named "user:ID" / "unit:ID", in the order given.

    DomainError for a key that names no official or current unit; whether
    they may be given the work is the service's decision.
    """
    wanted_users = [
        int(k[5:]) for k in keys if k.startswith("user:") and k[5:].isdigit()
    ]
    wanted_units = [
        int(k[5:]) for k in keys if k.startswith("unit:") and k[5:].isdigit()
    ]
    users = officials().filter(pk__in=wanted_users).select_related("org_unit").in_bulk()
    units = OrgUnit.objects.filter(pk__in=wanted_units, legacy=False).in_bulk()
    found: list[User | OrgUnit] = []
    for key in keys:
        kind, _sep, pk = key.partition(":")
        table: dict[int, Any] = (
            users if kind == "user" else units if kind == "unit" else {}
        )
        handler = table.get(int(pk)) if pk.isdigit() else None
        if handler is None:
            raise DomainError(
                "handling_unknown_handler",
                _("Không tìm thấy cán bộ hoặc đơn vị “%(key)s”.") % {"key": key},
            )
        found.append(handler)
    return found
