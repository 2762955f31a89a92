"""edXML (QCVN 102:2016): an issued document exported as a signed package and
imported elsewhere, status messages back, take-back, revoke and replace across
the transport, and every malformed or tampered package refused with its reason
and nothing saved."""

import base64
import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.utils import timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from lxml import etree

from tests import factories
from tests.documents.conftest import kept_files
from tests.documents.test_exchange_support import resign, seal_for
from tinhso.accounts.models import Role
from tinhso.core.errors import Forbidden
from tinhso.core.models import AuditEntry, StoredFile
from tinhso.documents.constants import (
    BusinessType,
    Channel,
    DispatchStatus,
    DocumentType,
    InboundStatus,
    IncomingStatus,
)
from tinhso.documents.models import Dispatch, InboundMessage, IncomingDocument
from tinhso.documents.selectors import exchange as selectors
from tinhso.documents.services import edxml
from tinhso.documents.services import exchange as services
from tinhso.pki import signing

pytestmark = pytest.mark.django_db

RECEIVER_CODE = "000.00.12.H42"
RECEIVER_NAME = "Sở Nội vụ tỉnh Hà Tĩnh"
E = f"{{{edxml.NS}}}"


@pytest.fixture
def folder(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.DOCUMENTS_EDXML_TRANSPORT = "folder"
    settings.DOCUMENTS_EDXML_FOLDER = str(tmp_path / "edxml")
    return tmp_path / "edxml"


def send_out(issued: Any, sender: Any, **over: Any) -> tuple[Dispatch, bytes]:
    document = issued(**over)
    (dispatch,) = services.dispatch_outgoing(
        document, clerk=sender, external=[(RECEIVER_CODE, RECEIVER_NAME)]
    )
    return dispatch, services.export_package(dispatch)


@pytest.fixture
def sent(issued, sender, folder):  # type: ignore[no-untyped-def]
    """A document sent outside; the receiving agency exists only afterwards,
    as it would in another installation."""
    return send_out(issued, sender, attachments=1)


@pytest.fixture
def receiver(sent, province):  # type: ignore[no-untyped-def]
    unit = factories.orgunit(name=RECEIVER_NAME, code=RECEIVER_CODE, parent=province)
    seal_for(unit)
    return unit


@pytest.fixture
def receiver_clerk(receiver):  # type: ignore[no-untyped-def]
    return factories.official(unit=receiver, role=Role.CLERK, full_name="Hồ Thị Hoa")


def outbox(folder: Path, code: str) -> list[Path]:
    return sorted(kept_files(folder / "outbox" / code))


def test_the_package_follows_qcvn_102(sent, other_agency) -> None:  # type: ignore[no-untyped-def]
    dispatch, package = sent
    root = etree.fromstring(package)
    assert root.tag == f"{E}edXML"
    head = root.find(f"{E}edXMLEnvelope/{E}edXMLHeader/{E}MessageHeader")
    text = lambda path: head.findtext(path.replace("e:", E))  # noqa: E731
    assert text("e:From/e:OrganId") == other_agency.code
    assert text("e:To/e:OrganId") == RECEIVER_CODE
    assert text("e:To/e:OrganName") == RECEIVER_NAME
    assert text("e:Code/e:CodeNumber") == "12"
    assert text("e:Code/e:CodeNotation") == "QĐ-STC"
    today = timezone.localdate()
    assert text("e:PromulgationInfo/e:PromulgationDate") == today.strftime("%Y/%m/%d")
    assert text("e:DocumentType/e:Type") == "2"  # Quyết định, Decree 30 App. III
    assert text("e:SignerInfo/e:Competence") == "KT."
    assert text("e:OtherInfo/e:Priority") == "0"
    assert text("e:OtherInfo/e:PageAmount") == "1"
    assert text("e:DocumentId") == f"{other_agency.code},{today:%Y/%m/%d},12/QĐ-STC"
    assert text("e:DocumentId") == dispatch.message_id
    header = root.find(f"{E}edXMLEnvelope/{E}edXMLHeader")
    assert (
        header.findtext(f"{E}TraceHeaderList/{E}Bussiness/{E}BussinessDocType") == "0"
    )
    assert header.find(f"{{{edxml.DS}}}Signature") is not None
    references = root.findall(
        f"{E}edXMLEnvelope/{E}edXMLBody/{E}edXMLManifest/{E}Reference"
    )
    assert [r.findtext(f"{E}AttachmentName") for r in references] == [
        "12-qd-stc.pdf",
        "phu-luc-1.pdf",
    ]
    assert {r.findtext(f"{E}DigestMethod") for r in references} == {"SHA-256"}
    assert len(root.findall(f"{E}AttachmentEncoded/{E}Attachment")) == 2
    # No secrecy is ever written.
    assert not any(
        etree.QName(node).localname in edxml.SECRECY_TAGS for node in root.iter()
    )


def test_export_then_import_lands_once_in_the_addressed_inbox(
    sent,
    receiver,
    receiver_clerk,
    other_agency,
    folder: Path,
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    dispatch, package = sent
    with django_capture_on_commit_callbacks(execute=True):
        result = services.import_edxml(package, actor=receiver_clerk)
    assert result.created
    (message,) = result.messages
    assert message.agency == receiver
    assert message.channel == Channel.EDXML
    assert message.status == InboundStatus.PENDING
    assert message.sender_code == other_agency.code
    assert message.sender_unit is None
    assert message.metadata["number_symbol"] == "12/QĐ-STC"
    assert message.metadata["doc_type"] == DocumentType.DECISION
    assert message.metadata["signer_name"] == "Nguyễn Văn Ân"
    assert message.metadata["package_signer"]["common_name"] == other_agency.name
    original = dispatch.document.issued_file
    assert message.main_file.sha256 == original.sha256
    assert message.attachments.count() == 1
    assert all(check["ok"] for check in selectors.signature_checks(message))
    assert list(selectors.inbox(receiver_clerk)) == [message]

    stored = StoredFile.objects.count()
    again = services.import_edxml(package, actor=receiver_clerk)
    assert not again.created
    assert again.messages == [message]
    assert StoredFile.objects.count() == stored
    assert InboundMessage.objects.count() == 1

    # "Arrived" went back to the sender as a signed status message.
    (arrived,) = outbox(folder, other_agency.code)
    with django_capture_on_commit_callbacks(execute=True):
        incoming = services.register_inbound(message, clerk=receiver_clerk)
    assert incoming.number_symbol == "12/QĐ-STC"
    assert incoming.issuer_unit is None
    registered = next(p for p in outbox(folder, other_agency.code) if p != arrived)
    sender = factories.official(unit=other_agency, role=Role.CLERK)
    # Delivered out of order: the late "arrived" does not move the copy back.
    for path in (registered, arrived):
        status = services.import_edxml(path.read_bytes(), actor=sender)
        assert status.kind == "status"
        assert status.dispatch == dispatch
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.REGISTERED
    assert list(dispatch.receipts.values_list("status", "actor_name")) == [
        (DispatchStatus.REGISTERED, "Hồ Thị Hoa"),
        (DispatchStatus.ARRIVED, RECEIVER_NAME),
    ]
    # The same status twice is recorded once.
    services.import_edxml(registered.read_bytes(), actor=sender)
    services.import_edxml(arrived.read_bytes(), actor=sender)
    assert dispatch.receipts.count() == 2


def _swap_text(package: bytes, old: str, new: str) -> bytes:
    assert old.encode() in package
    return package.replace(old.encode(), new.encode(), 1)


def _flip_pdf_byte(package: bytes) -> bytes:
    root = etree.fromstring(package)
    node = root.find(f"{E}AttachmentEncoded/{E}Attachment/{E}ContentTransferEncoded")
    data = bytearray(base64.b64decode(node.text))
    data[len(data) // 2] ^= 0x01
    node.text = base64.b64encode(bytes(data)).decode()
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _unsigned(package: bytes) -> bytes:
    root = etree.fromstring(package)
    header = root.find(f"{E}edXMLEnvelope/{E}edXMLHeader")
    header.remove(header.find(f"{{{edxml.DS}}}Signature"))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&lol3;</edXML>"""
ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><x>&secret;</x></edXML>"""


def _header(root: Any) -> Any:
    return root.find(f"{E}edXMLEnvelope/{E}edXMLHeader/{E}MessageHeader")


def _drop_subject(root: Any) -> None:
    head = _header(root)
    head.remove(head.find(f"{E}Subject"))


def _claim_secret(root: Any) -> None:
    other = _header(root).find(f"{E}OtherInfo")
    etree.SubElement(other, f"{E}SecurityLevel").text = "Mật"


def _bad_date(root: Any) -> None:
    _header(root).find(f"{E}PromulgationInfo/{E}PromulgationDate").text = "10-03-2026"


def _elsewhere(root: Any) -> None:
    _header(root).find(f"{E}To/{E}OrganId").text = "000.00.77.H99"


@pytest.mark.parametrize(
    ("case", "code", "says"),
    [
        ("pdf", "edxml_not_xml", "không phải XML"),
        ("truncated", "edxml_not_xml", "không phải XML hợp lệ"),
        ("namespace", "edxml_wrong_namespace", "QCVN 102:2016"),
        ("flipped", "edxml_bad_digest", "“12-qd-stc.pdf” không khớp mã băm SHA-256"),
        ("subject", "edxml_bad_signature", "đã bị thay đổi sau khi"),
        ("unsigned", "edxml_unsigned", "chưa được ký số"),
        ("bomb", "edxml_doctype", "DOCTYPE"),
        ("entity", "edxml_doctype", "ENTITY"),
        ("missing", "edxml_missing_field", "Subject (trích yếu)"),
        ("secret", "edxml_secret", "văn bản mật"),
        ("date", "edxml_bad_date", "yyyy/MM/dd"),
        ("untrusted", "edxml_untrusted", "không do CA gốc tin cậy"),
        ("elsewhere", "edxml_unknown_recipient", "000.00.77.H99"),
    ],
)
def test_a_bad_package_is_refused_with_its_reason_and_nothing_saved(
    sent,
    receiver,
    receiver_clerk,
    seal,
    storage_dir: Path,
    case: str,
    code: str,
    says: str,
) -> None:  # type: ignore[no-untyped-def]
    dispatch, package = sent
    key, chain = signing.key_and_chain(seal)
    stranger_key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kẻ giả mạo")])
    now = dt.datetime.now(dt.UTC)
    stranger = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(stranger_key.public_key())
        .serial_number(7)
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(stranger_key, hashes.SHA256())
    )
    subject = dispatch.document.subject
    bad = {
        "pdf": lambda: b"%PDF-1.7\nkhong phai goi tin",
        "truncated": lambda: package[: len(package) // 2],
        "namespace": lambda: package.replace(
            edxml.NS.encode(), b"http://example.org/edxml"
        ),
        "flipped": lambda: _flip_pdf_byte(package),
        "subject": lambda: _swap_text(package, subject, subject + " (đã sửa)"),
        "unsigned": lambda: _unsigned(package),
        "bomb": lambda: BOMB,
        "entity": lambda: ENTITY,
        "missing": lambda: resign(package, _drop_subject, key=key, chain=chain),
        "secret": lambda: resign(package, _claim_secret, key=key, chain=chain),
        "date": lambda: resign(package, _bad_date, key=key, chain=chain),
        "untrusted": lambda: resign(
            package, lambda root: None, key=stranger_key, chain=[stranger]
        ),
        "elsewhere": lambda: resign(package, _elsewhere, key=key, chain=chain),
    }[case]()
    stored = StoredFile.objects.count()
    on_disk = len(kept_files(storage_dir))
    with pytest.raises(edxml.EdxmlError) as caught:
        services.import_edxml(bad, actor=receiver_clerk)
    assert caught.value.code == code
    assert says in caught.value.message
    assert caught.value.status == 422
    assert InboundMessage.objects.count() == 0
    assert StoredFile.objects.count() == stored
    assert len(kept_files(storage_dir)) == on_disk
    assert not AuditEntry.objects.filter(action=services.ACTION_IMPORT).exists()


def test_only_a_clerk_of_the_addressed_agency_imports(
    sent, receiver, clerk, storage_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    _dispatch, package = sent
    stored = StoredFile.objects.count()
    with pytest.raises(Forbidden):
        services.import_edxml(package, actor=clerk)
    assert InboundMessage.objects.count() == 0
    assert StoredFile.objects.count() == stored


def test_take_back_across_the_transport(
    sent,
    receiver,
    receiver_clerk,
    sender,
    other_agency,
    folder: Path,
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    dispatch, package = sent
    with django_capture_on_commit_callbacks(execute=True):
        (message,) = services.import_edxml(package, actor=receiver_clerk).messages
    before = set(outbox(folder, RECEIVER_CODE))
    services.take_back(dispatch, clerk=sender, reason="Sai nơi nhận")
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.TAKE_BACK_REQUESTED
    (request,) = set(outbox(folder, RECEIVER_CODE)) - before
    before = set(outbox(folder, other_agency.code))
    with django_capture_on_commit_callbacks(execute=True):
        result = services.import_edxml(request.read_bytes(), actor=None)
    assert result.kind == "status"
    message.refresh_from_db()
    assert message.status == InboundStatus.TAKEN_BACK
    (answer,) = set(outbox(folder, other_agency.code)) - before
    services.import_edxml(answer.read_bytes(), actor=sender)
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.TAKEN_BACK


def test_take_back_of_a_registered_copy_is_asked_and_answered(
    sent,
    receiver,
    receiver_clerk,
    sender,
    other_agency,
    folder: Path,
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    dispatch, package = sent
    with django_capture_on_commit_callbacks(execute=True):
        (message,) = services.import_edxml(package, actor=receiver_clerk).messages
        incoming = services.register_inbound(message, clerk=receiver_clerk)
    before = set(outbox(folder, RECEIVER_CODE))
    services.take_back(dispatch, clerk=sender, reason="Cần sửa số liệu")
    (request,) = set(outbox(folder, RECEIVER_CODE)) - before
    services.import_edxml(request.read_bytes(), actor=receiver_clerk)
    message.refresh_from_db()
    assert selectors.take_back_requested(message)
    assert message.metadata["take_back_requested"]["reason"] == "Cần sửa số liệu"
    before = set(outbox(folder, other_agency.code))
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_take_back(message, clerk=receiver_clerk, accept=True)
    incoming.refresh_from_db()
    assert incoming.status == IncomingStatus.REVOKED
    (answer,) = set(outbox(folder, other_agency.code)) - before
    services.import_edxml(answer.read_bytes(), actor=sender)
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.TAKEN_BACK


def test_revoke_and_replace_across_the_transport(
    sent, issued, receiver, receiver_clerk, sender, folder: Path
) -> None:  # type: ignore[no-untyped-def]
    dispatch, package = sent
    (message,) = services.import_edxml(package, actor=receiver_clerk).messages
    first = services.register_inbound(message, clerk=receiver_clerk)
    before = set(outbox(folder, RECEIVER_CODE))
    services.revoke_outgoing(dispatch.document, clerk=sender, reason="Sai thẩm quyền")
    (revoke,) = set(outbox(folder, RECEIVER_CODE)) - before
    result = services.import_edxml(revoke.read_bytes(), actor=receiver_clerk)
    (notice,) = result.messages
    assert notice.business_type == BusinessType.REVOKE
    assert notice.metadata["reason"] == "Sai thẩm quyền"
    first.refresh_from_db()
    assert first.status == IncomingStatus.REVOKED
    # Importing the revoke again changes nothing.
    assert not services.import_edxml(revoke.read_bytes(), actor=receiver_clerk).created

    old_dispatch, old_package = send_out(issued, sender, number=20)
    (old,) = services.import_edxml(old_package, actor=receiver_clerk).messages
    old_copy = services.register_inbound(old, clerk=receiver_clerk)
    _new_dispatch, new_package = send_out(
        issued, sender, number=21, replaces=old_dispatch.document
    )
    (new,) = services.import_edxml(new_package, actor=receiver_clerk).messages
    assert new.business_type == BusinessType.REPLACE
    assert new.metadata["replaces"] == old_dispatch.message_id
    services.register_inbound(new, clerk=receiver_clerk)
    old_copy.refresh_from_db()
    assert old_copy.status == IncomingStatus.REPLACED
    assert IncomingDocument.objects.filter(agency=receiver).count() == 3


def test_the_pull_command_imports_the_inbox_folder(
    sent, receiver, folder: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    _dispatch, package = sent
    inbox = folder / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "a.xml").write_bytes(package)
    (inbox / "b.xml").write_bytes(package)
    (inbox / "c.xml").write_bytes(b"<khong-phai/>")
    with pytest.raises(SystemExit):
        call_command("documents", "edxml-pull")
    out = capsys.readouterr()
    assert "Imported 1, already there 1, refused 1" in out.out
    assert "c.xml" in out.err
    assert sorted(p.name for p in (inbox / "done").iterdir()) == ["a.xml", "b.xml"]
    reason = (inbox / "failed" / "c.xml.txt").read_text("utf-8")
    assert "không dùng không gian tên edXML" in reason
    assert InboundMessage.objects.filter(agency=receiver).count() == 1


def test_the_export_command_writes_the_dispatch_package(sent, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dispatch, package = sent
    target = tmp_path / "out.xml"
    call_command("documents", "edxml-export", str(dispatch.pk), "-o", str(target))
    assert target.read_bytes() == package
    assert edxml.parse(package).document.document_id == dispatch.message_id  # type: ignore[union-attr]
