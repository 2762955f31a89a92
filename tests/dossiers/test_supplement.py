"""A supplement request stops the clock; the appointment moves on by the
working time the applicant took, across weekends and holidays alike."""

import io
from decimal import Decimal

from django.test import Client
from django.utils import timezone

import pytest
from pypdf import PdfReader

from tests.dossiers.test_catalog_pages import signed_in, text
from tests.dossiers.test_processing import Office
from tests.dossiers.test_receive import at
from tinhso.core.calendar import WorkingCalendar
from tinhso.core.errors import DomainError
from tinhso.core.models import OrgUnit
from tinhso.dossiers.selectors import dossiers as selectors
from tinhso.dossiers.services import dossiers as services
from tinhso.dossiers.services.deadlines import appointment, extended, paused_halves

pytestmark = pytest.mark.django_db


def test_a_pause_counts_working_half_days_only() -> None:
    calendar = WorkingCalendar({})
    # Friday 13 February 2026, afternoon, to Tuesday 24 February, morning:
    # Friday afternoon, then (Tết all week) Monday 23 both halves.
    assert paused_halves(at("2026-02-13 14:00"), at("2026-02-24 09:00"), calendar) == 3
    assert paused_halves(at("2026-03-02 09:00"), at("2026-03-02 10:00"), calendar) == 0
    due = appointment(at("2026-02-12 09:00"), Decimal(3), calendar)
    assert timezone.localtime(due) == at("2026-02-24 07:30")
    assert timezone.localtime(extended(due, 3, calendar)) == at("2026-02-25 13:30")


@pytest.fixture
def office(province: OrgUnit) -> Office:
    return Office(province)


def test_the_appointment_moves_on_by_the_pause_across_tet(office: Office) -> None:
    # Two and a half working days: Thursday afternoon, Friday, then after
    # Tết, Monday 23 February.
    dossier = office.receive("2026-02-12 09:00")
    assert timezone.localtime(dossier.appointment_at) == at("2026-02-23 13:30")
    services.hand_over(dossier, office.desk, office.clerk, at=at("2026-02-12 10:00"))
    supplement = services.request_supplement(
        dossier,
        office.clerk,
        "Bản sao giấy chứng nhận kết hôn của cha mẹ",
        at=at("2026-02-13 14:00"),
    )
    dossier.refresh_from_db()
    assert dossier.status == "5"
    with pytest.raises(DomainError, match="không chuyển tiếp được"):
        services.hand_over(dossier, office.clerk, office.police)
    dossier = services.receive_supplement(
        dossier, office.clerk, at=at("2026-02-24 09:00")
    )
    supplement.refresh_from_db()
    assert (supplement.paused_halves, dossier.status) == (3, "4")
    # Three working half days later than promised on the receipt.
    assert timezone.localtime(dossier.appointment_at) == at("2026-02-25 07:30")
    lines = selectors.handovers_of(dossier)
    assert [(h.step_name, h.giver, h.receiver) for h in lines][-2:] == [
        ("Yêu cầu bổ sung, hoàn thiện hồ sơ", office.clerk, None),
        ("Nhận hồ sơ bổ sung", None, office.clerk),
    ]
    with pytest.raises(DomainError, match="trạng thái"):
        services.receive_supplement(dossier, office.clerk)


def test_a_supplement_needs_its_reason_and_the_holder(office: Office) -> None:
    dossier = office.receive()
    with pytest.raises(DomainError, match="Ghi rõ giấy tờ"):
        services.request_supplement(dossier, office.desk, "  ")
    with pytest.raises(DomainError, match="Chỉ người đang giữ"):
        services.request_supplement(dossier, office.clerk, "Bản sao căn cước")
    dossier.refresh_from_db()
    assert dossier.status == "2" and not dossier.supplements.exists()


def test_the_applicant_reads_what_to_bring_and_the_officer_records_it(
    office: Office, client: Client
) -> None:
    dossier = office.receive()
    desk = signed_in(office.desk)
    asked = desk.post(
        f"/dvc/ho-so/{dossier.code}/bo-sung/",
        {"reason": "Bản sao giấy chứng nhận kết hôn của cha mẹ"},
        follow=True,
    )
    assert "Đã gửi yêu cầu bổ sung; thời hạn giải quyết tạm dừng." in text(asked)
    assert "Đang chờ bổ sung" in text(asked)
    looked = text(
        client.post("/dvc/tra-cuu/", {"code": dossier.code, "contact": "0912345678"})
    )
    assert "Yêu cầu bổ sung" in looked
    assert "Cần bổ sung Bản sao giấy chứng nhận kết hôn của cha mẹ" in looked
    pdf = desk.get(f"/dvc/ho-so/{dossier.code}/yeu-cau-bo-sung.pdf")
    page = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in page
    assert "Bản sao giấy chứng nhận kết hôn của cha mẹ" in page
    assert "NGƯỜI HƯỚNG DẪN" in page and "Ma Thị Hoa" in page
    back = desk.post(f"/dvc/ho-so/{dossier.code}/da-bo-sung/", follow=True)
    assert "Đã nhận hồ sơ bổ sung" in text(back)
    assert desk.get(f"/dvc/ho-so/{dossier.code}/yeu-cau-bo-sung.pdf").status_code == 404
    again = desk.post(f"/dvc/ho-so/{dossier.code}/da-bo-sung/", follow=True)
    assert "không làm được việc này" in text(again)


def test_supplements_through_the_api(office: Office, client: Client) -> None:
    from tinhso.accounts import services as accounts

    dossier = office.receive()
    auth = {
        "authorization": f"Bearer {accounts.issue_token(office.desk, 'một cửa')[1]}"
    }
    base = f"/api/v1/dossiers/dossiers/{dossier.code}"
    asked = client.post(
        f"{base}/supplement",
        {"reason": "Bản sao căn cước của mẹ"},
        content_type="application/json",
        headers=auth,
    )
    assert asked.status_code == 200 and asked.json()["status"] == "5"
    looked = client.post(
        "/api/v1/dossiers/lookup",
        {"code": dossier.code, "contact": "008192004217"},
        content_type="application/json",
    ).json()
    assert looked["supplement"] == "Bản sao căn cước của mẹ"
    back = client.post(
        f"{base}/supplement-received", {}, content_type="application/json", headers=auth
    )
    assert back.status_code == 200 and back.json()["status"] == "4"
