"""Every write about certificates: demo CA, issuing, importing. All audited.

``actor`` is the person asking; None means the command line (an operator
already trusted with the server), which skips the permission checks.
"""

import asyncio
import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    PrivateKeyTypes,
)
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko_certvalidator import CertificateValidator
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

from tinhso.accounts.models import AccountKind, User
from tinhso.core import audit, search
from tinhso.core.errors import Conflict, DomainError, Forbidden
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.core.text import fold
from tinhso.pki import keystore, pkcs11, policies, selectors
from tinhso.pki.models import Certificate, KeyKind, TrustedRoot

DEMO_ROOT_NAME = "CA thử nghiệm tinhso"
# X.520 upper bound for CN and O.
_NAME_LIMIT = 64


def _authorize(actor: Any, *, allowed: bool) -> None:
    if actor is not None and not allowed:
        raise Forbidden(
            "pki_forbidden",
            _("Bạn không có quyền quản lý chứng thư số này."),
        )


def _check_owner(owner: User | OrgUnit) -> None:
    if isinstance(owner, OrgUnit):
        if owner.legacy:
            raise DomainError(
                "pki_owner_legacy",
                _("Đơn vị “%(name)s” không còn hoạt động.") % {"name": owner.name},
            )
    elif owner.kind != AccountKind.OFFICIAL:
        raise DomainError(
            "pki_owner_not_official",
            _("Chỉ cán bộ, công chức mới được cấp chứng thư số ở đây."),
        )


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _name(common_name: str, organization: str, agency_code: str = "") -> x509.Name:
    # cryptography encodes CN and O as UTF8String, so Vietnamese names keep
    # their diacritics; C stays PrintableString as X.520 requires. An agency
    # seal names its agency's e-identifier in UID (selectors.AGENCY_CODE_OID).
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization[:_NAME_LIMIT]),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name[:_NAME_LIMIT]),
    ]
    if agency_code:
        attributes.append(x509.NameAttribute(selectors.AGENCY_CODE_OID, agency_code))
    return x509.Name(attributes)


def _new_key(key_type: str) -> CertificateIssuerPrivateKeyTypes:
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    raise ValueError(f"unknown key type {key_type!r}")


def _load_demo_root_key(root: TrustedRoot) -> CertificateIssuerPrivateKeyTypes:
    key, _cert, _chain = pkcs12.load_key_and_certificates(
        keystore.read(root.key_file), keystore.passphrase(root.fingerprint)
    )
    assert isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey))
    return key


def _root_cert(root: TrustedRoot) -> x509.Certificate:
    return x509.load_der_x509_certificate(bytes(root.certificate_der))


@transaction.atomic
def create_demo_root(*, actor: Any = None) -> TrustedRoot:
    """The demo root CA, made once and reused (idempotent)."""
    _authorize(actor, allowed=policies.can_manage_trust(actor))
    existing = selectors.demo_root()
    if existing is not None:
        return existing
    key = _new_key("ec")
    name = _name(DEMO_ROOT_NAME, "tinhso — chỉ dùng thử nghiệm")
    now = timezone.now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    digest = fingerprint(cert)
    key_file = keystore.write(digest, key, cert, [])
    try:
        root = TrustedRoot.objects.create(
            name=DEMO_ROOT_NAME,
            certificate_der=cert.public_bytes(serialization.Encoding.DER),
            fingerprint=digest,
            not_after=cert.not_valid_after_utc,
            demo=True,
            key_file=key_file,
            added_by=actor,
        )
        audit.record(
            "pki.root.create_demo",
            obj=root,
            actor=actor,
            detail={"fingerprint": digest},
        )
    except BaseException:
        keystore.delete(key_file)
        raise
    return root


def _organization_of(owner: User | OrgUnit) -> str:
    unit = owner if isinstance(owner, OrgUnit) else owner.org_unit
    # A department signs in the name of the agency it belongs to.
    while unit is not None and unit.kind == OrgUnitKind.DEPARTMENT:
        unit = unit.parent
    return unit.name if unit is not None else DEMO_ROOT_NAME


def _owner_fields(owner: User | OrgUnit) -> dict[str, Any]:
    if isinstance(owner, OrgUnit):
        return {"org_unit": owner, "user": None}
    return {"user": owner, "org_unit": None}


def _common_name(owner: User | OrgUnit) -> str:
    if isinstance(owner, OrgUnit):
        return owner.name
    return owner.full_name or owner.username


def _index(record: Certificate, owner: User | OrgUnit) -> None:
    """Make the certificate findable by its and its owner's names."""
    names = (
        [owner.name, owner.code]
        if isinstance(owner, OrgUnit)
        else [owner.full_name, owner.username]
    )
    search.index(
        selectors.CERTIFICATE_SCOPE,
        record.pk,
        record.common_name,
        *names,
        record.issuer_name,
    )


def _subject_part(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    values = cert.subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def _check_subject(cert: x509.Certificate, owner: User | OrgUnit) -> None:
    """A real certificate is kept only for the one its subject names.

    An agency's: the subject carries the agency's e-identifier in UID
    (selectors.AGENCY_CODE_OID), or its CN or O is the agency's name. A
    person's: the CN is the person's full name. Names are compared folded
    (case, diacritics and spacing aside).
    """
    common_name = _subject_part(cert, NameOID.COMMON_NAME)
    subject = common_name or cert.subject.rfc4514_string()
    if isinstance(owner, OrgUnit):
        organization = _subject_part(cert, NameOID.ORGANIZATION_NAME)
        if owner.code in selectors.agency_codes_in(cert) or fold(owner.name) in {
            fold(common_name),
            fold(organization),
        }:
            return
        raise DomainError(
            "pki_subject_mismatch",
            _(
                "Chứng thư số cấp cho “%(subject)s”, không phải cho %(name)s: "
                "chứng thư số của cơ quan phải ghi mã định danh %(code)s (thuộc "
                "tính UID) hoặc đúng tên cơ quan. Chưa có gì được lưu."
            )
            % {"subject": subject, "name": owner.name, "code": owner.code},
        )
    full_name = owner.full_name or owner.username
    if fold(common_name) != fold(full_name):
        raise DomainError(
            "pki_subject_mismatch",
            _(
                "Chứng thư số cấp cho “%(subject)s”, không phải cho %(name)s: "
                "tên chủ thể (CN) của chứng thư số phải trùng họ tên của cán bộ. "
                "Chưa có gì được lưu."
            )
            % {"subject": subject, "name": full_name},
        )


def _certificate_fields(
    cert: x509.Certificate, owner: User | OrgUnit, digest: str
) -> dict[str, Any]:
    """A Certificate row's fields read off ``cert``, whatever holds its key."""
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return {
        **_owner_fields(owner),
        "common_name": str(cn[0].value) if cn else _common_name(owner),
        "serial": format(cert.serial_number, "x"),
        "issuer_name": cert.issuer.rfc4514_string()[:500],
        "not_before": cert.not_valid_before_utc,
        "not_after": cert.not_valid_after_utc,
        "fingerprint": digest,
        "certificate_pem": cert.public_bytes(serialization.Encoding.PEM).decode(),
    }


def _save_certificate(
    cert: x509.Certificate,
    *,
    owner: User | OrgUnit,
    key: PrivateKeyTypes,
    chain: list[x509.Certificate],
    demo: bool,
    action: str,
    actor: Any,
) -> Certificate:
    digest = fingerprint(cert)
    if Certificate.objects.filter(fingerprint=digest).exists():
        raise Conflict(
            "pki_certificate_duplicate",
            _("Chứng thư số này đã có trong hệ thống."),
        )
    key_file = keystore.write(digest, key, cert, chain)
    try:
        with transaction.atomic():
            record = Certificate.objects.create(
                **_certificate_fields(cert, owner, digest),
                key_kind=KeyKind.PKCS12,
                key_file=key_file,
                demo=demo,
            )
            _index(record, owner)
            audit.record(
                action,
                obj=record,
                actor=actor,
                detail={
                    "fingerprint": digest,
                    "common_name": record.common_name,
                    "owner": "org_unit" if isinstance(owner, OrgUnit) else "user",
                    "owner_id": owner.pk,
                },
            )
    except IntegrityError as exc:
        keystore.delete(key_file)
        raise Conflict(
            "pki_certificate_duplicate",
            _("Chứng thư số này đã có trong hệ thống."),
        ) from exc
    except BaseException:
        keystore.delete(key_file)
        raise
    return record


@transaction.atomic
def issue_demo_certificate(
    owner: User | OrgUnit,
    *,
    key_type: str = "ec",
    days: int = 730,
    actor: Any = None,
) -> Certificate:
    """A demo certificate for an official, or an agency seal for a unit.

    ``key_type`` is ``"ec"`` (ECDSA P-256, faster) or ``"rsa"`` (RSA-2048).
    """
    _authorize(actor, allowed=policies.can_manage_certificates_of(actor, owner))
    _check_owner(owner)
    root = selectors.demo_root()
    if root is None:
        raise DomainError(
            "pki_no_demo_root",
            _("Chưa có CA thử nghiệm; hãy chạy lệnh “tinhso pki demo” trước."),
        )
    root_key = _load_demo_root_key(root)
    root_cert = _root_cert(root)
    key = _new_key(key_type)
    now = timezone.now()
    not_after = min(now + dt.timedelta(days=days), root_cert.not_valid_after_utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(
            _name(
                _common_name(owner),
                _organization_of(owner),
                owner.code if isinstance(owner, OrgUnit) else "",
            )
        )
        .issuer_name(root_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                root_cert.public_key()  # type: ignore[arg-type]
            ),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
    return _save_certificate(
        cert,
        owner=owner,
        key=key,
        chain=[root_cert],
        demo=True,
        action="pki.certificate.issue_demo",
        actor=actor,
    )


def _parse_certificate(data: bytes) -> x509.Certificate:
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as exc:
        raise DomainError(
            "pki_not_a_certificate",
            _("Tệp không phải là chứng thư số X.509 (PEM hoặc DER)."),
        ) from exc


@transaction.atomic
def import_trusted_root(
    data: bytes, *, name: str = "", actor: Any = None
) -> TrustedRoot:
    """Trust a CA certificate (PEM or DER) for verifying signatures."""
    _authorize(actor, allowed=policies.can_manage_trust(actor))
    cert = _parse_certificate(data)
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints)
        is_ca = constraints.value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        raise DomainError(
            "pki_not_ca",
            _(
                "Chứng thư này không phải của tổ chức cấp chứng thư số (CA) nên không thể dùng làm CA gốc tin cậy."
            ),
        )
    digest = fingerprint(cert)
    if TrustedRoot.objects.filter(fingerprint=digest).exists():
        raise Conflict(
            "pki_root_duplicate",
            _("CA gốc này đã có trong danh sách tin cậy."),
        )
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    root = TrustedRoot.objects.create(
        name=(name or (str(cn[0].value) if cn else cert.subject.rfc4514_string()))[
            :255
        ],
        certificate_der=cert.public_bytes(serialization.Encoding.DER),
        fingerprint=digest,
        not_after=cert.not_valid_after_utc,
        added_by=actor,
    )
    audit.record(
        "pki.root.import",
        obj=root,
        actor=actor,
        detail={"fingerprint": digest, "name": root.name},
    )
    return root


def _chains_to_trusted_root(
    cert: x509.Certificate, intermediates: list[x509.Certificate]
) -> bool:
    def as_asn1(item: x509.Certificate) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(item.public_bytes(serialization.Encoding.DER))

    validator = CertificateValidator(
        as_asn1(cert),
        intermediate_certs=[as_asn1(item) for item in intermediates],
        validation_context=selectors.validation_context(),
    )
    try:
        asyncio.run(validator.async_validate_usage(set()))
    except (PathBuildingError, PathValidationError):
        return False
    return True


@transaction.atomic
def import_certificate(
    p12_bytes: bytes,
    passphrase: str | bytes,
    owner: User | OrgUnit,
    *,
    actor: Any = None,
) -> Certificate:
    """Keep a real certificate and its key from a PKCS#12 file.

    The key is re-encrypted with this installation's derived passphrase so
    signing needs no one to type it; the original passphrase is not kept.
    The certificate must chain to a trusted root and name ``owner`` (see
    ``_check_subject``).
    """
    _authorize(actor, allowed=policies.can_manage_certificates_of(actor, owner))
    _check_owner(owner)
    secret = passphrase.encode() if isinstance(passphrase, str) else passphrase
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(p12_bytes, secret or None)
    except ValueError as exc:
        raise DomainError(
            "pki_wrong_passphrase",
            _(
                "Không mở được tệp PKCS#12: mật khẩu không đúng hoặc tệp bị hỏng. Chưa có gì được lưu."
            ),
        ) from exc
    if key is None or cert is None:
        raise DomainError(
            "pki_p12_incomplete",
            _("Tệp PKCS#12 phải chứa cả chứng thư số và khóa bí mật."),
        )
    if not _chains_to_trusted_root(cert, list(chain)):
        raise DomainError(
            "pki_untrusted_certificate",
            _(
                "Chứng thư số của “%(name)s” không được cấp bởi CA gốc tin cậy nào, hoặc đã hết hạn; hãy nhập CA gốc trước. Chưa có gì được lưu."
            )
            % {"name": cert.subject.rfc4514_string()},
        )
    _check_subject(cert, owner)
    return _save_certificate(
        cert,
        owner=owner,
        key=key,
        chain=list(chain),
        demo=False,
        action="pki.certificate.import",
        actor=actor,
    )


@transaction.atomic
def register_pkcs11_certificate(
    owner: User | OrgUnit,
    *,
    module_path: str,
    token_label: str,
    key_label: str,
    certificate_data: bytes | None = None,
    actor: Any = None,
) -> Certificate:
    """Sign with a key kept on a PKCS#11 token or HSM from now on.

    The certificate is uploaded (PEM or DER) or, when ``certificate_data`` is
    None, read from the token next to the key. Before anything is saved the
    token signs a probe that the certificate's public key must verify (the
    key really is this certificate's), the certificate must chain to a
    trusted root and name ``owner`` (see ``_check_subject``); the key itself
    never leaves the device.
    """
    _authorize(actor, allowed=policies.can_manage_certificates_of(actor, owner))
    _check_owner(owner)
    module_path, token_label, key_label = (
        module_path.strip(),
        token_label.strip(),
        key_label.strip(),
    )
    if not (module_path and token_label and key_label):
        raise DomainError(
            "pki_pkcs11_incomplete",
            _("Cần nhập thư viện PKCS#11, nhãn token và nhãn khóa."),
        )
    if certificate_data is None:
        certificate_data = pkcs11.certificate_on_token(
            module_path, token_label, key_label
        )
    cert = _parse_certificate(certificate_data)
    digest = fingerprint(cert)
    if Certificate.objects.filter(fingerprint=digest).exists():
        raise Conflict(
            "pki_certificate_duplicate",
            _("Chứng thư số này đã có trong hệ thống."),
        )
    chain = pkcs11.check_key_matches(module_path, token_label, key_label, cert)
    if not _chains_to_trusted_root(cert, chain):
        raise DomainError(
            "pki_untrusted_certificate",
            _(
                "Chứng thư số của “%(name)s” không được cấp bởi CA gốc tin cậy nào, hoặc đã hết hạn; hãy nhập CA gốc trước. Chưa có gì được lưu."
            )
            % {"name": cert.subject.rfc4514_string()},
        )
    _check_subject(cert, owner)
    try:
        with transaction.atomic():
            record = Certificate.objects.create(
                **_certificate_fields(cert, owner, digest),
                key_kind=KeyKind.PKCS11,
                pkcs11_module=module_path,
                pkcs11_token_label=token_label,
                pkcs11_key_label=key_label,
            )
            _index(record, owner)
    except IntegrityError as exc:
        raise Conflict(
            "pki_certificate_duplicate",
            _("Chứng thư số này đã có trong hệ thống."),
        ) from exc
    audit.record(
        "pki.certificate.register_pkcs11",
        obj=record,
        actor=actor,
        detail={
            "fingerprint": digest,
            "common_name": record.common_name,
            "owner": "org_unit" if isinstance(owner, OrgUnit) else "user",
            "owner_id": owner.pk,
            "module": module_path,
            "token": token_label,
            "key": key_label,
        },
    )
    return record


def _owner_of(certificate: Certificate) -> User | OrgUnit:
    owner = certificate.org_unit if certificate.is_seal else certificate.user
    assert owner is not None
    return owner


@transaction.atomic
def set_certificate_active(
    certificate: Certificate, *, active: bool, reason: str = "", actor: Any = None
) -> Certificate:
    """Stop (or resume) signing with a certificate; the key is kept.

    A withdrawn certificate signs nothing more here; signatures it made stay
    valid as far as its CA is concerned (revocation is the CA's act).
    """
    _authorize(
        actor,
        allowed=policies.can_manage_certificates_of(actor, _owner_of(certificate)),
    )
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.active == active:
        return locked
    locked.active = active
    locked.save(update_fields=["active"])
    audit.record(
        "pki.certificate.reactivate" if active else "pki.certificate.deactivate",
        obj=locked,
        actor=actor,
        detail={"fingerprint": locked.fingerprint, "reason": reason.strip()[:500]},
    )
    return locked


@transaction.atomic
def set_root_active(
    root: TrustedRoot, *, active: bool, actor: Any = None
) -> TrustedRoot:
    """Withdraw trust from a root (signatures under it stop being trusted), or
    give it back."""
    _authorize(actor, allowed=policies.can_manage_trust(actor))
    locked = TrustedRoot.objects.select_for_update().get(pk=root.pk)
    if locked.active == active:
        return locked
    locked.active = active
    locked.save(update_fields=["active"])
    audit.record(
        "pki.root.restore" if active else "pki.root.withdraw",
        obj=locked,
        actor=actor,
        detail={"fingerprint": locked.fingerprint, "name": locked.name},
    )
    return locked


def issue_missing_demo_certificates(
    *, key_type: str = "ec", actor: Any = None
) -> tuple[int, int]:
    """Demo certificates for every leader, and a seal for every unit they lead,
    that has no active certificate yet. Returns (people, seals) issued.

    An administrator gets only the owners they manage; each certificate is
    its own transaction, so a long run leaves what it finished.
    """
    people = seals = 0
    seen_units: set[int] = set()
    for assignment in selectors.leaders():
        leader, unit = assignment.user, assignment.org_unit
        if (
            actor is None or policies.can_manage_certificates_of(actor, leader)
        ) and selectors.certificate_of(leader) is None:
            issue_demo_certificate(leader, key_type=key_type, actor=actor)
            people += 1
        if unit.pk in seen_units:
            continue
        seen_units.add(unit.pk)
        if (
            actor is None or policies.can_manage_certificates_of(actor, unit)
        ) and selectors.certificate_of(unit) is None:
            issue_demo_certificate(unit, key_type=key_type, actor=actor)
            seals += 1
    return people, seals
