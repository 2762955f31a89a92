"""A leader opens the operations center: key indicators against target,
a new figure arriving by itself, a drill-down into a commune, and the
commune map shaded by another indicator; nothing loaded from elsewhere."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.reporting.conftest import indicator
from tinhso.accounts.models import Role
from tinhso.core.models import OrgUnitKind
from tinhso.reporting.constants import OverTime, Rollup
from tinhso.reporting.models import Target
from tinhso.reporting.services import catalog, facts
from tinhso.reporting.views import center

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_and_the_map(
    page: Any, live_server: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(center, "REFRESH_SECONDS", 1)
    province = factories.province()
    office = factories.orgunit(name="Văn phòng Ủy ban nhân dân tỉnh", parent=province)
    communes = [
        factories.orgunit(kind=OrgUnitKind.COMMUNE, name=name, parent=province)
        for name in ("Phường Hà Giang 1", "Xã Đồng Văn", "Xã Lũng Cú")
    ]
    admin = factories.administrator(province)
    factories.official(unit=office, role=Role.LEADER, username="lanhdao")
    share = indicator(
        admin,
        "xh.dinh_danh",
        name="Tỷ lệ kích hoạt định danh điện tử mức 2",
        rollup=Rollup.RATIO,
        over_time=OverTime.STOCK,
        key=True,
    )
    helped = indicator(admin, "xh.luot_ho_tro", name="Số lượt người dân được hỗ trợ")
    year = timezone.localdate().year
    catalog.set_target(
        admin,
        Target(
            indicator=share,
            unit=province,
            year=year,
            value=Decimal(80),
            direction="higher",
        ),
    )
    day = dt.date(year, 1, 14)
    facts.put_reported(share, communes[0].pk, day, 450, 500)
    facts.put_reported(share, communes[1].pk, day, 150, 500)
    facts.put_reported(helped, communes[2].pk, day, 120, None)
    catalog.draw_schematic(province)

    url = live_server.url
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("lanhdao")
    page.get_by_label("Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{url}/")
    page.get_by_role("navigation", name="Chức năng").get_by_role(
        "link", name="Điều hành"
    ).click()

    tile = page.locator(".tile").first
    assert "60,0%" in tile.inner_text()
    assert "Mục tiêu 80,0% · chưa đạt" in tile.inner_text()
    ranking = page.locator("table.ranking tbody tr")
    assert ranking.first.inner_text().split("\t")[:2] == ["1", "Phường Hà Giang 1"]

    # A new approved figure shows without reloading the page.
    facts.put_reported(share, communes[2].pk, day, 500, 500)
    page.wait_for_function(
        "document.querySelector('.tile .tile-value').textContent.includes('73,3%')",
        timeout=10_000,
    )

    # Drill into a commune.
    page.get_by_role("link", name="Xã Đồng Văn").first.click()
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Trung tâm điều hành — Xã Đồng Văn"
    )
    assert "30,0%" in page.locator(".tile").first.inner_text()
    page.get_by_role("navigation", name="Cấp đơn vị").get_by_role(
        "link", name="Tỉnh Tuyên Quang"
    ).click()

    # The big map, shaded by another indicator.
    page.get_by_role("link", name="Bản đồ").first.click()
    page.get_by_label("Chỉ tiêu xếp hạng, tô màu bản đồ").select_option(
        "xh.luot_ho_tro"
    )
    page.get_by_role("button", name="Xem").click()
    areas = page.locator("#map path")
    # Counted once the new page has loaded, not while it arrives.
    expect(areas).to_have_count(3)
    fills = {
        areas.nth(n).locator("title").text_content(): areas.nth(n).get_attribute("fill")
        for n in range(3)
    }
    assert fills["Xã Lũng Cú: 120 lượt"] != "#eeeeee"
    assert fills["Phường Hà Giang 1: —"] == "#eeeeee"
    assert "Sơ đồ minh họa" in page.locator("#map figcaption").inner_text()
    assert page.outside_requests == []
