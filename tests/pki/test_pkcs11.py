"""Keys on a PKCS#11 token: a real SoftHSM2 token, real keys, real PDFs.

SoftHSM2 stands in for a USB token or an HSM: each test session gets its own
token folder (SOFTHSM2_CONF), keys are put on it with ``softhsm2-util
--import`` as an operator would, and the certificates are issued by the demo
root. Skipped when SoftHSM2 is not installed, unless TINHSO_REQUIRE_SOFTHSM=1.
"""

import datetime as dt
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

import pkcs11 as p11
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from pkcs11 import Attribute, CertificateType, ObjectClass

from tests import factories
from tests.pki.conftest import make_pdf
from tinhso.accounts.models import Role
from tinhso.core.errors import DomainError
from tinhso.core.models import AuditEntry
from tinhso.pki import keystore, pkcs11, selectors, services, signing
from tinhso.pki.models import Certificate, KeyKind, TrustedRoot

pytestmark = pytest.mark.django_db

TOKEN = "tinhso-thu-nghiem"
USER_PIN = "246810"
SO_PIN = "13572468"
MODULE_CANDIDATES = (
    os.environ.get("SOFTHSM2_MODULE", ""),
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
)


@dataclass(frozen=True)
class SoftHSM:
    module: str
    util: str
    env: dict[str, str]
    workdir: Path

    def run(self, *args: str) -> None:
        subprocess.run(
            [self.util, *args], env=self.env, check=True, capture_output=True
        )

    def import_key(self, key: Any, label: str, key_id: str) -> None:
        """Put a private key on the token the way an operator does."""
        path = self.workdir / f"{label}.pem"
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        try:
            self.run(
                "--import",
                str(path),
                "--token",
                TOKEN,
                "--label",
                label,
                "--id",
                key_id,
                "--pin",
                USER_PIN,
            )
        finally:
            path.unlink()

    def _session(self) -> Any:
        token = p11.lib(self.module).get_token(token_label=TOKEN)
        try:
            return token.open(rw=True, user_pin=USER_PIN)
        except p11.UserAlreadyLoggedIn:
            return token.open(rw=True)

    def store_certificate(self, cert: x509.Certificate, label: str) -> None:
        """Store a certificate next to its key (softhsm2-util cannot)."""
        with self._session() as session:
            session.create_object(
                {
                    Attribute.CLASS: ObjectClass.CERTIFICATE,
                    Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                    Attribute.TOKEN: True,
                    Attribute.LABEL: label,
                    Attribute.SUBJECT: cert.subject.public_bytes(),
                    Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER),
                }
            )

    def delete_key(self, label: str) -> None:
        with self._session() as session:
            for obj in session.get_objects(
                {Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.LABEL: label}
            ):
                obj.destroy()


def _find_module() -> str | None:
    return next(
        (path for path in MODULE_CANDIDATES if path and Path(path).is_file()), None
    )


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftHSM]:
    util, module = shutil.which("softhsm2-util"), _find_module()
    if util is None or module is None:
        if os.environ.get("TINHSO_REQUIRE_SOFTHSM") == "1":
            pytest.fail("SoftHSM2 is required (TINHSO_REQUIRE_SOFTHSM=1) but missing")
        pytest.skip("SoftHSM2 (softhsm2-util, libsofthsm2.so) is not installed")
    workdir = tmp_path_factory.mktemp("softhsm")
    (workdir / "tokens").mkdir()
    conf = workdir / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {workdir / 'tokens'}\n"
        "objectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n"
    )
    # Read by the library when this process first initialises it.
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    hsm = SoftHSM(module, util, {**os.environ, "SOFTHSM2_CONF": str(conf)}, workdir)
    hsm.run(
        "--init-token",
        "--free",
        "--label",
        TOKEN,
        "--so-pin",
        SO_PIN,
        "--pin",
        USER_PIN,
    )
    yield hsm
    pkcs11.close_all()
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


@pytest.fixture
def hsm(softhsm: SoftHSM, settings: Any) -> Iterator[SoftHSM]:
    settings.PKI_PKCS11_MODULES = [softhsm.module]
    settings.PKI_PKCS11_PIN = USER_PIN
    yield softhsm
    pkcs11.close_all()


@pytest.fixture
def admin(agency):  # type: ignore[no-untyped-def]
    return factories.administrator(agency, full_name="Đỗ Mạnh Hùng")


_labels = iter(range(1, 10_000))


def _label(prefix: str = "khoa") -> str:
    return f"{prefix}-{next(_labels)}"


def _issue(root: TrustedRoot, public_key: Any, name: str) -> x509.Certificate:
    """A certificate from the demo root for a key made elsewhere (the token)."""
    root_key, root_cert, _chain = pkcs12.load_key_and_certificates(
        keystore.read(root.key_file), keystore.passphrase(root.fingerprint)
    )
    assert root_cert is not None and isinstance(root_key, ec.EllipticCurvePrivateKey)
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(x509.NameOID.COUNTRY_NAME, "VN"),
                    x509.NameAttribute(x509.NameOID.COMMON_NAME, name),
                ]
            )
        )
        .issuer_name(root_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=365))
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
        .sign(root_key, hashes.SHA256())
    )


def _on_token(
    hsm: SoftHSM,
    root: TrustedRoot,
    name: str,
    *,
    key_type: str = "ec",
    store: bool = True,
) -> tuple[str, x509.Certificate]:
    key: Any = (
        ec.generate_private_key(ec.SECP256R1())
        if key_type == "ec"
        else rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    label = _label()
    hsm.import_key(key, label, format(next(_labels), "04x"))
    cert = _issue(root, key.public_key(), name)
    if store:
        hsm.store_certificate(cert, label)
    return label, cert


def _register(hsm: SoftHSM, owner: Any, label: str, **extra: Any) -> Certificate:
    arguments = {"module_path": hsm.module, "token_label": TOKEN, **extra}
    return services.register_pkcs11_certificate(owner, key_label=label, **arguments)


def _validate_with_pyhanko_cli(pdf: bytes, root: TrustedRoot, folder: Path) -> str:
    (folder / "signed.pdf").write_bytes(pdf)
    (folder / "root.pem").write_bytes(selectors.root_pem(root))
    cli = shutil.which("pyhanko") or str(Path(sys.executable).parent / "pyhanko")
    result = subprocess.run(
        [
            cli,
            "sign",
            "validate",
            "--no-revocation-check",
            "--trust-replace",
            "--trust",
            str(folder / "root.pem"),
            "--executive-summary",
            str(folder / "signed.pdf"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


# Signing through the token -------------------------------------------------------


def test_token_key_signs_a_pdf_that_validates_against_the_demo_root(
    hsm, demo_root, leader, admin, tmp_path
):  # type: ignore[no-untyped-def]
    label, cert = _on_token(hsm, demo_root, "Nguyễn Văn Ân")
    files_before = sorted(keystore.folder().iterdir())

    # No certificate file given: it is read from the token, next to the key.
    certificate = _register(hsm, leader, label, actor=admin)

    assert certificate.key_kind == KeyKind.PKCS11
    assert certificate.user == leader and not certificate.demo
    assert certificate.fingerprint == cert.fingerprint(hashes.SHA256()).hex()
    assert (certificate.pkcs11_module, certificate.pkcs11_token_label) == (
        hsm.module,
        TOKEN,
    )
    assert certificate.key_file == ""
    # The key stays on the device: nothing new in the key folder.
    assert sorted(keystore.folder().iterdir()) == files_before
    entry = AuditEntry.objects.get(
        action="pki.certificate.register_pkcs11", object_id=str(certificate.pk)
    )
    assert entry.detail["token"] == TOKEN and entry.detail["key"] == label

    signed = signing.sign_pdf(
        make_pdf(), certificate, field_name="ChuKy", appearance={"position": "Giám đốc"}
    )

    [result] = signing.verify_pdf(signed)
    assert result.ok, result.summary
    assert result.signer_common_name == "Nguyễn Văn Ân"
    assert result.fingerprint == certificate.fingerprint
    assert _validate_with_pyhanko_cli(signed, demo_root, tmp_path).endswith(":VALID")


def test_rsa_key_with_uploaded_certificate_signs(hsm, demo_root, agency, admin):  # type: ignore[no-untyped-def]
    """An agency seal on an RSA key; the token holds no certificate."""
    label, cert = _on_token(
        hsm, demo_root, "Sở Khoa học và Công nghệ", key_type="rsa", store=False
    )

    seal = _register(
        hsm,
        agency,
        label,
        certificate_data=cert.public_bytes(serialization.Encoding.PEM),
        actor=admin,
    )

    assert seal.is_seal and seal.org_unit == agency
    [result] = signing.verify_pdf(signing.sign_pdf(make_pdf(), seal))
    assert result.ok, result.summary


def test_signing_survives_a_lost_session_and_runs_in_parallel(hsm, demo_root, leader):  # type: ignore[no-untyped-def]
    label, _cert = _on_token(hsm, demo_root, "Nguyễn Văn Ân")
    certificate = _register(hsm, leader, label)
    signer = signing.signer_for(certificate)
    assert signing.verify_pdf(signing.sign_pdf(make_pdf(), certificate))[0].ok

    # The device drops the session (HSM restart, token re-plugged).
    signer.pkcs11_session.close()
    assert signing.verify_pdf(signing.sign_pdf(make_pdf("sau"), certificate))[0].ok

    # Four requests sign at once through the one shared session.
    results: list[bytes] = []
    errors: list[BaseException] = []

    def sign(n: int) -> None:
        try:
            results.append(signing.sign_pdf(make_pdf(f"van ban {n}"), certificate))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=sign, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert all(signing.verify_pdf(pdf)[0].ok for pdf in results)


# Refusals: clear Vietnamese, nothing saved ---------------------------------------


def _counts() -> tuple[int, int]:
    return Certificate.objects.count(), AuditEntry.objects.count()


def _refused(hsm: SoftHSM, owner: Any, label: str, **extra: Any) -> DomainError:
    before = _counts()
    with pytest.raises(DomainError) as caught:
        _register(hsm, owner, label, **extra)
    assert _counts() == before
    return caught.value


def test_missing_library_token_and_key_are_named(hsm, demo_root, leader, settings):  # type: ignore[no-untyped-def]
    label, _cert = _on_token(hsm, demo_root, "Nguyễn Văn Ân")

    error = _refused(hsm, leader, label, module_path="/tmp/khong-co.so")  # noqa: S108
    assert error.code == "pki_pkcs11_module_not_allowed"
    settings.PKI_PKCS11_MODULES = [hsm.module, "/opt/khong-co/libp11.so"]
    error = _refused(hsm, leader, label, module_path="/opt/khong-co/libp11.so")
    assert error.code == "pki_pkcs11_module_missing"
    assert "Không tìm thấy thư viện PKCS#11 “/opt/khong-co/libp11.so”" in error.message

    with pytest.raises(DomainError) as caught:
        services.register_pkcs11_certificate(
            leader, module_path=hsm.module, token_label="token-khac", key_label=label
        )
    assert caught.value.code == "pki_pkcs11_token_missing"
    assert "“token-khac”" in caught.value.message and TOKEN in caught.value.message

    error = _refused(
        hsm,
        leader,
        "khong-co-khoa",
        certificate_data=_cert.public_bytes(serialization.Encoding.DER),
    )
    assert error.code == "pki_pkcs11_key_missing"
    assert error.message == (
        f"Không tìm thấy khóa bí mật có nhãn “khong-co-khoa” trên token “{TOKEN}”."
    )
    error = _refused(hsm, leader, "khong-co-khoa")
    assert error.code == "pki_pkcs11_certificate_missing"


def test_wrong_or_missing_pin_is_refused_and_not_retried(
    hsm, demo_root, leader, settings
):  # type: ignore[no-untyped-def]
    label, _cert = _on_token(hsm, demo_root, "Nguyễn Văn Ân")
    pkcs11.close_all()  # no session left logged in by the import above

    settings.PKI_PKCS11_PIN = None
    assert _refused(hsm, leader, label).code == "pki_pkcs11_not_configured"

    settings.PKI_PKCS11_PIN = "000000"
    error = _refused(hsm, leader, label)
    assert error.code == "pki_pkcs11_wrong_pin"
    assert "không đúng" in error.message and "TINHSO_PKI_PKCS11_PIN" in error.message
    # The same wrong PIN is refused without asking the token again.
    assert _refused(hsm, leader, label).code == "pki_pkcs11_wrong_pin"

    settings.PKI_PKCS11_PIN = USER_PIN
    assert _register(hsm, leader, label).key_kind == KeyKind.PKCS11


def test_key_of_another_certificate_or_untrusted_issuer_is_refused(
    hsm, demo_root, leader
):  # type: ignore[no-untyped-def]
    label, _cert = _on_token(hsm, demo_root, "Nguyễn Văn Ân", store=False)
    other = _issue(demo_root, ec.generate_private_key(ec.SECP256R1()).public_key(), "X")
    error = _refused(
        hsm,
        leader,
        label,
        certificate_data=other.public_bytes(serialization.Encoding.PEM),
    )
    assert error.code == "pki_pkcs11_key_mismatch"

    TrustedRoot.objects.filter(pk=demo_root.pk).update(active=False)
    error = _refused(
        hsm,
        leader,
        label,
        certificate_data=_cert.public_bytes(serialization.Encoding.PEM),
    )
    assert error.code == "pki_untrusted_certificate"


def test_a_token_certificate_must_name_its_owner(hsm, demo_root, leader, agency):  # type: ignore[no-untyped-def]
    """A key on a token is not bound to whoever the administrator picks."""
    label, _cert = _on_token(hsm, demo_root, "Trần Thị Bình")
    error = _refused(hsm, leader, label)
    assert error.code == "pki_subject_mismatch"
    assert error.message.startswith(
        "Chứng thư số cấp cho “Trần Thị Bình”, không phải cho Nguyễn Văn Ân"
    )
    # A person's certificate is not an agency's seal either.
    label, _cert = _on_token(hsm, demo_root, "Nguyễn Văn Ân")
    error = _refused(hsm, agency, label)
    assert error.code == "pki_subject_mismatch"
    assert agency.code in error.message
    assert _register(hsm, leader, label).user == leader


def test_signing_reports_a_wrong_pin_or_a_removed_key(hsm, demo_root, leader, settings):  # type: ignore[no-untyped-def]
    label, _cert = _on_token(hsm, demo_root, "Nguyễn Văn Ân")
    certificate = _register(hsm, leader, label)
    pdf = make_pdf()
    signing.sign_pdf(pdf, certificate)

    pkcs11.close_all()
    settings.PKI_PKCS11_PIN = "999999"
    with pytest.raises(DomainError) as caught:
        signing.sign_pdf(pdf, certificate)
    assert caught.value.code == "pki_pkcs11_wrong_pin"

    settings.PKI_PKCS11_PIN = USER_PIN
    hsm.delete_key(label)
    pkcs11.close_all()
    with pytest.raises(DomainError) as caught:
        signing.sign_pdf(pdf, certificate)
    assert caught.value.code == "pki_pkcs11_key_missing"


def test_only_administrators_of_the_owner_register(hsm, demo_root, leader):  # type: ignore[no-untyped-def]
    label, _cert = _on_token(hsm, demo_root, "Nguyễn Văn Ân")
    elsewhere = factories.administrator(factories.orgunit(name="UBND xã Minh Xuân"))
    clerk = factories.official(unit=leader.org_unit, role=Role.CLERK)
    for actor in (elsewhere, clerk, leader):
        error = _refused(hsm, leader, label, actor=actor)
        assert error.status == 403


# Command line, page and API ------------------------------------------------------


def test_commands_list_token_keys_and_register(hsm, demo_root, leader):  # type: ignore[no-untyped-def]
    label, _cert = _on_token(hsm, demo_root, "Nguyễn Văn Ân")
    out = StringIO()
    call_command(
        "pki", "token-keys", "--module", hsm.module, "--token", TOKEN, stdout=out
    )
    assert f"{label}\t" in out.getvalue() and "with certificate" in out.getvalue()

    out = StringIO()
    call_command(
        "pki",
        "import-pkcs11",
        "--module",
        hsm.module,
        "--token",
        TOKEN,
        "--key",
        label,
        "--user",
        leader.username,
        stdout=out,
    )
    assert "Registered Nguyễn Văn Ân" in out.getvalue()
    assert selectors.certificate_of(leader).key_kind == KeyKind.PKCS11  # type: ignore[union-attr]

    with pytest.raises(
        CommandError, match="không có chứng thư số mang nhãn “khong-co”"
    ):
        call_command(
            "pki",
            "import-pkcs11",
            "--module",
            hsm.module,
            "--token",
            TOKEN,
            "--key",
            "khong-co",
            "--user",
            leader.username,
        )


def test_administrator_registers_a_token_certificate_on_the_page_and_api(
    hsm, demo_root, leader, admin, client: Client
):  # type: ignore[no-untyped-def]
    label, _cert = _on_token(hsm, demo_root, "Nguyễn Văn Ân")
    client.force_login(admin)

    page = client.get("/pki/certificates/pkcs11/")
    assert page.status_code == 200
    assert hsm.module in page.content.decode()

    refused = client.post(
        "/pki/certificates/pkcs11/",
        {
            "owner_kind": "user",
            "username": leader.username,
            "module_path": hsm.module,
            "token_label": TOKEN,
            "key_label": "khong-co",
        },
    )
    assert refused.status_code == 400
    assert "không có chứng thư số mang nhãn “khong-co”" in refused.content.decode()
    assert not Certificate.objects.filter(user=leader).exists()

    done = client.post(
        "/pki/certificates/pkcs11/",
        {
            "owner_kind": "user",
            "username": leader.username,
            "module_path": hsm.module,
            "token_label": TOKEN,
            "key_label": label,
        },
    )
    certificate = Certificate.objects.get(user=leader)
    assert done.status_code == 302
    assert done["Location"] == f"/pki/certificates/{certificate.pk}/"

    label2, _cert2 = _on_token(hsm, demo_root, "Sở Khoa học và Công nghệ")
    response = client.post(
        "/api/v1/pki/certificates/pkcs11",
        {
            "owner_unit_id": leader.org_unit_id,
            "module_path": hsm.module,
            "token_label": TOKEN,
            "key_label": label2,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["key_kind"] == "pkcs11" and body["owner"]["kind"] == "org_unit"
