"""Vietnamese text folding, shared by every search index and matcher, and
the labels of choices in the active language."""

import re
import unicodedata
from typing import Any

from django.db.models import Choices
from django.utils import translation

# đ/Đ are letters in their own right, not d plus a mark, so NFD leaves them.
# Ð (eth) and Ɖ (African D) look the same as Đ and turn up in text converted
# from old Vietnamese fonts or typed on foreign keyboards; they mean Đ here.
_D_STROKE = str.maketrans({"đ": "d", "Đ": "d", "Ð": "d", "ð": "d", "Ɖ": "d", "ɖ": "d"})
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """NFC, lower case, diacritics removed, đ→d, runs of spaces squeezed.

    ``fold("Quyết định  của ĐẢNG ủy")`` gives ``"quyet dinh cua dang uy"``.
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_D_STROKE).lower())
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", unicodedata.normalize("NFC", bare)).strip()


def nfc(text: str) -> str:
    """Text as stored: NFC with surrounding spaces trimmed.

    Vietnamese arrives both precomposed and decomposed (from some keyboards
    and PDFs); storing one form keeps equality and sorting honest.
    """
    return unicodedata.normalize("NFC", text).strip()


_WORD = re.compile(r"[0-9a-z]+")


def words(text: str) -> list[str]:
    """Folded search words of ``text``: letters and digits only."""
    return _WORD.findall(fold(text))


_D_STROKE_CASED = str.maketrans(
    {"đ": "d", "Đ": "D", "Ð": "D", "ð": "d", "Ɖ": "D", "ɖ": "d"}
)


def unaccented(text: str) -> str:
    """Vietnamese without diacritics, case kept: for SMS, which carriers send
    as plain 160-character text only when it has no marks."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_STROKE_CASED))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def thousands(amount: int) -> str:
    """1250000 → "1.250.000", as Vietnamese writes amounts of money."""
    return f"{amount:,}".replace(",", ".")


_LABELS: dict[tuple[type[Choices], str], dict[Any, str]] = {}


def label_of(choices: type[Choices], value: Any) -> str:
    """The label of ``value`` among ``choices``, in the active language.

    Each language's labels are translated once: a page of a list shows a
    status on every line, and gettext costs more than the rest of a line.
    """
    language = translation.get_language() or ""
    labels = _LABELS.get((choices, language))
    if labels is None:
        labels = {member.value: str(member.label) for member in choices}
        _LABELS[(choices, language)] = labels
    return labels[value]
