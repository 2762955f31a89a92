"""The signature text's Type 3 font: right glyphs, widths and text, no font
program to subset per signature."""

import shutil
import subprocess
import unicodedata
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from fontTools import ttLib
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from tinhso.pki import signing
from tinhso.pki.outline_font import OutlineFont, OutlineFontFactory, outlines

FONT = signing.DEFAULT_FONT_FILE


def _engine(pdf: bytes) -> OutlineFont:
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    return OutlineFontFactory(FONT, font_size=8).create_font_engine(writer)


def _codes(ops: bytes) -> bytes:
    hex_string = ops[ops.rindex(b"<") + 1 : ops.rindex(b">")]
    return bytes.fromhex(hex_string.decode())


def _top(char: str) -> int:
    procedure = zlib.decompress(outlines(FONT).glyph(char).procedure).decode()
    # "wx 0 llx lly urx ury d1 ...": the glyph's top is ury.
    return int(procedure.split()[5])


def test_widths_are_the_fonts_advances(pdf) -> None:  # type: ignore[no-untyped-def]
    """Layout as with the embedded TrueType font: hmtx advances in em."""
    font = ttLib.TTFont(FONT)
    cmap, hmtx = font.getBestCmap(), font["hmtx"]
    text = "Nguyễn Văn Ân, Giám đốc"
    expected = sum(hmtx[cmap[ord(c)]][0] for c in text) / font["head"].unitsPerEm
    assert _engine(pdf).shape(text).x_advance == pytest.approx(expected)


def test_precomposed_glyphs_carry_their_marks() -> None:
    """Composite glyphs (ế is e, circumflex and acute) are drawn whole."""
    assert _top("ế") > _top("ê") > _top("e")
    assert _top("Ữ") > _top("Ư")


def test_decomposed_input_draws_precomposed_glyphs(pdf) -> None:  # type: ignore[no-untyped-def]
    engine = _engine(pdf)
    composed = engine.shape("Nguyễn Thị Đức")
    decomposed = engine.shape(unicodedata.normalize("NFD", "Nguyễn Thị Đức"))
    assert decomposed == composed
    assert len(_codes(composed.graphics_ops)) == len("Nguyễn Thị Đức")


def test_a_character_outside_the_font_is_drawn_as_notdef() -> None:
    glyph = outlines(FONT).glyph("中")
    assert glyph.name == "u4E2D"
    assert b" f" in zlib.decompress(glyph.procedure)


def test_past_the_codes_of_one_font_characters_show_as_question_marks(
    pdf,
) -> None:  # type: ignore[no-untyped-def]
    """161 codes are left for non-ASCII characters; all of Vietnamese needs
    134. Past them the text still draws, with "?"."""
    many = "".join(chr(0x1E00 + i) for i in range(170))
    codes = _codes(_engine(pdf).shape(many).graphics_ops)
    assert len(set(codes[:161])) == 161 and b"?" not in codes[:161]
    assert codes[161:] == b"?" * 9


def test_signed_appearance_has_no_font_program(certificate, pdf) -> None:  # type: ignore[no-untyped-def]
    signed = signing.sign_pdf(pdf, certificate, appearance={"position": "Giám đốc"})
    added = signed[len(pdf) :]
    assert b"/Subtype /Type3" in added
    assert b"/FontFile" not in added
    assert b"/ToUnicode" in added
    [check] = signing.verify_pdf(signed)
    assert check.ok


def _ink(path: Path, box: signing.Box, colour: str, dpi: int = 150) -> int:
    """Pixels of ``colour`` ("blue" or "red") in ``box`` of page 1."""
    scale = dpi / 72
    page_height = 842
    x1, y1, x2, y2 = box
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(dpi),
            "-singlefile",
            "-x",
            str(round(x1 * scale)),
            "-y",
            str(round((page_height - y2) * scale)),
            "-W",
            str(round((x2 - x1) * scale)),
            "-H",
            str(round((y2 - y1) * scale)),
            str(path),
            str(path.with_suffix("")),
        ],
        check=True,
    )
    data = path.with_suffix(".ppm").read_bytes()
    # P6 header: magic, width, height, maxval, then RGB bytes.
    _magic, width, height, _maxval, pixels = data.split(maxsplit=4)
    pixels = pixels[: int(width) * int(height) * 3]
    count = 0
    for i in range(0, len(pixels), 3):
        r, g, b = pixels[i], pixels[i + 1], pixels[i + 2]
        if colour == "blue" and b > 120 and r < 100:
            count += 1
        if colour == "red" and r > 120 and g < 100 and b < 100:
            count += 1
    return count


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler missing")
def test_signer_and_seal_text_are_painted_in_their_colours(
    certificate, pdf, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """Glyphs take the appearance's colour: blue signer text, red seal text."""
    signer = signing.Placement(page=0, box=(300.0, 300.0, 500.0, 370.0))
    seal = signing.seal_placement(signer)
    signed = signing.sign_pdf(
        pdf,
        certificate,
        field_name="Signer",
        appearance={"style": "signer", "position": "Giám đốc", "box": signer.box},
    )
    signed = signing.sign_pdf(
        signed,
        certificate,
        field_name="Seal",
        appearance={
            "style": "seal",
            "signer_name": "Sở Khoa học và Công nghệ",
            "lines": ["Số: 12/QĐ-SKHCN"],
            "box": seal.box,
        },
    )
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    # The signer's text keeps to the right two thirds; the seal covers the
    # left third.
    x1, y1, x2, y2 = signer.box
    assert _ink(path, (x1 + (x2 - x1) / 2, y1, x2, y2), "blue") > 200
    # Inside the seal's inner ring and below its star: text only.
    sx1, sy1, sx2, sy2 = seal.box
    cx, cy = (sx1 + sx2) / 2, (sy1 + sy2) / 2
    assert _ink(path, (cx - 20, cy - 10, cx + 20, cy + 10), "red") > 50
    # A blank page corner has neither.
    assert _ink(path, (20, 20, 120, 120), "blue") == 0
