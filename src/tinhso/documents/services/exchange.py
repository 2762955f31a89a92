"""Sending issued documents and receiving electronic ones (document exchange).

Inside the platform a dispatch lands in the recipient agency's electronic
inbox in the same transaction; outside it leaves as a signed edXML package
(QCVN 102:2016) through the configured transport. Secret documents never
leave: the refusal is audited even though nothing else is written. Every
other act here is one transaction, checked by a policy and audited; files
kept for an act that fails are removed again.
"""

import dataclasses
import datetime as dt
import hashlib
import logging
from collections.abc import Sequence
from io import BytesIO
from typing import Any

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pypdf import PdfReader

from tinhso.core import audit, files
from tinhso.core.errors import Conflict, DomainError, Forbidden
from tinhso.core.models import OrgUnit, StoredFile
from tinhso.core.text import nfc
from tinhso.documents.constants import (
    AGENCY_KINDS,
    BusinessType,
    Channel,
    DispatchStatus,
    InboundStatus,
    IncomingStatus,
    OutgoingStatus,
    Secrecy,
)
from tinhso.documents.models import (
    AgencyProfile,
    Dispatch,
    InboundMessage,
    IncomingDocument,
    OutgoingDocument,
)
from tinhso.documents.policies import exchange as policies
from tinhso.documents.selectors import exchange as selectors
from tinhso.documents.services import edxml, receipts, transports
from tinhso.documents.services.incoming import register_incoming

logger = logging.getLogger(__name__)

ACTION_DISPATCH = "documents.dispatch.send"
ACTION_REFUSED_SECRET = "documents.dispatch.refused_secret"  # noqa: S105
ACTION_TAKE_BACK = "documents.dispatch.take_back"
ACTION_REVOKE = "documents.outgoing.revoke"
ACTION_REGISTER = "documents.inbox.register"
ACTION_REJECT = "documents.inbox.reject"
ACTION_TAKE_BACK_ANSWER = "documents.inbox.take_back_answer"
ACTION_IMPORT = "documents.edxml.import"
ACTION_STATUS = "documents.edxml.status"
# On the incoming document's own history (see views/incoming.py).
ACTION_INCOMING_REVOKED = "documents.incoming.revoke"
ACTION_INCOMING_REPLACED = "documents.incoming.replace"

XML_ONLY = {"xml": files.ALLOWED_TYPES["xml"]}
PDF_ONLY = {"pdf": files.ALLOWED_TYPES["pdf"]}
DOCUMENT_TYPES = selectors.DOCUMENT_TYPES
REASON_LIMIT = 2000


@dataclasses.dataclass(frozen=True)
class ImportResult:
    """What an imported edXML message did.

    ``messages`` are the inbox entries of a document message (new or, when
    the same message came before, the existing ones); ``dispatch`` is the
    sender-side dispatch a status message was about.
    """

    kind: str
    created: bool
    messages: list[InboundMessage]
    dispatch: Dispatch | None = None
    status: str = ""


# Helpers -------------------------------------------------------------------


def _read(stored: StoredFile) -> bytes:
    with files.open_file(stored) as stream:
        return stream.read()


def _forget(kept: Sequence[StoredFile]) -> None:
    for stored in kept:
        default_storage.delete(stored.storage_name)


def _organ(unit: OrgUnit) -> edxml.Organ:
    return edxml.Organ(code=unit.code, name=unit.name)


def _place(agency: OrgUnit) -> str:
    try:
        return agency.document_profile.place_name
    except AgencyProfile.DoesNotExist:
        return agency.name


def _page_count(document: OutgoingDocument, pdf: bytes) -> int:
    if document.page_count:
        return document.page_count
    try:
        return len(PdfReader(BytesIO(pdf)).pages)
    except Exception:
        logger.warning("Could not count the pages of %s", document, exc_info=True)
        return 1


def message_id_of(document: OutgoingDocument) -> str:
    """The edXML DocumentId of an issued document."""
    assert document.issued_date is not None
    return edxml.document_id(
        document.agency.code, document.issued_date, document.number_symbol
    )


def _metadata(document: OutgoingDocument, pages: int) -> dict[str, Any]:
    assert document.issued_date is not None
    signer = document.signer
    meta: dict[str, Any] = {
        "number_symbol": document.number_symbol,
        "issued_date": document.issued_date.isoformat(),
        "doc_type": document.doc_type,
        "subject": document.subject,
        "signer_name": getattr(signer, "full_name", "") if signer else "",
        "signer_position": document.signer_position,
        "urgency": document.urgency,
        "secrecy": Secrecy.NORMAL,
        "page_count": pages,
        "place": _place(document.agency),
    }
    replaced = document.replaces
    if replaced is not None and replaced.issued_date is not None:
        meta["replaces"] = message_id_of(replaced)
        meta["replaces_number_symbol"] = replaced.number_symbol
    return meta


def _business_type(document: OutgoingDocument) -> str:
    return BusinessType.REPLACE if document.replaces_id else BusinessType.NEW


def document_message(
    document: OutgoingDocument,
    *,
    recipient: edxml.Organ,
    business_type: str,
    staff: str,
    reason: str = "",
) -> edxml.DocumentMessage:
    """The edXML view of an issued document: its metadata and signed files.

    Never of a secret document: those do not travel on the network at all.
    """
    if document.secrecy != Secrecy.NORMAL:
        raise DomainError(
            "edxml_secret_document",
            _("Văn bản mật không được gửi qua mạng nên không đóng gói edXML."),
            status=403,
        )
    assert document.issued_file is not None and document.issued_date is not None
    pdf = _read(document.issued_file)
    meta = _metadata(document, _page_count(document, pdf))
    number, notation = edxml.split_number_symbol(document.number_symbol)
    attached = [
        edxml.File(
            name=item.file.name,
            content_type=item.file.content_type,
            data=_read(item.file),
            description=_("Phụ lục, tài liệu kèm theo"),
        )
        for item in document.attachments.select_related("file")
    ]
    return edxml.DocumentMessage(
        document_id=message_id_of(document),
        business_type=business_type,
        sender=_organ(document.agency),
        recipients=(recipient,),
        code_number=number,
        code_notation=notation,
        place=meta["place"],
        promulgation_date=document.issued_date,
        doc_type=document.doc_type,
        subject=document.subject,
        signer_name=meta["signer_name"],
        signer_position=document.signer_position,
        page_count=meta["page_count"],
        priority=edxml.PRIORITY_OF_URGENCY.get(document.urgency, 0),
        reason=reason,
        replaces=meta.get("replaces", ""),
        staff=staff,
        files=(
            edxml.File(
                name=document.issued_file.name,
                content_type="application/pdf",
                data=pdf,
                description=_("Văn bản điện tử đã ký số"),
            ),
            *attached,
        ),
    )


def _store_package(package: bytes, name: str, actor: Any) -> StoredFile:
    return files.store(
        BytesIO(package),
        f"edxml-{transports.safe_name(name)[:60]}.xml",
        uploaded_by=actor,
        allowed=XML_ONLY,
        max_bytes=max(len(package), 1),
    )


def _name(actor: Any) -> str:
    return str(getattr(actor, "full_name", "") or getattr(actor, "username", ""))


def _clean_reason(reason: str, *, required: bool, what: str) -> str:
    reason = nfc(reason or "").strip()
    if required and not reason:
        raise DomainError(
            "reason_required", _("Cần ghi lý do %(what)s.") % {"what": what}
        )
    if len(reason) > REASON_LIMIT:
        raise DomainError(
            "reason_too_long",
            _("Lý do dài quá %(limit)s ký tự.") % {"limit": REASON_LIMIT},
        )
    return reason


def _hand_over(
    transport: transports.Transport, parcels: Sequence[tuple[bytes, str, str]]
) -> None:
    """Send ``(package, recipient OrganId, name)`` parcels before recording.

    Sent first, so no transaction (nor SQLite's write lock) is held while a
    peer answers, and a transport that fails leaves nothing recorded. If
    recording then fails, sending again is harmless: a receiver lands each
    message once.
    """
    for package, code, name in parcels:
        transport.send(package, recipient_code=code, name=name)


# Dispatch --------------------------------------------------------------------


def _refuse_secret(
    document: OutgoingDocument,
    clerk: Any,
    units: Sequence[OrgUnit],
    external: Sequence[tuple[str, str]],
) -> None:
    """Refuse electronic dispatch of a secret document, and audit the attempt.

    The audit row is written on its own, before any transaction of the
    dispatch, so the refusal stays on record although nothing else is.
    """
    if document.secrecy == Secrecy.NORMAL:
        return
    level = Secrecy(document.secrecy).label
    audit.record(
        ACTION_REFUSED_SECRET,
        obj=document,
        actor=clerk,
        detail={
            "number_symbol": document.number_symbol,
            "secrecy": document.secrecy,
            "internal": [unit.pk for unit in units],
            "external": [code for code, _name in external],
        },
    )
    raise DomainError(
        "dispatch_secret_refused",
        _(
            "Văn bản mật không được gửi qua mạng: văn bản %(number)s có độ mật "
            "“%(level)s”. Hãy chuyển bản giấy theo quy định về bảo vệ bí mật "
            "nhà nước."
        )
        % {"number": document.number_symbol or document.subject[:60], "level": level},
        status=403,
    )


def _lock(document: OutgoingDocument) -> OutgoingDocument:
    """The document row, locked until the transaction ends.

    Dispatching and revoking take it first, so one waits for the other and
    then sees what the other did.
    """
    return OutgoingDocument.objects.select_for_update(of=("self",)).get(pk=document.pk)


def _check_issued(document: OutgoingDocument) -> None:
    if document.status == OutgoingStatus.REVOKED:
        raise Conflict(
            "dispatch_revoked",
            _("Văn bản %(number)s đã bị thu hồi, không gửi được nữa.")
            % {"number": document.number_symbol},
        )
    if (
        document.status != OutgoingStatus.ISSUED
        or document.issued_file_id is None
        or document.issued_date is None
        or not document.number_symbol
    ):
        raise Conflict(
            "dispatch_not_issued",
            _("Chỉ gửi được văn bản đã cấp số và phát hành."),
        )


def _check_recipient_unit(unit: OrgUnit, sender: OrgUnit) -> None:
    if unit.legacy or unit.kind not in AGENCY_KINDS:
        raise DomainError(
            "dispatch_bad_recipient",
            _("%(name)s không phải cơ quan, đơn vị nhận văn bản.")
            % {"name": unit.name},
        )
    if unit.pk == sender.pk:
        raise DomainError(
            "dispatch_to_self",
            _("Không gửi văn bản cho chính cơ quan ban hành."),
        )


def _recipients(
    document: OutgoingDocument,
    units: Sequence[OrgUnit],
    external: Sequence[tuple[str, str]],
) -> tuple[list[OrgUnit], list[edxml.Organ]]:
    sender = document.agency
    inside: dict[int, OrgUnit] = {}
    outside: dict[str, edxml.Organ] = {}
    for unit in units:
        _check_recipient_unit(unit, sender)
        inside[unit.pk] = unit
    for raw_code, raw_name in external:
        code = nfc(raw_code or "").strip()
        name = nfc(raw_name or "").strip()
        if not edxml.valid_code(code):
            raise DomainError(
                "dispatch_bad_code",
                _(
                    "Mã định danh “%(code)s” không hợp lệ; ví dụ 000.00.12.H22 "
                    "(chữ, số, dấu chấm, gạch ngang)."
                )
                % {"code": code[:80]},
            )
        # An agency on this platform is reached inside it, whatever was typed.
        local = selectors.agency_by_code(code)
        if local is not None:
            _check_recipient_unit(local, sender)
            inside[local.pk] = local
            continue
        if not name:
            raise DomainError(
                "dispatch_name_required",
                _("Cần tên cơ quan nhận có mã định danh %(code)s.") % {"code": code},
            )
        if len(name) > 255:
            raise DomainError(
                "dispatch_name_too_long", _("Tên cơ quan nhận dài quá 255 ký tự.")
            )
        outside[code] = edxml.Organ(code=code, name=name)
    if not inside and not outside:
        raise DomainError("dispatch_no_recipient", _("Cần chọn ít nhất một nơi nhận."))
    for unit in inside.values():
        _check_not_sent(document, unit=unit, name=unit.name)
    for organ in outside.values():
        _check_not_sent(document, code=organ.code, name=organ.name)
    return list(inside.values()), list(outside.values())


def _check_not_sent(
    document: OutgoingDocument,
    *,
    name: str,
    unit: OrgUnit | None = None,
    code: str = "",
) -> None:
    existing = selectors.open_dispatch_to(document, unit=unit, code=code)
    if existing is not None:
        raise Conflict(
            "dispatch_already_sent",
            _("Văn bản đã được gửi tới %(name)s (đang ở trạng thái “%(status)s”).")
            % {"name": name, "status": existing.get_status_display()},
        )


def _deliver(
    dispatch: Dispatch,
    document: OutgoingDocument,
    meta: dict[str, Any],
    *,
    business_type: str,
    status: str = InboundStatus.PENDING,
) -> InboundMessage:
    """Put ``dispatch`` in its recipient's inbox (again, if it was sent back)."""
    unit = dispatch.recipient_unit
    assert unit is not None and document.issued_file is not None
    fields: dict[str, Any] = {
        "dispatch": dispatch,
        "channel": Channel.INTERNAL,
        "sender_code": document.agency.code,
        "sender_name": document.agency.name,
        "sender_unit": document.agency,
        "metadata": meta,
        "main_file": document.issued_file,
        "package_file": None,
        "status": status,
        "incoming": None,
        "reject_reason": "",
        "handled_by": None,
        "handled_at": timezone.now() if status != InboundStatus.PENDING else None,
    }
    existing = (
        InboundMessage.objects.select_for_update()
        .filter(
            agency=unit, message_id=dispatch.message_id, business_type=business_type
        )
        .first()
    )
    if existing is not None:
        if existing.status not in (InboundStatus.TAKEN_BACK, InboundStatus.REJECTED):
            raise Conflict(
                "dispatch_already_sent",
                _("%(name)s đã nhận văn bản này.") % {"name": unit.name},
            )
        # Sent again after a take-back or a refusal: the same entry comes back.
        InboundMessage.objects.filter(pk=existing.pk).update(
            **fields, received_at=timezone.now()
        )
        existing.refresh_from_db()
        message = existing
    else:
        message = InboundMessage.objects.create(
            agency=unit,
            message_id=dispatch.message_id,
            business_type=business_type,
            **fields,
        )
    message.attachments.set([item.file for item in document.attachments.all()])
    return message


def dispatch_outgoing(
    document: OutgoingDocument,
    *,
    clerk: Any,
    units: Sequence[OrgUnit] = (),
    external: Sequence[tuple[str, str]] = (),
) -> list[Dispatch]:
    """Send an issued document to agencies of the platform and outside.

    ``units`` land in the recipients' electronic inboxes at once, with an
    "arrived" (01) receipt; ``external`` ``(OrganId, name)`` pairs each get a
    signed edXML package handed to the transport. A document with a secrecy
    level is refused (and the attempt audited); nothing is sent or kept on
    any failure.
    """
    agency = document.agency
    if not policies.can_dispatch(clerk, agency):
        raise Forbidden(
            "dispatch_forbidden",
            _("Chỉ văn thư của %(agency)s được gửi văn bản của cơ quan.")
            % {"agency": agency.name},
        )
    _refuse_secret(document, clerk, units, external)
    _check_issued(document)
    inside, outside = _recipients(document, units, external)
    business_type = _business_type(document)
    message_id = message_id_of(document)
    assert document.issued_file is not None
    meta = _metadata(document, _page_count(document, _read(document.issued_file)))

    # Signing is slow next to the writes: done before the transaction.
    packages: dict[str, bytes] = {}
    transport = None
    if outside:
        transport = transports.current()
        key, chain = edxml.seal_of(agency)
        for organ in outside:
            packages[organ.code] = edxml.build_document(
                document_message(
                    document,
                    recipient=organ,
                    business_type=business_type,
                    staff=_name(clerk),
                ),
                key=key,
                chain=chain,
            )

    if transport is not None:
        _hand_over(
            transport,
            [(packages[organ.code], organ.code, message_id) for organ in outside],
        )
    kept: list[StoredFile] = []
    made: list[Dispatch] = []
    try:
        with transaction.atomic():
            # Checked again under the document's lock: a revoke, or another
            # dispatch to the same recipient, may have come in between.
            _check_issued(_lock(document))
            for unit in inside:
                _check_not_sent(document, unit=unit, name=unit.name)
            for organ in outside:
                _check_not_sent(document, code=organ.code, name=organ.name)
            for unit in inside:
                dispatch = Dispatch.objects.create(
                    document=document,
                    channel=Channel.INTERNAL,
                    business_type=business_type,
                    recipient_unit=unit,
                    recipient_code=unit.code,
                    recipient_name=unit.name,
                    message_id=message_id,
                    sent_by=clerk,
                )
                _deliver(dispatch, document, meta, business_type=business_type)
                receipts.record_receipt(
                    dispatch,
                    DispatchStatus.ARRIVED,
                    actor_name=unit.name,
                    note=_("Đã đến hộp văn bản điện tử của cơ quan nhận."),
                )
                made.append(dispatch)
            for organ in outside:
                package = _store_package(packages[organ.code], message_id, clerk)
                kept.append(package)
                made.append(
                    Dispatch.objects.create(
                        document=document,
                        channel=Channel.EDXML,
                        business_type=business_type,
                        recipient_code=organ.code,
                        recipient_name=organ.name,
                        message_id=message_id,
                        package_file=package,
                        sent_by=clerk,
                    )
                )
            audit.record(
                ACTION_DISPATCH,
                obj=document,
                actor=clerk,
                detail={
                    "message_id": message_id,
                    "business_type": business_type,
                    "internal": [unit.pk for unit in inside],
                    "external": [organ.code for organ in outside],
                },
            )
    except BaseException:
        _forget(kept)
        raise
    return made


def export_package(dispatch: Dispatch) -> bytes:
    """The edXML package of a dispatch: as sent, or built now for one inside."""
    if dispatch.package_file is not None:
        return _read(dispatch.package_file)
    document = dispatch.document
    key, chain = edxml.seal_of(document.agency)
    return edxml.build_document(
        document_message(
            document,
            recipient=edxml.Organ(dispatch.recipient_code, dispatch.recipient_name),
            business_type=dispatch.business_type,
            staff=_name(dispatch.sent_by),
        ),
        key=key,
        chain=chain,
    )


# Take-back and revoke (sender) ---------------------------------------------------


def _status_package(
    agency: OrgUnit, dispatch: Dispatch, status: str, *, note: str, staff: str
) -> bytes:
    key, chain = edxml.seal_of(agency)
    return edxml.build_status(
        edxml.StatusMessage(
            document_id=dispatch.message_id,
            sender=_organ(agency),
            recipient=edxml.Organ(dispatch.recipient_code, dispatch.recipient_name),
            status=status,
            description=note,
            staff=staff,
        ),
        key=key,
        chain=chain,
    )


def take_back(dispatch: Dispatch, *, clerk: Any, reason: str = "") -> Dispatch:
    """Take a sent copy back (lấy lại văn bản).

    Not yet registered: it leaves the recipient's inbox at once (receipt 15).
    Registered: the recipient's clerk is asked (13) and answers with 15 or 16.
    An edXML copy is asked for with a status message 13.
    """
    document = dispatch.document
    if not policies.can_dispatch(clerk, document.agency):
        raise Forbidden(
            "take_back_forbidden",
            _("Chỉ văn thư của %(agency)s được lấy lại văn bản đã gửi.")
            % {"agency": document.agency.name},
        )
    reason = _clean_reason(reason, required=False, what=_("lấy lại"))

    def refuse(current: Dispatch) -> Conflict:
        return Conflict(
            "take_back_not_possible",
            _(
                "Lượt gửi tới %(name)s đang ở trạng thái “%(status)s”, không lấy "
                "lại được."
            )
            % {"name": current.recipient_name, "status": current.get_status_display()},
        )

    if dispatch.business_type not in DOCUMENT_TYPES or dispatch.status in (
        *selectors.CLOSED,
        DispatchStatus.TAKE_BACK_REQUESTED,
    ):
        raise refuse(dispatch)
    if dispatch.channel == Channel.EDXML:
        transport = transports.current()
        package = _status_package(
            document.agency,
            dispatch,
            DispatchStatus.TAKE_BACK_REQUESTED,
            note=reason,
            staff=_name(clerk),
        )
        _hand_over(
            transport,
            [(package, dispatch.recipient_code, f"status-13-{dispatch.message_id}")],
        )
    with transaction.atomic():
        locked = Dispatch.objects.select_for_update().get(pk=dispatch.pk)
        if locked.status in (*selectors.CLOSED, DispatchStatus.TAKE_BACK_REQUESTED):
            raise refuse(locked)
        outcome = DispatchStatus.TAKE_BACK_REQUESTED
        if locked.channel == Channel.INTERNAL:
            inbound = (
                InboundMessage.objects.select_for_update()
                .filter(dispatch=locked, business_type=locked.business_type)
                .first()
            )
            if inbound is None or inbound.status not in (
                InboundStatus.PENDING,
                InboundStatus.REGISTERED,
            ):
                raise refuse(locked)
            if inbound.status == InboundStatus.PENDING:
                inbound.status = InboundStatus.TAKEN_BACK
                inbound.handled_at = timezone.now()
                inbound.save(update_fields=["status", "handled_at"])
                outcome = DispatchStatus.TAKEN_BACK
        receipts.record_receipt(locked, outcome, actor=clerk, note=reason)
        audit.record(
            ACTION_TAKE_BACK,
            obj=locked,
            actor=clerk,
            detail={
                "document": document.pk,
                "recipient": locked.recipient_code,
                "outcome": outcome,
                "reason": reason,
            },
        )
    return locked


class _CopiesChanged(Exception):
    """A copy went out while a revoke was being prepared: prepare again."""


def _check_revocable(document: OutgoingDocument) -> None:
    if document.status != OutgoingStatus.ISSUED:
        raise Conflict(
            "revoke_not_issued",
            _("Chỉ thu hồi được văn bản đang có hiệu lực đã phát hành."),
        )


def _open_copies(document: OutgoingDocument) -> list[Dispatch]:
    return list(
        Dispatch.objects.filter(document=document, business_type__in=DOCUMENT_TYPES)
        .exclude(status__in=selectors.CLOSED)
        .select_related("recipient_unit")
        .order_by("pk")
    )


_REVOKE_ATTEMPTS = 3


def revoke_outgoing(
    document: OutgoingDocument, *, clerk: Any, reason: str
) -> OutgoingDocument:
    """Revoke an issued document (thu hồi, edXML business type 1).

    Every copy still out gets a revoke message: inside the platform the
    recipient's copy is marked revoked (or leaves the inbox if not yet
    registered) at once; outside, a revoke package goes through the transport.
    The copies are read again under the document's lock; one sent outside
    meanwhile gets its package too (the packages are signed and handed over
    before the transaction, as in dispatch).
    """
    agency = document.agency
    if not policies.can_dispatch(clerk, agency):
        raise Forbidden(
            "revoke_forbidden",
            _("Chỉ văn thư của %(agency)s được thu hồi văn bản của cơ quan.")
            % {"agency": agency.name},
        )
    _check_revocable(document)
    reason = _clean_reason(reason, required=True, what=_("thu hồi"))
    assert document.issued_file is not None
    meta = {
        **_metadata(document, _page_count(document, _read(document.issued_file))),
        "reason": reason,
    }
    packages: dict[int, bytes] = {}
    for _attempt in range(_REVOKE_ATTEMPTS):
        outside = [
            d
            for d in _open_copies(document)
            if d.channel == Channel.EDXML and d.pk not in packages
        ]
        if outside:
            transport = transports.current()
            key, chain = edxml.seal_of(agency)
            built = {
                dispatch.pk: edxml.build_document(
                    document_message(
                        document,
                        recipient=edxml.Organ(
                            dispatch.recipient_code, dispatch.recipient_name
                        ),
                        business_type=BusinessType.REVOKE,
                        staff=_name(clerk),
                        reason=reason,
                    ),
                    key=key,
                    chain=chain,
                )
                for dispatch in outside
            }
            _hand_over(
                transport,
                [
                    (built[d.pk], d.recipient_code, f"revoke-{d.message_id}")
                    for d in outside
                ],
            )
            packages.update(built)
        try:
            return _record_revoke(document, clerk, reason, meta, packages)
        except _CopiesChanged:
            continue
    raise Conflict(
        "revoke_busy",
        _(
            "Văn bản đang được gửi thêm tới nơi nhận khác; chưa thu hồi được, "
            "hãy thử lại sau giây lát."
        ),
    )


def _record_revoke(
    document: OutgoingDocument,
    clerk: Any,
    reason: str,
    meta: dict[str, Any],
    packages: dict[int, bytes],
) -> OutgoingDocument:
    """The revoke's one transaction, under the document's lock."""
    kept: list[StoredFile] = []
    try:
        with transaction.atomic():
            _check_revocable(_lock(document))
            targets = _open_copies(document)
            if any(
                d.channel == Channel.EDXML and d.pk not in packages for d in targets
            ):
                raise _CopiesChanged
            OutgoingDocument.objects.filter(pk=document.pk).update(
                status=OutgoingStatus.REVOKED, updated_at=timezone.now()
            )
            document.status = OutgoingStatus.REVOKED
            for dispatch in targets:
                package = None
                if dispatch.pk in packages:
                    package = _store_package(
                        packages[dispatch.pk], f"revoke-{dispatch.message_id}", clerk
                    )
                    kept.append(package)
                notice = Dispatch.objects.create(
                    document=document,
                    channel=dispatch.channel,
                    business_type=BusinessType.REVOKE,
                    recipient_unit=dispatch.recipient_unit,
                    recipient_code=dispatch.recipient_code,
                    recipient_name=dispatch.recipient_name,
                    message_id=dispatch.message_id,
                    package_file=package,
                    sent_by=clerk,
                )
                if dispatch.channel == Channel.INTERNAL:
                    original = (
                        InboundMessage.objects.select_for_update()
                        .filter(dispatch=dispatch, business_type=dispatch.business_type)
                        .first()
                    )
                    if original is not None:
                        _apply_revoke(original, actor=clerk, reason=reason)
                    _deliver(
                        notice,
                        document,
                        meta,
                        business_type=BusinessType.REVOKE,
                        status=InboundStatus.REGISTERED,
                    )
                    receipts.record_receipt(
                        notice,
                        DispatchStatus.ARRIVED,
                        actor_name=dispatch.recipient_name,
                    )
                receipts.record_receipt(
                    dispatch, DispatchStatus.REVOKED, actor=clerk, note=reason
                )
            audit.record(
                ACTION_REVOKE,
                obj=document,
                actor=clerk,
                detail={
                    "number_symbol": document.number_symbol,
                    "reason": reason,
                    "dispatches": [d.pk for d in targets],
                },
            )
    except BaseException:
        _forget(kept)
        raise
    return document


def _mark_incoming(
    incoming_id: int, status: str, *, action: str, actor: Any, detail: dict[str, Any]
) -> None:
    """Change a registered copy's status, on its own history too."""
    IncomingDocument.objects.filter(pk=incoming_id).update(status=status)
    audit.record(
        action,
        object_type=IncomingDocument._meta.label_lower,
        object_id=str(incoming_id),
        actor=actor,
        detail=detail,
    )


def _apply_revoke(original: InboundMessage, *, actor: Any, reason: str) -> None:
    """A revoked copy: out of the inbox if pending, revoked in the register."""
    if original.status == InboundStatus.PENDING:
        original.status = InboundStatus.TAKEN_BACK
        original.handled_at = timezone.now()
        original.save(update_fields=["status", "handled_at"])
    elif original.incoming_id is not None:
        _mark_incoming(
            original.incoming_id,
            IncomingStatus.REVOKED,
            action=ACTION_INCOMING_REVOKED,
            actor=actor,
            detail={"message_id": original.message_id, "reason": reason},
        )


# Receiving -------------------------------------------------------------------


def _check_receiver(clerk: Any, message: InboundMessage) -> None:
    if not policies.can_receive(clerk, message.agency):
        raise Forbidden(
            "inbox_forbidden",
            _("Chỉ văn thư của %(agency)s được xử lý văn bản điện tử đến.")
            % {"agency": message.agency.name},
        )


def _check_pending(message: InboundMessage) -> None:
    if message.business_type == BusinessType.REVOKE:
        raise Conflict(
            "inbox_is_notice",
            _("Đây là thông báo thu hồi văn bản, không cần vào sổ."),
        )
    if message.status != InboundStatus.PENDING:
        raise Conflict(
            "inbox_not_pending",
            _("Văn bản này đã được xử lý (%(status)s).")
            % {"status": message.get_status_display()},
        )


def register_inbound(message: InboundMessage, *, clerk: Any) -> IncomingDocument:
    """Register an electronic document into the agency's incoming register.

    The sender gets "registered" (03). A replacing document marks the copy
    it replaces as replaced. Nothing is kept if registration fails.
    """
    _check_receiver(clerk, message)
    _check_pending(message)
    meta = message.metadata
    data = _read(message.main_file)
    attachments = [(BytesIO(_read(f)), f.name) for f in message.attachments.all()]
    created: list[StoredFile] = []
    try:
        with transaction.atomic():
            locked = InboundMessage.objects.select_for_update().get(pk=message.pk)
            _check_pending(locked)
            document = register_incoming(
                agency=message.agency,
                clerk=clerk,
                file=BytesIO(data),
                file_name=message.main_file.name,
                number_symbol=str(meta.get("number_symbol", "")),
                issued_date=dt.date.fromisoformat(str(meta.get("issued_date"))),
                issuer_name=message.sender_name,
                issuer_unit=message.sender_unit,
                doc_type=str(meta.get("doc_type", "")),
                subject=str(meta.get("subject", "")),
                signer_name=str(meta.get("signer_name", "")),
                urgency=str(meta.get("urgency") or "normal"),
                secrecy=str(meta.get("secrecy") or Secrecy.NORMAL),
                page_count=int(meta["page_count"]) if meta.get("page_count") else None,
                received_at=message.received_at,
                attachments=attachments,
            )
            created = [
                document.main_file,
                *[item.file for item in document.attachments.select_related("file")],
            ]
            message.status = InboundStatus.REGISTERED
            message.incoming = document
            message.handled_by = clerk
            message.handled_at = timezone.now()
            message.save(
                update_fields=["status", "incoming", "handled_by", "handled_at"]
            )
            if message.business_type == BusinessType.REPLACE and meta.get("replaces"):
                _mark_replaced(message, str(meta["replaces"]), clerk)
            receipts.report_inbound(
                message,
                DispatchStatus.REGISTERED,
                actor=clerk,
                note=_("Số đến %(number)s/%(year)s")
                % {"number": document.incoming_number, "year": document.year},
            )
            audit.record(
                ACTION_REGISTER,
                obj=message,
                actor=clerk,
                detail={
                    "incoming": document.pk,
                    "message_id": message.message_id,
                    "business_type": message.business_type,
                },
            )
    except BaseException:
        _forget(created)
        raise
    return document


def _mark_replaced(message: InboundMessage, replaced_id: str, clerk: Any) -> None:
    # Only the sender of a document replaces it: the replaced copy came
    # from the same agency as the replacing one.
    old = (
        InboundMessage.objects.filter(
            agency=message.agency,
            message_id=replaced_id,
            sender_code=message.sender_code,
            business_type__in=DOCUMENT_TYPES,
            incoming__isnull=False,
        )
        .select_related("dispatch")
        .first()
    )
    if old is None:
        return
    assert old.incoming_id is not None
    _mark_incoming(
        old.incoming_id,
        IncomingStatus.REPLACED,
        action=ACTION_INCOMING_REPLACED,
        actor=clerk,
        detail={
            "message_id": old.message_id,
            "replaced_by": message.message_id,
            "number_symbol": message.metadata.get("number_symbol", ""),
        },
    )
    if old.dispatch is not None:
        receipts.record_receipt(
            old.dispatch,
            DispatchStatus.REPLACED,
            actor=clerk,
            note=_("Đã được thay thế bằng văn bản %(number)s.")
            % {"number": message.metadata.get("number_symbol", "")},
        )


def reject_inbound(
    message: InboundMessage, *, clerk: Any, reason: str
) -> InboundMessage:
    """Refuse an electronic document (02 to the sender, with the reason)."""
    _check_receiver(clerk, message)
    reason = _clean_reason(reason, required=True, what=_("từ chối"))
    _check_pending(message)
    with transaction.atomic():
        locked = InboundMessage.objects.select_for_update().get(pk=message.pk)
        _check_pending(locked)
        message.status = InboundStatus.REJECTED
        message.reject_reason = reason
        message.handled_by = clerk
        message.handled_at = timezone.now()
        message.save(
            update_fields=["status", "reject_reason", "handled_by", "handled_at"]
        )
        receipts.report_inbound(
            message, DispatchStatus.REJECTED, actor=clerk, note=reason
        )
        audit.record(
            ACTION_REJECT,
            obj=message,
            actor=clerk,
            detail={"message_id": message.message_id, "reason": reason},
        )
    return message


def answer_take_back(
    message: InboundMessage, *, clerk: Any, accept: bool, note: str = ""
) -> InboundMessage:
    """Answer the sender's request for a registered copy back (15 or 16).

    Accepting marks the incoming document revoked.
    """
    _check_receiver(clerk, message)
    note = _clean_reason(note, required=False, what="")
    if not selectors.take_back_requested(message):
        raise Conflict(
            "no_take_back_request",
            _("Bên gửi không xin lấy lại văn bản này, hoặc đã được trả lời."),
        )
    with transaction.atomic():
        message = InboundMessage.objects.select_for_update().get(pk=message.pk)
        if not selectors.take_back_requested(message):
            raise Conflict(
                "no_take_back_request",
                _("Bên gửi không xin lấy lại văn bản này, hoặc đã được trả lời."),
            )
        if accept:
            if message.incoming_id is not None:
                _mark_incoming(
                    message.incoming_id,
                    IncomingStatus.REVOKED,
                    action=ACTION_INCOMING_REVOKED,
                    actor=clerk,
                    detail={"message_id": message.message_id, "take_back": True},
                )
            message.status = InboundStatus.TAKEN_BACK
        metadata = dict(message.metadata)
        metadata.pop("take_back_requested", None)
        message.metadata = metadata
        message.handled_by = clerk
        message.handled_at = timezone.now()
        message.save(update_fields=["status", "metadata", "handled_by", "handled_at"])
        answer = (
            DispatchStatus.TAKEN_BACK if accept else DispatchStatus.TAKE_BACK_REFUSED
        )
        receipts.report_inbound(message, answer, actor=clerk, note=note)
        audit.record(
            ACTION_TAKE_BACK_ANSWER,
            obj=message,
            actor=clerk,
            detail={"accept": accept, "note": note, "message_id": message.message_id},
        )
    return message


# edXML import ------------------------------------------------------------------


def _targets(recipients: Sequence[edxml.Organ], actor: Any) -> list[OrgUnit]:
    units = []
    for organ in recipients:
        unit = selectors.agency_by_code(organ.code)
        if unit is not None and unit not in units:
            units.append(unit)
    if not units:
        raise edxml.EdxmlError(
            "edxml_unknown_recipient",
            _("Gói tin gửi tới %(codes)s, không phải cơ quan nào trong hệ thống này.")
            % {"codes": ", ".join(organ.code for organ in recipients)},
        )
    if actor is not None:
        for unit in units:
            if not policies.can_import_edxml(actor, unit):
                raise Forbidden(
                    "edxml_import_forbidden",
                    _("Chỉ văn thư của %(agency)s được nhận gói tin gửi tới cơ quan.")
                    % {"agency": unit.name},
                )
    return units


def _pdf_name(name: str) -> str:
    return name if name.lower().endswith(".pdf") else f"{name.rsplit('.', 1)[0]}.pdf"


def _inbound_metadata(
    message: edxml.DocumentMessage, signer: edxml.SignerInfo, sha256: str
) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "number_symbol": message.number_symbol,
        "issued_date": message.promulgation_date.isoformat(),
        "doc_type": message.doc_type,
        "subject": message.subject,
        "signer_name": message.signer_name,
        "signer_position": message.signer_position,
        "urgency": message.urgency,
        "secrecy": Secrecy.NORMAL,
        "page_count": message.page_count or None,
        "place": message.place,
        "package_signer": signer.as_dict(),
        "package_sha256": sha256,
    }
    if message.replaces:
        meta["replaces"] = message.replaces
    if message.reason:
        meta["reason"] = message.reason
    return meta


def import_edxml(data: bytes, *, actor: Any = None) -> ImportResult:
    """Bring an edXML message into this installation.

    A document message lands in the inbox of each addressed agency here (a
    revoke message revokes the copy there); a status message updates the
    dispatch it is about, or asks for a copy back. The message is verified
    first (``edxml.parse``) and refused with the reason on any fault; nothing
    is kept then. A message that came before is returned, not landed twice.
    ``actor`` None means the system (a transport's inbox) and skips the
    clerk check; anyone else must be a clerk of every addressed agency.
    """
    parsed = edxml.parse(data)
    if parsed.status is not None:
        return _import_status(parsed.status, actor)
    assert parsed.document is not None
    message = parsed.document
    units = _targets(message.recipients, actor)
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        return _land(message, parsed.signer, data, sha256, units, actor)
    except IntegrityError:
        # Another import of the same message won the race: it landed once.
        existing = list(
            InboundMessage.objects.filter(
                agency__in=units,
                message_id=message.document_id,
                business_type=message.business_type,
            )
        )
        if not existing:
            raise
        return ImportResult(kind="document", created=False, messages=existing)


def _came_otherwise(
    unit: OrgUnit, message: edxml.DocumentMessage
) -> InboundMessage | None:
    """The copy of this very message that came inside the platform, if any.

    A DocumentId is its sender's: a package never changes what another
    sender sent under the same id (refused), nor a copy that came inside the
    platform: the same message is that copy, unchanged; any other (a revoke
    of it) is refused, as such a copy is taken back or revoked inside.
    """
    others = list(
        InboundMessage.objects.filter(agency=unit, message_id=message.document_id)
        .exclude(channel=Channel.EDXML, sender_code=message.sender.code)
        .order_by("pk")
    )
    for other in others:
        if other.sender_code != message.sender.code:
            raise edxml.EdxmlError(
                "edxml_document_id_taken",
                _(
                    "%(agency)s đã nhận văn bản mã “%(id)s” từ %(name)s; gói tin "
                    "của %(sender)s ghi trùng mã này nên bị từ chối."
                )
                % {
                    "agency": unit.name,
                    "id": message.document_id,
                    "name": other.sender_name,
                    "sender": message.sender.name,
                },
            )
    for other in others:
        if other.business_type == message.business_type:
            return other
    if others:
        raise edxml.EdxmlError(
            "edxml_came_inside",
            _(
                "%(agency)s đã nhận văn bản “%(id)s” qua hệ thống dùng chung, không "
                "phải qua gói tin edXML; gói tin về văn bản này bị từ chối."
            )
            % {"agency": unit.name, "id": message.document_id},
        )
    return None


def _received_edxml(
    unit: OrgUnit, document_id: str, sender_code: str
) -> InboundMessage | None:
    """The document ``unit`` received by edXML from ``sender_code`` under
    ``document_id``, locked for the status or notice about it."""
    return (
        InboundMessage.objects.select_for_update()
        .filter(
            agency=unit,
            message_id=document_id,
            sender_code=sender_code,
            business_type__in=DOCUMENT_TYPES,
            channel=Channel.EDXML,
        )
        .first()
    )


def _land(
    message: edxml.DocumentMessage,
    signer: edxml.SignerInfo,
    data: bytes,
    sha256: str,
    units: list[OrgUnit],
    actor: Any,
) -> ImportResult:
    kept: list[StoredFile] = []
    landed: list[InboundMessage] = []
    created = False
    stored: dict[str, Any] = {}

    def store_files() -> dict[str, Any]:
        if not stored:
            main, *others = message.files
            stored["package"] = _store_package(data, message.document_id, actor)
            kept.append(stored["package"])
            stored["main"] = files.store(
                BytesIO(main.data),
                _pdf_name(main.name),
                uploaded_by=actor,
                allowed=PDF_ONLY,
            )
            kept.append(stored["main"])
            stored["attachments"] = []
            for item in others:
                attachment = files.store(
                    BytesIO(item.data), item.name, uploaded_by=actor
                )
                kept.append(attachment)
                stored["attachments"].append(attachment)
        return stored

    meta = _inbound_metadata(message, signer, sha256)
    is_notice = message.business_type == BusinessType.REVOKE
    try:
        with transaction.atomic():
            for unit in units:
                existing = (
                    InboundMessage.objects.select_for_update()
                    .filter(
                        agency=unit,
                        message_id=message.document_id,
                        business_type=message.business_type,
                    )
                    .first()
                )
                inside = _came_otherwise(unit, message)
                if inside is not None:
                    landed.append(inside)
                    continue
                again = existing is not None and (
                    existing.status
                    not in (InboundStatus.TAKEN_BACK, InboundStatus.REJECTED)
                    or is_notice
                    or (
                        existing.package_file is not None
                        and existing.package_file.sha256 == sha256
                    )
                )
                if existing is not None and again:
                    landed.append(existing)
                    continue
                kept_files = store_files()
                if is_notice:
                    original = _received_edxml(
                        unit, message.document_id, message.sender.code
                    )
                    if original is not None:
                        _apply_revoke(original, actor=actor, reason=message.reason)
                fields: dict[str, Any] = {
                    "dispatch": None,
                    "channel": Channel.EDXML,
                    "sender_code": message.sender.code,
                    "sender_name": message.sender.name,
                    "sender_unit": None,
                    "metadata": meta,
                    "main_file": kept_files["main"],
                    "package_file": kept_files["package"],
                    "status": (
                        InboundStatus.REGISTERED if is_notice else InboundStatus.PENDING
                    ),
                    "incoming": None,
                    "reject_reason": "",
                    "handled_by": None,
                    "handled_at": timezone.now() if is_notice else None,
                }
                if existing is not None:
                    # Sent again after a take-back or refusal.
                    InboundMessage.objects.filter(pk=existing.pk).update(
                        **fields, received_at=timezone.now()
                    )
                    existing.refresh_from_db()
                    inbound = existing
                else:
                    inbound = InboundMessage.objects.create(
                        agency=unit,
                        message_id=message.document_id,
                        business_type=message.business_type,
                        **fields,
                    )
                inbound.attachments.set(kept_files["attachments"])
                if not is_notice:
                    receipts.report_inbound(inbound, DispatchStatus.ARRIVED)
                landed.append(inbound)
                created = True
            if created:
                audit.record(
                    ACTION_IMPORT,
                    obj=landed[0],
                    actor=actor,
                    detail={
                        "message_id": message.document_id,
                        "business_type": message.business_type,
                        "sender": message.sender.code,
                        "agencies": [unit.pk for unit in units],
                        "sha256": sha256,
                        "signer": signer.fingerprint,
                    },
                )
    except BaseException:
        _forget(kept)
        raise
    return ImportResult(kind="document", created=created, messages=landed)


def _already_recorded(dispatch: Dispatch, status: edxml.StatusMessage) -> bool:
    """A status delivered twice (a retrying transport) is recorded once.

    Statuses of the usual course happen once per copy; a take-back answer
    may come again in a later round, so only a repeat of the last one counts.
    """
    same = dispatch.receipts.filter(status=status.status, note=status.description)
    if status.status in receipts.PROGRESS:
        return same.exists()
    last = dispatch.receipts.order_by("-created_at", "-pk").first()
    return last is not None and (last.status, last.note) == (
        status.status,
        status.description,
    )


def _import_status(status: edxml.StatusMessage, actor: Any) -> ImportResult:
    (unit,) = _targets([status.recipient], actor)
    unknown = edxml.EdxmlError(
        "edxml_unknown_document",
        _("%(agency)s không có văn bản “%(id)s” nào liên quan tới %(sender)s.")
        % {"agency": unit.name, "id": status.document_id, "sender": status.sender.name},
    )
    with transaction.atomic():
        if status.status == DispatchStatus.TAKE_BACK_REQUESTED:
            # The sender of a document we received asks for it back.
            inbound = _received_edxml(unit, status.document_id, status.sender.code)
            if inbound is None:
                raise unknown
            if inbound.status == InboundStatus.PENDING:
                inbound.status = InboundStatus.TAKEN_BACK
                inbound.handled_at = timezone.now()
                inbound.save(update_fields=["status", "handled_at"])
                receipts.report_inbound(
                    inbound,
                    DispatchStatus.TAKEN_BACK,
                    note=_("Văn bản chưa vào sổ nên được trả lại ngay."),
                )
            elif inbound.status == InboundStatus.REGISTERED:
                inbound.metadata = {
                    **inbound.metadata,
                    "take_back_requested": {
                        "reason": status.description,
                        "staff": status.staff,
                        "at": timezone.now().isoformat(),
                    },
                }
                inbound.save(update_fields=["metadata"])
            audit.record(
                ACTION_STATUS,
                obj=inbound,
                actor=actor,
                detail={"status": status.status, "message_id": status.document_id},
            )
            return ImportResult(
                kind="status", created=True, messages=[inbound], status=status.status
            )
        # A recipient tells us, the sender, where our document stands.
        dispatch = (
            Dispatch.objects.select_for_update()
            .filter(
                document__agency=unit,
                message_id=status.document_id,
                recipient_code=status.sender.code,
                channel=Channel.EDXML,
                business_type__in=DOCUMENT_TYPES,
            )
            .order_by("-pk")
            .first()
        )
        if dispatch is None:
            raise unknown
        if _already_recorded(dispatch, status):
            return ImportResult(
                kind="status",
                created=False,
                messages=[],
                dispatch=dispatch,
                status=status.status,
            )
        receipts.record_receipt(
            dispatch,
            status.status,
            actor_name=status.staff or status.sender.name,
            note=status.description,
            move=receipts.moves_forward(dispatch.status, status.status)
            and receipts.moves(dispatch, status.status),
        )
        audit.record(
            ACTION_STATUS,
            obj=dispatch,
            actor=actor,
            detail={"status": status.status, "message_id": status.document_id},
        )
    return ImportResult(
        kind="status",
        created=True,
        messages=[],
        dispatch=dispatch,
        status=status.status,
    )


@dataclasses.dataclass(frozen=True)
class PullResult:
    imported: int
    repeated: int
    refused: list[tuple[str, str]]


def pull_inbox() -> PullResult:
    """Import every package the folder transport's inbox holds, as the system.

    Each file moves to ``done/`` or, with its reason beside it, ``failed/``.
    """
    imported = repeated = 0
    refused: list[tuple[str, str]] = []
    for path in transports.inbox_files():
        try:
            result = import_edxml(path.read_bytes(), actor=None)
        except DomainError as exc:
            transports.file_away(path, ok=False, reason=exc.message)
            refused.append((path.name, exc.message))
            continue
        transports.file_away(path, ok=True)
        if result.created:
            imported += 1
        else:
            repeated += 1
    return PullResult(imported=imported, repeated=repeated, refused=refused)
