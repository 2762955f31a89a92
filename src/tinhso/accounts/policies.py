"""Who may do what. One function per decision; pages and API both ask here."""

from typing import Any

from django.db.models import QuerySet

from tinhso.accounts.models import AccountKind, Role, RoleAssignment
from tinhso.core.models import OrgUnit
from tinhso.core.prepared import prepared


@prepared
def _roles_of(user_id: int) -> QuerySet[RoleAssignment]:
    return (
        RoleAssignment.objects.filter(user_id=user_id)
        .select_related("org_unit")
        .order_by("org_unit__path", "role")
    )


def held_roles(user: Any) -> list[RoleAssignment]:
    """``user``'s roles with their units, read once per loaded account: every
    decision of a request asks them (none for an inactive account)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached: list[RoleAssignment] | None = getattr(user, "_role_cache", None)
    if cached is None:
        cached = _roles_of(user.pk)
        user._role_cache = cached
    return cached


def holds_role(user: Any, role: str, unit: OrgUnit | None = None) -> bool:
    """True when ``user`` holds ``role`` at ``unit`` (or anywhere, if None).

    A role held with ``include_subtree`` also covers every unit below.
    """
    for assignment in held_roles(user):
        if assignment.role != role:
            continue
        if unit is None or assignment.org_unit_id == unit.pk:
            return True
        if assignment.include_subtree and unit.path.startswith(
            assignment.org_unit.path
        ):
            return True
    return False


def holds_role_at_kind(user: Any, role: str, kind: str) -> bool:
    """True when ``user`` holds ``role`` at some unit of ``kind`` (a province, say)."""
    return any(a.role == role and a.org_unit.kind == kind for a in held_roles(user))


def is_official(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.kind == AccountKind.OFFICIAL
    )


def is_administrator(user: Any) -> bool:
    return holds_role(user, Role.ADMINISTRATOR)


def requires_two_factor(user: Any) -> bool:
    """Administrators must use a second factor; other officials may choose to."""
    return is_administrator(user)


def can_view_orgtree(user: Any) -> bool:
    return is_official(user)


def can_manage_orgunit(user: Any, unit: OrgUnit | None) -> bool:
    """Adding, renaming or moving units: administrators over that part of the tree.

    ``unit`` is the unit changed or the parent a new unit goes under; None
    means the root, which only an administrator over the whole province
    (a province-level assignment with its subtree) may touch. Former units
    (before 1 July 2025) are history and stay as they were.
    """
    if unit is None:
        return any(
            a.role == Role.ADMINISTRATOR and a.include_subtree and a.org_unit.depth == 0
            for a in held_roles(user)
        )
    if unit.legacy:
        return False
    return holds_role(user, Role.ADMINISTRATOR, unit)


def can_administer_users(user: Any) -> bool:
    return is_administrator(user)


def can_manage_user(actor: Any, target: Any) -> bool:
    """Editing, locking or resetting an official's account.

    The actor must administer the official's unit and every role the official
    holds: otherwise an agency administrator could reset the password of a
    province-wide administrator who happens to work in that agency, and
    sign in as them.
    """
    if not is_administrator(actor):
        return False
    if target.org_unit is None:
        if not can_manage_orgunit(actor, None):
            return False
    elif not holds_role(actor, Role.ADMINISTRATOR, target.org_unit):
        return False
    return all(
        can_grant_role(actor, a.org_unit, include_subtree=a.include_subtree)
        for a in target.roles.select_related("org_unit")
    )


def can_set_active(actor: Any, target: Any) -> bool:
    """Locking or unlocking an account; never one's own (it would lock one out)."""
    return target.pk != actor.pk and can_manage_user(actor, target)


def can_revoke_role(actor: Any, assignment: RoleAssignment) -> bool:
    """Taking a role back; an administrator keeps their own administrator role."""
    if assignment.user_id == actor.pk and assignment.role == Role.ADMINISTRATOR:
        return False
    return can_grant_role(
        actor, assignment.org_unit, include_subtree=assignment.include_subtree
    )


def can_issue_token(user: Any, *, via_token: bool) -> bool:
    """Officials make API tokens from a signed-in session, not with another token.

    A token must not mint tokens: a short-lived one could otherwise outlive
    itself, and tokens skip the second factor that pages ask for.
    """
    return is_official(user) and not via_token


def can_grant_role(actor: Any, unit: OrgUnit, *, include_subtree: bool = False) -> bool:
    """Granting or revoking a role held at ``unit`` (over its subtree, if set).

    A role over a subtree reaches units below ``unit``, so the actor must
    administer that whole subtree too: an administrator of one commune alone
    cannot hand out (or take) power over its villages.
    """
    if not include_subtree:
        return holds_role(actor, Role.ADMINISTRATOR, unit)
    return any(
        a.role == Role.ADMINISTRATOR
        and a.include_subtree
        and unit.path.startswith(a.org_unit.path)
        for a in held_roles(actor)
    )
