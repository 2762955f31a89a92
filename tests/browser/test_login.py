import time

import pyotp
import pytest

from tests import factories
from tinhso.accounts import services
from tinhso.accounts.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_clerk_logs_in_and_reaches_home(page, live_server) -> None:  # type: ignore[no-untyped-def]
    """A clerk signs in with the form and sees the home page with their role."""
    province = factories.province()
    agency = factories.orgunit(name="Sở Nội vụ", parent=province)
    factories.official(
        unit=agency, role=Role.CLERK, username="vanthu", full_name="Trần Thị Bình"
    )

    _login(page, live_server, "vanthu")

    page.wait_for_url(f"{live_server.url}/")
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Xin chào, Trần Thị Bình"
    )
    assert "Văn thư · Sở Nội vụ" in page.locator("main").inner_text()
    assert page.title().startswith("Trang chủ · Tỉnh Tuyên Quang")
    # Clerks get no administration entry in the navigation.
    nav = page.get_by_role("navigation", name="Chức năng").inner_text()
    assert "Người dùng" not in nav
    assert page.outside_requests == []


def test_administrator_needs_second_factor(page, live_server) -> None:  # type: ignore[no-untyped-def]
    """An administrator with an authenticator app enters its code after the password."""
    province = factories.province()
    admin = factories.administrator(
        province, username="quantri", full_name="Lê Văn Cường"
    )
    device = services.start_totp(admin)
    # Confirmed with the previous step so the sign-in code is a fresh one.
    services.confirm_totp(device, pyotp.TOTP(device.secret).at(int(time.time()) - 30))

    _login(page, live_server, "quantri")

    page.wait_for_url("**/accounts/login/code/")
    page.get_by_label("Mã xác thực 6 chữ số").fill("000000")
    page.get_by_role("button", name="Xác nhận").click()
    assert (
        page.get_by_role("alert").inner_text()
        == "Mã xác thực không đúng hoặc đã hết hạn."
    )

    page.get_by_label("Mã xác thực 6 chữ số").fill(pyotp.TOTP(device.secret).now())
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "Người dùng" in page.get_by_role("navigation", name="Chức năng").inner_text()
