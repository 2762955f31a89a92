"""Reads of the document exchange, always scoped to what the user may see.

An agency's electronic inbox is its clerks' alone; the dispatches of an
issued document are seen by whoever may see the document itself (the
outgoing part's visibility, which keeps secret documents close).
"""

import dataclasses
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from tinhso.accounts.models import Role
from tinhso.accounts.policies import is_official
from tinhso.accounts.selectors import role_scope
from tinhso.core import files
from tinhso.core.errors import NotFound
from tinhso.core.models import OrgUnit
from tinhso.core.selectors import search_orgunits
from tinhso.core.text import fold
from tinhso.documents.constants import (
    AGENCY_KINDS,
    BusinessType,
    DispatchStatus,
    InboundStatus,
    OutgoingStatus,
)
from tinhso.documents.models import (
    Dispatch,
    InboundMessage,
    OutgoingDocument,
    StatusReceipt,
)
from tinhso.documents.selectors import outgoing as outgoing_selectors
from tinhso.pki import signing

INBOX_TABS = {
    "pending": InboundStatus.PENDING,
    "registered": InboundStatus.REGISTERED,
    "rejected": InboundStatus.REJECTED,
    "taken_back": InboundStatus.TAKEN_BACK,
}
# Copies of a document (not revoke notices), whose fate the sender follows.
DOCUMENT_TYPES = (BusinessType.NEW, BusinessType.UPDATE, BusinessType.REPLACE)
# A dispatch in one of these is over: nothing left to take back or revoke.
CLOSED = (
    DispatchStatus.REJECTED,
    DispatchStatus.TAKEN_BACK,
    DispatchStatus.REVOKED,
    DispatchStatus.REPLACED,
)


def _active(user: Any) -> bool:
    return bool(is_official(user) and user.is_active)


def agencies() -> QuerySet[OrgUnit]:
    """Current units that can send and receive documents."""
    return OrgUnit.objects.filter(kind__in=AGENCY_KINDS, legacy=False)


def agency_by_code(code: str) -> OrgUnit | None:
    """The current agency with this e-identifier (edXML OrganId), if any."""
    return agencies().filter(code=code).order_by("depth").first()


def recipient_candidates(sender: OrgUnit, query: str = "") -> list[OrgUnit]:
    """Agencies and communes a document of ``sender`` may be sent to."""
    units = agencies().exclude(pk=sender.pk)
    if query.strip():
        units = units.filter(pk__in=search_orgunits(query).values("pk"))
    # By level, agencies before communes, then by name as people read it
    # (the path holds ids, which would put unit 10 before unit 2).
    return sorted(units, key=lambda unit: (unit.depth, unit.kind, fold(unit.name)))


# Inbox ---------------------------------------------------------------------


def visible_inbound(user: Any) -> QuerySet[InboundMessage]:
    """What reached the agencies where ``user`` is a clerk."""
    if not _active(user):
        return InboundMessage.objects.none()
    return InboundMessage.objects.filter(
        role_scope(user, role=Role.CLERK, unit_field="agency")
    ).select_related("agency", "main_file", "dispatch", "incoming", "sender_unit")


def inbox(user: Any, tab: str = "pending") -> QuerySet[InboundMessage]:
    status = INBOX_TABS.get(tab, InboundStatus.PENDING)
    return visible_inbound(user).filter(status=status).order_by("-received_at", "-pk")


def inbox_counts(user: Any) -> dict[str, int]:
    counts = dict.fromkeys(INBOX_TABS, 0)
    rows = visible_inbound(user).values_list("status", flat=True)
    by_status = {str(status): tab for tab, status in INBOX_TABS.items()}
    for status in rows:
        counts[by_status[status]] += 1
    return counts


def get_inbound_for(user: Any, message_id: object) -> InboundMessage:
    """One message ``user`` may see; any other id is simply not found."""
    message = None
    if str(message_id).isdigit():
        message = visible_inbound(user).filter(pk=int(str(message_id))).first()
    if message is None:
        raise NotFound("inbound_not_found", _("Không tìm thấy văn bản điện tử đến."))
    return message


# The receipts of a take-back round: the request, and its two answers.
TAKE_BACK_ROUND = (
    DispatchStatus.TAKE_BACK_REQUESTED,
    DispatchStatus.TAKEN_BACK,
    DispatchStatus.TAKE_BACK_REFUSED,
)


def take_back_pending(dispatch: Dispatch) -> bool:
    """Whether the sender's last request for ``dispatch`` back is unanswered.

    Read from the receipts (a 13 with no 15 or 16 after it), not from the
    dispatch's status, which the recipient's handling reports move on.
    """
    last = (
        dispatch.receipts.filter(status__in=TAKE_BACK_ROUND)
        .order_by("-pk")
        .values_list("status", flat=True)
        .first()
    )
    return last == DispatchStatus.TAKE_BACK_REQUESTED


def take_back_requested(message: InboundMessage) -> bool:
    """Whether the sender asked for a registered copy back, unanswered."""
    if message.status != InboundStatus.REGISTERED:
        return False
    if message.dispatch is not None:
        return message.dispatch.status not in CLOSED and take_back_pending(
            message.dispatch
        )
    return bool(message.metadata.get("take_back_requested"))


def signature_checks(message: InboundMessage) -> list[dict[str, Any]]:
    """The PDF's embedded signatures, checked now against the trusted roots."""
    with files.open_file(message.main_file) as stream:
        checks = signing.verify_pdf(stream.read())
    return [{**dataclasses.asdict(check), "ok": check.ok} for check in checks]


def related_notices(message: InboundMessage) -> QuerySet[InboundMessage]:
    """Revoke notices that arrived for the same document at the same agency."""
    return InboundMessage.objects.filter(
        agency=message.agency,
        message_id=message.message_id,
        business_type=BusinessType.REVOKE,
    ).exclude(pk=message.pk)


# Sender's side --------------------------------------------------------------


def visible_issued(user: Any) -> QuerySet[OutgoingDocument]:
    """Issued (or revoked) documents ``user`` may see (outgoing visibility)."""
    return outgoing_selectors.visible_outgoing(user).filter(
        status__in=(OutgoingStatus.ISSUED, OutgoingStatus.REVOKED)
    )


def get_issued_for(user: Any, document_id: object) -> OutgoingDocument:
    document = None
    if str(document_id).isdigit():
        document = visible_issued(user).filter(pk=int(str(document_id))).first()
    if document is None:
        raise NotFound(
            "outgoing_not_found", _("Không tìm thấy văn bản đi đã phát hành.")
        )
    return document


def dispatches_of(document: OutgoingDocument) -> QuerySet[Dispatch]:
    return (
        Dispatch.objects.filter(document=document)
        .select_related("recipient_unit", "sent_by", "package_file")
        .prefetch_related(
            Prefetch(
                "receipts", queryset=StatusReceipt.objects.order_by("created_at", "pk")
            )
        )
        .order_by("business_type", "recipient_name", "pk")
    )


def visible_dispatches(user: Any) -> QuerySet[Dispatch]:
    return Dispatch.objects.filter(
        document__in=visible_issued(user).values("pk")
    ).select_related("document", "document__agency", "recipient_unit", "package_file")


def get_dispatch_for(user: Any, dispatch_id: object) -> Dispatch:
    dispatch = None
    if str(dispatch_id).isdigit():
        dispatch = visible_dispatches(user).filter(pk=int(str(dispatch_id))).first()
    if dispatch is None:
        raise NotFound("dispatch_not_found", _("Không tìm thấy lượt gửi văn bản."))
    return dispatch


def open_dispatch_to(
    document: OutgoingDocument, *, unit: OrgUnit | None = None, code: str = ""
) -> Dispatch | None:
    """A copy of ``document`` already on its way to this recipient, if any."""
    condition = Q(recipient_unit=unit) if unit is not None else Q(recipient_code=code)
    return (
        Dispatch.objects.filter(condition, document=document)
        .filter(business_type__in=DOCUMENT_TYPES)
        .exclude(status__in=CLOSED)
        .first()
    )
