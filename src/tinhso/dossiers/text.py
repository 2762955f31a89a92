"""How applicants' phone and ID numbers are written down, once for both
receiving a dossier and looking it up."""

import re


def normal_phone(value: str) -> str:
    """ "0912 345 678", "0912.345.678", "+84 912 345 678" → "0912345678"."""
    digits = re.sub(r"[\s.\-()]", "", value)
    return "0" + digits[3:] if digits.startswith("+84") else digits


def normal_identifier(value: str) -> str:
    """A personal ID number or tax code without spaces ("0123456789-001" stays)."""
    return re.sub(r"\s", "", value)
