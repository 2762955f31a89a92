"""In a browser at phone width: the sender's clerk dispatches an issued
document, and the recipient's clerk finds it in the inbox, checks it and
registers it; nothing overflows the screen and nothing is fetched from outside.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import factories
from tests.browser.conftest import CHROMIUM_ARGS, _chromium
from tests.documents.test_exchange_support import issue, seal_for, sender_clerk
from tinhso.accounts.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# Set to a folder to keep screenshots of each step (for looking at the pages).
SHOTS = os.environ.get("TINHSO_EXCHANGE_SHOTS", "")


@pytest.fixture
def chromium() -> Iterator[Any]:
    """Asked for once the data is made: Playwright's sync API keeps an event
    loop in this thread, where signing (asyncio.run) could not run after."""
    executable = _chromium()
    if executable is None:
        if os.environ.get("TINHSO_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (TINHSO_REQUIRE_BROWSER=1).")
        pytest.skip("Chromium is not installed (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


def _phone(chromium: Any, live_server: Any) -> tuple[Any, Any, list[str]]:
    context = chromium.new_context(locale="vi-VN", viewport=PHONE)
    outside: list[str] = []
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(live_server.url)
            or route.request.url.startswith("data:")
            else (outside.append(route.request.url), route.abort())
        ),
    )
    return context, context.new_page(), outside


def _login(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{live_server.url}/")


def _fits(page: Any, step: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{step}.png", full_page=True)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{step}: the page is {overflow}px wider than the screen"


def test_dispatch_and_register_at_phone_width(
    request, live_server, agency, other_agency, signer, certificate
) -> None:  # type: ignore[no-untyped-def]
    sender = sender_clerk(other_agency)
    document = issue(
        agency=other_agency,
        clerk=sender,
        signer=signer,
        certificate=certificate,
        seal=seal_for(other_agency),
        attachments=1,
    )
    factories.official(
        unit=agency, role=Role.CLERK, username="vanthu.snn", full_name="Lý Thị Mai"
    )

    chromium = request.getfixturevalue("chromium")
    context, page, outside = _phone(chromium, live_server)
    _login(page, live_server, sender.username)
    page.goto(f"{live_server.url}/documents/outgoing/{document.pk}/dispatch/")
    _fits(page, "1-dispatch-form")
    page.get_by_label(agency.name).check()
    page.get_by_role("button", name="Gửi văn bản").click()
    page.wait_for_url(f"**/documents/outgoing/{document.pk}/dispatches/")
    assert "Đã gửi văn bản 12/QĐ-STC tới 1 nơi nhận." in page.inner_text("main")
    assert "Đã đến" in page.inner_text("main")
    _fits(page, "2-dispatches")
    context.close()

    context, page, outside_too = _phone(chromium, live_server)
    _login(page, live_server, "vanthu.snn")
    page.goto(f"{live_server.url}/documents/inbox/")
    _fits(page, "3-inbox")
    page.get_by_role("link", name="12/QĐ-STC").click()
    page.wait_for_url("**/documents/inbox/*/")
    main = page.inner_text("main")
    assert document.subject in main
    assert "Hợp lệ" in main
    _fits(page, "4-inbound")
    page.get_by_role("button", name="Vào sổ văn bản đến").click()
    page.wait_for_load_state()
    assert "Đã vào sổ văn bản đến, số đến 1/" in page.inner_text("main")
    _fits(page, "5-registered")
    context.close()
    assert outside == [] and outside_too == []
