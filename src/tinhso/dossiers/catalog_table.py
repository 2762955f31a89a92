"""The catalog as one table, for CSV and XLSX alike.

Each row is a procedure or one of its parts, told apart by the first
column, so one sheet (or one CSV file) carries the whole catalog and an
administrator can edit it in a spreadsheet:

    Loại dòng         Mã thủ tục  Tên …
    Thủ tục           1.001193    Đăng ký khai sinh …
    Thành phần hồ sơ  1.001193    Tờ khai đăng ký khai sinh …
    Phí, lệ phí       1.001193    Lệ phí đăng ký khai sinh …
    Bước xử lý        1.001193    Tiếp nhận hồ sơ …

Headers and choice values are read folded (with or without diacritics,
any case). Nothing here touches the database: ``services.catalog`` checks
and saves what ``read_table`` returns.
"""

import csv
import io
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _

from tinhso.core.errors import DomainError
from tinhso.core.text import fold, nfc

# Row kinds, as written in the first column.
PROCEDURE = "Thủ tục"
DOCUMENT = "Thành phần hồ sơ"
FEE = "Phí, lệ phí"
STEP = "Bước xử lý"
KINDS = (PROCEDURE, DOCUMENT, FEE, STEP)

# (key, header) in the order written. Headers are data, not UI strings: a
# file made in one language is read in the other.
COLUMNS: list[tuple[str, str]] = [
    ("kind", "Loại dòng"),
    ("code", "Mã thủ tục"),
    ("name", "Tên"),
    ("field", "Lĩnh vực"),
    ("level", "Cấp thực hiện"),
    ("agency", "Mã cơ quan thực hiện"),
    ("service_level", "Mức độ dịch vụ công trực tuyến"),
    ("processing_days", "Thời hạn giải quyết (ngày làm việc)"),
    ("result", "Kết quả thực hiện"),
    ("conditions", "Yêu cầu, điều kiện"),
    ("legal_basis", "Căn cứ pháp lý"),
    ("copy_kind", "Hình thức giấy tờ"),
    ("quantity", "Số lượng"),
    ("required", "Bắt buộc"),
    ("form_name", "Mẫu đơn, tờ khai"),
    ("fee_kind", "Loại phí"),
    ("amount", "Mức thu (đồng)"),
    ("unit_label", "Bộ phận thực hiện"),
    ("role", "Vai trò thực hiện"),
    ("duration", "Thời gian"),
    ("duration_unit", "Đơn vị thời gian"),
    ("inter_agency", "Liên thông"),
    ("published", "Công khai"),
]
_BY_HEADER = {fold(header): key for key, header in COLUMNS}
MAX_ROWS = 20_000
XLSX = "xlsx"
CSV = "csv"
Format = Literal["xlsx", "csv"]
CONTENT_TYPES: dict[str, str] = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV: "text/csv; charset=utf-8",
}


@dataclass(frozen=True)
class Row:
    """One row of the table: its number in the file (headers are row 1)."""

    number: int
    values: dict[str, str]

    def get(self, key: str) -> str:
        return self.values.get(key, "")


def table_format(filename: str) -> str:
    name = filename.lower()
    if name.endswith(".xlsx"):
        return XLSX
    if name.endswith(".csv"):
        return CSV
    raise DomainError("catalog_file_type", _("Tệp danh mục phải là .xlsx hoặc .csv."))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # A spreadsheet keeps 3 as 3.0; the catalog means 3.
        value = int(value)
    return nfc(str(value)).strip()


def _raw_rows(content: bytes, kind: str) -> list[Sequence[object]]:
    """The file's rows, the header and at most MAX_ROWS + 1 more (enough to
    say a file is too long without reading it all)."""
    keep = MAX_ROWS + 2
    if kind == XLSX:
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = book.worksheets[0]
            cells = sheet.iter_rows(values_only=True, max_col=len(COLUMNS))
            return [list(row) for row in itertools.islice(cells, keep)]
        except Exception as error:  # openpyxl raises many kinds on a bad file
            raise DomainError(
                "catalog_file_unreadable",
                _("Không đọc được tệp Excel: tệp hỏng hoặc không phải .xlsx."),
            ) from error
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DomainError(
            "catalog_file_encoding",
            _("Tệp CSV phải được lưu với bảng mã UTF-8."),
        ) from error
    # Excel in Vietnamese locales saves CSV with semicolons.
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    try:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        return list(itertools.islice(reader, keep))
    except csv.Error as error:
        raise DomainError(
            "catalog_file_unreadable",
            _("Không đọc được tệp CSV: %(e)s.") % {"e": error},
        ) from error


def read_table(content: bytes, filename: str) -> list[Row]:
    """The rows of a catalog file, keyed by column; DomainError if unreadable."""
    raw = list(_raw_rows(content, table_format(filename)))
    if not raw:
        raise DomainError("catalog_file_empty", _("Tệp danh mục không có dòng nào."))
    headers = [_BY_HEADER.get(fold(_cell(h))) for h in raw[0]]
    missing = [h for key, h in COLUMNS[:3] if key not in headers]
    if missing:
        raise DomainError(
            "catalog_file_headers",
            _("Dòng đầu của tệp thiếu cột: %(columns)s.")
            % {"columns": ", ".join(missing)},
        )
    if len(raw) - 1 > MAX_ROWS:
        raise DomainError(
            "catalog_file_too_long",
            _("Tệp có quá %(n)s dòng; hãy chia thành nhiều tệp.")
            % {"n": f"{MAX_ROWS:,}".replace(",", ".")},
        )
    rows = []
    for number, cells in enumerate(raw[1:], start=2):
        values = {
            key: _cell(cell)
            for key, cell in zip(headers, cells, strict=False)
            if key is not None
        }
        if any(values.values()):
            rows.append(Row(number, values))
    return rows


def _for_sheet(value: object) -> object:
    # Numbers stay numbers in a spreadsheet, so it can add fees up.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value if isinstance(value, int) else _cell(value)


def decimal_text(value: Decimal) -> str:
    """A decimal written the Vietnamese way: 0,5; 10."""
    return f"{value.normalize():f}".replace(".", ",")


def _for_csv(value: object) -> str:
    # CSV carries text, decimals included.
    return decimal_text(value) if isinstance(value, Decimal) else _cell(value)


def write_table(rows: Iterable[dict[str, object]], kind: str) -> bytes:
    """The catalog rows as an XLSX or CSV file (CSV with a BOM, for Excel)."""
    header = [h for _, h in COLUMNS]
    rows = list(rows)
    if kind == XLSX:
        lines: list[list[object]] = [
            [_for_sheet(row.get(key)) for key, _ in COLUMNS] for row in rows
        ]
        from openpyxl import Workbook
        from openpyxl.styles import Font

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "Thủ tục hành chính"
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for line in lines:
            sheet.append(line)
        sheet.freeze_panes = "A2"
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows([_for_csv(row.get(key)) for key, _ in COLUMNS] for row in rows)
    return ("\ufeff" + text.getvalue()).encode("utf-8")
