"""The one-stop forms as PDF, from versioned templates.

Circular 01/2018/TT-VPCP numbers the forms; a 2025 circular may renumber
them, so each form is a template file named for the version it follows,
and ``FORMS`` says which one is in force.
"""

import re

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

import segno
import weasyprint

from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.dossiers.models import Dossier

# Form → template of the version in force.
FORMS = {
    "receipt": "dossiers/printed/receipt_tt01_2018.html",
}
_DIVISION = re.compile(r"^(tỉnh|thành phố|xã|phường|đặc khu)\s+", re.IGNORECASE)


def _committee(unit: OrgUnit) -> str:
    """The People's Committee of a province or commune, in capitals."""
    return f"ỦY BAN NHÂN DÂN {unit.name}".upper()


def _place(unit: OrgUnit) -> str:
    """The place name heading the date line: "Hà Giang 1", "Tuyên Quang"."""
    while unit.kind not in (OrgUnitKind.COMMUNE, OrgUnitKind.PROVINCE) and unit.parent:
        unit = unit.parent
    return _DIVISION.sub("", unit.name)


def _headings(unit: OrgUnit) -> tuple[str, str]:
    """(governing body, receiving body) as the form's top-left corner has them.

    A commune's one-stop section belongs to its People's Committee; an
    agency's to the agency, under the province's committee.
    """
    if unit.kind in (OrgUnitKind.COMMUNE, OrgUnitKind.PROVINCE):
        return "", _committee(unit)
    parent = unit.parent
    return (_committee(parent) if parent else "", unit.name.upper())


def receipt_pdf(dossier: Dossier) -> bytes:
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả, for the applicant and the file."""
    above, body = _headings(dossier.agency)
    context = {
        "dossier": dossier,
        "above": above,
        "body": body,
        "place": _place(dossier.agency),
        "today": timezone.localtime(dossier.received_at),
        "received": timezone.localtime(dossier.received_at),
        "due": timezone.localtime(dossier.appointment_at),
        "documents": list(dossier.documents.all()),
        "qr": segno.make(dossier.code, error="m").svg_data_uri(scale=3),
    }
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(FORMS["receipt"], context)
    return weasyprint.HTML(string=html).write_pdf()
