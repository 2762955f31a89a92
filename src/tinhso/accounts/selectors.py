"""Reads about accounts that follow a rule."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from tinhso.accounts import policies
from tinhso.accounts.models import (
    AccountKind,
    APIToken,
    Role,
    RoleAssignment,
    TOTPDevice,
    User,
)
from tinhso.core import search
from tinhso.core.errors import NotFound
from tinhso.core.models import OrgUnit
from tinhso.core.prepared import prepared

USER_SCOPE = "accounts.user"


def role_scope(
    user: Any,
    *,
    role: str | None = None,
    unit_field: str = "",
    assignments: Iterable[RoleAssignment] | None = None,
) -> Q:
    """Condition matching the units ``user``'s roles cover (any role, or ``role``).

    ``unit_field`` names the org-unit field of the queried model ("agency"
    for documents); empty means the query is over units themselves. A role
    held over a subtree covers every unit below. Matches nothing when the
    user holds no such role. ``assignments``: the user's roles, when the
    caller building several conditions has read them once (``roles_of``).
    """
    prefix = f"{unit_field}__" if unit_field else ""
    condition = Q(pk__in=[])
    if assignments is None:
        assignments = user.roles.select_related("org_unit")
    for assignment in assignments:
        if role is not None and assignment.role != role:
            continue
        if assignment.include_subtree:
            condition |= Q(**{f"{prefix}path__startswith": assignment.org_unit.path})
        else:
            condition |= Q(**{f"{prefix}pk": assignment.org_unit_id})
    return condition


def administered_units(user: Any) -> QuerySet[OrgUnit]:
    """Units in which ``user`` is an administrator (subtrees included)."""
    return OrgUnit.objects.filter(
        role_scope(user, role=Role.ADMINISTRATOR), legacy=False
    )


def officials() -> QuerySet[User]:
    return User.objects.filter(kind=AccountKind.OFFICIAL)


def active_officials() -> QuerySet[User]:
    """Officials whose accounts are active: the people work can go to."""
    return officials().filter(is_active=True)


def role_holders(role: str) -> QuerySet[RoleAssignment]:
    """Active officials holding ``role``, with the unit they hold it in."""
    return (
        RoleAssignment.objects.filter(role=role, user__is_active=True)
        .select_related("user", "user__org_unit", "org_unit")
        .order_by("org_unit__path", "user__username")
    )


def visible_users(user: Any, query: str = "") -> QuerySet[User]:
    """Officials an administrator may see: those working in units they administer."""
    if not policies.can_administer_users(user):
        return User.objects.none()
    units = administered_units(user)
    users = User.objects.filter(kind=AccountKind.OFFICIAL).filter(
        Q(org_unit__in=units) | Q(roles__org_unit__in=units)
    )
    if policies.can_manage_orgunit(user, None):
        users = users | User.objects.filter(
            kind=AccountKind.OFFICIAL, org_unit__isnull=True
        )
    if query.strip():
        users = search.filter_queryset(users, USER_SCOPE, query)
    return users.distinct().select_related("org_unit", "totp").order_by("username")


def get_user_for(actor: Any, user_id: int) -> User:
    user = visible_users(actor).filter(pk=user_id).first()
    if user is None:
        raise NotFound("user_not_found", _("Không tìm thấy tài khoản."))
    return user


def roles_in(unit_ids: list[int]) -> QuerySet[RoleAssignment]:
    """Every role held in one of the units ``unit_ids``."""
    return RoleAssignment.objects.filter(org_unit_id__in=unit_ids)


@prepared
def live_token(digest: str) -> QuerySet[APIToken]:
    """The unrevoked token with this digest, its owner joined (a list of one
    or none). A digest is unique, so no ordering to build."""
    return (
        APIToken.objects.select_related("user")
        .filter(token_hash=digest, revoked_at__isnull=True)
        .order_by()
    )


def roles_of(user: User) -> QuerySet[RoleAssignment]:
    return user.roles.select_related("org_unit").order_by("org_unit__path", "role")


def has_two_factor(user: User) -> bool:
    """Whether ``user`` signs in with a confirmed authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def tokens_of(user: User) -> QuerySet[APIToken]:
    return APIToken.objects.filter(user=user)


def get_token_for(user: User, token_id: object) -> APIToken | None:
    """One of ``user``'s own tokens; None for anyone else's or a bad id."""
    if not str(token_id).isdigit():
        return None
    return tokens_of(user).filter(pk=int(str(token_id))).first()
