"""Certificate administration pages and their API twins.

The province:: Tỉnh Tuyên Quang ─┬─ Sở Khoa học và Công nghệ (leader Ân)
                                 └─ Xã Minh Xuân (its own administrator)
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from tests import factories
from tests.pki.conftest import make_pdf
from tinhso.accounts.models import Role, User
from tinhso.core.errors import DomainError
from tinhso.core.models import AuditEntry, OrgUnit, OrgUnitKind
from tinhso.pki import selectors, services, signing
from tinhso.pki.models import Certificate, KeyKind, TrustedRoot

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


# The province --------------------------------------------------------------------


@dataclass
class World:
    province: OrgUnit
    agency: OrgUnit
    commune: OrgUnit
    admin: User
    commune_admin: User
    leader: User
    commune_leader: User
    clerk: User


@pytest.fixture
def world(db: None) -> World:
    province = factories.province()
    agency = factories.orgunit(name="Sở Khoa học và Công nghệ", parent=province)
    commune = factories.orgunit(
        kind=OrgUnitKind.COMMUNE, name="Xã Minh Xuân", parent=province
    )
    return World(
        province=province,
        agency=agency,
        commune=commune,
        admin=factories.administrator(province, username="quantri"),
        commune_admin=factories.administrator(commune, username="quantrixa"),
        leader=factories.official(
            unit=agency, role=Role.LEADER, username="nvan", full_name="Nguyễn Văn Ân"
        ),
        commune_leader=factories.official(
            unit=commune, role=Role.LEADER, username="ltha", full_name="Lê Thị Hà"
        ),
        clerk=factories.official(unit=agency, role=Role.CLERK, username="vanthu"),
    )


def _as(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def _text(response: Any) -> str:
    return str(response.content.decode())


def _counts() -> tuple[int, int, int]:
    return (
        Certificate.objects.count(),
        TrustedRoot.objects.count(),
        AuditEntry.objects.count(),
    )


def _outside_ca(name: str = "CA Chính phủ thử", *, ca: bool = True):  # type: ignore[no-untyped-def]
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


def _bundle(ca_key, ca_cert, password: bytes, name: str = "Nguyễn Văn Ân") -> bytes:  # type: ignore[no-untyped-def]
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=30))
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
        .sign(ca_key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        b"p12", key, cert, [ca_cert], serialization.BestAvailableEncryption(password)
    )


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


# Who may come in -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["clerk", "leader"])
def test_pages_are_for_administrators(client: Client, world: World, who: str) -> None:
    user = getattr(world, who)
    for url in (
        "/pki/",
        "/pki/roots/",
        "/pki/certificates/import/",
        "/pki/certificates/demo/",
    ):
        assert _as(client, user).get(url).status_code == 403, url
    assert client.get("/api/v1/pki/certificates").status_code == 403


def test_anonymous_is_sent_to_login(client: Client, db: None) -> None:
    response = client.get("/pki/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# Listing ---------------------------------------------------------------------------


def test_list_shows_owner_subject_issuer_validity_fingerprint_and_key_kind(
    client: Client, world: World, demo_root: TrustedRoot
) -> None:
    personal = services.issue_demo_certificate(world.leader)
    seal = services.issue_demo_certificate(world.agency)

    page = _text(_as(client, world.admin).get("/pki/"))

    assert "Nguyễn Văn Ân" in page and "nvan" in page
    assert "Sở Khoa học và Công nghệ" in page
    assert "CA thử nghiệm tinhso" in page
    # The page gives the date where its readers are, not in UTC: from 17:00
    # UTC on, Vietnam is already on the next day.
    assert timezone.localtime(personal.not_after).strftime("%d/%m/%Y") in page
    assert personal.fingerprint[:16] in page and seal.fingerprint[:16] in page
    assert "Tệp PKCS#12" in page and "Còn hiệu lực" in page
    assert f'href="/pki/certificates/{personal.pk}/"' in page

    found = _text(client.get("/pki/", {"q": "Ân"}, **HTMX))
    assert "<html" not in found and "Nguyễn Văn Ân" in found
    assert "Sở Khoa học và Công nghệ" not in found


def test_search_and_scope(client: Client, world: World, demo_root: TrustedRoot) -> None:
    mine = services.issue_demo_certificate(world.commune_leader)
    theirs = services.issue_demo_certificate(world.leader)

    page = _text(_as(client, world.admin).get("/pki/", {"q": "Hà"}))
    assert "Lê Thị Hà" in page and "Nguyễn Văn Ân" not in page

    # A commune administrator sees only the commune's certificates.
    client.force_login(world.commune_admin)
    page = _text(client.get("/pki/"))
    assert "Lê Thị Hà" in page and "Nguyễn Văn Ân" not in page
    assert client.get(f"/pki/certificates/{theirs.pk}/").status_code == 404
    assert client.get(f"/pki/certificates/{mine.pk}/").status_code == 200
    assert client.get(f"/api/v1/pki/certificates/{theirs.pk}").status_code == 404
    listed = client.get("/api/v1/pki/certificates").json()
    assert [item["id"] for item in listed["items"]] == [mine.pk]
    assert listed["count"] == 1


def test_detail_shows_the_certificate(
    client: Client, world: World, demo_root: TrustedRoot
) -> None:
    certificate = services.issue_demo_certificate(world.leader)

    page = _text(_as(client, world.admin).get(f"/pki/certificates/{certificate.pk}/"))

    assert "CN=Nguyễn Văn Ân" in page
    assert "CN=CA thử nghiệm tinhso" in page
    assert certificate.fingerprint in page and certificate.serial in page


# Trusted roots ---------------------------------------------------------------------


def test_province_administrator_imports_and_withdraws_a_root(
    client: Client, world: World, demo_root: TrustedRoot
) -> None:
    _key, ca = _outside_ca()
    client.force_login(world.admin)

    response = client.post(
        "/pki/roots/",
        {"certificate": SimpleUploadedFile("ca.pem", _pem(ca)), "name": ""},
    )

    assert response.status_code == 302
    root = TrustedRoot.objects.get(name="CA Chính phủ thử")
    assert root.active and root.added_by == world.admin
    page = _text(client.get("/pki/roots/"))
    assert "CA Chính phủ thử" in page and "CA thử nghiệm tinhso" in page

    response = client.post(f"/pki/roots/{root.pk}/", {"action": "withdraw"})
    assert response.status_code == 302
    root.refresh_from_db()
    assert not root.active
    assert AuditEntry.objects.filter(action="pki.root.withdraw").count() == 1
    client.post(f"/pki/roots/{root.pk}/", {"action": "restore"})
    root.refresh_from_db()
    assert root.active


def test_root_import_refusals_save_nothing(
    client: Client, world: World, db: None
) -> None:
    client.force_login(world.admin)
    before = _counts()

    not_ca = _bundle(*_outside_ca(), b"x")
    response = client.post(
        "/pki/roots/", {"certificate": SimpleUploadedFile("x.p12", not_ca)}
    )
    assert response.status_code == 400
    assert "không phải là chứng thư số X.509" in _text(response)

    _key, leaf = _outside_ca("Không phải CA", ca=False)
    response = client.post(
        "/pki/roots/", {"certificate": SimpleUploadedFile("leaf.pem", _pem(leaf))}
    )
    assert response.status_code == 400
    assert "không phải của tổ chức cấp chứng thư số (CA)" in _text(response)
    assert _counts() == before


def test_only_province_administrators_change_trust(
    client: Client, world: World, demo_root: TrustedRoot
) -> None:
    _key, ca = _outside_ca()
    client.force_login(world.commune_admin)
    before = _counts()

    page = _text(client.get("/pki/roots/"))
    assert "CA thử nghiệm tinhso" in page and "Thêm CA gốc tin cậy" not in page
    upload = {"certificate": SimpleUploadedFile("ca.pem", _pem(ca))}
    assert client.post("/pki/roots/", upload).status_code == 403
    assert (
        client.post(f"/pki/roots/{demo_root.pk}/", {"action": "withdraw"}).status_code
        == 403
    )
    api = client.post(f"/api/v1/pki/roots/{demo_root.pk}/withdraw")
    assert api.status_code == 403
    assert api["Content-Type"] == "application/problem+json"
    assert _counts() == before
    assert TrustedRoot.objects.get(pk=demo_root.pk).active


def test_any_signed_in_user_downloads_a_root_pem(
    client: Client, world: World, demo_root: TrustedRoot
) -> None:
    response = _as(client, world.clerk).get(f"/pki/roots/{demo_root.pk}/pem/")

    assert response.status_code == 200
    assert response.content == selectors.root_pem(demo_root)
    assert response.content.startswith(b"-----BEGIN CERTIFICATE-----")
    assert "attachment" in response["Content-Disposition"]
    api = client.get(f"/api/v1/pki/roots/{demo_root.pk}/pem")
    assert api.content == response.content


# Certificates from files ----------------------------------------------------------


def test_import_pkcs12_for_a_person(client: Client, world: World, db: None) -> None:
    ca_key, ca = _outside_ca()
    services.import_trusted_root(_pem(ca))
    bundle = _bundle(ca_key, ca, b"dung-mat-khau")
    client.force_login(world.admin)
    before = _counts()

    def post(password: str, **owner: str) -> Any:
        return client.post(
            "/pki/certificates/import/",
            {
                "owner_kind": "user",
                "username": "nvan",
                **owner,
                "bundle": SimpleUploadedFile("cert.p12", bundle),
                "password": password,
            },
        )

    wrong = post("sai")
    assert wrong.status_code == 400
    assert "mật khẩu không đúng" in _text(wrong)
    unknown = post("dung-mat-khau", username="khong-co-ai")
    assert "Không có cán bộ nào tên đăng nhập “khong-co-ai”" in _text(unknown)
    assert _counts() == before

    done = post("dung-mat-khau")
    certificate = Certificate.objects.get(user=world.leader)
    assert done.status_code == 302
    assert done["Location"] == f"/pki/certificates/{certificate.pk}/"
    assert certificate.key_kind == KeyKind.PKCS12 and not certificate.demo
    [result] = signing.verify_pdf(signing.sign_pdf(make_pdf(), certificate))
    assert result.ok


def test_import_pkcs12_through_the_api_for_an_agency(
    client: Client, world: World, db: None
) -> None:
    ca_key, ca = _outside_ca()
    client.force_login(world.admin)
    created = client.post(
        "/api/v1/pki/roots",
        {
            "file": SimpleUploadedFile(
                "ca.der", ca.public_bytes(serialization.Encoding.DER)
            )
        },
    )
    assert created.status_code == 201, created.content
    assert created.json()["name"] == "CA Chính phủ thử"

    response = client.post(
        "/api/v1/pki/certificates/pkcs12",
        {
            "file": SimpleUploadedFile(
                "seal.p12", _bundle(ca_key, ca, b"pw", "Sở Khoa học và Công nghệ")
            ),
            "password": "pw",
            "owner_unit_id": world.agency.pk,
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["owner"] == {
        "kind": "org_unit",
        "id": world.agency.pk,
        "name": "Sở Khoa học và Công nghệ",
        "username": None,
    }
    assert (
        body["key_kind"] == "pkcs12"
        and body["common_name"] == "Sở Khoa học và Công nghệ"
    )

    wrong = client.post(
        "/api/v1/pki/certificates/pkcs12",
        {
            "file": SimpleUploadedFile("seal.p12", _bundle(ca_key, ca, b"pw")),
            "password": "khac",
            "owner_user_id": world.leader.pk,
        },
    )
    assert wrong.status_code == 400
    assert wrong["Content-Type"] == "application/problem+json"
    assert wrong.json()["code"] == "pki_wrong_passphrase"


def test_administrator_cannot_give_certificates_outside_their_units(
    client: Client, world: World, demo_root: TrustedRoot
) -> None:
    client.force_login(world.commune_admin)
    before = _counts()

    page = client.post(
        "/pki/certificates/demo/",
        {"owner_kind": "user", "username": "nvan", "key_type": "ec"},
    )
    assert page.status_code == 400
    assert "trong phạm vi bạn quản trị" in _text(page)
    api = client.post(
        "/api/v1/pki/certificates/demo",
        {"owner_user_id": world.leader.pk},
        content_type="application/json",
    )
    assert api.status_code == 404
    assert _counts() == before

    with pytest.raises(DomainError) as caught:
        services.issue_demo_certificate(world.leader, actor=world.commune_admin)
    assert caught.value.status == 403


# Demo certificates ----------------------------------------------------------------


def test_demo_issuing_needs_a_demo_root(
    client: Client, world: World, settings: Any, tmp_path: Any
) -> None:
    settings.DATA_DIR = tmp_path
    client.force_login(world.admin)

    page = client.get("/pki/certificates/demo/")
    assert "tinhso pki demo" in _text(page)
    assert 'name="key_type"' not in _text(page)
    posted = client.post(
        "/pki/certificates/demo/",
        {"owner_kind": "user", "username": "nvan", "key_type": "ec"},
    )
    assert posted.status_code == 409 and not Certificate.objects.exists()
    assert "Cấp chứng thư số thử nghiệm" not in _text(client.get("/pki/"))
    refused = client.post(
        "/api/v1/pki/certificates/demo",
        {"owner_user_id": world.leader.pk},
        content_type="application/json",
    )
    assert refused.status_code == 400 and refused.json()["code"] == "pki_no_demo_root"


def test_demo_certificates_for_a_person_a_seal_and_everyone(
    client: Client, world: World, demo_root: TrustedRoot
) -> None:
    client.force_login(world.admin)

    response = client.post(
        "/pki/certificates/demo/",
        {"owner_kind": "user", "username": "nvan", "key_type": "rsa"},
    )
    personal = Certificate.objects.get(user=world.leader)
    assert response["Location"] == f"/pki/certificates/{personal.pk}/"
    public_key = x509.load_pem_x509_certificate(
        personal.certificate_pem.encode()
    ).public_key()
    assert personal.demo and isinstance(public_key, rsa.RSAPublicKey)

    response = client.post(
        "/pki/certificates/demo/",
        {"owner_kind": "unit", "unit_code": world.commune.code, "key_type": "ec"},
    )
    assert response.status_code == 302
    assert Certificate.objects.filter(org_unit=world.commune).count() == 1

    response = client.post("/pki/certificates/demo/", {"action": "all"})
    assert response.status_code == 302
    # Lê Thị Hà and the agency's seal were missing; the rest already had one.
    assert Certificate.objects.filter(user=world.commune_leader).count() == 1
    assert Certificate.objects.filter(org_unit=world.agency).count() == 1
    assert Certificate.objects.count() == 4

    created = client.post(
        "/api/v1/pki/certificates/demo",
        {"owner_user_id": world.clerk.pk, "key_type": "ec"},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["owner"]["username"] == "vanthu"


# Withdrawing ----------------------------------------------------------------------


def test_deactivated_certificate_no_longer_signs(
    client: Client, world: World, demo_root: TrustedRoot
) -> None:
    certificate = services.issue_demo_certificate(world.leader)
    client.force_login(world.admin)

    response = client.post(
        f"/pki/certificates/{certificate.pk}/",
        {"action": "deactivate", "reason": "Mất thiết bị"},
    )

    assert response.status_code == 302
    certificate.refresh_from_db()
    assert not certificate.active
    entry = AuditEntry.objects.get(action="pki.certificate.deactivate")
    assert entry.detail["reason"] == "Mất thiết bị"
    with pytest.raises(DomainError) as caught:
        signing.sign_pdf(make_pdf(), certificate)
    assert caught.value.code == "pki_certificate_inactive"
    assert selectors.certificate_of(world.leader) is None
    assert "Ngừng sử dụng" in _text(client.get("/pki/"))

    again = client.post(
        f"/api/v1/pki/certificates/{certificate.pk}/reactivate",
        {"reason": ""},
        content_type="application/json",
    )
    assert again.status_code == 200 and again.json()["active"] is True
    certificate.refresh_from_db()
    assert signing.verify_pdf(signing.sign_pdf(make_pdf(), certificate))[0].ok


def test_commune_administrator_cannot_withdraw_others(
    client: Client, world: World, demo_root: TrustedRoot
) -> None:
    certificate = services.issue_demo_certificate(world.leader)
    client.force_login(world.commune_admin)

    assert (
        client.post(
            f"/pki/certificates/{certificate.pk}/", {"action": "deactivate"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/pki/certificates/{certificate.pk}/deactivate",
            {},
            content_type="application/json",
        ).status_code
        == 404
    )
    certificate.refresh_from_db()
    assert certificate.active


# My certificate -------------------------------------------------------------------


def test_official_sees_only_their_own_certificates(
    client: Client, world: World, demo_root: TrustedRoot
) -> None:
    own = services.issue_demo_certificate(world.leader)
    services.issue_demo_certificate(world.commune_leader)

    page = _text(_as(client, world.leader).get("/pki/mine/"))

    assert "Nguyễn Văn Ân" in page and own.fingerprint[:16] in page
    assert "Lê Thị Hà" not in page
    mine = client.get("/api/v1/pki/certificates/mine").json()
    assert [item["fingerprint"] for item in mine] == [own.fingerprint]

    empty = _text(_as(client, world.clerk).get("/pki/mine/"))
    assert "Bạn chưa có chứng thư số nào" in empty


def test_search_works_without_diacritics(
    client: Client, world: World, demo_root: TrustedRoot
) -> None:
    services.issue_demo_certificate(world.commune_leader)
    services.issue_demo_certificate(world.agency)
    client.force_login(world.admin)

    assert "Lê Thị Hà" in _text(client.get("/pki/", {"q": "le thi ha"}))
    page = _text(client.get("/pki/", {"q": "so khoa hoc"}))
    assert "Sở Khoa học và Công nghệ" in page and "Lê Thị Hà" not in page
    assert "Lê Thị Hà" in _text(client.get("/pki/", {"q": "ltha"}))  # user name
