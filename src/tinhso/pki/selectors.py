"""Reads about certificates and trust."""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from pyhanko_certvalidator import ValidationContext

from tinhso.accounts import selectors as accounts
from tinhso.accounts.models import Role, RoleAssignment, User
from tinhso.accounts.selectors import role_holders
from tinhso.core import search
from tinhso.core.errors import NotFound
from tinhso.core.models import OrgUnit
from tinhso.pki import policies
from tinhso.pki.models import Certificate, TrustedRoot

CERTIFICATE_SCOPE = "pki.certificate"
# The binding between an agency and its seal certificate: the subject's UID
# attribute (X.520 userId, OID 0.9.2342.19200300.100.1.1) holds the agency's
# e-identifier, which is its OrganId in edXML and OrgUnit.code here. Seals
# issued here always carry it (CN stays the agency's name); a receiver
# outside trusts a package's "From" only when the signer's certificate names
# that OrganId this way.
AGENCY_CODE_OID = NameOID.USER_ID


def agency_codes_in(cert: x509.Certificate) -> list[str]:
    """The agency e-identifiers a certificate's subject names (its UIDs)."""
    return [
        str(attribute.value).strip()
        for attribute in cert.subject.get_attributes_for_oid(AGENCY_CODE_OID)
    ]


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


def registered_with_fingerprint(fingerprint: str) -> QuerySet[Certificate]:
    """Certificates kept here whose SHA-256 fingerprint is ``fingerprint``."""
    return Certificate.objects.filter(fingerprint=fingerprint)


def leaders() -> list[RoleAssignment]:
    """Active officials holding the leader role, with the unit they lead."""
    return list(role_holders(Role.LEADER))


def roots() -> QuerySet[TrustedRoot]:
    """Every root, trusted or withdrawn: roots are public certificates."""
    return TrustedRoot.objects.select_related("added_by").order_by("-active", "name")


def get_root(root_id: int) -> TrustedRoot:
    root = TrustedRoot.objects.filter(pk=root_id).first()
    if root is None:
        raise NotFound("pki_root_not_found", _("Không tìm thấy CA gốc."))
    return root


def root_pem(root: TrustedRoot) -> bytes:
    """The root certificate as PEM, for `pyhanko sign validate --trust`."""
    cert = x509.load_der_x509_certificate(bytes(root.certificate_der))
    return cert.public_bytes(serialization.Encoding.PEM)


def owner_users(user: Any) -> QuerySet[User]:
    """Officials ``user`` may give a certificate to."""
    return accounts.visible_users(user)


def owner_units(user: Any) -> QuerySet[OrgUnit]:
    """Units whose seal certificate ``user`` may manage."""
    if not policies.can_view_pki(user):
        return OrgUnit.objects.none()
    return accounts.administered_units(user).order_by("path")


def visible_certificates(user: Any, query: str = "") -> QuerySet[Certificate]:
    """Certificates of the people and units an administrator administers."""
    if not policies.can_view_pki(user):
        return Certificate.objects.none()
    certificates = Certificate.objects.filter(
        Q(user__in=owner_users(user).order_by().values("pk"))
        | Q(org_unit__in=owner_units(user).order_by().values("pk"))
    )
    query = query.strip()
    if query:
        # The index finds names with or without diacritics; the plain
        # conditions catch fingerprints and certificates indexed before it.
        indexed = search.filter_queryset(
            Certificate.objects.all(), CERTIFICATE_SCOPE, query
        )
        certificates = certificates.filter(
            Q(pk__in=indexed.values("pk"))
            | Q(common_name__icontains=query)
            | Q(fingerprint__istartswith=query.lower())
            | Q(issuer_name__icontains=query)
            | Q(user__username__icontains=query)
            | Q(user__full_name__icontains=query)
            | Q(org_unit__name__icontains=query)
        )
    return certificates.select_related("user", "org_unit").order_by(
        "-active", "-created_at"
    )


def get_certificate_for(user: Any, certificate_id: int) -> Certificate:
    certificate = visible_certificates(user).filter(pk=certificate_id).first()
    if certificate is None:
        raise NotFound("pki_certificate_not_found", _("Không tìm thấy chứng thư số."))
    return certificate


def own_certificates(user: Any) -> QuerySet[Certificate]:
    """The certificates ``user`` signs with, newest first."""
    if not policies.can_view_own_certificates(user):
        return Certificate.objects.none()
    return Certificate.objects.filter(user=user).order_by("-active", "-created_at")
