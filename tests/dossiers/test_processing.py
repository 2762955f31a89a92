"""Processing along the procedure's steps: hand-overs between people and
agencies, each a line of the control sheet; the handler's queue by time
left; the result returned."""

import datetime as dt
import io
from decimal import Decimal

from django.test import Client
from django.utils import timezone

import pytest
from pypdf import PdfReader

from tests import factories
from tests.dossiers.conftest import birth
from tests.dossiers.test_catalog_pages import signed_in, text
from tests.dossiers.test_receive import at, person
from tinhso.accounts import services as accounts
from tinhso.accounts.models import Role, User
from tinhso.core.errors import DomainError, Forbidden
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.dossiers.constants import DurationUnit
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.printing import control_sheet_pdf
from tinhso.dossiers.selectors import dossiers as selectors
from tinhso.dossiers.services import catalog
from tinhso.dossiers.services import dossiers as services

pytestmark = pytest.mark.django_db


class Office:
    """A commune's one-stop officer, specialist and chairman, and the
    commune police officer an inter-agency step goes to."""

    def __init__(self, province: OrgUnit, *, fee: int = 0) -> None:
        self.commune = factories.orgunit(
            kind=OrgUnitKind.COMMUNE,
            name="Phường Hà Giang 1",
            code="00694",
            parent=province,
        )
        police = factories.orgunit(
            kind=OrgUnitKind.AGENCY, name="Công an phường Hà Giang 1", parent=province
        )
        self.desk = factories.official(
            unit=self.commune, role=Role.ONE_STOP_OFFICER, full_name="Ma Thị Hoa"
        )
        self.clerk = factories.official(
            unit=self.commune, role=Role.SPECIALIST, full_name="Hoàng Văn Tư"
        )
        self.chair = factories.official(
            unit=self.commune, role=Role.LEADER, full_name="Vàng Mí Dính"
        )
        self.police = factories.official(
            unit=police, role=Role.SPECIALIST, full_name="Lục Văn Cường"
        )
        steps = [
            ("Tiếp nhận hồ sơ", "Bộ phận Một cửa", "one_stop_officer"),
            ("Thẩm định hồ sơ", "Công chức Tư pháp - Hộ tịch", "specialist"),
            ("Phối hợp đăng ký thường trú", "Công an phường", "specialist", True),
            ("Ký kết quả", "Lãnh đạo Ủy ban nhân dân", "leader"),
            ("Trả kết quả", "Bộ phận Một cửa", "one_stop_officer"),
        ]
        spec = birth(
            processing_days=Decimal("2.5"),
            fees=[catalog.FeeSpec("charge", "Lệ phí đăng ký khai sinh", fee)],
            steps=[
                catalog.StepSpec(
                    step[0],
                    step[1],
                    step[2],
                    Decimal("0.5"),
                    DurationUnit.DAYS,
                    inter_agency=len(step) > 3,
                )
                for step in steps
            ],
        )
        self.procedure = catalog.save_procedure(spec)[0]

    def receive(self, when: str = "2026-03-02 09:00") -> Dossier:
        return services.receive_at_counter(
            self.desk,
            self.procedure,
            self.commune,
            person(),
            [1, 2],
            received_at=at(when),
        )


@pytest.fixture
def office(province: OrgUnit) -> Office:
    return Office(province)


def test_a_dossier_goes_step_by_step_to_its_result(office: Office) -> None:
    dossier = office.receive()
    assert (dossier.step, dossier.handler) == (1, office.desk)
    dossier = services.hand_over(
        dossier, office.desk, office.clerk, note="Đủ giấy tờ", at=at("2026-03-02 09:30")
    )
    assert (dossier.status, dossier.step, dossier.handler) == ("4", 2, office.clerk)
    # Checked with the ward police (liên thông), then signed.
    dossier = services.hand_over(
        dossier, office.clerk, office.police, at=at("2026-03-03 10:00")
    )
    dossier = services.hand_over(
        dossier, office.police, office.chair, at=at("2026-03-04 10:00")
    )
    assert dossier.status == "4"
    dossier = services.hand_over(
        dossier, office.chair, office.desk, at=at("2026-03-05 08:00")
    )
    assert dossier.status == "9" and dossier.finished_at == at("2026-03-05 08:00")
    dossier = services.return_result(dossier, office.desk, at=at("2026-03-05 09:00"))
    assert dossier.status == "10" and dossier.handler is None
    lines = selectors.handovers_of(dossier)
    assert [(h.step, h.giver, h.receiver) for h in lines] == [
        (1, office.desk, office.clerk),
        (2, office.clerk, office.police),
        (3, office.police, office.chair),
        (4, office.chair, office.desk),
        (5, office.desk, None),
    ]
    # Due Wednesday 4 March at 13:30: the last two came late.
    assert timezone.localtime(dossier.appointment_at) == at("2026-03-04 13:30")
    assert [h.on_time for h in lines] == [True, True, True, False, False]


def test_the_control_sheet_reads_each_hand_over(office: Office) -> None:
    dossier = office.receive()
    services.hand_over(
        dossier, office.desk, office.clerk, note="Đủ giấy tờ", at=at("2026-03-02 09:30")
    )
    services.hand_over(dossier, office.clerk, office.police, at=at("2026-03-04 07:00"))
    reader = PdfReader(
        io.BytesIO(control_sheet_pdf(dossier, selectors.handovers_of(dossier)))
    )
    page = " ".join(reader.pages[0].extract_text().split())
    for line in (
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        f"Mã hồ sơ: {dossier.code}",
        "Cơ quan phối hợp giải quyết hồ sơ: Công an phường Hà Giang 1",
        "1. Tiếp nhận hồ sơ Giao: Ma Thị Hoa",
        "Nhận: Hoàng Văn Tư",
        "09 giờ 30 phút, ngày 02/03/2026",
        "Trước hạn",
        "Đúng hạn",
        "Đủ giấy tờ",
    ):
        assert line in page, line


def test_only_the_holder_hands_over_and_only_to_the_next_role(office: Office) -> None:
    dossier = office.receive()
    with pytest.raises(Forbidden):
        services.hand_over(dossier, office.clerk, office.chair)
    with pytest.raises(
        DomainError, match="Thẩm định hồ sơ” do chuyên viên của Phường Hà Giang 1"
    ):
        services.hand_over(dossier, office.desk, office.chair)
    # Nor to a specialist of another agency, for a step of the commune's own.
    with pytest.raises(DomainError, match="Lục Văn Cường không giữ vai trò này ở đó"):
        services.hand_over(dossier, office.desk, office.police)
    with pytest.raises(DomainError, match="chưa xử lý xong"):
        services.return_result(dossier, office.desk)
    dossier = services.hand_over(dossier, office.desk, office.clerk)
    assert selectors.handovers_of(dossier)[0].receiver == office.clerk


def test_whoever_a_dossier_was_handed_to_sees_it(office: Office) -> None:
    dossier = office.receive()
    with pytest.raises(DomainError):
        selectors.get_dossier_for(office.police, dossier.code)
    assert not selectors.visible_dossiers(office.police).exists()
    services.hand_over(dossier, office.desk, office.clerk)
    services.hand_over(dossier, office.clerk, office.police)
    assert selectors.get_dossier_for(office.police, dossier.code) == dossier
    # Handed on again, it stays in sight of whoever held it.
    services.hand_over(dossier, office.police, office.chair)
    assert selectors.get_dossier_for(office.police, dossier.code) == dossier
    assert list(selectors.visible_dossiers(office.police)) == [dossier]


def test_the_queue_shows_time_left_soonest_first(office: Office) -> None:
    now = timezone.localtime()
    late = office.receive((now - dt.timedelta(days=20)).strftime("%Y-%m-%d %H:%M"))
    fresh = office.receive(now.strftime("%Y-%m-%d %H:%M"))
    queue = selectors.queue_of(office.desk)
    assert [d.code for d in queue] == [late.code, fresh.code]
    assert queue[0].time_left == "overdue"  # type: ignore[attr-defined]
    # Received now, due in two and a half working days: more than a day left.
    assert queue[1].time_left == "on_track"  # type: ignore[attr-defined]
    assert selectors.queue_of(office.clerk) == []


def test_the_pages_hand_over_queue_and_print(office: Office) -> None:
    dossier = office.receive()
    desk = signed_in(office.desk)
    html = desk.get(f"/dvc/ho-so/{dossier.code}/").content.decode()
    # The tab says which dossier, and nothing but that.
    title = html[html.index("<title>") : html.index("</title>")]
    assert title.startswith(f"<title>Hồ sơ {dossier.code}") and "<" not in title[7:]
    page = text(desk.get(f"/dvc/ho-so/{dossier.code}/"))
    assert "Chuyển tiếp: Thẩm định hồ sơ" in page and "Hoàng Văn Tư" in page
    nobody = desk.post(f"/dvc/ho-so/{dossier.code}/chuyen/", {"receiver": ""})
    assert nobody.status_code == 400 and "Chọn người nhận hồ sơ." in text(nobody)
    done = desk.post(
        f"/dvc/ho-so/{dossier.code}/chuyen/",
        {"receiver": office.clerk.username, "note": "Đủ giấy tờ"},
        follow=True,
    )
    assert "Đã chuyển hồ sơ cho Hoàng Văn Tư." in text(done)
    clerk = signed_in(office.clerk)
    queue = text(clerk.get("/dvc/ho-so/cua-toi/"))
    assert dossier.code in queue and "1 hồ sơ, hạn gần nhất trước." in queue
    # Another agency's officer, named by user name.
    across = clerk.post(
        f"/dvc/ho-so/{dossier.code}/chuyen/",
        {"receiver_username": office.police.username},
        follow=True,
    )
    assert "Chuyển tiếp" not in text(
        signed_in(office.desk).get(f"/dvc/ho-so/{dossier.code}/")
    )
    assert "Đã chuyển hồ sơ cho Lục Văn Cường." in text(across)
    sheet = clerk.get(f"/dvc/ho-so/{dossier.code}/phieu-kiem-soat.pdf")
    assert sheet["Content-Type"] == "application/pdf" and sheet.content.startswith(
        b"%PDF"
    )
    assert desk.post(f"/dvc/ho-so/{dossier.code}/chuyen/", {}).status_code == 403


def test_processing_through_the_api(office: Office, client: Client) -> None:
    dossier = office.receive()

    def auth(user: User) -> dict[str, str]:
        return {"authorization": f"Bearer {accounts.issue_token(user, 'một cửa')[1]}"}

    base = f"/api/v1/dossiers/dossiers/{dossier.code}"
    moved = client.post(
        f"{base}/handover",
        {"receiver": office.clerk.username, "note": "Đủ giấy tờ"},
        content_type="application/json",
        headers=auth(office.desk),
    )
    assert moved.status_code == 200 and moved.json()["status"] == "4"
    queue = client.get("/api/v1/dossiers/queue", headers=auth(office.clerk)).json()
    assert [d["code"] for d in queue] == [dossier.code]
    # Received on 2 March 2026 and due on the 4th: long overdue by now.
    assert queue[0]["time_left"] == "overdue"
    refused = client.post(
        f"{base}/return",
        {},
        content_type="application/json",
        headers=auth(office.clerk),
    )
    assert (
        refused.status_code == 400 and refused.json()["code"] == "dossier_not_processed"
    )
    unknown = client.post(
        f"{base}/handover",
        {"receiver": "khongcoai"},
        content_type="application/json",
        headers=auth(office.clerk),
    )
    assert unknown.status_code == 404 and unknown.json()["code"] == "receiver_not_found"


def test_steps_in_use_by_open_dossiers_stay_as_they_are(office: Office) -> None:
    dossier = office.receive()
    spec = birth(
        processing_days=Decimal("2.5"),
        steps=[
            catalog.StepSpec(
                s.name,
                s.unit_label,
                s.role,
                s.duration,
                s.duration_unit,
                inter_agency=s.inter_agency,
            )
            for s in office.procedure.steps.all()
        ],
    )
    # Renaming the procedure is fine; changing its steps is not, for now.
    catalog.save_procedure(spec)
    fewer = birth(
        processing_days=Decimal("2.5"),
        steps=[
            *spec.steps[:1],
            catalog.StepSpec(
                "Giải quyết",
                "Một cửa",
                "one_stop_officer",
                Decimal(2),
                DurationUnit.DAYS,
            ),
        ],
    )
    with pytest.raises(DomainError, match="còn 1 hồ sơ đang giải quyết"):
        catalog.save_procedure(fewer)
    assert office.procedure.steps.count() == 5
    services.hand_over(dossier, office.desk, office.clerk)
