"""Who may do what with the procedure catalog and dossiers. One function
per decision.

The published catalog itself is public: anyone may read what a procedure
needs, so reading it needs no policy.
"""

from typing import Any

from tinhso.accounts.models import Role
from tinhso.accounts.policies import holds_role, holds_role_at_kind
from tinhso.core.models import OrgUnit, OrgUnitKind

# Roles that work on dossiers.
DOSSIER_ROLES = (Role.ONE_STOP_OFFICER, Role.SPECIALIST, Role.LEADER)


def can_manage_catalog(user: Any) -> bool:
    """The province's administrators keep its one catalog of procedures."""
    return holds_role_at_kind(user, Role.ADMINISTRATOR, OrgUnitKind.PROVINCE)


def works_on_dossiers_of(user: Any, unit: OrgUnit) -> bool:
    """Whether ``user`` holds a role that works on the dossiers received at
    ``unit`` (there, or over a subtree above it)."""
    return any(holds_role(user, role, unit) for role in DOSSIER_ROLES)


def can_reconcile_credits(user: Any) -> bool:
    """One-stop officers settle the bank transfers that paid nothing."""
    return holds_role(user, Role.ONE_STOP_OFFICER)
