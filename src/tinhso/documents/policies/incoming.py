"""Who may do what with incoming documents. One function per decision."""

from typing import Any

from tinhso.accounts.models import Role
from tinhso.accounts.policies import holds_role, is_official
from tinhso.core.models import OrgUnit


def can_register_incoming(user: Any, agency: OrgUnit) -> bool:
    """Only the agency's clerk (văn thư) keeps its incoming register."""
    return holds_role(user, Role.CLERK, agency)


def can_register_anywhere(user: Any) -> bool:
    """Whether ``user`` keeps some agency's register (offers the form)."""
    return holds_role(user, Role.CLERK)


def can_view_incoming_register(user: Any) -> bool:
    """Officials open the register page; it lists only what they may see.

    Which documents appear is decided by ``selectors.incoming.visible_incoming``.
    """
    return is_official(user) and bool(user.is_active)
