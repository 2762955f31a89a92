"""Two installations: another tinhso (its own data folder and SQLite database,
run as a subprocess) issues and sends a document as an edXML package; this one
refuses it until the other's root CA is trusted, then imports and registers
it, and its "registered" status travels back and is recorded over there. A
tampered copy of the package is refused with the reason.

About 20 s on an idle machine: most of it is starting the other installation
and migrating its database.
"""

import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests import factories
from tinhso.accounts.models import Role
from tinhso.documents.constants import DispatchStatus, InboundStatus
from tinhso.documents.models import InboundMessage
from tinhso.documents.services import edxml
from tinhso.documents.services import exchange as services
from tinhso.pki import services as pki

pytestmark = pytest.mark.django_db

HERE_CODE = "000.00.12.H08"
HERE_NAME = "Sở Nội vụ tỉnh Tuyên Quang"
THERE_CODE = "000.00.05.H42"
SUBJECT = "Về việc tăng cường liên thông văn bản điện tử giữa hai tỉnh"

# Run inside the other installation: an agency, its people and certificates,
# an issued document signed and sealed, sent outside through the folder
# transport; prints where things are.
SENDER_SCRIPT = f"""
import json
from io import BytesIO
from django.core.management import call_command
from django.conf import settings
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from tinhso.accounts import services as accounts
from tinhso.accounts.models import Role
from tinhso.core import files
from tinhso.core import services as core
from tinhso.documents.constants import DocumentType, OutgoingStatus
from tinhso.documents.models import OutgoingDocument
from tinhso.documents.services import exchange
from tinhso.pki import keystore, services as pki, signing

call_command("migrate", verbosity=0, interactive=False)
province = core.create_orgunit(kind="province", code="42", name="Tỉnh Hà Tĩnh")
agency = core.create_orgunit(
    kind="agency", code="{THERE_CODE}", name="Sở Tài chính tỉnh Hà Tĩnh", parent=province
)
leader = accounts.create_official(
    username="giamdoc", full_name="Phan Văn Hải", password="Mat-khau-2026",
    org_unit=agency,
)
accounts.assign_role(leader, role=Role.LEADER, org_unit=agency)
clerk = accounts.create_official(
    username="vanthu", full_name="Lê Thị Thu", password="Mat-khau-2026",
    org_unit=agency,
)
accounts.assign_role(clerk, role=Role.CLERK, org_unit=agency)
root = pki.create_demo_root()
person = pki.issue_demo_certificate(leader)
seal = pki.issue_demo_certificate(agency)
buffer = BytesIO()
page = canvas.Canvas(buffer, pagesize=A4)
page.drawString(72, 760, "QUYET DINH ve lien thong van ban")
page.showPage()
page.save()
pdf = signing.sign_pdf(buffer.getvalue(), person, appearance={{"position": "GIÁM ĐỐC"}})
pdf = signing.sign_pdf(pdf, seal, field_name="Seal")
stored = files.store(BytesIO(pdf), "07-qd-stc.pdf", uploaded_by=clerk)
today = timezone.localdate()
document = OutgoingDocument.objects.create(
    agency=agency, drafter=leader, doc_type=DocumentType.DECISION,
    subject="{SUBJECT}", signer=leader, signer_position="GIÁM ĐỐC",
    status=OutgoingStatus.ISSUED, year=today.year, outgoing_number=7,
    number_symbol="07/QĐ-STC", issued_date=today, page_count=1,
    signed_file=stored, issued_file=stored, issued_by=clerk,
    signed_at=timezone.now(), issued_at=timezone.now(),
)
(dispatch,) = exchange.dispatch_outgoing(
    document, clerk=clerk, external=[("{HERE_CODE}", "{HERE_NAME}")]
)
outbox = settings.DATA_DIR / "edxml" / "outbox" / "{HERE_CODE}"
# The same document signed with the leader's own certificate, not the seal.
from tinhso.documents.services import edxml
key, chain = signing.key_and_chain(person)
personal = settings.DATA_DIR / "personal.xml"
personal.write_bytes(edxml.build_document(
    exchange.document_message(
        document, recipient=edxml.Organ("{HERE_CODE}", "{HERE_NAME}"),
        business_type="0", staff="",
    ),
    key=key, chain=chain,
))
root_pem = keystore.folder() / "root.pem"
from cryptography import x509
from cryptography.hazmat.primitives import serialization
root_pem.write_bytes(
    x509.load_der_x509_certificate(bytes(root.certificate_der)).public_bytes(
        serialization.Encoding.PEM
    )
)
print(json.dumps({{
    "package": str(sorted(outbox.iterdir())[0]),
    "personal": str(personal),
    "root": str(root_pem),
    "dispatch": dispatch.pk,
}}))
"""

# Run inside the other installation again: trust our root, take in the
# status messages we sent back, and say where its dispatch stands.
RECEIVE_SCRIPT = """
import json
from pathlib import Path
from tinhso.documents.models import Dispatch
from tinhso.documents.services import exchange
from tinhso.pki import services as pki
pki.import_trusted_root(Path({root!r}).read_bytes(), name="CA tỉnh Tuyên Quang")
for path in {paths!r}:
    exchange.import_edxml(Path(path).read_bytes(), actor=None)
d = Dispatch.objects.get(pk={pk})
print(json.dumps([d.status, list(d.receipts.values_list("status", "actor_name"))]))
"""


def _tinhso(folder: Path, *args: str) -> str:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "TINHSO_", "DJANGO_"))
    }
    env.update(TINHSO_DATA_DIR=str(folder), TINHSO_TASKS="immediate")
    program = Path(sys.executable).with_name("tinhso")
    done = subprocess.run(
        [str(program), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def there(tmp_path_factory: Any) -> dict[str, Any]:
    """The other installation, migrated and having sent its document."""
    folder = tmp_path_factory.mktemp("other-tinhso")
    out = _tinhso(folder, "shell", "-c", SENDER_SCRIPT)
    facts: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    facts["folder"] = folder
    return facts


@pytest.fixture
def here(certificate, province, settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings.DOCUMENTS_EDXML_TRANSPORT = "folder"
    settings.DOCUMENTS_EDXML_FOLDER = str(tmp_path / "edxml")
    agency = factories.orgunit(name=HERE_NAME, code=HERE_CODE, parent=province)
    pki.issue_demo_certificate(agency)  # to sign the status messages back
    clerk = factories.official(unit=agency, role=Role.CLERK, full_name="Hà Thị Lan")
    return agency, clerk


def _tampered(package: bytes) -> tuple[bytes, bytes]:
    root = etree.fromstring(package)
    node = root.find(
        f"{{{edxml.NS}}}AttachmentEncoded/{{{edxml.NS}}}Attachment"
        f"/{{{edxml.NS}}}ContentTransferEncoded"
    )
    data = bytearray(base64.b64decode(node.text))
    data[len(data) // 3] ^= 0x20
    node.text = base64.b64encode(bytes(data)).decode()
    flipped = bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    edited = package.replace(SUBJECT.encode(), SUBJECT.replace("hai", "ba").encode())
    return flipped, edited


def test_a_package_from_another_installation(
    there, here, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    agency, clerk = here
    package = Path(there["package"]).read_bytes()

    with pytest.raises(edxml.EdxmlError) as caught:
        services.import_edxml(package, actor=clerk)
    assert caught.value.code == "edxml_untrusted"
    assert "CA gốc của bên gửi" in caught.value.message
    assert InboundMessage.objects.count() == 0

    pki.import_trusted_root(Path(there["root"]).read_bytes(), name="CA tỉnh Hà Tĩnh")
    # Its seal names its code (UID); a person's certificate from the same
    # trusted CA does not speak for the agency.
    with pytest.raises(edxml.EdxmlError) as caught:
        services.import_edxml(Path(there["personal"]).read_bytes(), actor=clerk)
    assert caught.value.code == "edxml_signer_not_sender"
    assert f"Gói tin ghi nơi gửi {THERE_CODE}" in caught.value.message
    assert "Phan Văn Hải" in caught.value.message
    flipped, edited = _tampered(package)
    for bad, code in ((flipped, "edxml_bad_digest"), (edited, "edxml_bad_signature")):
        with pytest.raises(edxml.EdxmlError) as caught:
            services.import_edxml(bad, actor=clerk)
        assert caught.value.code == code
    assert InboundMessage.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        (message,) = services.import_edxml(package, actor=clerk).messages
    assert message.agency == agency
    assert message.sender_code == THERE_CODE
    assert message.metadata["subject"] == SUBJECT
    assert message.metadata["number_symbol"] == "07/QĐ-STC"
    with django_capture_on_commit_callbacks(execute=True):
        incoming = services.register_inbound(message, clerk=clerk)
    message.refresh_from_db()
    assert message.status == InboundStatus.REGISTERED
    # The PDF's own signatures (the other's leader and seal) check out here.
    assert len(incoming.signatures) == 2
    assert all(sig["ok"] for sig in incoming.signatures)

    # The statuses go back; the other installation trusts our root and reads them.
    statuses = sorted((tmp_path / "edxml" / "outbox" / THERE_CODE).iterdir())
    assert len(statuses) == 2
    our_root = tmp_path / "our-root.pem"
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from tinhso.pki.selectors import demo_root

    trusted = demo_root()
    assert trusted is not None
    our_root.write_bytes(
        x509.load_der_x509_certificate(bytes(trusted.certificate_der)).public_bytes(
            serialization.Encoding.PEM
        )
    )
    script = RECEIVE_SCRIPT.format(
        root=str(our_root), paths=[str(p) for p in statuses], pk=there["dispatch"]
    )
    out = _tinhso(there["folder"], "shell", "-c", script)
    status, receipts = json.loads(out.strip().splitlines()[-1])
    assert status == DispatchStatus.REGISTERED
    assert receipts == [
        [DispatchStatus.ARRIVED, HERE_NAME],
        [DispatchStatus.REGISTERED, "Hà Thị Lan"],
    ]
