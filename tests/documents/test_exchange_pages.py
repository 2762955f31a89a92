"""Exchange pages: dispatch form and receipts, the inbox with its tabs, an
inbound message with register / reject / take-back answer, revoke, and edXML
upload with its refusal reasons; each page only for whom it concerns."""

from pathlib import Path
from typing import Any

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

import pytest

from tests import factories
from tinhso.accounts.models import Role
from tinhso.core.models import AuditEntry
from tinhso.documents.constants import (
    DispatchStatus,
    InboundStatus,
    IncomingStatus,
    OutgoingStatus,
    Secrecy,
)
from tinhso.documents.models import Dispatch, InboundMessage
from tinhso.documents.services import exchange as services

pytestmark = pytest.mark.django_db


def as_user(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def flashed(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_clerk_dispatches_from_the_form_and_follows_receipts(
    client: Client, agency, issued, sender
) -> None:  # type: ignore[no-untyped-def]
    document = issued()
    as_user(client, sender)
    url = reverse("documents:outgoing_dispatch", kwargs={"document_id": document.pk})
    form = client.get(url)
    assert form.status_code == 200
    assert agency.name in form.content.decode()
    filtered = client.get(url, {"q": "nong nghiep"}).content.decode()
    assert agency.name in filtered
    response = client.post(url, {"units": [agency.pk], "external": ""}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "documents:outgoing_dispatches", kwargs={"document_id": document.pk}
    )
    page = response.content.decode()
    assert "Đã gửi văn bản 12/QĐ-STC tới 1 nơi nhận." in page
    assert agency.name in page
    assert "Đã đến" in page
    # Sent already: the box is shown but cannot be ticked again.
    again = client.get(url).content.decode()
    assert "(đã gửi)" in again
    bad = client.post(url, {"external": "000.00.99.H01"})
    assert bad.status_code == 400
    assert "Cần tên cơ quan nhận có mã định danh 000.00.99.H01." in bad.content.decode()


def test_a_secret_document_shows_the_refusal_and_a_forced_post_is_audited(
    client: Client, agency, issued, sender
) -> None:  # type: ignore[no-untyped-def]
    document = issued(secrecy=Secrecy.CONFIDENTIAL)
    as_user(client, sender)
    url = reverse("documents:outgoing_dispatch", kwargs={"document_id": document.pk})
    page = client.get(url).content.decode()
    assert "Văn bản mật không được gửi qua mạng" in page
    assert 'name="units"' not in page
    response = client.post(url, {"units": [agency.pk]})
    assert response.status_code == 400
    assert "Văn bản mật không được gửi qua mạng" in response.content.decode()
    assert Dispatch.objects.count() == 0
    assert AuditEntry.objects.filter(action=services.ACTION_REFUSED_SECRET).exists()


def test_the_recipient_registers_from_the_inbox(
    client: Client, agency, clerk, issued, sender
) -> None:  # type: ignore[no-untyped-def]
    services.dispatch_outgoing(issued(attachments=1), clerk=sender, units=[agency])
    message = InboundMessage.objects.get()
    as_user(client, clerk)
    inbox = client.get(reverse("documents:inbox")).content.decode()
    assert "12/QĐ-STC" in inbox
    assert 'Chờ vào sổ <span class="count">(1)</span>' in inbox or "(1)" in inbox
    detail_url = reverse("documents:inbound_detail", kwargs={"message_id": message.pk})
    detail = client.get(detail_url).content.decode()
    assert "Vào sổ văn bản đến" in detail
    assert "Hợp lệ" in detail  # the PDF's signatures, checked now
    assert "phu-luc-1.pdf" in detail
    pdf = client.get(
        reverse("documents:inbound_file", kwargs={"message_id": message.pk})
    )
    assert pdf["Content-Type"] == "application/pdf"
    response = client.post(
        reverse("documents:inbound_register", kwargs={"message_id": message.pk}),
        follow=True,
    )
    assert "Đã vào sổ văn bản đến, số đến 1/" in response.content.decode()
    message.refresh_from_db()
    assert message.status == InboundStatus.REGISTERED
    assert (
        "Chưa có văn bản nào"
        in client.get(reverse("documents:inbox"), {"tab": "rejected"}).content.decode()
    )
    assert Dispatch.objects.get().status == DispatchStatus.REGISTERED


def test_the_recipient_rejects_with_a_reason(
    client: Client, agency, clerk, issued, sender
) -> None:  # type: ignore[no-untyped-def]
    services.dispatch_outgoing(issued(), clerk=sender, units=[agency])
    message = InboundMessage.objects.get()
    as_user(client, clerk)
    url = reverse("documents:inbound_reject", kwargs={"message_id": message.pk})
    empty = client.post(url, {"reason": ""})
    assert flashed(empty) == ["Cần ghi lý do từ chối."]
    client.post(url, {"reason": "Gửi nhầm"})
    message.refresh_from_db()
    assert message.status == InboundStatus.REJECTED
    assert Dispatch.objects.get().receipts.last().note == "Gửi nhầm"


def test_take_back_and_revoke_from_the_pages(
    client: Client, agency, clerk, issued, sender
) -> None:  # type: ignore[no-untyped-def]
    document = issued()
    (dispatch,) = services.dispatch_outgoing(document, clerk=sender, units=[agency])
    message = InboundMessage.objects.get()
    incoming = services.register_inbound(message, clerk=clerk)
    sender_client, clerk_client = Client(), Client()
    as_user(sender_client, sender)
    as_user(clerk_client, clerk)
    status_page = reverse(
        "documents:outgoing_dispatches", kwargs={"document_id": document.pk}
    )
    assert "Lấy lại văn bản" in sender_client.get(status_page).content.decode()
    asked = sender_client.post(
        reverse("documents:dispatch_take_back", kwargs={"dispatch_id": dispatch.pk}),
        {"reason": "Cần sửa"},
    )
    assert "chờ văn thư bên nhận trả lời" in flashed(asked)[0]
    detail = clerk_client.get(
        reverse("documents:inbound_detail", kwargs={"message_id": message.pk})
    ).content.decode()
    assert "Bên gửi xin lấy lại văn bản" in detail
    assert "Cần sửa" in detail
    clerk_client.post(
        reverse(
            "documents:inbound_take_back_answer", kwargs={"message_id": message.pk}
        ),
        {"answer": "refuse", "reason": "Đã xử lý xong"},
    )
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.TAKE_BACK_REFUSED
    revoked = sender_client.post(
        reverse("documents:outgoing_revoke", kwargs={"document_id": document.pk}),
        {"reason": "Ban hành sai thẩm quyền"},
        follow=True,
    )
    assert "Đã thu hồi văn bản 12/QĐ-STC" in revoked.content.decode()
    document.refresh_from_db()
    assert document.status == OutgoingStatus.REVOKED
    incoming.refresh_from_db()
    assert incoming.status == IncomingStatus.REVOKED
    detail = clerk_client.get(
        reverse("documents:inbound_detail", kwargs={"message_id": message.pk})
    ).content.decode()
    assert "Bên gửi đã thu hồi văn bản này" in detail


def test_edxml_upload_page(
    client: Client, issued, sender, province, settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings.DOCUMENTS_EDXML_FOLDER = str(tmp_path / "edxml")
    code = "000.00.31.H56"
    (dispatch,) = services.dispatch_outgoing(
        issued(), clerk=sender, external=[(code, "Sở Tư pháp tỉnh Khánh Hòa")]
    )
    package = services.export_package(dispatch)
    receiver = factories.orgunit(name="Sở Tư pháp", code=code, parent=province)
    receiver_clerk = factories.official(unit=receiver, role=Role.CLERK)
    as_user(client, receiver_clerk)
    url = reverse("documents:edxml_import")
    assert client.get(url).status_code == 200
    tampered = client.post(
        url,
        {
            "file": SimpleUploadedFile(
                "goi-tin.xml", package.replace("phân bổ".encode(), b"phan bo", 1)
            )
        },
    )
    assert tampered.status_code == 400
    assert "Chữ ký số của gói tin không hợp lệ" in tampered.content.decode()
    assert InboundMessage.objects.count() == 0
    response = client.post(
        url, {"file": SimpleUploadedFile("goi-tin.xml", package)}, follow=True
    )
    message = InboundMessage.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "documents:inbound_detail", kwargs={"message_id": message.pk}
    )
    page = response.content.decode()
    assert "Đã nhận gói tin; văn bản đang chờ vào sổ." in page
    assert "Chữ ký số của gói tin edXML" in page
    package_link = reverse(
        "documents:inbound_package", kwargs={"message_id": message.pk}
    )
    assert b"".join(client.get(package_link).streaming_content) == package
    download = Client()
    as_user(download, sender)
    got = download.get(
        reverse("documents:dispatch_edxml", kwargs={"dispatch_id": dispatch.pk})
    )
    assert got.content == package


def test_pages_are_only_for_whom_they_concern(
    client: Client, agency, clerk, issued, sender, signer, province
) -> None:  # type: ignore[no-untyped-def]
    document = issued()
    services.dispatch_outgoing(document, clerk=sender, units=[agency])
    message = InboundMessage.objects.get()
    stranger = factories.official(
        unit=factories.orgunit(name="Sở Y tế", parent=province), role=Role.CLERK
    )
    as_user(client, stranger)
    detail = reverse("documents:inbound_detail", kwargs={"message_id": message.pk})
    assert client.get(detail).status_code == 404
    assert (
        client.post(
            reverse("documents:inbound_register", kwargs={"message_id": message.pk})
        ).status_code
        == 404
    )
    assert "12/QĐ-STC" not in client.get(reverse("documents:inbox")).content.decode()
    dispatch_form = reverse(
        "documents:outgoing_dispatch", kwargs={"document_id": document.pk}
    )
    assert client.get(dispatch_form).status_code == 404
    # The signing leader sees the document but does not dispatch it.
    as_user(client, signer)
    assert client.get(dispatch_form).status_code == 403
    assert client.get(reverse("documents:inbox")).status_code == 403
    client.logout()
    assert client.get(reverse("documents:inbox")).status_code == 302
