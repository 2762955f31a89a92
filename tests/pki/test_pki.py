"""Real keys, real PDFs, pyHanko's own validator: no mocks."""

import datetime as dt
import os
import shutil
import stat
import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.core.management import call_command

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from tests import factories
from tests.pki.conftest import BODY_TEXT
from tinhso.accounts.models import Role
from tinhso.core.errors import DomainError
from tinhso.core.models import AuditEntry
from tinhso.pki import keystore, selectors, services, signing
from tinhso.pki.models import Certificate, KeyKind, TrustedRoot

pytestmark = pytest.mark.django_db

SIGN_KW = {
    "field_name": "ChuKyLanhDao",
    "reason": "Ký ban hành",
    "location": "Tuyên Quang",
    "appearance": {"position": "Giám đốc"},
}


def _ca(name: str = "Other CA", *, ca: bool = True):  # type: ignore[no-untyped-def]
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _leaf(  # type: ignore[no-untyped-def]
    issuer_key, issuer_cert, name: str = "Nguyễn Văn Ân", **subject: str
):
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    extra = [
        x509.NameAttribute(getattr(NameOID, oid), value)
        for oid, value in subject.items()
    ]
    cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name([*extra, x509.NameAttribute(NameOID.COMMON_NAME, name)])
        )
        .issuer_name(issuer_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )
    return key, cert


def _p12(key, cert, chain, password: bytes) -> bytes:  # type: ignore[no-untyped-def]
    return pkcs12.serialize_key_and_certificates(
        b"test", key, cert, chain, serialization.BestAvailableEncryption(password)
    )


def _root_pem(root: TrustedRoot) -> bytes:
    return x509.load_der_x509_certificate(bytes(root.certificate_der)).public_bytes(
        serialization.Encoding.PEM
    )


def test_demo_certificate_subject_and_key_file(certificate, leader, settings):  # type: ignore[no-untyped-def]
    cert = x509.load_pem_x509_certificate(certificate.certificate_pem.encode())
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0]
    assert cn.value == "Nguyễn Văn Ân"
    assert cn._type.name == "UTF8String"
    org = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0]
    assert org.value == "Sở Khoa học và Công nghệ"
    assert cert.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "VN"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    assert certificate.user == leader and certificate.org_unit is None
    assert certificate.key_kind == KeyKind.PKCS12
    path = Path(settings.DATA_DIR) / "pki" / certificate.key_file
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # The file is encrypted: no passphrase, no key.
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(path.read_bytes(), None)
    assert AuditEntry.objects.filter(
        action="pki.certificate.issue_demo", object_id=str(certificate.pk)
    ).exists()


def test_sign_and_verify_intact_and_trusted(certificate, pdf):  # type: ignore[no-untyped-def]
    signed = signing.sign_pdf(pdf, certificate, **SIGN_KW)
    [result] = signing.verify_pdf(signed)
    assert result.intact and result.valid and result.trusted
    assert result.covers_whole_document and result.ok
    assert result.signer_common_name == "Nguyễn Văn Ân"
    assert result.fingerprint == certificate.fingerprint
    # Read as people read it: no English labels ("Common Name: …").
    assert result.issuer == "CA thử nghiệm tinhso, tinhso — chỉ dùng thử nghiệm, VN"
    assert result.signing_time is not None
    assert "hợp lệ" in result.summary


def test_one_flipped_byte_in_signed_range_is_detected(certificate, pdf):  # type: ignore[no-untyped-def]
    signed = bytearray(signing.sign_pdf(pdf, certificate, **SIGN_KW))
    at = signed.index(BODY_TEXT.encode())
    signed[at] ^= 0x01  # "Q" -> "P", inside /ByteRange
    [result] = signing.verify_pdf(bytes(signed))
    assert not result.intact
    assert not result.ok
    assert "đã bị thay đổi" in result.summary


def test_deactivated_root_makes_signature_untrusted(certificate, demo_root, pdf):  # type: ignore[no-untyped-def]
    signed = signing.sign_pdf(pdf, certificate, **SIGN_KW)
    TrustedRoot.objects.filter(pk=demo_root.pk).update(active=False)
    [result] = signing.verify_pdf(signed)
    assert result.intact and not result.trusted and not result.ok


def test_certificate_from_root_never_imported_is_untrusted(demo_root, pdf):  # type: ignore[no-untyped-def]
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    ca_key, ca_cert = _ca()
    key, cert = _leaf(ca_key, ca_cert)
    signer = signers.SimpleSigner.load_pkcs12_data(
        _p12(key, cert, [ca_cert], b"x"), other_certs=[], passphrase=b"x"
    )
    from io import BytesIO

    out = BytesIO()
    signers.PdfSigner(
        signers.PdfSignatureMetadata(
            field_name="S", subfilter=fields.SigSeedSubFilter.PADES
        ),
        signer=signer,
    ).sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)), output=out)
    [result] = signing.verify_pdf(out.getvalue())
    assert result.intact and not result.trusted


def test_pyhanko_cli_validator_accepts_signed_file(
    certificate, demo_root, pdf, tmp_path
):  # type: ignore[no-untyped-def]
    signed_path = tmp_path / "signed.pdf"
    signed_path.write_bytes(signing.sign_pdf(pdf, certificate, **SIGN_KW))
    root_path = tmp_path / "root.pem"
    root_path.write_bytes(_root_pem(demo_root))
    cli = shutil.which("pyhanko") or str(Path(sys.executable).parent / "pyhanko")

    def validate(trust: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                cli,
                "sign",
                "validate",
                "--no-revocation-check",
                "--trust-replace",
                "--trust",
                str(trust),
                "--executive-summary",
                str(signed_path),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )

    accepted = validate(root_path)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert accepted.stdout.strip().endswith(":VALID"), accepted.stdout
    # Same file, another root: the CLI must refuse it, so the pass above means something.
    _key, other = _ca("Unrelated root")
    other_path = tmp_path / "other.pem"
    other_path.write_bytes(other.public_bytes(serialization.Encoding.PEM))
    refused = validate(other_path)
    assert refused.returncode != 0
    assert refused.stdout.strip().endswith(":INVALID"), refused.stdout


def test_visible_appearance_shows_vietnamese_name(certificate, pdf, tmp_path):  # type: ignore[no-untyped-def]
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "signed.pdf"
    path.write_bytes(signing.sign_pdf(pdf, certificate, **SIGN_KW))
    text = subprocess.run(
        [pdftotext, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Nguyễn Văn Ân" in text
    assert "Giám đốc" in text
    assert "+07:00" in text


def test_signer_is_cached_per_certificate(certificate, pdf):  # type: ignore[no-untyped-def]
    first = signing.signer_for(certificate)
    assert signing.signer_for(Certificate.objects.get(pk=certificate.pk)) is first


def test_pkcs11_without_configuration_is_refused(demo_root, leader, pdf):  # type: ignore[no-untyped-def]
    _key, cert = _ca("Token cert", ca=False)
    token = Certificate.objects.create(
        user=leader,
        common_name="Nguyễn Văn Ân",
        serial="1",
        issuer_name="x",
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        fingerprint="f" * 64,
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        key_kind=KeyKind.PKCS11,
    )
    with pytest.raises(DomainError) as exc:
        signing.sign_pdf(pdf, token, **SIGN_KW)
    assert exc.value.code == "pki_pkcs11_not_configured"


def test_import_root_refuses_non_ca_and_duplicate(demo_root):  # type: ignore[no-untyped-def]
    before = (TrustedRoot.objects.count(), AuditEntry.objects.count())
    _key, leaf = _ca("Not a CA", ca=False)
    with pytest.raises(DomainError) as exc:
        services.import_trusted_root(leaf.public_bytes(serialization.Encoding.PEM))
    assert exc.value.code == "pki_not_ca"
    with pytest.raises(DomainError) as exc:
        services.import_trusted_root(_root_pem(demo_root))
    assert exc.value.code == "pki_root_duplicate"
    assert (TrustedRoot.objects.count(), AuditEntry.objects.count()) == before
    _key, ca = _ca("Real CA")
    root = services.import_trusted_root(ca.public_bytes(serialization.Encoding.DER))
    assert root.active and root.name == "Real CA"


def test_import_certificate_refusals_save_nothing(demo_root, leader):  # type: ignore[no-untyped-def]
    ca_key, ca_cert = _ca("Outside CA")
    key, cert = _leaf(ca_key, ca_cert)
    bundle = _p12(key, cert, [ca_cert], b"dung-mat-khau")
    files_before = sorted(keystore.folder().iterdir())
    counts_before = (Certificate.objects.count(), AuditEntry.objects.count())

    with pytest.raises(DomainError) as exc:
        services.import_certificate(bundle, "sai-mat-khau", leader)
    assert exc.value.code == "pki_wrong_passphrase"
    with pytest.raises(DomainError) as exc:
        services.import_certificate(bundle, "dung-mat-khau", leader)
    assert exc.value.code == "pki_untrusted_certificate"
    assert (Certificate.objects.count(), AuditEntry.objects.count()) == counts_before
    assert sorted(keystore.folder().iterdir()) == files_before

    # Once its root is trusted, the same file imports, and then signs.
    services.import_trusted_root(ca_cert.public_bytes(serialization.Encoding.PEM))
    imported = services.import_certificate(bundle, "dung-mat-khau", leader)
    assert imported.common_name == "Nguyễn Văn Ân" and not imported.demo
    with pytest.raises(DomainError) as exc:
        services.import_certificate(bundle, "dung-mat-khau", leader)
    assert exc.value.code == "pki_certificate_duplicate"


def test_demo_seal_names_its_agency_code(demo_root, agency):  # type: ignore[no-untyped-def]
    """The binding edXML relies on: an agency seal carries OrganId in UID."""
    seal = services.issue_demo_certificate(agency)
    cert = x509.load_pem_x509_certificate(seal.certificate_pem.encode())
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        "Sở Khoa học và Công nghệ"
    )
    assert [a.value for a in cert.subject.get_attributes_for_oid(NameOID.USER_ID)] == [
        agency.code
    ]
    assert selectors.agency_codes_in(cert) == [agency.code]
    person = services.issue_demo_certificate(
        factories.official(unit=agency, full_name="Lê Văn Tám")
    )
    personal = x509.load_pem_x509_certificate(person.certificate_pem.encode())
    assert selectors.agency_codes_in(personal) == []


def test_an_imported_certificate_must_name_its_owner(demo_root, agency, leader):  # type: ignore[no-untyped-def]
    ca_key, ca_cert = _ca("CA chuyên dùng Chính phủ thử")
    services.import_trusted_root(ca_cert.public_bytes(serialization.Encoding.PEM))

    def bundle(name: str, **subject: str) -> bytes:
        key, cert = _leaf(ca_key, ca_cert, name, **subject)
        return _p12(key, cert, [ca_cert], b"pw")

    files_before = sorted(keystore.folder().iterdir())
    counts_before = (Certificate.objects.count(), AuditEntry.objects.count())
    refused = [
        (bundle("Trần Thị Bình"), leader),
        (bundle("Sở Khoa học và Công nghệ", USER_ID=agency.code), leader),
        (bundle("Sở Tài chính"), agency),
        (bundle("Sở Tài chính", USER_ID="000.00.99.H01"), agency),
        (bundle("Nguyễn Văn Ân", ORGANIZATION_NAME="Sở Tài chính"), agency),
    ]
    messages = []
    for data, owner in refused:
        with pytest.raises(DomainError) as exc:
            services.import_certificate(data, "pw", owner)
        assert exc.value.code == "pki_subject_mismatch"
        assert exc.value.message.endswith("Chưa có gì được lưu.")
        messages.append(exc.value.message)
    assert messages[0].startswith(
        "Chứng thư số cấp cho “Trần Thị Bình”, không phải cho Nguyễn Văn Ân"
    )
    assert "phải trùng họ tên của cán bộ" in messages[0]
    assert f"phải ghi mã định danh {agency.code}" in messages[2]
    assert (Certificate.objects.count(), AuditEntry.objects.count()) == counts_before
    assert sorted(keystore.folder().iterdir()) == files_before

    # A person's: the CN is their name, compared without case or diacritics.
    person = services.import_certificate(bundle("NGUYEN VAN AN"), "pw", leader)
    assert person.user == leader
    # An agency's: its code in UID, or its name as CN or O.
    accepted = [
        bundle("Văn thư điện tử", USER_ID=agency.code),
        bundle("sở khoa học và công nghệ"),
        bundle("Con dấu điện tử", ORGANIZATION_NAME="Sở Khoa học và Công nghệ"),
    ]
    for data in accepted:
        assert services.import_certificate(data, "pw", agency).org_unit == agency


def test_pki_demo_command_is_idempotent(demo_root, settings):  # type: ignore[no-untyped-def]
    agency = factories.orgunit(name="UBND xã Minh Xuân")
    boss = factories.official(unit=agency, role=Role.LEADER, full_name="Lê Thị Hà")
    factories.official(unit=agency, role=Role.CLERK, full_name="Phạm Văn Tú")
    call_command("pki", "demo", stdout=StringIO())
    assert Certificate.objects.filter(user=boss).count() == 1
    assert Certificate.objects.filter(org_unit=agency).count() == 1
    assert Certificate.objects.count() == 2  # the clerk gets none
    out = StringIO()
    call_command("pki", "demo", stdout=out)
    assert Certificate.objects.count() == 2
    assert TrustedRoot.objects.filter(demo=True).count() == 1
    assert (Path(settings.DATA_DIR) / "pki" / "demo-root.pem").exists()


def test_verify_command_reports_summary(certificate, pdf, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "signed.pdf"
    path.write_bytes(signing.sign_pdf(pdf, certificate, **SIGN_KW))
    out = StringIO()
    call_command("pki", "verify", str(path), stdout=out)
    assert "Nguyễn Văn Ân" in out.getvalue() and "hợp lệ" in out.getvalue()
