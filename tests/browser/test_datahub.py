"""A data officer publishes a service and a dataset in the browser, a
client system calls the service through the gateway with a token, the
call shows in the verified access log, and the dataset is on the portal."""

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import factories
from tinhso.accounts.models import Role
from tinhso.core import services as core
from tinhso.core.models import OrgUnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_service_and_a_dataset_are_published_and_used(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    province = factories.province()
    science = factories.orgunit(
        name="Sở Khoa học và Công nghệ tỉnh Tuyên Quang", parent=province
    )
    core.create_orgunit(
        kind=OrgUnitKind.COMMUNE,
        code="00694",
        name="Phường Hà Giang 1",
        parent=province,
    )
    factories.official(
        unit=science,
        role=Role.DATA_OFFICER,
        username="dulieu",
        full_name="Phạm Quốc Khánh",
    )
    url = live_server.url
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("dulieu")
    page.get_by_label("Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{url}/")

    # A service over the org tree, published.
    page.get_by_role("navigation", name="Chức năng").get_by_role(
        "link", name="Chia sẻ dữ liệu"
    ).click()
    page.get_by_label("Mã dịch vụ").fill("danh-muc-don-vi")
    page.get_by_label("Tên dịch vụ").fill("Danh mục đơn vị hành chính")
    page.get_by_label("Nguồn dữ liệu").select_option("orgunits")
    page.get_by_label("Phân loại").select_option("public")
    page.get_by_role("button", name="Tạo dịch vụ (bản nháp)").click()
    assert "Đã tạo dịch vụ" in page.locator(".messages").inner_text()
    page.get_by_role("button", name="Công bố dịch vụ").click()
    assert "Dịch vụ đã được công bố." in page.locator(".messages").inner_text()

    # A client system with a key, shown once.
    page.get_by_role("link", name="Hệ thống khai thác").click()
    page.get_by_label("Mã hệ thống").fill("ioc-tinh")
    page.get_by_label("Tên hệ thống").fill("Trung tâm điều hành thông minh")
    page.get_by_role("button", name="Đăng ký").click()
    page.get_by_role("button", name="Cấp khóa mới").click()
    secret = page.locator("#new-key").inner_text().strip()
    assert secret.startswith("tsk_")
    page.goto(f"{url}/du-lieu/he-thong/ioc-tinh/")
    assert page.locator("#new-key").count() == 0

    # The grant, from the service's page.
    page.goto(f"{url}/du-lieu/dich-vu/danh-muc-don-vi/")
    page.get_by_label("Hệ thống được cấp quyền").select_option(
        label="Trung tâm điều hành thông minh (ioc-tinh)"
    )
    page.get_by_label("Mục đích, căn cứ khai thác").fill(
        "Bảng điều hành của lãnh đạo tỉnh"
    )
    page.get_by_role("button", name="Cấp quyền").click()
    assert "Đã cấp quyền khai thác" in page.locator(".messages").inner_text()

    # The client system calls through the gateway with a token.
    token = httpx.post(
        f"{url}/api/v1/datahub/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=("ioc-tinh", secret),
    ).json()["access_token"]
    answer = httpx.get(
        f"{url}/api/v1/datahub/gateway/danh-muc-don-vi",
        params={"kind": "commune"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200
    assert [u["name"] for u in answer.json()["items"]] == ["Phường Hà Giang 1"]

    # The owner sees the call in the verified log.
    page.get_by_role("link", name="Khai thác, nhật ký").click()
    log = page.locator("main").inner_text()
    assert "ioc-tinh" in log
    assert "kind=commune" in log
    page.get_by_role("link", name="Kiểm tra toàn vẹn nhật ký").click()
    assert "Nhật ký toàn vẹn" in page.locator("main").inner_text()

    # A dataset from an uploaded table, published on the portal.
    page.get_by_role("link", name="Bộ dữ liệu mở", exact=True).click()
    page.get_by_label("Tên bộ dữ liệu").fill("Danh sách trường học")
    page.get_by_label("Mô tả").fill("Trường phổ thông công lập và số học sinh.")
    page.get_by_label("Chủ đề").select_option("EDUC")
    page.get_by_label("Tần suất cập nhật").select_option("ANNUAL")
    page.get_by_role("button", name="Tạo bộ dữ liệu (bản nháp)").click()
    bad = tmp_path / "loi.csv"
    bad.write_text("ten,so\nA,1,thua\n", encoding="utf-8")
    page.get_by_label("Tệp dữ liệu (CSV, XLSX, JSON)").set_input_files(str(bad))
    page.get_by_role("button", name="Kiểm tra và tải lên").click()
    assert "Dòng 2 có 3 ô" in page.locator("main").inner_text()
    good = tmp_path / "truong-hoc.csv"
    good.write_text(
        "ma_truong,ten_truong,so_hoc_sinh\n00012,Trường THPT Chuyên Hà Giang,1250\n",
        encoding="utf-8",
    )
    page.get_by_label("Tệp dữ liệu (CSV, XLSX, JSON)").set_input_files(str(good))
    page.get_by_role("button", name="Kiểm tra và tải lên").click()
    assert "1 dòng, 3 cột" in page.locator(".messages").inner_text()
    page.get_by_role("button", name="Công bố").click()

    page.goto(f"{url}/du-lieu-mo/?q=truong hoc")
    page.get_by_role("link", name="Danh sách trường học").click()
    page.get_by_role("link", name="Xem trước").click()
    assert page.get_by_role("cell", name="Trường THPT Chuyên Hà Giang").count() == 1
    assert page.outside_requests == []
