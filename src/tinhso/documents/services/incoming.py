"""Writes to the document registers: every act is transactional and audited."""

import contextlib
import dataclasses
import datetime as dt
import re
from collections.abc import Iterator, Sequence
from io import BytesIO
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tinhso.core import audit, files, numbering, search
from tinhso.core.errors import DomainError, Forbidden
from tinhso.core.models import OrgUnit, StoredFile
from tinhso.core.text import nfc
from tinhso.documents.constants import (
    ABBREVIATIONS,
    ACTION_INCOMING_REGISTER,
    AGENCY_KINDS,
    INCOMING_SCOPE,
    DocumentType,
    Secrecy,
    Urgency,
)
from tinhso.documents.models import Attachment, IncomingDocument
from tinhso.documents.policies import incoming as policies
from tinhso.documents.selectors.incoming import (
    INCOMING_ISSUER_SCOPE,
    symbol_token,
)
from tinhso.documents.services import pdftext
from tinhso.pki import signing

PDF_ONLY = {"pdf": files.ALLOWED_TYPES["pdf"]}
# "12/QĐ-UBND", "05/2025/QĐ-UBND" (legal normative), công văn "123/UBND-VP";
# abbreviations such as QyĐ, CTr, TTr keep their lower-case letters.
NUMBER_SYMBOL_RE = re.compile(r"^\d+(/\d{4})?/[A-Za-zĐđ0-9.]+(-[A-Za-zĐđ0-9.]+)*$")


ACTION_INCOMING_DOWNLOAD = "documents.incoming.download"


def incoming_register(agency: OrgUnit, *, secret: bool = False) -> str:
    """The counter of ``agency``'s incoming register.

    Decree 30 registers documents marked Mật, Tối mật or Tuyệt mật apart:
    one secret series per agency and year for the three levels, so the
    ordinary register shows no gap that would tell a secret one came in.
    """
    return f"incoming:{agency.pk}:secret" if secret else f"incoming:{agency.pk}"


def _invalid(code: str, message: str, field: str) -> DomainError:
    # ``field`` names the input at fault: pages show the message next to it
    # and the API's problem+json carries it.
    return DomainError(code, message, extra={"field": field})


def _check_length(value: str, field: str, label: str) -> None:
    model_field = IncomingDocument._meta.get_field(field)
    assert isinstance(model_field, models.CharField)
    limit = model_field.max_length
    if limit is not None and len(value) > limit:
        raise _invalid(
            "incoming_field_too_long",
            _("%(label)s dài quá %(limit)s ký tự.") % {"label": label, "limit": limit},
            field,
        )


# Types by their abbreviation, for saying which type a symbol belongs to.
_TYPE_OF_ABBREVIATION = {abbr: kind for kind, abbr in ABBREVIATIONS.items() if abbr}
# Issuers whose own symbol is also a type abbreviation: Cục Thuế writes its
# công văn as "1234/CT-CS", not a Chỉ thị.
_ISSUER_SYMBOLS_LIKE_TYPES = {"CT"}


def _type_label(doc_type: str) -> str:
    return str(DocumentType(doc_type).label)


def _check_symbol_matches_type(
    number_symbol: str, doc_type: str, issued_date: dt.date
) -> None:
    """The symbol's abbreviation must be the type's (Decree 30, Appendix III).

    A typed document reads "12/QĐ-UBND" (legal normative: "05/2025/QĐ-UBND",
    with the year of issue); a công văn or thư công has no type abbreviation
    and reads "123/UBND-VP": issuer, then drafting unit.
    """
    *numbers, symbol = number_symbol.split("/")
    first = symbol.split("-")[0]
    expected = ABBREVIATIONS[doc_type]
    if expected and first != expected:
        raise _invalid(
            "incoming_symbol_type_mismatch",
            _(
                "Số, ký hiệu “%(value)s” không khớp loại văn bản %(type)s: ký hiệu "
                "của %(type)s bắt đầu bằng chữ viết tắt %(abbr)s, ví dụ "
                "12/%(abbr)s-UBND. Hãy sửa số, ký hiệu hoặc chọn lại loại văn bản."
            )
            % {"value": number_symbol, "type": _type_label(doc_type), "abbr": expected},
            "number_symbol",
        )
    if (
        not expected
        and first in _TYPE_OF_ABBREVIATION
        and first not in _ISSUER_SYMBOLS_LIKE_TYPES
    ):
        raise _invalid(
            "incoming_symbol_type_mismatch",
            _(
                "Số, ký hiệu “%(value)s” có chữ viết tắt %(abbr)s của %(other)s, "
                "nhưng %(type)s không có chữ viết tắt loại văn bản (ví dụ "
                "123/UBND-VP). Hãy chọn loại %(other)s hoặc sửa số, ký hiệu."
            )
            % {
                "value": number_symbol,
                "abbr": first,
                "other": _type_label(_TYPE_OF_ABBREVIATION[first]),
                "type": _type_label(doc_type),
            },
            "number_symbol",
        )
    if len(numbers) == 2 and int(numbers[1]) != issued_date.year:
        raise _invalid(
            "incoming_symbol_year_mismatch",
            _("Năm trong số, ký hiệu “%(value)s” phải là năm ban hành (%(year)s).")
            % {"value": number_symbol, "year": issued_date.year},
            "number_symbol",
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
        raise _invalid(
            "incoming_bad_number_symbol",
            _(
                "Số, ký hiệu “%(value)s” không đúng dạng, ví dụ 12/QĐ-UBND hoặc "
                "123/UBND-VP."
            )
            % {"value": number_symbol},
            "number_symbol",
        )
    if doc_type not in DocumentType.values:
        raise _invalid("incoming_bad_type", _("Loại văn bản không hợp lệ."), "doc_type")
    _check_symbol_matches_type(number_symbol, doc_type, issued_date)
    if urgency not in Urgency.values:
        raise _invalid("incoming_bad_urgency", _("Độ khẩn không hợp lệ."), "urgency")
    if secrecy not in Secrecy.values:
        raise _invalid("incoming_bad_secrecy", _("Độ mật không hợp lệ."), "secrecy")
    subject = nfc(subject)
    if not subject:
        raise _invalid("incoming_subject_required", _("Cần nhập trích yếu."), "subject")
    issuer_name = nfc(issuer_name) or (issuer_unit.name if issuer_unit else "")
    if not issuer_name:
        raise _invalid(
            "incoming_issuer_required",
            _("Cần nhập cơ quan ban hành văn bản."),
            "issuer_name",
        )
    received_at = received_at or timezone.now()
    now = timezone.now()
    if received_at > now:
        raise _invalid(
            "incoming_received_in_future",
            _("Thời gian đến không thể ở tương lai."),
            "received_at",
        )
    if issued_date > timezone.localdate(received_at):
        raise _invalid(
            "incoming_issued_in_future",
            _("Ngày ban hành không thể sau ngày văn bản đến."),
            "issued_date",
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


@contextlib.contextmanager
def _blame(field: str) -> Iterator[None]:
    """Tag a file check's refusal with the input it concerns."""
    try:
        yield
    except DomainError as exc:
        exc.extra.setdefault("field", field)
        raise


def indexed_text(
    *,
    number_symbol: str,
    doc_type: str,
    subject: str,
    issuer_name: str,
    signer_name: str = "",
    pdf_text: str = "",
) -> str:
    """What the full-text index holds for one incoming document.

    Metadata, the PDF's text, and the number and symbol also as one word
    (``selectors.incoming.symbol_token``) so look-ups by symbol are exact.
    Public so a bulk loader (the search bench) indexes the same way.
    """
    # The type's name as users type it, whatever language is active.
    with translation.override(settings.LANGUAGE_CODE):
        type_label = str(DocumentType(doc_type).label)
    return " ".join(
        part
        for part in (
            symbol_token(number_symbol),
            number_symbol,
            type_label,
            ABBREVIATIONS[doc_type],
            subject,
            issuer_name,
            signer_name,
            pdf_text,
        )
        if part
    )


def _index(document: IncomingDocument, pdf_text: str) -> None:
    search.index(
        INCOMING_SCOPE,
        document.pk,
        indexed_text(
            number_symbol=document.number_symbol,
            doc_type=document.doc_type,
            subject=document.subject,
            issuer_name=document.issuer_name,
            signer_name=document.signer_name,
            pdf_text=pdf_text,
        ),
        # Searches within a few agencies read only theirs (search_partitions).
        partition=document.agency_id,
    )
    search.index(INCOMING_ISSUER_SCOPE, document.pk, document.issuer_name)


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
    ``page_count`` defaults to the PDF's own page count. Raises Forbidden
    unless ``clerk`` is the agency's clerk, DomainError (with ``extra``
    naming the field at fault) for invalid metadata or files.
    """
    if not policies.can_register_incoming(clerk, agency):
        raise Forbidden(
            "incoming_register_forbidden",
            _("Chỉ văn thư của %(agency)s được vào sổ văn bản đến.")
            % {"agency": agency.name},
        )
    if agency.kind not in AGENCY_KINDS:
        raise DomainError(
            "incoming_not_an_agency",
            _(
                "%(unit)s không giữ sổ văn bản đến: văn bản vào sổ của cơ quan, "
                "xã, phường hoặc tỉnh."
            )
            % {"unit": agency.name},
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
    with _blame("file"):
        files.check(file, file_name, allowed=PDF_ONLY)
        data = file.read()
        checks = signing.verify_pdf(data)
    with _blame("attachments"):
        for stream, name in attachments:
            files.check(stream, name)
    text, pdf_pages = pdftext.read_pdf(data)
    pages = page_count if page_count is not None else pdf_pages
    if pages is None or pages < 1:
        raise _invalid(
            "incoming_bad_page_count", _("Số trang phải từ 1 trở lên."), "page_count"
        )

    kept: list[StoredFile] = []
    try:
        with transaction.atomic():
            main = files.store(
                BytesIO(data), file_name, uploaded_by=clerk, allowed=PDF_ONLY
            )
            kept.append(main)
            year = timezone.localtime(meta.received_at).year
            secret = meta.secrecy != Secrecy.NORMAL
            # Taken inside this transaction: a later failure rolls it back,
            # so the register stays gap-free.
            number = numbering.next_number(
                incoming_register(agency, secret=secret), year
            )
            document = IncomingDocument.objects.create(
                agency=agency,
                year=year,
                incoming_number=number,
                secret_series=secret,
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
            _index(document, text)
            audit.record(
                ACTION_INCOMING_REGISTER,
                obj=document,
                actor=clerk,
                detail={
                    "agency": agency.pk,
                    "year": year,
                    "incoming_number": number,
                    "secret_series": secret,
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


def record_download(user: Any, document: IncomingDocument, stored: StoredFile) -> None:
    """Log who opened a file of a document marked Mật or above.

    ``user`` was already allowed to see ``document``. Normal documents are
    opened many times a day; logging each would bury the rows that matter.
    """
    if document.secrecy == Secrecy.NORMAL:
        return
    with transaction.atomic():
        audit.record(
            ACTION_INCOMING_DOWNLOAD,
            obj=document,
            actor=user,
            detail={"file": stored.name, "sha256": stored.sha256},
        )
