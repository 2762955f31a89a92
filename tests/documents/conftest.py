"""Agencies, their people, real PDFs (one signed through tinhso.pki) and a
storage folder of each test's own, so what is kept on disk can be listed."""

from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from tests import factories
from tinhso.accounts.models import Role
from tinhso.pki import services as pki

BODY_TEXT = "QUYET DINH ve viec phe duyet ruong bac thang Hoang Su Phi"


def make_pdf(*lines: str, pages: int = 1) -> bytes:
    # Uncompressed so a test can find and flip a byte of the page text.
    buffer = BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, pageCompression=0)
    for _ in range(pages):
        page.setFont("Helvetica", 14)
        for row, line in enumerate(lines or (BODY_TEXT,)):
            page.drawString(72, 760 - 20 * row, line)
        page.showPage()
    page.save()
    return buffer.getvalue()


def kept_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.fixture(autouse=True)
def storage_dir(settings: Any, tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


@pytest.fixture
def province(db):  # type: ignore[no-untyped-def]
    return factories.province()


@pytest.fixture
def agency(province):  # type: ignore[no-untyped-def]
    return factories.orgunit(name="Sở Nông nghiệp và Môi trường", parent=province)


@pytest.fixture
def other_agency(province):  # type: ignore[no-untyped-def]
    return factories.orgunit(name="Sở Tài chính", parent=province)


@pytest.fixture
def clerk(agency):  # type: ignore[no-untyped-def]
    return factories.official(unit=agency, role=Role.CLERK, full_name="Lý Thị Mai")


@pytest.fixture
def other_clerk(other_agency):  # type: ignore[no-untyped-def]
    return factories.official(unit=other_agency, role=Role.CLERK)


@pytest.fixture
def signer(other_agency):  # type: ignore[no-untyped-def]
    """The leader of the sending agency, who signed the PDF."""
    return factories.official(
        unit=other_agency,
        role=Role.LEADER,
        full_name="Nguyễn Văn Ân",
        title="Giám đốc",
    )


@pytest.fixture
def certificate(db, settings, tmp_path, signer):  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path
    pki.create_demo_root()
    return pki.issue_demo_certificate(signer)


# The sending side of an exchange: Sở Tài chính's seal, clerk and issued
# documents (helpers in test_exchange_support, imported late: it imports
# this module).


@pytest.fixture
def seal(certificate, other_agency):  # type: ignore[no-untyped-def]
    from tests.documents.test_exchange_support import seal_for

    return seal_for(other_agency)


@pytest.fixture
def sender(other_agency):  # type: ignore[no-untyped-def]
    """The sending agency's clerk (văn thư of Sở Tài chính)."""
    from tests.documents.test_exchange_support import sender_clerk

    return sender_clerk(other_agency)


@pytest.fixture
def issued(other_agency, sender, signer, certificate, seal):  # type: ignore[no-untyped-def]
    """Issue a document at the sending agency: ``issued(subject=…)``."""
    from tests.documents.test_exchange_support import issue

    def make(**over: Any):  # type: ignore[no-untyped-def]
        fields = {
            "agency": other_agency,
            "clerk": sender,
            "signer": signer,
            "certificate": certificate,
            "seal": seal,
        }
        fields.update(over)
        return issue(**fields)

    return make
