"""Pages of the incoming register: list with search and paging, the
registration form, the document page with files, signatures and history."""

import datetime as dt
import re
from io import BytesIO
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

import pytest

from tests import factories
from tests.documents.conftest import BODY_TEXT, kept_files, make_pdf
from tinhso.accounts.models import AccountKind, Role, User
from tinhso.core.models import AuditEntry
from tinhso.documents.constants import Channel, DocumentType, Secrecy
from tinhso.documents.models import InboundMessage, IncomingDocument
from tinhso.documents.services import incoming as services
from tinhso.documents.views import incoming as views
from tinhso.pki import signing

pytestmark = pytest.mark.django_db

LIST = "/documents/incoming/"
NEW = "/documents/incoming/new/"


def register(clerk: Any, agency: Any, **over: Any) -> IncomingDocument:
    fields: dict[str, Any] = {
        "agency": agency,
        "clerk": clerk,
        "file": BytesIO(over.pop("pdf", None) or make_pdf()),
        "file_name": "12-qd-ubnd.pdf",
        "number_symbol": "12/QĐ-UBND",
        "issued_date": timezone.localdate() - dt.timedelta(days=1),
        "issuer_name": "Ủy ban nhân dân tỉnh Tuyên Quang",
        "doc_type": DocumentType.DECISION,
        "subject": "Về việc phê duyệt kế hoạch chuyển đổi số năm 2026",
        "signer_name": "Nguyễn Văn Ân",
    }
    fields.update(over)
    return services.register_incoming(**fields)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    """The page's visible text, tags removed and spaces squeezed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def form_data(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "file": SimpleUploadedFile("qd-12.pdf", make_pdf(), "application/pdf"),
        "number_symbol": "12/QĐ-UBND",
        "doc_type": DocumentType.DECISION,
        "issued_date": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
        "issuer_name": "Ủy ban nhân dân tỉnh Tuyên Quang",
        "subject": "Về việc giao chỉ tiêu chuyển đổi số",
        "signer_name": "Nguyễn Văn Ân",
        "urgency": "normal",
        "secrecy": "normal",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


# The register ---------------------------------------------------------------


def test_register_lists_searches_and_pages(
    agency, clerk, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    register(clerk, agency)
    register(
        clerk,
        agency,
        number_symbol="123/UBND-VP",
        doc_type=DocumentType.OFFICIAL_LETTER,
        subject="Về việc tổ chức hội nghị",
    )
    register(clerk, agency, number_symbol="13/QĐ-UBND", subject="Về việc khen thưởng")
    client = signed_in(clerk)

    page = text(client.get(LIST))
    assert "Sổ văn bản đến" in page
    assert "3 văn bản đến bạn được xem." in page
    assert "12/QĐ-UBND" in page and "123/UBND-VP" in page
    assert "Vào sổ văn bản đến" in page  # the clerk's button

    found = text(client.get(LIST, {"q": "12/QD-UBND"}))
    assert "Tìm thấy 1 văn bản." in found
    assert "12/QĐ-UBND" in found and "13/QĐ-UBND" not in found

    # Nothing found is said once, in the status line a screen reader reads.
    nothing = text(client.get(LIST, {"q": "khong co tu nay"}))
    assert nothing.count("Không có văn bản nào khớp.") == 1
    assert "Tìm thấy 0" not in nothing

    filtered = text(client.get(LIST, {"doc_type": DocumentType.OFFICIAL_LETTER}))
    assert "Tìm thấy 1 văn bản." in filtered and "123/UBND-VP" in filtered

    # A bad value in a bookmark is ignored, the rest still searches.
    stale = client.get(LIST, {"q": "hoi nghi", "date_from": "hôm qua"})
    assert stale.status_code == 200
    assert "123/UBND-VP" in text(stale)

    fragment = client.get(LIST, {"q": "khen thuong"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode()
    assert "13/QĐ-UBND" in text(fragment)

    monkeypatch.setattr(views, "PER_PAGE", 2)
    first = text(client.get(LIST))
    assert "Trang 1 / 2" in first
    second = text(client.get(LIST, {"page": 2}))
    assert "Trang 2 / 2" in second
    assert "12/QĐ-UBND" in second  # oldest last


def test_register_page_needs_an_official(agency, clerk) -> None:  # type: ignore[no-untyped-def]
    register(clerk, agency)
    assert Client().get(LIST).status_code == 302
    citizen = User.objects.create_user(
        username="001090012345", full_name="Trần Văn Dân", kind=AccountKind.CITIZEN
    )
    assert signed_in(citizen).get(LIST).status_code == 403
    specialist = factories.official(unit=agency, role=Role.SPECIALIST)
    page = text(signed_in(specialist).get(LIST))
    assert "12/QĐ-UBND" in page
    assert "Vào sổ văn bản đến" not in page  # no button for non-clerks
    assert signed_in(specialist).get(NEW).status_code == 403


# Registering ---------------------------------------------------------------


def test_clerk_registers_a_pdf_through_the_form(
    agency, clerk, storage_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(clerk)
    form = client.get(NEW)
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.content.decode()

    response = client.post(
        NEW,
        form_data(
            attachments=[
                SimpleUploadedFile("phu-luc-1.pdf", make_pdf("Phu luc 1")),
                SimpleUploadedFile("phu-luc-2.pdf", make_pdf("Phu luc 2")),
            ]
        ),
    )

    document = IncomingDocument.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/documents/incoming/{document.pk}/"
    assert document.agency == agency
    assert document.incoming_number == 1
    assert document.page_count == 1
    assert document.attachments.count() == 2
    assert len(kept_files(storage_dir)) == 3
    page = text(client.get(response["Location"]))
    assert "Đã vào sổ văn bản 12/QĐ-UBND, số đến 1/" in page
    assert "phu-luc-1.pdf" in page and "phu-luc-2.pdf" in page


def test_a_refused_form_says_why_next_to_the_field_and_to_choose_the_file_again(
    agency, clerk, storage_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(clerk)
    response = client.post(NEW, form_data(doc_type=DocumentType.OFFICIAL_LETTER))

    assert response.status_code == 400
    html = response.content.decode()
    page = text(response)
    assert "Chưa vào sổ được: hãy sửa các mục báo lỗi dưới đây." in page
    assert "Tệp đã chọn chưa được lưu: hãy chọn lại tệp văn bản" in page
    assert "Hãy chọn lại tệp: trình duyệt không giữ tệp đã chọn" in page
    # The service's message sits in the number-and-symbol field's block.
    field = html[html.index('for="id_number_symbol"') :]
    field = field[: field.index("</div>")]
    assert "có chữ viết tắt QĐ của Quyết định, nhưng Công văn không có" in field
    # What was typed is kept.
    assert 'value="12/QĐ-UBND"' in html
    assert IncomingDocument.objects.count() == 0
    assert kept_files(storage_dir) == []


def test_a_file_that_is_not_a_pdf_is_refused_at_the_file_field(agency, clerk) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(clerk).post(
        NEW,
        form_data(file=SimpleUploadedFile("qd-12.pdf", b"khong phai PDF\n" * 30)),
    )
    html = response.content.decode()
    assert response.status_code == 400
    field = html[html.index('for="id_file"') :]
    field = field[: field.index("</div>")]
    assert "Nội dung tệp qd-12.pdf không phải là tệp PDF" in field
    assert IncomingDocument.objects.count() == 0


def test_missing_fields_are_marked(agency, clerk) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(clerk).post(
        NEW, form_data(file=None, subject="", number_symbol="")
    )
    assert response.status_code == 400
    page = text(response)
    assert (
        page.count("This field is required.") + page.count("Trường này là bắt buộc.")
        == 3
    )
    # No file was chosen: nothing to choose again.
    assert "chọn lại tệp" not in page


def test_a_clerk_of_two_agencies_chooses_the_register(
    agency, other_agency, clerk
) -> None:  # type: ignore[no-untyped-def]
    from tinhso.accounts import services as accounts

    accounts.assign_role(clerk, role=Role.CLERK, org_unit=other_agency)
    clerk = User.objects.get(pk=clerk.pk)
    client = signed_in(clerk)
    assert '<select name="agency"' in client.get(NEW).content.decode()
    response = client.post(NEW, form_data(agency=other_agency.pk))
    assert response.status_code == 302
    assert IncomingDocument.objects.get().agency == other_agency
    # A unit where they are not clerk is not offered, nor accepted.
    third = factories.orgunit(name="Sở Y tế", parent=agency.parent)
    refused = client.post(NEW, form_data(agency=third.pk))
    assert refused.status_code == 400
    assert IncomingDocument.objects.count() == 1


# One document ---------------------------------------------------------------


def test_detail_shows_metadata_signatures_and_history(
    agency, clerk, certificate
) -> None:  # type: ignore[no-untyped-def]
    document = register(clerk, agency, pdf=signing.sign_pdf(make_pdf(), certificate))
    page = text(signed_in(clerk).get(f"/documents/incoming/{document.pk}/"))

    assert "Quyết định 12/QĐ-UBND" in page
    assert "Về việc phê duyệt kế hoạch chuyển đổi số năm 2026" in page
    assert "Ủy ban nhân dân tỉnh Tuyên Quang" in page
    # The signature panel.
    assert "Chữ ký số" in page
    assert "Người ký (chủ thể chứng thư) Nguyễn Văn Ân" in page
    assert "Hợp lệ" in page
    assert "Nội dung không bị thay đổi sau khi ký" in page
    assert "Do CA gốc tin cậy cấp" in page
    assert "Phạm vi ký Toàn bộ tệp" in page
    assert views.grouped(certificate.fingerprint) in page
    # The history, from the audit log.
    assert re.search(r"Lịch sử .* Vào sổ văn bản đến Lý Thị Mai", page)


def test_detail_of_a_tampered_or_unsigned_pdf(agency, clerk, certificate) -> None:  # type: ignore[no-untyped-def]
    signed = bytearray(signing.sign_pdf(make_pdf(), certificate))
    signed[signed.index(BODY_TEXT.encode())] ^= 0x01
    tampered = register(clerk, agency, pdf=bytes(signed))
    unsigned = register(clerk, agency)
    client = signed_in(clerk)

    page = text(client.get(f"/documents/incoming/{tampered.pk}/"))
    assert "Không hợp lệ" in page
    assert "Nội dung đã bị thay đổi sau khi ký" in page
    page = text(client.get(f"/documents/incoming/{unsigned.pk}/"))
    assert "Tệp không có chữ ký số." in page


def test_detail_shows_the_electronic_source(agency, clerk) -> None:  # type: ignore[no-untyped-def]
    document = register(clerk, agency)
    InboundMessage.objects.create(
        agency=agency,
        channel=Channel.EDXML,
        message_id="000.00.00.G01,2026/01/05,12/QĐ-UBND",
        sender_code="000.00.00.G01",
        sender_name="Bộ Nội vụ",
        main_file=document.main_file,
        incoming=document,
    )
    page = text(signed_in(clerk).get(f"/documents/incoming/{document.pk}/"))
    assert "Nguồn điện tử" in page
    assert "Nơi gửi Bộ Nội vụ 000.00.00.G01" in page
    assert "Gói tin edXML" in page
    assert "000.00.00.G01, 2026/01/05, 12/QĐ-UBND" in page
    plain = register(clerk, agency)
    assert "Nguồn điện tử" not in text(
        signed_in(clerk).get(f"/documents/incoming/{plain.pk}/")
    )


def test_files_are_served_only_to_those_who_see_the_document(
    agency, other_agency, clerk, other_clerk
) -> None:  # type: ignore[no-untyped-def]
    pdf = make_pdf("Noi dung rieng")
    document = register(
        clerk,
        agency,
        pdf=pdf,
        attachments=[(BytesIO(make_pdf("Phu luc")), "phu-luc.pdf")],
    )
    attachment = document.attachments.get()
    client = signed_in(clerk)

    response = client.get(f"/documents/incoming/{document.pk}/file/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == pdf
    assert "private" in response["Cache-Control"]
    download = client.get(f"/documents/incoming/{document.pk}/file/?download=1")
    assert download["Content-Disposition"].startswith("attachment;")
    assert (
        client.get(
            f"/documents/incoming/{document.pk}/attachments/{attachment.pk}/"
        ).status_code
        == 200
    )

    outsider = signed_in(other_clerk)
    for url in (
        f"/documents/incoming/{document.pk}/",
        f"/documents/incoming/{document.pk}/file/",
        f"/documents/incoming/{document.pk}/attachments/{attachment.pk}/",
    ):
        assert outsider.get(url).status_code == 404
    # An attachment id of another document does not open through this one.
    theirs = register(
        other_clerk,
        other_agency,
        attachments=[(BytesIO(make_pdf("Cua ho")), "cua-ho.pdf")],
    )
    assert (
        client.get(
            f"/documents/incoming/{document.pk}/attachments/"
            f"{theirs.attachments.get().pk}/"
        ).status_code
        == 404
    )


def test_a_secret_document_is_hidden_and_its_files_opening_logged(
    agency, clerk
) -> None:  # type: ignore[no-untyped-def]
    secret = register(clerk, agency, secrecy=Secrecy.SECRET)
    specialist = factories.official(unit=agency, role=Role.SPECIALIST)
    assert (
        signed_in(specialist).get(f"/documents/incoming/{secret.pk}/").status_code
        == 404
    )
    assert "Chưa có văn bản đến nào bạn được xem." in text(
        signed_in(specialist).get(LIST)
    )

    director = factories.official(unit=agency, role=Role.LEADER, full_name="Hà Văn Sơn")
    client = signed_in(director)
    page = text(client.get(f"/documents/incoming/{secret.pk}/"))
    assert "Tối mật" in page and "Văn bản mật" in page
    response = client.get(f"/documents/incoming/{secret.pk}/file/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action=services.ACTION_INCOMING_DOWNLOAD)
    assert (entry.actor, entry.object_id) == (director, str(secret.pk))
    page = text(client.get(f"/documents/incoming/{secret.pk}/"))
    assert "Mở tệp của văn bản mật Hà Văn Sơn" in page


def test_opening_a_normal_document_is_not_logged(agency, clerk) -> None:  # type: ignore[no-untyped-def]
    document = register(clerk, agency)
    signed_in(clerk).get(f"/documents/incoming/{document.pk}/file/")
    assert not AuditEntry.objects.filter(
        action=services.ACTION_INCOMING_DOWNLOAD
    ).exists()


def test_the_secret_register_is_labelled_and_filtered(agency, clerk) -> None:  # type: ignore[no-untyped-def]
    ordinary = register(clerk, agency, subject="Về việc tổng kết công tác năm 2025")
    secret = register(
        clerk,
        agency,
        secrecy=Secrecy.CONFIDENTIAL,
        subject="Về việc bảo vệ bí mật nhà nước",
    )
    client = signed_in(clerk)
    page = client.get(LIST).content.decode()
    assert 'name="series"' in page and "Sổ văn bản mật" in page
    assert page.count("Sổ mật</span>") == 1  # the secret one's number only
    only_secret = text(client.get(LIST, {"series": "secret"}))
    assert secret.subject in only_secret and ordinary.subject not in only_secret
    only_ordinary = text(client.get(LIST, {"series": "ordinary"}))
    assert ordinary.subject in only_ordinary and secret.subject not in only_ordinary
    assert "Tìm thấy 1 văn bản." in only_ordinary
    detail = text(client.get(f"/documents/incoming/{secret.pk}/"))
    assert "Số đến 1/" in detail and "trong sổ văn bản mật đến" in detail
    # Who sees no secret document is not offered the secret register.
    specialist = factories.official(unit=agency, role=Role.SPECIALIST)
    theirs = signed_in(specialist).get(LIST)
    assert 'name="series"' not in theirs.content.decode()
    assert ordinary.subject in text(theirs)


def test_registering_a_secret_document_says_which_register(agency, clerk) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(clerk).post(
        NEW, form_data(agency=agency.pk, secrecy=Secrecy.SECRET), follow=True
    )
    assert "Đã vào sổ văn bản mật đến: 12/QĐ-UBND, số đến 1/" in text(response)
    assert IncomingDocument.objects.get().secret_series
