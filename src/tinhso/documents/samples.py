"""A draft laid out as Decree 30/2020/NĐ-CP shows (Appendix I), as a DOCX.

Used by the demo province and the tests: a specialist starts from such a file
in a word processor, so the platform's path from DOCX to signed PDF is the
one real users take. The number and date stay blank ("Số: /QĐ-UBND"): the
clerk fills them when issuing.
"""

import datetime as dt
from dataclasses import dataclass, field
from io import BytesIO

from django.utils import timezone

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Length, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from tinhso.documents.constants import ABBREVIATIONS, DocumentType

FONT = "Times New Roman"


@dataclass(frozen=True)
class Draft:
    parent_name: str  # "ỦY BAN NHÂN DÂN TỈNH TUYÊN QUANG" above the issuer, or ""
    agency_name: str  # "VĂN PHÒNG"
    agency_symbol: str  # "VPUBND"
    place: str  # "Tuyên Quang"
    doc_type: str
    title: str  # the subject line after the type name
    paragraphs: list[str]
    signer_position: str  # "CHÁNH VĂN PHÒNG", lines split by "\n"
    signer_name: str
    recipients: list[str] = field(default_factory=list)
    day: dt.date | None = None


def _run(
    paragraph: Paragraph,
    text: str,
    *,
    size: float = 13,
    bold: bool = False,
    italic: bool = False,
) -> None:
    run = paragraph.add_run(text)
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold = bold
    run.italic = italic


def _line(
    container: _Cell | DocxDocument,
    text: str,
    *,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    size: float = 13,
    bold: bool = False,
    italic: bool = False,
) -> Paragraph:
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    _run(paragraph, text, size=size, bold=bold, italic=italic)
    return paragraph


def _widths(table: Table, *widths: Length) -> None:
    # Word reads cell widths, LibreOffice the grid's: set both, autofit off.
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width


def draft_docx(draft: Draft) -> bytes:
    """The draft as DOCX bytes: header block, title, body, signature block."""
    document = Document()
    section = document.sections[0]
    # A4 with the Decree's margins: top/bottom 2 cm, left 3 cm, right 1.5 cm.
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)

    header = document.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = header.rows[0].cells
    # The issuer's block is narrower than the national motto's (Appendix I).
    _widths(header, Cm(6.5), Cm(10))
    left.paragraphs[0].text = ""
    if draft.parent_name:
        _line(left, draft.parent_name.upper(), size=12)
    _line(left, draft.agency_name.upper(), size=12, bold=True)
    abbreviation = ABBREVIATIONS.get(draft.doc_type, "")
    symbol = (
        f"{abbreviation}-{draft.agency_symbol}" if abbreviation else draft.agency_symbol
    )
    _line(left, f"Số:      /{symbol}", size=13)
    right.paragraphs[0].text = ""
    _line(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True)
    _line(right, "Độc lập - Tự do - Hạnh phúc", size=13, bold=True)
    day = draft.day or timezone.localdate()
    _line(
        right,
        f"{draft.place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}",
        size=13,
        italic=True,
    )

    document.add_paragraph()
    type_name = str(DocumentType(draft.doc_type).label)
    if abbreviation:
        _line(document, type_name.upper(), size=14, bold=True)
        _line(document, draft.title, size=14, bold=True)
    else:
        _line(document, f"V/v {draft.title}", size=12)
    document.add_paragraph()
    for text in draft.paragraphs:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Cm(1)
        paragraph.paragraph_format.space_after = Pt(6)
        _run(paragraph, text, size=14)

    footer = document.add_table(rows=1, cols=2)
    recipients, signature = footer.rows[0].cells
    _widths(footer, Cm(7.5), Cm(9))
    recipients.paragraphs[0].text = ""
    _line(
        recipients,
        "Nơi nhận:",
        align=WD_ALIGN_PARAGRAPH.LEFT,
        size=12,
        bold=True,
        italic=True,
    )
    for name in [*draft.recipients, "Lưu: VT."]:
        _line(recipients, f"- {name};", align=WD_ALIGN_PARAGRAPH.LEFT, size=11)
    signature.paragraphs[0].text = ""
    for line in draft.signer_position.upper().split("\n"):
        _line(signature, line, size=14, bold=True)
    # Room for the digital signature's appearance, placed here when signing.
    for _ in range(4):
        _line(signature, "")
    _line(signature, draft.signer_name, size=14, bold=True)

    out = BytesIO()
    document.save(out)
    return out.getvalue()
