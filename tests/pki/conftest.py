"""A real PDF, a demo root and a demo leader's certificate."""

from io import BytesIO

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from tests import factories
from tinhso.accounts.models import Role
from tinhso.pki import services

BODY_TEXT = "QUYET DINH ve viec thu nghiem ky so"


def make_pdf(text: str = BODY_TEXT) -> bytes:
    # Uncompressed so a test can find and flip a byte of the page text.
    buffer = BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, pageCompression=0)
    page.setFont("Helvetica", 14)
    page.drawString(72, 760, text)
    page.showPage()
    page.save()
    return buffer.getvalue()


@pytest.fixture
def pdf() -> bytes:
    return make_pdf()


@pytest.fixture
def agency(db):  # type: ignore[no-untyped-def]
    return factories.orgunit(name="Sở Khoa học và Công nghệ")


@pytest.fixture
def leader(agency):  # type: ignore[no-untyped-def]
    return factories.official(
        unit=agency,
        role=Role.LEADER,
        full_name="Nguyễn Văn Ân",
        title="Giám đốc",
    )


@pytest.fixture
def demo_root(db, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path
    return services.create_demo_root()


@pytest.fixture
def certificate(demo_root, leader):  # type: ignore[no-untyped-def]
    return services.issue_demo_certificate(leader)
