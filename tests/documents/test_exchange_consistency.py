"""Document exchange stays consistent when things overlap: the recipient's
handling does not wipe out a pending take-back request, a late status does
not reopen a revoked copy, and dispatching and revoking the same document at
the same moment never leave a copy out on a revoked document."""

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection, connections, transaction

import pytest

from tests import factories
from tests.documents.test_exchange_support import (
    OUTSIDE_CODE,
    OUTSIDE_NAME,
    certificate_from_demo_root,
    status_package,
)
from tinhso.accounts.models import Role
from tinhso.core.errors import Conflict
from tinhso.core.models import OrgUnitKind
from tinhso.documents.constants import (
    BusinessType,
    Channel,
    DispatchStatus,
    IncomingStatus,
    OutgoingStatus,
)
from tinhso.documents.models import Dispatch, InboundMessage, OutgoingDocument
from tinhso.documents.selectors import exchange as selectors
from tinhso.documents.services import edxml, handling
from tinhso.documents.services import exchange as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.DOCUMENTS_EDXML_TRANSPORT = "folder"
    settings.DOCUMENTS_EDXML_FOLDER = str(tmp_path / "edxml")
    return tmp_path / "edxml"


def codes(dispatch: Dispatch) -> list[str]:
    return list(dispatch.receipts.order_by("pk").values_list("status", flat=True))


# A take-back request survives the recipient's handling -----------------------------


def test_handling_does_not_wipe_a_pending_take_back_request(
    agency, clerk, issued, sender
) -> None:  # type: ignore[no-untyped-def]
    (dispatch,) = services.dispatch_outgoing(issued(), clerk=sender, units=[agency])
    message = selectors.inbox(clerk)[0]
    incoming = services.register_inbound(message, clerk=clerk)
    services.take_back(dispatch, clerk=sender, reason="Cần sửa số liệu")

    # Before the clerk answers, the leader assigns and the work is closed.
    leader = factories.official(unit=agency, role=Role.LEADER, full_name="Vũ Văn Hải")
    specialist = factories.official(
        unit=agency, role=Role.SPECIALIST, full_name="Đặng Thu Trang"
    )
    handling.assign(incoming, leader, lead=specialist)
    handling.close(incoming, leader, note="Đã tham mưu xong")

    dispatch.refresh_from_db()
    message.refresh_from_db()
    # The progress is on record, and the request still waits for its answer.
    assert codes(dispatch)[-3:] == [
        DispatchStatus.TAKE_BACK_REQUESTED,
        DispatchStatus.ASSIGNED,
        DispatchStatus.COMPLETED,
    ]
    assert dispatch.status == DispatchStatus.TAKE_BACK_REQUESTED
    assert selectors.take_back_requested(message)
    with pytest.raises(Conflict):
        services.take_back(dispatch, clerk=sender)

    services.answer_take_back(
        message, clerk=clerk, accept=False, note="Văn bản đã được xử lý xong"
    )
    dispatch.refresh_from_db()
    message.refresh_from_db()
    assert dispatch.status == DispatchStatus.TAKE_BACK_REFUSED
    assert not selectors.take_back_requested(message)
    incoming.refresh_from_db()
    assert incoming.status == IncomingStatus.COMPLETED


def test_statuses_from_outside_keep_a_pending_request_and_a_revoke(
    issued, sender, other_agency, folder: Path
) -> None:  # type: ignore[no-untyped-def]
    """Networks reorder messages: a progress status that comes while the copy
    is asked back, or after it is revoked, is kept but moves nothing."""
    document = issued()
    (dispatch,) = services.dispatch_outgoing(
        document, clerk=sender, external=[(OUTSIDE_CODE, OUTSIDE_NAME)]
    )
    about = edxml.Organ(OUTSIDE_CODE, OUTSIDE_NAME)
    outside = certificate_from_demo_root(OUTSIDE_NAME, OUTSIDE_CODE)

    def status(code: str) -> None:
        package = status_package(
            dispatch.message_id, about, other_agency, code, outside
        )
        services.import_edxml(package, actor=sender)
        dispatch.refresh_from_db()

    status(DispatchStatus.REGISTERED)
    services.take_back(dispatch, clerk=sender, reason="Sai nơi nhận")
    status(DispatchStatus.IN_PROGRESS)
    assert dispatch.status == DispatchStatus.TAKE_BACK_REQUESTED
    status(DispatchStatus.TAKE_BACK_REFUSED)
    assert dispatch.status == DispatchStatus.TAKE_BACK_REFUSED
    status(DispatchStatus.COMPLETED)
    assert dispatch.status == DispatchStatus.COMPLETED

    services.revoke_outgoing(document, clerk=sender, reason="Sai thẩm quyền")
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.REVOKED
    status(DispatchStatus.ASSIGNED)
    assert dispatch.status == DispatchStatus.REVOKED
    assert codes(dispatch)[-1] == DispatchStatus.ASSIGNED


# Dispatch and revoke at the same moment ---------------------------------------------


def _in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = work()
        except BaseException as exc:
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _until_waiting(thread: threading.Thread) -> None:
    """Until ``thread`` waits for the document's lock (on SQLite, for the
    database's write lock, which cannot be seen: a pause then)."""
    if connection.vendor != "postgresql":
        thread.join(1.5)
        return
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and thread.is_alive():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                "current_database() AND wait_event_type = 'Lock' "
                "AND pid <> pg_backend_pid()"
            )
            (waiting,) = cursor.fetchone()
        if waiting:
            return
        time.sleep(0.05)


def _open_copies(document: OutgoingDocument) -> list[Dispatch]:
    return list(
        Dispatch.objects.filter(
            document=document, business_type__in=selectors.DOCUMENT_TYPES
        ).exclude(status__in=selectors.CLOSED)
    )


@pytest.mark.django_db(transaction=True)
def test_a_dispatch_waiting_on_a_revoke_is_refused(
    agency, clerk, issued, sender
) -> None:  # type: ignore[no-untyped-def]
    document = issued()
    with transaction.atomic():
        OutgoingDocument.objects.select_for_update().get(pk=document.pk)
        thread, outcome = _in_thread(
            lambda: services.dispatch_outgoing(
                OutgoingDocument.objects.get(pk=document.pk),
                clerk=sender,
                units=[agency],
            )
        )
        _until_waiting(thread)
        services.revoke_outgoing(document, clerk=sender, reason="Sai thẩm quyền")
    thread.join(60)
    assert not thread.is_alive()
    error = outcome.get("error")
    assert isinstance(error, Conflict), outcome
    assert error.code == "dispatch_revoked"
    document.refresh_from_db()
    assert document.status == OutgoingStatus.REVOKED
    assert _open_copies(document) == []
    assert not InboundMessage.objects.filter(agency=agency).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("channel", [Channel.INTERNAL, Channel.EDXML])
def test_a_copy_sent_while_revoking_is_revoked_too(
    agency, clerk, issued, sender, province, folder: Path, channel: str
) -> None:  # type: ignore[no-untyped-def]
    document = issued()
    commune = factories.orgunit(
        kind=OrgUnitKind.COMMUNE, name="Xã Minh Xuân", parent=province
    )
    services.dispatch_outgoing(document, clerk=sender, units=[commune])
    to = (
        {"units": [agency]}
        if channel == Channel.INTERNAL
        else {"external": [(OUTSIDE_CODE, OUTSIDE_NAME)]}
    )
    with transaction.atomic():
        # A dispatch to one more agency is under way and holds the document.
        OutgoingDocument.objects.select_for_update().get(pk=document.pk)
        thread, outcome = _in_thread(
            lambda: services.revoke_outgoing(
                OutgoingDocument.objects.get(pk=document.pk),
                clerk=sender,
                reason="Sai thẩm quyền",
            )
        )
        _until_waiting(thread)
        (late,) = services.dispatch_outgoing(document, clerk=sender, **to)
    thread.join(60)
    assert not thread.is_alive()
    assert "error" not in outcome, outcome
    document.refresh_from_db()
    assert document.status == OutgoingStatus.REVOKED
    assert _open_copies(document) == []
    revoked = Dispatch.objects.filter(document=document, status=DispatchStatus.REVOKED)
    assert {d.pk for d in revoked} == {late.pk, *commune_copies(document, commune)}
    if channel == Channel.INTERNAL:
        # The agency's copy left its inbox with the revoke, as the commune's did.
        assert list(selectors.inbox(clerk)) == []
    else:
        # The copy sent outside got its revoke package too.
        notice = Dispatch.objects.get(
            document=document,
            business_type=BusinessType.REVOKE,
            recipient_code=OUTSIDE_CODE,
        )
        assert notice.package_file is not None
        kinds = sorted(
            edxml.parse(path.read_bytes()).document.business_type  # type: ignore[union-attr]
            for path in (folder / "outbox" / OUTSIDE_CODE).iterdir()
        )
        assert kinds == [BusinessType.NEW, BusinessType.REVOKE]


def commune_copies(document: OutgoingDocument, commune: Any) -> set[int]:
    return set(
        Dispatch.objects.filter(
            document=document,
            recipient_unit=commune,
            business_type__in=selectors.DOCUMENT_TYPES,
        ).values_list("pk", flat=True)
    )
