"""A buyer on a phone finds a 4-star product without typing diacritics,
buys it as a guest, pays by the VietQR code on the page (a scanner reads
the code off the screen), the bank feed confirms it and the producer ships
it; nothing is loaded from outside the platform."""

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.market.conftest import build
from tinhso.market.models import Order
from tinhso.market.services import orders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_guest_buys_on_a_phone_pays_by_vietqr_and_the_producer_ships(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    market = build()
    url = live_server.url
    context = browser.new_context(
        locale="vi-VN",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    outside: list[str] = []
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(url)
            else (outside.append(route.request.url), route.abort())
        ),
    )
    page = context.new_page()
    page.goto(f"{url}/cho-ocop/")
    page.get_by_label("Tìm sản phẩm").fill("mat ong bac ha")
    page.get_by_role("checkbox", name="4 sao").check()
    page.get_by_role("button", name="Tìm").click()
    page.wait_for_url("**sao=4**")
    expect(page.locator(".product-card")).to_have_count(1)
    page.get_by_role("link", name="Mật ong bạc hà Mèo Vạc").click()
    expect(page.locator("text=OCOP 4 sao")).to_have_count(1)
    # The photo is served by the platform, resized.
    page.wait_for_function(
        "() => { const i = document.querySelector('.gallery img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    shown = page.locator(".gallery img").first
    assert shown.evaluate("img => img.naturalWidth") == 1200
    page.get_by_label("Số lượng").fill("2")
    page.get_by_role("button", name="Thêm vào giỏ").click()
    page.wait_for_url("**/gio-hang/")
    assert page.locator("text=900.000 đồng").count() >= 1
    page.get_by_role("button", name="Đặt hàng").click()

    page.get_by_label("Họ và tên người nhận").fill("Trần Thị Hoa")
    page.get_by_label("Số điện thoại").fill("0903456789")
    page.get_by_label("Xã, phường nhận hàng").select_option(str(market.communes[1].pk))
    page.get_by_label("Địa chỉ nhận hàng").fill("Số 5, tổ dân phố 2")
    assert page.get_by_label("Chuyển khoản bằng mã VietQR").is_checked()
    page.get_by_role("button", name="Xác nhận đặt hàng").click()
    page.wait_for_url("**/da-dat/")
    order = Order.objects.get()
    assert order.amount == 900_000 and order.buyer is None

    # A scanner reads the code off the screen: the producer's account, the
    # exact amount, the order's reference.
    if shutil.which("zbarimg") is None:
        pytest.skip("needs zbar-tools to scan the code")
    shot = tmp_path / "qr.png"
    page.locator(".vietqr svg").screenshot(path=str(shot))
    scanned = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(shot)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert scanned == orders.qr_text(order)
    assert "31410000451236" in scanned and "900000" in scanned

    body = json.dumps(
        {
            "transaction_id": "FT26338000001",
            "amount": 900_000,
            "description": f"TRAN THI HOA {order.reference}",
            "credited_at": "2026-12-04T09:00:00+07:00",
            "account": "31410000451236",
            "bank_bin": "970405",
        }
    ).encode()
    answer = page.request.post(
        f"{url}/api/v1/market/payments/notifications",
        data=body,
        headers={
            "Content-Type": "application/json",
            orders.SIGNATURE_HEADER: orders.sign(body),
        },
    )
    assert answer.json()["outcome"] == "paid"
    page.get_by_role("link", name="trang đơn hàng").click()
    expect(page.locator(".state", has_text="Đã thanh toán")).to_have_count(1)

    # The producer, signed in, hands it to the carrier.
    seller = browser.new_context(locale="vi-VN")
    desk = seller.new_page()
    desk.goto(f"{url}/accounts/login/?next=/cho-ocop/ban-hang/")
    desk.locator("input[name=username]").fill(market.sellers[0].username)
    desk.locator("input[name=password]").fill(factories.PASSWORD)
    desk.get_by_role("button", name="Đăng nhập").click()
    desk.wait_for_url("**/ban-hang/")
    desk.get_by_role("link", name=order.reference).click()
    desk.get_by_label("Ghi chú").fill("Viettel Post, vận đơn 1800123456")
    desk.get_by_role("button", name="Đã giao cho đơn vị vận chuyển").click()
    expect(desk.locator(".state", has_text="Đang giao")).to_have_count(1)
    seller.close()

    page.reload()
    expect(page.locator(".state", has_text="Đang giao")).to_have_count(1)
    assert page.locator("text=Viettel Post, vận đơn 1800123456").count() == 1
    assert outside == []
    context.close()
