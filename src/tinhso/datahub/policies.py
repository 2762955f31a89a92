"""Who may do what on the data-sharing platform. Data officers (and
administrators) of a unit manage the services that unit owns, the client
systems it runs, and the grants on its services."""

from typing import Any

from tinhso.accounts.models import Role
from tinhso.accounts.policies import held_roles, holds_role, is_official
from tinhso.core.models import OrgUnit
from tinhso.datahub.models import Client, DataService

MANAGING_ROLES = (Role.DATA_OFFICER, Role.ADMINISTRATOR)


def can_use_datahub(user: Any) -> bool:
    """The data-sharing pages: data officers and administrators."""
    return is_official(user) and any(a.role in MANAGING_ROLES for a in held_roles(user))


def manages_unit(user: Any, unit: OrgUnit) -> bool:
    return any(holds_role(user, role, unit) for role in MANAGING_ROLES)


def can_manage_service(user: Any, service: DataService) -> bool:
    """Editing, publishing, retiring a service and granting it to clients."""
    return manages_unit(user, service.owner)


def can_manage_client(user: Any, client: Client) -> bool:
    """Keys of a client system, suspending it: its operating unit's officers."""
    return manages_unit(user, client.unit)


def can_view_client(user: Any, client: Client) -> bool:
    """A client's page: its unit's officers, and the owners of services it
    holds grants on (they decide those grants)."""
    if can_manage_client(user, client):
        return True
    return any(
        can_manage_service(user, grant.service)
        for grant in client.grants.select_related("service__owner")
    )


def managed_units(user: Any) -> list[OrgUnit]:
    """Units where ``user`` may own services or run clients."""
    return [a.org_unit for a in held_roles(user) if a.role in MANAGING_ROLES]
