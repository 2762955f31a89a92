"""Helpers for the exchange tests: issued documents signed through tinhso.pki.

The sender is ``other_agency`` (Sở Tài chính, where the conftest's signer
leads); the recipient is ``agency`` with its ``clerk``. No tests here.
"""

from io import BytesIO
from typing import Any

from django.utils import timezone

from tests import factories
from tests.documents.conftest import make_pdf
from tinhso.accounts.models import Role
from tinhso.core import files
from tinhso.core.models import OrgUnit
from tinhso.documents.constants import DocumentType, OutgoingStatus, Secrecy
from tinhso.documents.models import OutgoingAttachment, OutgoingDocument
from tinhso.pki import services as pki
from tinhso.pki import signing
from tinhso.pki.models import Certificate

SUBJECT = "Về việc phân bổ kinh phí chuyển đổi số năm 2026"


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
