"""Registering an incoming PDF in a real browser, up to its signature panel."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from django.utils import timezone

import pytest

from tests import factories
from tests.documents.conftest import make_pdf
from tinhso.accounts.models import Role
from tinhso.pki import services as pki
from tinhso.pki import signing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def files_dir(settings: Any, tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    settings.DATA_DIR = tmp_path
    return folder


def test_clerk_registers_a_signed_pdf_and_reads_its_signature(
    page: Any, live_server: Any, files_dir: Path, tmp_path: Path
) -> None:
    """A clerk signs in, enters a signed PDF in the register with the form,
    finds it in the register, and opens it to see who signed it."""
    province = factories.province()
    agency = factories.orgunit(name="Sở Nội vụ", parent=province)
    sender = factories.orgunit(name="Văn phòng UBND tỉnh", parent=province)
    factories.official(
        unit=agency, role=Role.CLERK, username="vanthu", full_name="Trần Thị Bình"
    )
    signer = factories.official(
        unit=sender,
        role=Role.LEADER,
        full_name="Nguyễn Văn Ân",
        title="Chánh Văn phòng",
    )
    pki.create_demo_root()
    certificate = pki.issue_demo_certificate(signer)
    pdf = tmp_path / "qd-12.pdf"
    # pyHanko runs its own event loop, which cannot nest in Playwright's.
    with ThreadPoolExecutor(max_workers=1) as worker:
        signed = worker.submit(
            signing.sign_pdf,
            make_pdf("QUYET DINH giao chi tieu chuyen doi so"),
            certificate,
        ).result()
    pdf.write_bytes(signed)

    page.goto(f"{live_server.url}/documents/incoming/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Tên đăng nhập").fill("vanthu")
    page.get_by_label("Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/documents/incoming/")

    page.get_by_role("link", name="Vào sổ văn bản đến").click()
    page.wait_for_url("**/documents/incoming/new/")
    page.get_by_label("Tệp văn bản (PDF)").set_input_files(str(pdf))
    page.get_by_label("Số, ký hiệu").fill("12/QĐ-UBND")
    page.get_by_label("Loại văn bản").select_option(label="Quyết định")
    issued = timezone.localdate() - dt.timedelta(days=1)
    page.get_by_label("Ngày ban hành").fill(issued.isoformat())
    page.get_by_label("Cơ quan ban hành").fill("Ủy ban nhân dân tỉnh Tuyên Quang")
    page.get_by_label("Trích yếu").fill("Về việc giao chỉ tiêu chuyển đổi số năm 2026")
    page.get_by_label("Người ký").fill("Nguyễn Văn Ân")
    page.get_by_role("button", name="Vào sổ", exact=True).click()

    page.wait_for_url("**/documents/incoming/*/")
    assert (
        "Đã vào sổ văn bản 12/QĐ-UBND, số đến 1/"
        in page.get_by_role("status").inner_text()
    )

    # The register lists it, and a search without diacritics finds it.
    page.get_by_role("link", name="Văn bản đến").first.click()
    page.wait_for_url("**/documents/incoming/")
    page.get_by_label("Tìm văn bản đến").fill("chi tieu chuyen doi so")
    page.get_by_role("button", name="Tìm", exact=True).click()
    results = page.locator("#incoming-results")
    results.get_by_text("Tìm thấy 1 văn bản.").wait_for()
    results.get_by_role("link", name="12/QĐ-UBND").click()

    page.wait_for_url("**/documents/incoming/*/")
    panel = page.get_by_role("region", name="Chữ ký số")
    text = panel.inner_text()
    assert "Nguyễn Văn Ân" in text
    assert "Hợp lệ" in text
    assert "Nội dung không bị thay đổi sau khi ký" in text
    assert "Do CA gốc tin cậy cấp" in text
    assert "Toàn bộ tệp" in text
    history = page.get_by_role("region", name="Lịch sử").inner_text()
    assert "Vào sổ văn bản đến" in history and "Trần Thị Bình" in history

    # At phone width the pages still read without sideways scrolling.
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    for path in ("/documents/incoming/", "/documents/incoming/new/"):
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
    assert page.outside_requests == []
