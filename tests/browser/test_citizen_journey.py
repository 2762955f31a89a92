"""The citizen's journey from search to result in a browser with JavaScript
turned off: find the procedure without diacritics, sign in, submit with
files, pay by the bank's notification, answer a supplement request,
download the signed result, rate the service; two units process it, and
the public statistics count it as online and on time."""

import io
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from django.db import connection

import pytest

from tests import factories
from tests.documents.conftest import make_pdf
from tests.dossiers.test_online import PNG
from tests.dossiers.test_processing import Office
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.services import dossiers as services
from tinhso.dossiers.services import online, payments
from tinhso.pki import services as pki
from tinhso.pki import signing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _off_the_loop[T](function: Callable[..., T], *args: Any) -> T:
    """Run ``function`` in a thread of its own: signing runs an asyncio loop,
    which cannot start inside Playwright's."""

    def call() -> T:
        try:
            return function(*args)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def test_a_citizen_applies_pays_supplements_and_downloads_the_result(
    browser: Any, live_server: Any, tmp_path: Path, settings: Any
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }
    province = factories.province()
    office = Office(province, fee=8000)
    _off_the_loop(pki.create_demo_root)
    _off_the_loop(pki.issue_demo_certificate, office.commune)
    citizen = factories.citizen()
    form_pdf, photo = tmp_path / "to-khai.pdf", tmp_path / "chung-sinh.png"
    form_pdf.write_bytes(make_pdf("To khai dang ky khai sinh"))
    photo.write_bytes(PNG)

    context = browser.new_context(java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    url = live_server.url
    page.goto(f"{url}/dvc/thu-tuc/?q=dang+ky+khai+sinh")
    page.get_by_role("link", name="Đăng ký khai sinh").first.click()
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    # Not signed in: the login page, then back to the form.
    page.locator("input[name=username]").fill(citizen.username)
    page.locator("input[name=password]").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    assert "/nop/" in page.url
    page.locator("#id_place").select_option(str(office.commune.pk))
    page.locator("#doc_1").set_input_files(str(form_pdf))
    page.locator("#doc_2").set_input_files(str(photo))
    page.get_by_role("button", name="Gửi hồ sơ").click()
    assert "/dvc/ca-nhan/" in page.url
    assert page.locator("text=Mới đăng ký").count() == 1
    assert page.locator(".vietqr svg").count() == 1
    dossier = Dossier.objects.get()

    # The bank tells the platform the transfer arrived.
    body = json.dumps(
        {
            "transaction_id": "FT26336000001",
            "amount": 8000,
            "description": f"NGUYEN THI MAI HUONG {dossier.payment.reference}",
            "credited_at": "2026-12-02T09:00:00+07:00",
            "account": "9704050000000",
        }
    ).encode()
    answer = page.request.post(
        f"{url}/api/v1/dossiers/payments/notifications",
        data=body,
        headers={
            "Content-Type": "application/json",
            payments.SIGNATURE_HEADER: payments.sign(body),
        },
    )
    assert answer.json()["outcome"] == "paid"

    # The commune's one-stop officer accepts it, the specialist asks for more.
    online.accept_online(dossier, office.desk)
    dossier = services.hand_over(dossier, office.desk, office.clerk)
    services.request_supplement(dossier, office.clerk, "Ảnh giấy chứng sinh rõ hơn")
    page.reload()
    assert page.locator("text=Ảnh giấy chứng sinh rõ hơn").count() == 1
    assert page.locator("text=Đã nộp 8.000 đồng").count() == 1
    page.locator("#id_files").set_input_files(str(photo))
    page.get_by_role("button", name="Gửi bổ sung").click()
    assert page.locator("text=Đã gửi giấy tờ bổ sung").count() == 1

    # The ward police (another unit) and the chairman finish it; the result
    # is sealed by the commune and returned.
    dossier.refresh_from_db()
    dossier = services.hand_over(dossier, office.clerk, office.police)
    dossier = services.hand_over(dossier, office.police, office.chair)
    upload = online.Upload("giay-khai-sinh.pdf", io.BytesIO(make_pdf("GIAY KHAI SINH")))
    _off_the_loop(online.attach_result, dossier, office.chair, upload)
    dossier = services.hand_over(dossier, office.chair, office.desk)
    services.return_result(dossier, office.desk)

    page.reload()
    assert page.locator("text=Đã trả kết quả").count() >= 1
    link = page.get_by_role("link", name="Tải kết quả điện tử (PDF)")
    result = page.request.get(url + link.get_attribute("href"))
    assert result.headers["content-type"] == "application/pdf"
    checks = _off_the_loop(signing.verify_pdf, result.body())
    assert checks and checks[0].ok
    page.get_by_label("Hài lòng", exact=True).check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    assert page.locator("text=Cảm ơn ông/bà đã đánh giá").count() == 1

    # The public statistics count it: received online, resolved on time,
    # paid online, the applicant satisfied.
    page.goto(f"{url}/dvc/thong-ke/?unit={office.commune.pk}&by=procedure")
    total = page.locator("tfoot tr").inner_text().split("\t")
    assert total[:7] == ["Tổng cộng", "1", "1", "0", "1", "1", "0"]
    assert total[-4:] == ["100,0", "100,0", "100,0", "100,0"]
    context.close()
