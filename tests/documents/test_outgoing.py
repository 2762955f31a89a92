"""Outgoing documents: drafts with versions, the review chain, the signer's
PAdES signature in Decree 30's place, and issue with a gap-free number and
the agency's seal. Real PDFs, real keys, real LibreOffice: no mocks.

The ``office`` fixture and the helpers below are shared with the page, API
and concurrency tests of this part.
"""

import datetime as dt
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from django.utils import timezone

import docx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from tests import factories
from tests.documents.conftest import kept_files
from tinhso.accounts.models import Role
from tinhso.core import audit, files, numbering
from tinhso.core.errors import Conflict, DomainError, Forbidden, NotFound
from tinhso.core.models import AuditEntry, OrgUnit, OrgUnitKind, StoredFile
from tinhso.documents.constants import (
    DocumentType,
    OutgoingStatus,
    ReviewActionKind,
    Secrecy,
)
from tinhso.documents.models import (
    AgencyProfile,
    DraftVersion,
    OutgoingDocument,
    ReviewAction,
)
from tinhso.documents.selectors import outgoing as selectors
from tinhso.documents.services import convert
from tinhso.documents.services import outgoing as services
from tinhso.pki import services as pki
from tinhso.pki import signing
from tinhso.pki.models import Certificate, TrustedRoot

pytestmark = pytest.mark.django_db

POSITION = "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"
SIGNER_NAME = "Hoàng Thị Thu"
BODY = "Về việc phê duyệt kế hoạch chuyển đổi số năm 2026 của Sở"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def signature_pdf(*body: str, pages: int = 1) -> bytes:
    """A draft as LibreOffice or Word would print it: body text, then the
    signature block (title, room for the signature, name) on the last page."""
    if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVu", FONT))
    buffer = BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, pageCompression=0)
    for number in range(pages):
        page.setFont("DejaVu", 13)
        for row, line in enumerate(body or (BODY,)):
            page.drawString(72, 760 - 20 * row, line)
        if number == pages - 1:
            page.drawString(72, 560, "Nơi nhận:")
            for y, line in ((560, "KT. GIÁM ĐỐC"), (544, "PHÓ GIÁM ĐỐC")):
                page.drawCentredString(430, y, line)
            page.drawCentredString(430, 460, SIGNER_NAME)
        page.showPage()
    page.save()
    return buffer.getvalue()


@dataclass
class Office:
    """One agency with a department, its people, certificates and chain."""

    agency: OrgUnit
    department: OrgUnit
    drafter: Any
    colleague: Any
    head: Any
    chief: Any
    leader: Any
    clerk: Any
    admin: Any
    outsider: Any
    other_agency: OrgUnit


@pytest.fixture
def office(province, settings, tmp_path) -> Office:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path
    agency = factories.orgunit(name="Sở Nội vụ", parent=province)
    AgencyProfile.objects.create(agency=agency, symbol="SNV", place_name="Tuyên Quang")
    department = factories.orgunit(
        kind=OrgUnitKind.DEPARTMENT, name="Phòng Tổ chức cán bộ", parent=agency
    )
    other = factories.orgunit(name="Sở Tài chính", parent=province)

    def person(unit: OrgUnit, role: str, name: str) -> Any:
        return factories.official(unit=unit, role=role, full_name=name)

    office = Office(
        agency=agency,
        department=department,
        drafter=person(department, Role.SPECIALIST, "Trần Văn Bình"),
        colleague=person(department, Role.SPECIALIST, "Đỗ Thị Lan"),
        head=person(department, Role.LEADER, "Phạm Quốc Hùng"),
        chief=person(agency, Role.SPECIALIST, "Vũ Thị Hạnh"),
        leader=person(agency, Role.LEADER, SIGNER_NAME),
        clerk=person(agency, Role.CLERK, "Lý Thị Mai"),
        admin=factories.administrator(province, full_name="Lê Văn Cường"),
        outsider=person(other, Role.SPECIALIST, "Ngô Văn Tài"),
        other_agency=other,
    )
    pki.create_demo_root()
    pki.issue_demo_certificate(office.leader)
    pki.issue_demo_certificate(agency)
    services.set_review_chain(
        agency,
        office.admin,
        [
            ("Trưởng phòng thẩm định", office.head),
            ("Văn phòng kiểm tra thể thức", office.chief),
        ],
    )
    return office


def fields(office: Office, **over: Any) -> services.DraftFields:
    values: dict[str, Any] = {
        "doc_type": DocumentType.DECISION,
        "subject": "Về việc phê duyệt kế hoạch chuyển đổi số năm 2026",
        "signer": office.leader,
        "signer_position": POSITION,
        "recipients_note": "Như Điều 3;\nLưu: VT, TCCB.",
    }
    values.update(over)
    return services.DraftFields(**values)


def new_draft(
    office: Office,
    pdf: bytes | None = None,
    *,
    drafter: Any = None,
    file_name: str = "du-thao.pdf",
    **over: Any,
) -> OutgoingDocument:
    return services.create_draft(
        agency=office.agency,
        drafter=drafter or office.drafter,
        fields=fields(office, **over),
        file=BytesIO(pdf if pdf is not None else signature_pdf()),
        file_name=file_name,
    )


def approved(office: Office, **over: Any) -> OutgoingDocument:
    document = services.submit(new_draft(office, **over), office.drafter)
    document = services.approve(document, office.head)
    return services.approve(document, office.chief)


def signed(office: Office, **over: Any) -> OutgoingDocument:
    return services.sign_outgoing(approved(office, **over), office.leader)


def issued(office: Office, **over: Any) -> OutgoingDocument:
    return services.issue_outgoing(signed(office, **over), office.clerk)


def read(stored: StoredFile | None) -> bytes:
    assert stored is not None
    with files.open_file(stored) as handle:
        return bytes(handle.read())


def actions(document: OutgoingDocument) -> list[str]:
    return list(
        ReviewAction.objects.filter(document=document)
        .order_by("created_at", "pk")
        .values_list("kind", flat=True)
    )


# Drafting -------------------------------------------------------------------


def test_a_pdf_draft_keeps_its_metadata_and_first_version(office, storage_dir) -> None:  # type: ignore[no-untyped-def]
    document = new_draft(office, secrecy=Secrecy.NORMAL)
    document.refresh_from_db()
    assert document.status == OutgoingStatus.DRAFT
    assert document.agency == office.agency
    # The drafter's own department is the drafting unit unless chosen.
    assert document.drafting_unit == office.department
    assert document.signer == office.leader
    assert document.signer_position == POSITION
    [version] = selectors.versions_of(document)
    assert version.number == 1
    assert version.source_file == version.pdf_file
    assert version.pdf_file.content_type == "application/pdf"
    assert len(kept_files(storage_dir)) == 1
    entry = AuditEntry.objects.get(action=services.ACTION_CREATE)
    assert entry.object_id == str(document.pk)
    assert audit.verify() is None


@pytest.mark.skipif(convert.soffice_path() is None, reason="LibreOffice missing")
def test_a_docx_draft_is_converted_to_pdf_and_signed_in_place(office, tmp_path) -> None:  # type: ignore[no-untyped-def]
    word = docx.Document()
    word.add_paragraph("QUYẾT ĐỊNH về việc phê duyệt ruộng bậc thang Hoàng Su Phì")
    word.add_paragraph("Điều 1. Giao Phòng Tổ chức cán bộ thực hiện.")
    for line in ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "", "", "", SIGNER_NAME):
        word.add_paragraph(line)
    buffer = BytesIO()
    word.save(buffer)
    document = new_draft(office, buffer.getvalue(), file_name="quyet-dinh.docx")
    [version] = selectors.versions_of(document)
    assert version.source_file.name == "quyet-dinh.docx"
    assert version.pdf_file.name == "quyet-dinh.pdf"
    pdf = read(version.pdf_file)
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    assert "ruộng bậc thang Hoàng Su Phì" in text
    assert "Điều 1" in text

    document = services.sign_outgoing(approved_from(office, document), office.leader)
    place = signing.field_placement(read(document.signed_file), services.SIGNER_FIELD)
    assert place is not None
    lines = _line_heights(pdf)
    # Decree 30: the signer's image sits between the title and the name.
    assert lines["PHÓ GIÁM ĐỐC"] > place.box[1] >= lines[SIGNER_NAME]
    assert lines["PHÓ GIÁM ĐỐC"] >= place.box[3] > lines[SIGNER_NAME]


def approved_from(office: Office, document: OutgoingDocument) -> OutgoingDocument:
    document = services.submit(document, office.drafter)
    document = services.approve(document, office.head)
    return services.approve(document, office.chief)


def _line_heights(pdf: bytes) -> dict[str, float]:
    heights: dict[str, float] = {}

    def visit(text: str, cm: Any, tm: Any, _font: Any, _size: float) -> None:
        if text.strip():
            heights[text.strip()] = tm[5] * cm[3] + cm[5]

    PdfReader(BytesIO(pdf)).pages[-1].extract_text(visitor_text=visit)
    return heights


def test_without_libreoffice_a_docx_is_refused_with_advice(
    office, settings, storage_dir
) -> None:  # type: ignore[no-untyped-def]
    settings.SOFFICE_PATH = "/khong/co/soffice"
    word = docx.Document()
    word.add_paragraph("Dự thảo")
    buffer = BytesIO()
    word.save(buffer)
    with pytest.raises(DomainError) as caught:
        new_draft(office, buffer.getvalue(), file_name="du-thao.docx")
    assert caught.value.code == "outgoing_no_libreoffice"
    assert "hãy tải lên tệp PDF" in caught.value.message
    assert OutgoingDocument.objects.count() == 0
    assert kept_files(storage_dir) == []


@pytest.mark.skipif(convert.soffice_path() is None, reason="LibreOffice missing")
def test_a_broken_docx_is_refused_and_nothing_is_kept(office, storage_dir) -> None:  # type: ignore[no-untyped-def]
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document> hỏng <<<")
    with pytest.raises(DomainError) as caught:
        new_draft(office, buffer.getvalue(), file_name="du-thao.docx")
    assert caught.value.code == "outgoing_convert_failed"
    assert "tải lên tệp PDF" in caught.value.message
    assert OutgoingDocument.objects.count() == 0
    assert kept_files(storage_dir) == []


def test_a_zip_named_docx_is_not_a_word_document(office, storage_dir) -> None:  # type: ignore[no-untyped-def]
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "khong phai van ban")
    with pytest.raises(DomainError) as caught:
        new_draft(office, buffer.getvalue(), file_name="du-thao.docx")
    assert caught.value.code == "outgoing_not_docx"
    assert OutgoingDocument.objects.count() == 0
    assert kept_files(storage_dir) == []


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"subject": "  "}, "outgoing_subject_required"),
        ({"doc_type": "memo"}, "outgoing_bad_type"),
        ({"secrecy": "very"}, "outgoing_bad_secrecy"),
        ({"signer": None}, "outgoing_signer_required"),
        ({"file_name": "du-thao.exe"}, "file_type_not_allowed"),
    ],
)
def test_a_refused_draft_saves_nothing(office, storage_dir, over, code) -> None:  # type: ignore[no-untyped-def]
    file_name = over.pop("file_name", "du-thao.pdf")
    with pytest.raises(DomainError) as caught:
        new_draft(office, file_name=file_name, **over)
    assert caught.value.code == code
    assert OutgoingDocument.objects.count() == 0
    assert StoredFile.objects.count() == 0
    assert kept_files(storage_dir) == []
    assert not AuditEntry.objects.filter(action=services.ACTION_CREATE).exists()


def test_the_signer_must_lead_the_agency(office) -> None:  # type: ignore[no-untyped-def]
    for not_a_leader in (office.head, office.colleague, office.outsider):
        with pytest.raises(DomainError) as caught:
            new_draft(office, signer=not_a_leader)
        assert caught.value.code == "outgoing_bad_signer"


def test_the_drafting_unit_must_be_a_department_of_the_agency(office) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as caught:
        new_draft(office, drafting_unit=office.other_agency)
    assert caught.value.code == "outgoing_bad_drafting_unit"


def test_only_officials_of_the_agency_draft_its_documents(office) -> None:  # type: ignore[no-untyped-def]
    citizen = factories.official(full_name="Công dân")
    for stranger in (office.outsider, office.admin, citizen):
        with pytest.raises(Forbidden):
            new_draft(office, drafter=stranger)
    # Leaders and clerks of the agency draft too.
    assert new_draft(office, drafter=office.clerk).drafting_unit is None
    assert selectors.drafting_agencies(office.drafter) == [office.agency]
    assert selectors.drafting_agencies(office.outsider) == [office.other_agency]


# Review chain ---------------------------------------------------------------


def test_the_chain_runs_step_by_step_to_the_signer(office) -> None:  # type: ignore[no-untyped-def]
    document = services.submit(new_draft(office), office.drafter)
    assert document.status == OutgoingStatus.IN_REVIEW
    assert (document.current_reviewer, document.review_position) == (office.head, 1)
    document = services.approve(document, office.head, comment="Đồng ý nội dung.")
    assert (document.current_reviewer, document.review_position) == (office.chief, 2)
    document = services.approve(document, office.chief)
    assert document.status == OutgoingStatus.APPROVED
    assert document.current_reviewer is None
    assert actions(document) == ["submit", "approve", "approve"]
    assert list(selectors.waiting_for(office.leader)) == [document]
    kinds = AuditEntry.objects.filter(object_id=str(document.pk)).values_list(
        "action", flat=True
    )
    assert services.ACTION_APPROVE in kinds and services.ACTION_SUBMIT in kinds


def test_only_the_current_reviewer_acts(office) -> None:  # type: ignore[no-untyped-def]
    document = services.submit(new_draft(office), office.drafter)
    for wrong in (office.chief, office.drafter, office.leader, office.clerk):
        with pytest.raises(Forbidden):
            services.approve(document, wrong)
        with pytest.raises(Forbidden):
            services.return_draft(document, wrong, comment="Sửa lại")
        with pytest.raises(Forbidden):
            services.forward(document, wrong, to_user=office.colleague)
    with pytest.raises(Conflict):
        services.submit(document, office.drafter)
    assert actions(document) == ["submit"]


def test_a_returned_draft_gets_a_new_version_and_restarts_the_chain(office) -> None:  # type: ignore[no-untyped-def]
    document = services.submit(new_draft(office), office.drafter)
    document = services.approve(document, office.head)
    with pytest.raises(DomainError) as caught:
        services.return_draft(document, office.chief, comment="  ")
    assert caught.value.code == "outgoing_comment_required"
    document = services.return_draft(
        document, office.chief, comment="Sửa căn cứ pháp lý ở Điều 1."
    )
    assert document.status == OutgoingStatus.RETURNED
    assert list(selectors.waiting_for(office.drafter)) == [document]
    # Only the drafter updates it.
    with pytest.raises(Forbidden):
        services.upload_version(
            document,
            office.head,
            file=BytesIO(signature_pdf("Ban sua")),
            file_name="v2.pdf",
        )
    version = services.upload_version(
        document,
        office.drafter,
        file=BytesIO(signature_pdf("Bản sửa theo ý kiến Văn phòng")),
        file_name="du-thao-v2.pdf",
        note="Đã sửa căn cứ",
    )
    assert version.number == 2
    first, second = selectors.versions_of(document)
    assert read(first.pdf_file) != read(second.pdf_file)
    document = services.submit(document, office.drafter)
    assert (document.current_reviewer, document.review_position) == (office.head, 1)
    assert actions(document) == [
        "submit",
        "approve",
        "return",
        "new_version",
        "submit",
    ]
    returned = ReviewAction.objects.get(document=document, kind="return")
    assert returned.comment == "Sửa căn cứ pháp lý ở Điều 1."
    assert returned.version is not None and returned.version.number == 1


def test_a_version_cannot_be_added_while_in_review(office) -> None:  # type: ignore[no-untyped-def]
    document = services.submit(new_draft(office), office.drafter)
    with pytest.raises(Conflict):
        services.upload_version(
            document,
            office.drafter,
            file=BytesIO(signature_pdf()),
            file_name="v2.pdf",
        )
    assert DraftVersion.objects.filter(document=document).count() == 1


def test_forward_hands_the_step_to_another_official_of_the_agency(office) -> None:  # type: ignore[no-untyped-def]
    document = services.submit(new_draft(office), office.drafter)
    with pytest.raises(DomainError) as caught:
        services.forward(document, office.head, to_user=office.outsider)
    assert caught.value.code == "outgoing_forward_outsider"
    document = services.forward(
        document, office.head, to_user=office.colleague, comment="Nhờ chị xem giúp."
    )
    assert document.current_reviewer == office.colleague
    assert document.review_position == 1
    with pytest.raises(Forbidden):
        services.approve(document, office.head)
    document = services.approve(document, office.colleague)
    # The chain goes on where it was: step 2.
    assert (document.current_reviewer, document.review_position) == (office.chief, 2)
    forwarded = ReviewAction.objects.get(document=document, kind="forward")
    assert forwarded.to_user == office.colleague


def test_an_agency_without_a_chain_goes_straight_to_the_signer(office) -> None:  # type: ignore[no-untyped-def]
    services.set_review_chain(office.agency, office.leader, [])
    document = services.submit(new_draft(office), office.drafter)
    assert document.status == OutgoingStatus.APPROVED
    assert document.current_reviewer is None
    assert ReviewAction.objects.get(document=document).to_user == office.leader


def test_the_signer_may_return_before_signing(office) -> None:  # type: ignore[no-untyped-def]
    document = approved(office)
    document = services.return_draft(document, office.leader, comment="Chưa ký.")
    assert document.status == OutgoingStatus.RETURNED


def test_who_sets_the_chain_and_with_whom(office) -> None:  # type: ignore[no-untyped-def]
    for stranger in (office.drafter, office.clerk, office.outsider):
        with pytest.raises(Forbidden):
            services.set_review_chain(office.agency, stranger, [])
    with pytest.raises(DomainError) as caught:
        services.set_review_chain(
            office.agency, office.leader, [("Thẩm định", office.outsider)]
        )
    assert caught.value.code == "review_chain_bad_reviewer"
    with pytest.raises(DomainError) as caught:
        services.set_review_chain(office.agency, office.leader, [("", office.head)])
    assert caught.value.code == "review_chain_label_required"
    steps = services.set_review_chain(
        office.agency, office.leader, [("Lãnh đạo phòng", office.head)]
    )
    assert [(s.position, s.label, s.reviewer) for s in steps] == [
        (1, "Lãnh đạo phòng", office.head)
    ]
    assert AuditEntry.objects.filter(action=services.ACTION_CHAIN).count() == 2


# Signing --------------------------------------------------------------------


def test_the_signer_signs_in_decree_30s_place(office, tmp_path) -> None:  # type: ignore[no-untyped-def]
    document = approved(office)
    for wrong in (office.head, office.clerk, office.drafter):
        with pytest.raises(Forbidden):
            services.sign_outgoing(document, wrong)
    document = services.sign_outgoing(document, office.leader)
    assert document.status == OutgoingStatus.SIGNED
    assert document.signed_at is not None
    data = read(document.signed_file)
    [check] = signing.verify_pdf(data)
    assert check.ok and check.signer_common_name == SIGNER_NAME
    place = signing.field_placement(data, services.SIGNER_FIELD)
    assert place is not None and place.page == 0
    # Between "PHÓ GIÁM ĐỐC" (y 544) and the name (y 460), around x 430.
    x1, y1, x2, y2 = place.box
    assert 460 < y1 < y2 < 544 and x1 < 430 < x2
    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    text = _pdftotext(path)
    assert SIGNER_NAME in text and "PHÓ GIÁM ĐỐC" in text
    assert f"{timezone.localdate().isoformat()}T" in text and "+07:00" in text
    assert actions(document)[-1] == ReviewActionKind.SIGN


def _pdftotext(path: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(
        [tool, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_a_signer_without_certificate_signs_nothing(office, storage_dir) -> None:  # type: ignore[no-untyped-def]
    deputy = factories.official(
        unit=office.agency, role=Role.LEADER, full_name="Bùi Văn Khoa"
    )
    document = approved(office, signer=deputy)
    files_before = kept_files(storage_dir)
    with pytest.raises(DomainError) as caught:
        services.sign_outgoing(document, deputy)
    assert caught.value.code == "outgoing_no_certificate"
    document.refresh_from_db()
    assert document.status == OutgoingStatus.APPROVED
    assert kept_files(storage_dir) == files_before


def test_a_draft_not_yet_approved_cannot_be_signed(office) -> None:  # type: ignore[no-untyped-def]
    document = services.submit(new_draft(office), office.drafter)
    with pytest.raises(Conflict):
        services.sign_outgoing(document, office.leader)


# Issuing --------------------------------------------------------------------


def test_issue_numbers_seals_and_indexes(office) -> None:  # type: ignore[no-untyped-def]
    document = signed(office)
    for wrong in (office.leader, office.drafter, office.outsider):
        with pytest.raises(Forbidden):
            services.issue_outgoing(document, wrong)
    document = services.issue_outgoing(document, office.clerk)
    year = timezone.localdate().year
    assert document.status == OutgoingStatus.ISSUED
    assert (document.year, document.outgoing_number) == (year, 1)
    assert document.number_symbol == "01/QĐ-SNV"
    assert document.issued_date == timezone.localdate()
    assert document.issued_by == office.clerk
    assert document.page_count == 1
    assert numbering.current_number(f"outgoing:{office.agency.pk}", year) == 1
    data = read(document.issued_file)
    checks = signing.verify_pdf(data)
    assert [c.field_name for c in checks] == [
        services.SIGNER_FIELD,
        services.SEAL_FIELD,
    ]
    assert all(c.intact and c.valid and c.trusted and c.ok for c in checks)
    assert checks[1].signer_common_name == "Sở Nội vụ"
    assert checks[0].only_signatures_added and checks[1].covers_whole_document
    # The seal covers the left third of the signer's box.
    signer_box = signing.field_placement(data, services.SIGNER_FIELD)
    seal_box = signing.field_placement(data, services.SEAL_FIELD)
    assert signer_box is not None and seal_box is not None
    third = signer_box.box[0] + (signer_box.box[2] - signer_box.box[0]) / 3
    assert seal_box.box[0] < signer_box.box[0] < seal_box.box[2] <= third + 0.01
    assert ReviewAction.objects.filter(document=document).last().kind == "issue"  # type: ignore[union-attr]
    entry = AuditEntry.objects.get(action=services.ACTION_ISSUE)
    assert entry.detail["number_symbol"] == "01/QĐ-SNV"
    for query in ("01/QĐ-SNV", "quyet dinh chuyen doi so", "ke hoach 2026 cua so"):
        assert list(selectors.search_issued(office.clerk, query)) == [document]
    assert list(selectors.search_issued(office.outsider, "chuyen doi so")) == []


def test_numbers_run_on_with_a_leading_zero_and_letters_name_the_unit(office) -> None:  # type: ignore[no-untyped-def]
    symbols = [issued(office).number_symbol for _ in range(2)]
    assert symbols == ["01/QĐ-SNV", "02/QĐ-SNV"]
    letter = issued(office, doc_type=DocumentType.OFFICIAL_LETTER)
    # Công văn: issuer, then the drafting unit ("Phòng Tổ chức cán bộ").
    assert letter.number_symbol == "03/SNV-TCCB"
    AgencyProfile.objects.create(
        agency=office.department, symbol="TCCB1", place_name=""
    )
    assert issued(office, doc_type=DocumentType.PUBLIC_LETTER).number_symbol == (
        "04/SNV-TCCB1"
    )


def test_symbols_fall_back_to_initials(office) -> None:  # type: ignore[no-untyped-def]
    commune = factories.orgunit(
        kind=OrgUnitKind.COMMUNE, name="UBND xã Minh Xuân", parent=office.agency.parent
    )
    office_unit = factories.orgunit(
        kind=OrgUnitKind.DEPARTMENT, name="Văn phòng", parent=commune
    )
    assert services.agency_symbol(commune) == "UBND"
    assert services.agency_symbol(office.other_agency) == "STC"
    assert services.unit_symbol(office_unit) == "VP"
    assert services._initials("Sở Nông nghiệp và Môi trường") == "SNNMT"
    assert services._initials("Đài Phát thanh và Truyền hình") == "ĐPTTH"


def test_a_failed_issue_takes_no_number_and_keeps_no_file(office, storage_dir) -> None:  # type: ignore[no-untyped-def]
    document = signed(office)
    files_before = sorted(kept_files(storage_dir))
    # The agency's seal certificate is withdrawn: issuing must stop.
    Certificate.objects.filter(org_unit=office.agency).update(active=False)
    with pytest.raises(DomainError) as caught:
        services.issue_outgoing(document, office.clerk)
    assert caught.value.code == "outgoing_no_seal"
    document.refresh_from_db()
    assert document.status == OutgoingStatus.SIGNED
    assert document.outgoing_number is None
    year = timezone.localdate().year
    assert numbering.current_number(f"outgoing:{office.agency.pk}", year) == 0
    assert sorted(kept_files(storage_dir)) == files_before
    assert not AuditEntry.objects.filter(action=services.ACTION_ISSUE).exists()


def test_a_seal_that_fails_inside_the_transaction_gives_the_number_back(
    office, storage_dir
) -> None:  # type: ignore[no-untyped-def]
    document = signed(office)
    files_before = sorted(kept_files(storage_dir))
    # Expired after being found: sign_pdf refuses it inside the transaction.
    Certificate.objects.filter(org_unit=office.agency).update(
        not_after=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(DomainError) as caught:
        services.issue_outgoing(document, office.clerk)
    assert caught.value.code == "pki_certificate_expired"
    year = timezone.localdate().year
    assert numbering.current_number(f"outgoing:{office.agency.pk}", year) == 0
    document.refresh_from_db()
    assert document.status == OutgoingStatus.SIGNED
    assert sorted(kept_files(storage_dir)) == files_before


def test_a_secret_document_takes_a_number_of_its_own_series(office) -> None:  # type: ignore[no-untyped-def]
    """Decree 30 gives documents marked Mật or above their own number series
    (one for the three levels): the ordinary register shows no gap."""
    first = issued(office)
    secret = issued(office, secrecy=Secrecy.SECRET)
    top = issued(office, secrecy=Secrecy.TOP_SECRET)
    second = issued(office)
    assert secret.status == OutgoingStatus.ISSUED
    assert [
        (d.outgoing_number, d.secret_series, d.number_symbol)
        for d in (first, secret, top, second)
    ] == [
        (1, False, "01/QĐ-SNV"),
        (1, True, "01/QĐ-SNV"),
        (2, True, "02/QĐ-SNV"),
        (2, False, "02/QĐ-SNV"),
    ]
    year = timezone.localdate().year
    assert (
        numbering.current_number(services.outgoing_register(office.agency), year) == 2
    )
    assert (
        numbering.current_number(
            services.outgoing_register(office.agency, secret=True), year
        )
        == 2
    )
    clerk = office.clerk
    assert list(selectors.search_issued(clerk, secret_series=True)) == [top, secret]
    assert list(selectors.search_issued(clerk, secret_series=False)) == [second, first]
    entry = AuditEntry.objects.filter(action=services.ACTION_ISSUE).get(
        object_id=str(top.pk)
    )
    assert entry.detail["secret_series"] is True


def test_the_issued_pdf_validates_with_pyhankos_cli_and_a_flip_is_caught(
    office, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    document = issued(office)
    data = read(document.issued_file)
    path = tmp_path / "issued.pdf"
    path.write_bytes(data)
    root = TrustedRoot.objects.get(demo=True)
    root_path = tmp_path / "root.pem"
    root_path.write_bytes(
        x509.load_der_x509_certificate(bytes(root.certificate_der)).public_bytes(
            serialization.Encoding.PEM
        )
    )
    cli = shutil.which("pyhanko") or str(Path(sys.executable).parent / "pyhanko")
    result = subprocess.run(
        [
            cli,
            "sign",
            "validate",
            "--no-revocation-check",
            "--trust-replace",
            "--trust",
            str(root_path),
            "--executive-summary",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(summary) == 2 and all(line.endswith(":VALID") for line in summary)

    # One byte of the page size, signed by both: 595.27 becomes 594.27.
    tampered = bytearray(data)
    at = tampered.index(b"/MediaBox [ 0 0 595") + len(b"/MediaBox [ 0 0 59")
    tampered[at] ^= 0x01
    checks = signing.verify_pdf(bytes(tampered))
    assert not any(check.intact for check in checks)


# Visibility -----------------------------------------------------------------


def test_visibility_of_drafts_and_issued_documents(office) -> None:  # type: ignore[no-untyped-def]
    draft = new_draft(office)
    secret = new_draft(office, secrecy=Secrecy.CONFIDENTIAL)
    everyone = [draft, secret]
    assert set(selectors.visible_outgoing(office.drafter)) == set(everyone)
    assert set(selectors.visible_outgoing(office.leader)) == set(everyone)
    assert set(selectors.visible_outgoing(office.clerk)) == set(everyone)
    # Chain reviewers see open drafts of their agency, not secret ones.
    assert list(selectors.visible_outgoing(office.head)) == [draft]
    # A colleague of the drafter is not involved in either.
    assert list(selectors.visible_outgoing(office.colleague)) == []
    assert list(selectors.visible_outgoing(office.outsider)) == []
    with pytest.raises(NotFound):
        selectors.get_outgoing_for(office.outsider, draft.pk)
    with pytest.raises(NotFound):
        selectors.get_outgoing_for(office.head, secret.pk)
    with pytest.raises(NotFound):
        selectors.get_outgoing_for(office.drafter, "abc")
    # Once the secret draft reaches the reviewer, they see it, and keep
    # seeing it after acting.
    services.submit(secret, office.drafter)
    assert selectors.get_outgoing_for(office.head, secret.pk) == secret
    services.forward(secret, office.head, to_user=office.colleague)
    assert selectors.get_outgoing_for(office.head, secret.pk) == secret
    assert selectors.get_outgoing_for(office.colleague, secret.pk) == secret


def test_issued_open_documents_are_in_the_agency_register(office) -> None:  # type: ignore[no-untyped-def]
    document = issued(office)
    secret = issued(office, secrecy=Secrecy.SECRET, subject="Về công tác bảo vệ")
    member = factories.official(
        unit=office.agency, role=Role.ONE_STOP_OFFICER, full_name="Mai Văn Tú"
    )
    assert list(selectors.search_issued(member)) == [document]
    assert list(selectors.search_issued(office.clerk)) == [secret, document]
    assert list(selectors.search_issued(office.outsider)) == []
    assert list(selectors.search_issued(office.clerk, "bao ve")) == [secret]


def test_waiting_for_me(office) -> None:  # type: ignore[no-untyped-def]
    in_review = services.submit(new_draft(office), office.drafter)
    to_sign = approved(office)
    to_issue = signed(office)
    assert list(selectors.waiting_for(office.head)) == [in_review]
    assert list(selectors.waiting_for(office.leader)) == [to_sign]
    assert list(selectors.waiting_for(office.clerk)) == [to_issue]
    assert list(selectors.waiting_for(office.drafter)) == []
    assert list(selectors.waiting_for(office.outsider)) == []
