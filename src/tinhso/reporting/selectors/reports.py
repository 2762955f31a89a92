"""Reads of periodic reports that follow a rule: what a user may list, the
version of a report a user may see, a round's overview and its rolled-up
result (approved reports only)."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import Role
from tinhso.accounts.policies import held_roles
from tinhso.core.errors import NotFound
from tinhso.reporting import policies, values
from tinhso.reporting.constants import ItemKind, ReportStatus
from tinhso.reporting.models import (
    FormItem,
    Report,
    ReportEvent,
    ReportVersion,
    Round,
)
from tinhso.reporting.selectors.figures import Parts, combine


def _unit_scope(user: Any, roles: tuple[str, ...], field: str) -> Q:
    condition = Q(pk__in=[])
    for a in held_roles(user):
        if a.role not in roles:
            continue
        if a.include_subtree:
            condition |= Q(**{f"{field}__path__startswith": a.org_unit.path})
        else:
            condition |= Q(**{f"{field}_id": a.org_unit_id})
    return condition


def own_reports(user: Any) -> QuerySet[Report]:
    """Reports of the units where ``user`` reports or leads."""
    return (
        Report.objects.filter(
            _unit_scope(user, (Role.REPORTING_OFFICER, Role.LEADER), "unit")
        )
        .select_related("round__form", "unit")
        .order_by("round__deadline", "unit__name_folded")
    )


def followed_rounds(user: Any) -> QuerySet[Round]:
    """Rounds reporting to a unit where ``user`` receives reports."""
    return (
        Round.objects.filter(
            _unit_scope(
                user,
                (Role.REPORTING_OFFICER, Role.LEADER, Role.ADMINISTRATOR),
                "schedule__owner",
            )
        )
        .select_related("form", "schedule__owner")
        .order_by("-period_end", "form__name")
    )


def get_report(user: Any, report_id: int) -> Report:
    report = (
        Report.objects.select_related(
            "round__form", "round__schedule__owner", "unit", "current", "approved"
        )
        .filter(pk=report_id)
        .first()
    )
    if report is None or not policies.can_see_report(user, report):
        raise NotFound("report_not_found", _("Không tìm thấy báo cáo."))
    return report


def get_round(user: Any, round_id: int) -> Round:
    found = (
        Round.objects.select_related("form", "schedule__owner")
        .filter(pk=round_id)
        .first()
    )
    if found is None or not (
        policies.follows_round(user, found) or policies.can_manage_catalog(user)
    ):
        raise NotFound("round_not_found", _("Không tìm thấy kỳ báo cáo."))
    return found


def visible_version(user: Any, report: Report) -> ReportVersion | None:
    """What ``user`` may read of ``report``: its own unit the version being
    worked on; the receiving unit what was sent (a draft is never shown)."""
    if policies.can_fill(user, report) or policies.can_review(user, report):
        return report.current
    if report.status == ReportStatus.SUBMITTED:
        return report.current
    return report.approved if policies.can_see_values(user, report) else None


def history(report: Report) -> QuerySet[ReportEvent]:
    return report.events.select_related("actor", "version").order_by("at", "pk")


@dataclass
class RoundLine:
    report: Report
    late: bool


@dataclass
class Overview:
    round: Round
    lines: list[RoundLine]
    counts: dict[str, int] = field(default_factory=dict)
    late: int = 0


def overview(round_: Round, today: dt.date | None = None) -> Overview:
    """Every unit's status in the round, and who is late."""
    from tinhso.reporting.services.reports import is_late

    today = today or timezone.localdate()
    reports = list(
        round_.reports.select_related("unit", "round").order_by("unit__name_folded")
    )
    lines = [RoundLine(r, is_late(r, today)) for r in reports]
    counts = {status: 0 for status in ReportStatus.values}
    for r in reports:
        counts[r.status] += 1
    return Overview(round_, lines, counts, sum(1 for line in lines if line.late))


@dataclass
class RolledItem:
    item: FormItem
    figure: Decimal | None
    value: Decimal | None  # a ratio's numerator (or the sum)
    total: Decimal | None
    units: int
    texts: list[tuple[str, str]] = field(default_factory=list)


def rollup(round_: Round) -> tuple[list[RolledItem], int, int]:
    """The round's result over its approved reports: each indicator rolled up
    as the catalog says, each plain number added, the texts listed by unit.
    Returns the items, the approved reports counted and all reports."""
    items = values.items_of(round_.form)
    reports = list(
        round_.reports.filter(approved__isnull=False)
        .select_related("approved", "unit")
        .order_by("unit__name_folded")
    )
    result = []
    for item in items:
        if item.kind == ItemKind.TEXT:
            texts = [
                (r.unit.name, r.approved.values[item.key]["text"])
                for r in reports
                if r.approved is not None and item.key in r.approved.values
            ]
            result.append(RolledItem(item, None, None, None, len(texts), texts))
            continue
        parts = Parts()
        for r in reports:
            assert r.approved is not None
            value = values.number(r.approved.values, item.key)
            if value is None:
                continue
            total = values.number(r.approved.values, item.key, "total")
            parts.add(float(value), float(total) if total is not None else None)
        figure: float | None
        if item.indicator is not None:
            figure = combine(item.indicator, parts)
        else:
            figure = parts.value if parts.units else None
        result.append(
            RolledItem(
                item,
                _decimal(figure),
                _decimal(parts.value) if parts.units else None,
                _decimal(parts.total) if item.is_ratio and parts.units else None,
                parts.units,
            )
        )
    return result, len(reports), round_.reports.count()


def _decimal(figure: float | None) -> Decimal | None:
    if figure is None:
        return None
    return Decimal(str(round(figure, 4))).normalize()
