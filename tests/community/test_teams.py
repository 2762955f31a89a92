"""Teams and members: one working team per village, one leader per team;
the XLSX member list is checked row by row, names every faulty row and
saves nothing unless all are right; a list sent again updates, never
duplicates."""

import pytest

from tests import factories
from tests.community.conftest import Place, member_list
from tinhso.community.constants import TeamRole
from tinhso.community.models import Member, Team
from tinhso.community.services import imports, teams
from tinhso.core.errors import DomainError, Forbidden
from tinhso.core.models import OrgUnitKind

pytestmark = pytest.mark.django_db


def test_one_team_per_village_and_one_leader_per_team(place: Place) -> None:
    assert place.team.name == "Tổ công nghệ số cộng đồng Thôn Nặm Đăm"
    with pytest.raises(DomainError, match="đã có tổ công nghệ số cộng đồng"):
        teams.save_team(
            place.officer, Team(commune=place.commune, village=place.villages[0])
        )
    with pytest.raises(Forbidden):
        teams.save_team(
            place.other_officer, Team(commune=place.commune, village=place.villages[1])
        )
    with pytest.raises(DomainError, match="không thuộc"):
        teams.save_team(
            place.officer,
            Team(
                commune=place.commune,
                village=place.other_commune.children.get(),
            ),
        )
    with pytest.raises(DomainError, match="đã có tổ trưởng Vàng Thị Dính"):
        teams.save_member(
            place.officer,
            Member(
                team=place.team,
                full_name="Lý Văn Sáng",
                phone="0977000111",
                organisation="Bưu điện",
                team_role=TeamRole.LEADER,
            ),
        )
    with pytest.raises(DomainError, match="số điện thoại"):
        teams.save_member(
            place.officer,
            Member(
                team=place.team,
                full_name="Người khác",
                phone="0966554433",
                organisation="Bưu điện",
            ),
        )
    with pytest.raises(DomainError, match="Không có tài khoản"):
        teams.link_account(place.officer, place.leader, "000000000000")


ROW = [
    1,
    "Lý Văn Sáng",
    1995,
    "Nam",
    "002095004321",
    "0977000111",
    "",
    "Bưu điện",
    "Thành viên",
    "Thôn Lùng Tám",
]


def test_a_member_list_makes_teams_and_members_and_imports_again_cleanly(
    place: Place,
) -> None:
    data = member_list(
        ROW,
        [
            2,
            "Giàng Thị Mai",
            "",
            "Nữ",
            "",
            "977000222",
            "mai@example.vn",
            "Đoàn Thanh niên",
            "tổ trưởng",
            "Lùng Tám",
        ],
        [
            3,
            "Vàng Thị Dính",
            1988,
            "nữ",
            "",
            "0966554433",
            "",
            "Hội Phụ nữ",
            "Tổ trưởng",
            "thôn nặm đăm",
        ],
    )
    done = imports.import_members(place.officer, place.commune, data)
    assert (done.created, done.updated) == (2, 1)
    assert done.teams_created == ["Tổ công nghệ số cộng đồng Thôn Lùng Tám"]
    new_team = Team.objects.get(village=place.villages[1])
    assert {(m.full_name, m.team_role, m.phone) for m in new_team.members.all()} == {
        ("Lý Văn Sáng", TeamRole.MEMBER, "0977000111"),
        # Excel had dropped the leading zero; the role was typed in lower case.
        ("Giàng Thị Mai", TeamRole.LEADER, "0977000222"),
    }
    again = imports.import_members(place.officer, place.commune, data)
    assert (again.created, again.updated, again.teams_created) == (0, 3, [])
    assert Member.objects.count() == 4


def test_a_list_with_bad_rows_is_refused_whole_with_each_row_named(
    place: Place,
) -> None:
    data = member_list(
        ROW,
        [
            2,
            "",
            1890,
            "Khác",
            "12345",
            "0912",
            "không-phải-email",
            "",
            "Chủ tịch",
            "Thôn Ma",
        ],
        [
            3,
            "Lý Văn Sáng",
            1995,
            "Nam",
            "",
            "0977000111",
            "",
            "Bưu điện",
            "Thành viên",
            "Thôn Lùng Tám",
        ],
        [
            4,
            "Ma Văn Hùng",
            2001,
            "Nam",
            "",
            "0977000333",
            "",
            "Công an xã",
            "Tổ trưởng",
            "Thôn Lùng Tám",
        ],
        [
            5,
            "Hầu Thị Nhi",
            2000,
            "Nữ",
            "",
            "0977000444",
            "",
            "Ngân hàng",
            "Tổ trưởng",
            "Thôn Lùng Tám",
        ],
    )
    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_members(place.officer, place.commune, data)
    faults = refused.value.faults
    # The header is on line 3, so the first member is on line 4.
    by_line = {f.split(":", 1)[0] for f in faults}
    assert by_line == {"Dòng 5", "Dòng 6", "Dòng 8"}
    text = " ".join(faults)
    for expected in (
        "thiếu họ và tên",
        "năm sinh 1890 không hợp lệ",
        "giới tính ghi “Nam” hoặc “Nữ”",
        "số CCCD “12345” phải gồm đúng 12 chữ số",
        "số điện thoại “0912” phải gồm 10 chữ số",
        "thư điện tử “không-phải-email” không hợp lệ",
        "thiếu đơn vị, tổ chức",
        "vai trò ghi “Tổ trưởng”, “Tổ phó” hoặc “Thành viên”",
        "không có thôn, tổ dân phố “Thôn Ma” trong xã",
        "Dòng 6: số điện thoại 0977000111 trùng dòng 4 cùng thôn",
        "Dòng 8: Thôn Lùng Tám đã có tổ trưởng ở dòng 7",
    ):
        assert expected in text, expected
    assert Member.objects.count() == 2 and Team.objects.count() == 1


def test_files_that_are_not_member_lists_are_refused(place: Place) -> None:
    with pytest.raises(DomainError, match="Không đọc được tệp"):
        imports.import_members(place.officer, place.commune, b"not a spreadsheet")
    with pytest.raises(DomainError, match="không theo mẫu"):
        imports.import_members(
            place.officer, place.commune, member_list(ROW, headers=["Tên", "SĐT"])
        )
    with pytest.raises(DomainError, match="chưa có dòng"):
        imports.import_members(place.officer, place.commune, member_list())
    with pytest.raises(Forbidden):
        imports.import_members(place.other_officer, place.commune, member_list(ROW))
    # The template the page offers is itself a valid list.
    done = imports.import_members(place.officer, place.commune, imports.template())
    assert done.created == 1


def test_numbered_villages_and_ids_excel_turned_into_numbers(place: Place) -> None:
    factories.orgunit(kind=OrgUnitKind.VILLAGE, name="Thôn 1", parent=place.commune)
    ambiguous = member_list(
        [1, "Lý Văn Sáng", 1995, "Nam", "", "0977000111", "", "Bưu điện", "", "1"]
    )
    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_members(place.officer, place.commune, ambiguous)
    assert "“1” có thể là nhiều thôn, tổ dân phố" in refused.value.faults[0]
    # 002095004321 typed into a number cell keeps only 2095004321.
    exact = member_list(
        [
            1,
            "Lý Văn Sáng",
            1995,
            "Nam",
            2095004321,
            "0977000111",
            "",
            "Bưu điện",
            "",
            "Tổ dân phố 1",
        ]
    )
    imports.import_members(place.officer, place.commune, exact)
    member = Member.objects.get(full_name="Lý Văn Sáng")
    assert member.personal_id == "002095004321"
    assert member.team.village == place.villages[2]
