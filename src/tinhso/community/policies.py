"""Who may do what with the community digital technology teams.

A commune's community officers (or the province's, over its subtree) set
up teams, keep members and training. A member with an account logs the
help they give. The team's leader sees the team's activity; the commune's
leaders and officers see the commune's; the province's see coverage and
totals everywhere.
"""

from typing import Any

from django.db.models import QuerySet

from tinhso.accounts.models import Role
from tinhso.accounts.policies import (
    held_roles,
    holds_role,
    holds_role_at_kind,
    is_official,
)
from tinhso.community.constants import TeamRole
from tinhso.community.models import Member, Team
from tinhso.core.models import OrgUnit, OrgUnitKind

OVERSEERS = (Role.COMMUNITY_OFFICER, Role.LEADER, Role.ADMINISTRATOR)


def can_manage(user: Any, commune: OrgUnit | None = None) -> bool:
    """Teams, members and training of ``commune`` (of anywhere with None)."""
    return is_official(user) and any(
        holds_role(user, role, commune)
        for role in (Role.COMMUNITY_OFFICER, Role.ADMINISTRATOR)
    )


def can_oversee(user: Any, commune: OrgUnit | None = None) -> bool:
    """Seeing a commune's teams and activity (anywhere's with None): a role
    at the commune, over a subtree holding it, or at the province."""
    return is_official(user) and any(
        holds_role(user, role, commune)
        or holds_role_at_kind(user, role, OrgUnitKind.PROVINCE)
        for role in OVERSEERS
    )


def oversees_any(user: Any) -> bool:
    """Whether some commune's teams are ``user``'s to oversee: a role at a
    commune, at the province, or over a subtree (a leader of a provincial
    agency alone oversees none)."""
    return is_official(user) and any(
        a.role in OVERSEERS
        and (
            a.include_subtree
            or a.org_unit.kind in (OrgUnitKind.PROVINCE, OrgUnitKind.COMMUNE)
        )
        for a in held_roles(user)
    )


def memberships(user: Any) -> QuerySet[Member]:
    if not getattr(user, "is_authenticated", False):
        return Member.objects.none()
    return Member.objects.filter(
        account=user, left_on__isnull=True, team__dissolved_on__isnull=True
    ).select_related("team__commune", "team__village")


def is_member(user: Any) -> bool:
    return memberships(user).exists()


def can_use(user: Any) -> bool:
    """The community pages: members, and officials who oversee teams."""
    return is_member(user) or oversees_any(user)


def can_see_team(user: Any, team: Team) -> bool:
    """The team's page (members' contacts, households helped): its leader
    and deputy, and those who oversee its commune."""
    return can_oversee(user, team.commune) or leads(user, team)


def leads(user: Any, team: Team) -> bool:
    return (
        memberships(user)
        .filter(team=team, team_role__in=[TeamRole.LEADER, TeamRole.DEPUTY])
        .exists()
    )
