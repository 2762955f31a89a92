"""Receiving a dossier at the counter: its code, its appointment on the
working-day calendar, the papers, the receipt PDF; who sees it."""

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.test import Client
from django.utils import timezone

import pytest
from pypdf import PdfReader

from tests import factories
from tests.dossiers.conftest import birth, record_check
from tinhso.accounts import services as accounts
from tinhso.accounts.models import Role, User
from tinhso.core.calendar import WorkingCalendar
from tinhso.core.errors import DomainError, Forbidden
from tinhso.core.models import AuditEntry, CalendarDayKind, OrgUnit, OrgUnitKind
from tinhso.dossiers.models import Dossier, Procedure
from tinhso.dossiers.printing import receipt_pdf
from tinhso.dossiers.selectors import dossiers as selectors
from tinhso.dossiers.services import catalog
from tinhso.dossiers.services import dossiers as services
from tinhso.dossiers.services.deadlines import appointment


def at(text: str) -> dt.datetime:
    """A Vietnam time, "2026-02-13 14:21"."""
    return timezone.make_aware(dt.datetime.fromisoformat(text))


def due(received: str, days: str, **off: str) -> str:
    calendar = WorkingCalendar(
        {dt.date.fromisoformat(d): CalendarDayKind.DAY_OFF for d in off.values()}
    )
    result = appointment(at(received), Decimal(days), calendar)
    return timezone.localtime(result).strftime("%a %Y-%m-%d %H:%M")


def test_appointments_count_half_days_on_working_days() -> None:
    # Monday 2 March 2026.
    assert due("2026-03-02 09:00", "0.5") == "Mon 2026-03-02 13:30"
    assert due("2026-03-02 14:00", "0.5") == "Tue 2026-03-03 07:30"
    assert due("2026-03-02 09:00", "1") == "Tue 2026-03-03 07:30"
    assert due("2026-03-02 09:00", "3") == "Thu 2026-03-05 07:30"
    # A Friday morning and a weekend in between.
    assert due("2026-03-06 08:00", "1") == "Mon 2026-03-09 07:30"
    # After the 15:00 cut-off, the clock starts the next working morning.
    assert due("2026-03-02 15:10", "0.5") == "Tue 2026-03-03 13:30"
    # Online on a Sunday: counted from Monday morning.
    assert due("2026-03-08 10:00", "1") == "Tue 2026-03-10 07:30"


def test_appointments_skip_the_lunar_new_year_and_days_off() -> None:
    # Tết 2026 is Monday 16 to Friday 20 February.
    assert due("2026-02-13 14:21", "1") == "Mon 2026-02-23 13:30"
    assert due("2026-02-12 09:00", "3") == "Tue 2026-02-24 07:30"
    # An administrator's day off on Tuesday 3 March pushes the result on.
    assert due("2026-03-02 09:00", "1", off="2026-03-03") == "Wed 2026-03-04 07:30"


def test_a_processing_time_must_be_whole_half_days() -> None:
    with pytest.raises(ValueError, match="half days"):
        appointment(at("2026-03-02 09:00"), Decimal("0.3"), WorkingCalendar({}))


@pytest.fixture
def commune(province: OrgUnit) -> OrgUnit:
    return factories.orgunit(
        kind=OrgUnitKind.COMMUNE,
        name="Phường Hà Giang 1",
        code="00694",
        parent=province,
    )


@pytest.fixture
def officer(commune: OrgUnit) -> User:
    return factories.official(
        unit=commune, role=Role.ONE_STOP_OFFICER, full_name="Ma Thị Hoa"
    )


@pytest.fixture
def procedure(db: None) -> Procedure:
    return catalog.save_procedure(birth())[0]


def person(**over: Any) -> services.Applicant:
    fields: dict[str, Any] = {
        "name": "Nguyễn Thị Mai Hương",
        "id_number": "008192004217",
        "phone": "0912 345 678",
        "address": "Tổ dân phố 2, phường Hà Giang 1",
    }
    fields.update(over)
    return services.Applicant(**fields)


def receive(
    officer: User, procedure: Procedure, unit: OrgUnit, when: str, **over: Any
) -> Dossier:
    return services.receive_at_counter(
        officer,
        procedure,
        unit,
        over.pop("applicant", person()),
        over.pop("documents", [1, 2]),
        received_at=at(when),
        **over,
    )


@pytest.mark.django_db
def test_a_dossier_gets_its_code_status_and_appointment(
    officer: User, procedure: Procedure, commune: OrgUnit, province: OrgUnit
) -> None:
    first = receive(officer, procedure, commune, "2026-02-13 09:05")
    second = receive(officer, procedure, commune, "2026-02-13 16:40")
    next_day = receive(officer, procedure, commune, "2026-02-23 08:00")
    assert [first.code, second.code, next_day.code] == [
        "00694-260213-0001",
        "00694-260213-0002",
        "00694-260223-0001",
    ]
    assert first.status == "2" and first.channel == "1"
    # One working day from the Friday before Tết: the Monday after it.
    assert timezone.localtime(first.appointment_at) == at("2026-02-23 07:30")
    # Received after 15:00, it counts from that Monday: due on Tuesday.
    assert timezone.localtime(second.appointment_at) == at("2026-02-24 07:30")
    assert second.applicant_phone == "0912345678"
    assert [d.name for d in first.documents.all()] == [
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
    ]
    # Another commune numbers its own dossiers from 1.
    other = factories.orgunit(
        kind=OrgUnitKind.COMMUNE, name="Xã Đồng Văn", code="00721", parent=province
    )
    clerk = factories.official(unit=other, role=Role.ONE_STOP_OFFICER)
    assert receive(clerk, procedure, other, "2026-02-13 10:00").code == (
        "00721-260213-0001"
    )
    assert AuditEntry.objects.filter(action="dossiers.dossier.received").count() == 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"documents": [1]}, "dossier_incomplete"),
        ({"documents": [1, 2, 7]}, "dossier_document_unknown"),
        ({"applicant": person(id_number="12345")}, "applicant_id_invalid"),
        ({"applicant": person(phone="912345678")}, "applicant_phone_invalid"),
        ({"applicant": person(name=" ")}, "applicant_name_required"),
    ],
)
def test_an_incomplete_or_wrong_dossier_is_refused_and_nothing_kept(
    officer: User,
    procedure: Procedure,
    commune: OrgUnit,
    over: dict[str, Any],
    code: str,
) -> None:
    with pytest.raises(DomainError) as caught:
        receive(officer, procedure, commune, "2026-03-02 09:00", **over)
    assert caught.value.code == code
    assert not Dossier.objects.exists()
    # The day's sequence was not used up by the refusal.
    assert receive(officer, procedure, commune, "2026-03-02 09:30").code.endswith(
        "-0001"
    )


@pytest.mark.django_db
def test_only_a_one_stop_officer_of_the_place_and_level_receives(
    officer: User, procedure: Procedure, commune: OrgUnit, justice: OrgUnit
) -> None:
    specialist = factories.official(unit=commune, role=Role.SPECIALIST)
    with pytest.raises(Forbidden):
        receive(specialist, procedure, commune, "2026-03-02 09:00")
    desk = factories.official(unit=justice, role=Role.ONE_STOP_OFFICER)
    with pytest.raises(DomainError, match="tiếp nhận tại xã"):
        receive(desk, procedure, justice, "2026-03-02 09:00")
    records = catalog.save_procedure(record_check(justice))[0]
    with pytest.raises(DomainError, match="tiếp nhận tại Sở Tư pháp"):
        receive(officer, records, commune, "2026-03-02 09:00", documents=[1])
    # Another department does not receive the Department of Justice's dossiers;
    # the province's public administration service centre does.
    building = factories.orgunit(
        kind=OrgUnitKind.AGENCY, name="Sở Xây dựng", parent=justice.parent
    )
    builder = factories.official(unit=building, role=Role.ONE_STOP_OFFICER)
    with pytest.raises(DomainError, match="Trung tâm Phục vụ hành chính công"):
        receive(builder, records, building, "2026-03-02 09:00", documents=[1])
    centre = factories.orgunit(
        kind=OrgUnitKind.AGENCY,
        name="Trung tâm Phục vụ hành chính công tỉnh Tuyên Quang",
        code="000.00.13.H58",
        parent=justice.parent,
    )
    counter = factories.official(unit=centre, role=Role.ONE_STOP_OFFICER)
    assert receive(
        counter, records, centre, "2026-03-02 09:00", documents=[1]
    ).code == ("000.00.13.H58-260302-0001")
    assert receive(desk, records, justice, "2026-03-02 09:00", documents=[1]).code == (
        "000.00.04.H58-260302-0001"
    )


@pytest.mark.django_db
def test_officers_see_their_units_dossiers_and_no_one_elses(
    officer: User, procedure: Procedure, commune: OrgUnit, province: OrgUnit
) -> None:
    dossier = receive(officer, procedure, commune, "2026-03-02 09:00")
    leader = factories.official(unit=commune, role=Role.LEADER)
    governor = factories.official(unit=province, role=Role.LEADER, subtree=True)
    other = factories.orgunit(
        kind=OrgUnitKind.COMMUNE, name="Xã Lũng Cú", parent=province
    )
    outsider = factories.official(unit=other, role=Role.ONE_STOP_OFFICER)
    citizen = factories.official()  # an account with no role here
    # Roles that do not work on dossiers see no applicant's personal data.
    clerk = factories.official(unit=commune, role=Role.CLERK)
    admin = factories.administrator(province)
    # One dossier by its code, and the lists, follow the same rule.
    for user in (officer, leader, governor):
        assert selectors.get_dossier_for(user, dossier.code) == dossier
        assert list(selectors.visible_dossiers(user)) == [dossier]
    for user in (outsider, citizen, clerk, admin):
        with pytest.raises(DomainError, match="Không tìm thấy hồ sơ"):
            selectors.get_dossier_for(user, dossier.code)
        assert not selectors.visible_dossiers(user).exists()


@pytest.mark.django_db
def test_the_api_list_pages_what_the_officer_sees_newest_first(
    officer: User, procedure: Procedure, commune: OrgUnit, province: OrgUnit
) -> None:
    made = [
        receive(officer, procedure, commune, f"2026-03-{day:02d} 09:00").code
        for day in (2, 3, 4, 5, 6, 9, 10)
    ]
    other = factories.orgunit(
        kind=OrgUnitKind.COMMUNE, name="Xã Lũng Cú", parent=province
    )
    outsider = factories.official(unit=other, role=Role.ONE_STOP_OFFICER)
    receive(outsider, procedure, other, "2026-03-11 09:00")
    governor = factories.official(unit=province, role=Role.LEADER, subtree=True)
    client = Client()
    auth = {"authorization": f"Bearer {accounts.issue_token(officer, 'a')[1]}"}

    def page(number: int, size: int = 3, **headers: str) -> dict[str, Any]:
        answer = client.get(
            "/api/v1/dossiers/dossiers",
            {"page": number, "page_size": size},
            headers=headers or auth,
        )
        assert answer.status_code == 200, answer.content
        return answer.json()

    first, last = page(1), page(3)
    assert [d["code"] for d in first["items"]] == made[::-1][:3]
    assert [d["code"] for d in last["items"]] == made[:1]
    assert (first["count"], first["count_capped"]) == (7, False)
    assert last["count"] == 7 and page(4)["items"] == []
    line = first["items"][0]
    assert line["agency"] == {
        "id": commune.pk,
        "code": commune.code,
        "name": commune.name,
    }
    assert line["status_label"] == "Đã tiếp nhận"
    assert line["received_at"].startswith("2026-03-10T02:00:00")  # 09:00 in Hà Nội
    # The province's leader sees the commune below and the other one too.
    theirs = {"authorization": f"Bearer {accounts.issue_token(governor, 'b')[1]}"}
    assert page(1, 20, **theirs)["count"] == 8


@pytest.mark.django_db
def test_the_receipt_reads_as_the_prescribed_form(
    officer: User, procedure: Procedure, commune: OrgUnit
) -> None:
    dossier = receive(officer, procedure, commune, "2026-02-13 14:21")
    reader = PdfReader(io.BytesIO(receipt_pdf(dossier)))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    for line in (
        "ỦY BAN NHÂN DÂN PHƯỜNG HÀ GIANG 1",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Hà Giang 1, ngày 13 tháng 02 năm 2026",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Mã hồ sơ: 00694-260213-0001",
        "Tiếp nhận hồ sơ của: Nguyễn Thị Mai Hương",
        "Nội dung yêu cầu giải quyết: Đăng ký khai sinh",
        "Tờ khai đăng ký khai sinh Bản chính 01",
        "Thời gian giải quyết hồ sơ theo quy định là: 1 ngày làm việc",
        "Thời gian nhận hồ sơ: 14 giờ 21 phút, ngày 13/02/2026",
        "Thời gian trả kết quả giải quyết hồ sơ: 13 giờ 30 phút, ngày 23/02/2026",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Ma Thị Hoa",
    ):
        assert line in text, line
