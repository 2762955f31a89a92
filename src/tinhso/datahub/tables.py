"""Uploaded tables (CSV, XLSX, JSON) read into columns and rows, with every
problem named by its row, so a data officer can fix the file in one go."""

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils.translation import gettext as _

from openpyxl import load_workbook

from tinhso.core.errors import DomainError

# Problems listed before giving up on a file.
MAX_PROBLEMS = 50
# Column types, as the CKAN datastore names them.
TEXT, INT, NUMERIC, DATE = "text", "int", "numeric", "date"

_INT = re.compile(r"-?\d{1,18}")
_NUMBER = re.compile(r"-?(\d+([.,]\d+)?|[.,]\d+)")
# "1.234" or "1,234": thousands in one convention, a decimal in the other.
_AMBIGUOUS = re.compile(r"-?\d{1,3}[.,]\d{3}")
# Rows a table may have; past this, publish it as a file download only.
MAX_ROWS = 500_000


@dataclass
class Table:
    columns: list[dict[str, str]]
    rows: list[dict[str, Any]]
    problems: list[str] = field(default_factory=list)


class TableError(DomainError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            "invalid_table",
            _("Tệp dữ liệu có lỗi; chưa lưu gì: %(first)s")
            % {"first": problems[0] if problems else ""},
            extra={"problems": problems},
        )
        self.problems = problems


def read(stream: IO[bytes], fmt: str) -> Table:
    """Columns and rows of an uploaded file; TableError listing every
    problem found (up to MAX_PROBLEMS) when it cannot be published as is."""
    raw = stream.read()
    if not raw.strip():
        raise TableError([_("Tệp trống.")])
    if fmt in ("CSV", "JSON") and b"\x00" in raw:
        raise TableError([_("Tệp có ký tự rỗng (NUL): không phải tệp văn bản.")])
    if fmt == "CSV":
        header, records = _csv(raw)
    elif fmt == "XLSX":
        header, records = _xlsx(raw)
    elif fmt == "JSON":
        header, records = _json(raw)
    else:
        raise TableError([_("Định dạng %(format)s không đọc được.") % {"format": fmt}])
    return _typed(header, records)


def _clean_header(header: list[Any]) -> list[str]:
    names = [str(h).strip() if h is not None else "" for h in header]
    while names and not names[-1]:
        names.pop()
    problems = []
    if not names:
        raise TableError([_("Dòng đầu của tệp phải là tên các cột.")])
    for i, name in enumerate(names, start=1):
        if not name:
            problems.append(_("Cột %(n)s chưa có tên ở dòng đầu.") % {"n": i})
        elif len(name) > 100:
            problems.append(_("Tên cột %(n)s dài quá 100 ký tự.") % {"n": i})
    seen: set[str] = set()
    for name in names:
        if name and name.casefold() in seen:
            problems.append(_("Tên cột “%(name)s” bị trùng.") % {"name": name})
        seen.add(name.casefold())
    if problems:
        raise TableError(problems)
    return names


def _csv(raw: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(
            [
                _(
                    "Tệp CSV phải mã hóa UTF-8 (byte thứ %(at)s không đọc được); trong "
                    "Excel chọn “CSV UTF-8” khi lưu."
                )
                % {"at": exc.start + 1}
            ]
        ) from None
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = _clean_header(next(reader))
        records = [
            (reader.line_num, row) for row in reader if any(c.strip() for c in row)
        ]
    except csv.Error as exc:
        raise TableError(
            [_("Dòng %(line)s: %(error)s") % {"line": reader.line_num, "error": exc}]
        ) from None
    return header, records


def _xlsx(raw: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken file
        raise TableError([_("Không mở được tệp Excel (.xlsx).")]) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = _clean_header(list(next(rows, [])))
    records = [
        (n, list(row))
        for n, row in enumerate(rows, start=2)
        if any(c is not None and str(c).strip() for c in row)
    ]
    book.close()
    return header, records


def _json(raw: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    def finite(constant: str) -> Any:
        raise ValueError(_("giá trị %(value)s không phải là số") % {"value": constant})

    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_constant=finite)
    except (UnicodeDecodeError, ValueError) as exc:
        raise TableError(
            [_("Tệp JSON không hợp lệ: %(error)s") % {"error": exc}]
        ) from None
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list) or not data:
        raise TableError(
            [_("Tệp JSON phải là một mảng các đối tượng (mỗi đối tượng một dòng).")]
        )
    header: list[str] = []
    for item in data:
        if isinstance(item, dict):
            header.extend(k for k in item if k not in header)
    header = _clean_header(header)
    records: list[tuple[int, list[Any]]] = []
    problems = []
    for n, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            problems.append(_("Phần tử %(n)s không phải là một đối tượng.") % {"n": n})
            continue
        nested = [k for k, v in item.items() if isinstance(v, dict | list)]
        if nested:
            problems.append(
                _("Phần tử %(n)s: giá trị của “%(key)s” phải là một giá trị đơn.")
                % {"n": n, "key": nested[0]}
            )
            continue
        records.append((n, [item.get(k) for k in header]))
    if problems:
        raise TableError(problems[:MAX_PROBLEMS])
    return header, records


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return TEXT
    if isinstance(value, int):
        return INT
    if isinstance(value, float | Decimal):
        return NUMERIC
    if isinstance(value, dt.datetime) and value.time() != dt.time():
        return TEXT  # a moment, kept whole as text below
    if isinstance(value, dt.datetime | dt.date):
        return DATE
    text = str(value).strip()
    # Codes keep their leading zeros ("00691", "0912345678"), and "+84…"
    # its plus: text.
    if len(text) > 1 and text[0] == "0" and text[1].isdigit():
        return TEXT
    if _INT.fullmatch(text):
        return INT
    if _AMBIGUOUS.fullmatch(text):
        return TEXT
    if _NUMBER.fullmatch(text):
        return NUMERIC
    if _date(text) is not None:
        return DATE
    return TEXT


def _date(text: str) -> dt.date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    return None


def _value(kind: str, value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if kind == INT:
        return int(str(value).strip()) if not isinstance(value, int) else value
    if kind == NUMERIC:
        if isinstance(value, int | float):
            return value
        try:
            return float(Decimal(str(value).strip().replace(",", ".")))
        except InvalidOperation:
            return None
    if kind == DATE:
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        parsed = _date(str(value).strip())
        return parsed.isoformat() if parsed else None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value).strip()


def _typed(header: list[str], records: list[tuple[int, list[Any]]]) -> Table:
    """Each column gets the narrowest type all its values fit (an empty
    cell fits any); rows of the wrong length are named."""
    problems = []
    width = len(header)
    for line, row in records:
        if any(isinstance(c, str) and "\x00" in c for c in row):
            problems.append(_("Dòng %(line)s có ký tự rỗng (NUL).") % {"line": line})
        extra = [c for c in row[width:] if c is not None and str(c).strip()]
        if extra:
            problems.append(
                _("Dòng %(line)s có %(n)s ô, nhiều hơn %(width)s cột của dòng đầu.")
                % {"line": line, "n": width + len(extra), "width": width}
            )
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise TableError(problems)
    if not records:
        raise TableError([_("Tệp chỉ có dòng tên cột, chưa có dòng dữ liệu nào.")])
    if len(records) > MAX_ROWS:
        raise TableError(
            [
                _("Tệp có %(n)s dòng, quá %(max)s dòng một bảng được nhận.")
                % {"n": len(records), "max": MAX_ROWS}
            ]
        )
    kinds = []
    for i in range(width):
        seen = {
            _kind(row[i])
            for _line, row in records
            if i < len(row) and row[i] is not None and str(row[i]).strip()
        }
        if not seen or TEXT in seen or (DATE in seen and len(seen) > 1):
            kinds.append(TEXT)
        elif seen == {INT}:
            kinds.append(INT)
        elif seen <= {INT, NUMERIC}:
            kinds.append(NUMERIC)
        else:
            kinds.append(DATE)
    rows = [
        {
            name: _value(kind, row[i] if i < len(row) else None)
            for i, (name, kind) in enumerate(zip(header, kinds, strict=True))
        }
        for _line, row in records
    ]
    columns = [{"id": n, "type": k} for n, k in zip(header, kinds, strict=True)]
    return Table(columns=columns, rows=rows)
