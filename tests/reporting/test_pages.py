"""The reporting pages as people use them: an administrator designs and
gives a form, a commune's officer fills and sends it (a refused value keeps
what was typed, saves nothing), its leader approves, the receiving unit
reads the result and downloads it."""

import io
import re

from django.test import Client

import openpyxl
import pytest

from tests.reporting.conftest import GOOD, Province
from tinhso.reporting.constants import ReportStatus
from tinhso.reporting.models import Report, ReportForm

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_quarterly_report_designed_filled_approved_and_exported(
    place: Province, catalog_
) -> None:  # type: ignore[no-untyped-def]
    admin = client_for(place.admin)
    made = admin.post(
        "/bao-cao/bieu-mau/", {"code": "cds-quy", "name": "Báo cáo chuyển đổi số quý"}
    )
    form = ReportForm.objects.get(code="cds-quy")
    assert (
        made.status_code == 302 and made["Location"] == f"/bao-cao/bieu-mau/{form.pk}/"
    )
    page = f"/bao-cao/bieu-mau/{form.pk}/"
    admin.post(page, {"add_section": "1", "title": "I. Xã hội số"})
    section = form.sections.get()
    for key, kind, extra in [
        ("dinh_danh", "indicator", {"indicator": catalog_["share"].pk}),
        ("ho_tro", "indicator", {"indicator": catalog_["help"].pk}),
        ("ho_tro_vneid", "number", {"label": "Trong đó: định danh"}),
        ("ho_tro_khac", "number", {"label": "Trong đó: khác"}),
    ]:
        response = admin.post(
            page,
            {
                "add_item": "1",
                "section": section.pk,
                "key": key,
                "kind": kind,
                "required": "on",
            }
            | extra,
        )
        assert response.status_code == 302, text(response)
    duplicate = admin.post(
        page,
        {
            "add_item": "1",
            "section": section.pk,
            "key": "ho_tro",
            "kind": "number",
            "label": "X",
        },
    )
    assert duplicate.status_code == 400 and "Biểu mẫu đã có dòng mã “ho_tro”." in text(
        duplicate
    )
    admin.post(
        page, {"add_rule": "1", "total": "ho_tro", "parts": "ho_tro_vneid, ho_tro_khac"}
    )
    assert form.rules.count() == 1
    given = admin.post(
        page,
        {
            "schedule": "1",
            "owner": place.agency.pk,
            "frequency": "quarterly",
            "all_communes": "on",
            "starts": "2026-09-15",
            "cutoff_15th": "on",
            "deadline_days": "5",
            "remind_days": "3",
        },
    )
    assert given.status_code == 302
    round_ = form.rounds.get()
    assert round_.label == "Quý IV/2026" and round_.reports.count() == 3
    # Frozen now.
    assert "không sửa được nữa" in text(admin.get(page))

    report = Report.objects.get(round=round_, unit=place.communes[0])
    officer = client_for(place.officers[0])
    url = f"/bao-cao/{report.pk}/"
    assert "Bắt đầu nhập báo cáo" in text(officer.get(url))
    values = {
        k: v
        for k, v in GOOD.items()
        if k
        in ("dinh_danh", "dinh_danh.total", "ho_tro", "ho_tro_vneid", "ho_tro_khac")
    }
    refused = officer.post(url, values | {"ho_tro_khac": "10", "submit": "1"})
    assert refused.status_code == 400
    body = text(refused)
    assert "ho_tro phải bằng tổng ho_tro_vneid, ho_tro_khac (31), đang là 35." in body
    assert 'value="10"' in body  # what was typed stays on the page
    report.refresh_from_db()
    assert report.current is None
    sent = officer.post(url, values | {"submit": "1"})
    assert sent.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED

    leader = client_for(place.leaders[0])
    assert "Duyệt báo cáo" in text(leader.get(url))
    leader.post(f"{url}duyet/")
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED

    receiver = client_for(place.receiver)
    overview = text(receiver.get(f"/bao-cao/ky/{round_.pk}/"))
    assert "Kết quả tổng hợp (1/3 báo cáo đã duyệt)" in overview
    assert "77,7%" in overview and "Đã duyệt: 1" in overview
    xlsx = receiver.get(f"/bao-cao/ky/{round_.pk}/xuat.xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames == [
        "Tổng hợp",
        "Theo đơn vị",
    ]
    pdf = receiver.get(f"/bao-cao/ky/{round_.pk}/xuat.pdf")
    assert pdf.content.startswith(b"%PDF")
    assert 'filename="cds-quy-quy-iv-2026-tong-hop.pdf"' in pdf["Content-Disposition"]

    # Another commune imports the first one's file into its own draft.
    other = Report.objects.get(round=round_, unit=place.communes[1])
    template = officer.get(f"{url}xuat.xlsx").content
    upload = io.BytesIO(template)
    upload.name = "bao-cao.xlsx"
    imported = client_for(place.officers[1]).post(
        f"/bao-cao/{other.pk}/nhap/", {"file": upload}
    )
    assert imported.status_code == 302
    other.refresh_from_db()
    assert other.current.values["ho_tro"] == {"value": "35"}


def test_pages_refuse_people_without_a_reporting_role(place: Province) -> None:
    from tests import factories

    nobody = client_for(factories.official(unit=place.communes[0]))
    assert nobody.get("/dieu-hanh/").status_code == 403
    assert nobody.get("/bao-cao/").status_code == 403
    assert client_for(place.officers[0]).get("/bao-cao/bieu-mau/").status_code == 403
