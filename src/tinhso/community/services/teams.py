"""Teams and their members, kept by the commune's community officers."""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import User
from tinhso.community.constants import AUDIT_MEMBER, AUDIT_TEAM, TeamRole
from tinhso.community.models import Member, Team
from tinhso.community.services._common import may_manage, village_of
from tinhso.core import audit
from tinhso.core.errors import DomainError, validated
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.core.text import nfc


def default_name(village: OrgUnit | None, commune: OrgUnit) -> str:
    return _("Tổ công nghệ số cộng đồng %(place)s") % {
        "place": (village or commune).name
    }


def save_team(actor: Any, team: Team) -> Team:
    if team.commune.kind != OrgUnitKind.COMMUNE:
        raise DomainError(
            "not_a_commune",
            _("Chọn xã, phường, đặc khu của tổ."),
            extra={"field": "commune"},
        )
    may_manage(actor, team.commune)
    village_of(team.commune, team.village)
    team.name = nfc(team.name) or default_name(team.village, team.commune)
    team.established_on = team.established_on or timezone.localdate()
    validated(team)
    try:
        with transaction.atomic():
            created = team.pk is None
            team.save()
            audit.record(
                AUDIT_TEAM,
                obj=team,
                actor=actor,
                detail={"name": team.name, "created": created},
            )
    except IntegrityError:
        raise DomainError(
            "village_has_team",
            _("%(village)s đã có tổ công nghệ số cộng đồng.")
            % {"village": team.village.name if team.village else ""},
            extra={"field": "village"},
        ) from None
    return team


def dissolve(actor: Any, team: Team, on: dt.date | None = None) -> Team:
    """Close a team; its members leave it the same day."""
    may_manage(actor, team.commune)
    with transaction.atomic():
        team.dissolved_on = on or timezone.localdate()
        team.save(update_fields=["dissolved_on"])
        team.members.filter(left_on__isnull=True).update(left_on=team.dissolved_on)
        audit.record(AUDIT_TEAM, obj=team, actor=actor, detail={"dissolved": 1})
    return team


def _one_leader(member: Member) -> None:
    if member.team_role != TeamRole.LEADER:
        return
    other = (
        member.team.members.filter(team_role=TeamRole.LEADER, left_on__isnull=True)
        .exclude(pk=member.pk)
        .first()
    )
    if other is not None:
        raise DomainError(
            "team_has_leader",
            _("Tổ đã có tổ trưởng %(name)s; đổi vai trò của người đó trước.")
            % {"name": other.full_name},
            extra={"field": "team_role"},
        )


def clean_member(member: Member) -> None:
    member.full_name = nfc(member.full_name)
    member.organisation = nfc(member.organisation)
    member.phone = member.phone.replace(" ", "").replace(".", "")
    member.joined_on = member.joined_on or timezone.localdate()
    validated(member, exclude=["team", "account"])


def save_member(actor: Any, member: Member) -> Member:
    may_manage(actor, member.team.commune)
    clean_member(member)
    _one_leader(member)
    try:
        with transaction.atomic():
            created = member.pk is None
            member.save()
            audit.record(
                AUDIT_MEMBER,
                obj=member,
                actor=actor,
                detail={"team": member.team_id, "created": created},
            )
    except IntegrityError:
        raise DomainError(
            "member_phone_taken",
            _("Tổ đã có thành viên dùng số điện thoại %(phone)s.")
            % {"phone": member.phone},
            extra={"field": "phone"},
        ) from None
    return member


def leave(actor: Any, member: Member, on: dt.date | None = None) -> Member:
    may_manage(actor, member.team.commune)
    with transaction.atomic():
        member.left_on = on or timezone.localdate()
        member.save(update_fields=["left_on"])
        audit.record(AUDIT_MEMBER, obj=member, actor=actor, detail={"left": 1})
    return member


def link_account(actor: Any, member: Member, username: str) -> Member:
    """Let the member sign in with an existing account to log help."""
    may_manage(actor, member.team.commune)
    account = User.objects.filter(username=username.strip(), is_active=True).first()
    if account is not None and not (
        (member.personal_id and account.username == member.personal_id)
        or (account.phone and account.phone == member.phone)
    ):
        # A typo must not hand a stranger the member's page and log.
        raise DomainError(
            "account_not_member",
            _(
                "Tài khoản “%(name)s” không mang số CCCD hay số điện thoại của "
                "%(member)s; kiểm tra lại."
            )
            % {"name": account.username, "member": member.full_name},
            extra={"field": "username"},
        )
    if account is None:
        raise DomainError(
            "account_not_found",
            _(
                "Không có tài khoản đang hoạt động tên “%(name)s”. Người dân đăng ký "
                "tài khoản bằng số CCCD trước, rồi nhập số đó vào đây."
            )
            % {"name": username.strip()},
            extra={"field": "username"},
        )
    with transaction.atomic():
        member.account = account
        member.save(update_fields=["account"])
        audit.record(
            AUDIT_MEMBER,
            obj=member,
            actor=actor,
            detail={"account": account.username},
        )
    return member
