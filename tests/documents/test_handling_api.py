"""The handling API: my work, backlog, assignments, opinions, passing on,
closing, marking done, and a document's handling panel."""

from typing import Any

from django.test import Client

import pytest

from tests.documents.test_handling import (
    AGENCY,
    World,
    build_world,
    in_days,
    register,
    row,
    set_deadlines,
)
from tinhso.accounts import services as accounts
from tinhso.documents.constants import HandlingStatus, IncomingStatus
from tinhso.documents.models import Handling, IncomingDocument, Opinion
from tinhso.documents.services import handling as services

pytestmark = pytest.mark.django_db

API = "/api/v1/documents"
PROBLEM = "application/problem+json"


@pytest.fixture
def world(agency, other_agency, clerk) -> World:  # type: ignore[no-untyped-def]
    return build_world(agency, other_agency, clerk)


@pytest.fixture
def document(world: World) -> IncomingDocument:
    return register(world)


def as_user(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    return body


def test_assign_through_the_api(
    client: Client, world: World, document: IncomingDocument
) -> None:
    response = post(
        as_user(client, world.director),
        f"{API}/incoming/{document.pk}/assignments",
        {
            "lead": {"unit_id": world.crops.pk},
            "co": [{"user_id": world.cuong.pk}],
            "info": [{"user_id": world.dung.pk}],
            "deadline": in_days(7).isoformat(),
            "instruction": "Chủ trì tham mưu.",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["document"]["status"] == "assigned"
    assert body["document"]["status_label"] == "Đã phân công"
    assert body["document"]["deadline"] == in_days(7).isoformat()
    assert [
        (h["role"], h["role_label"], h["unit_name"]) for h in body["handlings"]
    ] == [
        ("lead", "Xử lý chính", "Phòng Trồng trọt"),
        ("co", "Phối hợp", None),
        ("info", "Nhận để biết", None),
    ]
    assert body["handlings"][1]["user"] == {
        "id": world.cuong.pk,
        "full_name": "Vũ Văn Cường",
    }
    assert body["actions"]["assign"] is True
    assert body["actions"]["close"] is True


def test_refused_assignments_are_problems(
    client: Client, world: World, document: IncomingDocument
) -> None:
    url = f"{API}/incoming/{document.pk}/assignments"
    as_user(client, world.director)

    body = problem(
        post(client, url, {"lead": {"user_id": world.outsider.pk}}),
        400,
        "handling_outside_unit",
    )
    assert body["detail"] == (
        f"Ngô Văn Ngoại không thuộc {AGENCY} nên không thể được giao xử lý văn bản này."
    )
    problem(
        post(client, url, {"co": [{"user_id": world.an.pk}]}),
        400,
        "handling_lead_required",
    )
    problem(
        post(
            client, url, {"lead": {"user_id": world.an.pk, "unit_id": world.crops.pk}}
        ),
        400,
        "handling_bad_handler",
    )
    problem(
        post(client, url, {"lead": {"user_id": 999999}}),
        400,
        "handling_unknown_handler",
    )
    problem(
        post(client, url, {"lead": {"user_id": world.an.pk}, "deadline": "2020-01-01"}),
        400,
        "handling_deadline_past",
    )
    problem(
        post(as_user(client, world.clerk), url, {"lead": {"user_id": world.an.pk}}),
        403,
        "handling_assign_forbidden",
    )
    problem(
        post(
            as_user(client, world.other_leader), url, {"lead": {"user_id": world.an.pk}}
        ),
        404,
        "incoming_not_found",
    )
    document.refresh_from_db()
    assert document.status == IncomingStatus.REGISTERED
    assert not Handling.objects.exists()


def test_handle_pass_on_and_close_through_the_api(
    client: Client, world: World, document: IncomingDocument
) -> None:
    services.assign(
        document,
        world.director,
        lead=world.crops,
        co=[world.cuong],
        info=[world.dung],
        deadline=in_days(10),
    )
    unit_row = row(document, world.crops)

    passed = post(
        as_user(client, world.crops_head),
        f"{API}/handlings/{unit_row.pk}/reassign",
        {"lead": {"user_id": world.an.pk}, "deadline": in_days(8).isoformat()},
    )
    assert passed.status_code == 201, passed.content
    [child] = passed.json()
    assert (child["parent_id"], child["user"]["id"], child["deadline"]) == (
        unit_row.pk,
        world.an.pk,
        in_days(8).isoformat(),
    )
    problem(
        post(
            client,
            f"{API}/handlings/{unit_row.pk}/reassign",
            {"co": [{"user_id": world.cuong.pk}]},
        ),
        400,
        "handling_outside_unit",
    )
    problem(
        post(
            client,
            f"{API}/handlings/{unit_row.pk}/reassign",
            {"co": [{"user_id": world.binh.pk}], "deadline": in_days(11).isoformat()},
        ),
        400,
        "handling_deadline_after_parent",
    )

    opinion = post(
        as_user(client, world.an),
        f"{API}/incoming/{document.pk}/opinions",
        {"text": "Đã dự thảo công văn trả lời.", "progress": 70},
    )
    assert opinion.status_code == 201, opinion.content
    assert opinion.json()["progress"] == 70
    assert opinion.json()["handling_id"] == child["id"]
    problem(
        post(
            client,
            f"{API}/incoming/{document.pk}/opinions",
            {"text": "x", "progress": 120},
        ),
        400,
        "handling_bad_progress",
    )
    problem(
        post(
            as_user(client, world.dung),
            f"{API}/incoming/{document.pk}/opinions",
            {"text": "x"},
        ),
        403,
        "handling_opinion_forbidden",
    )

    read = post(client, f"{API}/handlings/{row(document, world.dung).pk}/done", {})
    assert read.status_code == 200
    assert read.json()["status"] == HandlingStatus.DONE

    panel = as_user(client, world.an).get(f"{API}/incoming/{document.pk}/handling")
    assert panel.status_code == 200
    actions = panel.json()["actions"]
    assert actions == {
        "assign": False,
        "close": True,
        "opinion_handling_ids": [child["id"]],
        "reassign_handling_ids": [child["id"]],
        "done_handling_ids": [],
    }
    assert panel.json()["document"]["status"] == "in_progress"
    assert [o["text"] for o in panel.json()["opinions"]] == [
        "Đã dự thảo công văn trả lời."
    ]

    problem(
        post(
            as_user(client, world.cuong),
            f"{API}/incoming/{document.pk}/close",
            {"note": "x"},
        ),
        403,
        "handling_close_forbidden",
    )
    closed = post(
        as_user(client, world.an),
        f"{API}/incoming/{document.pk}/close",
        {"note": "Đã trả lời."},
    )
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "completed"
    assert closed.json()["on_time"] is True
    assert closed.json()["closed_by"]["id"] == world.an.pk
    assert Handling.objects.filter(document=document, status="open").count() == 0
    assert Opinion.objects.count() == 1


def test_my_work_and_backlog(client: Client, world: World) -> None:
    late = register(world, subject="Văn bản quá hạn")
    calm = register(world, subject="Văn bản còn hạn")
    services.assign(late, world.director, lead=world.an, deadline=in_days(2))
    services.assign(calm, world.director, lead=world.an, deadline=in_days(30))
    set_deadlines(late, in_days(-1))
    _token, secret = accounts.issue_token(world.an, "ứng dụng di động")

    work = client.get(f"{API}/my-work", HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert work.status_code == 200, work.content
    body = work.json()
    assert body["count"] == 2
    assert [
        (i["document"]["subject"], i["overdue"], i["days_late"]) for i in body["items"]
    ] == [
        ("Văn bản quá hạn", True, 1),
        ("Văn bản còn hạn", False, 0),
    ]
    assert body["items"][0]["state"] == "overdue"
    assert (
        client.get(
            f"{API}/my-work?page_size=1", HTTP_AUTHORIZATION=f"Bearer {secret}"
        ).json()["items"][0]["document"]["id"]
        == late.pk
    )

    problem(
        client.get(f"{API}/backlog", HTTP_AUTHORIZATION=f"Bearer {secret}"),
        403,
        "forbidden",
    )
    backlog = as_user(client, world.director).get(f"{API}/backlog?page_size=1")
    assert backlog.status_code == 200, backlog.content
    data = backlog.json()
    assert data["counts"] == {
        "total": 2,
        "unassigned": 0,
        "overdue": 1,
        "near_due": 0,
        "on_track": 1,
    }
    assert (data["count"], data["page_size"]) == (2, 1)
    assert [i["id"] for i in data["items"]] == [late.pk]
    assert data["items"][0]["state"] == "overdue"
    assert data["handlers"] == [
        {
            "key": f"user:{world.an.pk}",
            "name": "Phạm Văn An",
            "unit_name": "Phòng Trồng trọt",
            "is_unit": False,
            "open": 2,
            "overdue": 1,
            "near_due": 0,
            "on_track": 1,
        }
    ]
    assert client.get(f"{API}/backlog?state=on_track").json()["count"] == 1


def test_unknown_or_invisible_things_are_not_found(
    client: Client, world: World, document: IncomingDocument
) -> None:
    services.assign(document, world.director, lead=world.an)
    lead = row(document, world.an)
    as_user(client, world.outsider)
    problem(
        client.get(f"{API}/incoming/{document.pk}/handling"), 404, "incoming_not_found"
    )
    problem(
        post(client, f"{API}/handlings/{lead.pk}/done", {}), 404, "handling_not_found"
    )
    problem(
        post(
            client,
            f"{API}/handlings/{lead.pk}/reassign",
            {"co": [{"user_id": world.binh.pk}]},
        ),
        404,
        "handling_not_found",
    )
    assert client.get(f"{API}/my-work").json()["count"] == 0
    client.logout()
    problem(client.get(f"{API}/my-work"), 401, "not_authenticated")
