"""Issue 3's "done means", in the demo province: a document drafted at the
provincial office is reviewed, signed, numbered, dispatched, received,
assigned and closed at a commune, found without diacritics, and its PDF
passes pyHanko's own validator against the demo root."""

import os
import shutil
import subprocess
import sys
from io import BytesIO
from pathlib import Path
from typing import Any

from django.utils import timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tinhso.accounts.models import User
from tinhso.core import files
from tinhso.core.calendar import add_working_days
from tinhso.core.models import OrgUnit
from tinhso.demo.data import load_demo
from tinhso.documents.constants import (
    DispatchStatus,
    DocumentType,
    IncomingStatus,
    OutgoingStatus,
)
from tinhso.documents.models import InboundMessage
from tinhso.documents.samples import Draft, draft_docx
from tinhso.documents.selectors.incoming import search_incoming
from tinhso.documents.services import exchange, handling, outgoing
from tinhso.pki import selectors as pki_selectors

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice"),
]

SUBJECT = "Đôn đốc cập nhật dữ liệu dân cư phục vụ Đề án 06 năm 2026"


def _pyhanko_validate(pdf: Path, root: Path) -> subprocess.CompletedProcess[str]:
    pyhanko = shutil.which("pyhanko") or str(Path(sys.executable).parent / "pyhanko")
    return subprocess.run(
        [
            pyhanko,
            "sign",
            "validate",
            "--trust",
            str(root),
            "--trust-replace",
            "--no-revocation-check",
            "--executive-summary",
            str(pdf),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def test_a_document_travels_from_the_province_office_to_a_commune(
    settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path
    load_demo(8)
    people = {user.username: user for user in User.objects.all()}
    office = OrgUnit.objects.get(name="Văn phòng Ủy ban nhân dân tỉnh Tuyên Quang")
    commune = OrgUnit.objects.get(name="Phường Hà Giang 1", legacy=False)

    # Drafted from a word-processor file, as a specialist would.
    docx = draft_docx(
        Draft(
            parent_name="Ủy ban nhân dân tỉnh Tuyên Quang",
            agency_name="Văn phòng",
            agency_symbol="VPUBND",
            place="Tuyên Quang",
            doc_type=DocumentType.OFFICIAL_LETTER,
            title=SUBJECT,
            paragraphs=[
                "Văn phòng Ủy ban nhân dân tỉnh đề nghị Ủy ban nhân dân các xã, "
                "phường rà soát, cập nhật dữ liệu dân cư, hoàn thành trước ngày "
                "15/12/2026."
            ],
            signer_position="CHÁNH VĂN PHÒNG",
            signer_name="Hoàng Văn Thắng",
            recipients=["UBND các xã, phường"],
        )
    )
    draft = outgoing.create_draft(
        agency=office,
        drafter=people["chuyenvien"],
        fields=outgoing.DraftFields(
            doc_type=DocumentType.OFFICIAL_LETTER,
            subject=SUBJECT,
            signer=people["lanhdao"],
            signer_position="CHÁNH VĂN PHÒNG",
        ),
        file=BytesIO(docx),
        file_name="du-thao-cong-van.docx",
    )
    # Reviewed along the office's chain (Trưởng phòng Tổng hợp), then signed.
    outgoing.submit(draft, people["chuyenvien"])
    draft.refresh_from_db()
    assert draft.current_reviewer == people["truongphong"]
    outgoing.approve(draft, people["truongphong"], comment="Đồng ý trình ký.")
    outgoing.sign_outgoing(draft, people["lanhdao"])
    issued = outgoing.issue_outgoing(draft, people["vanthu"])
    assert issued.status == OutgoingStatus.ISSUED
    assert issued.number_symbol.startswith("01/VPUBND")

    dispatches = exchange.dispatch_outgoing(
        issued, clerk=people["vanthu"], units=[commune]
    )
    message = InboundMessage.objects.get(agency=commune, dispatch=dispatches[0])
    incoming = exchange.register_inbound(message, clerk=people["vanthu.hagiang1"])
    assert incoming.number_symbol == issued.number_symbol

    deadline = add_working_days(timezone.localdate(), 5)
    handling.assign(
        incoming,
        people["lanhdao.hagiang1"],
        lead=people["congchuc.hagiang1"],
        deadline=deadline,
        instruction="Giao đồng chí Dũng rà soát, báo cáo trước hạn.",
    )
    handling.record_opinion(
        incoming,
        people["congchuc.hagiang1"],
        text="Đã rà soát 5 tổ dân phố, đang cập nhật.",
        progress=60,
    )
    handling.close(
        incoming, people["congchuc.hagiang1"], note="Đã cập nhật xong dữ liệu."
    )
    incoming.refresh_from_db()
    assert incoming.status == IncomingStatus.COMPLETED

    # The sender followed it all through status receipts.
    statuses = list(dispatches[0].receipts.values_list("status", flat=True))
    assert statuses == [
        DispatchStatus.ARRIVED,
        DispatchStatus.REGISTERED,
        DispatchStatus.ASSIGNED,
        DispatchStatus.IN_PROGRESS,
        DispatchStatus.COMPLETED,
    ]

    # Found without diacritics by the commune, never by another agency.
    found = search_incoming(people["vanthu.hagiang1"], "cap nhat du lieu dan cu")
    assert list(found) == [incoming]
    assert not search_incoming(people["baocao"], "cap nhat du lieu dan cu").exists()

    # The received PDF carries both signatures and passes pyHanko's validator.
    pdf = tmp_path / "received.pdf"
    with files.open_file(incoming.main_file) as handle:
        pdf.write_bytes(handle.read())
    root = pki_selectors.demo_root()
    assert root is not None
    pem = tmp_path / "demo-root.pem"
    pem.write_bytes(
        x509.load_der_x509_certificate(bytes(root.certificate_der)).public_bytes(
            serialization.Encoding.PEM
        )
    )
    result = _pyhanko_validate(pdf, pem)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(":VALID") == 2, result.stdout
