"""Outgoing pages: lists, the draft form, the document page and its acts,
downloads and the review-chain settings, each for the right people only."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

import pytest

from tests import factories
from tests.documents.test_outgoing import (  # noqa: F401
    POSITION,
    approved,
    issued,
    new_draft,
    office,
    signature_pdf,
    signed,
)
from tinhso.accounts.models import Role
from tinhso.documents.constants import DocumentType, OutgoingStatus, Secrecy
from tinhso.documents.models import OutgoingDocument, ReviewStep
from tinhso.documents.services import outgoing as services

pytestmark = pytest.mark.django_db


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, document: OutgoingDocument | None = None, **kwargs: Any) -> str:
    if document is not None:
        kwargs["document_id"] = document.pk
    return reverse(f"documents:{name}", kwargs=kwargs or None)


def test_the_lists_show_each_one_their_own(office) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    draft = services.submit(new_draft(office), office.drafter)
    register = issued(office, subject="Về việc tuyển dụng công chức năm 2026")

    page = as_user(office.head).get(url("outgoing_list"))
    assert page.status_code == 200
    assert draft.subject in page.text and "Chờ tôi xử lý (1)" in page.text

    mine = as_user(office.drafter).get(url("outgoing_list"), {"tab": "mine"})
    assert draft.subject in mine.text and register.subject in mine.text

    found = as_user(office.clerk).get(
        url("outgoing_list"), {"tab": "issued", "q": "tuyen dung"}
    )
    assert "01/QĐ-SNV" in found.text and draft.subject not in found.text
    assert "Quy trình trình duyệt" not in found.text  # clerks do not set it

    outsider = as_user(office.outsider).get(url("outgoing_list"), {"tab": "issued"})
    assert outsider.status_code == 200 and "01/QĐ-SNV" not in outsider.text


def test_the_draft_form_offers_the_agencys_leaders_and_saves(office) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    client = as_user(office.drafter)
    form = client.get(url("outgoing_new"))
    assert form.status_code == 200
    assert office.leader.full_name in form.text
    assert office.head.full_name not in form.text  # leads a department only
    assert office.department.name in form.text

    missing = client.post(
        url("outgoing_new"),
        {
            "doc_type": DocumentType.DECISION,
            "subject": "",
            "urgency": "normal",
            "secrecy": "normal",
            "signer": office.leader.pk,
            "file": SimpleUploadedFile("du-thao.pdf", signature_pdf()),
        },
    )
    assert missing.status_code == 400
    assert "Chưa lưu được dự thảo" in missing.text
    assert OutgoingDocument.objects.count() == 0

    saved = client.post(
        url("outgoing_new"),
        {
            "doc_type": DocumentType.DECISION,
            "subject": "Về việc phê duyệt kế hoạch chuyển đổi số",
            "urgency": "urgent",
            "secrecy": "normal",
            "signer": office.leader.pk,
            "signer_position": POSITION,
            "recipients_note": "Như Điều 3",
            "file": SimpleUploadedFile("du-thao.pdf", signature_pdf()),
        },
        follow=True,
    )
    document = OutgoingDocument.objects.get()
    assert saved.redirect_chain[-1][0] == url("outgoing_detail", document)
    assert "Đã lưu dự thảo, phiên bản 1." in saved.text
    assert document.urgency == "urgent" and document.signer == office.leader
    assert "Trình duyệt" in saved.text


def test_a_wrong_file_is_shown_next_to_the_form(office) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    response = as_user(office.drafter).post(
        url("outgoing_new"),
        {
            "doc_type": DocumentType.DECISION,
            "subject": "Về việc thử",
            "urgency": "normal",
            "secrecy": "normal",
            "signer": office.leader.pk,
            "file": SimpleUploadedFile("du-thao.pdf", b"khong phai pdf" * 20),
        },
    )
    assert response.status_code == 400
    assert "không phải là tệp PDF" in response.text


def test_people_outside_the_agency_cannot_draft_there(office) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    assert as_user(office.admin).get(url("outgoing_new")).status_code == 403


def test_a_document_travels_through_its_pages(office) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    document = new_draft(office)
    detail = url("outgoing_detail", document)
    drafter = as_user(office.drafter)
    assert "du-thao.pdf" in drafter.get(detail).text

    page = drafter.post(url("outgoing_submit", document), follow=True)
    assert "Đã trình dự thảo." in page.text
    assert document.review_actions.get().comment == ""
    assert "Đang chờ Phạm Quốc Hùng duyệt." in page.text

    head = as_user(office.head)
    view = head.get(detail).text
    assert "Đồng ý, chuyển bước tiếp" in view and "Chuyển tiếp" in view
    head.post(url("outgoing_approve", document), {"approve-comment": "Được"})
    assert document.review_actions.get(kind="approve").comment == "Được"
    as_user(office.chief).post(url("outgoing_approve", document))

    leader = as_user(office.leader)
    assert "Ký số" in leader.get(detail).text
    page = leader.post(url("outgoing_sign", document), follow=True)
    assert "Đã ký số văn bản." in page.text

    clerk = as_user(office.clerk)
    page = clerk.post(url("outgoing_issue", document), follow=True)
    assert "Đã cấp số 01/QĐ-SNV và phát hành văn bản." in page.text
    history = page.text
    for kind in ("Trình duyệt", "Đồng ý", "Ký số", "Cấp số, phát hành"):
        assert kind in history

    download = clerk.get(url("outgoing_file", document, which="issued"))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    preview = clerk.get(url("outgoing_file", document, which="issued"), {"inline": 1})
    assert "inline" in preview["Content-Disposition"]
    assert clerk.get(url("outgoing_file", document, which="v1")).status_code == 200
    assert clerk.get(url("outgoing_file", document, which="v9")).status_code == 404
    assert clerk.get(url("outgoing_file", document, which="x")).status_code == 404


def test_wrong_people_are_refused_and_nothing_changes(office) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    document = services.submit(new_draft(office), office.drafter)
    # The chief sees the draft (a chain reviewer) but it is not their turn.
    assert (
        as_user(office.chief).post(url("outgoing_approve", document)).status_code == 403
    )
    assert as_user(office.clerk).post(url("outgoing_sign", document)).status_code in (
        403,
        302,
    )
    # Someone who may not see it does not learn it exists.
    assert (
        as_user(office.outsider).get(url("outgoing_detail", document)).status_code
        == 404
    )
    assert (
        as_user(office.outsider).post(url("outgoing_approve", document)).status_code
        == 404
    )
    document.refresh_from_db()
    assert document.status == OutgoingStatus.IN_REVIEW
    assert document.current_reviewer == office.head
    to_sign = approved(office)
    assert as_user(office.clerk).post(url("outgoing_sign", to_sign)).status_code == 403
    to_issue = signed(office)
    assert (
        as_user(office.leader).post(url("outgoing_issue", to_issue)).status_code == 403
    )


def test_return_needs_a_comment_then_the_drafter_uploads_and_resubmits(office) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    document = services.submit(new_draft(office), office.drafter)
    head = as_user(office.head)
    page = head.post(
        url("outgoing_return", document), {"return-comment": ""}, follow=True
    )
    assert "Cần ghi ý kiến" in page.text
    head.post(url("outgoing_return", document), {"return-comment": "Sửa Điều 2."})
    document.refresh_from_db()
    assert document.status == OutgoingStatus.RETURNED

    drafter = as_user(office.drafter)
    page = drafter.post(
        url("outgoing_upload", document),
        {"file": SimpleUploadedFile("v2.pdf", signature_pdf("Bản 2")), "note": "Sửa"},
        follow=True,
    )
    assert "Đã lưu phiên bản mới của dự thảo." in page.text
    assert "v2.pdf" in page.text and "du-thao.pdf" in page.text
    drafter.post(url("outgoing_submit", document))
    document.refresh_from_db()
    assert document.status == OutgoingStatus.IN_REVIEW
    assert drafter.get(url("outgoing_file", document, which="v2")).status_code == 200


def test_forward_from_the_page(office) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    document = services.submit(new_draft(office), office.drafter)
    as_user(office.head).post(
        url("outgoing_forward", document),
        {"forward-to_user": office.colleague.pk, "forward-comment": "Nhờ xem"},
    )
    document.refresh_from_db()
    assert document.current_reviewer == office.colleague
    forwarded = document.review_actions.get(kind="forward")
    assert forwarded.comment == "Nhờ xem"


def test_secret_drafts_stay_with_those_involved(office) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    secret = new_draft(office, secrecy=Secrecy.SECRET)
    assert as_user(office.head).get(url("outgoing_detail", secret)).status_code == 404
    assert as_user(office.leader).get(url("outgoing_detail", secret)).status_code == 200


def test_the_review_chain_page(office) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    assert as_user(office.drafter).get(url("review_chain")).status_code == 403
    leader = as_user(office.leader)
    page = leader.get(url("review_chain"))
    assert page.status_code == 200
    assert "Trưởng phòng thẩm định" in page.text and office.chief.full_name in page.text

    bad = leader.post(
        url("review_chain"),
        {"agency": office.agency.pk, "rows": 2, "label_0": "Thẩm định"},
    )
    assert bad.status_code == 400
    assert "Hãy chọn người duyệt cho bước này." in bad.text
    saved = leader.post(
        url("review_chain"),
        {
            "agency": office.agency.pk,
            "rows": 3,
            "label_0": "Văn phòng",
            "reviewer_0": office.chief.pk,
            "label_2": "Lãnh đạo phòng",
            "reviewer_2": office.head.pk,
        },
        follow=True,
    )
    assert "Đã lưu quy trình trình duyệt." in saved.text
    steps = ReviewStep.objects.filter(agency=office.agency).order_by("position")
    assert [(s.label, s.reviewer) for s in steps] == [
        ("Văn phòng", office.chief),
        ("Lãnh đạo phòng", office.head),
    ]


def test_the_secret_register_is_labelled_and_filtered(office) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    ordinary = issued(office, subject="Về việc tổng kết công tác năm 2025")
    secret = signed(
        office, secrecy=Secrecy.SECRET, subject="Về việc bảo vệ bí mật nhà nước"
    )
    clerk = as_user(office.clerk)
    done = clerk.post(url("outgoing_issue", secret), follow=True)
    assert "Đã cấp số 01/QĐ-SNV trong sổ văn bản mật và phát hành văn bản." in (
        done.text
    )
    listing = clerk.get(url("outgoing_list"), {"tab": "issued"}).text
    assert 'name="series"' in listing and "Sổ văn bản mật" in listing
    assert listing.count("Sổ mật</span>") == 1
    only_secret = clerk.get(url("outgoing_list"), {"tab": "issued", "series": "secret"})
    assert secret.subject in only_secret.text
    assert ordinary.subject not in only_secret.text
    only_ordinary = clerk.get(
        url("outgoing_list"), {"tab": "issued", "series": "ordinary"}
    )
    assert ordinary.subject in only_ordinary.text
    assert secret.subject not in only_ordinary.text
    assert "Sổ mật" in clerk.get(url("outgoing_detail", secret)).text
    # An official who sees no secret document is not offered the secret register.
    specialist = factories.official(unit=office.agency, role=Role.SPECIALIST)
    member = as_user(specialist).get(url("outgoing_list"), {"tab": "issued"})
    assert ordinary.subject in member.text and 'name="series"' not in member.text


def test_my_work_lists_drafts_waiting_on_each_person(office) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    draft = services.submit(new_draft(office), office.drafter)
    reviewer = draft.current_reviewer
    assert reviewer is not None

    page = as_user(reviewer).get(reverse("documents:my_work"))
    assert "Văn bản đi chờ bạn" in page.text
    assert draft.subject[:40] in page.text and "Cần duyệt" in page.text

    # The drafter has nothing waiting until the draft comes back.
    drafter_page = as_user(office.drafter).get(reverse("documents:my_work"))
    assert "Văn bản đi chờ bạn" not in drafter_page.text
