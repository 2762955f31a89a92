"""A document assigned, handled and closed through the pages, at phone width too."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connection

import pytest

from tests import factories
from tests.documents.test_handling import build_world, in_days, register
from tinhso.accounts.models import Role
from tinhso.documents.constants import IncomingStatus
from tinhso.documents.models import IncomingDocument

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, username: str) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{live_server.url}/")


def _off_the_loop[T](function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``function`` in a thread of its own.

    Registering checks the PDF's signatures with asyncio.run, which refuses
    to start inside Playwright's running event loop.
    """

    def call() -> T:
        try:
            return function(*args, **kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def test_assign_handle_and_close(page, live_server) -> None:  # type: ignore[no-untyped-def]
    """The director assigns with the form, the specialist finds it in "my
    work", writes progress from the handling panel and closes it; at phone
    width the list still fits the screen."""
    province = factories.province()
    agency = factories.orgunit(name="Sở Nông nghiệp và Môi trường", parent=province)
    other = factories.orgunit(name="Sở Tài chính", parent=province)
    clerk = factories.official(unit=agency, role=Role.CLERK, username="vanthu")
    world = build_world(agency, other, clerk)
    document = _off_the_loop(
        register, world, subject="Về việc bảo tồn ruộng bậc thang Hoàng Su Phì"
    )

    _login(page, live_server, "giamdoc")
    page.goto(f"{live_server.url}/documents/incoming/{document.pk}/assign/")
    page.get_by_label("Xử lý chính: Phạm Văn An").check()
    page.get_by_label("Phối hợp: Vũ Văn Cường").check()
    page.get_by_label("Nhận để biết: Phòng Kế hoạch - Tài chính").check()
    page.get_by_label("Hạn xử lý").fill(in_days(7).isoformat())
    page.get_by_label("Ý kiến chỉ đạo").fill("Đồng chí An chủ trì, báo cáo trước hạn.")
    page.get_by_role("button", name="Phân công", exact=True).click()
    page.wait_for_load_state()
    assert "Đã phân công xử lý văn bản." in page.locator("main").inner_text()

    _login(page, live_server, "cvan")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/documents/my-work/")
    main = page.locator("main").inner_text()
    assert "1 văn bản đang chờ bạn xử lý: 0 quá hạn, 0 sắp đến hạn." in main
    assert "Về việc bảo tồn ruộng bậc thang Hoàng Su Phì" in main
    fits = page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth + 1"
    )
    assert fits, "the list is wider than a phone screen"

    page.get_by_role("link", name=document.number_symbol).click()
    page.get_by_role("textbox", name="Ý kiến xử lý").fill(
        "Đã khảo sát thực địa, đang dự thảo báo cáo."
    )
    page.get_by_label("Tiến độ (%)").fill("60")
    page.get_by_role("button", name="Ghi ý kiến").click()
    page.wait_for_load_state()
    assert "Đã ghi ý kiến xử lý." in page.locator("main").inner_text()

    page.goto(f"{live_server.url}/documents/incoming/{document.pk}/handling/")
    assert "Đã khảo sát thực địa" in page.locator("#handling").inner_text()
    page.get_by_role("link", name="Hoàn thành xử lý").click()
    page.get_by_label("Kết quả xử lý").fill("Đã báo cáo UBND tỉnh.")
    page.get_by_role("button", name="Hoàn thành xử lý").click()
    page.wait_for_load_state()

    document = IncomingDocument.objects.get(pk=document.pk)
    assert document.status == IncomingStatus.COMPLETED
    assert document.closing_note == "Đã báo cáo UBND tỉnh."
    page.goto(f"{live_server.url}/documents/incoming/{document.pk}/handling/")
    panel = page.locator("#handling").inner_text()
    assert "Đúng hạn" in panel
    assert page.outside_requests == []
