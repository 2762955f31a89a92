"""A document's files in a real browser: the PDF opens in Chromium's viewer
in place, an XML attachment in the XHTML namespace is only downloaded and
its script never runs in the platform's pages."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path
from typing import Any

from django.utils import timezone

import pytest

from tests import factories
from tests.documents.conftest import make_pdf
from tinhso.accounts.models import Role
from tinhso.documents.constants import DocumentType
from tinhso.documents.services import incoming

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XHTML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<html xmlns="http://www.w3.org/1999/xhtml"><body>'
    b'<script>document.cookie = "pwned=1; path=/"</script>'
    b"Bang ke</body></html>\n"
)


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


def test_the_pdf_shows_in_place_and_the_xml_only_downloads(
    page: Any, live_server: Any, files_dir: Path
) -> None:
    province = factories.province()
    agency = factories.orgunit(name="Sở Nội vụ", parent=province)
    clerk = factories.official(
        unit=agency, role=Role.CLERK, username="vanthu", full_name="Trần Thị Bình"
    )
    # Registering checks signatures with pyHanko, whose event loop cannot
    # nest in Playwright's: it runs in a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as worker:
        document = worker.submit(
            incoming.register_incoming,
            agency=agency,
            clerk=clerk,
            file=BytesIO(make_pdf("QUYET DINH giao chi tieu")),
            file_name="qd-12.pdf",
            number_symbol="12/QĐ-UBND",
            issued_date=timezone.localdate() - dt.timedelta(days=1),
            issuer_name="Ủy ban nhân dân tỉnh Tuyên Quang",
            doc_type=DocumentType.DECISION,
            subject="Về việc giao chỉ tiêu chuyển đổi số năm 2026",
            attachments=[(BytesIO(XHTML), "bang-ke.xml")],
        ).result()
    detail = f"{live_server.url}/documents/incoming/{document.pk}/"
    page.goto(detail)
    page.get_by_label("Tên đăng nhập").fill("vanthu")
    page.get_by_label("Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(detail)

    with page.expect_download() as download:
        page.get_by_role("link", name="bang-ke.xml", exact=True).click()
    assert download.value.suggested_filename == "bang-ke.xml"
    assert page.url == detail
    assert "pwned" not in page.evaluate("() => document.cookie")

    page.get_by_role("link", name="qd-12.pdf", exact=True).click()
    page.wait_for_url(f"{detail}file/")
    assert page.evaluate("() => document.contentType") == "application/pdf"
    # Chromium's own PDF viewer took it: its frame attaches to the page.
    for _ in range(50):
        if any(frame.url.startswith("chrome-extension://") for frame in page.frames):
            break
        page.wait_for_timeout(100)
    else:
        pytest.fail("The PDF did not open in Chromium's viewer.")
