"""The signature appearance's font: a Type 3 font of DejaVu Sans outlines.

pyHanko embeds a TrueType font by subsetting and recompiling it with fontTools
on every signature, about half the time a signature takes. A Type 3 font's
glyphs are PDF paths instead: each is taken from the font file once per
process, and a signature only writes the few it uses. The text stays text:
its ToUnicode map lets readers copy and search it.

Layout is left to right by advance widths, as before: signature text is NFC,
every Vietnamese letter one precomposed glyph, so nothing needs shaping.
"""

import re
import threading
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from fontTools import ttLib
from fontTools.pens.basePen import BasePen
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.api import FontEngine, FontEngineFactory, ShapeResult
from pyhanko.pdf_utils.writer import BasePdfFileWriter

pdf_name = generic.NameObject

# A Type 3 font is a simple font: one byte a character, 256 codes. Printable
# ASCII keeps its own code (the content stays readable and "?" always has
# one); other characters take the rest in this order. All of Vietnamese
# needs 134 of them.
_ASCII = range(0x20, 0x7F)
_OTHER_CODES = (*range(0x80, 0x100), *range(0x00, 0x20), 0x7F)
_FALLBACK = "?"
_GLYPH_NAME = re.compile(r"[A-Za-z0-9._-]{1,120}")


@dataclass(frozen=True)
class Glyph:
    name: str
    width: int
    # The glyph's procedure (d1 and its path), Flate-compressed.
    procedure: bytes
    # Its stream object as written to a file, the same in every signature.
    written: bytes


class _PathPen(BasePen):
    """Outline to PDF path operators in font units, TrueType quadratics
    turned cubic by BasePen; components are decomposed from the glyph set."""

    def __init__(self, glyph_set: Any) -> None:
        super().__init__(glyph_set)
        self.ops: list[str] = []
        self.xs: list[int] = []
        self.ys: list[int] = []

    def _point(self, point: tuple[float, float]) -> str:
        # Whole font units: under 1/4000 em off, invisible at any size.
        x, y = round(point[0]), round(point[1])
        self.xs.append(x)
        self.ys.append(y)
        return f"{x} {y}"

    def _moveTo(self, pt: tuple[float, float]) -> None:
        self.ops.append(f"{self._point(pt)} m")

    def _lineTo(self, pt: tuple[float, float]) -> None:
        self.ops.append(f"{self._point(pt)} l")

    def _curveToOne(
        self,
        pt1: tuple[float, float],
        pt2: tuple[float, float],
        pt3: tuple[float, float],
    ) -> None:
        points = " ".join(self._point(p) for p in (pt1, pt2, pt3))
        self.ops.append(f"{points} c")

    def _closePath(self) -> None:
        self.ops.append("h")


class Outlines:
    """One font file's glyphs as Type 3 procedures, drawn on first use."""

    def __init__(self, path: str) -> None:
        font = ttLib.TTFont(path, lazy=True)
        head = font["head"]
        self.units_per_em = int(head.unitsPerEm)
        self.bbox = (int(head.xMin), int(head.yMin), int(head.xMax), int(head.yMax))
        hhea = font["hhea"]
        self.ascent, self.descent = int(hhea.ascent), int(hhea.descent)
        self.postscript_name = re.sub(
            r"[^A-Za-z0-9-]", "", str(font["name"].getDebugName(6) or "Font")
        )
        self._cmap = font.getBestCmap()
        self._glyph_set = font.getGlyphSet()
        self._glyphs: dict[str, Glyph] = {}
        # fontTools decompiles tables lazily, which is not thread-safe.
        self._lock = threading.Lock()

    def glyph(self, char: str) -> Glyph:
        found = self._glyphs.get(char)
        if found is None:
            with self._lock:
                found = self._glyphs.get(char)
                if found is None:
                    found = self._glyphs[char] = self._draw(char)
        return found

    def _draw(self, char: str) -> Glyph:
        # A character the font lacks is drawn as its .notdef box.
        font_name = self._cmap.get(ord(char), ".notdef")
        glyph = self._glyph_set[font_name]
        pen = _PathPen(self._glyph_set)
        glyph.draw(pen)
        width = round(glyph.width)
        if pen.ops:
            bbox = f"{min(pen.xs)} {min(pen.ys)} {max(pen.xs)} {max(pen.ys)}"
            # d1: the glyph has no colour of its own; text takes the colour
            # set by the appearance (blue signer, red seal).
            procedure = f"{width} 0 {bbox} d1 {' '.join(pen.ops)} f"
        else:
            procedure = f"{width} 0 0 0 0 0 d1"
        name = font_name if _GLYPH_NAME.fullmatch(font_name) else ""
        if not name or name == ".notdef":
            name = f"u{ord(char):04X}"
        compressed = zlib.compress(procedure.encode())
        written = BytesIO()
        _flate(compressed).write_to_stream(written)
        return Glyph(
            name=name,
            width=width,
            procedure=compressed,
            written=written.getvalue(),
        )


_outlines: dict[str, Outlines] = {}
_outlines_lock = threading.Lock()


def outlines(path: str) -> Outlines:
    """The outlines of the font at ``path``, read once per process."""
    found = _outlines.get(path)
    if found is None:
        with _outlines_lock:
            found = _outlines.get(path)
            if found is None:
                found = _outlines[path] = Outlines(path)
    return found


def _to_unicode(codes: dict[int, str]) -> bytes:
    def blocks() -> Iterator[str]:
        items = sorted(codes.items())
        # A CMap's bfchar block holds at most 100 entries.
        for start in range(0, len(items), 100):
            chunk = items[start : start + 100]
            yield f"{len(chunk)} beginbfchar"
            for code, char in chunk:
                yield f"<{code:02X}> <{char.encode('utf-16-be').hex().upper()}>"
            yield "endbfchar"

    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            "<00> <FF>",
            "endcodespacerange",
            *blocks(),
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    ).encode("ascii")


def _flate(data: bytes) -> generic.StreamObject:
    return generic.StreamObject(
        {pdf_name("/Filter"): pdf_name("/FlateDecode")}, encoded_data=data
    )


class _Procedure(generic.StreamObject):
    """A glyph procedure in a signature, written from bytes kept since the
    glyph was drawn: pyHanko writes PDF names byte by byte, slowly."""

    def __init__(self, glyph: Glyph) -> None:
        super().__init__(
            {pdf_name("/Filter"): pdf_name("/FlateDecode")},
            encoded_data=glyph.procedure,
        )
        self._written = glyph.written

    def write_to_stream(
        self, stream: Any, handler: Any = None, container_ref: Any = None
    ) -> None:
        if handler is not None:
            # An encrypted file: every object is encrypted with its own key.
            super().write_to_stream(stream, handler, container_ref)
        else:
            stream.write(self._written)


class OutlineFont(FontEngine):
    """A Type 3 font holding the glyphs of the text it has shaped."""

    def __init__(
        self,
        writer: BasePdfFileWriter,
        outlines: Outlines,
        font_size: int,
        lang: str | None = None,
    ) -> None:
        # A subset prefix keeps two of these in one writer apart.
        super().__init__(
            writer,
            outlines.postscript_name,
            embedded_subset=True,
            font_size=font_size,
        )
        self.outlines = outlines
        self.lang = lang
        self._codes: dict[str, int] = {}
        self._glyphs: dict[int, tuple[str, Glyph]] = {}
        self._spare = iter(_OTHER_CODES)
        self._ref = writer.allocate_placeholder()
        self._written = False

    @property
    def uses_complex_positioning(self) -> bool:
        # Plain Tj and T*: one font, no kerning, nothing to reposition.
        return False

    def _code(self, char: str) -> int:
        code = self._codes.get(char)
        if code is not None:
            return code
        if ord(char) in _ASCII:
            code = ord(char)
        else:
            code = next(self._spare, None)
            if code is None:
                # More different characters than a simple font has codes.
                return self._code(_FALLBACK)
        self._codes[char] = code
        self._glyphs[code] = (char, self.outlines.glyph(char))
        return code

    def shape(self, txt: str) -> ShapeResult:
        if not txt:
            return ShapeResult(b"", 0, 0)
        txt = unicodedata.normalize("NFC", txt)
        codes = bytes(self._code(char) for char in txt)
        width = sum(self._glyphs[code][1].width for code in codes)
        # ActualText, as pyHanko's own font engine writes: readers that
        # guess word gaps from glyph positions (poppler does, badly for a
        # Type 3 font) take the line's text as it was given, spaces and all.
        span = BytesIO()
        span.write(b"/Span ")
        self._span_properties(txt).write_to_stream(span)
        span.write(b" BDC <%s> Tj EMC" % codes.hex().encode("ascii"))
        return ShapeResult(
            graphics_ops=span.getvalue(),
            x_advance=width / self.outlines.units_per_em,
            y_advance=0,
        )

    def _span_properties(self, txt: str) -> generic.DictionaryObject:
        properties = generic.DictionaryObject(
            {pdf_name("/ActualText"): generic.TextStringObject(txt)}
        )
        if self.lang:
            properties[pdf_name("/Lang")] = generic.TextStringObject(self.lang)
        return properties

    def as_resource(self) -> generic.IndirectObject:
        # Filled in by prepare_write, once all text is shaped.
        return self._ref

    def prepare_write(self) -> None:
        if self._written:
            return
        self._written = True
        writer = self.writer
        source = self.outlines
        codes = sorted(self._glyphs)
        first, last = (codes[0], codes[-1]) if codes else (0x20, 0x20)
        widths = [0] * (last - first + 1)
        procedures = generic.DictionaryObject()
        differences = generic.ArrayObject()
        for code in codes:
            _char, glyph = self._glyphs[code]
            widths[code - first] = glyph.width
            differences += [generic.NumberObject(code), pdf_name("/" + glyph.name)]
            if pdf_name("/" + glyph.name) not in procedures:
                procedures[pdf_name("/" + glyph.name)] = writer.add_object(
                    _Procedure(glyph)
                )
        text = {code: char for code, (char, _glyph) in self._glyphs.items()}
        scale = generic.FloatObject(1 / source.units_per_em)
        zero = generic.NumberObject(0)
        bbox = generic.ArrayObject(map(generic.NumberObject, source.bbox))
        descriptor = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/FontDescriptor"),
                pdf_name("/FontName"): pdf_name(
                    f"/{self.subset_prefix}+{source.postscript_name}"
                ),
                # Nonsymbolic: the glyphs are Latin letters.
                pdf_name("/Flags"): generic.NumberObject(32),
                pdf_name("/FontBBox"): bbox,
                pdf_name("/ItalicAngle"): zero,
                pdf_name("/Ascent"): generic.NumberObject(source.ascent),
                pdf_name("/Descent"): generic.NumberObject(source.descent),
            }
        )
        font = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Font"),
                pdf_name("/Subtype"): pdf_name("/Type3"),
                pdf_name("/FontBBox"): bbox,
                pdf_name("/FontMatrix"): generic.ArrayObject(
                    [scale, zero, zero, scale, zero, zero]
                ),
                pdf_name("/CharProcs"): procedures,
                pdf_name("/Encoding"): generic.DictionaryObject(
                    {
                        pdf_name("/Type"): pdf_name("/Encoding"),
                        pdf_name("/Differences"): differences,
                    }
                ),
                pdf_name("/FirstChar"): generic.NumberObject(first),
                pdf_name("/LastChar"): generic.NumberObject(last),
                pdf_name("/Widths"): generic.ArrayObject(
                    map(generic.NumberObject, widths)
                ),
                pdf_name("/Resources"): generic.DictionaryObject(),
                pdf_name("/FontDescriptor"): writer.add_object(descriptor),
                pdf_name("/ToUnicode"): writer.add_object(
                    _flate(zlib.compress(_to_unicode(text)))
                ),
            }
        )
        writer.add_object(font, idnum=self._ref.idnum)


class OutlineFontFactory(FontEngineFactory):
    """``lang``: the text's BCP 47 language, for readers (e.g. "vi")."""

    def __init__(self, font_file: str, font_size: int, lang: str | None = None):
        self.font_file = font_file
        self.font_size = font_size
        self.lang = lang

    def create_font_engine(
        self, writer: BasePdfFileWriter, obj_stream: Any = None
    ) -> OutlineFont:
        return OutlineFont(
            writer, outlines(self.font_file), self.font_size, lang=self.lang
        )
