"""Reads about certificates and trust."""

from django.db.models import QuerySet

from asn1crypto import x509 as asn1_x509
from pyhanko_certvalidator import ValidationContext

from tinhso.accounts.models import Role, RoleAssignment, User
from tinhso.accounts.selectors import role_holders
from tinhso.core.models import OrgUnit
from tinhso.pki.models import Certificate, TrustedRoot


def active_roots() -> QuerySet[TrustedRoot]:
    return TrustedRoot.objects.filter(active=True)


def demo_root() -> TrustedRoot | None:
    return (
        TrustedRoot.objects.filter(demo=True, active=True).exclude(key_file="").first()
    )


def validation_context() -> ValidationContext:
    """Trust exactly the active roots: no OS store, no network fetching."""
    roots = [
        asn1_x509.Certificate.load(bytes(root.certificate_der))
        for root in active_roots()
    ]
    return ValidationContext(
        trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail"
    )


def certificate_of(owner: User | OrgUnit) -> Certificate | None:
    """The newest active certificate of a person, or of an agency (its seal)."""
    certificates = Certificate.objects.filter(active=True)
    if isinstance(owner, OrgUnit):
        certificates = certificates.filter(org_unit=owner)
    else:
        certificates = certificates.filter(user=owner)
    return certificates.order_by("-created_at").first()


def leaders() -> list[RoleAssignment]:
    """Active officials holding the leader role, with the unit they lead."""
    return list(role_holders(Role.LEADER))
