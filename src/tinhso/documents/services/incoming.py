"""Writes to the document registers: every act is transactional and audited."""

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Sequence
from io import BytesIO
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pypdf import PdfReader

from tinhso.core import audit, files, numbering, search
from tinhso.core.errors import DomainError, Forbidden
from tinhso.core.models import OrgUnit, StoredFile
from tinhso.core.text import nfc
from tinhso.documents.constants import (
    ABBREVIATIONS,
    ACTION_INCOMING_REGISTER,
    INCOMING_SCOPE,
    DocumentType,
    Secrecy,
    Urgency,
)
from tinhso.documents.models import Attachment, IncomingDocument
from tinhso.documents.policies import incoming as policies
from tinhso.pki import signing

logger = logging.getLogger(__name__)

PDF_ONLY = {"pdf": files.ALLOWED_TYPES["pdf"]}
# Enough for any real document's text; bounds the index row and the time spent.
MAX_INDEXED_CHARS = 200_000
# "12/QĐ-UBND", "05/2025/QĐ-UBND" (legal normative), công văn "123/UBND-VP";
# abbreviations such as QyĐ, CTr, TTr keep their lower-case letters.
NUMBER_SYMBOL_RE = re.compile(r"^\d+(/\d{4})?/[A-Za-zĐđ0-9.]+(-[A-Za-zĐđ0-9.]+)*$")


def incoming_register(agency: OrgUnit) -> str:
    return f"incoming:{agency.pk}"


def _check_length(value: str, field: str, label: str) -> None:
    model_field = IncomingDocument._meta.get_field(field)
    assert isinstance(model_field, models.CharField)
    limit = model_field.max_length
    if limit is not None and len(value) > limit:
        raise DomainError(
            "incoming_field_too_long",
            _("%(label)s dài quá %(limit)s ký tự.") % {"label": label, "limit": limit},
        )


@dataclasses.dataclass(frozen=True)
class _Metadata:
    number_symbol: str
    issued_date: dt.date
    issuer_name: str
    doc_type: str
    subject: str
    signer_name: str
    urgency: str
    secrecy: str
    received_at: dt.datetime


def _clean(
    *,
    number_symbol: str,
    issued_date: dt.date,
    issuer_name: str,
    issuer_unit: OrgUnit | None,
    doc_type: str,
    subject: str,
    signer_name: str,
    urgency: str,
    secrecy: str,
    received_at: dt.datetime | None,
) -> _Metadata:
    number_symbol = nfc(number_symbol).replace(" ", "")
    if not NUMBER_SYMBOL_RE.match(number_symbol):
        raise DomainError(
            "incoming_bad_number_symbol",
            _(
                "Số, ký hiệu “%(value)s” không đúng dạng, ví dụ 12/QĐ-UBND hoặc "
                "123/UBND-VP."
            )
            % {"value": number_symbol},
        )
    if doc_type not in DocumentType.values:
        raise DomainError("incoming_bad_type", _("Loại văn bản không hợp lệ."))
    if urgency not in Urgency.values:
        raise DomainError("incoming_bad_urgency", _("Độ khẩn không hợp lệ."))
    if secrecy not in Secrecy.values:
        raise DomainError("incoming_bad_secrecy", _("Độ mật không hợp lệ."))
    subject = nfc(subject)
    if not subject:
        raise DomainError("incoming_subject_required", _("Cần nhập trích yếu."))
    issuer_name = nfc(issuer_name) or (issuer_unit.name if issuer_unit else "")
    if not issuer_name:
        raise DomainError(
            "incoming_issuer_required", _("Cần nhập cơ quan ban hành văn bản.")
        )
    received_at = received_at or timezone.now()
    now = timezone.now()
    if received_at > now:
        raise DomainError(
            "incoming_received_in_future",
            _("Thời gian đến không thể ở tương lai."),
        )
    if issued_date > timezone.localdate(received_at):
        raise DomainError(
            "incoming_issued_in_future",
            _("Ngày ban hành không thể sau ngày văn bản đến."),
        )
    cleaned = _Metadata(
        number_symbol=number_symbol,
        issued_date=issued_date,
        issuer_name=issuer_name,
        doc_type=doc_type,
        subject=subject,
        signer_name=nfc(signer_name),
        urgency=urgency,
        secrecy=secrecy,
        received_at=received_at,
    )
    _check_length(cleaned.number_symbol, "number_symbol", _("Số, ký hiệu"))
    _check_length(cleaned.issuer_name, "issuer_name", _("Cơ quan ban hành"))
    _check_length(cleaned.signer_name, "signer_name", _("Người ký"))
    return cleaned


def _read_pdf(data: bytes) -> tuple[str, int | None]:
    """The PDF's text (bounded) and page count; a scan simply has no text.

    Text is a search aid, not a condition of registration, so a PDF that
    pypdf cannot read still registers with its metadata indexed.
    """
    try:
        reader = PdfReader(BytesIO(data))
        pages = len(reader.pages)
        parts: list[str] = []
        total = 0
        for page in reader.pages:
            text = page.extract_text() or ""
            parts.append(text)
            total += len(text)
            if total >= MAX_INDEXED_CHARS:
                break
    except Exception:
        logger.warning("Could not extract text from an incoming PDF", exc_info=True)
        return "", None
    return " ".join(parts)[:MAX_INDEXED_CHARS], pages


def _signature_rows(checks: list[signing.SignatureCheck]) -> list[dict[str, Any]]:
    rows = []
    for check in checks:
        row = dataclasses.asdict(check)
        row["signing_time"] = (
            check.signing_time.isoformat() if check.signing_time else None
        )
        row["ok"] = check.ok
        rows.append(row)
    return rows


def _signature_summary(checks: list[signing.SignatureCheck]) -> str:
    if not checks:
        return _("Tệp không có chữ ký số.")
    return "\n".join(check.summary for check in checks)


def register_incoming(
    *,
    agency: OrgUnit,
    clerk: Any,
    file: IO[bytes],
    file_name: str,
    number_symbol: str,
    issued_date: dt.date,
    issuer_name: str = "",
    issuer_unit: OrgUnit | None = None,
    doc_type: str,
    subject: str,
    signer_name: str = "",
    urgency: str = Urgency.NORMAL,
    secrecy: str = Secrecy.NORMAL,
    page_count: int | None = None,
    received_at: dt.datetime | None = None,
    attachments: Sequence[tuple[IO[bytes], str]] = (),
) -> IncomingDocument:
    """Enter a received PDF in ``agency``'s incoming register for the year.

    Nothing is kept on any failure: no row, no file, no number taken.
    ``page_count`` defaults to the PDF's own page count.
    """
    if not policies.can_register_incoming(clerk, agency):
        raise Forbidden(
            "incoming_register_forbidden",
            _("Chỉ văn thư của %(agency)s được vào sổ văn bản đến.")
            % {"agency": agency.name},
        )
    if agency.legacy:
        raise DomainError(
            "incoming_legacy_agency",
            _("%(agency)s là đơn vị cũ, không còn sổ văn bản đến.")
            % {"agency": agency.name},
        )
    meta = _clean(
        number_symbol=number_symbol,
        issued_date=issued_date,
        issuer_name=issuer_name,
        issuer_unit=issuer_unit,
        doc_type=doc_type,
        subject=subject,
        signer_name=signer_name,
        urgency=urgency,
        secrecy=secrecy,
        received_at=received_at,
    )
    # Checked and read before the transaction: signature checks and text
    # extraction are slow and must not hold the register's counter lock.
    files.check(file, file_name, allowed=PDF_ONLY)
    data = file.read()
    checks = signing.verify_pdf(data)
    text, pdf_pages = _read_pdf(data)
    pages = page_count if page_count is not None else pdf_pages
    if pages is None or pages < 1:
        raise DomainError("incoming_bad_page_count", _("Số trang phải từ 1 trở lên."))

    kept: list[StoredFile] = []
    try:
        with transaction.atomic():
            main = files.store(
                BytesIO(data), file_name, uploaded_by=clerk, allowed=PDF_ONLY
            )
            kept.append(main)
            year = timezone.localtime(meta.received_at).year
            # Taken inside this transaction: a later failure rolls it back,
            # so the register stays gap-free.
            number = numbering.next_number(incoming_register(agency), year)
            document = IncomingDocument.objects.create(
                agency=agency,
                year=year,
                incoming_number=number,
                issuer_unit=issuer_unit,
                page_count=pages,
                main_file=main,
                registered_by=clerk,
                signatures=_signature_rows(checks),
                signature_summary=_signature_summary(checks),
                **dataclasses.asdict(meta),
            )
            for stream, name in attachments:
                stored = files.store(stream, name, uploaded_by=clerk)
                kept.append(stored)
                Attachment.objects.create(document=document, file=stored)
            # The type's name as users type it, whatever language is active.
            with translation.override(settings.LANGUAGE_CODE):
                type_label = str(DocumentType(meta.doc_type).label)
            search.index(
                INCOMING_SCOPE,
                document.pk,
                meta.number_symbol,
                type_label,
                ABBREVIATIONS[meta.doc_type],
                meta.subject,
                meta.issuer_name,
                meta.signer_name,
                text,
            )
            audit.record(
                ACTION_INCOMING_REGISTER,
                obj=document,
                actor=clerk,
                detail={
                    "agency": agency.pk,
                    "year": year,
                    "incoming_number": number,
                    "number_symbol": meta.number_symbol,
                    "sha256": main.sha256,
                    "signatures": len(checks),
                    "attachments": len(kept) - 1,
                },
            )
    except BaseException:
        # The rows rolled back; the bytes already written must go too.
        for stored in kept:
            default_storage.delete(stored.storage_name)
        raise
    return document
