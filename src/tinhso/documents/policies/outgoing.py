"""Who may do what with outgoing documents. One function per decision.

An agency is a unit of kind agency, commune or province; its departments
(phòng, ban) sit under it. Officials of a department work for its agency.
"""

from typing import Any

from tinhso.accounts.models import Role
from tinhso.accounts.policies import holds_role, is_official
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.documents.constants import AGENCY_KINDS, OutgoingStatus

# Roles with which an official of an agency may draft its documents.
DRAFTING_ROLES = (Role.SPECIALIST, Role.LEADER, Role.CLERK)


def is_agency(unit: OrgUnit) -> bool:
    return unit.kind in AGENCY_KINDS and not unit.legacy


def agency_of(unit: OrgUnit | None) -> OrgUnit | None:
    """The agency ``unit`` belongs to: itself, or the agency above its departments."""
    while unit is not None and unit.kind == OrgUnitKind.DEPARTMENT:
        unit = unit.parent
    if unit is None or not is_agency(unit):
        return None
    return unit


def _active_official(user: Any) -> bool:
    return is_official(user) and user.is_active


def works_in(user: Any, agency: OrgUnit, roles: tuple[str, ...] = ()) -> bool:
    """``user`` holds a role (one of ``roles``, if given) in ``agency`` or its departments."""
    if not _active_official(user):
        return False
    for assignment in user.roles.select_related("org_unit", "org_unit__parent"):
        if roles and assignment.role not in roles:
            continue
        unit = agency_of(assignment.org_unit)
        if unit is not None and unit.pk == agency.pk:
            return True
    return False


def can_draft(user: Any, agency: OrgUnit) -> bool:
    """Specialists, leaders and clerks of an agency draft its documents."""
    return is_agency(agency) and works_in(user, agency, DRAFTING_ROLES)


def can_configure_chain(user: Any, agency: OrgUnit) -> bool:
    """An administrator over the agency, or its leader, sets its review chain."""
    return _active_official(user) and (
        holds_role(user, Role.ADMINISTRATOR, agency)
        or holds_role(user, Role.LEADER, agency)
    )


def can_edit_draft(user: Any, document: Any) -> bool:
    """The drafter changes a draft (new version) while it is with them."""
    return (
        _active_official(user)
        and document.drafter_id == user.pk
        and document.status in (OutgoingStatus.DRAFT, OutgoingStatus.RETURNED)
    )


def can_submit(user: Any, document: Any) -> bool:
    return can_edit_draft(user, document)


def can_review(user: Any, document: Any) -> bool:
    """Approving or forwarding: only the official the draft is waiting on."""
    return (
        _active_official(user)
        and document.status == OutgoingStatus.IN_REVIEW
        and document.current_reviewer_id == user.pk
    )


def can_return(user: Any, document: Any) -> bool:
    """The current reviewer, or the signer before signing, sends it back."""
    return can_review(user, document) or (
        _active_official(user)
        and document.status == OutgoingStatus.APPROVED
        and document.signer_id == user.pk
    )


def can_sign(user: Any, document: Any) -> bool:
    """Only the signer chosen for the draft signs it, once approved."""
    return (
        _active_official(user)
        and document.status == OutgoingStatus.APPROVED
        and document.signer_id == user.pk
    )


def can_issue(user: Any, document: Any) -> bool:
    """The agency's clerk numbers and issues a signed document."""
    return (
        _active_official(user)
        and document.status == OutgoingStatus.SIGNED
        and holds_role(user, Role.CLERK, document.agency)
    )
