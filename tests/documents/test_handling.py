"""Handling incoming documents: a leader assigns, handlers record opinions and
progress, pass work on down their own unit and close it; "my work" and the
backlog show what is late; a sender inside the platform gets status receipts."""

import datetime as dt
import itertools
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.utils import timezone

import pytest

from tests import factories
from tests.documents.conftest import make_pdf
from tinhso.accounts.models import Role, User
from tinhso.core import audit, calendar
from tinhso.core.errors import Conflict, DomainError, Forbidden
from tinhso.core.models import AuditEntry, OrgUnit, OrgUnitKind
from tinhso.documents.constants import (
    Channel,
    DispatchStatus,
    DocumentType,
    HandlingRole,
    HandlingStatus,
    InboundStatus,
    IncomingStatus,
    OutgoingStatus,
    Urgency,
)
from tinhso.documents.models import (
    Dispatch,
    Handling,
    InboundMessage,
    IncomingDocument,
    Opinion,
    OutgoingDocument,
    StatusReceipt,
)
from tinhso.documents.policies import handling as policies
from tinhso.documents.selectors import handling as selectors
from tinhso.documents.services import handling as services
from tinhso.documents.services import incoming as incoming_services

pytestmark = pytest.mark.django_db

AGENCY = "Sở Nông nghiệp và Môi trường"


@dataclass
class World:
    """One agency with two departments and their people, and an outsider."""

    agency: OrgUnit
    other_agency: OrgUnit
    crops: OrgUnit  # Phòng Trồng trọt
    planning: OrgUnit  # Phòng Kế hoạch - Tài chính
    clerk: User
    director: User  # leader of the agency
    crops_head: User  # leader of Phòng Trồng trọt
    an: User  # specialists of Phòng Trồng trọt
    binh: User
    cuong: User  # specialists of Phòng Kế hoạch - Tài chính
    dung: User
    outsider: User  # a specialist of Sở Tài chính
    other_leader: User  # leader of Sở Tài chính


def build_world(agency: OrgUnit, other_agency: OrgUnit, clerk: User) -> World:
    crops = factories.orgunit(
        kind=OrgUnitKind.DEPARTMENT, name="Phòng Trồng trọt", parent=agency
    )
    planning = factories.orgunit(
        kind=OrgUnitKind.DEPARTMENT, name="Phòng Kế hoạch - Tài chính", parent=agency
    )

    def person(unit: OrgUnit, role: str, name: str, username: str) -> User:
        return factories.official(
            unit=unit, role=role, full_name=name, username=username
        )

    return World(
        agency=agency,
        other_agency=other_agency,
        crops=crops,
        planning=planning,
        clerk=clerk,
        director=person(agency, Role.LEADER, "Hoàng Văn Giám", "giamdoc"),
        crops_head=person(crops, Role.LEADER, "Trần Thị Hoa", "truongphong"),
        an=person(crops, Role.SPECIALIST, "Phạm Văn An", "cvan"),
        binh=person(crops, Role.SPECIALIST, "Đỗ Thị Bình", "cvbinh"),
        cuong=person(planning, Role.SPECIALIST, "Vũ Văn Cường", "cvcuong"),
        dung=person(planning, Role.SPECIALIST, "Lê Thị Dung", "cvdung"),
        outsider=person(other_agency, Role.SPECIALIST, "Ngô Văn Ngoại", "ngoai"),
        other_leader=person(other_agency, Role.LEADER, "Nguyễn Văn Ân", "lanhdaostc"),
    )


_numbers = itertools.count(1)


def register(world: World, **over: Any) -> IncomingDocument:
    fields: dict[str, Any] = {
        "agency": world.agency,
        "clerk": world.clerk,
        "file": BytesIO(make_pdf()),
        "file_name": "12-qd-ubnd.pdf",
        "number_symbol": f"{next(_numbers)}/QĐ-UBND",
        "issued_date": timezone.localdate() - dt.timedelta(days=1),
        "issuer_name": "Ủy ban nhân dân tỉnh Tuyên Quang",
        "doc_type": DocumentType.DECISION,
        "subject": "Về việc phê duyệt kế hoạch chuyển đổi số năm 2026",
    }
    fields.update(over)
    return incoming_services.register_incoming(**fields)


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def working_days(days: int) -> dt.date:
    return calendar.add_working_days(timezone.localdate(), days)


def set_deadlines(document: IncomingDocument, day: dt.date) -> None:
    """Turn the clock forward: the deadlines given earlier now fall on ``day``.

    Services refuse a deadline in the past, so time passing is simulated on
    the rows.
    """
    IncomingDocument.objects.filter(pk=document.pk).update(deadline=day)
    Handling.objects.filter(document=document, deadline__isnull=False).update(
        deadline=day
    )


def row(document: IncomingDocument, handler: User | OrgUnit) -> Handling:
    if isinstance(handler, OrgUnit):
        return Handling.objects.get(document=document, unit=handler, status="open")
    return Handling.objects.get(document=document, user=handler, status="open")


def actions(document: IncomingDocument) -> list[str]:
    return list(
        AuditEntry.objects.filter(
            object_type="documents.incomingdocument", object_id=str(document.pk)
        )
        .exclude(action="documents.incoming.register")
        .values_list("action", flat=True)
    )


@pytest.fixture
def world(agency, other_agency, clerk) -> World:  # type: ignore[no-untyped-def]
    return build_world(agency, other_agency, clerk)


@pytest.fixture
def document(world: World) -> IncomingDocument:
    return register(world)


@pytest.fixture
def assigned(world: World, document: IncomingDocument) -> IncomingDocument:
    """Lead: Phòng Trồng trọt; co: Vũ Văn Cường; for information: Lê Thị Dung."""
    services.assign(
        document,
        world.director,
        lead=world.crops,
        co=[world.cuong],
        info=[world.dung],
        deadline=in_days(10),
        instruction="Phòng Trồng trọt chủ trì, tham mưu báo cáo UBND tỉnh.",
    )
    document.refresh_from_db()
    return document


# Assignment ----------------------------------------------------------------


def test_the_agency_leader_assigns_lead_co_and_info(
    world: World, document: IncomingDocument
) -> None:
    deadline = in_days(7)
    rows = services.assign(
        document,
        world.director,
        lead=world.an,
        co=[world.planning, world.binh],
        info=[world.crops],
        deadline=deadline,
        instruction="  Đồng chí An chủ trì, báo cáo trước hạn.  ",
    )

    document.refresh_from_db()
    assert document.status == IncomingStatus.ASSIGNED
    assert document.deadline == deadline
    assert [(r.role, r.user, r.unit) for r in rows] == [
        (HandlingRole.LEAD, world.an, None),
        (HandlingRole.CO, None, world.planning),
        (HandlingRole.CO, world.binh, None),
        (HandlingRole.INFO, None, world.crops),
    ]
    assert all(r.assigned_by == world.director for r in rows)
    assert all(r.instruction == "Đồng chí An chủ trì, báo cáo trước hạn." for r in rows)
    # Recipients for information have nothing to meet.
    assert [r.deadline for r in rows] == [deadline, deadline, deadline, None]
    assert actions(document) == [services.ACTION_ASSIGN]
    entry = AuditEntry.objects.get(action=services.ACTION_ASSIGN)
    assert entry.actor == world.director
    assert entry.detail["lead"] == f"user:{world.an.pk}"
    assert entry.detail["co"] == [f"unit:{world.planning.pk}", f"user:{world.binh.pk}"]
    assert audit.verify() is None


def test_a_leader_over_the_agency_subtree_may_assign(
    world: World, document: IncomingDocument, province: OrgUnit
) -> None:
    chair = factories.official(unit=province, role=Role.LEADER, subtree=True)
    services.assign(document, chair, lead=world.an)
    document.refresh_from_db()
    assert document.status == IncomingStatus.ASSIGNED


@pytest.mark.parametrize(
    "who", ["clerk", "crops_head", "an", "other_leader", "outsider"]
)
def test_only_a_leader_of_the_receiving_agency_assigns(
    world: World, document: IncomingDocument, who: str
) -> None:
    with pytest.raises(Forbidden) as caught:
        services.assign(document, getattr(world, who), lead=world.an)
    assert caught.value.message == (
        f"Chỉ lãnh đạo của {AGENCY} được phân công xử lý văn bản này."
    )
    document.refresh_from_db()
    assert document.status == IncomingStatus.REGISTERED
    assert not Handling.objects.exists()
    assert actions(document) == []


def test_exactly_one_lead(world: World, document: IncomingDocument) -> None:
    with pytest.raises(DomainError) as caught:
        services.assign(document, world.director, lead=None, co=[world.an])
    assert caught.value.code == "handling_lead_required"
    assert caught.value.message == "Cần chọn đúng một người hoặc đơn vị xử lý chính."

    with pytest.raises(DomainError) as caught:
        services.assign(document, world.director, lead=world.an, co=[world.an])
    assert caught.value.code == "handling_duplicate_handler"
    assert caught.value.message == (
        "Phạm Văn An được chọn nhiều lần; mỗi người hoặc đơn vị chỉ nhận một vai trò."
    )
    assert not Handling.objects.exists()


def test_handlers_outside_the_agency_are_refused_and_nothing_is_saved(
    world: World, document: IncomingDocument
) -> None:
    with pytest.raises(DomainError) as caught:
        services.assign(
            document, world.director, lead=world.an, co=[world.binh, world.outsider]
        )
    assert caught.value.code == "handling_outside_unit"
    assert caught.value.message == (
        f"Ngô Văn Ngoại không thuộc {AGENCY} nên không thể được giao xử lý văn bản này."
    )

    with pytest.raises(DomainError) as caught:
        services.assign(
            document, world.director, lead=world.an, info=[world.other_agency]
        )
    assert caught.value.message == (
        f"Sở Tài chính không thuộc {AGENCY} nên không thể được giao xử lý văn bản này."
    )

    with pytest.raises(DomainError) as caught:
        services.assign(document, world.director, lead=world.agency)
    assert caught.value.code == "handling_own_unit"

    document.refresh_from_db()
    assert (document.status, document.deadline) == (IncomingStatus.REGISTERED, None)
    assert not Handling.objects.exists()
    assert not Opinion.objects.exists()
    assert actions(document) == []


def test_a_locked_account_cannot_be_given_work(
    world: World, document: IncomingDocument
) -> None:
    User.objects.filter(pk=world.binh.pk).update(is_active=False)
    world.binh.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        services.assign(document, world.director, lead=world.binh)
    assert caught.value.code == "handling_inactive_handler"
    assert not Handling.objects.exists()


def test_the_deadline_is_not_in_the_past(
    world: World, document: IncomingDocument
) -> None:
    with pytest.raises(DomainError) as caught:
        services.assign(document, world.director, lead=world.an, deadline=in_days(-1))
    assert caught.value.message == "Hạn xử lý không thể là ngày đã qua."
    services.assign(document, world.director, lead=world.an, deadline=in_days(0))
    document.refresh_from_db()
    assert document.deadline == timezone.localdate()


def test_a_change_keeps_history_and_the_work_passed_on(
    world: World, assigned: IncomingDocument
) -> None:
    """GIVEN the crops department leads and passed the work to An,
    WHEN the director moves the co-handling from Cường to Bình with an
    earlier deadline, THEN Cường's part ends with a note, Phòng Trồng trọt
    keeps its row and An under it, An's deadline follows the new one."""
    lead = row(assigned, world.crops)
    services.reassign(lead, world.crops_head, lead=world.an, deadline=in_days(9))
    cuong = row(assigned, world.cuong)
    new_deadline = in_days(5)

    services.assign(
        assigned,
        world.director,
        lead=world.crops,
        co=[world.planning],
        info=[world.dung],
        deadline=new_deadline,
        instruction="Rút ngắn thời hạn.",
    )

    assigned.refresh_from_db()
    assert assigned.status == IncomingStatus.ASSIGNED
    assert assigned.deadline == new_deadline
    cuong.refresh_from_db()
    assert cuong.status == HandlingStatus.DONE
    assert cuong.done_at is not None
    assert cuong.opinions.get().text == "Thôi giao: phân công đã được thay đổi."
    kept = row(assigned, world.crops)
    assert kept.pk == lead.pk
    assert (kept.deadline, kept.instruction) == (new_deadline, "Rút ngắn thời hạn.")
    assert "Điều chỉnh phân công: hạn xử lý" in kept.opinions.get().text
    an = row(assigned, world.an)
    assert (an.parent_id, an.deadline) == (lead.pk, new_deadline)
    assert row(assigned, world.planning).role == HandlingRole.CO
    # Rows are never deleted: 3 first, 1 passed on, 1 new.
    assert Handling.objects.filter(document=assigned).count() == 5
    assert actions(assigned) == [
        services.ACTION_ASSIGN,
        services.ACTION_REASSIGN,
        services.ACTION_ASSIGN,
    ]
    entry = AuditEntry.objects.filter(action=services.ACTION_ASSIGN).last()
    assert entry is not None
    assert entry.detail["change"] is True
    assert entry.detail["ended"] == [cuong.pk]


def test_a_closed_document_is_not_assigned_again(
    world: World, assigned: IncomingDocument
) -> None:
    services.close(assigned, world.director, note="Đã báo cáo.")
    with pytest.raises(Conflict) as caught:
        services.assign(assigned, world.director, lead=world.an)
    assert caught.value.message == (
        "Văn bản đã ở trạng thái “Đã hoàn thành”, không phân công được nữa."
    )


# A unit assigned as a whole -------------------------------------------------


def test_a_units_leaders_see_its_part_and_pass_it_on(
    world: World, assigned: IncomingDocument
) -> None:
    unit_row = row(assigned, world.crops)
    work = selectors.my_work(world.crops_head)
    assert [(item.handling, item.as_unit) for item in work] == [(unit_row, True)]
    assert selectors.my_work(world.an) == []
    # The director assigned; the work is the department's.
    assert selectors.my_work(world.director) == []

    children = services.reassign(
        unit_row,
        world.crops_head,
        lead=world.an,
        co=[world.binh],
        instruction="An soạn báo cáo, Bình cung cấp số liệu.",
    )

    assert [(c.role, c.user, c.parent_id, c.deadline) for c in children] == [
        (HandlingRole.LEAD, world.an, unit_row.pk, unit_row.deadline),
        (HandlingRole.CO, world.binh, unit_row.pk, unit_row.deadline),
    ]
    assert all(c.assigned_by == world.crops_head for c in children)
    # Passed on: it leaves the leader's list and reaches the people.
    assert selectors.my_work(world.crops_head) == []
    assert [item.handling for item in selectors.my_work(world.an)] == [children[0]]
    assert not selectors.my_work(world.an)[0].as_unit
    unit_row.refresh_from_db()
    assert unit_row.status == HandlingStatus.OPEN


# Re-assignment down one's own unit ---------------------------------------------


def test_reassign_only_down_ones_own_unit(
    world: World, assigned: IncomingDocument
) -> None:
    cuong = row(assigned, world.cuong)
    with pytest.raises(DomainError) as caught:
        services.reassign(cuong, world.cuong, co=[world.an])
    assert caught.value.code == "handling_outside_unit"
    assert caught.value.message == (
        "Phạm Văn An không thuộc Phòng Kế hoạch - Tài chính; chỉ phân công tiếp được "
        "cho người hoặc đơn vị trong đơn vị của mình."
    )
    with pytest.raises(DomainError) as caught:
        services.reassign(cuong, world.cuong, co=[world.cuong])
    assert caught.value.code == "handling_self"
    with pytest.raises(DomainError) as caught:
        services.reassign(cuong, world.cuong)
    assert caught.value.code == "handling_handlers_required"
    assert Handling.objects.filter(parent=cuong).count() == 0

    [child] = services.reassign(cuong, world.cuong, co=[world.dung])
    assert (child.parent, child.user, child.role) == (cuong, world.dung, "co")
    with pytest.raises(DomainError) as caught:
        services.reassign(cuong, world.cuong, co=[world.dung])
    assert caught.value.message == "Lê Thị Dung đã được giao phần việc này."


@pytest.mark.parametrize("who", ["an", "director", "outsider", "dung"])
def test_only_the_handler_passes_their_part_on(
    world: World, assigned: IncomingDocument, who: str
) -> None:
    """Dung only receives for information; the director assigned, but the
    part is the co-handler's."""
    cuong = row(assigned, world.cuong)
    with pytest.raises(Forbidden) as caught:
        services.reassign(cuong, getattr(world, who), co=[world.dung])
    assert caught.value.code == "handling_reassign_forbidden"
    assert Handling.objects.filter(parent=cuong).count() == 0


def test_for_information_cannot_be_passed_on(
    world: World, assigned: IncomingDocument
) -> None:
    dung = row(assigned, world.dung)
    with pytest.raises(Forbidden):
        services.reassign(dung, world.dung, co=[world.cuong])


def test_a_childs_deadline_is_not_after_its_parents(
    world: World, assigned: IncomingDocument
) -> None:
    unit_row = row(assigned, world.crops)
    assert unit_row.deadline == in_days(10)
    with pytest.raises(DomainError) as caught:
        services.reassign(
            unit_row, world.crops_head, lead=world.an, deadline=in_days(11)
        )
    assert caught.value.code == "handling_deadline_after_parent"
    assert caught.value.message == (
        "Hạn xử lý không được sau hạn của phần việc được giao "
        f"({in_days(10):%d/%m/%Y})."
    )
    assert not Handling.objects.filter(parent=unit_row).exists()

    [an] = services.reassign(
        unit_row, world.crops_head, lead=world.an, deadline=in_days(10)
    )
    [binh] = services.reassign(
        unit_row, world.crops_head, co=[world.binh], deadline=in_days(3)
    )
    assert (an.deadline, binh.deadline) == (in_days(10), in_days(3))
    with pytest.raises(DomainError) as caught:
        services.reassign(unit_row, world.crops_head, lead=world.binh)
    assert caught.value.message == "Phần việc này đã có người xử lý chính."

    # A child's own passing-on is bounded by the child.
    with pytest.raises(DomainError):
        services.reassign(binh, world.binh, co=[world.an], deadline=in_days(4))


def test_a_unit_leader_passes_on_to_the_unit_only(
    world: World, assigned: IncomingDocument
) -> None:
    unit_row = row(assigned, world.crops)
    with pytest.raises(DomainError) as caught:
        services.reassign(unit_row, world.crops_head, co=[world.cuong])
    assert caught.value.message == (
        "Vũ Văn Cường không thuộc Phòng Trồng trọt; chỉ phân công tiếp được cho người "
        "hoặc đơn vị trong đơn vị của mình."
    )
    with pytest.raises(DomainError) as caught:
        services.reassign(unit_row, world.crops_head, co=[world.crops])
    assert caught.value.code == "handling_own_unit"


# Opinions and progress ------------------------------------------------------


def test_the_first_opinion_puts_the_document_in_progress(
    world: World, assigned: IncomingDocument
) -> None:
    opinion = services.record_opinion(
        assigned, world.cuong, text="Đã tổng hợp số liệu quý I.", progress=40
    )

    assigned.refresh_from_db()
    assert assigned.status == IncomingStatus.IN_PROGRESS
    assert (opinion.author, opinion.progress) == (world.cuong, 40)
    assert opinion.handling == row(assigned, world.cuong)
    assert row(assigned, world.cuong).progress == 40

    # A unit's leader writes on the unit's part.
    services.record_opinion(assigned, world.crops_head, text="Phòng đang dự thảo.")
    assert actions(assigned) == [
        services.ACTION_ASSIGN,
        services.ACTION_OPINION,
        services.ACTION_OPINION,
    ]
    entries = AuditEntry.objects.filter(action=services.ACTION_OPINION)
    assert [e.detail["started"] for e in entries] == [True, False]


@pytest.mark.parametrize("who", ["dung", "director", "an", "outsider", "clerk"])
def test_only_lead_and_co_handlers_record_opinions(
    world: World, assigned: IncomingDocument, who: str
) -> None:
    with pytest.raises(Forbidden) as caught:
        services.record_opinion(assigned, getattr(world, who), text="Ý kiến")
    assert caught.value.code == "handling_opinion_forbidden"
    assigned.refresh_from_db()
    assert assigned.status == IncomingStatus.ASSIGNED
    assert not Opinion.objects.exists()


@pytest.mark.parametrize(
    ("text", "progress", "code"),
    [
        ("  ", None, "handling_text_required"),
        ("Tiến độ", 101, "handling_bad_progress"),
        ("Tiến độ", -1, "handling_bad_progress"),
        ("x" * 4001, None, "handling_text_too_long"),
    ],
)
def test_a_refused_opinion_changes_nothing(
    world: World, assigned: IncomingDocument, text: str, progress: int | None, code: str
) -> None:
    with pytest.raises(DomainError) as caught:
        services.record_opinion(assigned, world.cuong, text=text, progress=progress)
    assert caught.value.code == code
    assigned.refresh_from_db()
    assert assigned.status == IncomingStatus.ASSIGNED
    assert row(assigned, world.cuong).progress == 0
    assert not Opinion.objects.exists()
    assert actions(assigned) == [services.ACTION_ASSIGN]


def test_no_opinion_before_assignment_or_after_closing(
    world: World, document: IncomingDocument, assigned: IncomingDocument
) -> None:
    services.close(assigned, world.director, note="Xong.")
    with pytest.raises(Conflict) as caught:
        services.record_opinion(assigned, world.cuong, text="Muộn")
    assert caught.value.code == "handling_document_closed"
    fresh = register(world)
    with pytest.raises(Conflict) as caught:
        services.record_opinion(fresh, world.cuong, text="Sớm")
    assert caught.value.message == "Văn bản chưa được phân công xử lý."


# Marking parts done --------------------------------------------------------------


def test_co_handlers_finish_and_info_recipients_read(
    world: World, assigned: IncomingDocument
) -> None:
    cuong = row(assigned, world.cuong)
    [dung_child] = services.reassign(cuong, world.cuong, co=[world.dung])
    info = Handling.objects.get(document=assigned, user=world.dung, role="info")
    read = services.mark_done(info, world.dung)
    assert read.status == HandlingStatus.DONE
    assigned.refresh_from_db()
    assert assigned.status == IncomingStatus.ASSIGNED  # reading is not handling

    done = services.mark_done(cuong, world.cuong, note="Đã gửi số liệu.")
    assert (done.status, done.progress) == (HandlingStatus.DONE, 100)
    assert done.opinions.get().text == "Đã gửi số liệu."
    dung_child.refresh_from_db()
    assert dung_child.status == HandlingStatus.DONE  # the part ends with it
    assigned.refresh_from_db()
    assert assigned.status == IncomingStatus.IN_PROGRESS
    with pytest.raises(Conflict):
        services.mark_done(cuong, world.cuong)


def test_the_lead_closes_rather_than_marks_done(
    world: World, assigned: IncomingDocument
) -> None:
    with pytest.raises(DomainError) as caught:
        services.mark_done(row(assigned, world.crops), world.crops_head)
    assert caught.value.code == "handling_lead_closes"
    with pytest.raises(Forbidden):
        services.mark_done(row(assigned, world.cuong), world.dung)
    assert Handling.objects.filter(status=HandlingStatus.DONE).count() == 0


# Closing ---------------------------------------------------------------------------


def test_the_lead_closes_on_time(world: World, assigned: IncomingDocument) -> None:
    unit_row = row(assigned, world.crops)
    [an, binh] = services.reassign(
        unit_row, world.crops_head, lead=world.an, co=[world.binh]
    )

    closed = services.close(
        assigned, world.an, note="Đã tham mưu Tờ trình số 45/TTr-SNN."
    )

    closed.refresh_from_db()
    assert closed.status == IncomingStatus.COMPLETED
    assert closed.closed_by == world.an
    assert closed.closing_note == "Đã tham mưu Tờ trình số 45/TTr-SNN."
    assert closed.closed_at is not None
    assert timezone.now() - closed.closed_at < dt.timedelta(minutes=1)
    assert selectors.is_on_time(closed) is True
    rows = Handling.objects.filter(document=assigned)
    assert {r.status for r in rows} == {HandlingStatus.DONE}
    assert all(r.done_at == closed.closed_at for r in rows)
    an.refresh_from_db()
    unit_row.refresh_from_db()
    binh.refresh_from_db()
    assert (unit_row.progress, an.progress, binh.progress) == (100, 100, 0)
    entry = AuditEntry.objects.get(action=services.ACTION_CLOSE)
    assert entry.detail["on_time"] is True
    assert entry.detail["deadline"] == in_days(10).isoformat()
    assert selectors.my_work(world.an) == []
    assert audit.verify() is None


def test_closing_after_the_deadline_is_late(
    world: World, assigned: IncomingDocument
) -> None:
    set_deadlines(assigned, in_days(-2))
    closed = services.close(assigned, world.director, note="Hoàn thành muộn.")
    assert selectors.is_on_time(closed) is False
    assert (
        AuditEntry.objects.get(action=services.ACTION_CLOSE).detail["on_time"] is False
    )


def test_without_a_deadline_there_is_no_on_time_fact(
    world: World, document: IncomingDocument
) -> None:
    services.assign(document, world.director, lead=world.an)
    closed = services.close(document, world.an, note="Đã xử lý.")
    assert selectors.is_on_time(closed) is None


@pytest.mark.parametrize("who", ["cuong", "dung", "crops_head_child", "clerk", "other"])
def test_only_the_lead_or_the_assigning_leader_closes(
    world: World, assigned: IncomingDocument, province: OrgUnit, who: str
) -> None:
    """A co-handler, an info recipient, the lead of a co-handler's part, a
    clerk, and a leader who did not assign are refused."""
    actor = {
        "cuong": world.cuong,
        "dung": world.dung,
        "clerk": world.clerk,
        "other": factories.official(unit=world.agency, role=Role.LEADER),
    }.get(who)
    if who == "crops_head_child":
        services.reassign(row(assigned, world.cuong), world.cuong, lead=world.dung)
        actor = world.dung
    with pytest.raises(Forbidden) as caught:
        services.close(assigned, actor, note="Xong")
    assert caught.value.code == "handling_close_forbidden"
    assigned.refresh_from_db()
    assert (assigned.status, assigned.closed_at) == (IncomingStatus.ASSIGNED, None)
    assert not Handling.objects.filter(status=HandlingStatus.DONE).exists()


def test_closing_needs_a_result_note(world: World, assigned: IncomingDocument) -> None:
    with pytest.raises(DomainError) as caught:
        services.close(assigned, world.director, note=" ")
    assert caught.value.message == "Cần nhập kết quả xử lý."
    assigned.refresh_from_db()
    assert assigned.status == IncomingStatus.ASSIGNED
    assert not StatusReceipt.objects.exists()


# My work and the backlog --------------------------------------------------------


def test_my_work_flags_overdue_and_near_due_most_urgent_first(
    world: World,
) -> None:
    far = register(world, subject="Văn bản còn xa hạn")
    near = register(world, subject="Văn bản sắp đến hạn")
    late = register(world, subject="Văn bản quá hạn")
    flash = register(world, subject="Văn bản hỏa tốc", urgency=Urgency.FLASH)
    info = register(world, subject="Văn bản để biết")
    for doc, deadline in (
        (far, working_days(5)),
        (near, working_days(2)),
        (late, in_days(3)),
        (flash, working_days(5)),
    ):
        services.assign(doc, world.director, lead=world.an, deadline=deadline)
    services.assign(info, world.director, lead=world.binh, info=[world.an])
    set_deadlines(late, in_days(-3))

    work = selectors.my_work(world.an)

    assert [item.document for item in work] == [late, near, flash, far, info]
    assert [(item.overdue, item.near_due) for item in work] == [
        (True, False),
        (False, True),
        (False, False),
        (False, False),
        (False, False),
    ]
    assert work[0].days_late == 3
    assert work[-1].handling.role == HandlingRole.INFO
    # Today counts as near due.
    services.assign(register(world), world.director, lead=world.an, deadline=in_days(0))
    assert selectors.my_work(world.an)[1].near_due


def test_backlog_counts_and_who_holds_the_work(world: World) -> None:
    overdue = register(world)
    near = register(world)
    on_track = register(world)
    register(world)  # not yet assigned
    services.assign(
        overdue, world.director, lead=world.an, co=[world.cuong], deadline=in_days(5)
    )
    services.assign(near, world.director, lead=world.crops, deadline=working_days(1))
    services.reassign(row(near, world.crops), world.crops_head, lead=world.an)
    services.assign(
        on_track, world.director, lead=world.planning, deadline=working_days(8)
    )
    set_deadlines(overdue, in_days(-1))
    done = register(world)
    services.assign(done, world.director, lead=world.an)
    services.close(done, world.an, note="Xong")

    result = selectors.backlog(world.director)

    assert result.counts == {
        "total": 4,
        "unassigned": 1,
        "overdue": 1,
        "near_due": 1,
        "on_track": 1,
    }
    assert [d.pk for d in result.documents][:2] == [overdue.pk, near.pk]
    assert [d.state for d in result.documents] == [
        "overdue",
        "near_due",
        "unassigned",
        "on_track",
    ]
    loads = {
        h.name: (h.open, h.overdue, h.near_due, h.on_track) for h in result.handlers
    }
    assert loads == {
        "Phạm Văn An": (2, 1, 1, 0),
        "Vũ Văn Cường": (1, 1, 0, 0),
        "Phòng Trồng trọt": (1, 0, 1, 0),
        "Phòng Kế hoạch - Tài chính": (1, 0, 0, 1),
    }
    assert result.handlers[0].name == "Phạm Văn An"
    assert [
        d.pk for d in selectors.backlog(world.director, state="overdue").documents
    ] == [overdue.pk]

    # A department's leader sees the documents given to the department and
    # the work its people hold there; not the rest of the agency's, nor one
    # given to one of its people directly, which they cannot open.
    head = selectors.backlog(world.crops_head)
    assert {d.pk for d in head.documents} == {near.pk}
    assert {(h.name, h.open) for h in head.handlers} == {
        ("Phạm Văn An", 1),
        ("Phòng Trồng trọt", 1),
    }
    assert head.counts["unassigned"] == 0
    assert not policies.can_view_backlog(world.an)
    assert selectors.backlog(world.an).counts["total"] == 0


# The panel --------------------------------------------------------------------------


def test_the_panel_tells_each_person_what_they_may_do(
    world: World, assigned: IncomingDocument
) -> None:
    services.reassign(row(assigned, world.crops), world.crops_head, lead=world.an)
    services.record_opinion(assigned, world.an, text="Đang dự thảo.", progress=30)

    director = selectors.panel(world.director, assigned)
    assert director["can_assign"] and director["can_close"]
    assert director["opinion_targets"] == []
    assert [n.handler_name for n in director["tree"]] == [
        "Phòng Trồng trọt",
        "Vũ Văn Cường",
        "Lê Thị Dung",
    ]
    assert [n.handler_name for n in director["tree"][0].children] == ["Phạm Văn An"]
    assert director["tree"][0].children[0].opinions[0].text == "Đang dự thảo."
    assert [o.progress for o in director["opinions"]] == [30]

    an = selectors.panel(world.an, assigned)
    assert not an["can_assign"]
    assert an["can_close"]  # lead of the lead unit's work
    assert [n.handling.user for n in an["opinion_targets"]] == [world.an]

    cuong = selectors.panel(world.cuong, assigned)
    assert not cuong["can_close"]
    assert [n.can_done for n in cuong["nodes"] if n.handling.user == world.cuong] == [
        True
    ]
    dung = selectors.panel(world.dung, assigned)
    assert dung["opinion_targets"] == []
    assert [n.handling.role for n in dung["nodes"] if n.can_done] == [HandlingRole.INFO]


# Status receipts to the sender ------------------------------------------------------


@pytest.fixture
def sent(world: World) -> tuple[IncomingDocument, Dispatch]:
    """A document Sở Tài chính issued and dispatched inside the platform, as
    registered by the receiving clerk (the exchange services' own steps are
    another part's; here the rows they leave behind)."""
    outgoing = OutgoingDocument.objects.create(
        agency=world.other_agency,
        drafter=world.other_leader,
        signer=world.other_leader,
        doc_type=DocumentType.OFFICIAL_LETTER,
        subject="Về việc rà soát kinh phí chuyển đổi số",
        status=OutgoingStatus.ISSUED,
        number_symbol="15/STC-NS",
        issued_date=timezone.localdate(),
    )
    dispatch = Dispatch.objects.create(
        document=outgoing,
        channel=Channel.INTERNAL,
        recipient_unit=world.agency,
        recipient_code=world.agency.code,
        recipient_name=world.agency.name,
        message_id="stc-15-2026",
        sent_by=world.other_leader,
        status=DispatchStatus.REGISTERED,
    )
    document = register(
        world,
        number_symbol="15/STC-NS",
        doc_type=DocumentType.OFFICIAL_LETTER,
        issuer_unit=world.other_agency,
        issuer_name="Sở Tài chính",
    )
    InboundMessage.objects.create(
        agency=world.agency,
        dispatch=dispatch,
        channel=Channel.INTERNAL,
        message_id="stc-15-2026",
        sender_code=world.other_agency.code,
        sender_name=world.other_agency.name,
        sender_unit=world.other_agency,
        metadata={"number_symbol": "15/STC-NS"},
        main_file=document.main_file,
        status=InboundStatus.REGISTERED,
        incoming=document,
    )
    return document, dispatch


def test_receipts_reach_the_senders_dispatch(
    world: World, sent: tuple[IncomingDocument, Dispatch]
) -> None:
    document, dispatch = sent

    services.assign(document, world.director, lead=world.an, deadline=in_days(3))
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.ASSIGNED

    services.record_opinion(document, world.an, text="Đang rà soát.", progress=50)
    services.record_opinion(document, world.an, text="Gần xong.", progress=90)
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.IN_PROGRESS

    services.close(document, world.an, note="Đã gửi báo cáo rà soát.")
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.COMPLETED
    receipts = list(StatusReceipt.objects.filter(dispatch=dispatch))
    assert [r.status for r in receipts] == [
        DispatchStatus.ASSIGNED,
        DispatchStatus.IN_PROGRESS,
        DispatchStatus.COMPLETED,
    ]
    assert [r.actor_name for r in receipts] == [
        "Hoàng Văn Giám",
        "Phạm Văn An",
        "Phạm Văn An",
    ]
    assert receipts[-1].note == "Đã gửi báo cáo rà soát."


def test_a_refused_act_sends_no_receipt(
    world: World, sent: tuple[IncomingDocument, Dispatch]
) -> None:
    document, dispatch = sent
    with pytest.raises(DomainError):
        services.assign(document, world.director, lead=world.outsider)
    services.assign(document, world.director, lead=world.an)
    with pytest.raises(DomainError):
        services.record_opinion(document, world.an, text="", progress=10)
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.ASSIGNED
    assert StatusReceipt.objects.filter(dispatch=dispatch).count() == 1


def test_a_paper_document_moves_without_receipts(
    world: World, assigned: IncomingDocument
) -> None:
    services.record_opinion(assigned, world.cuong, text="Đã xem.")
    services.close(assigned, world.director, note="Xong")
    assert not StatusReceipt.objects.exists()
