"""Who may do what in reporting.

Administrators keep the indicator catalog, design forms and schedule them.
A unit's reporting officers fill its reports; its leaders approve or
return them. The unit a schedule reports to (its reporting officers and
leaders) follows every unit's status and the rolled-up result, but never a
draft's values. Leaders, reporting officers and administrators watch the
operations center.
"""

from typing import Any

from tinhso.accounts.models import Role
from tinhso.accounts.policies import held_roles, holds_role, is_official
from tinhso.core.models import OrgUnit
from tinhso.reporting.constants import ReportStatus
from tinhso.reporting.models import Report, Round

CENTER_ROLES = (Role.LEADER, Role.REPORTING_OFFICER, Role.ADMINISTRATOR)


def can_view_center(user: Any) -> bool:
    return is_official(user) and any(a.role in CENTER_ROLES for a in held_roles(user))


def can_use_reporting(user: Any) -> bool:
    """The reporting pages: report lists, forms and rounds one may follow."""
    return can_view_center(user)


def can_manage_catalog(user: Any) -> bool:
    """Indicators, targets, forms, schedules, alert rules, devices, map shapes."""
    return is_official(user) and holds_role(user, Role.ADMINISTRATOR)


def can_fill(user: Any, report: Report) -> bool:
    return holds_role(user, Role.REPORTING_OFFICER, report.unit)


def can_edit(user: Any, report: Report) -> bool:
    """Saving a draft, importing values, sending: while the unit holds it."""
    return can_fill(user, report) and report.status in (
        ReportStatus.PENDING,
        ReportStatus.DRAFT,
        ReportStatus.RETURNED,
    )


def can_review(user: Any, report: Report) -> bool:
    """Approving, returning or reopening: the unit's leaders."""
    return holds_role(user, Role.LEADER, report.unit)


def follows_round(user: Any, round_: Round) -> bool:
    """The receiving unit's officers and leaders (and administrators over it)."""
    owner: OrgUnit = round_.schedule.owner
    return any(
        holds_role(user, role, owner)
        for role in (Role.REPORTING_OFFICER, Role.LEADER, Role.ADMINISTRATOR)
    )


def can_see_values(user: Any, report: Report) -> bool:
    """A report's values: its own unit always; the receiving unit once the
    report is sent (a draft stays the unit's own)."""
    if can_fill(user, report) or can_review(user, report):
        return True
    if report.approved_id is not None:
        return follows_round(user, report.round)
    return report.status == ReportStatus.SUBMITTED and follows_round(user, report.round)


def can_see_report(user: Any, report: Report) -> bool:
    return can_see_values(user, report) or follows_round(user, report.round)
