"""The exchange through /api/v1/documents/: dispatch, inbox, register, reject,
take-back, revoke, edXML import (raw body and upload) and download; errors as
problem+json; another agency's inbox is a 404."""

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

import pytest

from tests import factories
from tinhso.accounts import services as accounts
from tinhso.accounts.models import Role
from tinhso.core.models import AuditEntry
from tinhso.documents.constants import DispatchStatus, IncomingStatus, Secrecy
from tinhso.documents.models import Dispatch, InboundMessage, IncomingDocument
from tinhso.documents.services import exchange as services

pytestmark = pytest.mark.django_db

BASE = "/api/v1/documents"
PROBLEM = "application/problem+json"


def bearer(user: Any) -> dict[str, str]:
    _token, secret = accounts.issue_token(user, "liên thông")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def folder(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.DOCUMENTS_EDXML_TRANSPORT = "folder"
    settings.DOCUMENTS_EDXML_FOLDER = str(tmp_path / "edxml")
    return tmp_path / "edxml"


def test_dispatch_inbox_register_and_receipts_through_the_api(
    client: Client, agency, clerk, issued, sender
) -> None:  # type: ignore[no-untyped-def]
    document = issued()
    as_sender, as_clerk = bearer(sender), bearer(clerk)
    response = client.post(
        f"{BASE}/outgoing/{document.pk}/dispatches",
        {"units": [agency.pk]},
        content_type="application/json",
        **as_sender,
    )
    assert response.status_code == 201, response.content
    (sent,) = response.json()
    assert sent["channel"] == "internal"
    assert sent["status"] == DispatchStatus.ARRIVED
    assert [r["status"] for r in sent["receipts"]] == ["01"]

    listing = client.get(f"{BASE}/inbox", **as_clerk).json()
    assert listing["count"] == 1
    (item,) = listing["items"]
    assert item["number_symbol"] == "12/QĐ-STC"
    assert item["status"] == "pending"
    detail = client.get(f"{BASE}/inbox/{item['id']}", **as_clerk).json()
    assert detail["metadata"]["subject"] == document.subject
    assert detail["signatures"] and all(s["ok"] for s in detail["signatures"])
    assert detail["main_file"]["sha256"] == document.issued_file.sha256

    registered = client.post(f"{BASE}/inbox/{item['id']}/register", **as_clerk)
    assert registered.status_code == 201
    assert registered.json()["incoming_number"] == 1
    again = client.post(f"{BASE}/inbox/{item['id']}/register", **as_clerk)
    assert again.status_code == 409
    assert again["Content-Type"] == PROBLEM
    assert again.json()["code"] == "inbox_not_pending"

    followed = client.get(f"{BASE}/outgoing/{document.pk}/dispatches", **as_sender)
    assert [r["status"] for r in followed.json()[0]["receipts"]] == ["01", "03"]
    assert (
        client.get(f"{BASE}/inbox?status=registered", **as_clerk).json()["count"] == 1
    )


def test_reject_needs_a_reason(client: Client, agency, clerk, issued, sender) -> None:  # type: ignore[no-untyped-def]
    services.dispatch_outgoing(issued(), clerk=sender, units=[agency])
    message = InboundMessage.objects.get()
    as_clerk = bearer(clerk)
    url = f"{BASE}/inbox/{message.pk}/reject"
    empty = client.post(
        url, {"reason": ""}, content_type="application/json", **as_clerk
    )
    assert empty.status_code == 400
    assert empty.json()["detail"] == "Cần ghi lý do từ chối."
    done = client.post(
        url,
        {"reason": "Không thuộc thẩm quyền"},
        content_type="application/json",
        **as_clerk,
    )
    assert done.status_code == 200
    assert done.json()["status"] == "rejected"
    assert Dispatch.objects.get().status == DispatchStatus.REJECTED


def test_take_back_and_its_answer(
    client: Client, agency, clerk, issued, sender
) -> None:  # type: ignore[no-untyped-def]
    document = issued()
    (dispatch,) = services.dispatch_outgoing(document, clerk=sender, units=[agency])
    message = InboundMessage.objects.get()
    incoming = services.register_inbound(message, clerk=clerk)
    as_sender, as_clerk = bearer(sender), bearer(clerk)
    asked = client.post(
        f"{BASE}/dispatches/{dispatch.pk}/take-back",
        {"reason": "Sai số liệu"},
        content_type="application/json",
        **as_sender,
    )
    assert asked.status_code == 200
    assert asked.json()["status"] == DispatchStatus.TAKE_BACK_REQUESTED
    seen = client.get(f"{BASE}/inbox/{message.pk}", **as_clerk).json()
    assert seen["take_back_requested"] is True
    # The sender cannot answer for the recipient: not even found there.
    foreign = client.post(
        f"{BASE}/inbox/{message.pk}/take-back/accept",
        {},
        content_type="application/json",
        **as_sender,
    )
    assert foreign.status_code == 404
    accepted = client.post(
        f"{BASE}/inbox/{message.pk}/take-back/accept",
        {"note": "Đồng ý"},
        content_type="application/json",
        **as_clerk,
    )
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "taken_back"
    incoming.refresh_from_db()
    assert incoming.status == IncomingStatus.REVOKED


def test_revoke_through_the_api(client: Client, agency, clerk, issued, sender) -> None:  # type: ignore[no-untyped-def]
    document = issued()
    services.dispatch_outgoing(document, clerk=sender, units=[agency])
    url = f"{BASE}/outgoing/{document.pk}/revoke"
    denied = client.post(
        url, {"reason": "x"}, content_type="application/json", **bearer(clerk)
    )
    assert denied.status_code == 404  # not the recipient's document to see
    done = client.post(
        url,
        {"reason": "Ban hành sai"},
        content_type="application/json",
        **bearer(sender),
    )
    assert done.status_code == 200
    assert done.json()["status"] == "revoked"


def test_secret_dispatch_is_refused_and_audited(
    client: Client, agency, issued, sender
) -> None:  # type: ignore[no-untyped-def]
    document = issued(secrecy=Secrecy.SECRET)
    response = client.post(
        f"{BASE}/outgoing/{document.pk}/dispatches",
        {"units": [agency.pk]},
        content_type="application/json",
        **bearer(sender),
    )
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "dispatch_secret_refused"
    assert response.json()["detail"].startswith("Văn bản mật không được gửi qua mạng")
    assert Dispatch.objects.count() == 0
    assert AuditEntry.objects.filter(action=services.ACTION_REFUSED_SECRET).count() == 1


def test_another_agencys_clerk_gets_404(
    client: Client, agency, clerk, issued, sender, province
) -> None:  # type: ignore[no-untyped-def]
    services.dispatch_outgoing(issued(), clerk=sender, units=[agency])
    message = InboundMessage.objects.get()
    stranger = factories.official(
        unit=factories.orgunit(name="Sở Y tế", parent=province), role=Role.CLERK
    )
    as_stranger = bearer(stranger)
    assert client.get(f"{BASE}/inbox", **as_stranger).json()["count"] == 0
    for method, url in (
        ("get", f"{BASE}/inbox/{message.pk}"),
        ("post", f"{BASE}/inbox/{message.pk}/register"),
        ("post", f"{BASE}/inbox/{message.pk}/reject"),
    ):
        response = getattr(client, method)(
            url, {"reason": "x"}, content_type="application/json", **as_stranger
        )
        assert response.status_code == 404, url
        assert response.json()["code"] == "inbound_not_found"
    assert IncomingDocument.objects.count() == 0


def test_edxml_export_and_import_through_the_api(
    client: Client, issued, sender, province, folder: Path
) -> None:  # type: ignore[no-untyped-def]
    document = issued()
    code = "000.00.31.H56"
    (dispatch,) = services.dispatch_outgoing(
        document, clerk=sender, external=[(code, "Sở Tư pháp tỉnh Khánh Hòa")]
    )
    download = client.get(f"{BASE}/dispatches/{dispatch.pk}/edxml", **bearer(sender))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/xml")
    package = download.content
    receiver = factories.orgunit(name="Sở Tư pháp", code=code, parent=province)
    receiver_clerk = factories.official(unit=receiver, role=Role.CLERK)
    as_receiver = bearer(receiver_clerk)
    raw = client.post(
        f"{BASE}/edxml/import", package, content_type="application/xml", **as_receiver
    )
    assert raw.status_code == 201, raw.content
    body = raw.json()
    assert body["kind"] == "document" and body["created"] is True
    assert body["inbound"][0]["number_symbol"] == "12/QĐ-STC"
    upload = client.post(
        f"{BASE}/edxml/import",
        {"file": SimpleUploadedFile("goi-tin.xml", package, "application/xml")},
        **as_receiver,
    )
    assert upload.status_code == 200
    assert upload.json()["created"] is False
    assert upload.json()["inbound"][0]["id"] == body["inbound"][0]["id"]
    tampered = client.post(
        f"{BASE}/edxml/import",
        package.replace("phân bổ".encode(), b"phan bo", 1),
        content_type="application/xml",
        **as_receiver,
    )
    assert tampered.status_code == 422
    assert tampered["Content-Type"] == PROBLEM
    assert tampered.json()["code"] == "edxml_bad_signature"
    empty = client.post(
        f"{BASE}/edxml/import", b"", content_type="application/xml", **as_receiver
    )
    assert empty.status_code == 400
    assert InboundMessage.objects.count() == 1
    denied = client.post(
        f"{BASE}/edxml/import",
        package,
        content_type="application/xml",
        **bearer(sender),
    )
    assert denied.status_code == 403
