"""Who may assign, handle and close an incoming document. One function per decision.

Functions take rows already loaded (a handling with its ``unit``, a
document with its ``agency``) and read nothing else but the user's roles.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from tinhso.accounts.models import Role
from tinhso.accounts.policies import holds_role, is_official
from tinhso.documents.constants import HandlingRole, HandlingStatus, IncomingStatus
from tinhso.documents.models import Handling, IncomingDocument

# A document is handled while it is in one of these; completed, revoked and
# replaced documents are history.
OPEN_DOCUMENT = (
    IncomingStatus.REGISTERED,
    IncomingStatus.ASSIGNED,
    IncomingStatus.IN_PROGRESS,
)
# Assigned and not yet closed: handlers may work on it.
UNDER_WAY = (IncomingStatus.ASSIGNED, IncomingStatus.IN_PROGRESS)
# Handlers who work on the document; recipients for information only read it.
WORKING_ROLES = (HandlingRole.LEAD, HandlingRole.CO)


def has_work(user: Any) -> bool:
    """Officials have a "my work" list; citizens and businesses do not."""
    return is_official(user) and bool(user.is_active)


def can_view_backlog(user: Any) -> bool:
    """Leaders of any unit see the backlog of the units they lead."""
    return holds_role(user, Role.LEADER)


def can_assign(user: Any, document: IncomingDocument) -> bool:
    """A leader of the receiving agency assigns, and changes, while it is open.

    The leader role is held at the agency itself or over it (a subtree);
    leaders of one of its departments do not assign the agency's documents.
    """
    return document.status in OPEN_DOCUMENT and holds_role(
        user, Role.LEADER, document.agency
    )


def acts_for(user: Any, handling: Handling) -> bool:
    """``user`` is the handler: the person named, or a leader of the unit named."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if handling.user_id is not None:
        return bool(handling.user_id == user.pk)
    return handling.unit is not None and holds_role(user, Role.LEADER, handling.unit)


def _works_on(user: Any, handling: Handling, document: IncomingDocument) -> bool:
    return (
        document.status in UNDER_WAY
        and handling.status == HandlingStatus.OPEN
        and handling.role in WORKING_ROLES
        and acts_for(user, handling)
    )


def can_record_opinion(
    user: Any, handling: Handling, document: IncomingDocument
) -> bool:
    """Lead and co-handlers record opinions and progress on their open part."""
    return _works_on(user, handling, document)


def can_reassign(user: Any, handling: Handling, document: IncomingDocument) -> bool:
    """Lead and co-handlers pass their open part on, down their own unit."""
    return _works_on(user, handling, document)


def leads_document(handling: Handling, rows: dict[int, Handling]) -> bool:
    """Whether ``handling`` is on the lead line: a lead whose parents all lead.

    A lead handler who passes the work on to a person of their unit as lead
    makes that person lead of the document too; the lead of a co-handler's
    part only leads that part. ``rows`` maps ids to the document's handlings.
    """
    row: Handling | None = handling
    while row is not None:
        if row.role != HandlingRole.LEAD:
            return False
        row = rows.get(row.parent_id) if row.parent_id is not None else None
    return True


def can_mark_done(
    user: Any,
    handling: Handling,
    document: IncomingDocument,
    rows: dict[int, Handling],
) -> bool:
    """Co-handlers finish their part, recipients for information mark it read.

    The lead line does not mark itself done: it closes the whole document.
    """
    return (
        document.status in UNDER_WAY
        and handling.status == HandlingStatus.OPEN
        and acts_for(user, handling)
        and not leads_document(handling, rows)
    )


def can_close(
    user: Any, document: IncomingDocument, handlings: Sequence[Handling]
) -> bool:
    """The lead handler, or the leader who assigned the lead, closes the document.

    ``handlings`` are all of the document's rows. The assigning leader must
    still lead the agency.
    """
    if document.status not in UNDER_WAY:
        return False
    rows = {row.pk: row for row in handlings}
    open_rows: Iterable[Handling] = (
        row for row in handlings if row.status == HandlingStatus.OPEN
    )
    for row in open_rows:
        if not leads_document(row, rows):
            continue
        if acts_for(user, row):
            return True
        if (
            row.parent_id is None
            and row.assigned_by_id == user.pk
            and holds_role(user, Role.LEADER, document.agency)
        ):
            return True
    return False
