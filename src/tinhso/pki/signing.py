"""PAdES signing and verification of PDFs (pyHanko).

``sign_pdf`` reads keys but writes nothing to the database: the act of
signing a document is audited by the service that calls it (e.g. the
documents app's ``sign_outgoing``).
"""

import asyncio
import datetime as dt
import threading
from dataclasses import dataclass
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from asn1crypto import x509 as asn1_x509
from fontTools import subset, ttLib
from fontTools.ttLib.scaleUpem import scale_upem
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext

from tinhso.core.errors import DomainError
from tinhso.pki import keystore, selectors
from tinhso.pki.models import Certificate, KeyKind

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

# Latin, Vietnamese (Latin Extended Additional), combining marks, punctuation.
_FONT_UNICODES = [
    *range(0x20, 0x250),
    *range(0x300, 0x370),
    *range(0x1E00, 0x1F00),
    *range(0x2000, 0x2070),
]
_font_lock = threading.Lock()
_font_subset: bytes | None = None


def _font_bytes() -> bytes:
    """DejaVu Sans cut once to the glyphs Vietnamese needs.

    Parsing and subsetting the whole 750 kB font on every signature cost
    ~250 ms; the cut font is much smaller.
    """
    global _font_subset
    with _font_lock:
        if _font_subset is None:
            font = ttLib.TTFont(_font_file())
            options = subset.Options()
            options.layout_features = ["*"]
            options.name_IDs = ["*"]
            options.notdef_outline = True
            subsetter = subset.Subsetter(options=options)
            subsetter.populate(unicodes=_FONT_UNICODES)
            subsetter.subset(font)
            # pyHanko 0.38 writes glyph widths and TJ kerning in font units,
            # which PDF reads as 1/1000 em: at DejaVu's 2048 units per em
            # letters were spread twice too far apart.
            scale_upem(font, 1000)
            buffer = BytesIO()
            font.save(buffer)
            _font_subset = buffer.getvalue()
        return _font_subset


class VietnameseFontFactory(GlyphAccumulatorFactory):
    def create_font_engine(
        self, writer: Any, obj_stream: Any = None
    ) -> GlyphAccumulator:
        if (
            obj_stream is None
            and writer.stream_xrefs
            and self.create_objstream_if_needed
        ):
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(
            writer=writer,
            font_handle=BytesIO(_font_bytes()),
            font_size=self.font_size,
            ot_script_tag=self.ot_script_tag,
            ot_language_tag=self.ot_language_tag,
            writing_direction=self.writing_direction,
            bcp47_lang_code=self.bcp47_lang_code or "vi",
            obj_stream=obj_stream,
        )


_signers: dict[str, signers.Signer] = {}
_signers_lock = threading.Lock()


def _pkcs11_signer(certificate: Certificate) -> signers.Signer:
    pin = getattr(settings, "PKI_PKCS11_PIN", None)
    try:
        from pyhanko.sign import pkcs11 as hanko_pkcs11
    except ImportError:
        hanko_pkcs11 = None  # type: ignore[assignment]
    if hanko_pkcs11 is None or not certificate.pkcs11_module or pin is None:
        raise DomainError(
            "pki_pkcs11_not_configured",
            _(
                "Chưa cấu hình thiết bị ký số PKCS#11 (token/HSM) trên máy chủ này; chưa thể ký bằng chứng thư số “%(name)s”."
            )
            % {"name": certificate.common_name},
        )
    session = hanko_pkcs11.open_pkcs11_session(
        certificate.pkcs11_module,
        token_criteria=hanko_pkcs11.TokenCriteria(label=certificate.pkcs11_token_label),
        user_pin=pin,
    )
    return hanko_pkcs11.PKCS11Signer(
        session,
        key_label=certificate.pkcs11_key_label,
        cert_label=certificate.pkcs11_key_label,
    )


def _load_signer(certificate: Certificate) -> signers.Signer:
    if certificate.key_kind == KeyKind.PKCS11:
        return _pkcs11_signer(certificate)
    signer = signers.SimpleSigner.load_pkcs12_data(
        keystore.read(certificate.key_file),
        other_certs=[],
        passphrase=keystore.passphrase(certificate.fingerprint),
    )
    return signer


def signer_for(certificate: Certificate) -> signers.Signer:
    """The signer of ``certificate``, its key loaded once per process.

    Loading an RSA key costs ~44 ms (cryptography re-checks it), so it is
    cached by fingerprint: a certificate's key never changes.
    """
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

    ``appearance`` keys: ``signer_name`` (default: the certificate's name),
    ``position`` (the signer's title), ``time`` (a datetime or text; default
    now), and optionally ``page`` (0-based, -1 = last) and ``box``
    ``(x1, y1, x2, y2)`` in points.
    """
    _check_usable(certificate)
    look = appearance or {}
    when = look.get("time")
    time_text = when if isinstance(when, str) else vietnam_time(when)
    lines = [str(look.get("signer_name") or certificate.common_name)]
    if look.get("position"):
        lines.append(str(look["position"]))
    lines.append(_("Ký ngày: %(time)s") % {"time": time_text})
    style = TextStampStyle(
        stamp_text="%(lines)s",
        text_box_style=TextBoxStyle(
            font=VietnameseFontFactory(_font_file(), font_size=9), font_size=9
        ),
        border_width=1,
        background=None,
    )
    signer = signer_for(certificate)
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
        pdf_signer = signers.PdfSigner(
            signers.PdfSignatureMetadata(
                field_name=field_name,
                reason=reason or None,
                location=location or None,
                name=lines[0],
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

    @property
    def ok(self) -> bool:
        return (
            self.intact and self.valid and self.trusted and self.covers_whole_document
        )


def _summary(name: str, *, intact: bool, trusted: bool, whole: bool) -> str:
    if not intact:
        return _(
            "Chữ ký của %(name)s không hợp lệ: nội dung tệp đã bị thay đổi sau khi ký."
        ) % {"name": name}
    if not trusted:
        return _(
            "Nội dung không bị thay đổi, nhưng chứng thư số của %(name)s không do CA gốc tin cậy nào cấp (hoặc không còn hiệu lực)."
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
            whole = (
                status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
            )
            signing_time = status.signer_reported_dt
        except Exception:
            intact = valid = trusted = whole = False
            signing_time = None
        results.append(
            SignatureCheck(
                field_name=embedded.field_name,
                signer_common_name=name,
                fingerprint=cert.sha256.hex(),
                issuer=cert.issuer.human_friendly,
                signing_time=signing_time,
                intact=intact,
                valid=valid,
                covers_whole_document=whole,
                trusted=trusted,
                summary=_summary(
                    name, intact=intact and valid, trusted=trusted, whole=whole
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
    except PdfError as exc:
        raise DomainError(
            "pki_pdf_unreadable",
            _("Không đọc được tệp PDF để kiểm tra chữ ký: %(reason)s")
            % {"reason": exc},
        ) from exc
