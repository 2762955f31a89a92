"""The one-stop forms as PDF, from versioned templates.

Circular 01/2018/TT-VPCP numbers the forms; a 2025 circular may renumber
them, so each form is a template file named for the version it follows,
and ``FORMS`` says which one is in force.
"""

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation

import segno
import weasyprint
from num2words import num2words

from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.dossiers.models import Dossier, Handover, Payment, Supplement

# Form → template of the version in force.
FORMS = {
    "receipt": "dossiers/printed/receipt_tt01_2018.html",
    "control_sheet": "dossiers/printed/control_sheet_tt01_2018.html",
    "supplement": "dossiers/printed/supplement_tt01_2018.html",
    "refusal": "dossiers/printed/refusal_tt01_2018.html",
    "apology": "dossiers/printed/apology_tt01_2018.html",
    # Not a form of the circular: the platform's own, numbered per agency.
    "payment_receipt": "dossiers/printed/payment_receipt_v1.html",
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


def _render(form: str, dossier: Dossier, **context: Any) -> bytes:
    above, body = _headings(dossier.agency)
    base = {
        "dossier": dossier,
        "above": above,
        "body": body,
        "place": _place(dossier.agency),
        "received": timezone.localtime(dossier.received_at),
        "due": timezone.localtime(dossier.appointment_at),
    }
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(FORMS[form], base | context)
    return weasyprint.HTML(string=html).write_pdf()


def receipt_pdf(dossier: Dossier) -> bytes:
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả, for the applicant and the file."""
    return _render(
        "receipt",
        dossier,
        today=timezone.localtime(dossier.received_at),
        documents=list(dossier.documents.all()),
        qr=segno.make(dossier.code, error="m").svg_data_uri(scale=3),
    )


def _timeliness(at: dt.datetime, due: dt.datetime) -> str:
    # The form's three words: before the appointment's day, on it, after it.
    if at > due:
        return "Quá hạn"
    if timezone.localtime(at).date() < timezone.localtime(due).date():
        return "Trước hạn"
    return "Đúng hạn"


def control_sheet_pdf(dossier: Dossier, handovers: list[Handover]) -> bytes:
    """Phiếu kiểm soát quá trình giải quyết hồ sơ: every hand-over so far."""
    lines = [
        {
            "giver": h.giver,
            "receiver": h.receiver,
            "step_name": h.step_name,
            "at": timezone.localtime(h.handed_at),
            "result": _timeliness(h.handed_at, dossier.appointment_at),
            "note": h.note,
        }
        for h in handovers
    ]
    # Units outside the receiving one that the dossier was handed to.
    partners = sorted(
        {
            h.receiver.org_unit.name
            for h in handovers
            if h.receiver is not None
            and h.receiver.org_unit is not None
            and not h.receiver.org_unit.path.startswith(dossier.agency.path)
        }
    )
    return _render(
        "control_sheet",
        dossier,
        today=timezone.localtime(),
        lines=lines,
        partners=", ".join(partners),
    )


def supplement_pdf(dossier: Dossier, supplement: Supplement) -> bytes:
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ, for the applicant."""
    requested = timezone.localtime(supplement.requested_at)
    return _render(
        "supplement",
        dossier,
        today=requested,
        supplement=supplement,
        requested=requested,
    )


def refusal_response(dossier: Dossier, refusal: Handover) -> HttpResponse:
    """Phiếu từ chối tiếp nhận, giải quyết hồ sơ, with the reasons given."""
    pdf = _render(
        "refusal",
        dossier,
        today=timezone.localtime(refusal.handed_at),
        refusal=refusal,
        body_name=dossier.agency.name,
    )
    return _shown(pdf, f"tu-choi-{dossier.code}.pdf")


def apology_response(dossier: Dossier, apology: Handover) -> HttpResponse:
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả."""
    assert dossier.rescheduled_at is not None
    pdf = _render(
        "apology",
        dossier,
        today=timezone.localtime(apology.handed_at),
        apology=apology,
        promised=timezone.localtime(dossier.rescheduled_at),
    )
    return _shown(pdf, f"xin-loi-{dossier.code}.pdf")


def _shown(pdf: bytes, name: str) -> HttpResponse:
    # Shown in the browser (to print at the counter), saved under ``name``.
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def receipt_response(dossier: Dossier) -> HttpResponse:
    return _shown(receipt_pdf(dossier), f"giay-tiep-nhan-{dossier.code}.pdf")


def control_sheet_response(dossier: Dossier, handovers: list[Handover]) -> HttpResponse:
    return _shown(
        control_sheet_pdf(dossier, handovers), f"phieu-kiem-soat-{dossier.code}.pdf"
    )


def supplement_response(dossier: Dossier, supplement: Supplement) -> HttpResponse:
    return _shown(
        supplement_pdf(dossier, supplement), f"yeu-cau-bo-sung-{dossier.code}.pdf"
    )


def amount_in_words(amount: int) -> str:
    """1250000 → "Một triệu hai trăm năm mươi nghìn đồng"."""
    words = num2words(amount, lang="vi")
    return f"{words[:1].upper()}{words[1:]} đồng"


def payment_receipt_response(dossier: Dossier, payment: Payment) -> HttpResponse:
    """Biên nhận nộp phí, lệ phí: what was paid for the dossier, how and when."""
    assert payment.paid_at is not None, "only a paid payment has a receipt"
    paid = timezone.localtime(payment.paid_at)
    pdf = _render(
        "payment_receipt",
        dossier,
        today=paid,
        paid=paid,
        payment=payment,
        fees=list(dossier.procedure.fees.all()),
        in_words=amount_in_words(payment.amount),
    )
    return _shown(pdf, f"bien-nhan-phi-{dossier.code}.pdf")
