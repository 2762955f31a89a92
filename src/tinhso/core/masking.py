"""Personal data shown partly: enough for a person to recognise their own,
not enough for anyone else to use (Decree 13/2023/NĐ-CP)."""

import re
from typing import Any

from tinhso.core.sharing import PersonalKind


def masked_name(name: str) -> str:
    """ "Nguyễn Thị Mai Hương" → "Nguyễn T. M. H."."""
    first, *rest = name.split() or [""]
    return " ".join([first, *(f"{part[0]}." for part in rest)])


def _keep_ends(text: str, head: int, tail: int) -> str:
    if len(text) <= head + tail:
        return "*" * len(text)
    return text[:head] + "*" * (len(text) - head - tail) + text[len(text) - tail :]


_DATE = re.compile(r"(\d{4})-\d{2}-\d{2}")


def mask(kind: str, value: Any) -> Any:
    """``value`` of personal ``kind`` masked; None stays None.

    ID numbers keep the province of registration and the last two digits
    ("008*******17"), phones the network and last three ("091****678"),
    birth dates the year ("1992-**-**"), addresses the last part (commune,
    province), names the family name and initials.
    """
    if value is None or value == "":
        return value
    text = str(value)
    if kind == PersonalKind.ID_NUMBER:
        return _keep_ends(text, 3, 2)
    if kind == PersonalKind.PHONE:
        return _keep_ends(text, 3, 3)
    if kind == PersonalKind.BIRTH_DATE:
        found = _DATE.fullmatch(text[:10])
        return f"{found.group(1)}-**-**" if found else "**"
    if kind == PersonalKind.NAME:
        return masked_name(text)
    if kind == PersonalKind.ADDRESS:
        parts = [p.strip() for p in text.split(",") if p.strip()]
        return ", ".join(["***", *parts[-2:]]) if len(parts) > 2 else "***"
    return "***"
