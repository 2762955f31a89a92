"""Helpers for the exchange tests: issued documents signed through tinhso.pki.

The sender is ``other_agency`` (Sở Tài chính, where the conftest's signer
leads); the recipient is ``agency`` with its ``clerk``. No tests here.
"""

import datetime as dt
from io import BytesIO
from typing import Any

from django.utils import timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from tests import factories
from tests.documents.conftest import make_pdf
from tinhso.accounts.models import Role
from tinhso.core import files
from tinhso.core.models import OrgUnit
from tinhso.documents.constants import DocumentType, OutgoingStatus, Secrecy
from tinhso.documents.models import OutgoingAttachment, OutgoingDocument
from tinhso.documents.services import edxml
from tinhso.pki import keystore, signing
from tinhso.pki import selectors as pki_selectors
from tinhso.pki import services as pki
from tinhso.pki.models import Certificate

SUBJECT = "Về việc phân bổ kinh phí chuyển đổi số năm 2026"
# An agency outside this platform.
OUTSIDE_CODE = "000.00.99.H01"
OUTSIDE_NAME = "Bộ Tài chính"


def seal_for(unit: OrgUnit) -> Certificate:
    """The agency's own certificate (its digital seal); needs the demo root."""
    return pki.issue_demo_certificate(unit)


def sender_clerk(unit: OrgUnit) -> Any:
    return factories.official(unit=unit, role=Role.CLERK, full_name="Trần Thị Bình")


def issue(
    *,
    agency: OrgUnit,
    clerk: Any,
    signer: Any,
    certificate: Certificate,
    seal: Certificate,
    number: int = 12,
    secrecy: str = Secrecy.NORMAL,
    subject: str = SUBJECT,
    replaces: OutgoingDocument | None = None,
    attachments: int = 0,
) -> OutgoingDocument:
    """An issued document as the outgoing part leaves it: signed, then sealed."""
    pdf = signing.sign_pdf(
        make_pdf("QUYET DINH phan bo kinh phi", f"So {number}"),
        certificate,
        appearance={"position": "GIÁM ĐỐC"},
    )
    sealed = signing.sign_pdf(pdf, seal, field_name="Seal")
    stored = files.store(BytesIO(sealed), f"{number:02d}-qd-stc.pdf", uploaded_by=clerk)
    today = timezone.localdate()
    now = timezone.now()
    document = OutgoingDocument.objects.create(
        agency=agency,
        drafter=signer,
        doc_type=DocumentType.DECISION,
        subject=subject,
        secrecy=secrecy,
        signer=signer,
        signer_position="KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
        status=OutgoingStatus.ISSUED,
        year=today.year,
        outgoing_number=number,
        number_symbol=f"{number:02d}/QĐ-STC",
        issued_date=today,
        page_count=1,
        signed_file=stored,
        issued_file=stored,
        signed_at=now,
        issued_at=now,
        issued_by=clerk,
        replaces=replaces,
    )
    for n in range(attachments):
        extra = files.store(
            BytesIO(make_pdf(f"Phu luc {n + 1}")),
            f"phu-luc-{n + 1}.pdf",
            uploaded_by=clerk,
        )
        OutgoingAttachment.objects.create(document=document, file=extra)
    return document


def resign(package: bytes, mutate: Any, *, key: Any, chain: list[Any]) -> bytes:
    """``package`` changed by ``mutate(root)`` and signed again, as a sender
    whose own software wrote it that way would."""
    from lxml import etree
    from signxml import CanonicalizationMethod, SignatureMethod, XMLSigner

    from tinhso.documents.services.edxml import DS, NS

    root = etree.fromstring(package)
    mutate(root)
    header = root.find(f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader")
    old = header.find(f"{{{DS}}}Signature")
    header.remove(old)
    etree.SubElement(header, f"{{{DS}}}Signature", Id="placeholder", nsmap={"ds": DS})
    envelope_id = root.find(f"{{{NS}}}edXMLEnvelope").get("Id")
    signed = XMLSigner(
        signature_algorithm=SignatureMethod.ECDSA_SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    ).sign(root, key=key, cert=chain, reference_uri=f"#{envelope_id}")
    return bytes(etree.tostring(signed, xml_declaration=True, encoding="UTF-8"))


def certificate_from_demo_root(
    common_name: str, uid: str = ""
) -> tuple[Any, list[x509.Certificate]]:
    """A key and chain from the trusted demo root, as a national CA would
    issue to anyone: an agency seal naming ``uid``, or a person's."""
    root = pki_selectors.demo_root()
    assert root is not None
    root_key, root_cert, _chain = pkcs12.load_key_and_certificates(
        keystore.read(root.key_file), keystore.passphrase(root.fingerprint)
    )
    assert root_cert is not None and isinstance(root_key, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if uid:
        attributes.append(x509.NameAttribute(NameOID.USER_ID, uid))
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attributes))
        .issuer_name(root_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(root_key, hashes.SHA256())
    )
    return key, [cert, root_cert]


def status_package(
    document_id: str,
    sender: edxml.Organ,
    recipient: Any,
    status: str,
    signed_by: tuple[Any, list[x509.Certificate]],
) -> bytes:
    key, chain = signed_by
    return edxml.build_status(
        edxml.StatusMessage(
            document_id=document_id,
            sender=sender,
            recipient=edxml.Organ(recipient.code, recipient.name),
            status=status,
            description="Giả mạo",
        ),
        key=key,
        chain=chain,
    )
