"""Status receipts from a recipient back to the sender (edXML statuses 01–16).

Handling calls ``report_status`` as an incoming document moves. A document
that came through the platform gets the receipt on its sending dispatch at
once; one that came as an edXML package gets an edXML status message sent
back through the transport after the change commits (a background task, so
a slow or absent peer never holds up the clerk).
"""

import logging
from typing import Any

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from tinhso.documents.constants import Channel, DispatchStatus
from tinhso.documents.models import (
    Dispatch,
    InboundMessage,
    IncomingDocument,
    StatusReceipt,
)
from tinhso.documents.selectors.exchange import CLOSED, take_back_pending

logger = logging.getLogger(__name__)


def _name_of(actor: Any) -> str:
    return str(getattr(actor, "full_name", "") or getattr(actor, "username", "") or "")


def record_receipt(
    dispatch: Dispatch,
    status: str,
    *,
    actor: Any = None,
    note: str = "",
    actor_name: str = "",
    move: bool = True,
) -> StatusReceipt:
    """Append a receipt to ``dispatch`` and, unless ``move`` is False, move
    its status there."""
    with transaction.atomic():
        receipt = StatusReceipt.objects.create(
            dispatch=dispatch,
            status=status,
            note=note,
            actor_name=(actor_name or _name_of(actor))[:150],
        )
        if move:
            Dispatch.objects.filter(pk=dispatch.pk).update(
                status=status, updated_at=timezone.now()
            )
            dispatch.status = status
    return receipt


# The usual course of a copy; a status message that arrives late (networks
# reorder them) is kept in the history but does not move the copy back.
PROGRESS = (
    DispatchStatus.SENT,
    DispatchStatus.ARRIVED,
    DispatchStatus.REGISTERED,
    DispatchStatus.ASSIGNED,
    DispatchStatus.IN_PROGRESS,
    DispatchStatus.COMPLETED,
)


def moves_forward(current: str, status: str) -> bool:
    """Whether ``status`` may replace ``current`` as a copy's status."""
    if current in PROGRESS and status in PROGRESS:
        return PROGRESS.index(status) > PROGRESS.index(current)
    return True


def moves(dispatch: Dispatch, status: str) -> bool:
    """Whether a receipt of ``status`` moves ``dispatch`` there.

    A report of the recipient's handling (the usual course) is kept in the
    history but leaves the status alone while the sender's request to take
    the copy back waits for its answer (15 or 16), so the request stays in
    sight and can be answered; nor does it reopen a copy that is over
    (taken back, revoked, replaced, refused).
    """
    if status not in PROGRESS:
        return True
    return dispatch.status not in CLOSED and not take_back_pending(dispatch)


def report_inbound(
    inbound: InboundMessage, status: str, *, actor: Any = None, note: str = ""
) -> StatusReceipt | None:
    """Tell the sender of ``inbound`` that it is now at ``status``.

    Returns the receipt for a dispatch inside the platform; for an edXML
    message the status message leaves after commit, and None is returned.
    """
    if inbound.dispatch_id is not None:
        assert inbound.dispatch is not None
        return record_receipt(
            inbound.dispatch,
            status,
            actor=actor,
            note=note,
            move=moves(inbound.dispatch, status),
        )
    if inbound.channel == Channel.EDXML:
        staff = _name_of(actor)
        inbound_id = inbound.pk
        # Robust: a queue that cannot take the task must not undo, or fail,
        # the clerk's act that already committed.
        transaction.on_commit(
            lambda: send_status.enqueue(inbound_id, str(status), note, staff),
            robust=True,
        )
    return None


def report_status(
    incoming: IncomingDocument, status: DispatchStatus, *, actor: Any, note: str = ""
) -> StatusReceipt | None:
    """Tell the sender of ``incoming`` where it stands, if it came electronically.

    Returns None for a document registered from paper or a scan, and for one
    that came as an edXML package (its status message leaves after commit).
    """
    inbound = getattr(incoming, "inbound", None)
    if inbound is None:
        return None
    return report_inbound(inbound, status, actor=actor, note=note)


@task()
def send_status(inbound_id: int, status: str, note: str = "", staff: str = "") -> str:
    """Sign and send the edXML status of an imported message to its sender."""
    from tinhso.documents.services import edxml, transports

    inbound = InboundMessage.objects.select_related("agency").get(pk=inbound_id)
    key, chain = edxml.seal_of(inbound.agency)
    package = edxml.build_status(
        edxml.StatusMessage(
            document_id=inbound.message_id,
            sender=edxml.Organ(inbound.agency.code, inbound.agency.name),
            recipient=edxml.Organ(inbound.sender_code, inbound.sender_name),
            status=status,
            description=note,
            staff=staff,
        ),
        key=key,
        chain=chain,
    )
    where = transports.current().send(
        package,
        recipient_code=inbound.sender_code,
        name=f"status-{status}-{inbound.message_id}",
    )
    logger.info("edXML status %s for %s sent to %s", status, inbound.message_id, where)
    return where
