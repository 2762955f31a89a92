"""The procedure catalog: saving, searching, and the CSV/XLSX file that
carries it, all or nothing, on both databases."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from tests.dossiers.conftest import birth, record_check
from tinhso.core.errors import DomainError
from tinhso.core.models import AuditEntry, OrgUnit
from tinhso.dossiers import catalog_table
from tinhso.dossiers.models import Procedure, ProcedureField
from tinhso.dossiers.selectors import catalog as selectors
from tinhso.dossiers.services import catalog as services

pytestmark = pytest.mark.django_db


def codes(query: str = "", **filters: str) -> list[str]:
    return [p.code for p in selectors.search_procedures(query, **filters)]


def test_a_procedure_is_saved_whole_and_found_with_or_without_diacritics(
    justice: OrgUnit,
) -> None:
    procedure, created = services.save_procedure(birth())
    services.save_procedure(record_check(justice))
    assert created
    assert [d.name for d in procedure.documents.all()] == [
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
    ]
    assert [s.working_days for s in procedure.steps.all()] == [
        Decimal("0.25"),
        Decimal("0.75"),
    ]
    assert codes("khai sinh") == codes("Khai Sinh") == codes("KHAI SI") == ["1.001193"]
    assert codes("ly lich tu phap") == ["2.001417"]
    assert codes("sở tư pháp") == ["2.001417"]  # by the agency's name
    assert codes("1.001193") == ["1.001193"]
    assert codes(level="province") == ["2.001417"]
    assert codes(field="ho-tich") == ["1.001193"]
    assert codes(service_level="partial") == ["2.001417"]
    assert AuditEntry.objects.filter(action="dossiers.procedure.saved").count() == 2


def test_saving_again_replaces_its_parts_and_keeps_one_row(justice: OrgUnit) -> None:
    services.save_procedure(birth())
    spec = birth(name="Đăng ký khai sinh đúng hạn", fees=[], steps=[])
    spec.documents = spec.documents[:1]
    procedure, created = services.save_procedure(spec)
    assert not created and Procedure.objects.count() == 1
    assert procedure.documents.count() == 1 and not procedure.fees.exists()
    assert codes("dung han") == ["1.001193"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"code": "1 001"}, "Mã thủ tục"),
        ({"legal_basis": ""}, "căn cứ pháp lý"),
        ({"documents": []}, "thành phần hồ sơ"),
        ({"processing_days": Decimal(2)}, "khác thời hạn giải quyết 2 ngày"),
        ({"level": "province"}, "cần mã cơ quan"),
    ],
)
def test_a_wrong_procedure_is_refused_and_nothing_saved(
    province: OrgUnit, change: dict[str, object], message: str
) -> None:
    with pytest.raises(DomainError, match=message):
        services.save_procedure(birth(**change))
    assert not Procedure.objects.exists() and not ProcedureField.objects.exists()


def test_the_catalog_file_round_trips_through_csv_and_xlsx(justice: OrgUnit) -> None:
    services.save_procedure(birth())
    services.save_procedure(record_check(justice))
    csv_before = selectors.export_catalog(catalog_table.CSV)
    for kind in (catalog_table.CSV, catalog_table.XLSX):
        exported = selectors.export_catalog(kind)
        report = services.import_catalog(exported, f"danh-muc.{kind}")
        assert (report.created, report.updated, report.fields_created) == (0, 2, 0)
        # Read back and written again, the catalog is the same to the byte.
        assert selectors.export_catalog(catalog_table.CSV) == csv_before
    sheet = load_workbook(io.BytesIO(selectors.export_catalog("xlsx"))).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Loại dòng", "Mã thủ tục", "Tên")
    assert rows[-3][:5] == (
        "Thủ tục",
        "2.001417",
        "Cấp Phiếu lý lịch tư pháp",
        "Lý lịch tư pháp",
        "Cấp tỉnh",
    )
    assert rows[-1][0] == "Phí, lệ phí" and 200_000 in rows[-1]


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = [h for _, h in catalog_table.COLUMNS]


def _row(**values: object) -> list[object]:
    return [values.get(key, "") for key, _ in catalog_table.COLUMNS]


def test_a_spreadsheet_made_by_hand_is_read_leniently(justice: OrgUnit) -> None:
    """Choices by label or code, any case, without diacritics; numbers as
    Vietnamese write them; a new field made on the way."""
    content = _xlsx(
        [
            HEADER,
            _row(
                kind="thu tuc",
                code="2.000908",
                name="Chứng thực bản sao từ bản chính",
                field="Chứng thực",
                level="CAP XA",
                service_level="mot phan",
                processing_days="0,5",
                legal_basis="Nghị định số 23/2015/NĐ-CP",
            ),
            _row(kind="Thành phần hồ sơ", code="2.000908", name="Bản chính giấy tờ"),
            _row(
                kind="phi, le phi",
                code="2.000908",
                name="Phí chứng thực, mỗi trang",
                fee_kind="phí",
                amount="2.000",
            ),
            _row(
                kind="Bước xử lý",
                code="2.000908",
                name="Chứng thực",
                unit_label="Công chức Tư pháp - Hộ tịch",
                role="Chuyên viên",
                duration=4,
                duration_unit="giờ làm việc",
            ),
        ]
    )
    report = services.import_catalog(content, "Danh muc.XLSX")
    assert (report.created, report.fields_created) == (1, 1)
    procedure = selectors.get_procedure("2.000908")
    assert procedure.processing_days == Decimal("0.5")
    assert procedure.documents.get().copy_kind == "original_or_copy"
    assert procedure.fees.get().amount == 2000
    assert procedure.steps.get().working_days == Decimal("0.5")


def test_a_file_with_any_problem_saves_nothing_and_says_each_row(
    justice: OrgUnit,
) -> None:
    services.save_procedure(birth())
    before = selectors.export_catalog("csv")
    bad = "\n".join(
        [
            ";".join(HEADER),
            "Thủ tục;2.001417;Cấp Phiếu lý lịch;Lý lịch tư pháp;Cấp tỉnh;000.00.99.H58;"
            "Toàn trình;10;;;Luật Lý lịch tư pháp",
            "Thành phần hồ sơ;9.999;Tờ khai",
            "Thủ tục;1.001193;Đăng ký khai sinh;Hộ tịch;Cấp huyện;;Toàn trình;một;;;Luật",
            "Phí, lệ phí;1.001193;Lệ phí;;;;;;;;;;;;lệ phí;mười nghìn",
            "Ghi chú;1.001193;x",
            "Thủ tục;2.001417;Lần nữa;Lý lịch tư pháp;Cấp tỉnh;000.00.04.H58;Toàn trình;10;;;x",
        ]
    ).encode()
    with pytest.raises(DomainError) as caught:
        services.import_catalog(bad, "danh-muc.csv")
    problems = caught.value.extra["problems"]
    assert caught.value.code == "catalog_invalid"
    joined = "\n".join(problems)
    assert "Dòng 2: Không có cơ quan mã “000.00.99.H58”" in joined
    assert "Dòng 3: Mã thủ tục 9.999 chưa có dòng “Thủ tục” phía trên." in joined
    assert "Dòng 4: Cấp thực hiện “Cấp huyện” không hợp lệ" in joined
    assert "Dòng 4: Thời hạn giải quyết “một” không phải là số." in joined
    assert "Dòng 6: Loại dòng “Ghi chú” không hợp lệ" in joined
    assert "Dòng 7: Mã thủ tục 2.001417 đã có ở dòng 2." in joined
    # Nothing half-saved: the catalog is as it was.
    assert selectors.export_catalog("csv") == before
    assert Procedure.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"x", "danh-muc.pdf", "catalog_file_type"),
        (b"not a zip", "danh-muc.xlsx", "catalog_file_unreadable"),
        ("Loại dòng,Tên\n".encode("utf-16"), "danh-muc.csv", "catalog_file_encoding"),
        (b"Ma,Ten\n", "danh-muc.csv", "catalog_file_headers"),
        (b"", "danh-muc.csv", "catalog_file_empty"),
    ],
)
def test_an_unreadable_file_is_refused_with_its_reason(
    province: OrgUnit, content: bytes, name: str, code: str
) -> None:
    with pytest.raises(DomainError) as caught:
        services.import_catalog(content, name)
    assert caught.value.code == code
    assert not Procedure.objects.exists()


@pytest.mark.parametrize(
    ("values", "message", "read"),
    [
        ({"processing_days": "100000"}, "từ 0,5 đến 9999,5 ngày", True),
        ({"processing_days": "0,7"}, "tính theo nửa ngày làm việc", True),
        ({"processing_days": "NaN"}, "không phải là số", False),
        ({"name": "Đăng ký " * 80}, "Tên thủ tục dài quá 500 ký tự", True),
        ({"published": "có lẽ"}, "Cột “Công khai” ghi Có hoặc Không.", False),
    ],
)
def test_out_of_range_values_are_named_and_nothing_saved(
    province: OrgUnit, values: dict[str, str], message: str, read: bool
) -> None:
    procedure = {
        "kind": "Thủ tục",
        "code": "2.000908",
        "name": "Chứng thực bản sao",
        "field": "Chứng thực",
        "level": "Cấp xã",
        "service_level": "Một phần",
        "processing_days": "1",
        "legal_basis": "Nghị định số 23/2015/NĐ-CP",
    } | values
    content = _xlsx(
        [
            HEADER,
            _row(**procedure),
            _row(
                kind="Thành phần hồ sơ", code="2.000908", name="Bản chính", quantity=1
            ),
            _row(
                kind="Phí, lệ phí",
                code="2.000908",
                name="Phí",
                fee_kind="Phí",
                amount=10**13,
            ),
        ]
    )
    with pytest.raises(DomainError) as caught:
        services.import_catalog(content, "danh-muc.xlsx")
    problems = "\n".join(caught.value.extra["problems"])
    assert message in problems
    # A procedure row that reads is checked whole, its fee too.
    fee = "Mức thu “Phí” vượt quá 1.000.000.000.000 đồng."
    assert (fee in problems) == read
    assert not Procedure.objects.exists()


def test_an_unpublished_procedure_stays_so_through_export_and_import(
    justice: OrgUnit,
) -> None:
    services.save_procedure(birth(published=False))
    assert codes() == []
    exported = selectors.export_catalog("csv")
    assert "Không" in exported.decode("utf-8-sig").splitlines()[1]
    Procedure.objects.all().delete()
    services.import_catalog(exported, "danh-muc.csv")
    assert Procedure.objects.get().published is False and codes() == []
