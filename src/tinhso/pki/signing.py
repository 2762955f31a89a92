"""PAdES signing and verification of PDFs (pyHanko).

``sign_pdf`` reads keys but writes nothing to the database: the act of
signing a document is audited by the service that calls it (e.g. the
documents app's ``sign_outgoing``).
"""

import asyncio
import datetime as dt
import logging
import math
import textwrap
import threading
from dataclasses import dataclass
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.content import RawContent
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from tinhso.core.errors import DomainError
from tinhso.core.text import fold
from tinhso.pki import keystore, pkcs11, selectors
from tinhso.pki.models import Certificate, KeyKind
from tinhso.pki.outline_font import OutlineFontFactory

logger = logging.getLogger(__name__)

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# DejaVu Sans (Debian fonts-dejavu-core) covers every Vietnamese diacritic.
DEFAULT_FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _font_file() -> str:
    # Read when first signing, not at import (settings may not be ready).
    return str(getattr(settings, "PKI_SIGNATURE_FONT", DEFAULT_FONT_FILE))


DEFAULT_BOX = (350, 40, 570, 120)
# Room for the CMS blob; reserving it up front skips pyHanko's dry-run
# signature, which roughly halves the time per signature.
BYTES_RESERVED = 16384

_signers: dict[str, signers.Signer] = {}
_signers_lock = threading.Lock()


def _load_signer(certificate: Certificate) -> signers.Signer:
    signer = signers.SimpleSigner.load_pkcs12_data(
        keystore.read(certificate.key_file),
        other_certs=[],
        passphrase=keystore.passphrase(certificate.fingerprint),
    )
    return signer


def signer_for(certificate: Certificate) -> signers.Signer:
    """The signer of ``certificate``, its key loaded once per process.

    Loading an RSA key costs ~44 ms (cryptography re-checks it), so it is
    cached by fingerprint: a certificate's key never changes. A token's
    signer is not: ``pkcs11`` keeps its session and reopens a dropped one.
    """
    if certificate.key_kind == KeyKind.PKCS11:
        return pkcs11.signer(certificate)
    cached = _signers.get(certificate.fingerprint)
    if cached is not None:
        return cached
    with _signers_lock:
        cached = _signers.get(certificate.fingerprint)
        if cached is None:
            cached = _signers[certificate.fingerprint] = _load_signer(certificate)
    return cached


def vietnam_time(moment: dt.datetime | None = None) -> str:
    """ISO 8601 in Vietnam time, to the second: 2026-03-10T09:15:00+07:00."""
    moment = moment or timezone.now()
    return moment.astimezone(VIETNAM).replace(microsecond=0).isoformat()


def _check_usable(certificate: Certificate) -> None:
    now = timezone.now()
    if not certificate.active:
        raise DomainError(
            "pki_certificate_inactive",
            _("Chứng thư số “%(name)s” đã ngừng sử dụng.")
            % {"name": certificate.common_name},
        )
    if not certificate.not_before <= now <= certificate.not_after:
        raise DomainError(
            "pki_certificate_expired",
            _("Chứng thư số “%(name)s” không còn hiệu lực.")
            % {"name": certificate.common_name},
        )


SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def key_and_chain(
    certificate: Certificate,
) -> tuple[SigningKey, list[x509.Certificate]]:
    """The private key and chain (signer first) of a usable PKCS#12 certificate,
    for signing other than PDF (edXML messages)."""
    _check_usable(certificate)
    if certificate.key_kind != KeyKind.PKCS12:
        raise DomainError(
            "pki_pkcs11_xml_unsupported",
            _(
                "Chứng thư số trên thiết bị PKCS#11 (token/HSM) chưa ký được gói tin "
                "XML; cần chứng thư số lưu ở tệp PKCS#12."
            ),
        )
    key, cert, chain = pkcs12.load_key_and_certificates(
        keystore.read(certificate.key_file),
        keystore.passphrase(certificate.fingerprint),
    )
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise DomainError(
            "pki_key_unsupported",
            _("Khóa của chứng thư số “%(name)s” không dùng được để ký.")
            % {"name": certificate.common_name},
        )
    assert cert is not None
    return key, [cert, *chain]


# Decree 30/2020 (Appendix I, II): the signer's image is blue and sits
# between the signer's title and name; the agency's seal is red, at its real
# size, over about a third of the signer's image on its left.
SIGNER_BLUE = (0.0, 0.2, 0.7)
SEAL_RED = (0.82, 0.06, 0.06)
# A provincial agency's round seal is 35-36 mm across: 36 mm in points.
SEAL_DIAMETER = 102.0
SIGNER_BOX_WIDTH = 200.0
SIGNER_BOX_HEIGHT = (36.0, 80.0)
PAGE_MARGIN = 6.0
SEARCHED_PAGES = 5
APPEARANCE_STYLES = ("box", "signer", "seal")
# (x1, y1, x2, y2) in points from the lower left of the page.
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Placement:
    """Where a visible signature goes: a 0-based page and a box in points."""

    page: int
    box: Box


@dataclass
class _Line:
    y: float
    x0: float
    x1: float
    size: float
    parts: list[tuple[float, str]]

    @property
    def folded(self) -> str:
        text = "".join(part for _x, part in sorted(self.parts))
        return fold(text).replace(" ", "")


def _page_lines(page: Any) -> list[_Line]:
    """The text lines of a pypdf page, top to bottom, with rough extents."""
    chunks: list[tuple[float, float, float, str]] = []

    def visit(text: str, cm: Any, tm: Any, _font: Any, font_size: float) -> None:
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        size = abs(font_size * tm[3] * cm[3]) or abs(font_size) or 10.0
        chunks.append((x, y, size, text.strip()))

    page.extract_text(visitor_text=visit)
    lines: list[_Line] = []
    for x, y, size, text in sorted(chunks, key=lambda c: (-c[1], c[0])):
        # Half a glyph wide per character: rough, but only centres a box.
        right = x + 0.5 * size * len(text)
        line = lines[-1] if lines else None
        if line is not None and abs(line.y - y) <= 0.3 * max(size, line.size):
            line.parts.append((x, text))
            line.x0, line.x1 = min(line.x0, x), max(line.x1, right)
            line.size = max(line.size, size)
        else:
            lines.append(_Line(y=y, x0=x, x1=right, size=size, parts=[(x, text)]))
    return lines


def _page_size(page: Any) -> tuple[float, float]:
    box = page.mediabox
    return float(box.width), float(box.height)


def _default_signer_placement(reader: PdfReader) -> Placement:
    width, _height = _page_size(reader.pages[-1])
    right = width - 45
    return Placement(
        page=len(reader.pages) - 1,
        box=(right - SIGNER_BOX_WIDTH, 60.0, right, 130.0),
    )


def _block_box(name: _Line, title: _Line | None, page_width: float) -> Box:
    low = name.y + name.size
    high = title.y - 0.3 * title.size if title is not None else low + 70
    least, most = SIGNER_BOX_HEIGHT
    height = min(max(high - low, least), most)
    middle = (low + high) / 2
    centre = (name.x0 + name.x1) / 2
    x0 = centre - SIGNER_BOX_WIDTH / 2
    x0 = max(PAGE_MARGIN, min(x0, page_width - PAGE_MARGIN - SIGNER_BOX_WIDTH))
    return (x0, middle - height / 2, x0 + SIGNER_BOX_WIDTH, middle + height / 2)


def signature_block(
    pdf_bytes: bytes, signer_name: str, position: str = ""
) -> Placement:
    """Where Decree 30 puts the signer's image: between title and name.

    The signer's name is looked for from the last page back (five pages at
    most), the lowest match on a page winning; the title is the nearest line
    above it that reads as the last line of ``position`` ("PHÓ GIÁM ĐỐC").
    A PDF without the name (or unreadable text) gets the lower right of its
    last page.
    """
    reader = PdfReader(BytesIO(pdf_bytes), strict=False)
    wanted = fold(signer_name).replace(" ", "")
    title_lines = [line for line in position.splitlines() if line.strip()]
    wanted_title = fold(title_lines[-1]).replace(" ", "") if title_lines else ""
    try:
        last = len(reader.pages) - 1
        # The block closes the document; appendices may follow it, but not
        # many pages of them.
        for index in range(last, max(last - SEARCHED_PAGES, -1), -1):
            page = reader.pages[index]
            lines = _page_lines(page)
            names = [line for line in lines if wanted and wanted in line.folded]
            if not names:
                continue
            name = names[-1]
            above = [
                line
                for line in lines
                if name.y < line.y <= name.y + 250
                and (not wanted_title or wanted_title in line.folded)
            ]
            title = min(above, key=lambda line: line.y) if above else None
            width, _height = _page_size(page)
            return Placement(page=index, box=_block_box(name, title, width))
    except Exception:
        # Placement is a courtesy: a PDF whose text cannot be read is still
        # signed, at the default place.
        logger.warning("Could not find the signature block", exc_info=True)
    return _default_signer_placement(reader)


def field_placement(pdf_bytes: bytes, field_name: str) -> Placement | None:
    """Where the visible signature ``field_name`` of a PDF is, if anywhere."""
    reader = PdfReader(BytesIO(pdf_bytes), strict=False)
    for index, page in enumerate(reader.pages):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Widget":
                continue
            name = annot.get("/T")
            if name is None and "/Parent" in annot:
                name = annot["/Parent"].get_object().get("/T")
            if name == field_name and "/Rect" in annot:
                x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
                box = (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
                return Placement(page=index, box=box)
    return None


def seal_placement(
    signer: Placement, *, page_height: float = 842.0, diameter: float = SEAL_DIAMETER
) -> Placement:
    """The agency seal over the left third of the signer's image (Decree 30)."""
    x1, y1, x2, y2 = signer.box
    right = x1 + (x2 - x1) / 3
    left = max(PAGE_MARGIN, right - diameter)
    middle = (y1 + y2) / 2
    bottom = min(max(PAGE_MARGIN, middle - diameter / 2), page_height - diameter)
    return Placement(
        page=signer.page, box=(left, bottom, left + diameter, bottom + diameter)
    )


def page_height(pdf_bytes: bytes, page: int) -> float:
    reader = PdfReader(BytesIO(pdf_bytes), strict=False)
    return _page_size(reader.pages[page])[1]


def page_width(pdf_bytes: bytes, page: int) -> float:
    reader = PdfReader(BytesIO(pdf_bytes), strict=False)
    return _page_size(reader.pages[page])[0]


def _circle(cx: float, cy: float, r: float) -> bytes:
    k = 0.5523 * r
    return (
        b"%.2f %.2f m " % (cx + r, cy)
        + b"%.2f %.2f %.2f %.2f %.2f %.2f c "
        % (cx + r, cy + k, cx + k, cy + r, cx, cy + r)
        + b"%.2f %.2f %.2f %.2f %.2f %.2f c "
        % (cx - k, cy + r, cx - r, cy + k, cx - r, cy)
        + b"%.2f %.2f %.2f %.2f %.2f %.2f c "
        % (cx - r, cy - k, cx - k, cy - r, cx, cy - r)
        + b"%.2f %.2f %.2f %.2f %.2f %.2f c h "
        % (cx + k, cy - r, cx + r, cy - k, cx + r, cy)
    )


def _star(cx: float, cy: float, r: float) -> bytes:
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.4
        angle = math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    path = b"%.2f %.2f m " % points[0]
    path += b"".join(b"%.2f %.2f l " % p for p in points[1:])
    return path + b"h f "


def _seal_art(diameter: float) -> RawContent:
    """A round red seal drawn with PDF operators: two rings and a star."""
    r = diameter / 2
    data = (
        b"q %g %g %g RG %g %g %g rg " % (*SEAL_RED, *SEAL_RED)
        + b"2.4 w "
        + _circle(r, r, r - 1.5)
        + b"S 0.8 w "
        + _circle(r, r, r - 6.5)
        + b"S "
        + _star(r, r + r * 0.62, 6.5)
        + b"Q"
    )
    return RawContent(
        data=data, box=layout.BoxConstraints(width=diameter, height=diameter)
    )


def _text_style(size: int, colour: tuple[float, float, float] | None) -> TextBoxStyle:
    return TextBoxStyle(
        font=OutlineFontFactory(_font_file(), font_size=size, lang="vi"),
        font_size=size,
        text_color=colour,
    )


def _appearance(
    look: dict[str, Any], common_name: str
) -> tuple[TextStampStyle, list[str], str]:
    """The stamp style and text lines of one of APPEARANCE_STYLES."""
    kind = look.get("style", "box")
    if kind not in APPEARANCE_STYLES:
        raise ValueError(f"Unknown signature appearance style {kind!r}")
    when = look.get("time")
    time_text = when if isinstance(when, str) else vietnam_time(when)
    name = str(look.get("signer_name") or common_name)
    extra = [str(line) for line in look.get("lines", ())]
    position = [line.strip() for line in str(look.get("position") or "").splitlines()]
    position = [line for line in position if line]
    if kind == "seal":
        # Two lines of about equal length read better in a round seal.
        width = 22 if len(name) <= 22 else max(16, math.ceil(len(name) / 2) + 3)
        lines = [*textwrap.wrap(name, width), *extra, time_text]
        art = _seal_art(look.get("diameter", SEAL_DIAMETER))
        style = TextStampStyle(
            stamp_text="%(lines)s",
            text_box_style=_text_style(6, SEAL_RED),
            border_width=0,
            background=art,
            background_opacity=1.0,
            background_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MID,
                y_align=layout.AxisAlignment.ALIGN_MID,
            ),
            inner_content_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MID,
                y_align=layout.AxisAlignment.ALIGN_MID,
                margins=layout.Margins(left=10, right=10, top=28, bottom=16),
            ),
        )
        return style, lines, name
    if kind == "signer":
        lines = [name, *position, *extra, _("Thời gian ký:"), time_text]
        # The left third is the signature image's place, where the agency's
        # seal will sit: the text keeps to the rest of the box.
        box = look.get("box", DEFAULT_BOX)
        reserved = abs(box[2] - box[0]) / 3
        style = TextStampStyle(
            stamp_text="%(lines)s",
            text_box_style=_text_style(8, SIGNER_BLUE),
            border_width=0,
            background=None,
            inner_content_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MIN,
                y_align=layout.AxisAlignment.ALIGN_MID,
                margins=layout.Margins(left=reserved + 2, right=2, top=2, bottom=2),
            ),
        )
        return style, lines, name
    lines = [name, *position, *extra]
    lines.append(_("Ký ngày: %(time)s") % {"time": time_text})
    style = TextStampStyle(
        stamp_text="%(lines)s",
        text_box_style=_text_style(9, None),
        border_width=1,
        background=None,
    )
    return style, lines, name


def sign_pdf(
    pdf_bytes: bytes,
    certificate: Certificate,
    *,
    field_name: str = "Signature1",
    reason: str = "",
    location: str = "",
    appearance: dict[str, Any] | None = None,
) -> bytes:
    """Sign ``pdf_bytes`` (PAdES B-B) with a visible box; return the new bytes.

    A PDF signed before keeps its signatures: the new one is an incremental
    update. ``appearance`` keys: ``style`` ("box", the default: a framed
    text box; "signer": Decree 30's signer appearance in blue, no frame;
    "seal": a round red agency seal with its text), ``signer_name``
    (default: the certificate's name), ``position`` (the signer's title, one
    line each), ``lines`` (more lines, e.g. the number and symbol), ``time``
    (a datetime or text; default now), and optionally ``page`` (0-based,
    -1 = last) and ``box`` ``(x1, y1, x2, y2)`` in points. See
    ``signature_block`` and ``seal_placement`` for Decree 30's places.
    """
    _check_usable(certificate)
    look = appearance or {}
    style, lines, name = _appearance(look, certificate.common_name)
    signer = signer_for(certificate)
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
        pdf_signer = signers.PdfSigner(
            signers.PdfSignatureMetadata(
                field_name=field_name,
                reason=reason or None,
                location=location or None,
                name=name,
                md_algorithm="sha256",
                subfilter=fields.SigSeedSubFilter.PADES,
            ),
            signer=signer,
            stamp_style=style,
            new_field_spec=fields.SigFieldSpec(
                sig_field_name=field_name,
                on_page=int(look.get("page", 0)),
                box=tuple(look.get("box", DEFAULT_BOX)),
            ),
        )
        output = BytesIO()
        pdf_signer.sign_pdf(
            writer,
            output=output,
            appearance_text_params={"lines": "\n".join(lines)},
            bytes_reserved=BYTES_RESERVED,
        )
    except (PdfError, SigningError) as exc:
        raise DomainError(
            "pki_sign_failed",
            _("Không ký được tệp PDF: %(reason)s") % {"reason": exc},
        ) from exc
    return output.getvalue()


@dataclass(frozen=True)
class SignatureCheck:
    field_name: str
    signer_common_name: str
    fingerprint: str
    issuer: str
    signing_time: dt.datetime | None
    intact: bool
    valid: bool
    covers_whole_document: bool
    trusted: bool
    summary: str
    # What was added after this signature, when it does not cover the whole
    # file: only further signatures and their boxes (an agency's seal over a
    # signed document, say), which the signature allows.
    only_signatures_added: bool = False

    @property
    def ok(self) -> bool:
        return (
            self.intact
            and self.valid
            and self.trusted
            and (self.covers_whole_document or self.only_signatures_added)
        )


def _summary(
    name: str, *, intact: bool, trusted: bool, whole: bool, signed_after: bool
) -> str:
    if not intact:
        return _(
            "Chữ ký của %(name)s không hợp lệ: nội dung tệp đã bị thay đổi sau khi ký."
        ) % {"name": name}
    if not trusted:
        return _(
            "Nội dung không bị thay đổi, nhưng chứng thư số của %(name)s không do CA gốc tin cậy nào cấp (hoặc không còn hiệu lực)."
        ) % {"name": name}
    if signed_after:
        return _(
            "Chữ ký của %(name)s hợp lệ: nội dung đã ký không bị thay đổi, sau đó tệp chỉ được ký thêm; chứng thư số do CA gốc tin cậy cấp."
        ) % {"name": name}
    if not whole:
        return _(
            "Chữ ký của %(name)s hợp lệ cho phần đã ký, nhưng tệp có nội dung được thêm vào sau khi ký."
        ) % {"name": name}
    return _(
        "Chữ ký của %(name)s hợp lệ: tệp không bị thay đổi sau khi ký và chứng thư số do CA gốc tin cậy cấp."
    ) % {"name": name}


def _common_name(cert: asn1_x509.Certificate) -> str:
    return str(cert.subject.native.get("common_name", cert.subject.human_friendly))


# The parts of a name people read, most specific first; asn1crypto's
# human_friendly would label them in English ("Common Name: …").
_NAME_PARTS = (
    "common_name",
    "organizational_unit_name",
    "organization_name",
    "locality_name",
    "state_or_province_name",
    "country_name",
)


def describe_name(name: asn1_x509.Name) -> str:
    """ "CA thử nghiệm tinhso, tinhso — chỉ dùng thử nghiệm, VN"."""
    native = name.native
    parts: list[str] = []
    for key in _NAME_PARTS:
        value = native.get(key)
        values = value if isinstance(value, list) else [value]
        parts.extend(str(v) for v in values if v)
    return ", ".join(parts) or name.human_friendly


async def _verify_all(
    pdf_bytes: bytes, context: ValidationContext
) -> list[SignatureCheck]:
    reader = PdfFileReader(BytesIO(pdf_bytes), strict=False)
    results = []
    for embedded in reader.embedded_signatures:
        cert = embedded.signer_cert
        name = _common_name(cert)
        try:
            status = await async_validate_pdf_signature(
                embedded, signer_validation_context=context
            )
            intact, valid, trusted = status.intact, status.valid, status.trusted
            coverage = status.coverage.name if status.coverage is not None else ""
            whole = coverage == "ENTIRE_FILE"
            level = status.modification_level
            # Later revisions that only add signature fields (and their
            # appearances) rate FORM_FILLING or lower in pyHanko's diff
            # analysis; anything else (new page content) is OTHER.
            signed_after = (
                coverage == "ENTIRE_REVISION"
                and bool(status.docmdp_ok)
                and level is not None
                and level.name in ("LTA_UPDATES", "FORM_FILLING")
            )
            signing_time = status.signer_reported_dt
        except Exception:
            intact = valid = trusted = whole = signed_after = False
            signing_time = None
        results.append(
            SignatureCheck(
                field_name=embedded.field_name,
                signer_common_name=name,
                fingerprint=cert.sha256.hex(),
                issuer=describe_name(cert.issuer),
                signing_time=signing_time,
                intact=intact,
                valid=valid,
                covers_whole_document=whole,
                trusted=trusted,
                only_signatures_added=signed_after,
                summary=_summary(
                    name,
                    intact=intact and valid,
                    trusted=trusted,
                    whole=whole,
                    signed_after=signed_after,
                ),
            )
        )
    return results


def verify_pdf(pdf_bytes: bytes) -> list[SignatureCheck]:
    """One result per signature, checked against the active trusted roots."""
    # Built here: the database may not be queried from the event loop.
    context = selectors.validation_context()
    try:
        return asyncio.run(_verify_all(pdf_bytes, context))
    # pyHanko reports some broken cross-reference tables as ValueError.
    except (PdfError, ValueError) as exc:
        raise DomainError(
            "pki_pdf_unreadable",
            _("Không đọc được tệp PDF để kiểm tra chữ ký: %(reason)s")
            % {"reason": exc},
        ) from exc
