"""Reports out and in: XLSX and PDF of one unit's report or a round's
rolled-up result, and values read back from an XLSX of the same form.

The XLSX of a report is also its import template: the form's code on row 4,
then a header row naming the columns, then one row per item keyed by the
item's code in column B.
"""

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

import openpyxl
import weasyprint
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from tinhso.core.errors import DomainError
from tinhso.reporting import values
from tinhso.reporting.constants import ItemKind
from tinhso.reporting.models import FormItem, Report, ReportVersion, Round
from tinhso.reporting.selectors.reports import RolledItem, rollup
from tinhso.reporting.templatetags.reporting import show

KEY_HEADER = "Mã dòng"
FORM_CODE_ROW = 4
MAX_IMPORT_BYTES = 5 * 1024 * 1024
BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDE6F0")


def _period(round_: Round) -> str:
    return _("%(label)s (từ %(start)s đến %(end)s)") % {
        "label": round_.label,
        "start": round_.period_start.strftime("%d/%m/%Y"),
        "end": round_.period_end.strftime("%d/%m/%Y"),
    }


def _unit_of_measure(item: FormItem) -> str:
    if item.indicator is None:
        return ""
    return "%" if item.indicator.is_ratio else item.indicator.unit_of_measure


def _number(raw: str | None) -> Decimal | None:
    return Decimal(raw) if raw is not None else None


def _sheet_head(ws: Any, round_: Round, who: str) -> None:
    ws.append([round_.form.name])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([_("Kỳ báo cáo: %(period)s") % {"period": _period(round_)}])
    ws.append([who])
    ws.append([_("Mã biểu mẫu"), round_.form.code])
    ws.append([])
    ws.append(
        [
            _("STT"),
            KEY_HEADER,
            _("Nội dung"),
            _("Đơn vị tính"),
            _("Số liệu (tử số) hoặc nội dung"),
            _("Mẫu số"),
            _("Tỷ lệ (%)"),
        ]
    )
    for cell in ws[ws.max_row]:
        cell.font, cell.fill = BOLD, HEAD_FILL
    for column, width in zip("ABCDEFG", (6, 14, 60, 12, 24, 14, 12), strict=True):
        ws.column_dimensions[column].width = width


def _rows(
    ws: Any, items: list[FormItem], cells: dict[str, tuple[Any, Any, Any]]
) -> None:
    """One row per item under its section's title; ``cells[key]`` gives the
    value (or text), the denominator and the percentage."""
    section = None
    for n, item in enumerate(items, start=1):
        if item.section_id != section:
            section = item.section_id
            ws.append(["", "", item.section.title])
            ws.cell(ws.max_row, 3).font = BOLD
        value, total, share = cells.get(item.key, (None, None, None))
        ws.append(
            [n, item.key, item.label, _unit_of_measure(item), value, total, share]
        )
        ws.cell(ws.max_row, 3).alignment = Alignment(wrap_text=True)


def _cells_of(
    items: list[FormItem], stored: values.Values
) -> dict[str, tuple[Any, Any, Any]]:
    cells: dict[str, tuple[Any, Any, Any]] = {}
    for item in items:
        entry = stored.get(item.key)
        if not entry:
            continue
        if item.kind == ItemKind.TEXT:
            cells[item.key] = (entry.get("text"), None, None)
            continue
        value, total = _number(entry.get("value")), _number(entry.get("total"))
        share = (
            round(float(100 * value / total), 2)
            if item.is_ratio and value is not None and total
            else None
        )
        cells[item.key] = (
            float(value) if value is not None else None,
            float(total) if total is not None else None,
            share,
        )
    return cells


def _book_bytes(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_xlsx(report: Report, version: ReportVersion | None) -> bytes:
    items = values.items_of(report.round.form)
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = _("Báo cáo")
    _sheet_head(
        ws, report.round, _("Đơn vị báo cáo: %(unit)s") % {"unit": report.unit.name}
    )
    _rows(ws, items, _cells_of(items, version.values if version else {}))
    return _book_bytes(book)


def _rolled_cells(rolled: list[RolledItem]) -> dict[str, tuple[Any, Any, Any]]:
    cells: dict[str, tuple[Any, Any, Any]] = {}
    for r in rolled:
        if r.item.kind == ItemKind.TEXT:
            text = "\n".join(f"{unit}: {said}" for unit, said in r.texts)
            cells[r.item.key] = (text or None, None, None)
        elif r.item.is_ratio:
            cells[r.item.key] = (
                float(r.value) if r.value is not None else None,
                float(r.total) if r.total is not None else None,
                float(r.figure) if r.figure is not None else None,
            )
        else:
            cells[r.item.key] = (
                float(r.figure) if r.figure is not None else None,
                None,
                None,
            )
    return cells


def rollup_xlsx(round_: Round) -> bytes:
    rolled, approved, everyone = rollup(round_)
    items = [r.item for r in rolled]
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = _("Tổng hợp")
    _sheet_head(
        ws,
        round_,
        _("Tổng hợp %(approved)d/%(all)d báo cáo đã duyệt")
        % {"approved": approved, "all": everyone},
    )
    _rows(ws, items, _rolled_cells(rolled))
    # Each unit's approved values side by side.
    by_unit = book.create_sheet(_("Theo đơn vị"))
    numeric = [i for i in items if i.kind != ItemKind.TEXT]
    by_unit.append([_("Đơn vị"), _("Trạng thái"), *[i.key for i in numeric]])
    for cell in by_unit[1]:
        cell.font, cell.fill = BOLD, HEAD_FILL
    by_unit.append(["", "", *[i.label for i in numeric]])
    for report in round_.reports.select_related("unit", "approved").order_by(
        "unit__name_folded"
    ):
        row: list[Any] = [report.unit.name, report.get_status_display()]
        stored = report.approved.values if report.approved else {}
        cells = _cells_of(numeric, stored)
        for item in numeric:
            value, _total, share = cells.get(item.key, (None, None, None))
            row.append(share if item.is_ratio else value)
        by_unit.append(row)
    by_unit.column_dimensions["A"].width = 36
    for n in range(3, len(numeric) + 3):
        by_unit.column_dimensions[get_column_letter(n)].width = 14
    return _book_bytes(book)


def _pdf(context: dict[str, Any]) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("reporting/printed/report.html", context)
    return weasyprint.HTML(string=html).write_pdf()


def _print_rows(
    items: list[FormItem], cells: dict[str, tuple[Any, Any, Any]]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    section = None
    for n, item in enumerate(items, start=1):
        if item.section_id != section:
            section = item.section_id
            rows.append({"section": item.section.title})
        value, total, share = cells.get(item.key, (None, None, None))
        ind = item.indicator
        if item.kind == ItemKind.TEXT:
            shown = value or ""
        elif item.is_ratio:
            shown = (
                f"{show(value, None)}/{show(total, None)} = {show(share, ind)}%"
                if value is not None
                else "—"
            )
        else:
            shown = show(value, ind)
        rows.append(
            {
                "n": n,
                "key": item.key,
                "label": item.label,
                "unit": _unit_of_measure(item),
                "shown": shown,
                "text": item.kind == ItemKind.TEXT,
            }
        )
    return rows


def report_pdf(report: Report, version: ReportVersion | None) -> bytes:
    items = values.items_of(report.round.form)
    return _pdf(
        {
            "round": report.round,
            "period": _period(report.round),
            "heading": report.unit.name.upper(),
            "who": report.unit.name,
            "status": report.get_status_display(),
            "version": version,
            "rows": _print_rows(
                items, _cells_of(items, version.values if version else {})
            ),
            "today": timezone.localdate(),
        }
    )


def rollup_pdf(round_: Round) -> bytes:
    rolled, approved, everyone = rollup(round_)
    return _pdf(
        {
            "round": round_,
            "period": _period(round_),
            "heading": round_.schedule.owner.name.upper(),
            "who": _("Tổng hợp %(approved)d/%(all)d báo cáo đã duyệt")
            % {"approved": approved, "all": everyone},
            "status": "",
            "version": None,
            "rows": _print_rows([r.item for r in rolled], _rolled_cells(rolled)),
            "today": timezone.localdate(),
        }
    )


def read_xlsx(round_: Round, data: bytes) -> dict[str, Any]:
    """The values of an XLSX of ``round_``'s form, as a page would post
    them; DomainError naming the problem when it is not such a file."""
    if len(data) > MAX_IMPORT_BYTES:
        raise DomainError("xlsx_too_large", _("Tệp Excel lớn quá 5 MB."))
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise DomainError(
            "xlsx_unreadable", _("Không đọc được tệp: cần tệp Excel (.xlsx).")
        ) from exc
    ws = book.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    book.close()
    code = rows[FORM_CODE_ROW - 1][1] if len(rows) >= FORM_CODE_ROW else None
    if str(code or "").strip() != round_.form.code:
        raise DomainError(
            "xlsx_other_form",
            _(
                "Tệp không phải biểu mẫu “%(form)s” (ô B4 phải là mã %(code)s). Hãy tải "
                "tệp mẫu của báo cáo này rồi nhập số liệu vào đó."
            )
            % {"form": round_.form.name, "code": round_.form.code},
        )
    header = next(
        (n for n, row in enumerate(rows) if len(row) > 1 and row[1] == KEY_HEADER), None
    )
    if header is None:
        raise DomainError(
            "xlsx_no_header",
            _("Tệp thiếu dòng tiêu đề có cột “%(h)s”.") % {"h": KEY_HEADER},
        )
    known = {i.key: i for i in values.items_of(round_.form)}
    given: dict[str, Any] = {}
    faults = []
    for n, row in enumerate(rows[header + 1 :], start=header + 2):
        cells = list(row) + [None] * 7
        key = str(cells[1] or "").strip()
        if not key:
            continue
        item = known.get(key)
        if item is None:
            faults.append(
                _("dòng %(n)d: mã “%(key)s” không có trong biểu mẫu")
                % {"n": n, "key": key}
            )
            continue
        raw = cells[4]
        if isinstance(raw, (dt.date, dt.datetime)):
            faults.append(
                _("dòng %(n)d (%(key)s): ô số liệu là ngày tháng")
                % {"n": n, "key": key}
            )
            continue
        given[key] = raw
        if item.is_ratio:
            given[f"{key}.total"] = cells[5]
    if faults:
        raise DomainError(
            "xlsx_faults",
            _("Không nhập được: %(faults)s.") % {"faults": "; ".join(faults[:20])},
            extra={"faults": faults},
        )
    return given
