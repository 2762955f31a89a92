"""Two communes, the first with three villages and a team in one of them,
its members (one with an account), the commune's community officer and
chairman, another commune's officer, and the province's officer."""

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

import openpyxl
import pytest

from tests import factories
from tinhso.accounts.models import Role, User
from tinhso.community.constants import MEMBER_COLUMNS, TeamRole
from tinhso.community.models import Member, Team
from tinhso.community.services import teams
from tinhso.core.models import OrgUnit, OrgUnitKind


@dataclass
class Place:
    province: OrgUnit
    commune: OrgUnit
    other_commune: OrgUnit
    villages: list[OrgUnit]
    officer: User  # the commune's community officer
    chairman: User
    other_officer: User  # another commune's
    province_officer: User
    team: Team  # of villages[0]
    leader: Member
    helper: Member  # has an account
    helper_account: User


def build() -> Place:
    province = factories.province()
    commune = factories.orgunit(
        kind=OrgUnitKind.COMMUNE, name="Xã Quản Bạ", parent=province
    )
    other = factories.orgunit(
        kind=OrgUnitKind.COMMUNE, name="Xã Lũng Cú", parent=province
    )
    villages = [
        factories.orgunit(kind=OrgUnitKind.VILLAGE, name=name, parent=commune)
        for name in ("Thôn Nặm Đăm", "Thôn Lùng Tám", "Tổ dân phố 1")
    ]
    factories.orgunit(kind=OrgUnitKind.VILLAGE, name="Thôn Lô Lô Chải", parent=other)
    officer = factories.official(unit=commune, role=Role.COMMUNITY_OFFICER)
    team = teams.save_team(
        officer,
        Team(
            commune=commune,
            village=villages[0],
            name="",
            established_on=timezone.localdate() - dt.timedelta(days=60),
        ),
    )
    leader = teams.save_member(
        officer,
        Member(
            team=team,
            full_name="Vàng Thị Dính",
            phone="0966554433",
            organisation="Hội Phụ nữ",
            team_role=TeamRole.LEADER,
        ),
    )
    helper = teams.save_member(
        officer,
        Member(
            team=team,
            full_name="Sùng Mí Chá",
            phone="0912003344",
            organisation="Đoàn Thanh niên",
        ),
    )
    account = factories.citizen(
        identifier="002098001234", full_name="Sùng Mí Chá", phone="0912003344"
    )
    helper = teams.link_account(officer, helper, account.username)
    return Place(
        province=province,
        commune=commune,
        other_commune=other,
        villages=villages,
        officer=officer,
        chairman=factories.official(unit=commune, role=Role.LEADER),
        other_officer=factories.official(unit=other, role=Role.COMMUNITY_OFFICER),
        province_officer=factories.official(
            unit=province, role=Role.COMMUNITY_OFFICER, subtree=True
        ),
        team=team,
        leader=leader,
        helper=helper,
        helper_account=account,
    )


@pytest.fixture
def place(db: None) -> Place:
    return build()


def member_list(*rows: list[Any], headers: list[str] | None = None) -> bytes:
    """An XLSX member list with a title above the header, as communes send."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["DANH SÁCH THÀNH VIÊN TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG XÃ QUẢN BẠ"])
    ws.append([])
    ws.append(headers or [h for h, _key in MEMBER_COLUMNS])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
