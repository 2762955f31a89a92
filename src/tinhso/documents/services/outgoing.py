"""Writes on outgoing documents: draft, review, sign, issue.

Every act checks its policy, runs in one transaction on the locked document
row, keeps a ``ReviewAction`` in the draft's history and an audit entry, and
leaves nothing behind when it fails: no row, no number, no stored file.
Slow work (DOCX conversion, reading and signing PDFs) happens before the
transaction, except the agency's seal, which shows the number it takes.
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pypdf import PdfReader

from tinhso.core import audit, files, numbering, search
from tinhso.core.errors import Conflict, DomainError, Forbidden
from tinhso.core.models import OrgUnit, StoredFile
from tinhso.core.text import nfc
from tinhso.documents.constants import (
    ABBREVIATIONS,
    OUTGOING_SCOPE,
    DocumentType,
    OutgoingStatus,
    ReviewActionKind,
    Secrecy,
    Urgency,
)
from tinhso.documents.models import (
    DraftVersion,
    OutgoingAttachment,
    OutgoingDocument,
    ReviewAction,
    ReviewStep,
)
from tinhso.documents.policies import outgoing as policies
from tinhso.documents.selectors import outgoing as selectors
from tinhso.documents.services import convert, pdftext
from tinhso.pki import selectors as pki_selectors
from tinhso.pki import signing

ACTION_CREATE = "documents.outgoing.create"
ACTION_NEW_VERSION = "documents.outgoing.new_version"
ACTION_SUBMIT = "documents.outgoing.submit"
ACTION_APPROVE = "documents.outgoing.approve"
ACTION_RETURN = "documents.outgoing.return"
ACTION_FORWARD = "documents.outgoing.forward"
ACTION_SIGN = "documents.outgoing.sign"
ACTION_ISSUE = "documents.outgoing.issue"
ACTION_CHAIN = "documents.review_chain.set"

DRAFT_TYPES = {"pdf": files.ALLOWED_TYPES["pdf"], "docx": files.ALLOWED_TYPES["docx"]}
PDF_ONLY = {"pdf": files.ALLOWED_TYPES["pdf"]}
SIGNER_FIELD = "ChuKyNguoiKy"
SEAL_FIELD = "ChuKyCoQuan"
MAX_REVIEW_STEPS = 10
# Types whose symbol names the issuer, then the drafting unit: "123/UBND-VP".
UNIT_SYMBOL_TYPES = (DocumentType.OFFICIAL_LETTER, DocumentType.PUBLIC_LETTER)


def outgoing_register(agency: OrgUnit, *, secret: bool = False) -> str:
    """The counter of ``agency``'s outgoing register.

    Decree 30 gives documents marked Mật, Tối mật or Tuyệt mật their own
    number series ("hệ thống số riêng"): one per agency and year for the
    three levels, so the ordinary register shows no gap for them.
    """
    return f"outgoing:{agency.pk}:secret" if secret else f"outgoing:{agency.pk}"


# Number and symbol ----------------------------------------------------------

_SKIPPED_WORDS = {"và", "-", "–", "&", ","}


def _initials(name: str) -> str:
    """Abbreviation from a name: "Sở Nông nghiệp và Môi trường" → "SNNMT".

    Words already in capitals ("UBND") are kept whole; Đ stays Đ.
    """
    name = nfc(name)
    if re.match(r"(?i)^(ủy|uỷ) ban nhân dân\b", name) or name.upper().startswith(
        "UBND"
    ):
        return "UBND"
    letters = []
    for word in re.split(r"[\s,()]+", name):
        if not word or word.lower() in _SKIPPED_WORDS:
            continue
        if len(word) > 1 and word.isupper():
            letters.append(word)
            continue
        first = unicodedata.normalize("NFD", word[0])[0].upper()
        if first.isalnum():
            letters.append(first)
    return "".join(letters)[:16] or "CQ"


def agency_symbol(agency: OrgUnit) -> str:
    profile = selectors.profile_of(agency)
    return profile.symbol if profile is not None else _initials(agency.name)


def unit_symbol(unit: OrgUnit) -> str:
    """A drafting unit's abbreviation: its profile's symbol, else its initials.

    "Phòng" before a department's name is left out: "Phòng Tổ chức cán bộ"
    gives "TCCB", while "Văn phòng" gives "VP".
    """
    profile = selectors.profile_of(unit)
    if profile is not None:
        return profile.symbol
    name = re.sub(r"(?i)^phòng\s+(?=\S)", "", nfc(unit.name))
    return _initials(name)


def number_symbol(document: OutgoingDocument, number: int) -> str:
    """Decree 30: "05/QĐ-UBND"; công văn and thư công "123/UBND-VP"."""
    issuer = agency_symbol(document.agency)
    if document.doc_type in UNIT_SYMBOL_TYPES:
        unit = document.drafting_unit
        symbol = f"{issuer}-{unit_symbol(unit)}" if unit is not None else issuer
    else:
        symbol = f"{ABBREVIATIONS[document.doc_type]}-{issuer}"
    return f"{number:02d}/{symbol}"


# Files --------------------------------------------------------------------


@dataclass(frozen=True)
class _Upload:
    """A checked draft upload and the PDF to review and sign."""

    source: bytes
    source_name: str
    pdf: bytes
    pdf_name: str


def _prepare_upload(file: IO[bytes], file_name: str) -> _Upload:
    """Check the upload and turn a DOCX into PDF; before any transaction."""
    checked = files.check(file, file_name, allowed=DRAFT_TYPES)
    data = file.read()
    if checked.content_type == files.ALLOWED_TYPES["pdf"]:
        _page_count(data)
        return _Upload(data, file_name, data, file_name)
    if not convert.is_docx(data):
        raise DomainError(
            "outgoing_not_docx",
            _("Tệp %(name)s không phải văn bản Word (DOCX).") % {"name": file_name},
        )
    pdf = convert.docx_to_pdf(data)
    stem = file_name.rsplit(".", 1)[0]
    return _Upload(data, file_name, pdf, f"{stem}.pdf")


def _page_count(data: bytes) -> int:
    try:
        pages = len(PdfReader(BytesIO(data)).pages)
    except Exception as exc:
        raise DomainError(
            "outgoing_bad_pdf", _("Không đọc được tệp PDF; tệp có thể bị hỏng.")
        ) from exc
    if pages < 1:
        raise DomainError("outgoing_bad_pdf", _("Tệp PDF không có trang nào."))
    return pages


def _read(stored: StoredFile) -> bytes:
    with files.open_file(stored) as handle:
        return handle.read()


class _Kept:
    """Files stored inside a transaction, removed again if it fails."""

    def __init__(self) -> None:
        self.files: list[StoredFile] = []

    def store(self, data: bytes, name: str, *, by: Any, allowed: Any = None) -> Any:
        stored = files.store(BytesIO(data), name, uploaded_by=by, allowed=allowed)
        self.files.append(stored)
        return stored

    def discard(self) -> None:
        for stored in self.files:
            default_storage.delete(stored.storage_name)


def _add_version(
    document: OutgoingDocument,
    upload: _Upload,
    *,
    by: Any,
    note: str,
    kept: _Kept,
) -> DraftVersion:
    number = (document.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    source = kept.store(upload.source, upload.source_name, by=by, allowed=DRAFT_TYPES)
    pdf = (
        source
        if upload.pdf is upload.source
        else kept.store(upload.pdf, upload.pdf_name, by=by, allowed=PDF_ONLY)
    )
    return DraftVersion.objects.create(
        document=document,
        number=number,
        source_file=source,
        pdf_file=pdf,
        note=nfc(note),
        created_by=by,
    )


# Drafting -----------------------------------------------------------------


@dataclass(frozen=True)
class DraftFields:
    """The metadata a drafter gives; checked by ``_clean``."""

    doc_type: str
    subject: str
    signer: Any
    signer_position: str = ""
    urgency: str = Urgency.NORMAL
    secrecy: str = Secrecy.NORMAL
    recipients_note: str = ""
    drafting_unit: OrgUnit | None = None


def _limit(value: str, field: str, label: str) -> None:
    limit = getattr(OutgoingDocument._meta.get_field(field), "max_length", None)
    if limit is not None and len(value) > limit:
        raise DomainError(
            "outgoing_field_too_long",
            _("%(label)s dài quá %(limit)s ký tự.") % {"label": label, "limit": limit},
        )


def _clean(agency: OrgUnit, drafter: Any, fields: DraftFields) -> dict[str, Any]:
    if fields.doc_type not in DocumentType.values:
        raise DomainError("outgoing_bad_type", _("Loại văn bản không hợp lệ."))
    if fields.urgency not in Urgency.values:
        raise DomainError("outgoing_bad_urgency", _("Độ khẩn không hợp lệ."))
    if fields.secrecy not in Secrecy.values:
        raise DomainError("outgoing_bad_secrecy", _("Độ mật không hợp lệ."))
    subject = nfc(fields.subject)
    if not subject:
        raise DomainError("outgoing_subject_required", _("Cần nhập trích yếu."))
    signer = fields.signer
    if signer is None:
        raise DomainError("outgoing_signer_required", _("Cần chọn người ký."))
    if not selectors.agency_leaders(agency).filter(pk=signer.pk).exists():
        raise DomainError(
            "outgoing_bad_signer",
            _("%(name)s không phải lãnh đạo của %(agency)s nên không ký được.")
            % {"name": signer, "agency": agency.name},
        )
    position = "\n".join(
        line.strip() for line in nfc(fields.signer_position).splitlines()
    ).strip()
    _limit(position, "signer_position", _("Chức vụ người ký"))
    unit = fields.drafting_unit
    if unit is None:
        own = drafter.org_unit
        if (
            own is not None
            and own.pk != agency.pk
            and policies.agency_of(own) == agency
        ):
            unit = own
    elif unit.pk == agency.pk or policies.agency_of(unit) != agency:
        raise DomainError(
            "outgoing_bad_drafting_unit",
            _("Đơn vị soạn thảo phải là một phòng, ban của %(agency)s.")
            % {"agency": agency.name},
        )
    return {
        "doc_type": fields.doc_type,
        "subject": subject,
        "signer": signer,
        "signer_position": position,
        "urgency": fields.urgency,
        "secrecy": fields.secrecy,
        "recipients_note": nfc(fields.recipients_note),
        "drafting_unit": unit,
    }


def create_draft(
    *,
    agency: OrgUnit,
    drafter: Any,
    fields: DraftFields,
    file: IO[bytes],
    file_name: str,
    note: str = "",
    attachments: Sequence[tuple[IO[bytes], str]] = (),
) -> OutgoingDocument:
    """Start a draft in ``agency`` with its first version (a DOCX or a PDF)."""
    if not policies.can_draft(drafter, agency):
        raise Forbidden(
            "outgoing_draft_forbidden",
            _(
                "Chỉ chuyên viên, lãnh đạo, văn thư của %(agency)s được soạn văn bản đi "
                "của cơ quan."
            )
            % {"agency": agency.name},
        )
    values = _clean(agency, drafter, fields)
    upload = _prepare_upload(file, file_name)
    kept = _Kept()
    try:
        with transaction.atomic():
            document = OutgoingDocument.objects.create(
                agency=agency, drafter=drafter, **values
            )
            version = _add_version(document, upload, by=drafter, note=note, kept=kept)
            for stream, name in attachments:
                stored = files.store(stream, name, uploaded_by=drafter)
                kept.files.append(stored)
                OutgoingAttachment.objects.create(document=document, file=stored)
            audit.record(
                ACTION_CREATE,
                obj=document,
                actor=drafter,
                detail={
                    "agency": agency.pk,
                    "doc_type": document.doc_type,
                    "secrecy": document.secrecy,
                    "signer": values["signer"].pk,
                    "version": version.number,
                    "sha256": version.source_file.sha256,
                    "attachments": len(attachments),
                },
            )
    except BaseException:
        kept.discard()
        raise
    return document


def _locked(document: OutgoingDocument) -> OutgoingDocument:
    # Only the document's own row is locked: PostgreSQL refuses FOR UPDATE
    # over the nullable side of the joins to signer or reviewer.
    return (
        OutgoingDocument.objects.select_for_update(of=("self",))
        .select_related("agency", "drafter", "signer", "current_reviewer")
        .get(pk=document.pk)
    )


def _synced(document: OutgoingDocument) -> OutgoingDocument:
    """The caller's instance, brought up to date after the act."""
    document.refresh_from_db()
    return document


def _state_conflict(document: OutgoingDocument) -> Conflict:
    return Conflict(
        "outgoing_wrong_status",
        _("Văn bản đang ở trạng thái “%(status)s” nên không làm được việc này.")
        % {"status": document.get_status_display()},
    )


def _log(
    document: OutgoingDocument,
    kind: str,
    actor: Any,
    *,
    action: str,
    comment: str = "",
    to_user: Any = None,
    version: DraftVersion | None = None,
    detail: dict[str, Any] | None = None,
) -> ReviewAction:
    version = version or selectors.latest_version(document)
    entry = ReviewAction.objects.create(
        document=document,
        version=version,
        kind=kind,
        actor=actor,
        to_user=to_user,
        comment=comment,
    )
    audit.record(
        action,
        obj=document,
        actor=actor,
        detail={
            "status": document.status,
            "version": version.number if version else None,
            "to_user": to_user.pk if to_user is not None else None,
            **(detail or {}),
        },
    )
    return entry


def upload_version(
    document: OutgoingDocument,
    actor: Any,
    *,
    file: IO[bytes],
    file_name: str,
    note: str = "",
) -> DraftVersion:
    """A new version of a draft that is with its drafter; older ones stay."""
    if document.status not in (OutgoingStatus.DRAFT, OutgoingStatus.RETURNED):
        raise _state_conflict(document)
    if not policies.can_edit_draft(actor, document):
        raise Forbidden(
            "outgoing_edit_forbidden",
            _("Chỉ người soạn thảo được cập nhật dự thảo."),
        )
    upload = _prepare_upload(file, file_name)
    kept = _Kept()
    try:
        with transaction.atomic():
            locked = _locked(document)
            if not policies.can_edit_draft(actor, locked):
                raise _state_conflict(locked)
            version = _add_version(locked, upload, by=actor, note=note, kept=kept)
            _log(
                locked,
                ReviewActionKind.NEW_VERSION,
                actor,
                action=ACTION_NEW_VERSION,
                comment=nfc(note),
                version=version,
                detail={"sha256": version.source_file.sha256},
            )
    except BaseException:
        kept.discard()
        raise
    return version


# Review chain -------------------------------------------------------------


def _first_step(agency: OrgUnit) -> ReviewStep | None:
    return selectors.review_chain(agency).order_by("position").first()


def _next_step(agency: OrgUnit, position: int | None) -> ReviewStep | None:
    steps = selectors.review_chain(agency).order_by("position")
    if position is not None:
        steps = steps.filter(position__gt=position)
    return steps.first()


def _advance(document: OutgoingDocument, step: ReviewStep | None) -> None:
    """Hand the draft to ``step``'s reviewer, or past the chain to the signer."""
    if step is None:
        document.status = OutgoingStatus.APPROVED
        document.current_reviewer = None
        document.review_position = None
    else:
        document.status = OutgoingStatus.IN_REVIEW
        document.current_reviewer = step.reviewer
        document.review_position = step.position


def submit(
    document: OutgoingDocument, actor: Any, *, comment: str = ""
) -> OutgoingDocument:
    """The drafter sends the draft up the chain, from its first step.

    A draft returned and resubmitted starts the chain again. An agency with
    no chain sends it straight to the signer.
    """
    if document.status not in (OutgoingStatus.DRAFT, OutgoingStatus.RETURNED):
        raise _state_conflict(document)
    if not policies.can_submit(actor, document):
        raise Forbidden(
            "outgoing_submit_forbidden", _("Chỉ người soạn thảo được trình dự thảo.")
        )
    with transaction.atomic():
        locked = _locked(document)
        if not policies.can_submit(actor, locked):
            raise _state_conflict(locked)
        step = _first_step(locked.agency)
        _advance(locked, step)
        locked.save()
        _log(
            locked,
            ReviewActionKind.SUBMIT,
            actor,
            action=ACTION_SUBMIT,
            comment=nfc(comment),
            to_user=step.reviewer if step else locked.signer,
            detail={"step": step.position if step else None},
        )
    return _synced(document)


def _check_reviewer(document: OutgoingDocument, actor: Any) -> None:
    if document.status != OutgoingStatus.IN_REVIEW:
        raise _state_conflict(document)
    if not policies.can_review(actor, document):
        raise Forbidden(
            "outgoing_review_forbidden",
            _("Dự thảo đang chờ %(name)s duyệt; bạn không duyệt được.")
            % {"name": document.current_reviewer},
        )


def approve(
    document: OutgoingDocument, actor: Any, *, comment: str = ""
) -> OutgoingDocument:
    """The current reviewer agrees: on to the next step, or to the signer."""
    _check_reviewer(document, actor)
    with transaction.atomic():
        locked = _locked(document)
        _check_reviewer(locked, actor)
        step = _next_step(locked.agency, locked.review_position)
        _advance(locked, step)
        locked.save()
        _log(
            locked,
            ReviewActionKind.APPROVE,
            actor,
            action=ACTION_APPROVE,
            comment=nfc(comment),
            to_user=step.reviewer if step else locked.signer,
            detail={"step": step.position if step else None},
        )
    return _synced(document)


def return_draft(
    document: OutgoingDocument, actor: Any, *, comment: str
) -> OutgoingDocument:
    """The current reviewer (or the signer) sends it back with what to change."""
    comment = nfc(comment)
    if not comment:
        raise DomainError(
            "outgoing_comment_required",
            _("Cần ghi ý kiến để người soạn thảo biết cần sửa gì."),
        )
    if document.status not in (OutgoingStatus.IN_REVIEW, OutgoingStatus.APPROVED):
        raise _state_conflict(document)
    if not policies.can_return(actor, document):
        raise Forbidden(
            "outgoing_return_forbidden",
            _("Chỉ người đang duyệt hoặc người ký được trả lại dự thảo."),
        )
    with transaction.atomic():
        locked = _locked(document)
        if not policies.can_return(actor, locked):
            raise _state_conflict(locked)
        locked.status = OutgoingStatus.RETURNED
        locked.current_reviewer = None
        locked.review_position = None
        locked.save()
        _log(
            locked,
            ReviewActionKind.RETURN,
            actor,
            action=ACTION_RETURN,
            comment=comment,
            to_user=locked.drafter,
        )
    return _synced(document)


def forward(
    document: OutgoingDocument, actor: Any, *, to_user: Any, comment: str = ""
) -> OutgoingDocument:
    """The current reviewer hands this step to another official of the agency."""
    _check_reviewer(document, actor)
    if to_user is None or to_user.pk == actor.pk:
        raise DomainError(
            "outgoing_forward_target", _("Hãy chọn một cán bộ khác để chuyển tiếp.")
        )
    if not selectors.agency_officials(document.agency).filter(pk=to_user.pk).exists():
        raise DomainError(
            "outgoing_forward_outsider",
            _("%(name)s không làm việc tại %(agency)s nên không nhận được dự thảo.")
            % {"name": to_user, "agency": document.agency.name},
        )
    with transaction.atomic():
        locked = _locked(document)
        _check_reviewer(locked, actor)
        locked.current_reviewer = to_user
        locked.save()
        _log(
            locked,
            ReviewActionKind.FORWARD,
            actor,
            action=ACTION_FORWARD,
            comment=nfc(comment),
            to_user=to_user,
            detail={"step": locked.review_position},
        )
    return _synced(document)


def set_review_chain(
    agency: OrgUnit, actor: Any, steps: Sequence[tuple[str, Any]]
) -> list[ReviewStep]:
    """Replace ``agency``'s chain with ``steps``: (label, reviewer) in order.

    Drafts under review keep their place: they go on to the first new step
    after the position they stand at.
    """
    if not policies.can_configure_chain(actor, agency):
        raise Forbidden(
            "review_chain_forbidden",
            _("Chỉ quản trị hệ thống hoặc lãnh đạo của %(agency)s được đặt quy trình.")
            % {"agency": agency.name},
        )
    if len(steps) > MAX_REVIEW_STEPS:
        raise DomainError(
            "review_chain_too_long",
            _("Quy trình có tối đa %(count)s bước.") % {"count": MAX_REVIEW_STEPS},
        )
    officials = selectors.agency_officials(agency)
    cleaned: list[tuple[str, Any]] = []
    for number, (label, reviewer) in enumerate(steps, start=1):
        label = nfc(label)
        if not label:
            raise DomainError(
                "review_chain_label_required",
                _("Bước %(n)s cần có tên.") % {"n": number},
            )
        if len(label) > 100:
            raise DomainError(
                "review_chain_label_too_long",
                _("Tên bước %(n)s dài quá 100 ký tự.") % {"n": number},
            )
        if reviewer is None or not officials.filter(pk=reviewer.pk).exists():
            raise DomainError(
                "review_chain_bad_reviewer",
                _(
                    "Người duyệt ở bước %(n)s phải là cán bộ đang làm việc tại %(agency)s."
                )
                % {"n": number, "agency": agency.name},
            )
        cleaned.append((label, reviewer))
    with transaction.atomic():
        ReviewStep.objects.filter(agency=agency).delete()
        created = [
            ReviewStep.objects.create(
                agency=agency, position=position, label=label, reviewer=reviewer
            )
            for position, (label, reviewer) in enumerate(cleaned, start=1)
        ]
        audit.record(
            ACTION_CHAIN,
            obj=agency,
            actor=actor,
            detail={"steps": [[s.position, s.label, s.reviewer_id] for s in created]},
        )
    return created


# Signing and issuing ------------------------------------------------------


def _place_name(agency: OrgUnit) -> str:
    profile = selectors.profile_of(agency)
    return profile.place_name if profile is not None else ""


def sign_outgoing(document: OutgoingDocument, actor: Any) -> OutgoingDocument:
    """The chosen signer signs the latest version's PDF (PAdES, Decree 30 look).

    The signature's box sits between the signer's title and name on the
    page where the name is, as Decree 30 places the signer's image.
    """
    if document.status != OutgoingStatus.APPROVED:
        raise _state_conflict(document)
    if not policies.can_sign(actor, document):
        raise Forbidden(
            "outgoing_sign_forbidden",
            _("Chỉ %(name)s, người ký được chọn, được ký văn bản này.")
            % {"name": document.signer},
        )
    certificate = pki_selectors.certificate_of(actor)
    if certificate is None:
        raise DomainError(
            "outgoing_no_certificate",
            _(
                "Bạn chưa có chứng thư số để ký; hãy đề nghị quản trị hệ thống cấp "
                "hoặc nhập chứng thư số."
            ),
        )
    version = selectors.latest_version(document)
    assert version is not None
    data = _read(version.pdf_file)
    place = signing.signature_block(data, actor.full_name, document.signer_position)
    now = timezone.now()
    signed = signing.sign_pdf(
        data,
        certificate,
        field_name=SIGNER_FIELD,
        reason=_("Ký ban hành văn bản"),
        location=_place_name(document.agency),
        appearance={
            "style": "signer",
            "signer_name": actor.full_name,
            "position": document.signer_position,
            "time": now,
            "page": place.page,
            "box": place.box,
        },
    )
    kept = _Kept()
    try:
        with transaction.atomic():
            locked = _locked(document)
            latest = selectors.latest_version(locked)
            if not policies.can_sign(actor, locked) or latest != version:
                raise _state_conflict(locked)
            stored = kept.store(
                signed, _signed_name(version), by=actor, allowed=PDF_ONLY
            )
            locked.status = OutgoingStatus.SIGNED
            locked.signed_file = stored
            locked.signed_at = now
            locked.save()
            _log(
                locked,
                ReviewActionKind.SIGN,
                actor,
                action=ACTION_SIGN,
                version=version,
                detail={
                    "certificate": certificate.fingerprint,
                    "sha256": stored.sha256,
                },
            )
    except BaseException:
        kept.discard()
        raise
    return _synced(document)


def _signed_name(version: DraftVersion) -> str:
    stem = version.pdf_file.name.rsplit(".", 1)[0]
    return f"{stem}-da-ky.pdf"


def _issued_name(symbol: str) -> str:
    return symbol.replace("/", "-") + ".pdf"


def issue_outgoing(document: OutgoingDocument, actor: Any) -> OutgoingDocument:
    """The clerk numbers the signed document and adds the agency's seal.

    The number is taken inside the transaction (gap-free: a failure gives
    it back) and the seal, a second PAdES signature that leaves the
    signer's valid, shows it.
    """
    if document.status != OutgoingStatus.SIGNED:
        raise _state_conflict(document)
    if not policies.can_issue(actor, document):
        raise Forbidden(
            "outgoing_issue_forbidden",
            _("Chỉ văn thư của %(agency)s được cấp số, phát hành văn bản.")
            % {"agency": document.agency.name},
        )
    agency = document.agency
    seal = pki_selectors.certificate_of(agency)
    if seal is None:
        raise DomainError(
            "outgoing_no_seal",
            _(
                "%(agency)s chưa có chứng thư số của cơ quan (dấu số) nên chưa phát "
                "hành được; hãy đề nghị quản trị hệ thống cấp hoặc nhập."
            )
            % {"agency": agency.name},
        )
    assert document.signed_file is not None
    signed = _read(document.signed_file)
    text, _pages = pdftext.read_pdf(signed)
    pages = _page_count(signed)
    signer_place = signing.field_placement(signed, SIGNER_FIELD)
    if signer_place is None:
        signer_place = signing.signature_block(signed, "")
    seal_place = signing.seal_placement(
        signer_place, page_height=signing.page_height(signed, signer_place.page)
    )
    with translation.override(settings.LANGUAGE_CODE):
        type_label = str(DocumentType(document.doc_type).label)
    kept = _Kept()
    try:
        with transaction.atomic():
            locked = _locked(document)
            if not policies.can_issue(actor, locked):
                raise _state_conflict(locked)
            today = timezone.localdate()
            secret = locked.secrecy != Secrecy.NORMAL
            number = numbering.next_number(
                outgoing_register(agency, secret=secret), today.year
            )
            symbol = number_symbol(locked, number)
            now = timezone.now()
            sealed = signing.sign_pdf(
                signed,
                seal,
                field_name=SEAL_FIELD,
                reason=_("Phát hành văn bản số %(symbol)s") % {"symbol": symbol},
                location=_place_name(agency),
                appearance={
                    "style": "seal",
                    "signer_name": agency.name,
                    "lines": [symbol],
                    "time": now,
                    "page": seal_place.page,
                    "box": seal_place.box,
                },
            )
            stored = kept.store(
                sealed, _issued_name(symbol), by=actor, allowed=PDF_ONLY
            )
            locked.status = OutgoingStatus.ISSUED
            locked.year = today.year
            locked.outgoing_number = number
            locked.secret_series = secret
            locked.number_symbol = symbol
            locked.issued_date = today
            locked.issued_at = now
            locked.issued_by = actor
            locked.issued_file = stored
            locked.page_count = pages
            locked.save()
            search.index(
                OUTGOING_SCOPE,
                locked.pk,
                symbol,
                type_label,
                ABBREVIATIONS[locked.doc_type],
                locked.subject,
                agency.name,
                str(locked.signer or ""),
                text,
            )
            _log(
                locked,
                ReviewActionKind.ISSUE,
                actor,
                action=ACTION_ISSUE,
                detail={
                    "year": today.year,
                    "outgoing_number": number,
                    "secret_series": secret,
                    "number_symbol": symbol,
                    "certificate": seal.fingerprint,
                    "sha256": stored.sha256,
                },
            )
    except BaseException:
        kept.discard()
        raise
    return _synced(document)
