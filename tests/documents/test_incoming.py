"""Incoming register: gap-free numbers, nothing half-saved, signatures checked
on arrival, search over metadata and PDF text, and visibility per agency."""

import datetime as dt
from io import BytesIO
from pathlib import Path
from typing import Any

from django.utils import timezone

import pytest

from tests import factories
from tests.documents.conftest import BODY_TEXT, kept_files, make_pdf
from tinhso.accounts import services as accounts
from tinhso.accounts.models import AccountKind, Role, User
from tinhso.core import audit, numbering
from tinhso.core.errors import DomainError, Forbidden, NotFound
from tinhso.core.models import AuditEntry, OrgUnitKind, StoredFile
from tinhso.documents.constants import (
    ABBREVIATIONS,
    ACTION_INCOMING_REGISTER,
    DocumentType,
    HandlingRole,
    IncomingStatus,
    Secrecy,
)
from tinhso.documents.models import Attachment, Handling, IncomingDocument
from tinhso.documents.policies import incoming as policies
from tinhso.documents.selectors import incoming as selectors
from tinhso.documents.services import incoming as services
from tinhso.pki import signing

pytestmark = pytest.mark.django_db


def register(clerk: Any, agency: Any, pdf: bytes | None = None, **over: Any):  # type: ignore[no-untyped-def]
    fields: dict[str, Any] = {
        "agency": agency,
        "clerk": clerk,
        "file": BytesIO(pdf if pdf is not None else make_pdf()),
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


def test_the_decree_types_and_abbreviations() -> None:
    assert len(DocumentType.choices) == 29
    assert set(ABBREVIATIONS) == set(DocumentType.values)
    assert ABBREVIATIONS[DocumentType.DECISION] == "QĐ"
    assert ABBREVIATIONS[DocumentType.REGULATION] == "QyĐ"
    assert ABBREVIATIONS[DocumentType.OFFICIAL_LETTER] == ""


def test_numbers_are_gap_free_per_agency_and_year(
    agency, other_agency, clerk, other_clerk
) -> None:  # type: ignore[no-untyped-def]
    numbers = [register(clerk, agency).incoming_number for _ in range(3)]
    assert numbers == [1, 2, 3]
    assert register(other_clerk, other_agency).incoming_number == 1
    last_year = timezone.localdate().year - 1
    late = dt.datetime(last_year, 12, 31, 16, 0, tzinfo=timezone.get_current_timezone())
    old = register(
        clerk,
        agency,
        received_at=late,
        issued_date=dt.date(last_year, 12, 30),
    )
    assert (old.year, old.incoming_number) == (last_year, 1)
    assert register(clerk, agency).incoming_number == 4


def test_registration_keeps_file_metadata_and_audit(
    agency, clerk, storage_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    document = register(
        clerk,
        agency,
        pdf=make_pdf(pages=3),
        attachments=[(BytesIO(make_pdf("Phu luc")), "phu-luc.pdf")],
    )
    document.refresh_from_db()
    assert document.status == IncomingStatus.REGISTERED
    assert document.page_count == 3  # from the PDF when not given
    assert document.year == timezone.localdate().year
    assert document.main_file.content_type == "application/pdf"
    assert document.registered_by == clerk
    assert Attachment.objects.filter(document=document).count() == 1
    assert len(kept_files(storage_dir)) == 2
    entry = AuditEntry.objects.get(action=ACTION_INCOMING_REGISTER)
    assert entry.object_id == str(document.pk)
    assert entry.detail["incoming_number"] == 1
    assert audit.verify() is None


def _nothing_saved(storage_dir: Path) -> None:
    assert IncomingDocument.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert StoredFile.objects.count() == 0
    assert kept_files(storage_dir) == []
    assert not AuditEntry.objects.filter(action=ACTION_INCOMING_REGISTER).exists()


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"number_symbol": "QĐ-UBND"}, "incoming_bad_number_symbol"),
        ({"number_symbol": "12/QĐ UBND!"}, "incoming_bad_number_symbol"),
        ({"subject": "   "}, "incoming_subject_required"),
        (
            {"issued_date": timezone.localdate() + dt.timedelta(days=1)},
            "incoming_issued_in_future",
        ),
        ({"page_count": 0}, "incoming_bad_page_count"),
        ({"doc_type": "memo"}, "incoming_bad_type"),
        ({"issuer_name": ""}, "incoming_issuer_required"),
        ({"file": BytesIO(b"Day khong phai PDF\n" * 20)}, "file_type_mismatch"),
        ({"file_name": "quyet-dinh.docx"}, "file_type_not_allowed"),
        (
            {"attachments": [(BytesIO(b"MZ\x90\x00" + b"\x00" * 60), "virus.exe")]},
            "file_type_not_allowed",
        ),
        (
            {"attachments": [(BytesIO(b"not an image at all"), "anh.png")]},
            "file_type_mismatch",
        ),
    ],
)
def test_a_failed_registration_saves_nothing_and_takes_no_number(
    agency, clerk, storage_dir: Path, over: dict[str, Any], code: str
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as caught:
        register(clerk, agency, **over)
    assert caught.value.code == code
    assert caught.value.message  # Vietnamese, for the clerk
    _nothing_saved(storage_dir)
    year = timezone.localdate().year
    assert numbering.current_number(services.incoming_register(agency), year) == 0
    assert register(clerk, agency).incoming_number == 1


@pytest.mark.parametrize(
    ("value", "doc_type"),
    [
        ("05/QĐ-UBND", DocumentType.DECISION),
        ("123/UBND-VP", DocumentType.OFFICIAL_LETTER),
        ("45/TTr-SNN.KH", DocumentType.SUBMISSION),
        ("3/QyĐ-UBND", DocumentType.REGULATION),
        ("08/CTr-UBND", DocumentType.PROGRAMME),
        ("1234/CT-CS", DocumentType.OFFICIAL_LETTER),  # Cục Thuế's own symbol
        ("17/UBND", DocumentType.PUBLIC_LETTER),
    ],
)
def test_accepted_number_symbols(agency, clerk, value: str, doc_type: str) -> None:  # type: ignore[no-untyped-def]
    document = register(clerk, agency, number_symbol=value, doc_type=doc_type)
    assert document.number_symbol == value


def test_legal_normative_symbol_carries_the_year_of_issue(agency, clerk) -> None:  # type: ignore[no-untyped-def]
    issued = dt.date(timezone.localdate().year - 1, 12, 30)
    document = register(
        clerk, agency, number_symbol=f"05/{issued.year}/QĐ-UBND", issued_date=issued
    )
    assert document.number_symbol == f"05/{issued.year}/QĐ-UBND"
    with pytest.raises(DomainError) as caught:
        register(
            clerk,
            agency,
            number_symbol=f"06/{issued.year - 1}/QĐ-UBND",
            issued_date=issued,
        )
    assert caught.value.code == "incoming_symbol_year_mismatch"
    assert caught.value.message == (
        f"Năm trong số, ký hiệu “06/{issued.year - 1}/QĐ-UBND” phải là năm ban hành "
        f"({issued.year})."
    )


@pytest.mark.parametrize(
    ("value", "doc_type", "message"),
    [
        (
            "12/QĐ-UBND",
            DocumentType.PLAN,
            "Số, ký hiệu “12/QĐ-UBND” không khớp loại văn bản Kế hoạch: ký hiệu "
            "của Kế hoạch bắt đầu bằng chữ viết tắt KH, ví dụ 12/KH-UBND. Hãy sửa "
            "số, ký hiệu hoặc chọn lại loại văn bản.",
        ),
        (
            "123/UBND-VP",
            DocumentType.DECISION,
            "Số, ký hiệu “123/UBND-VP” không khớp loại văn bản Quyết định: ký hiệu "
            "của Quyết định bắt đầu bằng chữ viết tắt QĐ, ví dụ 12/QĐ-UBND. Hãy sửa "
            "số, ký hiệu hoặc chọn lại loại văn bản.",
        ),
        (
            "12/QD-UBND",  # no Đ: not the abbreviation of a Quyết định
            DocumentType.DECISION,
            "Số, ký hiệu “12/QD-UBND” không khớp loại văn bản Quyết định: ký hiệu "
            "của Quyết định bắt đầu bằng chữ viết tắt QĐ, ví dụ 12/QĐ-UBND. Hãy sửa "
            "số, ký hiệu hoặc chọn lại loại văn bản.",
        ),
        (
            "12/QĐ-UBND",
            DocumentType.OFFICIAL_LETTER,
            "Số, ký hiệu “12/QĐ-UBND” có chữ viết tắt QĐ của Quyết định, nhưng Công "
            "văn không có chữ viết tắt loại văn bản (ví dụ 123/UBND-VP). Hãy chọn "
            "loại Quyết định hoặc sửa số, ký hiệu.",
        ),
    ],
)
def test_symbol_must_match_the_document_type(
    agency, clerk, storage_dir: Path, value: str, doc_type: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as caught:
        register(clerk, agency, number_symbol=value, doc_type=doc_type)
    assert caught.value.code == "incoming_symbol_type_mismatch"
    assert caught.value.extra == {"field": "number_symbol"}
    assert caught.value.message == message
    _nothing_saved(storage_dir)


def test_unsigned_pdf_has_an_empty_signature_list(agency, clerk) -> None:  # type: ignore[no-untyped-def]
    document = register(clerk, agency)
    assert document.signatures == []
    assert "không có chữ ký số" in document.signature_summary


def test_signed_pdf_shows_signer_trust_and_integrity(
    agency, clerk, certificate
) -> None:  # type: ignore[no-untyped-def]
    signed = signing.sign_pdf(make_pdf(), certificate)
    document = register(clerk, agency, pdf=signed)
    document.refresh_from_db()
    [check] = document.signatures
    assert check["signer_common_name"] == "Nguyễn Văn Ân"
    assert check["fingerprint"] == certificate.fingerprint
    assert check["issuer"]
    assert check["signing_time"] is not None
    assert check["intact"] and check["trusted"] and check["ok"]
    assert "hợp lệ" in document.signature_summary


def test_tampered_signed_pdf_registers_marked_not_intact(
    agency, clerk, certificate
) -> None:  # type: ignore[no-untyped-def]
    signed = bytearray(signing.sign_pdf(make_pdf(), certificate))
    at = signed.index(BODY_TEXT.encode())
    signed[at] ^= 0x01  # inside the signed byte range
    document = register(clerk, agency, pdf=bytes(signed))
    [check] = document.signatures
    assert not check["intact"] and not check["ok"]
    assert "đã bị thay đổi" in document.signature_summary


@pytest.fixture
def two_documents(agency, clerk):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    decision = register(clerk, agency)
    letter = register(
        clerk,
        agency,
        pdf=make_pdf("Moi du hoi nghi tong ket"),
        number_symbol="123/UBND-VP",
        doc_type=DocumentType.OFFICIAL_LETTER,
        subject="Về việc tổ chức hội nghị tổng kết công tác văn thư",
        issued_date=today - dt.timedelta(days=5),
        received_at=timezone.now() - dt.timedelta(days=3),
        secrecy=Secrecy.CONFIDENTIAL,
    )
    return decision, letter


def found(user: Any, query: str = "", **filters: Any) -> set[int]:
    return set(
        selectors.search_incoming(user, query, **filters).values_list("pk", flat=True)
    )


def test_search_by_words_symbol_text_and_filters(two_documents, clerk) -> None:  # type: ignore[no-untyped-def]
    decision, letter = two_documents
    today = timezone.localdate()
    assert found(clerk, "quyet dinh") == {decision.pk}
    assert found(clerk, "QUYẾT ĐỊNH chuyển đổi số") == {decision.pk}
    assert found(clerk, "12/QĐ-UBND") == {decision.pk}
    assert found(clerk, "123/UBND-VP") == {letter.pk}
    assert found(clerk, "ubnd") == {decision.pk, letter.pk}
    # Words only inside the PDFs.
    assert found(clerk, "ruong bac thang") == {decision.pk}
    assert found(clerk, "tong ket") == {letter.pk}
    assert found(clerk, "", date_from=today) == {decision.pk}
    assert found(clerk, "ubnd", date_to=today - dt.timedelta(days=1)) == {letter.pk}
    assert found(
        clerk,
        "",
        date_from=today - dt.timedelta(days=3),
        date_to=today - dt.timedelta(days=3),
    ) == {letter.pk}
    assert found(clerk, "ubnd", doc_type=DocumentType.DECISION) == {decision.pk}
    assert found(clerk, "", secrecy=Secrecy.CONFIDENTIAL) == {letter.pk}
    assert found(clerk, "khong co tu nay") == set()


def test_another_agency_can_neither_list_get_nor_find(
    two_documents, other_agency
) -> None:  # type: ignore[no-untyped-def]
    decision, _ = two_documents
    outsider = factories.official(unit=other_agency, role=Role.SPECIALIST)
    assert not selectors.visible_incoming(outsider).exists()
    with pytest.raises(NotFound):
        selectors.get_incoming_for(outsider, decision.pk)
    assert found(outsider, "quyet dinh") == set()
    assert found(outsider, "12/QĐ-UBND") == set()


def test_roles_at_the_agency_or_above_it_see_its_normal_documents(
    two_documents, agency, province
) -> None:  # type: ignore[no-untyped-def]
    decision, _letter = two_documents
    specialist = factories.official(unit=agency, role=Role.SPECIALIST)
    officer = factories.official(unit=agency, role=Role.REPORTING_OFFICER)
    chair = factories.official(unit=province, role=Role.LEADER, subtree=True)
    province_only = factories.official(unit=province, role=Role.LEADER)
    for user in (specialist, officer, chair):
        assert decision.pk in found(user)
        assert selectors.get_incoming_for(user, str(decision.pk)) == decision
    assert found(province_only) == set()


def test_a_secret_document_is_seen_by_clerks_leaders_registrar_and_assignees(
    two_documents, agency, province, clerk
) -> None:  # type: ignore[no-untyped-def]
    """GIVEN a document marked Mật in the agency's register
    THEN its clerks, its leaders (there or above), and the people or units it
    was assigned to see and find it; other role holders of the agency do not."""
    decision, letter = two_documents
    second_clerk = factories.official(unit=agency, role=Role.CLERK)
    director = factories.official(unit=agency, role=Role.LEADER)
    chair = factories.official(unit=province, role=Role.LEADER, subtree=True)
    specialist = factories.official(unit=agency, role=Role.SPECIALIST)
    assignee = factories.official(unit=agency, role=Role.SPECIALIST)
    department = factories.orgunit(
        kind=OrgUnitKind.DEPARTMENT, name="Phòng Kế hoạch", parent=agency
    )
    head = factories.official(unit=department, role=Role.LEADER)
    staff = factories.official(unit=department, role=Role.SPECIALIST)
    province_admin = factories.official(
        unit=province, role=Role.ADMINISTRATOR, subtree=True
    )
    # Assignment rows as the handling part writes them: one person, one unit.
    Handling.objects.create(
        document=letter, role=HandlingRole.LEAD, user=assignee, assigned_by=director
    )
    Handling.objects.create(
        document=letter, role=HandlingRole.CO, unit=department, assigned_by=director
    )

    for user in (clerk, second_clerk, director, chair, assignee, head):
        assert letter.pk in found(user)
        assert found(user, "tong ket") == {letter.pk}
        assert selectors.get_incoming_for(user, letter.pk) == letter
    # A department's leader holds no role at the agency itself: of its
    # register, they see what their unit was given.
    assert found(head) == {letter.pk}
    for user in (specialist, staff, province_admin):
        assert letter.pk not in found(user)
        assert found(user, "tong ket") == set()
        assert found(user, "123/UBND-VP") == set()
        with pytest.raises(NotFound):
            selectors.get_incoming_for(user, letter.pk)
    assert found(specialist) == {decision.pk}
    # The department's own staff were not assigned the normal decision either.
    assert found(staff) == set()


def test_the_registering_clerk_keeps_sight_of_a_secret_document(agency, clerk) -> None:  # type: ignore[no-untyped-def]
    secret = register(clerk, agency, secrecy=Secrecy.TOP_SECRET)
    accounts.revoke_role(clerk.roles.get())
    clerk = User.objects.get(pk=clerk.pk)
    assert selectors.get_incoming_for(clerk, secret.pk) == secret


def test_an_assignee_sees_a_normal_document_without_a_role_at_the_agency(
    agency, other_agency, clerk
) -> None:  # type: ignore[no-untyped-def]
    decision = register(clerk, agency)
    director = factories.official(unit=agency, role=Role.LEADER)
    expert = factories.official(unit=other_agency, role=Role.SPECIALIST)
    assert found(expert) == set()
    Handling.objects.create(
        document=decision, role=HandlingRole.INFO, user=expert, assigned_by=director
    )
    assert found(expert, "quyet dinh") == {decision.pk}


def test_no_roles_no_citizens_no_strange_ids(two_documents, agency) -> None:  # type: ignore[no-untyped-def]
    decision, _ = two_documents
    citizen = User.objects.create_user(
        username="001090012345", full_name="Trần Văn Dân", kind=AccountKind.CITIZEN
    )
    roleless = factories.official(unit=agency)
    for user in (citizen, roleless):
        assert not selectors.visible_incoming(user).exists()
        with pytest.raises(NotFound):
            selectors.get_incoming_for(user, decision.pk)
    clerk = decision.registered_by
    for bad in ("abc", "-1", "1 OR 1=1", 10**9, "²", "١"):
        with pytest.raises(NotFound):
            selectors.get_incoming_for(clerk, bad)


def test_only_the_agency_clerk_may_register(agency, other_clerk, clerk) -> None:  # type: ignore[no-untyped-def]
    specialist = factories.official(unit=agency, role=Role.SPECIALIST)
    leader = factories.official(unit=agency, role=Role.LEADER)
    assert policies.can_register_incoming(clerk, agency)
    for user in (specialist, leader, other_clerk):
        assert not policies.can_register_incoming(user, agency)
        with pytest.raises(Forbidden):
            register(user, agency)
    assert IncomingDocument.objects.count() == 0


def test_secret_documents_are_numbered_in_a_register_of_their_own(
    agency, other_agency, clerk, other_clerk
) -> None:  # type: ignore[no-untyped-def]
    """Decree 30: documents marked Mật or above are registered apart, one
    series for the three levels, so the ordinary register shows no gap."""
    first = register(clerk, agency)
    secret = register(clerk, agency, secrecy=Secrecy.CONFIDENTIAL)
    top = register(clerk, agency, secrecy=Secrecy.TOP_SECRET)
    second = register(clerk, agency)
    theirs = register(other_clerk, other_agency, secrecy=Secrecy.SECRET)
    assert [
        (d.incoming_number, d.secret_series) for d in (first, secret, top, second)
    ] == [(1, False), (1, True), (2, True), (2, False)]
    assert (theirs.incoming_number, theirs.secret_series) == (1, True)
    year = timezone.localdate().year
    assert numbering.current_number(services.incoming_register(agency), year) == 2
    assert (
        numbering.current_number(services.incoming_register(agency, secret=True), year)
        == 2
    )
    assert list(selectors.search_incoming(clerk, secret_series=True)) == [top, secret]
    assert list(selectors.search_incoming(clerk, secret_series=False)) == [
        second,
        first,
    ]
    entry = AuditEntry.objects.filter(action=ACTION_INCOMING_REGISTER).get(
        object_id=str(top.pk)
    )
    assert entry.detail["secret_series"] is True
    assert entry.detail["incoming_number"] == 2


def test_a_failed_secret_registration_gives_its_number_back(
    agency, clerk, storage_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError):
        register(clerk, agency, secrecy=Secrecy.SECRET, page_count=0)
    _nothing_saved(storage_dir)
    assert register(clerk, agency, secrecy=Secrecy.SECRET).incoming_number == 1


def test_only_an_agency_keeps_an_incoming_register(agency) -> None:  # type: ignore[no-untyped-def]
    """A department or a village has no register of its own: nothing is
    saved, and the clerk is told which units keep one."""
    department = factories.orgunit(
        kind=OrgUnitKind.DEPARTMENT, name="Phòng Tổ chức", parent=agency
    )
    clerk = factories.official(unit=department, role=Role.CLERK)
    with pytest.raises(DomainError) as refused:
        register(clerk, department)
    assert refused.value.code == "incoming_not_an_agency"
    assert "Phòng Tổ chức không giữ sổ văn bản đến" in refused.value.message
    assert not IncomingDocument.objects.exists()
    assert not StoredFile.objects.exists()
