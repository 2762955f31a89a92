"""The demo's community digital technology teams: the demo communes' member
list imported from a spreadsheet as a commune officer would (a team for
each village), one member who signs in and logs the help given, including
a resident's level-2 electronic identity, and a digital-skills course with
a session and its attendance list."""

import datetime as dt
import io
from collections import Counter
from typing import Any

from django.utils import timezone

import openpyxl

from tinhso.accounts.models import User
from tinhso.community.constants import MEMBER_COLUMNS, HelpKind, TrainingGroup
from tinhso.community.models import Attendance, Course, Help, Member, Session
from tinhso.community.services import helps, imports, teams, training
from tinhso.core.models import OrgUnit, OrgUnitKind

# Made-up people. Per village: (name, birth year, gender, organisation, role).
PEOPLE = [
    ("Hoàng Văn Phúc", 1996, "Nam", "Đoàn Thanh niên", "Tổ trưởng"),
    ("Lò Thị Hiền", 1999, "Nữ", "Bưu điện văn hóa xã", "Tổ phó"),
    ("Vàng Seo Chứ", 1990, "Nam", "Công an xã", "Thành viên"),
    ("Nông Thị Duyên", 2001, "Nữ", "Hội Liên hiệp Phụ nữ", "Thành viên"),
]
# The member who signs in (the first village's team leader).
HELPER_ID = "008096004512"
HELPS = [
    (HelpKind.EID_LEVEL_2, "Hộ ông Vàng Seo Dìn", "008065001122", 2),
    (HelpKind.DVC_ACCOUNT, "Hộ bà Lù Thị Mai", "", 1),
    (HelpKind.CASHLESS, "Hộ ông Giàng A Páo", "", 3),
    (HelpKind.ECOMMERCE, "Hợp tác xã Chè Shan tuyết Cao Bồ", "", 1),
]
ATTENDEES = [
    ("Vàng Thị Mỷ", TrainingGroup.RESIDENTS),
    ("Giàng A Sùng", TrainingGroup.RESIDENTS),
    ("Lý Thị Hoa", TrainingGroup.RESIDENTS),
    ("Nông Văn Tuấn", TrainingGroup.OFFICIALS),
    ("Hộ kinh doanh Thào Thị Mỷ", TrainingGroup.BUSINESSES),
]


def _sheet(villages: list[OrgUnit], serial: int) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append([header for header, _key in MEMBER_COLUMNS])
    row = 0
    for v, village in enumerate(villages):
        for p, (name, year, gender, organisation, role) in enumerate(PEOPLE):
            row += 1
            phone = f"09{serial:02d}{v:02d}{p:04d}"[:10]
            pid = HELPER_ID if (v, p) == (0, 0) else ""
            ws.append(
                [
                    row,
                    name,
                    year,
                    gender,
                    pid,
                    phone,
                    "",
                    organisation,
                    role,
                    village.name,
                ]
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def load_community(
    *,
    officer: User,
    province: OrgUnit,
    communes: list[OrgUnit],
    ensure_helper: Any,
) -> dict[str, int]:
    """``officer`` keeps the teams of every commune (the province's community
    officer); ``ensure_helper(identifier, full_name, phone)`` gives the
    account of the member who logs help."""
    made: Counter[str] = Counter()
    for serial, commune in enumerate(communes, start=1):
        villages = list(
            OrgUnit.objects.filter(parent=commune, kind=OrgUnitKind.VILLAGE).order_by(
                "name"
            )
        )
        if not villages or Member.objects.filter(team__commune=commune).exists():
            continue
        done = imports.import_members(officer, commune, _sheet(villages, serial))
        made["team"] += len(done.teams_created)
        made["member"] += done.created
    first = Member.objects.filter(personal_id=HELPER_ID).select_related("team").first()
    if first is None:
        return dict(made)
    account = ensure_helper(HELPER_ID, first.full_name, first.phone)
    if first.account_id != account.pk:
        teams.link_account(officer, first, account.username)
    today = timezone.localdate()
    if not Help.objects.filter(member=first).exists():
        for n, (kind, household, pid, people) in enumerate(HELPS):
            helps.log(
                account,
                helps.Given(
                    kind=kind,
                    household=household,
                    personal_id=pid,
                    people=people,
                    helped_on=today - dt.timedelta(days=n),
                ),
            )
            made["help"] += 1
    if not Course.objects.exists():
        course = training.save_course(
            officer,
            Course(
                name="Kỹ năng số cơ bản: định danh điện tử, dịch vụ công, thanh toán số",
                audience=TrainingGroup.RESIDENTS,
                organiser=officer.org_unit or province,
                hours=4,
            ),
        )
        session = training.save_session(
            officer,
            Session(
                course=course,
                commune=first.team.commune,
                held_on=today - dt.timedelta(days=2),
                place=f"Nhà văn hóa {first.team.village.name if first.team.village else ''}".strip(),
                trainer=first.full_name,
            ),
        )
        for name, group in ATTENDEES:
            training.add_attendee(
                officer, Attendance(session=session, full_name=name, group=group)
            )
        made["training"] += len(ATTENDEES)
    return dict(made)
