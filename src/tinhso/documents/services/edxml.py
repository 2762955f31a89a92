"""edXML messages of QCVN 102:2016/BTTTT: build, sign, parse and verify.

A document message is one ``edXML`` root holding the ``edXMLEnvelope``
(header: MessageHeader, TraceHeaderList, an XML-DSig ``ds:Signature``; body:
the manifest) and, outside the envelope, ``AttachmentEncoded`` with each file
in base64. The signature covers the whole envelope; each file is bound to it
by the SHA-256 digest its manifest entry carries, so a changed byte anywhere
is found and named. A status message (edXML status, codes 01–16) is the same
envelope with a ``Status`` header and no files.

A package signed with a certificate that does not chain to one of the
administrator's trusted roots is refused, not merely shown as untrusted: the
clerk could not tell a peer agency from anyone else, and the document would
enter an official register. Trusting a peer is done once, by importing its
root CA (``tinhso pki import-root``). A trusted chain is not enough: the
signer must also be the agency the message names as sender, its seal
certificate naming the sender's OrganId (see ``_check_signer_is_sender``).

Nothing here writes to the database; ``parse`` reads the trusted roots and
the registered seal certificates.
"""

import asyncio
import base64
import binascii
import dataclasses
import datetime as dt
import hashlib
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from lxml import etree
from pyhanko_certvalidator import CertificateValidator
from pyhanko_certvalidator.errors import (
    InvalidCertificateError,
    PathBuildingError,
    PathValidationError,
)
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConfiguration,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
)
from signxml.exceptions import InvalidCertificate, InvalidDigest, SignXMLException

from tinhso.core.errors import DomainError
from tinhso.core.text import fold
from tinhso.documents.constants import BusinessType, DocumentType
from tinhso.documents.selectors import exchange as exchange_selectors
from tinhso.pki import selectors as pki_selectors
from tinhso.pki import signing

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DS = "http://www.w3.org/2000/09/xmldsig#"
XLINK = "http://www.w3.org/1999/xlink"
SHA256 = "SHA-256"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
DATE_FORMAT = "%Y/%m/%d"
TIMESTAMP_FORMAT = "%Y/%m/%d %H:%M:%S"

# Priority of QCVN 102: 0 normal, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc (4, hỏa
# tốc hẹn giờ, is read as hỏa tốc).
PRIORITY_OF_URGENCY = {"normal": 0, "urgent": 1, "very_urgent": 2, "flash": 3}
URGENCY_OF_PRIORITY = {
    0: "normal",
    1: "urgent",
    2: "very_urgent",
    3: "flash",
    4: "flash",
}
# DocumentType/Type is the type's number in Decree 30/2020 Appendix III,
# which is the order of DocumentType (18 = Công văn).
TYPE_NUMBERS = {value: n for n, value in enumerate(DocumentType.values, start=1)}
TYPES_BY_NUMBER = {n: value for value, n in TYPE_NUMBERS.items()}
STATUS_CODES = ("01", "02", "03", "04", "05", "06", "13", "15", "16")
# Secret documents never travel on the network (QCVN 102); tinhso writes no
# secrecy element, and a message that claims a level under any of these
# names is refused.
SECRECY_TAGS = {"Secrecy", "SecretLevel", "SecurityLevel", "Confidentiality", "DoMat"}
NOT_SECRET = {"", "0", "normal", "thuong", "thường", "none"}
_AUTHORITY = re.compile(r"^(TM|KT|TL|TUQ|Q)\.\s*", re.IGNORECASE)
_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_MAX_ATTACHMENTS = 50


def _max_bytes() -> int:
    # base64 grows files by a third; room for the header besides.
    upload = int(getattr(settings, "MAX_UPLOAD_BYTES", 50 * 1024 * 1024))
    return int(getattr(settings, "DOCUMENTS_EDXML_MAX_BYTES", upload * 2))


class EdxmlError(DomainError):
    """A message refused on import; the message says what is wrong."""

    status = 422


@dataclasses.dataclass(frozen=True)
class Organ:
    code: str
    name: str


@dataclasses.dataclass(frozen=True)
class File:
    name: str
    content_type: str
    data: bytes
    description: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclasses.dataclass(frozen=True)
class DocumentMessage:
    """The metadata and files of one document message (MessageHeader)."""

    document_id: str
    business_type: str
    sender: Organ
    recipients: tuple[Organ, ...]
    code_number: str
    code_notation: str
    place: str
    promulgation_date: dt.date
    doc_type: str
    subject: str
    signer_name: str
    signer_position: str
    page_count: int
    priority: int = 0
    steering_type: str = "0"
    reason: str = ""
    replaces: str = ""
    staff: str = ""
    files: tuple[File, ...] = ()
    sent_at: dt.datetime | None = None

    @property
    def number_symbol(self) -> str:
        return f"{self.code_number}/{self.code_notation}"

    @property
    def urgency(self) -> str:
        return URGENCY_OF_PRIORITY.get(self.priority, "normal")


@dataclasses.dataclass(frozen=True)
class StatusMessage:
    """An edXML status about one document, from ``sender`` to ``recipient``."""

    document_id: str
    sender: Organ
    recipient: Organ
    status: str
    description: str = ""
    staff: str = ""
    sent_at: dt.datetime | None = None


@dataclasses.dataclass(frozen=True)
class SignerInfo:
    """Who signed a message, as verified on import."""

    common_name: str
    organization: str
    fingerprint: str
    issuer: str

    def as_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Parsed:
    document: DocumentMessage | None
    status: StatusMessage | None
    signer: SignerInfo


# Identifiers --------------------------------------------------------------


def split_number_symbol(number_symbol: str) -> tuple[str, str]:
    """``12/QĐ-UBND`` → (``12``, ``QĐ-UBND``): CodeNumber and CodeNotation."""
    number, _sep, notation = number_symbol.partition("/")
    return number, notation


def document_id(sender_code: str, issued: dt.date, number_symbol: str) -> str:
    """QCVN 102 DocumentId: ``<sender OrganId>,<yyyy/MM/dd>,<number>/<notation>``."""
    return f"{sender_code},{issued.strftime(DATE_FORMAT)},{number_symbol}"


def valid_code(code: str) -> bool:
    """Whether ``code`` can be an OrganId (an agency e-identifier)."""
    return bool(_CODE_RE.match(code))


def competence_of(position: str) -> str:
    """The signing authority prefix (TM., KT., TL., TUQ., Q.) of a title."""
    found = _AUTHORITY.match(position.strip())
    return f"{found.group(1).upper()}." if found else ""


# Signing material ---------------------------------------------------------


SigningKey = signing.SigningKey


def seal_of(agency: Any) -> tuple[SigningKey, list[x509.Certificate]]:
    """The key and chain an agency signs its edXML messages with (its seal)."""
    certificate = pki_selectors.certificate_of(agency)
    if certificate is None:
        raise DomainError(
            "edxml_no_seal",
            _(
                "%(agency)s chưa có chứng thư số của cơ quan để ký gói tin edXML; "
                "quản trị cần cấp hoặc nhập chứng thư số cho cơ quan trước."
            )
            % {"agency": agency.name},
        )
    return signing.key_and_chain(certificate)


# Building -----------------------------------------------------------------


def _el(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
    element = etree.SubElement(parent, f"{{{NS}}}{tag}", **attrs)
    if text is not None:
        element.text = text
    return element


def _organ(parent: Any, tag: str, organ: Organ) -> None:
    node = _el(parent, tag)
    _el(node, "OrganId", organ.code)
    _el(node, "OrganName", organ.name)


def _timestamp(moment: dt.datetime | None) -> str:
    return (moment or timezone.now()).astimezone(VIETNAM).strftime(TIMESTAMP_FORMAT)


def _skeleton() -> tuple[Any, Any, Any, str]:
    root = etree.Element(f"{{{NS}}}edXML", nsmap={None: NS})
    envelope_id = f"edxml-{uuid.uuid4().hex}"
    envelope = etree.SubElement(
        root, f"{{{NS}}}edXMLEnvelope", nsmap={"edXML": NS}, Id=envelope_id
    )
    header = _el(envelope, "edXMLHeader")
    return root, envelope, header, envelope_id


def _sign(
    root: Any,
    header: Any,
    envelope_id: str,
    key: SigningKey,
    chain: list[x509.Certificate],
) -> bytes:
    # signxml signs into an empty ds:Signature whose Id is "placeholder"
    # (its convention): so the signature sits inside the header, where
    # QCVN 102 has it. The reference covers the envelope only; files outside
    # it are bound through their manifest digests.
    etree.SubElement(header, f"{{{DS}}}Signature", Id="placeholder", nsmap={"ds": DS})
    algorithm = (
        SignatureMethod.ECDSA_SHA256
        if isinstance(key, ec.EllipticCurvePrivateKey)
        else SignatureMethod.RSA_SHA256
    )
    signer = XMLSigner(
        signature_algorithm=algorithm,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signed = signer.sign(root, key=key, cert=chain, reference_uri=f"#{envelope_id}")
    return bytes(etree.tostring(signed, xml_declaration=True, encoding="UTF-8"))


def build_document(
    message: DocumentMessage, *, key: SigningKey, chain: list[x509.Certificate]
) -> bytes:
    """The signed edXML document message; secrecy is never written."""
    root, envelope, header, envelope_id = _skeleton()
    head = _el(header, "MessageHeader")
    _organ(head, "From", message.sender)
    for recipient in message.recipients:
        _organ(head, "To", recipient)
    code = _el(head, "Code")
    _el(code, "CodeNumber", message.code_number)
    _el(code, "CodeNotation", message.code_notation)
    promulgation = _el(head, "PromulgationInfo")
    _el(promulgation, "Place", message.place)
    _el(
        promulgation,
        "PromulgationDate",
        message.promulgation_date.strftime(DATE_FORMAT),
    )
    doc_type = _el(head, "DocumentType")
    _el(doc_type, "Type", str(TYPE_NUMBERS[message.doc_type]))
    _el(doc_type, "TypeName", str(DocumentType(message.doc_type).label))
    _el(head, "Subject", message.subject)
    _el(head, "Content", message.subject)
    signer = _el(head, "SignerInfo")
    _el(signer, "Competence", competence_of(message.signer_position))
    _el(signer, "Position", message.signer_position)
    _el(signer, "FullName", message.signer_name)
    places = _el(head, "ToPlaces")
    for recipient in message.recipients:
        _el(places, "Place", recipient.name)
    other = _el(head, "OtherInfo")
    _el(other, "Priority", str(message.priority))
    _el(other, "PromulgationAmount", "1")
    _el(other, "PageAmount", str(message.page_count))
    _el(head, "SteeringType", message.steering_type)
    _el(head, "DocumentId", message.document_id)

    traces = _el(header, "TraceHeaderList")
    trace = _el(traces, "TraceHeader")
    _el(trace, "OrganId", message.sender.code)
    _el(trace, "Timestamp", _timestamp(message.sent_at))
    business = _el(traces, "Bussiness")  # sic: the standard's spelling
    _el(business, "BussinessDocType", message.business_type)
    _el(business, "BussinessDocReason", message.reason)
    if message.replaces:
        replacements = _el(business, "ReplacementInfoList")
        replacement = _el(replacements, "ReplacementInfo")
        _el(replacement, "DocumentId", message.replaces)
        organs = _el(replacement, "OrganIdList")
        for recipient in message.recipients:
            _el(organs, "OrganId", recipient.code)
    staff = _el(business, "StaffInfo")
    _el(staff, "Staff", message.staff)
    _el(business, "Paper", "0")

    body = _el(envelope, "edXMLBody")
    manifest = _el(body, "edXMLManifest", version="1.0")
    encoded = _el(root, "AttachmentEncoded")
    for file in message.files:
        content_id = uuid.uuid4().hex
        reference = etree.SubElement(
            manifest,
            f"{{{NS}}}Reference",
            nsmap={"xlink": XLINK},
            attrib={
                f"{{{XLINK}}}href": f"cid:{content_id}",
                f"{{{XLINK}}}type": "simple",
            },
        )
        _el(reference, "ContentId", content_id)
        _el(reference, "AttachmentName", file.name)
        _el(reference, "ContentType", file.content_type)
        _el(reference, "Description", file.description)
        _el(reference, "DigestMethod", SHA256)
        _el(
            reference,
            "DigestValue",
            base64.b64encode(hashlib.sha256(file.data).digest()).decode(),
        )
        _el(reference, "Size", str(len(file.data)))
        attachment = _el(encoded, "Attachment")
        _el(attachment, "ContentId", content_id)
        _el(attachment, "AttachmentName", file.name)
        _el(attachment, "ContentType", file.content_type)
        _el(
            attachment,
            "ContentTransferEncoded",
            base64.b64encode(file.data).decode(),
        )
    return _sign(root, header, envelope_id, key, chain)


def build_status(
    message: StatusMessage, *, key: SigningKey, chain: list[x509.Certificate]
) -> bytes:
    """The signed edXML status message (codes 01–16) about one document."""
    root, envelope, header, envelope_id = _skeleton()
    status = _el(header, "Status")
    response = _el(status, "ResponseFor")
    _el(response, "DocumentId", message.document_id)
    _organ(status, "From", message.sender)
    _organ(status, "To", message.recipient)
    _el(status, "StatusCode", message.status)
    _el(status, "Description", message.description)
    _el(status, "Timestamp", _timestamp(message.sent_at))
    staff = _el(status, "StaffInfo")
    _el(staff, "Staff", message.staff)
    _el(envelope, "edXMLBody")
    return _sign(root, header, envelope_id, key, chain)


# Parsing ------------------------------------------------------------------


def _refuse(code: str, message: str) -> EdxmlError:
    return EdxmlError(f"edxml_{code}", message)


def _parser() -> etree.XMLParser:
    # No DTD, no entities, no network: a package is data, never instructions.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _load(data: bytes) -> Any:
    if len(data) > _max_bytes():
        raise _refuse(
            "too_large",
            _("Gói tin lớn quá mức cho phép (%(limit)s MB).")
            % {"limit": _max_bytes() // (1024 * 1024)},
        )
    head = data.lstrip()[:5]
    if not data.strip() or head[:1] != b"<":
        raise _refuse(
            "not_xml",
            _("Tệp không phải gói tin edXML: nội dung không phải XML."),
        )
    upper = data.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise _refuse(
            "doctype",
            _(
                "Gói tin có khai báo DOCTYPE hoặc thực thể (ENTITY): vì an toàn, "
                "hệ thống không nhận gói tin loại này."
            ),
        )
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise _refuse(
            "not_xml",
            _("Tệp không phải XML hợp lệ (dòng %(line)s): %(reason)s")
            % {"line": exc.lineno or "?", "reason": exc.msg},
        ) from exc
    tag = etree.QName(root)
    if tag.namespace != NS:
        raise _refuse(
            "wrong_namespace",
            _(
                "Gói tin không dùng không gian tên edXML của QCVN 102:2016 "
                "(%(expected)s); nhận được “%(found)s”."
            )
            % {"expected": NS, "found": tag.namespace or _("không có")},
        )
    if tag.localname != "edXML":
        raise _refuse(
            "bad_structure",
            _("Gói tin phải bắt đầu bằng thẻ edXML; nhận được “%(tag)s”.")
            % {"tag": tag.localname},
        )
    return root


def _find(node: Any, path: str) -> Any:
    return node.find(path.replace("e:", f"{{{NS}}}"))


def _findall(node: Any, path: str) -> list[Any]:
    return list(node.findall(path.replace("e:", f"{{{NS}}}")))


def _text(node: Any, path: str) -> str:
    found = _find(node, path)
    return (found.text or "").strip() if found is not None else ""


def _required(node: Any, path: str, label: str) -> str:
    value = _text(node, path)
    if not value:
        raise _refuse(
            "missing_field",
            _("Gói tin thiếu trường bắt buộc %(field)s (%(label)s).")
            % {"field": path.replace("e:", ""), "label": label},
        )
    return value


def _date(value: str, field: str) -> dt.date:
    try:
        year, month, day = (int(part) for part in value.split("/"))
        if not re.fullmatch(r"\d{4}/\d{2}/\d{2}", value):
            raise ValueError(value)
        return dt.date(year, month, day)
    except ValueError as exc:
        raise _refuse(
            "bad_date",
            _(
                "Trường %(field)s phải có dạng năm/tháng/ngày (yyyy/MM/dd); nhận được “%(value)s”."
            )
            % {"field": field, "value": value},
        ) from exc


def _certificates(signature: Any) -> list[x509.Certificate]:
    certs = []
    for node in signature.iter(f"{{{DS}}}X509Certificate"):
        try:
            certs.append(
                x509.load_der_x509_certificate(
                    base64.b64decode("".join((node.text or "").split()))
                )
            )
        except (ValueError, binascii.Error) as exc:
            raise _refuse(
                "bad_certificate",
                _("Chứng thư số trong chữ ký của gói tin bị hỏng, không đọc được."),
            ) from exc
    if not certs:
        raise _refuse(
            "no_certificate",
            _("Chữ ký số của gói tin không kèm chứng thư số của bên ký."),
        )
    return certs


def _name_part(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    values = cert.subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def _as_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _chains_to_trusted_root(
    cert: x509.Certificate, intermediates: list[x509.Certificate]
) -> bool:
    validator = CertificateValidator(
        _as_asn1(cert),
        intermediate_certs=[_as_asn1(item) for item in intermediates],
        validation_context=pki_selectors.validation_context(),
    )

    def check() -> None:
        asyncio.run(validator.async_validate_usage({"digital_signature"}))

    try:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            check()
        else:
            # Called under a running event loop (an async caller): the check
            # gets a thread, and a loop, of its own.
            with ThreadPoolExecutor(max_workers=1) as pool:
                pool.submit(check).result()
    except (PathBuildingError, PathValidationError, InvalidCertificateError):
        return False
    return True


def _verify_signature(
    root: Any, envelope: Any
) -> tuple[Any, SignerInfo, x509.Certificate]:
    """The envelope as signed, who signed it and their certificate; refuses
    anything else.

    Only what the verifier returns is read afterwards ("see what is
    signed"), so an element slipped in beside the signed one is never used.
    """
    header = _find(envelope, "e:edXMLHeader")
    signature = header.find(f"{{{DS}}}Signature") if header is not None else None
    if signature is None:
        raise _refuse(
            "unsigned",
            _("Gói tin chưa được ký số: thiếu chữ ký XML (ds:Signature) ở phần đầu."),
        )
    certs = _certificates(signature)
    signer_cert, intermediates = certs[0], certs[1:]
    name = (
        _name_part(signer_cert, NameOID.COMMON_NAME)
        or signer_cert.subject.rfc4514_string()
    )
    config = SignatureConfiguration(
        location=f"./{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader/",
        expect_references=1,
    )
    try:
        result = XMLVerifier().verify(
            root, x509_cert=signer_cert, parser=_parser(), expect_config=config
        )
    except InvalidDigest as exc:
        raise _refuse(
            "bad_signature",
            _(
                "Chữ ký số của gói tin không hợp lệ: phần đầu gói tin (thông tin "
                "văn bản, danh sách tệp) đã bị thay đổi sau khi %(name)s ký."
            )
            % {"name": name},
        ) from exc
    except InvalidCertificate as exc:
        raise _refuse(
            "certificate_expired",
            _("Chứng thư số ký gói tin (%(name)s) không còn hiệu lực.")
            % {"name": name},
        ) from exc
    except SignXMLException as exc:
        raise _refuse(
            "bad_signature",
            _("Chữ ký số của gói tin không hợp lệ (%(name)s): %(reason)s")
            % {"name": name, "reason": exc},
        ) from exc
    signed = result.signed_xml if not isinstance(result, list) else None
    if signed is None or etree.QName(signed).localname != "edXMLEnvelope":
        raise _refuse(
            "bad_signature",
            _("Chữ ký số của gói tin không bao trùm phần edXMLEnvelope."),
        )
    if not _chains_to_trusted_root(signer_cert, intermediates):
        raise _refuse(
            "untrusted",
            _(
                "Gói tin được ký bằng chứng thư số của “%(name)s” (cấp bởi "
                "%(issuer)s), không do CA gốc tin cậy nào của hệ thống cấp. "
                "Quản trị cần nhập CA gốc của bên gửi trước khi nhận gói tin này."
            )
            % {"name": name, "issuer": signer_cert.issuer.rfc4514_string()},
        )
    info = SignerInfo(
        common_name=name,
        organization=_name_part(signer_cert, NameOID.ORGANIZATION_NAME),
        fingerprint=signer_cert.fingerprint(hashes.SHA256()).hex(),
        issuer=signer_cert.issuer.rfc4514_string(),
    )
    return signed, info, signer_cert


def _check_signer_is_sender(
    cert: x509.Certificate, sender: Organ, signer: SignerInfo
) -> None:
    """The message must be signed by the agency it names as sender (From).

    A certificate chaining to a trusted root says who the signer is, not
    that they speak for the agency in From: a national CA also issues
    personal certificates. So the signer must be that agency's own
    certificate: for an agency of this platform, one of its registered seal
    certificates (by fingerprint, still in use); for any other OrganId, a
    certificate whose subject names that OrganId in UID (the binding of
    ``pki.selectors.AGENCY_CODE_OID``), and never one kept here as a
    person's. Status messages are held to the same rule.
    """
    local = exchange_selectors.agencies().filter(code=sender.code)
    registered = pki_selectors.registered_with_fingerprint(signer.fingerprint)
    if local.exists():
        bound = registered.filter(org_unit__in=local, active=True).exists()
    else:
        bound = (
            sender.code in pki_selectors.agency_codes_in(cert)
            and not registered.filter(user__isnull=False).exists()
        )
    if not bound:
        raise _refuse(
            "signer_not_sender",
            _(
                "Gói tin ghi nơi gửi %(code)s nhưng được ký bởi chứng thư số không "
                "phải của cơ quan đó (chứng thư số của “%(name)s”, cấp bởi "
                "%(issuer)s). Chỉ chứng thư số của chính cơ quan gửi, ghi mã định "
                "danh %(code)s, mới ký được gói tin của cơ quan; gói tin bị từ chối."
            )
            % {
                "code": sender.code,
                "name": signer.common_name,
                "issuer": signer.issuer,
            },
        )


def _organ_from(organ: Any, tag: str, label: str) -> Organ:
    """An OrganId/OrganName pair (From, To) as read from ``organ``."""
    code = _required(organ, "e:OrganId", label)
    if not valid_code(code):
        raise _refuse(
            "bad_organ",
            _("Mã định danh cơ quan “%(code)s” ở trường %(field)s không hợp lệ.")
            % {"code": code[:80], "field": tag},
        )
    return Organ(code=code, name=_text(organ, "e:OrganName") or code)


def _organ_of(node: Any, tag: str, label: str) -> Organ:
    organ = _find(node, f"e:{tag}")
    if organ is None:
        raise _refuse(
            "missing_field",
            _("Gói tin thiếu trường bắt buộc %(field)s (%(label)s).")
            % {"field": tag, "label": label},
        )
    return _organ_from(organ, tag, label)


def _refuse_secret(head: Any) -> None:
    for node in head.iter():
        if not isinstance(node.tag, str):
            continue
        if etree.QName(node).localname in SECRECY_TAGS:
            value = (node.text or "").strip()
            if value.lower() not in NOT_SECRET:
                raise _refuse(
                    "secret",
                    _(
                        "Gói tin ghi độ mật “%(level)s”: văn bản mật không được "
                        "gửi, nhận qua mạng nên gói tin bị từ chối."
                    )
                    % {"level": value[:40]},
                )


def _doc_type(head: Any) -> str:
    number = _text(head, "e:DocumentType/e:Type")
    if number.isdigit() and int(number) in TYPES_BY_NUMBER:
        return TYPES_BY_NUMBER[int(number)]
    name = fold(_text(head, "e:DocumentType/e:TypeName"))
    for value, label in DocumentType.choices:
        if name and fold(str(label)) == name:
            return value
    raise _refuse(
        "bad_type",
        _("Loại văn bản của gói tin không xác định (Type “%(type)s”).")
        % {"type": number or _text(head, "e:DocumentType/e:TypeName")},
    )


def _files(root: Any, manifest: Any) -> tuple[File, ...]:
    encoded: dict[str, Any] = {}
    for attachment in _findall(root, "e:AttachmentEncoded/e:Attachment"):
        encoded.setdefault(_text(attachment, "e:ContentId"), attachment)
    references = _findall(manifest, "e:Reference") if manifest is not None else []
    if len(references) > _MAX_ATTACHMENTS:
        raise _refuse(
            "too_many_files",
            _("Gói tin có quá nhiều tệp đính kèm (tối đa %(n)s).")
            % {"n": _MAX_ATTACHMENTS},
        )
    files = []
    for reference in references:
        name = _required(reference, "e:AttachmentName", _("tên tệp"))
        content_id = _required(reference, "e:ContentId", _("mã tệp"))
        if _text(reference, "e:DigestMethod") != SHA256:
            raise _refuse(
                "no_digest",
                _("Tệp “%(name)s” trong gói tin không có mã băm SHA-256.")
                % {"name": name},
            )
        expected = _required(reference, "e:DigestValue", _("mã băm SHA-256"))
        attachment = encoded.get(content_id)
        if attachment is None:
            raise _refuse(
                "missing_file",
                _("Gói tin thiếu nội dung tệp “%(name)s” ghi trong danh mục.")
                % {"name": name},
            )
        content = "".join(_text(attachment, "e:ContentTransferEncoded").split())
        try:
            data = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise _refuse(
                "bad_base64",
                _("Nội dung tệp “%(name)s” không phải base64 hợp lệ.") % {"name": name},
            ) from exc
        if base64.b64encode(hashlib.sha256(data).digest()).decode() != expected:
            raise _refuse(
                "bad_digest",
                _(
                    "Tệp “%(name)s” không khớp mã băm SHA-256 ghi trong gói tin: "
                    "tệp đã bị thay đổi hoặc hỏng trên đường truyền."
                )
                % {"name": name},
            )
        files.append(
            File(
                name=name,
                content_type=_text(reference, "e:ContentType")
                or "application/octet-stream",
                data=data,
                description=_text(reference, "e:Description"),
            )
        )
    return tuple(files)


def _document(root: Any, envelope: Any, head: Any) -> DocumentMessage:
    _refuse_secret(head)
    sender = _organ_of(head, "From", _("nơi gửi"))
    recipients = tuple(
        _organ_from(node, "To", _("nơi nhận")) for node in _findall(head, "e:To")
    )
    if not recipients:
        raise _refuse(
            "missing_field",
            _("Gói tin thiếu trường bắt buộc %(field)s (%(label)s).")
            % {"field": "To", "label": _("nơi nhận")},
        )
    number = _required(head, "e:Code/e:CodeNumber", _("số văn bản"))
    notation = _required(head, "e:Code/e:CodeNotation", _("ký hiệu văn bản"))
    issued = _date(
        _required(head, "e:PromulgationInfo/e:PromulgationDate", _("ngày ban hành")),
        "PromulgationDate",
    )
    subject = _required(head, "e:Subject", _("trích yếu"))
    identifier = _required(head, "e:DocumentId", _("mã văn bản"))
    header = _find(envelope, "e:edXMLHeader")
    business = _find(header, "e:TraceHeaderList/e:Bussiness")
    business_type = (
        _text(business, "e:BussinessDocType") if business is not None else ""
    ) or BusinessType.NEW
    if business_type not in BusinessType.values:
        raise _refuse(
            "bad_business_type",
            _("Nghiệp vụ của gói tin (BussinessDocType “%(value)s”) không hợp lệ.")
            % {"value": business_type[:10]},
        )
    priority_text = _text(head, "e:OtherInfo/e:Priority") or "0"
    pages_text = _text(head, "e:OtherInfo/e:PageAmount") or "0"
    if not priority_text.isdigit() or not pages_text.isdigit():
        raise _refuse(
            "bad_number",
            _("Độ khẩn (Priority) và số trang (PageAmount) phải là số."),
        )
    files = _files(root, _find(envelope, "e:edXMLBody/e:edXMLManifest"))
    if not files or not files[0].data.startswith(b"%PDF"):
        raise _refuse(
            "no_pdf",
            _("Gói tin không có tệp văn bản PDF (tệp đầu tiên phải là PDF)."),
        )
    return DocumentMessage(
        document_id=identifier,
        business_type=business_type,
        sender=sender,
        recipients=recipients,
        code_number=number,
        code_notation=notation,
        place=_text(head, "e:PromulgationInfo/e:Place"),
        promulgation_date=issued,
        doc_type=_doc_type(head),
        subject=subject,
        signer_name=_text(head, "e:SignerInfo/e:FullName"),
        signer_position=_text(head, "e:SignerInfo/e:Position"),
        page_count=int(pages_text),
        priority=int(priority_text),
        steering_type=_text(head, "e:SteeringType") or "0",
        reason=_text(business, "e:BussinessDocReason") if business is not None else "",
        replaces=(
            _text(business, "e:ReplacementInfoList/e:ReplacementInfo/e:DocumentId")
            if business is not None
            else ""
        ),
        staff=_text(business, "e:StaffInfo/e:Staff") if business is not None else "",
        files=files,
    )


def _status(status: Any) -> StatusMessage:
    code = _required(status, "e:StatusCode", _("mã trạng thái"))
    if code not in STATUS_CODES:
        raise _refuse(
            "bad_status",
            _("Mã trạng thái “%(code)s” không có trong QCVN 102 (01–16).")
            % {"code": code[:10]},
        )
    return StatusMessage(
        document_id=_required(status, "e:ResponseFor/e:DocumentId", _("mã văn bản")),
        sender=_organ_of(status, "From", _("nơi gửi")),
        recipient=_organ_of(status, "To", _("nơi nhận")),
        status=code,
        description=_text(status, "e:Description"),
        staff=_text(status, "e:StaffInfo/e:Staff"),
    )


def parse(data: bytes) -> Parsed:
    """Read, check and verify an edXML message; raise ``EdxmlError`` if not fit.

    Checks, in order: well-formed XML without DTD or entities, the QCVN 102
    namespace and shape, an XML signature intact and from a certificate that
    chains to a trusted root, required fields, no secrecy level, every file
    against its SHA-256 digest, and that the signer is the agency named as
    sender (``_check_signer_is_sender``).
    """
    root = _load(data)
    envelopes = _findall(root, "e:edXMLEnvelope")
    if len(envelopes) != 1 or _find(envelopes[0], "e:edXMLHeader") is None:
        raise _refuse(
            "bad_structure",
            _("Gói tin phải có đúng một phần edXMLEnvelope với phần đầu edXMLHeader."),
        )
    signed, signer, cert = _verify_signature(root, envelopes[0])
    header = _find(signed, "e:edXMLHeader")
    head = _find(header, "e:MessageHeader")
    if head is not None:
        document = _document(root, signed, head)
        _check_signer_is_sender(cert, document.sender, signer)
        return Parsed(document=document, status=None, signer=signer)
    status = _find(header, "e:Status")
    if status is not None:
        message = _status(status)
        _check_signer_is_sender(cert, message.sender, signer)
        return Parsed(document=None, status=message, signer=signer)
    raise _refuse(
        "bad_structure",
        _("Gói tin thiếu phần MessageHeader (văn bản) hoặc Status (trạng thái)."),
    )
