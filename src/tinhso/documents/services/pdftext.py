"""Text and page count of a PDF, for the search index."""

import logging
from io import BytesIO

from pypdf import PdfReader

logger = logging.getLogger(__name__)

# Enough for any real document's text; bounds the index row and the time spent.
MAX_INDEXED_CHARS = 200_000


def read_pdf(data: bytes) -> tuple[str, int | None]:
    """The PDF's text (bounded) and page count; a scan simply has no text.

    Text is a search aid, not a condition of registering or issuing, so a
    PDF that pypdf cannot read gives ("", None) and its metadata alone is
    indexed.
    """
    try:
        reader = PdfReader(BytesIO(data))
        pages = len(reader.pages)
        parts: list[str] = []
        total = 0
        for page in reader.pages:
            text = page.extract_text() or ""
            parts.append(text)
            total += len(text)
            if total >= MAX_INDEXED_CHARS:
                break
    except Exception:
        logger.warning("Could not extract text from a PDF", exc_info=True)
        return "", None
    return " ".join(parts)[:MAX_INDEXED_CHARS], pages
