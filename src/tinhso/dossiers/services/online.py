"""The applicant's side of a dossier, online: submitting with the papers as
files, answering a supplement request, rating the service; and the
officer's acceptance of what was submitted and the electronic result,
sealed by the agency when it has a seal certificate.

An online dossier gets its code at submission (status 1, "registered");
its appointment runs from the moment a one-stop officer accepts it.
"""

import datetime as dt
from dataclasses import dataclass
from io import BytesIO
from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import AccountKind, User
from tinhso.core import audit, files
from tinhso.core.errors import DomainError, Forbidden
from tinhso.core.models import OrgUnit, StoredFile
from tinhso.core.text import nfc
from tinhso.dossiers.constants import (
    ACCEPTED_ONLINE,
    AUDIT_DOSSIER_ACCEPTED,
    AUDIT_DOSSIER_RATED,
    AUDIT_DOSSIER_SUBMITTED,
    AUDIT_RESULT_ATTACHED,
    SUBMITTED_ONLINE,
    Channel,
    CopyKind,
    DossierStatus,
    Satisfaction,
    ServiceLevel,
)
from tinhso.dossiers.models import Dossier, Procedure, Rating, SubmittedDocument
from tinhso.dossiers.services import notifications, payments
from tinhso.dossiers.services.deadlines import appointment
from tinhso.dossiers.services.dossiers import (
    Applicant,
    _check_applicant,
    _check_place,
    _holding,
    _locked,
    _record,
    _resume,
    _withdrawn,
    dossier_code,
)
from tinhso.pki import selectors as pki_selectors
from tinhso.pki import signing

# Scans and photos of papers; an office file can be printed to PDF first.
PAPER_TYPES = {
    k: v for k, v in files.ALLOWED_TYPES.items() if k in {"pdf", "jpg", "jpeg", "png"}
}
RESULT_TYPES = {"pdf": files.ALLOWED_TYPES["pdf"]}
# Files per paper, so that one form cannot fill the storage.
FILES_PER_PAPER = 10


@dataclass
class Upload:
    name: str
    stream: IO[bytes]


def _check_uploads(uploads: list[Upload], allowed: dict[str, str]) -> None:
    """Every file checked before any is kept: a bad one keeps nothing."""
    for upload in uploads:
        files.check(upload.stream, upload.name, allowed=allowed)


def _keep(
    uploads: list[Upload], user: User, allowed: dict[str, str]
) -> list[StoredFile]:
    return [
        files.store(u.stream, u.name, uploaded_by=user, allowed=allowed)
        for u in uploads
    ]


def _applicant_of(user: User, phone: str, email: str, address: str) -> Applicant:
    """Who applies is who signed in: the name and the ID number (or tax code)
    come from the account, which the identity provider vouched for."""
    if user.kind not in (AccountKind.CITIZEN, AccountKind.BUSINESS):
        raise Forbidden(
            "online_needs_public_account",
            _("Nộp hồ sơ trực tuyến bằng tài khoản công dân hoặc doanh nghiệp."),
        )
    return Applicant(
        name=user.full_name,
        id_number=user.username,
        phone=phone or user.phone,
        email=email or user.email,
        address=address,
    )


@transaction.atomic
def submit_online(
    user: User,
    procedure: Procedure,
    agency: OrgUnit,
    papers: dict[int, list[Upload]],
    *,
    phone: str = "",
    email: str = "",
    address: str = "",
    note: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    """A signed-in citizen or business submits a dossier from the portal.

    ``papers`` maps positions of the procedure's required documents to the
    files of each; every required one needs at least one file.
    """
    if not procedure.published:
        raise DomainError("procedure_unpublished", _("Thủ tục này không còn áp dụng."))
    if procedure.service_level == ServiceLevel.NONE:
        raise DomainError(
            "procedure_not_online",
            _(
                "Thủ tục này chưa cung cấp dịch vụ công trực tuyến; hãy nộp tại Bộ "
                "phận Một cửa."
            ),
        )
    person = _check_applicant(_applicant_of(user, phone, email, address))
    _check_place(procedure, agency)
    required = list(procedure.documents.all())
    known = {d.position for d in required}
    papers = {n: uploads for n, uploads in papers.items() if uploads}
    unknown = set(papers) - known
    if unknown:
        raise DomainError(
            "dossier_document_unknown",
            _("Thủ tục không có thành phần hồ sơ số %(n)s.")
            % {"n": ", ".join(str(n) for n in sorted(unknown))},
        )
    missing = [d.name for d in required if d.required and d.position not in papers]
    if missing:
        raise DomainError(
            "dossier_incomplete",
            _("Hồ sơ còn thiếu tệp của: %(names)s.") % {"names": "; ".join(missing)},
            extra={"missing": missing},
        )
    if any(len(uploads) > FILES_PER_PAPER for uploads in papers.values()):
        raise DomainError(
            "too_many_files",
            _("Mỗi thành phần hồ sơ gửi tối đa %(n)s tệp.") % {"n": FILES_PER_PAPER},
        )
    _check_uploads([u for uploads in papers.values() for u in uploads], PAPER_TYPES)
    when = at or timezone.now()
    dossier = Dossier.objects.create(
        code=dossier_code(agency, when),
        procedure=procedure,
        agency=agency,
        channel=Channel.ONLINE,
        status=DossierStatus.REGISTERED,
        applicant_name=person.name,
        applicant_id_number=person.id_number,
        applicant_phone=person.phone,
        applicant_email=person.email,
        applicant_address=person.address,
        applicant=user,
        received_at=when,
        submitted_at=when,
        appointment_at=appointment(when, procedure.processing_days),
        note=nfc(note),
    )
    position = 0
    for paper in required:
        for stored in _keep(papers.get(paper.position, []), user, PAPER_TYPES):
            position += 1
            SubmittedDocument.objects.create(
                dossier=dossier,
                position=position,
                name=paper.name,
                copy_kind=paper.copy_kind,
                quantity=1,
                file=stored,
            )
    payments.open_payment(dossier)
    _record(dossier, SUBMITTED_ONLINE, None, None, note, when)
    audit.record(
        AUDIT_DOSSIER_SUBMITTED,
        obj=dossier,
        actor=user,
        detail={"code": dossier.code, "procedure": procedure.code, "channel": "2"},
    )
    notifications.notify(dossier, notifications.SUBMITTED)
    return dossier


@transaction.atomic
def accept_online(
    dossier: Dossier, officer: User, *, at: dt.datetime | None = None
) -> Dossier:
    """A one-stop officer accepts an online dossier after checking it: it is
    received now, and its appointment runs from now."""
    dossier = _locked(dossier)
    _holding(dossier, officer, DossierStatus.REGISTERED)
    when = at or timezone.now()
    dossier.status = DossierStatus.RECEIVED
    dossier.received_at, dossier.received_by, dossier.handler = when, officer, officer
    dossier.appointment_at = appointment(when, dossier.procedure.processing_days)
    dossier.save(
        update_fields=[
            "status",
            "received_at",
            "received_by",
            "handler",
            "appointment_at",
        ]
    )
    _record(dossier, ACCEPTED_ONLINE, None, officer, "", when, step=1)
    audit.record(AUDIT_DOSSIER_ACCEPTED, obj=dossier, detail={"code": dossier.code})
    notifications.notify(dossier, notifications.RECEIVED)
    return dossier


def _own(dossier: Dossier, user: User) -> None:
    if dossier.applicant_id != user.pk:
        raise Forbidden(
            "not_applicant", _("Chỉ người nộp hồ sơ mới làm được việc này.")
        )


# Until the result is ready, an online applicant may take a dossier back.
WITHDRAWABLE = (
    DossierStatus.REGISTERED,
    DossierStatus.RECEIVED,
    DossierStatus.PROCESSING,
    DossierStatus.SUPPLEMENT,
    DossierStatus.AWAITING_PAYMENT,
)


@transaction.atomic
def withdraw_online(
    dossier: Dossier, user: User, reason: str, *, at: dt.datetime | None = None
) -> Dossier:
    """The applicant asks online to take the dossier back (status 7), with
    the reason the written request would give; whoever held it is told by
    the steps, the applicant by the usual notice."""
    dossier = _locked(dossier)
    _own(dossier, user)
    if dossier.status not in WITHDRAWABLE:
        raise DomainError(
            "dossier_not_withdrawable",
            _("Hồ sơ ở trạng thái “%(status)s”, không rút được nữa.")
            % {"status": dossier.get_status_display()},
        )
    reason = nfc(reason)
    if not reason:
        raise DomainError(
            "withdrawal_reason_required",
            _("Ghi rõ lý do rút hồ sơ."),
            extra={"field": "reason"},
        )
    return _withdrawn(dossier, user, reason, at, online=True)


@transaction.atomic
def answer_supplement(
    dossier: Dossier,
    user: User,
    uploads: list[Upload],
    *,
    note: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    """The applicant sends online what a supplement request asked for; the
    clock runs again from now."""
    dossier = _locked(dossier)
    _own(dossier, user)
    if dossier.status != DossierStatus.SUPPLEMENT:
        raise DomainError(
            "no_supplement_requested", _("Hồ sơ không có yêu cầu bổ sung nào đang chờ.")
        )
    uploads = [u for u in uploads if u.name]
    if not uploads:
        raise DomainError(
            "supplement_files_required",
            _("Đính kèm giấy tờ được yêu cầu bổ sung."),
            extra={"field": "files"},
        )
    if len(uploads) > FILES_PER_PAPER:
        raise DomainError(
            "too_many_files",
            _("Mỗi lần bổ sung gửi tối đa %(n)s tệp.") % {"n": FILES_PER_PAPER},
        )
    _check_uploads(uploads, PAPER_TYPES)
    last = dossier.documents.order_by("-position").first()
    position = last.position if last else 0
    for stored in _keep(uploads, user, PAPER_TYPES):
        position += 1
        SubmittedDocument.objects.create(
            dossier=dossier,
            position=position,
            name=_("Giấy tờ bổ sung: %(name)s") % {"name": stored.name},
            copy_kind=CopyKind.COPY,
            file=stored,
        )
    return _resume(dossier, None, dossier.handler, note, at or timezone.now())


def _seal(pdf: bytes, dossier: Dossier) -> tuple[bytes, str]:
    """The agency's seal on the result, when the agency has a certificate."""
    certificate = pki_selectors.certificate_of(dossier.agency)
    if certificate is None:
        return pdf, ""
    width = signing.page_width(pdf, -1)
    size, margin = signing.SEAL_DIAMETER, 36.0
    sealed = signing.sign_pdf(
        pdf,
        certificate,
        field_name="AgencySeal",
        reason=_("Kết quả giải quyết hồ sơ %(code)s") % {"code": dossier.code},
        location=dossier.agency.name,
        appearance={
            "style": "seal",
            "signer_name": dossier.agency.name,
            "lines": [dossier.code],
            "page": -1,
            "box": (width - margin - size, margin, width - margin, margin + size),
        },
    )
    return sealed, certificate.fingerprint


@transaction.atomic
def attach_result(dossier: Dossier, user: User, upload: Upload) -> Dossier:
    """The holder keeps the electronic result (a PDF) with the dossier; the
    platform seals it with the receiving agency's certificate."""
    dossier = _locked(dossier)
    _holding(dossier, user, DossierStatus.PROCESSING, DossierStatus.PROCESSED)
    files.check(upload.stream, upload.name, allowed=RESULT_TYPES)
    upload.stream.seek(0)
    sealed, fingerprint = _seal(upload.stream.read(), dossier)
    stored = files.store(
        BytesIO(sealed), upload.name, uploaded_by=user, allowed=RESULT_TYPES
    )
    dossier.result_file, dossier.result_sealed_by = stored, fingerprint
    dossier.save(update_fields=["result_file", "result_sealed_by"])
    audit.record(
        AUDIT_RESULT_ATTACHED,
        obj=dossier,
        detail={
            "code": dossier.code,
            "sha256": stored.sha256,
            "sealed_by": fingerprint,
        },
    )
    return dossier


@transaction.atomic
def rate(
    dossier: Dossier,
    user: User,
    satisfaction: str,
    comment: str = "",
    *,
    at: dt.datetime | None = None,
) -> Rating:
    """The applicant rates the service once the dossier is over."""
    dossier = _locked(dossier)
    _own(dossier, user)
    if dossier.finished_at is None or dossier.status not in (
        DossierStatus.RETURNED,
        DossierStatus.NOT_RECEIVED,
        DossierStatus.STOPPED,
        DossierStatus.WITHDRAWN,
    ):
        raise DomainError(
            "dossier_not_finished", _("Đánh giá khi hồ sơ đã có kết quả.")
        )
    if satisfaction not in Satisfaction.values:
        raise DomainError(
            "satisfaction_unknown",
            _("Chọn một mức: hài lòng, bình thường hoặc không hài lòng."),
            extra={"field": "satisfaction"},
        )
    if Rating.objects.filter(dossier=dossier).exists():
        raise DomainError("already_rated", _("Hồ sơ này đã được đánh giá."))
    rating = Rating.objects.create(
        dossier=dossier,
        satisfaction=satisfaction,
        comment=nfc(comment),
        rated_at=at or timezone.now(),
    )
    audit.record(
        AUDIT_DOSSIER_RATED,
        obj=dossier,
        actor=user,
        detail={"code": dossier.code, "satisfaction": satisfaction},
    )
    return rating
