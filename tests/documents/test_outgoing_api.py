"""The outgoing API: multipart drafts, the review acts, signing, issue and
review chains, with problem+json refusals."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

import pytest

from tests.documents.test_outgoing import (  # noqa: F401
    POSITION,
    issued,
    new_draft,
    office,
    signature_pdf,
)
from tinhso.documents.constants import DocumentType
from tinhso.documents.models import OutgoingDocument
from tinhso.documents.services import outgoing as services

pytestmark = pytest.mark.django_db

API = "/api/v1/documents"


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"{API}{path}", body or {}, content_type="application/json")


def test_a_draft_goes_from_upload_to_issue(office) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    drafter = as_user(office.drafter)
    created = drafter.post(
        f"{API}/outgoing",
        {
            "doc_type": DocumentType.OFFICIAL_LETTER,
            "subject": "Về việc cử cán bộ dự tập huấn chuyển đổi số",
            "signer_id": office.leader.pk,
            "signer_position": POSITION,
            "file": SimpleUploadedFile("cong-van.pdf", signature_pdf()),
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["status_label"] == "Dự thảo"
    assert body["agency_name"] == "Sở Nội vụ"
    assert body["drafting_unit_id"] == office.department.pk
    [version] = body["versions"]
    assert version["number"] == 1 and version["pdf_name"] == "cong-van.pdf"
    document_id = body["id"]

    versions = drafter.get(f"{API}/outgoing/{document_id}/versions").json()
    assert [v["number"] for v in versions] == [1]
    assert post(drafter, f"/outgoing/{document_id}/submit").json()["status"] == (
        "in_review"
    )
    head = as_user(office.head)
    after = post(head, f"/outgoing/{document_id}/approve", {"comment": "Đồng ý"})
    assert after.json()["current_reviewer_id"] == office.chief.pk
    post(as_user(office.chief), f"/outgoing/{document_id}/approve")
    leader = as_user(office.leader)
    signed = post(leader, f"/outgoing/{document_id}/sign").json()
    assert signed["status"] == "signed" and signed["signed_sha256"]
    clerk = as_user(office.clerk)
    done = post(clerk, f"/outgoing/{document_id}/issue")
    assert done.status_code == 200
    body = done.json()
    assert body["number_symbol"] == "01/SNV-TCCB"
    assert body["outgoing_number"] == 1 and body["issued_sha256"]
    assert [a["kind"] for a in body["history"]] == [
        "submit",
        "approve",
        "approve",
        "sign",
        "issue",
    ]
    pdf = clerk.get(f"{API}/outgoing/{document_id}/files/issued")
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")

    listed = clerk.get(f"{API}/outgoing", {"tab": "issued", "q": "tap huan"}).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == document_id
    assert set(listed) == {"items", "count", "count_capped", "page", "page_size"}


def test_refusals_are_problems(office) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    document = services.submit(new_draft(office), office.drafter)
    chief = as_user(office.chief)
    refused = post(chief, f"/outgoing/{document.pk}/approve")
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "outgoing_review_forbidden"
    unseen = as_user(office.outsider).get(f"{API}/outgoing/{document.pk}")
    assert unseen.status_code == 404
    assert unseen.json()["code"] == "outgoing_not_found"
    no_comment = post(as_user(office.head), f"/outgoing/{document.pk}/return")
    assert no_comment.status_code == 400
    assert no_comment.json()["code"] == "outgoing_comment_required"
    stranger = as_user(office.outsider).post(
        f"{API}/outgoing",
        {
            "agency_id": office.agency.pk,
            "doc_type": DocumentType.DECISION,
            "subject": "Thử",
            "signer_id": office.leader.pk,
            "file": SimpleUploadedFile("a.pdf", signature_pdf()),
        },
    )
    assert stranger.status_code == 403
    assert OutgoingDocument.objects.count() == 1


def test_forward_and_new_version(office) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    document = services.submit(new_draft(office), office.drafter)
    head = as_user(office.head)
    outside = post(
        head,
        f"/outgoing/{document.pk}/forward",
        {"to_user_id": office.outsider.pk},
    )
    assert outside.status_code == 400
    assert outside.json()["code"] == "outgoing_forward_outsider"
    moved = post(
        head, f"/outgoing/{document.pk}/forward", {"to_user_id": office.colleague.pk}
    )
    assert moved.json()["current_reviewer_id"] == office.colleague.pk
    post(
        as_user(office.colleague),
        f"/outgoing/{document.pk}/return",
        {"comment": "Bổ sung căn cứ"},
    )
    upload = as_user(office.drafter).post(
        f"{API}/outgoing/{document.pk}/versions",
        {"file": SimpleUploadedFile("v2.pdf", signature_pdf("Bản 2")), "note": "v2"},
    )
    assert upload.status_code == 201
    assert upload.json()["number"] == 2 and upload.json()["note"] == "v2"


def test_review_chain_get_and_put(office) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    path = f"{API}/review-chains/{office.agency.pk}"
    chain = as_user(office.drafter).get(path).json()
    assert [s["label"] for s in chain["steps"]] == [
        "Trưởng phòng thẩm định",
        "Văn phòng kiểm tra thể thức",
    ]
    assert as_user(office.outsider).get(path).status_code == 404
    denied = as_user(office.drafter).put(
        path, {"steps": []}, content_type="application/json"
    )
    assert denied.status_code == 403
    bad = as_user(office.leader).put(
        path,
        {"steps": [{"label": "Ngoài", "reviewer_id": office.outsider.pk}]},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "review_chain_bad_reviewer"
    saved = as_user(office.admin).put(
        path,
        {"steps": [{"label": "Văn phòng", "reviewer_id": office.chief.pk}]},
        content_type="application/json",
    )
    assert saved.status_code == 200
    assert saved.json()["steps"] == [
        {
            "position": 1,
            "label": "Văn phòng",
            "reviewer_id": office.chief.pk,
            "reviewer_name": office.chief.full_name,
        }
    ]


def test_waiting_and_mine_tabs(office) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    document = services.submit(new_draft(office), office.drafter)
    issued(office)
    waiting = as_user(office.head).get(f"{API}/outgoing").json()
    assert [item["id"] for item in waiting["items"]] == [document.pk]
    mine = as_user(office.drafter).get(f"{API}/outgoing", {"tab": "mine"}).json()
    assert mine["count"] == 2
