"""Refusing a dossier with its reasons, or recording that the applicant
took it back: the dossier closes, the applicant learns why."""

import io

from django.test import Client
from django.utils import timezone

import pytest
from pypdf import PdfReader

from tests.dossiers.test_catalog_pages import signed_in, text
from tests.dossiers.test_processing import Office
from tests.dossiers.test_receive import at
from tinhso.accounts import services as accounts
from tinhso.core.errors import DomainError
from tinhso.core.models import OrgUnit
from tinhso.dossiers.selectors import dossiers as selectors
from tinhso.dossiers.services import dossiers as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(province: OrgUnit) -> Office:
    return Office(province)


def test_refused_at_the_counter_or_later(office: Office) -> None:
    at_counter = office.receive()
    with pytest.raises(DomainError, match="Ghi rõ lý do"):
        services.refuse(at_counter, office.desk, " ")
    refused = services.refuse(
        at_counter, office.desk, "Không thuộc thẩm quyền của phường"
    )
    assert (refused.status, refused.handler) == ("3", None)
    later = office.receive()
    services.hand_over(later, office.desk, office.clerk)
    stopped = services.refuse(later, office.clerk, "Giấy chứng sinh không hợp lệ")
    assert stopped.status == "8" and stopped.finished_at is not None
    with pytest.raises(DomainError, match="Dừng xử lý”, không chuyển tiếp được"):
        services.hand_over(stopped, office.clerk, office.chair)
    assert selectors.queue_of(office.clerk) == []
    taken_back = services.withdraw(office.receive(), office.desk, "Người nộp xin rút")
    assert taken_back.status == "7"
    assert selectors.handovers_of(taken_back)[-1].step_name == "Người nộp rút hồ sơ"


def test_the_refusal_is_printed_and_seen_in_the_look_up(
    office: Office, client: Client
) -> None:
    dossier = office.receive()
    desk = signed_in(office.desk)
    done = desk.post(
        f"/dvc/ho-so/{dossier.code}/tu-choi/",
        {"reason": "Không thuộc thẩm quyền của phường"},
        follow=True,
    )
    page = text(done)
    assert "Đã từ chối hồ sơ" in page and "Hồ sơ bị từ chối" in page
    assert "Từ chối hoặc rút hồ sơ" not in page  # closed: nothing more to do
    pdf = desk.get(f"/dvc/ho-so/{dossier.code}/tu-choi.pdf")
    sheet = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ" in sheet
    assert "Không thuộc thẩm quyền của phường" in sheet and "Ma Thị Hoa" in sheet
    looked = text(
        client.post("/dvc/tra-cuu/", {"code": dossier.code, "contact": "0912345678"})
    )
    assert "Không được tiếp nhận" in looked
    token = accounts.issue_token(office.desk, "một cửa")[1]
    other = office.receive()
    withdrawn = client.post(
        f"/api/v1/dossiers/dossiers/{other.code}/withdraw",
        {"note": "Người nộp xin rút"},
        content_type="application/json",
        headers={"authorization": f"Bearer {token}"},
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "7"


def test_an_apology_promises_a_later_date_and_the_dossier_stays_late(
    office: Office, client: Client
) -> None:
    dossier = office.receive()  # due 4 March 2026, 13:30
    services.hand_over(dossier, office.desk, office.clerk, at=at("2026-03-02 10:00"))
    with pytest.raises(DomainError, match="sau hạn đã hẹn"):
        services.apologise(
            dossier,
            office.clerk,
            "Chờ xác minh",
            at("2026-03-04 07:30"),
            at=at("2026-03-03 09:00"),
        )
    with pytest.raises(DomainError, match="Ghi rõ lý do"):
        services.apologise(dossier, office.clerk, "", at("2026-03-09 07:30"))
    services.apologise(
        dossier,
        office.clerk,
        "Chờ kết quả xác minh của công an phường",
        at("2026-03-09 07:30"),
        at=at("2026-03-04 09:00"),
    )
    dossier.refresh_from_db()
    assert timezone.localtime(dossier.rescheduled_at) == at("2026-03-09 07:30")
    assert timezone.localtime(dossier.appointment_at) == at("2026-03-04 13:30")
    clerk = signed_in(office.clerk)
    pdf = clerk.get(f"/dvc/ho-so/{dossier.code}/xin-loi.pdf")
    sheet = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    for line in (
        "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "13 giờ 30 phút, ngày 04/03/2026",
        "Chờ kết quả xác minh của công an phường",
        "07 giờ 30 phút, ngày 09/03/2026",
        "Hoàng Văn Tư",
    ):
        assert line in sheet, line
    looked = text(
        client.post("/dvc/tra-cuu/", {"code": dossier.code, "contact": "0912345678"})
    )
    assert "Hẹn lại: 07:30 09/03/2026" in looked
    page = text(clerk.get(f"/dvc/ho-so/{dossier.code}/"))
    assert "Đã xin lỗi người nộp và hẹn lại trả kết quả lúc 07:30 09/03/2026." in page
