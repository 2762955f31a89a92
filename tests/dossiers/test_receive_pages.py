"""The one-stop officer's pages and API: choose the procedure, take the
applicant's papers, print the receipt; others see nothing."""

from typing import Any

from django.test import Client

import pytest

from tests import factories
from tests.dossiers.conftest import birth
from tests.dossiers.test_catalog_pages import signed_in, text
from tinhso.accounts import services as accounts
from tinhso.accounts.models import Role, User
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.services import catalog

pytestmark = pytest.mark.django_db

RECEIVE = "/dvc/ho-so/tiep-nhan/"
API = "/api/v1/dossiers/dossiers"


@pytest.fixture
def commune(province: OrgUnit) -> OrgUnit:
    return factories.orgunit(
        kind=OrgUnitKind.COMMUNE,
        name="Phường Hà Giang 1",
        code="00694",
        parent=province,
    )


@pytest.fixture
def officer(commune: OrgUnit) -> User:
    catalog.save_procedure(birth())
    return factories.official(
        unit=commune, role=Role.ONE_STOP_OFFICER, full_name="Ma Thị Hoa"
    )


def form(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "applicant_name": "Nguyễn Thị Mai Hương",
        "applicant_id_number": "008192004217",
        "applicant_phone": "0912345678",
        "applicant_address": "Tổ dân phố 2",
        "documents": ["1", "2"],
    }
    data.update(over)
    return data


def test_the_officer_receives_a_dossier_and_prints_its_receipt(
    officer: User, commune: OrgUnit
) -> None:
    client = signed_in(officer)
    listing = text(client.get("/dvc/ho-so/"))
    assert "Chưa có hồ sơ nào bạn được xem." in listing and "Tiếp nhận hồ sơ" in listing
    found = text(client.get(RECEIVE, {"q": "khai sinh"}))
    assert "Đăng ký khai sinh" in found
    page = text(client.get(RECEIVE, {"procedure": "1.001193"}))
    assert "Tờ khai đăng ký khai sinh (Bản chính)" in page
    assert "Phường Hà Giang 1" in page  # the one counter, chosen already

    missing = client.post(
        f"{RECEIVE}?procedure=1.001193", form(counter=commune.pk, documents=["1"])
    )
    assert missing.status_code == 400
    assert "Hồ sơ còn thiếu: Giấy chứng sinh." in text(missing)
    bad_phone = client.post(
        f"{RECEIVE}?procedure=1.001193", form(counter=commune.pk, applicant_phone="12")
    )
    assert "Số điện thoại gồm 10 chữ số" in text(bad_phone)
    assert not Dossier.objects.exists()

    done = client.post(
        f"{RECEIVE}?procedure=1.001193", form(counter=commune.pk), follow=True
    )
    dossier = Dossier.objects.get()
    page = text(done)
    assert f"Đã tiếp nhận hồ sơ {dossier.code}" in page
    assert "Nguyễn Thị Mai Hương" in page and "Đã tiếp nhận" in page
    receipt = client.get(f"/dvc/ho-so/{dossier.code}/giay-tiep-nhan.pdf")
    assert receipt["Content-Type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF")
    assert dossier.code in text(client.get("/dvc/ho-so/"))


def test_no_one_else_opens_the_dossier_or_the_counter(
    officer: User, commune: OrgUnit, province: OrgUnit
) -> None:
    signed_in(officer).post(f"{RECEIVE}?procedure=1.001193", form(counter=commune.pk))
    code = Dossier.objects.get().code
    other = factories.orgunit(
        kind=OrgUnitKind.COMMUNE, name="Xã Lũng Cú", parent=province
    )
    outsider = signed_in(factories.official(unit=other, role=Role.ONE_STOP_OFFICER))
    assert outsider.get(f"/dvc/ho-so/{code}/").status_code == 404
    assert outsider.get(f"/dvc/ho-so/{code}/giay-tiep-nhan.pdf").status_code == 404
    specialist = signed_in(factories.official(unit=commune, role=Role.SPECIALIST))
    assert specialist.get(f"/dvc/ho-so/{code}/").status_code == 200
    assert specialist.get(RECEIVE).status_code == 403
    assert Client().get(f"/dvc/ho-so/{code}/").status_code == 302


def test_receiving_and_reading_through_the_api(
    officer: User, commune: OrgUnit, province: OrgUnit, client: Client
) -> None:
    _token, secret = accounts.issue_token(officer, "phần mềm một cửa")
    auth = {"authorization": f"Bearer {secret}"}
    body = {
        "procedure_code": "1.001193",
        "applicant": {
            "name": "Nguyễn Thị Mai Hương",
            "id_number": "008192004217",
            "phone": "0912345678",
        },
        "documents": [1, 2],
    }
    made = client.post(API, body, content_type="application/json", headers=auth)
    assert made.status_code == 201, made.content
    dossier = made.json()
    assert dossier["code"].startswith("00694-") and dossier["status"] == "2"
    assert dossier["status_label"] == "Đã tiếp nhận"
    assert [d["name"] for d in dossier["documents"]][1] == "Giấy chứng sinh"
    listed = client.get(API, headers=auth).json()
    assert (
        listed["count"] == 1 and listed["items"][0]["procedure"]["code"] == "1.001193"
    )
    receipt = client.get(f"{API}/{dossier['code']}/receipt.pdf", headers=auth)
    assert receipt.content.startswith(b"%PDF")

    incomplete = client.post(
        API, {**body, "documents": [1]}, content_type="application/json", headers=auth
    )
    assert incomplete.status_code == 400
    assert incomplete.json()["code"] == "dossier_incomplete"
    other = factories.orgunit(
        kind=OrgUnitKind.COMMUNE, name="Xã Lũng Cú", parent=province
    )
    _token, theirs = accounts.issue_token(
        factories.official(unit=other, role=Role.ONE_STOP_OFFICER), "khác"
    )
    outsider = {"authorization": f"Bearer {theirs}"}
    assert client.get(f"{API}/{dossier['code']}", headers=outsider).status_code == 404
    assert client.get(API, headers=outsider).json()["count"] == 0
    wrong_place = client.post(
        API,
        {**body, "agency_id": commune.pk},
        content_type="application/json",
        headers=outsider,
    )
    assert wrong_place.status_code == 403
