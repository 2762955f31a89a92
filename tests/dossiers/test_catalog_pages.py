"""The public catalog pages, the administrators' import and export page,
and the same in the API."""

import io
import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

import pytest
from openpyxl import load_workbook

from tests import factories
from tests.dossiers.conftest import birth, record_check
from tinhso.accounts import services as accounts
from tinhso.accounts.models import Role, User
from tinhso.core.models import OrgUnit
from tinhso.dossiers.models import Procedure
from tinhso.dossiers.selectors import catalog as selectors
from tinhso.dossiers.services import catalog as services

pytestmark = pytest.mark.django_db

CATALOG = "/dvc/thu-tuc/"
ADMIN = "/dvc/quan-tri/danh-muc/"
API = "/api/v1/dossiers"


def text(response: Any) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def catalog(justice: OrgUnit) -> None:
    services.save_procedure(birth())
    services.save_procedure(record_check(justice))


def test_anyone_searches_the_catalog_with_or_without_diacritics(
    client: Client, catalog: None
) -> None:
    page = text(client.get(CATALOG))
    assert "2 thủ tục." in page
    assert "Đăng ký khai sinh" in page and "Cấp Phiếu lý lịch tư pháp" in page
    for query in ("khai sinh", "Khai sinh", "KHAI SINH", "khai si"):
        found = text(client.get(CATALOG, {"q": query}))
        assert "1 thủ tục." in found and "Đăng ký khai sinh" in found, query
        assert "Cấp Phiếu lý lịch" not in found
    province = text(client.get(CATALOG, {"level": "province"}))
    assert "Cấp Phiếu lý lịch tư pháp" in province and "khai sinh" not in province
    nothing = text(client.get(CATALOG, {"q": "xyz khong co"}))
    assert nothing.count("Không có thủ tục nào khớp.") == 1
    # An old link with a choice that no longer exists still lists.
    assert "2 thủ tục." in text(client.get(CATALOG, {"field": "da-bo"}))


def test_a_procedure_page_says_what_to_bring_how_long_and_what_it_costs(
    client: Client, catalog: None
) -> None:
    page = text(client.get(f"{CATALOG}2.001417/"))
    assert "Sở Tư pháp tỉnh Tuyên Quang" in page
    assert "10 ngày làm việc kể từ khi nhận đủ hồ sơ hợp lệ" in page
    assert "Tờ khai yêu cầu cấp Phiếu" in page and "Bản chính" in page
    assert "200.000 đồng" in page
    birth_page = text(client.get(f"{CATALOG}1.001193/"))
    assert "Ủy ban nhân dân xã, phường, đặc khu" in birth_page
    assert "Theo mẫu: Mẫu TP/HT-2020-TKKS" in birth_page
    assert "Lệ phí đăng ký khai sinh — miễn" in birth_page
    assert "Tiếp nhận hồ sơ — Bộ phận Một cửa (2 giờ làm việc)" in birth_page
    assert client.get(f"{CATALOG}9.999999/").status_code == 404


def test_only_the_province_administrator_imports_and_exports(
    province: OrgUnit, justice: OrgUnit, admin: User
) -> None:
    clerk = factories.official(unit=justice, role=Role.CLERK)
    agency_admin = factories.administrator(justice)
    for user in (clerk, agency_admin):
        assert signed_in(user).get(ADMIN).status_code == 403
        assert signed_in(user).get(f"{ADMIN}tai-ve.csv").status_code == 403
    assert Client().get(ADMIN).status_code == 302  # to the login page
    assert "Danh mục đang công khai 0 thủ tục." in text(signed_in(admin).get(ADMIN))


def test_the_administrator_exports_edits_and_imports_the_catalog(
    catalog: None, admin: User
) -> None:
    client = signed_in(admin)
    response = client.get(f"{ADMIN}tai-ve.xlsx")
    assert response.status_code == 200
    assert "danh-muc-thu-tuc.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet is not None
    for row in sheet.iter_rows(min_row=2):
        if row[1].value == "1.001193" and row[0].value == "Thủ tục":
            row[2].value = "Đăng ký khai sinh (có yếu tố trong nước)"
    edited = io.BytesIO()
    book.save(edited)
    upload = SimpleUploadedFile("danh-muc.xlsx", edited.getvalue())
    done = client.post(ADMIN, {"file": upload}, follow=True)
    assert "Đã nạp danh mục: 0 thủ tục mới, 2 thủ tục cập nhật, 0 lĩnh vực mới." in (
        text(done)
    )
    assert selectors.get_procedure("1.001193").name.endswith("(có yếu tố trong nước)")


def test_a_bad_file_on_the_page_lists_its_rows_and_saves_nothing(
    catalog: None, admin: User
) -> None:
    before = selectors.export_catalog("csv")
    broken = before.decode("utf-8-sig").replace("Cấp xã", "Cấp huyện").encode()
    upload = SimpleUploadedFile("danh-muc.csv", broken)
    response = signed_in(admin).post(ADMIN, {"file": upload})
    assert response.status_code == 400
    page = text(response)
    assert "Tệp có 1 lỗi; chưa lưu gì:" in page
    assert "Dòng 2: Cấp thực hiện “Cấp huyện” không hợp lệ" in page
    assert selectors.export_catalog("csv") == before
    wrong = SimpleUploadedFile("danh-muc.pdf", b"%PDF-1.7")
    refused = signed_in(admin).post(ADMIN, {"file": wrong})
    assert "Tệp danh mục phải là .xlsx hoặc .csv." in text(refused)


def test_the_catalog_in_the_api(
    client: Client, catalog: None, admin: User, justice: OrgUnit
) -> None:
    listed = client.get(f"{API}/procedures", {"q": "ly lich"}).json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert item["code"] == "2.001417" and item["level_label"] == "Cấp tỉnh"
    assert item["agency"]["code"] == "000.00.04.H58"
    assert item["page_url"] == f"{CATALOG}2.001417/"
    one = client.get(f"{API}/procedures/1.001193").json()
    assert [d["name"] for d in one["documents"]] == [
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
    ]
    assert one["steps"][0]["duration_unit"] == "hours"
    assert client.get(f"{API}/procedures/9.9").json()["code"] == "procedure_not_found"
    assert [f["code"] for f in client.get(f"{API}/fields").json()] == [
        "ho-tich",
        "ly-lich-tu-phap",
    ]

    # Import and export: the province administrator only, with a token too.
    assert client.get(f"{API}/catalog/export").status_code == 401
    clerk = factories.official(unit=justice, role=Role.CLERK)
    _token, clerk_secret = accounts.issue_token(clerk, "thử")
    forbidden = client.get(
        f"{API}/catalog/export", headers={"authorization": f"Bearer {clerk_secret}"}
    )
    assert forbidden.status_code == 403
    _token, secret = accounts.issue_token(admin, "đồng bộ danh mục")
    auth = {"authorization": f"Bearer {secret}"}
    exported = client.get(f"{API}/catalog/export", {"format": "csv"}, headers=auth)
    assert exported["Content-Type"].startswith("text/csv")
    changed = exported.content.decode("utf-8-sig").replace(
        "Cấp Phiếu lý lịch tư pháp", "Cấp Phiếu lý lịch tư pháp số 1"
    )
    imported = client.post(
        f"{API}/catalog/import",
        {"file": SimpleUploadedFile("dm.csv", changed.encode())},
        headers=auth,
    )
    assert imported.status_code == 200, imported.content
    assert imported.json()["updated"] == 2
    assert Procedure.objects.get(code="2.001417").name.endswith("số 1")
    bad = client.post(
        f"{API}/catalog/import",
        {"file": SimpleUploadedFile("dm.csv", changed.replace("Cấp xã", "?").encode())},
        headers=auth,
    )
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/problem+json"
    assert bad.json()["problems"][0].startswith("Dòng 2:")
