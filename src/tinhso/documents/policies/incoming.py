"""Who may do what with documents. One function per decision."""

from typing import Any

from tinhso.accounts.models import Role
from tinhso.accounts.policies import holds_role
from tinhso.core.models import OrgUnit


def can_register_incoming(user: Any, agency: OrgUnit) -> bool:
    """Only the agency's clerk (văn thư) keeps its incoming register."""
    return holds_role(user, Role.CLERK, agency)
