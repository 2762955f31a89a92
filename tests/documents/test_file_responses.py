"""Files handed back to the browser: only a PDF or an image is shown in
place, everything else is a download, and every file comes sandboxed so an
XHTML or SVG attachment never runs its script as the official who opens it."""

from io import BytesIO
from typing import Any

from django.test import Client
from django.urls import reverse

import pytest
from PIL import Image

from tests import factories
from tests.documents.conftest import make_pdf
from tests.documents.test_exchange_support import issue, seal_for, sender_clerk
from tests.documents.test_incoming import register
from tests.documents.test_outgoing import issued, office  # noqa: F401
from tinhso.accounts.models import Role
from tinhso.core import files
from tinhso.documents.constants import Secrecy
from tinhso.documents.models import InboundMessage, OutgoingAttachment
from tinhso.documents.services import exchange
from tinhso.pki import services as pki

pytestmark = pytest.mark.django_db

# What the finding was about: an XML file in the XHTML namespace is a web
# page to a browser, and its script would run in the platform's origin.
XHTML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<html xmlns="http://www.w3.org/1999/xhtml"><body>'
    b"<script>fetch('/accounts/profile/').then(r => r.text())</script>"
    b"Bang ke</body></html>\n"
)
SANDBOXED = "sandbox; default-src 'none'"


def png() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (4, 4), (200, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def downloaded(response: Any) -> None:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == SANDBOXED


def shown(response: Any, content_type: str) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    # WebKit shows no PDF in a sandboxed document; images stay sandboxed.
    assert ("sandbox" in policy) == (content_type != "application/pdf")


def test_incoming_xml_attachment_is_a_sandboxed_download(agency, clerk) -> None:  # type: ignore[no-untyped-def]
    document = register(
        clerk,
        agency,
        attachments=[(BytesIO(XHTML), "bang-ke.xml"), (BytesIO(png()), "anh.png")],
    )
    xml, image = document.attachments.order_by("pk")
    client = as_user(clerk)

    def attachment(item: Any, **query: str) -> Any:
        return client.get(
            reverse(
                "documents:incoming_attachment",
                kwargs={"document_id": document.pk, "attachment_id": item.pk},
            ),
            query,
        )

    page = attachment(xml)
    downloaded(page)
    assert 'filename="bang-ke.xml"' in page["Content-Disposition"]
    assert b"".join(page.streaming_content) == XHTML  # the bytes, untouched
    shown(attachment(image), "image/png")
    downloaded(attachment(image, download="1"))

    main = reverse("documents:incoming_file", kwargs={"document_id": document.pk})
    preview = client.get(main)
    shown(preview, "application/pdf")
    assert preview["Cache-Control"] == "private"
    downloaded(client.get(main, {"download": "1"}))


def test_a_secret_documents_files_are_kept_out_of_caches(agency, clerk) -> None:  # type: ignore[no-untyped-def]
    document = register(clerk, agency, secrecy=Secrecy.SECRET)
    response = as_user(clerk).get(
        reverse("documents:incoming_file", kwargs={"document_id": document.pk})
    )
    shown(response, "application/pdf")
    assert set(response["Cache-Control"].split(", ")) == {"private", "no-store"}


def test_inbox_xml_attachment_is_a_sandboxed_download(
    agency, clerk, other_agency, signer, certificate
) -> None:  # type: ignore[no-untyped-def]
    sender = sender_clerk(other_agency)
    document = issue(
        agency=other_agency,
        clerk=sender,
        signer=signer,
        certificate=certificate,
        seal=seal_for(other_agency),
    )
    OutgoingAttachment.objects.create(
        document=document,
        file=files.store(BytesIO(XHTML), "bang-ke.xml", uploaded_by=sender),
    )
    exchange.dispatch_outgoing(document, clerk=sender, units=[agency])
    message = InboundMessage.objects.get()
    xml = message.attachments.get(name="bang-ke.xml")
    client = as_user(clerk)
    downloaded(
        client.get(
            reverse(
                "documents:inbound_attachment",
                kwargs={"message_id": message.pk, "file_id": xml.pk},
            )
        )
    )
    main = reverse("documents:inbound_file", kwargs={"message_id": message.pk})
    shown(client.get(main), "application/pdf")
    downloaded(client.get(main, {"download": "1"}))


def test_outgoing_files_show_a_pdf_only_when_asked(office) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    document = issued(office)
    OutgoingAttachment.objects.create(
        document=document,
        file=files.store(BytesIO(XHTML), "bang-ke.xml", uploaded_by=office.clerk),
    )
    client = as_user(office.clerk)
    url = reverse(
        "documents:outgoing_file",
        kwargs={"document_id": document.pk, "which": "issued"},
    )
    preview = client.get(url, {"inline": "1"})
    shown(preview, "application/pdf")
    assert set(preview["Cache-Control"].split(", ")) == {"private", "no-store"}
    downloaded(client.get(url))


def test_the_root_certificate_download_is_sandboxed(agency, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path
    root = pki.create_demo_root()
    user = factories.official(unit=agency, role=Role.SPECIALIST)
    response = as_user(user).get(reverse("pki:root_pem", kwargs={"root_id": root.pk}))
    downloaded(response)


def test_only_checked_pdfs_and_images_are_ever_shown_in_place(
    agency, clerk, storage_dir
) -> None:  # type: ignore[no-untyped-def]
    """Whatever a view asks, the decision rests on the sniffed type."""
    kept = {
        name: files.store(BytesIO(data), name, uploaded_by=clerk)
        for name, data in (
            ("van-ban.pdf", make_pdf()),
            ("anh.png", png()),
            ("bang-ke.xml", XHTML),
            ("ghi-chu.txt", "Ghi chú".encode()),
            ("so-lieu.csv", b"a,b\n1,2\n"),
            ("du-lieu.json", b'{"a": 1}'),
        )
    }
    for name, stored in kept.items():
        response = files.response(stored)
        inline = response["Content-Disposition"].startswith("inline;")
        assert inline == (name in ("van-ban.pdf", "anh.png")), name
        assert response["X-Content-Type-Options"] == "nosniff"
        if not inline:
            assert response["Content-Security-Policy"] == SANDBOXED
        response.close()
