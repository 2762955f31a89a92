"""Handling pages: my work, backlog, assign, opinion, pass on, close, done,
and the handling panel the document page includes."""

import re
from typing import Any

from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

import pytest

from tests.accounts.conftest import citizen as citizen_account
from tests.documents.test_handling import (
    AGENCY,
    World,
    build_world,
    in_days,
    register,
    row,
    set_deadlines,
    working_days,
)
from tinhso.documents.constants import HandlingStatus, IncomingStatus
from tinhso.documents.models import Handling, IncomingDocument, Opinion
from tinhso.documents.selectors import handling as selectors
from tinhso.documents.services import handling as services
from tinhso.documents.views.handling import after_action_url, document_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(agency, other_agency, clerk) -> World:  # type: ignore[no-untyped-def]
    return build_world(agency, other_agency, clerk)


@pytest.fixture
def document(world: World) -> IncomingDocument:
    return register(world, subject="Về việc triển khai ruộng bậc thang")


@pytest.fixture
def assigned(world: World, document: IncomingDocument) -> IncomingDocument:
    services.assign(
        document,
        world.director,
        lead=world.crops,
        co=[world.cuong],
        info=[world.dung],
        deadline=in_days(10),
    )
    document.refresh_from_db()
    return document


def as_user(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def text_of(response: Any) -> str:
    """The page's visible words, tags dropped and spaces squeezed."""
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# My work and backlog ----------------------------------------------------------------


def test_my_work_marks_overdue_in_red_and_near_due(
    client: Client, world: World
) -> None:
    late = register(world, subject="Báo cáo quá hạn")
    near = register(world, subject="Báo cáo sắp đến hạn")
    services.assign(late, world.director, lead=world.an, deadline=in_days(4))
    services.assign(near, world.director, lead=world.an, deadline=working_days(1))
    set_deadlines(late, in_days(-3))

    response = as_user(client, world.an).get(reverse("documents:my_work"))

    assert response.status_code == 200
    html = response.content.decode()
    late_row = re.search(
        r'<tr class="work-item work-overdue" id="work-\d+">.*?</tr>', html, re.S
    )
    assert late_row is not None
    assert "Báo cáo quá hạn" in late_row.group()
    assert (
        '<span class="state state-locked state-overdue">Quá hạn 3 ngày</span>'
        in late_row.group()
    )
    near_row = re.search(
        r'<tr class="work-item work-near-due" id="work-\d+">.*?</tr>', html, re.S
    )
    assert near_row is not None
    assert "Báo cáo sắp đến hạn" in near_row.group()
    assert "Sắp đến hạn" in near_row.group()
    assert html.index("Báo cáo quá hạn") < html.index("Báo cáo sắp đến hạn")
    assert "2 văn bản đang chờ bạn xử lý: 1 quá hạn, 1 sắp đến hạn." in text_of(
        response
    )
    # Links go to the document's page (or its handling page, until that exists).
    assert f'href="{document_url(late.pk)}"' in html


def test_my_work_for_officials_only(client: Client, world: World) -> None:
    assert client.get(reverse("documents:my_work")).status_code == 302
    citizen = citizen_account()
    assert as_user(client, citizen).get(reverse("documents:my_work")).status_code == 403
    response = as_user(client, world.an).get(reverse("documents:my_work"))
    assert "Không có văn bản nào đang chờ bạn xử lý." in text_of(response)


def test_backlog_for_leaders_only(
    client: Client, world: World, assigned: IncomingDocument
) -> None:
    register(world)  # waiting for assignment
    response = as_user(client, world.director).get(reverse("documents:backlog"))
    assert response.status_code == 200
    page = text_of(response)
    assert "Tồn đọng của đơn vị" in page
    assert re.search(r"Đang mở 2 .*Chưa phân công 1", page)
    assert "Phòng Trồng trọt" in page and "Vũ Văn Cường" in page
    unassigned = as_user(client, world.director).get(
        reverse("documents:backlog") + "?state=unassigned"
    )
    assert "Về việc triển khai ruộng bậc thang" not in text_of(unassigned)

    for user in (world.an, world.clerk):
        assert (
            as_user(client, user).get(reverse("documents:backlog")).status_code == 403
        )


# Assigning ------------------------------------------------------------------------------


def test_the_director_assigns_through_the_page(
    client: Client, world: World, document: IncomingDocument
) -> None:
    url = reverse("documents:incoming_assign", kwargs={"document_id": document.pk})
    page = as_user(client, world.director).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Phân công xử lý" in html
    for name in ("Phòng Trồng trọt", "Phạm Văn An", "Vũ Văn Cường"):
        assert name in html
    assert "Ngô Văn Ngoại" not in html  # another agency's people are not offered
    assert "Xử lý chính: Phạm Văn An" in html

    response = client.post(
        url,
        {
            "lead": f"unit:{world.crops.pk}",
            "co": [f"user:{world.cuong.pk}"],
            "info": [f"user:{world.dung.pk}"],
            "deadline": in_days(5).isoformat(),
            "instruction": "Phòng Trồng trọt chủ trì.",
        },
    )

    assert response.status_code == 302
    assert response.url == after_action_url(document.pk)
    document.refresh_from_db()
    assert (document.status, document.deadline) == (IncomingStatus.ASSIGNED, in_days(5))
    assert row(document, world.crops).instruction == "Phòng Trồng trọt chủ trì."
    followed = client.get(reverse("documents:my_work"))
    assert "Đã phân công xử lý văn bản." in followed.content.decode()


def test_a_refused_assignment_shows_why_and_saves_nothing(
    client: Client, world: World, document: IncomingDocument
) -> None:
    url = reverse("documents:incoming_assign", kwargs={"document_id": document.pk})
    as_user(client, world.director)

    two_leads = client.post(
        url, {"lead": [f"user:{world.an.pk}", f"user:{world.binh.pk}"]}
    )
    assert two_leads.status_code == 400
    assert "Cần chọn đúng một người hoặc đơn vị xử lý chính." in text_of(two_leads)

    past = client.post(
        url, {"lead": f"user:{world.an.pk}", "deadline": in_days(-1).isoformat()}
    )
    assert past.status_code == 400
    assert "Hạn xử lý không thể là ngày đã qua." in text_of(past)

    duplicate = client.post(
        url, {"lead": f"user:{world.an.pk}", "co": [f"user:{world.an.pk}"]}
    )
    assert duplicate.status_code == 400
    assert "Phạm Văn An được chọn nhiều lần" in text_of(duplicate)
    # The choices made stay checked for correction.
    assert f'value="user:{world.an.pk}" id="lead-user{world.an.pk}" checked' in (
        duplicate.content.decode()
    )

    # A tampered form naming someone of another agency.
    outside = client.post(url, {"lead": f"user:{world.outsider.pk}"})
    assert outside.status_code == 400
    document.refresh_from_db()
    assert document.status == IncomingStatus.REGISTERED
    assert not Handling.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"), [("clerk", 403), ("crops_head", 404), ("outsider", 404)]
)
def test_others_may_not_assign(
    client: Client, world: World, document: IncomingDocument, who: str, status: int
) -> None:
    """The clerk sees the register but does not assign; people who cannot see
    the document are told it does not exist."""
    url = reverse("documents:incoming_assign", kwargs={"document_id": document.pk})
    as_user(client, getattr(world, who))
    assert client.get(url).status_code == status
    assert client.post(url, {"lead": f"user:{world.an.pk}"}).status_code == status
    assert not Handling.objects.exists()


def test_a_change_starts_from_the_current_assignment(
    client: Client, world: World, assigned: IncomingDocument
) -> None:
    url = reverse("documents:incoming_assign", kwargs={"document_id": assigned.pk})
    html = as_user(client, world.director).get(url).content.decode()
    assert "Thay đổi phân công" in html
    assert f'id="lead-unit{world.crops.pk}" checked' in html
    assert f'id="co-user{world.cuong.pk}" checked' in html
    assert f'id="info-user{world.dung.pk}" checked' in html


# Handling -------------------------------------------------------------------------------


def test_a_handler_records_an_opinion(
    client: Client, world: World, assigned: IncomingDocument
) -> None:
    url = reverse("documents:incoming_opinion", kwargs={"document_id": assigned.pk})
    as_user(client, world.cuong)
    assert client.get(url).status_code == 200
    bad = client.post(url, {"text": "Tiến độ", "progress": "150"})
    assert bad.status_code == 400
    assert not Opinion.objects.exists()

    response = client.post(url, {"text": "Đã có số liệu.", "progress": "60"})

    assert response.status_code == 302
    assigned.refresh_from_db()
    assert assigned.status == IncomingStatus.IN_PROGRESS
    assert row(assigned, world.cuong).progress == 60
    for other in (world.dung, world.director, world.clerk):
        assert as_user(client, other).get(url).status_code == 403


def test_a_unit_leader_passes_the_part_on(
    client: Client, world: World, assigned: IncomingDocument
) -> None:
    unit_row = row(assigned, world.crops)
    url = reverse("documents:handling_reassign", kwargs={"handling_id": unit_row.pk})
    page = as_user(client, world.crops_head).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Phạm Văn An" in html and "Đỗ Thị Bình" in html
    assert "Vũ Văn Cường" not in html  # another department

    late = client.post(
        url, {"lead": f"user:{world.an.pk}", "deadline": in_days(11).isoformat()}
    )
    assert late.status_code == 400
    assert "Hạn xử lý không được sau hạn của phần việc được giao" in text_of(late)

    response = client.post(
        url,
        {
            "lead": f"user:{world.an.pk}",
            "co": [f"user:{world.binh.pk}"],
            "instruction": "Làm ngay.",
        },
    )
    assert response.status_code == 302
    assert [h.user for h in Handling.objects.filter(parent=unit_row)] == [
        world.an,
        world.binh,
    ]

    assert as_user(client, world.an).get(url).status_code == 403
    assert as_user(client, world.outsider).get(url).status_code == 404
    missing = reverse("documents:handling_reassign", kwargs={"handling_id": 999999})
    assert as_user(client, world.crops_head).get(missing).status_code == 404


def test_the_lead_closes_through_the_page(
    client: Client, world: World, assigned: IncomingDocument
) -> None:
    url = reverse("documents:incoming_close", kwargs={"document_id": assigned.pk})
    assert as_user(client, world.cuong).get(url).status_code == 403
    as_user(client, world.crops_head)
    empty = client.post(url, {"note": ""})
    assert empty.status_code == 400
    response = client.post(url, {"note": "Đã tham mưu văn bản trả lời."})
    assert response.status_code == 302
    assigned.refresh_from_db()
    assert assigned.status == IncomingStatus.COMPLETED
    assert assigned.closed_by == world.crops_head
    # Closed: nothing more to do.
    assert client.get(url).status_code == 403
    # The recipient for information never opened it: not shown as read.
    panel = as_user(client, world.director).get(
        reverse("documents:incoming_detail", kwargs={"document_id": assigned.pk})
    )
    assert "Văn bản đã xử lý xong" in text_of(panel)
    assert "Đã đọc" not in text_of(panel)


def test_info_recipients_mark_read(
    client: Client, world: World, assigned: IncomingDocument
) -> None:
    info = row(assigned, world.dung)
    url = reverse("documents:handling_done", kwargs={"handling_id": info.pk})
    assert as_user(client, world.cuong).post(url).status_code == 403
    page = as_user(client, world.dung).get(url)
    assert page.status_code == 200
    assert "Đánh dấu đã đọc" in page.content.decode()
    assert client.post(url, {"note": ""}).status_code == 302
    info.refresh_from_db()
    assert info.status == HandlingStatus.DONE
    lead = row(assigned, world.crops)
    lead_url = reverse("documents:handling_done", kwargs={"handling_id": lead.pk})
    assert as_user(client, world.crops_head).post(lead_url).status_code == 403


# The panel ------------------------------------------------------------------------------


def test_the_handling_page_shows_the_panel(
    client: Client, world: World, assigned: IncomingDocument
) -> None:
    services.reassign(row(assigned, world.crops), world.crops_head, lead=world.an)
    services.record_opinion(
        assigned, world.an, text="Đang dự thảo trả lời.", progress=30
    )
    url = reverse("documents:incoming_handling", kwargs={"document_id": assigned.pk})

    director = as_user(client, world.director).get(url)
    assert director.status_code == 200
    page = text_of(director)
    assert "Xử lý văn bản" in page
    assert "Thay đổi phân công" in page and "Hoàn thành xử lý" in page
    assert "Phạm Văn An" in page and "Đang dự thảo trả lời." in page
    assert "Ghi ý kiến xử lý" not in page

    an = text_of(as_user(client, world.an).get(url))
    assert "Ghi ý kiến xử lý" in an and "Thay đổi phân công" not in an
    dung = as_user(client, world.dung).get(url).content.decode()
    info = row(assigned, world.dung)
    assert reverse("documents:handling_done", kwargs={"handling_id": info.pk}) in dung

    assert as_user(client, world.outsider).get(url).status_code == 404


def test_the_panel_partial_renders_inside_another_page(
    rf: RequestFactory, world: World, assigned: IncomingDocument
) -> None:
    request = rf.get("/")
    request.user = world.cuong
    html = render_to_string(
        "documents/handling/_panel.html",
        {"handling": selectors.panel(world.cuong, assigned)},
        request=request,
    )
    assert 'id="handling"' in html
    assert (
        f'action="{reverse("documents:incoming_opinion", kwargs={"document_id": assigned.pk})}"'
        in html
    )
    assert "csrfmiddlewaretoken" in html
    assert AGENCY not in html  # only the handling facts, not the document's header
