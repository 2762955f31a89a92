"""Members from the commune's XLSX list, in the usual template (the
columns of ``MEMBER_COLUMNS``): every row is checked and named in the
report; one bad row and nothing is saved. Rows of a member already in the
village's team (same phone) update that member, so a list sent again does
not duplicate anyone; a village without a team gets one."""

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import openpyxl
from openpyxl.styles import Font, PatternFill

from tinhso.community.constants import (
    AUDIT_IMPORT,
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    MEMBER_COLUMNS,
    Gender,
    TeamRole,
)
from tinhso.community.models import Member, Team
from tinhso.community.services._common import may_manage
from tinhso.community.services.teams import default_name
from tinhso.core import audit
from tinhso.core.errors import DomainError
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.core.text import fold, nfc

_ROLES = {fold(str(label)): value for value, label in TeamRole.choices} | {
    "to truong": TeamRole.LEADER,
    "to pho": TeamRole.DEPUTY,
    "thanh vien": TeamRole.MEMBER,
}
_GENDERS = {"nam": Gender.MALE, "nu": Gender.FEMALE}
_VILLAGE_WORDS = ("thon ", "ban ", "to dan pho ", "xom ", "ap ", "khu ")


@dataclass
class Row:
    number: int
    village: OrgUnit
    values: dict[str, Any]


@dataclass
class Imported:
    created: int = 0
    updated: int = 0
    teams_created: list[str] = field(default_factory=list)


class ImportRefused(DomainError):
    """The file's faults, one line per row, for the page to list."""

    def __init__(self, faults: list[str]) -> None:
        super().__init__(
            "member_import_refused",
            _("Chưa nhập được: %(n)d lỗi, sửa trong tệp rồi nhập lại.")
            % {"n": len(faults)},
            extra={"faults": faults},
        )
        self.faults = faults


def template() -> bytes:
    """An empty list in the template, with one example row to replace."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Thanh vien"
    ws.append([header for header, _key in MEMBER_COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE4EE")
    ws.append(
        [
            1,
            "Nguyễn Văn An",
            1998,
            "Nam",
            "",
            "0912345678",
            "",
            "Đoàn Thanh niên",
            "Thành viên",
            "Thôn Nặm Đăm",
        ]
    )
    for column, width in zip(
        "ABCDEFGHIJ", (6, 26, 10, 10, 16, 14, 26, 24, 16, 24), strict=True
    ):
        ws.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bare(name: str) -> str:
    folded = fold(name)
    for word in _VILLAGE_WORDS:
        if folded.startswith(word):
            return folded[len(word) :]
    return folded


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value))


def _rows(data: bytes) -> list[tuple[int, list[Any]]]:
    if len(data) > MAX_IMPORT_BYTES:
        raise DomainError("xlsx_too_large", _("Tệp Excel lớn quá 5 MB."))
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise DomainError(
            "xlsx_unreadable", _("Không đọc được tệp: cần tệp Excel (.xlsx).")
        ) from exc
    rows = []
    for row in book.worksheets[0].iter_rows(values_only=True):
        rows.append(row)
        if len(rows) > MAX_IMPORT_ROWS + 40:  # the cap, and a title above
            break
    book.close()
    headers = [fold(h) for h, _key in MEMBER_COLUMNS]
    start = next(
        (
            n
            for n, row in enumerate(rows[:20])
            if [fold(_text(c)) for c in row[: len(headers)]] == headers
        ),
        None,
    )
    if start is None:
        raise DomainError(
            "xlsx_not_template",
            _(
                "Tệp không theo mẫu danh sách thành viên: dòng tiêu đề phải có các cột "
                "%(columns)s. Tải tệp mẫu rồi điền vào đó."
            )
            % {"columns": ", ".join(h for h, _key in MEMBER_COLUMNS)},
        )
    found = [
        (start + 1 + n, list(row) + [None] * len(headers))
        for n, row in enumerate(rows[start + 1 :], start=1)
        if any(_text(c) for c in row)
    ]
    if not found:
        raise DomainError("xlsx_empty", _("Tệp chưa có dòng thành viên nào."))
    if len(found) > MAX_IMPORT_ROWS:
        raise DomainError(
            "xlsx_too_many_rows",
            _("Mỗi lần nhập tối đa %(n)d thành viên.") % {"n": MAX_IMPORT_ROWS},
        )
    return found


Fault = tuple[int, str]


def _line(number: int, message: str) -> Fault:
    return number, _("Dòng %(n)d: %(message)s") % {"n": number, "message": message}


class Villages:
    """A commune's villages found by the name a list gives: the full name
    first ("Tổ dân phố 1"), then without the word before it ("1") only when
    that names one village alone."""

    def __init__(self, commune: OrgUnit) -> None:
        units = OrgUnit.objects.filter(
            parent=commune, kind=OrgUnitKind.VILLAGE, legacy=False
        )
        self.full = {fold(v.name): v for v in units}
        self.bare: dict[str, list[OrgUnit]] = {}
        for v in units:
            self.bare.setdefault(_bare(v.name), []).append(v)

    def find(self, name: str) -> OrgUnit | None:
        if not name:
            return None
        exact = self.full.get(fold(name))
        if exact is not None:
            return exact
        short = self.bare.get(_bare(name), [])
        return short[0] if len(short) == 1 else None

    def ambiguous(self, name: str) -> bool:
        return len(self.bare.get(_bare(name), [])) > 1

    def example(self, name: str) -> str:
        return self.bare[_bare(name)][0].name


def _check(
    number: int, cells: list[Any], villages: Villages
) -> tuple[Row | None, list[Fault]]:
    values = {key: cells[i] for i, (_h, key) in enumerate(MEMBER_COLUMNS)}
    faults: list[Fault] = []

    def fault(message: str) -> None:
        faults.append(_line(number, message))

    name = _text(values["full_name"])
    if not name:
        fault(_("thiếu họ và tên."))
    elif len(name) > 150:
        fault(_("họ và tên dài quá 150 ký tự."))
    year_text = _text(values["birth_year"])
    year = None
    if isinstance(values["birth_year"], (dt.date, dt.datetime)):
        year = values["birth_year"].year
    elif year_text:
        if not year_text.isdigit():
            fault(_("năm sinh “%(v)s” không phải là số.") % {"v": year_text})
        else:
            year = int(year_text)
    this_year = timezone.localdate().year
    if year is not None and not 1930 <= year <= this_year - 14:
        fault(_("năm sinh %(y)d không hợp lệ (từ 1930, đủ 14 tuổi).") % {"y": year})
    gender_text = fold(_text(values["gender"]))
    gender = _GENDERS.get(gender_text, "")
    if gender_text and not gender:
        fault(_("giới tính ghi “Nam” hoặc “Nữ”."))
    personal_id = _text(values["personal_id"]).replace(" ", "")
    if isinstance(values["personal_id"], (int, float)) and personal_id.isdigit():
        personal_id = personal_id.zfill(12)  # Excel drops the leading zeros
    if personal_id and not (personal_id.isdigit() and len(personal_id) == 12):
        fault(_("số CCCD “%(v)s” phải gồm đúng 12 chữ số.") % {"v": personal_id})
    phone = _text(values["phone"]).replace(" ", "").replace(".", "")
    if phone.isdigit() and len(phone) == 9:
        phone = "0" + phone  # Excel drops the leading zero of a number
    if not (phone.isdigit() and len(phone) == 10 and phone.startswith("0")):
        fault(
            _("số điện thoại “%(v)s” phải gồm 10 chữ số, bắt đầu bằng 0.")
            % {"v": phone}
        )
    email = _text(values["email"])
    if len(email) > 254:
        fault(_("thư điện tử dài quá 254 ký tự."))
    elif email:
        try:
            validate_email(email)
        except ValidationError:
            fault(_("thư điện tử “%(v)s” không hợp lệ.") % {"v": email})
    organisation = _text(values["organisation"])
    if not organisation:
        fault(_("thiếu đơn vị, tổ chức (Đoàn Thanh niên, Bưu điện …)."))
    elif len(organisation) > 150:
        fault(_("tên đơn vị, tổ chức dài quá 150 ký tự."))
    role_text = fold(_text(values["team_role"]))
    role = _ROLES.get(role_text, "" if role_text else TeamRole.MEMBER)
    if not role:
        fault(_("vai trò ghi “Tổ trưởng”, “Tổ phó” hoặc “Thành viên”."))
    village_name = _text(values["village"])
    village = villages.find(village_name)
    if village is None:
        if not village_name:
            fault(_("thiếu thôn, tổ dân phố."))
        elif villages.ambiguous(village_name):
            fault(
                _(
                    "“%(v)s” có thể là nhiều thôn, tổ dân phố; ghi đủ tên, ví dụ “%(e)s”."
                )
                % {"v": village_name, "e": villages.example(village_name)}
            )
        else:
            fault(
                _("không có thôn, tổ dân phố “%(v)s” trong xã.") % {"v": village_name}
            )
    if faults or village is None:
        return None, faults
    return (
        Row(
            number,
            village,
            {
                "full_name": name,
                "birth_year": year,
                "gender": gender,
                "personal_id": personal_id,
                "phone": phone,
                "email": email,
                "organisation": organisation,
                "team_role": role,
            },
        ),
        [],
    )


def import_members(actor: Any, commune: OrgUnit, data: bytes) -> Imported:
    may_manage(actor, commune)
    villages = Villages(commune)
    checked: list[Row] = []
    faults: list[Fault] = []
    for number, cells in _rows(data):
        row, problems = _check(number, cells, villages)
        faults += problems
        if row is not None:
            checked.append(row)
    seen: dict[tuple[int, str], int] = {}
    leaders: dict[int, int] = {}
    for row in checked:
        key = (row.village.pk, row.values["phone"])
        if key in seen:
            faults.append(
                _line(
                    row.number,
                    _("số điện thoại %(phone)s trùng dòng %(m)d cùng thôn.")
                    % {"phone": row.values["phone"], "m": seen[key]},
                )
            )
        seen.setdefault(key, row.number)
        if row.values["team_role"] == TeamRole.LEADER:
            if row.village.pk in leaders:
                faults.append(
                    _line(
                        row.number,
                        _("%(village)s đã có tổ trưởng ở dòng %(m)d.")
                        % {"village": row.village.name, "m": leaders[row.village.pk]},
                    )
                )
            leaders.setdefault(row.village.pk, row.number)
    if faults:
        raise ImportRefused([text for _n, text in sorted(faults)])
    result = Imported()
    today = timezone.localdate()
    with transaction.atomic():
        teams = {
            t.village_id: t
            for t in Team.objects.filter(
                commune=commune, dissolved_on__isnull=True, village__isnull=False
            )
        }
        for row in checked:
            team = teams.get(row.village.pk)
            if team is None:
                team = Team.objects.create(
                    name=default_name(row.village, commune),
                    commune=commune,
                    village=row.village,
                    established_on=today,
                )
                teams[row.village.pk] = team
                result.teams_created.append(team.name)
            if row.values["team_role"] == TeamRole.LEADER:
                # The list names the leader: whoever led before is a member now.
                team.members.filter(
                    team_role=TeamRole.LEADER, left_on__isnull=True
                ).exclude(phone=row.values["phone"]).update(team_role=TeamRole.MEMBER)
            member = team.members.filter(
                phone=row.values["phone"], left_on__isnull=True
            ).first()
            if member is None:
                Member.objects.create(team=team, joined_on=today, **row.values)
                result.created += 1
            else:
                for name, value in row.values.items():
                    setattr(member, name, value)
                member.save()
                result.updated += 1
        audit.record(
            AUDIT_IMPORT,
            obj=commune,
            actor=actor,
            detail={
                "created": result.created,
                "updated": result.updated,
                "teams": result.teams_created,
            },
        )
    return result
