"""Who may do what with the procedure catalog. One function per decision.

The published catalog itself is public: anyone may read what a procedure
needs, so reading it needs no policy.
"""

from typing import Any

from tinhso.accounts.models import Role
from tinhso.accounts.policies import holds_role_at_kind
from tinhso.core.models import OrgUnitKind


def can_manage_catalog(user: Any) -> bool:
    """The province's administrators keep its one catalog of procedures."""
    return holds_role_at_kind(user, Role.ADMINISTRATOR, OrgUnitKind.PROVINCE)
