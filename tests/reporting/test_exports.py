"""Reports out and back in: the XLSX of a report is its own import
template, bad files are refused whole, and the PDF reads in Vietnamese."""

import io
import shutil
import subprocess

import openpyxl
import pytest

from tests.reporting.conftest import GOOD, Province, schedule
from tinhso.core.errors import DomainError
from tinhso.reporting import exports
from tinhso.reporting.models import Report
from tinhso.reporting.services import reports

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(place: Province, form):  # type: ignore[no-untyped-def]
    round_ = schedule(place, form)
    for n, values in enumerate(
        [GOOD, GOOD | {"dinh_danh": "300", "dinh_danh.total": "400"}]
    ):
        report = Report.objects.get(round=round_, unit=place.communes[n])
        reports.save_values(place.officers[n], report, values)
        reports.submit(place.officers[n], report)
        reports.approve(place.leaders[n], report)
    return round_


def sheet(data: bytes) -> list[tuple]:  # type: ignore[type-arg]
    return list(
        openpyxl.load_workbook(io.BytesIO(data))
        .worksheets[0]
        .iter_rows(values_only=True)
    )


def test_a_report_exports_to_xlsx_and_imports_back(place: Province, filled) -> None:  # type: ignore[no-untyped-def]
    source = Report.objects.get(round=filled, unit=place.communes[0])
    data = exports.report_xlsx(source, source.approved)
    rows = sheet(data)
    assert rows[0][0] == "Báo cáo chuyển đổi số hằng quý"
    assert rows[2][0] == "Đơn vị báo cáo: Phường Hà Giang 1"
    line = next(r for r in rows if r[1] == "dinh_danh")
    assert line[4:7] == (812, 1045, 77.7)

    # The third commune fills the same file and imports it.
    target = Report.objects.get(round=filled, unit=place.communes[2])
    given = exports.read_xlsx(filled, data)
    assert reports.save_values(place.officers[2], target, given).ok
    target.refresh_from_db()
    assert target.current.values == source.approved.values


def edited(data: bytes, key: str, value: object) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.worksheets[0]
    for row in ws.iter_rows():
        if row[1].value == key:
            row[4].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_imports_refuse_other_forms_unknown_lines_and_bad_numbers(
    place: Province, filled
) -> None:  # type: ignore[no-untyped-def]
    source = Report.objects.get(round=filled, unit=place.communes[0])
    data = exports.report_xlsx(source, source.approved)
    target = Report.objects.get(round=filled, unit=place.communes[2])
    with pytest.raises(DomainError, match="không phải biểu mẫu"):
        book = openpyxl.load_workbook(io.BytesIO(data))
        book.worksheets[0]["B4"] = "bieu-khac"
        out = io.BytesIO()
        book.save(out)
        exports.read_xlsx(filled, out.getvalue())
    with pytest.raises(DomainError, match="mã “ho_tro_x” không có"):
        exports.read_xlsx(filled, _renamed(data))
    with pytest.raises(DomainError, match="Excel"):
        exports.read_xlsx(filled, b"%PDF-1.7 not a workbook")
    checked = reports.save_values(
        place.officers[2],
        target,
        exports.read_xlsx(filled, edited(data, "ho_tro", "nhiều")),
    )
    assert checked.errors["ho_tro"] == ["“nhiều” không phải là số."]
    target.refresh_from_db()
    assert target.current is None  # nothing saved


def _renamed(data: bytes) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    for row in book.worksheets[0].iter_rows():
        if row[1].value == "ho_tro_khac":
            row[1].value = "ho_tro_x"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf_text(data: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils is not installed")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return " ".join(text.split())


def test_the_rolled_up_round_exports_to_xlsx_and_pdf(place: Province, filled) -> None:  # type: ignore[no-untyped-def]
    rows = sheet(exports.rollup_xlsx(filled))
    assert rows[2][0] == "Tổng hợp 2/3 báo cáo đã duyệt"
    line = next(r for r in rows if r[1] == "dinh_danh")
    assert line[4:7] == (1112, 1445, pytest.approx(76.96, abs=0.01))
    by_unit = list(
        openpyxl.load_workbook(io.BytesIO(exports.rollup_xlsx(filled)))
        .worksheets[1]
        .iter_rows(values_only=True)
    )
    assert [r[0] for r in by_unit[2:]] == [
        "Phường Hà Giang 1",
        "Xã Đồng Văn",
        "Xã Lũng Cú",
    ]

    text = pdf_text(exports.rollup_pdf(filled))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "BÁO CÁO CHUYỂN ĐỔI SỐ HẰNG QUÝ" in text
    assert "Quý II/2026 (từ 15/03/2026 đến 14/06/2026)" in text
    assert "1.112/1.445 = 77,0%" in text
    assert "Phường Hà Giang 1: Cần thêm thiết bị cho tổ công nghệ số." in text
    single = Report.objects.get(round=filled, unit=place.communes[1])
    text = pdf_text(exports.report_pdf(single, single.approved))
    assert "XÃ ĐỒNG VĂN" in text and "300/400 = 75,0%" in text
