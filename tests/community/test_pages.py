"""The community pages without a browser: who may open which, the import
page listing every faulty row (and saving nothing), the template download,
training with its attendance list."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

import openpyxl
import pytest

from tests import factories
from tests.community.conftest import Place, member_list
from tests.dossiers.test_catalog_pages import signed_in, text
from tinhso.accounts.models import Role
from tinhso.community.models import Attendance, Course, Member, Session

pytestmark = pytest.mark.django_db


def test_who_opens_what(place: Place) -> None:
    assert Client().get("/cong-dong/").status_code == 302
    assert signed_in(factories.citizen()).get("/cong-dong/").status_code == 403
    assert signed_in(place.helper_account).get("/cong-dong/").status_code == 200
    officer = signed_in(place.officer)
    assert officer.get("/cong-dong/")["Location"] == "/cong-dong/tong-quan/"
    assert "Xã Quản Bạ" in text(officer.get("/cong-dong/tong-quan/"))
    team = f"/cong-dong/to/{place.team.pk}/"
    assert "Vàng Thị Dính" in text(signed_in(place.chairman).get(team))
    assert signed_in(place.other_officer).get(team).status_code == 404
    assert signed_in(place.helper_account).get(team).status_code == 404
    refused = signed_in(place.chairman).post(team, {"leave": place.leader.pk})
    assert refused.status_code == 403
    assert (
        signed_in(place.chairman).get("/cong-dong/nhap-thanh-vien/").status_code == 403
    )


def test_the_import_page_lists_every_bad_row_and_saves_nothing(place: Place) -> None:
    officer = signed_in(place.officer)
    template = officer.get("/cong-dong/mau-thanh-vien.xlsx")
    assert template.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(template.content)).active
    assert sheet is not None and sheet["B1"].value == "Họ và tên"
    data = member_list(
        [
            1,
            "Lý Văn Sáng",
            1995,
            "Nam",
            "",
            "0977000111",
            "",
            "Bưu điện",
            "",
            "Thôn Lùng Tám",
        ],
        [2, "", 1995, "Nam", "", "0977000222", "", "Bưu điện", "", "Thôn Không Có"],
    )
    upload = SimpleUploadedFile("danh-sach.xlsx", data)
    answer = officer.post(
        "/cong-dong/nhap-thanh-vien/", {"commune": place.commune.pk, "file": upload}
    )
    page = text(answer)
    assert answer.status_code == 400 and "Chưa nhập được: 2 lỗi" in page
    assert "Dòng 5: thiếu họ và tên." in page
    assert "Dòng 5: không có thôn, tổ dân phố “Thôn Không Có” trong xã." in page
    assert Member.objects.count() == 2
    good = member_list(
        [
            1,
            "Lý Văn Sáng",
            1995,
            "Nam",
            "",
            "0977000111",
            "",
            "Bưu điện",
            "",
            "Thôn Lùng Tám",
        ]
    )
    done = officer.post(
        "/cong-dong/nhap-thanh-vien/",
        {"commune": place.commune.pk, "file": SimpleUploadedFile("ds.xlsx", good)},
        follow=True,
    )
    assert "1 thành viên mới, 0 cập nhật, 1 tổ mới lập" in text(done)
    other = officer.post(
        "/cong-dong/nhap-thanh-vien/",
        {
            "commune": place.other_commune.pk,
            "file": SimpleUploadedFile("ds.xlsx", good),
        },
    )
    assert other.status_code == 400  # not a commune this officer keeps


def test_training_with_an_attendance_list(place: Place) -> None:
    officer = signed_in(place.province_officer)
    officer.post(
        "/cong-dong/tap-huan/",
        {
            "new_course": "1",
            "name": "Kỹ năng số cơ bản",
            "audience": "residents",
            "hours": 4,
        },
    )
    made = officer.post(
        "/cong-dong/tap-huan/",
        {
            "new_session": "1",
            "course": Course.objects.get().pk,
            "commune": place.commune.pk,
            "held_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
            "place": "Nhà văn hóa thôn Nặm Đăm",
            "trainer": "Vàng Thị Dính",
        },
    )
    session = Session.objects.get()
    assert made["Location"] == f"/cong-dong/tap-huan/buoi/{session.pk}/"
    commune_officer = signed_in(place.officer)
    page = f"/cong-dong/tap-huan/buoi/{session.pk}/"
    commune_officer.post(
        page, {"add": "1", "full_name": "Lò Văn Pó", "group": "residents"}
    )
    missing = commune_officer.post(
        page, {"add": "1", "full_name": "", "group": "residents"}
    )
    assert missing.status_code == 400
    assert Attendance.objects.count() == 1
    assert "Danh sách tham dự (1 người)" in text(commune_officer.get(page))
    assert signed_in(place.other_officer).get(page).status_code == 404


def test_an_agency_leader_has_no_teams_to_oversee(place: Place) -> None:
    agency = factories.orgunit(name="Sở Tài chính", parent=place.province)
    leader = factories.official(unit=agency, role=Role.LEADER)
    assert signed_in(leader).get("/cong-dong/").status_code == 403
    assert signed_in(place.province_officer).get("/cong-dong/").status_code == 302
