"""A team member on a phone logs helping a resident activate a level-2
electronic identity; the commune's officer sees it on the team's page and
in the overview; nothing is loaded from outside the platform."""

from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.community.conftest import build
from tinhso.community.constants import HelpKind
from tinhso.community.models import Help

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, url: str, username: str, to: str) -> None:
    page.goto(f"{url}/accounts/login/?next={to}")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_a_member_logs_help_on_a_phone_and_the_commune_sees_it(
    browser: Any, live_server: Any
) -> None:
    place = build()
    url = live_server.url
    phone = browser.new_context(
        locale="vi-VN",
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    outside: list[str] = []
    phone.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(url)
            else (outside.append(route.request.url), route.abort())
        ),
    )
    page = phone.new_page()
    sign_in(page, url, place.helper_account.username, "/cong-dong/")
    expect(page.locator("h1", has_text="Ghi nhận hỗ trợ")).to_have_count(1)
    # Every choice is big enough for a thumb, and nothing overflows the screen.
    choice = page.get_by_label("Kích hoạt định danh điện tử mức 2")
    box = page.locator(".kind-choice").nth(1).bounding_box()
    assert box is not None and box["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # Sent without a name: told what is missing, nothing saved.
    choice.check()
    page.get_by_role("button", name="Ghi nhận").click()
    expect(page.locator(".has-error .errorlist")).to_have_count(1)
    assert not Help.objects.exists()
    page.get_by_label("Kích hoạt định danh điện tử mức 2").check()
    page.get_by_label("Hộ, người được hỗ trợ").fill("Hộ ông Vàng Seo Dìn")
    page.get_by_label("Số CCCD người được hỗ trợ").fill("002065001122")
    page.get_by_label("Số người").fill("2")
    page.get_by_role("button", name="Ghi nhận").click()
    expect(page.locator(".message-success")).to_have_count(1)
    assert page.locator("text=Hộ ông Vàng Seo Dìn").count() >= 1
    help_ = Help.objects.get()
    assert (help_.kind, help_.people, help_.village) == (
        HelpKind.EID_LEVEL_2,
        2,
        place.villages[0],
    )
    assert outside == []
    phone.close()

    desk = browser.new_context(locale="vi-VN")
    officer = desk.new_page()
    sign_in(officer, url, place.officer.username, f"/cong-dong/to/{place.team.pk}/")
    expect(officer.locator("td", has_text="Hộ ông Vàng Seo Dìn (2)")).to_have_count(1)
    officer.goto(f"{url}/cong-dong/tong-quan/")
    row = officer.locator("tr", has_text="Xã Quản Bạ")
    assert row.locator("td").nth(0).inner_text() == "1/3"
    desk.close()
