"""VietQR: the NAPAS profile of the EMVCo merchant-presented QR code.

Any Vietnamese banking app reads such a code and fills in a transfer to the
payee's account with the amount and the message already set, so that the
payer cannot get them wrong. ``payload`` builds the text, ``parse`` reads one
back (tests, and checking a code a bank shows), ``svg`` draws it.
"""

import re
from dataclasses import dataclass

import segno

NAPAS_GUID = "A000000727"
TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
COUNTRY = "VN"
# The purpose (sub-field 08 of field 62) that banks carry into the transfer.
PURPOSE_MAX = 25
_PURPOSE_RE = re.compile(r"^[A-Za-z0-9 ]{1,25}$")

# Banks by their NAPAS BIN, the six digits a VietQR code names a bank by.
BANKS: dict[str, str] = {
    "970405": "Agribank",
    "970436": "Vietcombank",
    "970415": "VietinBank",
    "970418": "BIDV",
    "970422": "MB Bank",
    "970407": "Techcombank",
    "970416": "ACB",
    "970432": "VPBank",
    "970423": "TPBank",
    "970403": "Sacombank",
    "970437": "HDBank",
    "970441": "VIB",
    "970443": "SHB",
    "970431": "Eximbank",
    "970426": "MSB",
    "970448": "OCB",
    "970440": "SeABank",
    "970449": "LPBank",
    "970454": "Viet Capital Bank",
    "970429": "SCB",
    "970452": "KienlongBank",
    "970409": "Bac A Bank",
    "970428": "Nam A Bank",
    "970438": "BaoViet Bank",
    "970427": "VietABank",
    "970412": "PVcomBank",
    "970433": "Vietbank",
    "970419": "NCB",
    "970400": "Saigonbank",
    "970430": "PGBank",
    "970425": "ABBANK",
    "970446": "Co-opBank",
    "970421": "VRB",
    "970424": "Shinhan Bank",
    "970458": "UOB",
    "970439": "Public Bank",
}


@dataclass(frozen=True)
class Transfer:
    bank_bin: str
    account: str
    amount: int | None
    purpose: str


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), as EMVCo asks."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _field(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"EMVCo field {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def payload(bank_bin: str, account: str, amount: int | None, purpose: str) -> str:
    """The QR text for a transfer of ``amount`` đồng (None: the payer types
    it) to ``account`` at the bank whose NAPAS BIN is ``bank_bin``.

    ``purpose`` travels as the transfer's message; banks strip diacritics
    and punctuation, so only letters, digits and spaces are accepted.
    """
    if not re.fullmatch(r"\d{6}", bank_bin):
        raise ValueError("a NAPAS bank BIN has six digits")
    if not re.fullmatch(r"[0-9A-Za-z]{1,19}", account):
        raise ValueError("an account number has 1 to 19 letters or digits")
    if amount is not None and not 0 < amount < 10**13:
        raise ValueError("the amount is a positive whole number of đồng")
    if not _PURPOSE_RE.match(purpose):
        raise ValueError("the purpose has 1 to 25 ASCII letters, digits or spaces")
    beneficiary = _field("00", bank_bin) + _field("01", account)
    merchant = (
        _field("00", NAPAS_GUID) + _field("01", beneficiary) + _field("02", TO_ACCOUNT)
    )
    text = (
        _field("00", "01")
        + _field("01", "11" if amount is None else "12")
        + _field("38", merchant)
        + _field("53", CURRENCY_VND)
        + (_field("54", str(amount)) if amount is not None else "")
        + _field("58", COUNTRY)
        + _field("62", _field("08", purpose))
        + "6304"
    )
    return text + f"{crc16(text.encode('ascii')):04X}"


def _fields(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    at = 0
    while at < len(text):
        tag, size = text[at : at + 2], text[at + 2 : at + 4]
        if len(tag) < 2 or not size.isdigit() or at + 4 + int(size) > len(text):
            raise ValueError(f"malformed EMVCo field at position {at}")
        found[tag] = text[at + 4 : at + 4 + int(size)]
        at += 4 + int(size)
    return found


def parse(text: str) -> Transfer:
    """Read a VietQR text back; ValueError if it is not a valid one."""
    if len(text) < 8 or text[-8:-4] != "6304":
        raise ValueError("the CRC field 63 must come last")
    if f"{crc16(text[:-4].encode('ascii')):04X}" != text[-4:]:
        raise ValueError("the CRC does not match")
    top = _fields(text)
    merchant = _fields(top.get("38", ""))
    if merchant.get("00") != NAPAS_GUID or top.get("53") != CURRENCY_VND:
        raise ValueError("not a NAPAS transfer in đồng")
    beneficiary = _fields(merchant.get("01", ""))
    amount = top.get("54")
    return Transfer(
        bank_bin=beneficiary.get("00", ""),
        account=beneficiary.get("01", ""),
        amount=int(amount) if amount else None,
        purpose=_fields(top.get("62", "")).get("08", ""),
    )


def svg(text: str, *, scale: int = 4) -> str:
    """The code as an inline SVG element: a few kilobytes, no script, no image
    request, so a payment page stays light on a weak connection."""
    return segno.make(text, error="m", micro=False).svg_inline(
        scale=scale, dark="#000", light="#fff", title="VietQR"
    )
