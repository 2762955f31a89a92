"""The statistics page's table: one row per procedure, unit, level or
month, with the total; and the same table as an XLSX workbook."""

import datetime as dt
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from tinhso.core.models import OrgUnit
from tinhso.dossiers import metrics
from tinhso.dossiers.constants import ProcedureLevel
from tinhso.dossiers.models import Procedure


@dataclass(frozen=True)
class Row:
    label: str
    tally: metrics.Tally


@dataclass(frozen=True)
class Table:
    unit: OrgUnit | None
    first: dt.date
    last: dt.date
    by: str
    rows: list[Row]
    total: metrics.Tally


def _labels(by: str, keys: list[Any]) -> dict[Any, str]:
    if by == "procedure":
        return {
            p.pk: f"{p.code} {p.name}"
            for p in Procedure.objects.filter(pk__in=keys).only("code", "name")
        }
    if by == "unit":
        return dict(OrgUnit.objects.filter(pk__in=keys).values_list("pk", "name"))
    if by == "level":
        return {k: str(ProcedureLevel(k).label) for k in keys}
    return {k: formats.date_format(k, "m/Y") for k in keys}


def table(unit: OrgUnit | None, first: dt.date, last: dt.date, by: str) -> Table:
    grouped = metrics.figures(unit, first, last, by)
    labels = _labels(by, list(grouped))
    total = sum(grouped.values(), metrics.Tally())
    # Months in time order, everything else by name.
    ordered = sorted(
        grouped.items(),
        key=lambda item: item[0] if by == "month" else labels.get(item[0], ""),
    )
    return Table(
        unit=unit,
        first=first,
        last=last,
        by=by,
        rows=[Row(labels.get(key, str(key)), t) for key, t in ordered],
        total=total,
    )


def columns() -> list[tuple[str, str]]:
    """(heading, Tally attribute) in the order the page shows them."""
    return [
        (_("Tiếp nhận"), "received"),
        (_("Trực tuyến"), "online"),
        (_("Trực tiếp, bưu chính"), "counter"),
        (_("Đã giải quyết"), "resolved"),
        (_("Đúng hạn"), "on_time"),
        (_("Trễ hạn"), "late"),
        (_("Đang giải quyết"), "in_progress"),
        (_("Đang quá hạn"), "overdue"),
        (_("Dừng, rút"), "stopped"),
        (_("Tỷ lệ nộp trực tuyến (%)"), "online_rate"),
        (_("Tỷ lệ đúng hạn (%)"), "on_time_rate"),
        (_("Tỷ lệ thanh toán trực tuyến (%)"), "online_payment_rate"),
        (_("Mức độ hài lòng (%)"), "satisfaction"),
    ]


def cells(t: metrics.Tally) -> list[Any]:
    """``t``'s figures in the order of ``columns``."""
    return [getattr(t, attr) for _name, attr in columns()]


def xlsx(data: Table, heading: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Thống kê")[:31]
    sheet.append([heading])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(
        [
            _("Hồ sơ tiếp nhận từ %(first)s đến %(last)s")
            % {
                "first": formats.date_format(data.first, "d/m/Y"),
                "last": formats.date_format(data.last, "d/m/Y"),
            }
        ]
    )
    sheet.append([])
    names = columns()
    sheet.append(["", *(name for name, _attr in names)])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")

    def values(t: metrics.Tally) -> list[Any]:
        return [v if v is None or isinstance(v, int) else float(v) for v in cells(t)]

    for row in data.rows:
        sheet.append([row.label, *values(row.tally)])
    sheet.append([_("Tổng cộng"), *values(data.total)])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 60
    out = BytesIO()
    book.save(out)
    return out.getvalue()
