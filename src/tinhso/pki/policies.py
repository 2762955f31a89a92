"""Who may do what with certificates. Pages, API and services ask here."""

from typing import Any

from tinhso.accounts import policies as accounts
from tinhso.accounts.models import Role
from tinhso.core.models import OrgUnit


def can_view_pki(user: Any) -> bool:
    """The certificate administration pages: administrators only."""
    return accounts.is_administrator(user)


def can_manage_trust(user: Any) -> bool:
    """Adding or withdrawing trusted roots: they decide which signatures every
    agency of the province accepts, so only an administrator of the whole
    province may change them."""
    return accounts.can_manage_orgunit(user, None)


def _unit_of(owner: Any) -> OrgUnit | None:
    return owner if isinstance(owner, OrgUnit) else owner.org_unit


def can_manage_certificates_of(user: Any, owner: Any) -> bool:
    """Giving a person or an agency a certificate, or withdrawing it.

    The administrator must administer the owner's unit: an administrator of
    one commune cannot put a key into the hands of another commune's leader
    or seal. Owners without a unit are the province administrators' business.
    """
    if not accounts.is_administrator(user):
        return False
    unit = _unit_of(owner)
    if unit is None:
        return accounts.can_manage_orgunit(user, None)
    return accounts.holds_role(user, Role.ADMINISTRATOR, unit)


def can_view_own_certificates(user: Any) -> bool:
    """ "My certificate": every official may see the certificates they sign with."""
    return accounts.is_official(user)


def can_download_root(user: Any) -> bool:
    """Root certificates are public: any signed-in user may fetch them to
    check a signed PDF with their own tools."""
    return bool(getattr(user, "is_authenticated", False))
