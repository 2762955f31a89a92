"""edXML: a package is believed only from the agency it names as sender.

A certificate that chains to a trusted root is not enough: the signer must be
the sending agency's own seal (a seal registered here for an agency of this
platform; for one outside, a certificate naming its OrganId in UID). Forged
revokes, take-back requests, statuses and replacements are refused with the
reason and change nothing; edXML messages never act on copies that came
inside the platform.
"""

from pathlib import Path
from typing import Any

from django.utils import timezone

import pytest

from tests import factories
from tests.documents.conftest import make_pdf
from tests.documents.test_exchange_support import (
    OUTSIDE_CODE,
    OUTSIDE_NAME,
    certificate_from_demo_root,
    seal_for,
    status_package,
)
from tinhso.accounts.models import Role
from tinhso.core.models import AuditEntry, StoredFile
from tinhso.documents.constants import (
    BusinessType,
    Channel,
    DispatchStatus,
    DocumentType,
    InboundStatus,
    IncomingStatus,
)
from tinhso.documents.models import Dispatch, InboundMessage
from tinhso.documents.selectors import exchange as selectors
from tinhso.documents.services import edxml
from tinhso.documents.services import exchange as services
from tinhso.pki import signing

pytestmark = pytest.mark.django_db

RECEIVER_CODE = "000.00.12.H42"
RECEIVER_NAME = "Sở Nội vụ tỉnh Hà Tĩnh"


@pytest.fixture
def folder(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.DOCUMENTS_EDXML_TRANSPORT = "folder"
    settings.DOCUMENTS_EDXML_FOLDER = str(tmp_path / "edxml")
    return tmp_path / "edxml"


@pytest.fixture
def sent(issued, sender, folder):  # type: ignore[no-untyped-def]
    """A document of Sở Tài chính sent as an edXML package to a receiver that,
    as in another installation, exists here only afterwards."""
    (dispatch,) = services.dispatch_outgoing(
        issued(), clerk=sender, external=[(RECEIVER_CODE, RECEIVER_NAME)]
    )
    return dispatch, services.export_package(dispatch)


@pytest.fixture
def receiver(sent, province):  # type: ignore[no-untyped-def]
    unit = factories.orgunit(name=RECEIVER_NAME, code=RECEIVER_CODE, parent=province)
    seal_for(unit)
    return unit


@pytest.fixture
def receiver_clerk(receiver):  # type: ignore[no-untyped-def]
    return factories.official(unit=receiver, role=Role.CLERK, full_name="Hồ Thị Hoa")


def outside_document(
    recipient: Any,
    *,
    number: int = 5,
    document_id: str = "",
    business_type: str = BusinessType.NEW,
    replaces: str = "",
) -> edxml.DocumentMessage:
    """A document of Bộ Tài chính (an agency outside this platform)."""
    today = timezone.localdate()
    symbol = f"{number}/QĐ-BTC"
    return edxml.DocumentMessage(
        document_id=document_id or edxml.document_id(OUTSIDE_CODE, today, symbol),
        business_type=business_type,
        sender=edxml.Organ(OUTSIDE_CODE, OUTSIDE_NAME),
        recipients=(edxml.Organ(recipient.code, recipient.name),),
        code_number=str(number),
        code_notation="QĐ-BTC",
        place="Hà Nội",
        promulgation_date=today,
        doc_type=DocumentType.DECISION,
        subject="Về việc giao dự toán ngân sách năm 2026",
        signer_name="Trần Văn Tuấn",
        signer_position="KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG",
        page_count=1,
        replaces=replaces,
        files=(
            edxml.File(
                name=f"{number}-qd-btc.pdf",
                content_type="application/pdf",
                data=make_pdf("QUYET DINH giao du toan", f"So {number}"),
            ),
        ),
    )


def refused(data: bytes, actor: Any) -> edxml.EdxmlError:
    """The import refusal, after checking that nothing was kept."""
    counts = (
        InboundMessage.objects.count(),
        StoredFile.objects.count(),
        AuditEntry.objects.filter(
            action__in=(services.ACTION_IMPORT, services.ACTION_STATUS)
        ).count(),
    )
    with pytest.raises(edxml.EdxmlError) as caught:
        services.import_edxml(data, actor=actor)
    assert caught.value.status == 422
    assert counts == (
        InboundMessage.objects.count(),
        StoredFile.objects.count(),
        AuditEntry.objects.filter(
            action__in=(services.ACTION_IMPORT, services.ACTION_STATUS)
        ).count(),
    )
    return caught.value


def assert_not_the_sender(error: edxml.EdxmlError, code: str) -> None:
    assert error.code == "edxml_signer_not_sender"
    assert error.message.startswith(
        f"Gói tin ghi nơi gửi {code} nhưng được ký bởi chứng thư số không phải "
        "của cơ quan đó"
    )


# Document messages ----------------------------------------------------------------


def test_a_personal_certificate_cannot_send_for_an_agency(
    sent, receiver, receiver_clerk, certificate, other_agency
) -> None:  # type: ignore[no-untyped-def]
    """The sending agency's own leader, certificate and all, is not its seal."""
    dispatch, _package = sent
    key, chain = signing.key_and_chain(certificate)
    message = services.document_message(
        dispatch.document,
        recipient=edxml.Organ(RECEIVER_CODE, RECEIVER_NAME),
        business_type=BusinessType.NEW,
        staff="",
    )
    error = refused(edxml.build_document(message, key=key, chain=chain), receiver_clerk)
    assert_not_the_sender(error, other_agency.code)
    assert "Nguyễn Văn Ân" in error.message


def test_an_agency_outside_is_believed_only_under_its_own_code(
    agency, clerk, certificate
) -> None:  # type: ignore[no-untyped-def]
    message = outside_document(agency)
    for common_name, uid in (
        # A person's certificate from the same trusted CA.
        ("Trần Văn Tuấn", ""),
        # The right name, but no e-identifier in the subject.
        (OUTSIDE_NAME, ""),
        # Another agency's seal.
        ("Bộ Xây dựng", "000.00.98.H02"),
    ):
        key, chain = certificate_from_demo_root(common_name, uid)
        error = refused(edxml.build_document(message, key=key, chain=chain), clerk)
        assert_not_the_sender(error, OUTSIDE_CODE)
        assert f"“{common_name}”" in error.message

    key, chain = certificate_from_demo_root(OUTSIDE_NAME, OUTSIDE_CODE)
    result = services.import_edxml(
        edxml.build_document(message, key=key, chain=chain), actor=clerk
    )
    (landed,) = result.messages
    assert landed.sender_code == OUTSIDE_CODE
    assert landed.status == InboundStatus.PENDING


def test_a_forged_revoke_leaves_the_registered_copy(
    sent, receiver, receiver_clerk, certificate, other_agency
) -> None:  # type: ignore[no-untyped-def]
    dispatch, package = sent
    (message,) = services.import_edxml(package, actor=receiver_clerk).messages
    incoming = services.register_inbound(message, clerk=receiver_clerk)
    revoke = services.document_message(
        dispatch.document,
        recipient=edxml.Organ(RECEIVER_CODE, RECEIVER_NAME),
        business_type=BusinessType.REVOKE,
        staff="",
        reason="Thu hồi giả mạo",
    )
    forgers = [
        signing.key_and_chain(certificate),
        certificate_from_demo_root(OUTSIDE_NAME, OUTSIDE_CODE),
        certificate_from_demo_root("Kẻ giả mạo", other_agency.code),
    ]
    for key, chain in forgers:
        error = refused(
            edxml.build_document(revoke, key=key, chain=chain), receiver_clerk
        )
        assert_not_the_sender(error, other_agency.code)
    incoming.refresh_from_db()
    assert incoming.status == IncomingStatus.REGISTERED
    assert not InboundMessage.objects.filter(business_type=BusinessType.REVOKE).exists()


def test_a_package_cannot_take_over_another_senders_document_id(
    agency, clerk, issued, sender
) -> None:  # type: ignore[no-untyped-def]
    """An agency outside reusing the DocumentId of a copy that came inside the
    platform (and was refused there) does not overwrite it."""
    (dispatch,) = services.dispatch_outgoing(issued(), clerk=sender, units=[agency])
    (inside,) = selectors.inbox(clerk)
    services.reject_inbound(inside, clerk=clerk, reason="Gửi nhầm")
    key, chain = certificate_from_demo_root(OUTSIDE_NAME, OUTSIDE_CODE)
    package = edxml.build_document(
        outside_document(agency, document_id=dispatch.message_id), key=key, chain=chain
    )
    error = refused(package, clerk)
    assert error.code == "edxml_document_id_taken"
    assert OUTSIDE_NAME in error.message
    inside.refresh_from_db()
    assert inside.channel == Channel.INTERNAL
    assert inside.status == InboundStatus.REJECTED
    assert inside.sender_code == dispatch.document.agency.code


def test_edxml_never_revokes_a_copy_that_came_inside_the_platform(
    agency, clerk, issued, sender, seal
) -> None:  # type: ignore[no-untyped-def]
    document = issued()
    (dispatch,) = services.dispatch_outgoing(document, clerk=sender, units=[agency])
    (message,) = selectors.inbox(clerk)
    services.reject_inbound(message, clerk=clerk, reason="Thiếu phụ lục")
    # Its package brought in as well is the same copy, left as it is.
    again = services.import_edxml(services.export_package(dispatch), actor=clerk)
    assert not again.created and again.messages == [message]
    message.refresh_from_db()
    assert message.status == InboundStatus.REJECTED
    assert message.channel == Channel.INTERNAL

    (dispatch,) = services.dispatch_outgoing(document, clerk=sender, units=[agency])
    incoming = services.register_inbound(selectors.inbox(clerk)[0], clerk=clerk)
    key, chain = signing.key_and_chain(seal)
    revoke = services.document_message(
        document,
        recipient=edxml.Organ(agency.code, agency.name),
        business_type=BusinessType.REVOKE,
        staff="",
        reason="Gửi qua edXML",
    )
    error = refused(edxml.build_document(revoke, key=key, chain=chain), None)
    assert error.code == "edxml_came_inside"
    assert "qua hệ thống dùng chung, không phải qua gói tin edXML" in error.message
    incoming.refresh_from_db()
    assert incoming.status == IncomingStatus.REGISTERED
    # Revoking is the sender's act inside the platform.
    services.revoke_outgoing(document, clerk=sender, reason="Sai thẩm quyền")
    incoming.refresh_from_db()
    assert incoming.status == IncomingStatus.REVOKED


def test_only_the_sender_of_a_document_replaces_it(
    agency, clerk, issued, sender
) -> None:  # type: ignore[no-untyped-def]
    (dispatch,) = services.dispatch_outgoing(issued(), clerk=sender, units=[agency])
    incoming = services.register_inbound(selectors.inbox(clerk)[0], clerk=clerk)
    key, chain = certificate_from_demo_root(OUTSIDE_NAME, OUTSIDE_CODE)
    replacing = outside_document(
        agency, business_type=BusinessType.REPLACE, replaces=dispatch.message_id
    )
    (message,) = services.import_edxml(
        edxml.build_document(replacing, key=key, chain=chain), actor=clerk
    ).messages
    assert message.metadata["replaces"] == dispatch.message_id
    services.register_inbound(message, clerk=clerk)
    incoming.refresh_from_db()
    assert incoming.status == IncomingStatus.REGISTERED
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.REGISTERED


# Status messages ------------------------------------------------------------------


def test_a_forged_take_back_request_leaves_the_inbox_alone(
    sent, receiver, receiver_clerk, certificate, other_agency
) -> None:  # type: ignore[no-untyped-def]
    dispatch, package = sent
    (message,) = services.import_edxml(package, actor=receiver_clerk).messages
    for signed_by in (
        signing.key_and_chain(certificate),
        certificate_from_demo_root(OUTSIDE_NAME, OUTSIDE_CODE),
    ):
        request = status_package(
            dispatch.message_id,
            edxml.Organ(other_agency.code, other_agency.name),
            receiver,
            DispatchStatus.TAKE_BACK_REQUESTED,
            signed_by,
        )
        assert_not_the_sender(refused(request, None), other_agency.code)
    message.refresh_from_db()
    assert message.status == InboundStatus.PENDING
    assert list(selectors.inbox(receiver_clerk)) == [message]


def test_statuses_count_only_from_the_recipient_itself(
    issued, sender, other_agency, folder: Path
) -> None:  # type: ignore[no-untyped-def]
    (dispatch,) = services.dispatch_outgoing(
        issued(), clerk=sender, external=[(OUTSIDE_CODE, OUTSIDE_NAME)]
    )
    about = edxml.Organ(OUTSIDE_CODE, OUTSIDE_NAME)
    for signed_by in (
        certificate_from_demo_root("Trần Văn Tuấn"),
        certificate_from_demo_root(OUTSIDE_NAME),
        certificate_from_demo_root("Bộ Xây dựng", "000.00.98.H02"),
    ):
        for code in (DispatchStatus.COMPLETED, DispatchStatus.REJECTED):
            forged = status_package(
                dispatch.message_id, about, other_agency, code, signed_by
            )
            assert_not_the_sender(refused(forged, sender), OUTSIDE_CODE)
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.SENT
    assert not dispatch.receipts.exists()

    genuine = status_package(
        dispatch.message_id,
        about,
        other_agency,
        DispatchStatus.REGISTERED,
        certificate_from_demo_root(OUTSIDE_NAME, OUTSIDE_CODE),
    )
    assert services.import_edxml(genuine, actor=sender).dispatch == dispatch
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.REGISTERED


def test_statuses_never_touch_a_copy_sent_inside_the_platform(
    agency, clerk, issued, sender, other_agency
) -> None:  # type: ignore[no-untyped-def]
    (dispatch,) = services.dispatch_outgoing(issued(), clerk=sender, units=[agency])
    seal = seal_for(agency)
    forged = status_package(
        dispatch.message_id,
        edxml.Organ(agency.code, agency.name),
        other_agency,
        DispatchStatus.REJECTED,
        signing.key_and_chain(seal),
    )
    with pytest.raises(edxml.EdxmlError) as caught:
        services.import_edxml(forged, actor=sender)
    assert caught.value.code == "edxml_unknown_document"
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.ARRIVED
    assert Dispatch.objects.filter(status=DispatchStatus.REJECTED).count() == 0
