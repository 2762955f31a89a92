"""Reads of the community teams: the communes a user oversees, teams and
their activity, coverage of villages, totals of help and of training."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from tinhso.accounts.models import Role
from tinhso.accounts.policies import held_roles
from tinhso.community.constants import ACTIVE_DAYS, HelpKind, TeamRole, TrainingGroup
from tinhso.community.models import Attendance, Course, Help, Member, Session, Team
from tinhso.community.policies import OVERSEERS
from tinhso.core.models import OrgUnit, OrgUnitKind


def _communes(
    user: Any, roles: tuple[str, ...], *, province_wide: bool
) -> QuerySet[OrgUnit]:
    """Communes below ``user``'s ``roles``: a role over a subtree covers the
    communes in it, one at a commune that commune, and with
    ``province_wide`` one at the province covers them all."""
    wanted = Q(pk__in=[])
    for a in held_roles(user):
        if a.role not in roles:
            continue
        unit = a.org_unit
        if a.include_subtree or (province_wide and unit.kind == OrgUnitKind.PROVINCE):
            wanted |= Q(path__startswith=unit.path)
        elif unit.kind == OrgUnitKind.COMMUNE:
            wanted |= Q(pk=unit.pk)
    return OrgUnit.objects.filter(
        wanted, kind=OrgUnitKind.COMMUNE, legacy=False
    ).order_by("name")


def overseen_communes(user: Any) -> QuerySet[OrgUnit]:
    """Communes whose teams ``user`` oversees (policies.can_oversee)."""
    return _communes(user, OVERSEERS, province_wide=True)


def managed_communes(user: Any) -> QuerySet[OrgUnit]:
    """Communes where ``user`` keeps teams and training (policies.can_manage)."""
    return _communes(
        user, (Role.COMMUNITY_OFFICER, Role.ADMINISTRATOR), province_wide=False
    )


def teams_in(communes: QuerySet[OrgUnit]) -> QuerySet[Team]:
    return (
        Team.objects.filter(commune__in=communes, dissolved_on__isnull=True)
        .select_related("commune", "village")
        .annotate(
            n_members=Count("members", filter=Q(members__left_on__isnull=True)),
        )
        .order_by("commune__name", "name")
    )


def sessions_in(communes: QuerySet[OrgUnit]) -> QuerySet[Session]:
    return (
        Session.objects.filter(commune__in=communes)
        .select_related("course", "commune")
        .order_by("-held_on")
    )


def courses() -> QuerySet[Course]:
    return Course.objects.select_related("organiser").order_by("name")


def active_members(team: Team) -> QuerySet[Member]:
    """The leader first, then deputies, then members by name."""
    rank = Case(
        When(team_role=TeamRole.LEADER, then=Value(0)),
        When(team_role=TeamRole.DEPUTY, then=Value(1)),
        default=Value(2),
    )
    return (
        team.members.filter(left_on__isnull=True)
        .select_related("account")
        .order_by(rank, "full_name")
    )


def helps_of_team(team: Team) -> QuerySet[Help]:
    return team.helps.select_related("member", "village").order_by("-logged_at")


def helps_of_member(member: Member) -> QuerySet[Help]:
    return member.helps.select_related("village").order_by("-logged_at")


@dataclass
class CommuneCoverage:
    commune: OrgUnit
    villages: int = 0
    with_team: int = 0
    active_teams: int = 0
    members: int = 0
    helped: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def share(self) -> float | None:
        return 100 * self.with_team / self.villages if self.villages else None


@dataclass
class Coverage:
    communes: list[CommuneCoverage]
    first: dt.date
    last: dt.date

    def total(self, name: str) -> int:
        return sum(getattr(c, name) for c in self.communes)

    @property
    def total_villages(self) -> int:
        return self.total("villages")

    @property
    def total_with_team(self) -> int:
        return self.total("with_team")

    @property
    def total_active(self) -> int:
        return self.total("active_teams")

    @property
    def total_members(self) -> int:
        return self.total("members")

    @property
    def total_helped(self) -> int:
        return self.total("helped")

    @property
    def share(self) -> float | None:
        villages = self.total_villages
        return 100 * self.total_with_team / villages if villages else None

    @property
    def by_kind(self) -> list[tuple[str, int]]:
        return [
            (str(label), sum(c.by_kind.get(value, 0) for c in self.communes))
            for value, label in HelpKind.choices
        ]


def coverage(communes: QuerySet[OrgUnit], first: dt.date, last: dt.date) -> Coverage:
    """For each commune: villages, villages with a team, teams active in the
    last ``ACTIVE_DAYS`` days, members, and people helped from ``first`` to
    ``last`` by kind; five grouped queries whatever the number of communes."""
    rows = {c.pk: CommuneCoverage(c) for c in communes}
    ids = list(rows)
    for commune_id, n in (
        OrgUnit.objects.filter(
            parent_id__in=ids, kind=OrgUnitKind.VILLAGE, legacy=False
        )
        .values("parent_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("parent_id", "n")
    ):
        rows[commune_id].villages = n
    teams = Team.objects.filter(commune_id__in=ids, dissolved_on__isnull=True)
    for commune_id, n in (
        teams.filter(village__isnull=False)
        .values("commune_id")
        .annotate(n=Count("village_id", distinct=True))
        .order_by()
        .values_list("commune_id", "n")
    ):
        rows[commune_id].with_team = n
    since = timezone.now() - dt.timedelta(days=ACTIVE_DAYS)
    for commune_id, n in (
        teams.filter(helps__logged_at__gte=since)
        .values("commune_id")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
        .values_list("commune_id", "n")
    ):
        rows[commune_id].active_teams = n
    for commune_id, n in (
        Member.objects.filter(team__in=teams, left_on__isnull=True)
        .values("team__commune_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("team__commune_id", "n")
    ):
        rows[commune_id].members = n
    for commune_id, kind, n in (
        Help.objects.filter(
            commune_id__in=ids, helped_on__gte=first, helped_on__lte=last
        )
        .values("commune_id", "kind")
        .annotate(n=Sum("people"))
        .order_by()
        .values_list("commune_id", "kind", "n")
    ):
        row = rows[commune_id]
        row.by_kind[kind] = n
        row.helped += n
    # Communes with teams first: a province has a hundred or more.
    ordered = sorted(
        rows.values(), key=lambda c: (-c.with_team, -c.helped, c.commune.name)
    )
    return Coverage(ordered, first, last)


@dataclass
class TrainedRow:
    commune: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def trained(
    communes: QuerySet[OrgUnit], first: dt.date, last: dt.date
) -> list[TrainedRow]:
    """People trained, by commune and group, in sessions held from ``first``
    to ``last``."""
    rows: dict[str, TrainedRow] = {}
    for r in (
        Attendance.objects.filter(
            session__commune__in=communes,
            session__held_on__gte=first,
            session__held_on__lte=last,
        )
        .values("session__commune__name", "group")
        .annotate(n=Count("pk"))
        .order_by("session__commune__name")
    ):
        name = r["session__commune__name"]
        rows.setdefault(name, TrainedRow(name, {g: 0 for g in TrainingGroup.values}))
        rows[name].counts[r["group"]] = r["n"]
    return list(rows.values())
