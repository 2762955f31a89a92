"""Who may send, receive and take back documents electronically.

The clerk (văn thư) of an agency keeps its exchange, as Decree 30/2020
gives the clerk the dispatch and receipt of documents. One function per
decision; the states a document must be in are checked by the services.
"""

from typing import Any

from tinhso.accounts.models import Role
from tinhso.accounts.policies import holds_role
from tinhso.core.models import OrgUnit


def can_dispatch(user: Any, agency: OrgUnit) -> bool:
    """Sending, taking back and revoking the agency's issued documents."""
    return holds_role(user, Role.CLERK, agency)


def can_receive(user: Any, agency: OrgUnit) -> bool:
    """Registering or rejecting what reached the agency, answering take-backs."""
    return holds_role(user, Role.CLERK, agency)


def can_import_edxml(user: Any, agency: OrgUnit) -> bool:
    """Bringing an edXML package into the agency's electronic inbox."""
    return holds_role(user, Role.CLERK, agency)


def can_open_inbox(user: Any) -> bool:
    """The inbox pages: clerks of some agency (each sees their own agencies')."""
    return holds_role(user, Role.CLERK)
