"""Help a team member logs, quickly, from a phone."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.community import policies
from tinhso.community.constants import AUDIT_HELP, MAX_DAYS_BACK, HelpKind
from tinhso.community.models import Help, Member
from tinhso.community.services._common import village_of
from tinhso.core import audit
from tinhso.core.errors import DomainError, Forbidden, validated
from tinhso.core.models import OrgUnit
from tinhso.core.text import nfc


@dataclass(frozen=True)
class Given:
    kind: str
    household: str
    helped_on: dt.date
    village: OrgUnit | None = None
    people: int = 1
    personal_id: str = ""
    note: str = ""


def _membership(actor: Any, member: Member | None) -> Member:
    mine = policies.memberships(actor)
    found = mine.first() if member is None else mine.filter(pk=member.pk).first()
    if found is None:
        raise Forbidden(
            "not_team_member",
            _("Chỉ thành viên tổ công nghệ số cộng đồng ghi nhận được hỗ trợ."),
        )
    return found


def log(actor: Any, given: Given, member: Member | None = None) -> Help:
    """Record help ``actor`` gave as a member of its team (the first one,
    or ``member``'s)."""
    member = _membership(actor, member)
    team = member.team
    if given.kind not in HelpKind.values:
        raise DomainError(
            "help_kind_unknown", _("Chọn nội dung hỗ trợ."), extra={"field": "kind"}
        )
    today = timezone.localdate()
    if given.helped_on > today:
        raise DomainError(
            "help_in_future",
            _("Ngày hỗ trợ không được sau hôm nay."),
            extra={"field": "helped_on"},
        )
    if given.helped_on < today - dt.timedelta(days=MAX_DAYS_BACK):
        raise DomainError(
            "help_too_old",
            _("Chỉ ghi nhận hỗ trợ trong %(n)d ngày gần đây.") % {"n": MAX_DAYS_BACK},
            extra={"field": "helped_on"},
        )
    if not 1 <= given.people <= 500:
        raise DomainError(
            "help_people_invalid",
            _("Số người được hỗ trợ từ 1 đến 500."),
            extra={"field": "people"},
        )
    village = village_of(team.commune, given.village) or team.village
    if village is None:
        raise DomainError(
            "help_village_required",
            _("Chọn thôn, tổ dân phố nơi hỗ trợ."),
            extra={"field": "village"},
        )
    made = Help(
        team=team,
        member=member,
        kind=given.kind,
        household=nfc(given.household),
        personal_id=given.personal_id.replace(" ", ""),
        people=given.people,
        village=village,
        commune=team.commune,
        helped_on=given.helped_on,
        note=nfc(given.note),
        logged_by=actor,
    )
    if not made.household:
        raise DomainError(
            "help_household_required",
            _("Ghi tên hộ hoặc người được hỗ trợ."),
            extra={"field": "household"},
        )
    validated(made)
    with transaction.atomic():
        made.save()
        audit.record(
            AUDIT_HELP,
            obj=made,
            actor=actor,
            detail={"kind": made.kind, "team": team.pk, "people": made.people},
        )
    return made
