"""A specialist drafts and submits an outgoing document on a phone-sized
screen; the reviewer approves it from the document page."""

from pathlib import Path

import pytest

from tests import factories
from tests.documents.test_outgoing import POSITION, SIGNER_NAME, signature_pdf
from tinhso.accounts.models import Role
from tinhso.core.models import OrgUnitKind
from tinhso.documents.services import outgoing as services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{live_server.url}/")


def test_draft_submit_and_approve_on_a_phone(page, live_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    province = factories.province()
    agency = factories.orgunit(name="Sở Nội vụ", parent=province)
    department = factories.orgunit(
        kind=OrgUnitKind.DEPARTMENT, name="Phòng Tổ chức cán bộ", parent=agency
    )
    factories.official(
        unit=department,
        role=Role.SPECIALIST,
        username="chuyenvien",
        full_name="Trần Văn Bình",
    )
    head = factories.official(
        unit=department,
        role=Role.LEADER,
        username="truongphong",
        full_name="Phạm Quốc Hùng",
    )
    factories.official(unit=agency, role=Role.LEADER, full_name=SIGNER_NAME)
    admin = factories.administrator(province)
    services.set_review_chain(agency, admin, [("Trưởng phòng thẩm định", head)])
    draft = tmp_path / "du-thao.pdf"
    draft.write_bytes(signature_pdf())

    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, live_server, "chuyenvien")
    page.goto(f"{live_server.url}/documents/outgoing/new/")
    page.get_by_label("Loại văn bản").select_option(label="Quyết định")
    page.get_by_label("Trích yếu", exact=True).fill(
        "Về việc phê duyệt kế hoạch chuyển đổi số"
    )
    page.get_by_label("Người ký", exact=True).select_option(label=SIGNER_NAME)
    page.get_by_label("Chức vụ người ký").fill(POSITION)
    page.get_by_label("Tệp dự thảo (DOCX hoặc PDF)").set_input_files(str(draft))
    page.get_by_role("button", name="Lưu dự thảo").click()
    page.wait_for_url("**/documents/outgoing/*/")
    assert "Đã lưu dự thảo, phiên bản 1." in page.locator("main").inner_text()
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Trình duyệt").click()
    assert "Đang chờ Phạm Quốc Hùng duyệt." in page.locator("main").inner_text()
    detail = page.url

    page.context.clear_cookies()
    _login(page, live_server, "truongphong")
    page.goto(detail)
    page.get_by_role("button", name="Đồng ý, chuyển bước tiếp").click()
    text = page.locator("main").inner_text()
    assert "Đã đồng ý, chuyển bước tiếp theo." in text
    assert f"Đang chờ {SIGNER_NAME} ký." in text
    assert page.outside_requests == []
