"""The open data portal: uploads checked row by row and all or nothing,
search with or without diacritics, the CKAN API read by ckanapi itself,
and the DCAT catalogue."""

import io
import json
from typing import Any

from django.core.files.storage import default_storage
from django.test import Client as HttpClient

import ckanapi
import pytest
from openpyxl import Workbook

from tinhso.accounts.models import User
from tinhso.core.errors import DomainError
from tinhso.core.models import OrgUnit, OrgUnitKind, StoredFile
from tinhso.datahub import opendata, tables
from tinhso.datahub.constants import Frequency, Theme
from tinhso.datahub.models import Dataset, DatastoreRow, Resource

SCHOOLS_CSV = (
    "ma_truong;ten_truong;so_hoc_sinh;ngay_thanh_lap\n"
    "00012;Trường THPT Chuyên Hà Giang;1250;15/08/1967\n"
    "00013;Trường THCS Đồng Văn;640;1995-09-05\n"
    "00014;Trường Tiểu học Minh Xuân;812;\n"
).encode()


def schools(owner: User, unit: OrgUnit, **extra: Any) -> Dataset:
    return opendata.create_dataset(
        owner,
        publisher=unit,
        title="Danh sách trường học tỉnh Tuyên Quang",
        description="Các trường phổ thông công lập, số học sinh đầu năm học 2026–2027.",
        theme=Theme.EDUC,
        frequency=Frequency.ANNUAL,
        keywords=["giáo dục", "trường học"],
        **extra,
    )


def upload(owner: User, dataset: Dataset, content: bytes, name: str) -> Resource:
    return opendata.add_file(owner, dataset, stream=io.BytesIO(content), filename=name)


def test_an_upload_is_read_into_typed_columns(owner: User, science: OrgUnit) -> None:
    dataset = schools(owner, science)
    assert dataset.name == "danh-sach-truong-hoc-tinh-tuyen-quang"
    resource = upload(owner, dataset, SCHOOLS_CSV, "truong-hoc.csv")
    assert resource.columns == [
        {"id": "ma_truong", "type": "text"},  # leading zeros keep it a code
        {"id": "ten_truong", "type": "text"},
        {"id": "so_hoc_sinh", "type": "int"},
        {"id": "ngay_thanh_lap", "type": "date"},
    ]
    rows = [
        r.data for r in DatastoreRow.objects.filter(resource=resource).order_by("n")
    ]
    assert rows[0] == {
        "ma_truong": "00012",
        "ten_truong": "Trường THPT Chuyên Hà Giang",
        "so_hoc_sinh": 1250,
        "ngay_thanh_lap": "1967-08-15",
    }
    assert rows[2]["ngay_thanh_lap"] is None


def test_xlsx_and_json_uploads(owner: User, science: OrgUnit) -> None:
    dataset = schools(owner, science)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Xã, phường", "Dân số"])
    sheet.append(["Phường Hà Giang 1", 31250])
    sheet.append(["Xã Đồng Văn", 20114])
    out = io.BytesIO()
    book.save(out)
    xlsx = upload(owner, dataset, out.getvalue(), "dan-so.xlsx")
    assert xlsx.row_count == 2
    assert xlsx.columns[1] == {"id": "Dân số", "type": "int"}
    records = json.dumps({"records": [{"ten": "Chợ Đồng Văn", "phien": "Chủ nhật"}]})
    assert upload(owner, dataset, records.encode(), "cho.json").row_count == 1


@pytest.mark.parametrize(
    ("content", "name", "said"),
    [
        (b"", "rong.csv", "Tệp trống."),
        (b"T\xean;S\xf4\nA;1\n", "sai-ma.csv", "UTF-8"),  # "Tên;Sô" in cp1258
        (b"ten,so\nA,1,thua\nB,2\n", "thua-o.csv", "Dòng 2 có 3 ô"),
        (b"ten,ten\nA,B\n", "trung.csv", "bị trùng"),
        (b"ten,so\n", "chi-tieu-de.csv", "chưa có dòng dữ liệu"),
        (b'[{"a": {"b": 1}}]', "long.json", "giá trị đơn"),
        (b"khong phai excel", "hong.xlsx", "Không mở được tệp Excel"),
        (b"a,b\n1,2\n", "du-lieu.txt", "Chỉ nhận tệp CSV, XLSX hoặc JSON"),
        (
            "ho_ten,cccd\nNguyễn Văn A,008092001234\nLò Thị B,008192004217\n".encode(),
            "nguoi.csv",
            "Cột “cccd” có vẻ chứa số định danh cá nhân",
        ),
        (b"ten,sdt\nA,0912345678\nB,+84987654321\n", "sdt.csv", "số điện thoại"),
    ],
)
def test_a_bad_file_is_refused_with_its_row_and_nothing_kept(
    owner: User, science: OrgUnit, content: bytes, name: str, said: str
) -> None:
    dataset = schools(owner, science)
    files_before = StoredFile.objects.count()
    with pytest.raises(DomainError) as refused:
        upload(owner, dataset, content, name)
    problems = refused.value.extra.get("problems") or [refused.value.message]
    assert any(said in p for p in problems), problems
    assert not dataset.resources.exists()
    assert StoredFile.objects.count() == files_before
    assert not DatastoreRow.objects.exists()


def test_many_bad_rows_are_all_named(owner: User, science: OrgUnit) -> None:
    content = "ten,so\n" + "".join(f"A{i},{i},x\n" for i in range(3)) + "B,1\n"
    with pytest.raises(tables.TableError) as refused:
        upload(owner, schools(owner, science), content.encode(), "nhieu-loi.csv")
    assert [p.split(" có")[0] for p in refused.value.problems] == [
        "Dòng 2",
        "Dòng 3",
        "Dòng 4",
    ]


def test_a_live_view_never_carries_personal_data(owner: User, science: OrgUnit) -> None:
    dataset = schools(owner, science)
    with pytest.raises(DomainError) as refused:
        opendata.add_live_view(owner, dataset, provider="population")
    assert refused.value.code == "provider_not_open"


def test_an_empty_dataset_cannot_be_published(owner: User, science: OrgUnit) -> None:
    with pytest.raises(DomainError) as refused:
        opendata.publish_dataset(owner, schools(owner, science))
    assert refused.value.code == "dataset_empty"


def test_search_finds_with_or_without_diacritics(owner: User, science: OrgUnit) -> None:
    from tinhso.datahub import selectors

    dataset = schools(owner, science)
    upload(owner, dataset, SCHOOLS_CSV, "truong-hoc.csv")
    draft = schools(owner, science, name="ban-nhap-truong-hoc")
    assert draft.status == "draft"
    opendata.publish_dataset(owner, dataset)
    for query in ("trường học", "truong hoc", "TRUONG HOC", "giao duc", "khoa hoc"):
        found = list(selectors.search_datasets(query))
        assert found == [dataset], query
    assert list(selectors.search_datasets("benh vien")) == []


@pytest.mark.django_db(transaction=True)
def test_ckanapi_reads_the_portal(
    live_server: Any, owner: User, science: OrgUnit, province: OrgUnit
) -> None:
    from tinhso.core import services as core

    for n, name in enumerate(["Phường Hà Giang 1", "Xã Đồng Văn"], start=1):
        core.create_orgunit(
            kind=OrgUnitKind.COMMUNE, code=f"0069{n}", name=name, parent=province
        )
    dataset = schools(owner, science)
    table = upload(owner, dataset, SCHOOLS_CSV, "truong-hoc.csv")
    live = opendata.add_live_view(
        owner, dataset, provider="orgunits", params={"kind": "commune"}
    )
    opendata.publish_dataset(owner, dataset)

    ckan = ckanapi.RemoteCKAN(live_server.url)
    assert ckan.action.package_list() == [dataset.name]
    org = ckan.action.organization_list(all_fields=True)[0]
    assert org["title"] == "Sở Khoa học và Công nghệ tỉnh Tuyên Quang"
    assert org["package_count"] == 1
    assert ckan.action.organization_list() == [org["name"]]

    found = ckan.action.package_search(q="truong hoc", fq=f"organization:{org['name']}")
    assert found["count"] == 1
    package = found["results"][0]
    assert package["title"] == "Danh sách trường học tỉnh Tuyên Quang"
    assert package["license_id"] == "cc-by-4.0"
    assert [t["name"] for t in package["tags"]] == ["giáo dục", "trường học"]
    assert ckan.action.package_search(q="benh vien")["count"] == 0
    tagged = ckan.action.package_search(fq='tags:"trường học" res_format:CSV')
    assert [p["name"] for p in tagged["results"]] == [dataset.name]
    assert ckan.action.package_search(fq="tags:y-te")["count"] == 0
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(fq="author:ai")
    # As the CKAN harvester asks: organisations ORed, modified since a time.
    harvested = ckan.action.package_search(
        fq=f"(organization:{org['name']} OR organization:khac) "
        "metadata_modified:[2020-01-01T00:00:00Z TO *]"
    )
    assert harvested["count"] == 1
    later = ckan.action.package_search(
        fq="metadata_modified:[2999-01-01T00:00:00Z TO *]"
    )
    assert later["count"] == 0
    assert ckan.action.package_search(q="truong hoc", start=5)["count"] == 1

    shown = ckan.action.package_show(id=dataset.name)
    assert shown["id"] == str(dataset.uuid)
    assert [r["format"] for r in shown["resources"]] == ["CSV", "API"]
    assert ckan.action.package_show(id=str(dataset.uuid))["name"] == dataset.name

    rows = ckan.action.datastore_search(resource_id=str(table.uuid), limit=2)
    assert rows["total"] == 3
    assert [r["ma_truong"] for r in rows["records"]] == ["00012", "00013"]
    assert {f["id"]: f["type"] for f in rows["fields"]}["so_hoc_sinh"] == "int"
    filtered = ckan.action.datastore_search(
        resource_id=str(table.uuid), filters={"ma_truong": "00013"}
    )
    assert [r["ten_truong"] for r in filtered["records"]] == ["Trường THCS Đồng Văn"]
    worded = ckan.action.datastore_search(resource_id=str(table.uuid), q="dong van")
    assert worded["total"] == 1

    communes = ckan.action.datastore_search(resource_id=str(live.uuid))
    assert [r["name"] for r in communes["records"]] == [
        "Phường Hà Giang 1",
        "Xã Đồng Văn",
    ]

    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="khong-co")
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_search(
            resource_id=str(table.uuid), filters={"khong_co": 1}
        )
    # The download is the file as uploaded.
    import httpx

    got = httpx.get(shown["resources"][0]["url"])
    assert got.status_code == 200
    assert got.content == SCHOOLS_CSV
    # A live view downloads as CSV, read through the provider.
    as_csv = httpx.get(shown["resources"][1]["url"]).content.decode("utf-8-sig")
    assert as_csv.splitlines()[0] == "code,name,kind,division_type,parent_code,depth"
    assert "Xã Đồng Văn" in as_csv
    assert default_storage.exists(table.file.storage_name)  # type: ignore[union-attr]
    # Its keep-alive connection holds a server thread, and that thread a
    # database connection, until closed.
    ckan.close()


def test_odd_column_names_and_ambiguous_numbers(owner: User, science: OrgUnit) -> None:
    from tinhso.datahub import selectors

    dataset = schools(owner, science)
    content = "xa;2024;contains;gia\nĐồng Văn;31;x;1.234\nMèo Vạc;27;y;2,5\n"
    resource = upload(owner, dataset, content.encode(), "so-lieu.csv")
    kinds = {c["id"]: c["type"] for c in resource.columns}
    # "1.234" is a thousand in Vietnamese and a decimal in English: kept as written.
    assert kinds == {"xa": "text", "2024": "int", "contains": "text", "gia": "text"}
    for filters, expected in (
        ({"2024": 27}, ["Mèo Vạc"]),
        ({"contains": "x"}, ["Đồng Văn"]),
        ({"gia": "1.234"}, ["Đồng Văn"]),
    ):
        found = selectors.datastore_search(resource, filters=filters)
        assert [r["xa"] for r in found.records] == expected, filters


def test_the_dcat_catalogue(owner: User, science: OrgUnit) -> None:
    dataset = schools(owner, science)
    upload(owner, dataset, SCHOOLS_CSV, "truong-hoc.csv")
    opendata.publish_dataset(owner, dataset)
    schools(owner, science, name="ban-nhap")  # a draft stays out
    response = HttpClient().get("/du-lieu-mo/catalog.jsonld")
    assert response["Content-Type"] == "application/ld+json"
    catalogue, paging = response.json()["@graph"]
    assert catalogue["@type"] == "dcat:Catalog"
    assert paging["hydra:totalItems"] == 1
    assert "hydra:nextPage" not in paging
    (node,) = catalogue["dcat:dataset"]
    assert node["dct:title"] == {"@value": dataset.title, "@language": "vi"}
    assert node["dcat:theme"]["@id"].endswith("/data-theme/EDUC")
    assert node["dct:accrualPeriodicity"]["@id"].endswith("/frequency/ANNUAL")
    assert node["dct:publisher"]["foaf:name"]["@value"] == science.name
    (distribution,) = node["dcat:distribution"]
    assert distribution["dcat:mediaType"] == "text/csv"
    assert distribution["dcat:downloadURL"]["@id"].startswith("http://testserver/")
