"""Document exchange inside the platform: dispatch to the recipient's inbox
within a second, registration with receipts back, rejection, take-back before
and after registration, revoke, replace, and secret documents never leaving."""

import time
from pathlib import Path

import pytest

from tests import factories
from tests.documents.conftest import kept_files
from tinhso.accounts.models import Role
from tinhso.core import audit
from tinhso.core.errors import Conflict, DomainError, Forbidden, NotFound
from tinhso.core.models import AuditEntry, OrgUnitKind, StoredFile
from tinhso.documents.constants import (
    BusinessType,
    Channel,
    DispatchStatus,
    InboundStatus,
    IncomingStatus,
    OutgoingStatus,
    Secrecy,
)
from tinhso.documents.models import Dispatch, InboundMessage, IncomingDocument
from tinhso.documents.selectors import exchange as selectors
from tinhso.documents.services import edxml, receipts, transports
from tinhso.documents.services import exchange as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def edxml_folder(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.DOCUMENTS_EDXML_TRANSPORT = "folder"
    settings.DOCUMENTS_EDXML_FOLDER = str(tmp_path / "edxml")
    return tmp_path / "edxml"


def receipt_codes(dispatch: Dispatch) -> list[str]:
    return list(
        dispatch.receipts.order_by("created_at", "pk").values_list("status", flat=True)
    )


def test_internal_dispatch_reaches_the_recipients_inbox_within_a_second(
    agency, clerk, issued, sender
) -> None:  # type: ignore[no-untyped-def]
    document = issued()
    started = time.monotonic()
    (dispatch,) = services.dispatch_outgoing(document, clerk=sender, units=[agency])
    (message,) = selectors.inbox(clerk)
    elapsed = time.monotonic() - started
    assert elapsed < 1.0
    assert message.dispatch == dispatch
    assert message.status == InboundStatus.PENDING
    assert message.channel == Channel.INTERNAL
    assert message.metadata["number_symbol"] == "12/QĐ-STC"
    assert message.sender_unit == document.agency
    assert message.main_file == document.issued_file
    assert dispatch.message_id == (
        f"{document.agency.code},{document.issued_date:%Y/%m/%d},12/QĐ-STC"
    )
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.ARRIVED
    assert receipt_codes(dispatch) == [DispatchStatus.ARRIVED]
    assert AuditEntry.objects.filter(action=services.ACTION_DISPATCH).count() == 1


def test_registering_makes_the_incoming_document_and_tells_the_sender(
    agency, clerk, issued, sender
) -> None:  # type: ignore[no-untyped-def]
    document = issued(attachments=1)
    (dispatch,) = services.dispatch_outgoing(document, clerk=sender, units=[agency])
    message = selectors.get_inbound_for(clerk, selectors.inbox(clerk)[0].pk)
    incoming = services.register_inbound(message, clerk=clerk)
    assert incoming.agency == agency
    assert incoming.number_symbol == "12/QĐ-STC"
    assert incoming.issuer_unit == document.agency
    assert incoming.issuer_name == document.agency.name
    assert incoming.attachments.count() == 1
    assert incoming.incoming_number == 1
    assert all(sig["ok"] for sig in incoming.signatures)
    message.refresh_from_db()
    assert message.status == InboundStatus.REGISTERED
    assert message.incoming == incoming
    assert list(selectors.inbox(clerk)) == []
    dispatch.refresh_from_db()
    assert receipt_codes(dispatch) == [
        DispatchStatus.ARRIVED,
        DispatchStatus.REGISTERED,
    ]
    assert dispatch.status == DispatchStatus.REGISTERED
    # Handling reports on through the same receipts (wired elsewhere).
    receipts.report_status(incoming, DispatchStatus.ASSIGNED, actor=clerk)
    receipts.report_status(incoming, DispatchStatus.COMPLETED, actor=clerk)
    assert receipt_codes(dispatch)[-2:] == [
        DispatchStatus.ASSIGNED,
        DispatchStatus.COMPLETED,
    ]
    with pytest.raises(Conflict):
        services.register_inbound(message, clerk=clerk)
    assert audit.verify() is None


def test_rejecting_needs_a_reason_and_sends_it_back(
    agency, clerk, issued, sender
) -> None:  # type: ignore[no-untyped-def]
    (dispatch,) = services.dispatch_outgoing(issued(), clerk=sender, units=[agency])
    message = selectors.inbox(clerk)[0]
    with pytest.raises(DomainError) as caught:
        services.reject_inbound(message, clerk=clerk, reason="  ")
    assert caught.value.code == "reason_required"
    services.reject_inbound(message, clerk=clerk, reason="Gửi nhầm nơi nhận")
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.REJECTED
    assert dispatch.receipts.last().note == "Gửi nhầm nơi nhận"
    assert list(selectors.inbox(clerk, "rejected")) == [message]
    assert IncomingDocument.objects.count() == 0


def test_take_back_before_registration_empties_the_inbox(
    agency, clerk, issued, sender
) -> None:  # type: ignore[no-untyped-def]
    (dispatch,) = services.dispatch_outgoing(issued(), clerk=sender, units=[agency])
    services.take_back(dispatch, clerk=sender, reason="Sai trích yếu")
    assert list(selectors.inbox(clerk)) == []
    (message,) = selectors.inbox(clerk, "taken_back")
    assert message.status == InboundStatus.TAKEN_BACK
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.TAKEN_BACK
    assert receipt_codes(dispatch) == [
        DispatchStatus.ARRIVED,
        DispatchStatus.TAKEN_BACK,
    ]
    with pytest.raises(Conflict):
        services.register_inbound(message, clerk=clerk)
    with pytest.raises(Conflict):
        services.take_back(dispatch, clerk=sender)


def test_take_back_after_registration_asks_the_recipient(
    agency, clerk, issued, sender
) -> None:  # type: ignore[no-untyped-def]
    document = issued()
    (first,) = services.dispatch_outgoing(document, clerk=sender, units=[agency])
    message = selectors.inbox(clerk)[0]
    incoming = services.register_inbound(message, clerk=clerk)
    services.take_back(first, clerk=sender, reason="Cần sửa số liệu")
    first.refresh_from_db()
    assert first.status == DispatchStatus.TAKE_BACK_REQUESTED
    message.refresh_from_db()
    assert selectors.take_back_requested(message)
    services.answer_take_back(
        message, clerk=clerk, accept=False, note="Đã phân công xử lý"
    )
    first.refresh_from_db()
    assert first.status == DispatchStatus.TAKE_BACK_REFUSED
    incoming.refresh_from_db()
    assert incoming.status == IncomingStatus.REGISTERED
    # Asked again, accepted this time: the copy is revoked in the register.
    services.take_back(first, clerk=sender)
    message.refresh_from_db()
    services.answer_take_back(message, clerk=clerk, accept=True)
    incoming.refresh_from_db()
    assert incoming.status == IncomingStatus.REVOKED
    message.refresh_from_db()
    assert message.status == InboundStatus.TAKEN_BACK
    first.refresh_from_db()
    assert receipt_codes(first) == [
        DispatchStatus.ARRIVED,
        DispatchStatus.REGISTERED,
        DispatchStatus.TAKE_BACK_REQUESTED,
        DispatchStatus.TAKE_BACK_REFUSED,
        DispatchStatus.TAKE_BACK_REQUESTED,
        DispatchStatus.TAKEN_BACK,
    ]
    assert AuditEntry.objects.filter(
        action="documents.incoming.revoke", object_id=str(incoming.pk)
    ).exists()
    with pytest.raises(Conflict):
        services.answer_take_back(message, clerk=clerk, accept=True)


def test_sent_again_after_a_take_back_it_comes_back_to_the_inbox(
    agency, clerk, issued, sender
) -> None:  # type: ignore[no-untyped-def]
    document = issued()
    (first,) = services.dispatch_outgoing(document, clerk=sender, units=[agency])
    with pytest.raises(Conflict) as caught:
        services.dispatch_outgoing(document, clerk=sender, units=[agency])
    assert caught.value.code == "dispatch_already_sent"
    services.take_back(first, clerk=sender)
    (second,) = services.dispatch_outgoing(document, clerk=sender, units=[agency])
    (message,) = selectors.inbox(clerk)
    assert message.dispatch == second
    assert InboundMessage.objects.count() == 1


def test_revoke_reaches_every_copy(agency, clerk, issued, sender, province) -> None:  # type: ignore[no-untyped-def]
    commune = factories.orgunit(
        kind=OrgUnitKind.COMMUNE, name="Xã Minh Xuân", parent=province
    )
    commune_clerk = factories.official(unit=commune, role=Role.CLERK)
    document = issued()
    services.dispatch_outgoing(document, clerk=sender, units=[agency, commune])
    registered = services.register_inbound(selectors.inbox(clerk)[0], clerk=clerk)
    with pytest.raises(DomainError) as caught:
        services.revoke_outgoing(document, clerk=sender, reason="")
    assert caught.value.code == "reason_required"
    services.revoke_outgoing(document, clerk=sender, reason="Ban hành sai thẩm quyền")
    document.refresh_from_db()
    assert document.status == OutgoingStatus.REVOKED
    registered.refresh_from_db()
    assert registered.status == IncomingStatus.REVOKED
    # The commune had not registered it yet: it simply leaves the inbox.
    assert list(selectors.inbox(commune_clerk)) == []
    notices = InboundMessage.objects.filter(business_type=BusinessType.REVOKE)
    assert {n.agency for n in notices} == {agency, commune}
    assert all(n.metadata["reason"] == "Ban hành sai thẩm quyền" for n in notices)
    originals = Dispatch.objects.filter(
        document=document, business_type=BusinessType.NEW
    )
    assert {d.status for d in originals} == {DispatchStatus.REVOKED}
    with pytest.raises(Conflict):
        services.dispatch_outgoing(document, clerk=sender, units=[agency])
    with pytest.raises(Conflict):
        services.revoke_outgoing(document, clerk=sender, reason="Lần nữa")


def test_a_replacing_document_marks_the_old_copy_replaced(
    agency, clerk, issued, sender
) -> None:  # type: ignore[no-untyped-def]
    old = issued(number=12)
    (old_dispatch,) = services.dispatch_outgoing(old, clerk=sender, units=[agency])
    old_copy = services.register_inbound(selectors.inbox(clerk)[0], clerk=clerk)
    new = issued(number=15, replaces=old, subject="Về việc phân bổ kinh phí (thay thế)")
    (dispatch,) = services.dispatch_outgoing(new, clerk=sender, units=[agency])
    assert dispatch.business_type == BusinessType.REPLACE
    (message,) = selectors.inbox(clerk)
    assert message.business_type == BusinessType.REPLACE
    assert message.metadata["replaces_number_symbol"] == "12/QĐ-STC"
    assert message.metadata["replaces"] == old_dispatch.message_id
    services.register_inbound(message, clerk=clerk)
    old_copy.refresh_from_db()
    assert old_copy.status == IncomingStatus.REPLACED
    old_dispatch.refresh_from_db()
    assert old_dispatch.status == DispatchStatus.REPLACED


@pytest.mark.parametrize(
    "secrecy", [Secrecy.CONFIDENTIAL, Secrecy.SECRET, Secrecy.TOP_SECRET]
)
def test_secret_documents_never_leave_on_either_channel(
    agency, issued, sender, edxml_folder: Path, storage_dir: Path, secrecy: str
) -> None:  # type: ignore[no-untyped-def]
    document = issued(secrecy=secrecy)
    stored_before = StoredFile.objects.count()
    for units, external in (([agency], []), ([], [("000.00.99.H01", "Bộ Tài chính")])):
        with pytest.raises(DomainError) as caught:
            services.dispatch_outgoing(
                document, clerk=sender, units=units, external=external
            )
        assert caught.value.code == "dispatch_secret_refused"
        assert caught.value.message.startswith("Văn bản mật không được gửi qua mạng")
    assert Dispatch.objects.count() == 0
    assert InboundMessage.objects.count() == 0
    assert StoredFile.objects.count() == stored_before
    assert kept_files(edxml_folder) == []
    refusals = AuditEntry.objects.filter(action=services.ACTION_REFUSED_SECRET)
    assert refusals.count() == 2
    assert {tuple(r.detail["external"]) for r in refusals} == {(), ("000.00.99.H01",)}
    assert all(r.actor == sender for r in refusals)
    # Nor can it be packed into an edXML message by any other way.
    with pytest.raises(DomainError) as caught:
        services.document_message(
            document,
            recipient=edxml.Organ("000.00.99.H01", "Bộ Tài chính"),
            business_type=BusinessType.NEW,
            staff="",
        )
    assert caught.value.code == "edxml_secret_document"


def test_only_the_issuing_agencys_clerk_dispatches(
    agency, clerk, issued, signer
) -> None:  # type: ignore[no-untyped-def]
    document = issued()
    for someone in (clerk, signer):
        with pytest.raises(Forbidden):
            services.dispatch_outgoing(document, clerk=someone, units=[agency])
    assert Dispatch.objects.count() == 0


def test_dispatch_checks_its_recipients(agency, issued, sender, province) -> None:  # type: ignore[no-untyped-def]
    document = issued()
    department = factories.orgunit(
        kind=OrgUnitKind.DEPARTMENT, name="Phòng Kế hoạch", parent=document.agency
    )
    cases = [
        ({}, "dispatch_no_recipient"),
        ({"units": [document.agency]}, "dispatch_to_self"),
        ({"units": [department]}, "dispatch_bad_recipient"),
        ({"external": [("không hợp lệ", "X")]}, "dispatch_bad_code"),
        ({"external": [("000.00.99.H01", " ")]}, "dispatch_name_required"),
    ]
    for over, code in cases:
        with pytest.raises(DomainError) as caught:
            services.dispatch_outgoing(document, clerk=sender, **over)
        assert caught.value.code == code
    assert Dispatch.objects.count() == 0
    # A code of an agency on the platform is reached inside it.
    (dispatch,) = services.dispatch_outgoing(
        document, clerk=sender, external=[(agency.code, "")]
    )
    assert dispatch.channel == Channel.INTERNAL
    assert dispatch.recipient_unit == agency


def test_another_agencys_clerk_cannot_see_the_inbox(
    agency, clerk, issued, sender, province
) -> None:  # type: ignore[no-untyped-def]
    services.dispatch_outgoing(issued(), clerk=sender, units=[agency])
    (message,) = selectors.inbox(clerk)
    stranger = factories.official(
        unit=factories.orgunit(name="Sở Y tế", parent=province), role=Role.CLERK
    )
    leader = factories.official(unit=agency, role=Role.LEADER)
    for someone in (stranger, sender, leader):
        assert list(selectors.inbox(someone)) == []
        with pytest.raises(NotFound):
            selectors.get_inbound_for(someone, message.pk)
    with pytest.raises(Forbidden):
        services.register_inbound(message, clerk=stranger)
    assert IncomingDocument.objects.count() == 0


def test_external_dispatch_hands_a_package_to_the_folder_transport(
    issued, sender, edxml_folder: Path
) -> None:  # type: ignore[no-untyped-def]
    document = issued(attachments=1)
    (dispatch,) = services.dispatch_outgoing(
        document, clerk=sender, external=[("000.00.99.H01", "Bộ Tài chính")]
    )
    assert dispatch.channel == Channel.EDXML
    assert dispatch.status == DispatchStatus.SENT
    assert dispatch.package_file is not None
    (written,) = kept_files(edxml_folder / "outbox" / "000.00.99.H01")
    assert written.read_bytes() == services.export_package(dispatch)
    assert transports.inbox_files() == []
