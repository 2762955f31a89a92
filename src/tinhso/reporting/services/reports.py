"""The life of a unit's report: a round opens it, the unit's reporting
officer fills it (prefilled from computed figures) and sends it, a leader
approves it or returns it; reminders go out before and after the deadline.

Values live in versions. The draft version changes as the officer works;
sending seals it for good. Returning, or reopening an approved report,
starts the next version from a copy, and the approved version stays what
the unit reported until a new one is approved.
"""

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import Role
from tinhso.accounts.selectors import role_holders
from tinhso.core import audit
from tinhso.core.errors import Conflict, DomainError, Forbidden
from tinhso.core.text import nfc
from tinhso.reporting import policies, values
from tinhso.reporting.constants import (
    Frequency,
    ItemKind,
    ReportAct,
    ReportStatus,
    Source,
)
from tinhso.reporting.models import (
    Reminder,
    Report,
    ReportEvent,
    ReportVersion,
    Round,
    Schedule,
)
from tinhso.reporting.periods import Period, periods_between
from tinhso.reporting.selectors.figures import combine, total_parts, unit_figures
from tinhso.reporting.services import facts

logger = logging.getLogger(__name__)


# Rounds --------------------------------------------------------------------------


def _periods(schedule: Schedule, today: dt.date) -> list[Period]:
    if schedule.frequency == Frequency.ONCE:
        assert schedule.ends is not None
        label = _("Từ %(start)s đến %(end)s") % {
            "start": schedule.starts.strftime("%d/%m/%Y"),
            "end": schedule.ends.strftime("%d/%m/%Y"),
        }
        return [Period(label, schedule.starts, schedule.ends)]
    return periods_between(
        schedule.frequency, schedule.starts, today, cutoff_15th=schedule.cutoff_15th
    )


def open_due_rounds(
    *, today: dt.date | None = None, schedules: Iterable[Schedule] | None = None
) -> list[Round]:
    """Open the round of every period that has begun, with a pending report
    for each unit; a round already open is left as it is."""
    today = today or timezone.localdate()
    chosen = (
        list(schedules)
        if schedules is not None
        else list(Schedule.objects.filter(active=True).select_related("form"))
    )
    opened = []
    for schedule in chosen:
        units = list(schedule.units.all())
        for period in _periods(schedule, today):
            if period.start > today:
                continue
            with transaction.atomic():
                round_, created = Round.objects.get_or_create(
                    schedule=schedule,
                    period_start=period.start,
                    defaults={
                        "form": schedule.form,
                        "label": period.label,
                        "period_end": period.end,
                        "deadline": period.end
                        + dt.timedelta(days=schedule.deadline_days),
                    },
                )
                if not created:
                    continue
                Report.objects.bulk_create(
                    [Report(round=round_, unit=unit) for unit in units]
                )
                opened.append(round_)
    return opened


# Filling -------------------------------------------------------------------------


def _may_edit(actor: Any, report: Report) -> None:
    if not policies.can_fill(actor, report):
        raise Forbidden(
            "not_reporting_officer",
            _("Chỉ cán bộ báo cáo của %(unit)s mới nhập được báo cáo này.")
            % {"unit": report.unit.name},
        )
    if not policies.can_edit(actor, report):
        raise Conflict(
            "report_not_editable",
            _("Báo cáo đang ở trạng thái “%(status)s”, không sửa được.")
            % {"status": report.get_status_display()},
        )


def prefill(report: Report) -> values.Values:
    """Figures the platform already has for the report's unit and period:
    each computed indicator on the form, over the unit's whole subtree."""
    items = [
        i
        for i in values.items_of(report.round.form)
        if i.kind == ItemKind.INDICATOR
        and i.indicator is not None
        and i.indicator.source == Source.COMPUTED
    ]
    if not items:
        return {}
    indicators = {i.indicator.pk: i.indicator for i in items if i.indicator}
    figures = unit_figures(
        indicators.values(),
        report.round.period_start,
        report.round.period_end,
        report.unit,
    )
    found: values.Values = {}
    for item in items:
        assert item.indicator is not None
        parts = total_parts(figures.by_unit[item.indicator.pk])
        if not parts.units:
            continue
        if item.is_ratio:
            found[item.key] = {
                "value": values.normal(Decimal(str(parts.value))),
                "total": values.normal(Decimal(str(parts.total))),
            }
        else:
            figure = combine(item.indicator, parts)
            if figure is not None:
                found[item.key] = {"value": values.normal(Decimal(str(figure)))}
    return found


def _draft(actor: Any, report: Report) -> ReportVersion:
    """The version being worked on: the open draft, or a new one copied from
    the last sent version (or prefilled, for a first one)."""
    current = report.current
    if current is not None and not current.sealed:
        return current
    number = (current.number + 1) if current is not None else 1
    start = dict(current.values) if current is not None else prefill(report)
    draft = ReportVersion.objects.create(
        report=report, number=number, values=start, created_by=actor
    )
    report.current = draft
    if report.status == ReportStatus.PENDING:
        report.status = ReportStatus.DRAFT
    report.save(update_fields=["current", "status"])
    return draft


def _locked(report: Report) -> Report:
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("round__form", "round__schedule__owner", "unit", "current")
        .get(pk=report.pk)
    )


def start(actor: Any, report: Report) -> ReportVersion:
    """Open the report for filling (prefilled on the first time)."""
    with transaction.atomic():
        report = _locked(report)
        _may_edit(actor, report)
        return _draft(actor, report)


def save_values(
    actor: Any,
    report: Report,
    given: Mapping[str, Any],
    *,
    act: str = ReportAct.SAVED,
) -> values.Checked:
    """Save the draft from ``given``; a bad value saves nothing and is named."""
    with transaction.atomic():
        report = _locked(report)
        _may_edit(actor, report)
        form = report.round.form
        items = values.items_of(form)
        checked = values.check(
            items,
            form.rules.prefetch_related("parts"),
            values.read(items, given),
            complete=False,
        )
        if not checked.ok:
            return checked
        draft = _draft(actor, report)
        draft.values = checked.values
        draft.save(update_fields=["values", "updated_at"])
        ReportEvent.objects.create(report=report, act=act, version=draft, actor=actor)
    return checked


def submit(actor: Any, report: Report) -> values.Checked:
    """Send the draft: every required value present and every rule kept."""
    with transaction.atomic():
        report = _locked(report)
        _may_edit(actor, report)
        draft = _draft(actor, report)
        form = report.round.form
        items = values.items_of(form)
        checked = values.check(
            items,
            form.rules.prefetch_related("parts"),
            values.Checked(values=dict(draft.values)),
            complete=True,
        )
        if not checked.ok:
            return checked
        draft.sealed = True
        draft.save(update_fields=["sealed", "updated_at"])
        report.status = ReportStatus.SUBMITTED
        report.submitted_at = timezone.now()
        report.save(update_fields=["status", "submitted_at"])
        ReportEvent.objects.create(
            report=report, act=ReportAct.SUBMITTED, version=draft, actor=actor
        )
        audit.record(
            "reporting.report_submitted",
            obj=report,
            actor=actor,
            detail={
                "round": report.round_id,
                "unit": report.unit.code,
                "version": draft.number,
            },
        )
    return checked


# Reviewing -----------------------------------------------------------------------


def _may_review(actor: Any, report: Report, status: str, what: str) -> None:
    if not policies.can_review(actor, report):
        raise Forbidden(
            "not_unit_leader",
            _("Chỉ lãnh đạo %(unit)s mới %(what)s báo cáo này.")
            % {"unit": report.unit.name, "what": what},
        )
    if report.status != status:
        raise Conflict(
            "report_wrong_status",
            _("Báo cáo đang ở trạng thái “%(status)s”.")
            % {"status": report.get_status_display()},
        )


def _comment(raw: str) -> str:
    comment = nfc(raw or "").strip()
    if not comment:
        raise DomainError(
            "comment_required",
            _("Ghi rõ lý do để đơn vị biết cần sửa gì."),
            extra={"field": "comment"},
        )
    return comment


def record_facts(report: Report, version: ReportVersion) -> None:
    """The approved values of reported indicators become the unit's facts on
    the last day of the period."""
    day = report.round.period_end
    for item in values.items_of(report.round.form):
        ind = item.indicator
        if (
            item.kind != ItemKind.INDICATOR
            or ind is None
            or ind.source != Source.REPORTED
        ):
            continue
        value = values.number(version.values, item.key)
        total = values.number(version.values, item.key, "total")
        facts.put_reported(
            ind,
            report.unit_id,
            day,
            float(value) if value is not None else None,
            float(total) if total is not None else None,
        )


def approve(actor: Any, report: Report) -> Report:
    with transaction.atomic():
        report = _locked(report)
        _may_review(actor, report, ReportStatus.SUBMITTED, _("duyệt"))
        version = report.current
        assert version is not None and version.sealed
        report.status = ReportStatus.APPROVED
        report.approved = version
        report.approved_at = timezone.now()
        report.save(update_fields=["status", "approved", "approved_at"])
        record_facts(report, version)
        ReportEvent.objects.create(
            report=report, act=ReportAct.APPROVED, version=version, actor=actor
        )
        audit.record(
            "reporting.report_approved",
            obj=report,
            actor=actor,
            detail={"version": version.number, "unit": report.unit.code},
        )
    return report


def send_back(actor: Any, report: Report, comment: str) -> Report:
    """Return a sent report to its unit with what to correct."""
    with transaction.atomic():
        report = _locked(report)
        _may_review(actor, report, ReportStatus.SUBMITTED, _("trả lại"))
        report.status = ReportStatus.RETURNED
        report.save(update_fields=["status"])
        ReportEvent.objects.create(
            report=report,
            act=ReportAct.RETURNED,
            version=report.current,
            actor=actor,
            comment=_comment(comment),
        )
        audit.record(
            "reporting.report_returned",
            obj=report,
            actor=actor,
            detail={"comment": comment},
        )
    return report


def reopen(actor: Any, report: Report, comment: str) -> ReportVersion:
    """Let the unit correct an approved report in a new version; the
    approved one stands until the new one is approved."""
    with transaction.atomic():
        report = _locked(report)
        _may_review(actor, report, ReportStatus.APPROVED, _("mở lại"))
        reason = _comment(comment)
        report.status = ReportStatus.RETURNED
        report.save(update_fields=["status"])
        ReportEvent.objects.create(
            report=report,
            act=ReportAct.REOPENED,
            version=report.current,
            actor=actor,
            comment=reason,
        )
        audit.record(
            "reporting.report_reopened",
            obj=report,
            actor=actor,
            detail={"comment": reason},
        )
        return _draft(actor, report)


# Reminders -----------------------------------------------------------------------


def is_late(report: Report, today: dt.date | None = None) -> bool:
    """Not sent by the deadline: still unsent after it, or sent after it."""
    deadline = report.round.deadline
    if report.submitted_at is not None:
        return timezone.localtime(report.submitted_at).date() > deadline
    return (today or timezone.localdate()) > deadline


def _officers(report: Report) -> list[Any]:
    holders = role_holders(Role.REPORTING_OFFICER)
    return [
        a.user
        for a in holders
        if a.org_unit_id == report.unit_id
        or (a.include_subtree and report.unit.path.startswith(a.org_unit.path))
    ]


def send_reminders(today: dt.date | None = None) -> dict[str, int]:
    """Remind the officers of each unsent report, once when the deadline is
    near and once when it has passed."""
    today = today or timezone.localdate()
    unsent = Report.objects.filter(
        status__in=[ReportStatus.PENDING, ReportStatus.DRAFT, ReportStatus.RETURNED]
    ).select_related("round__form", "round__schedule", "unit")
    due = unsent.filter(
        round__deadline__gte=today,
    ).exclude(reminders__late=False)
    late = unsent.filter(round__deadline__lt=today).exclude(reminders__late=True)
    counts = {"before": 0, "after": 0}
    for report in due:
        if (report.round.deadline - today).days <= report.round.schedule.remind_days:
            counts["before"] += _remind(report, late=False)
    for report in late:
        counts["after"] += _remind(report, late=True)
    return counts


def _remind(report: Report, *, late: bool) -> int:
    people = _officers(report)
    facts_ = {
        "form": report.round.form.name,
        "period": report.round.label,
        "unit": report.unit.name,
        "deadline": report.round.deadline.strftime("%d/%m/%Y"),
    }
    if late:
        subject = _("Báo cáo quá hạn: %(form)s — %(period)s") % facts_
        text = (
            _(
                "Báo cáo “%(form)s” kỳ %(period)s của %(unit)s đã quá hạn gửi "
                "(%(deadline)s). Đề nghị hoàn thành và gửi ngay."
            )
            % facts_
        )
    else:
        subject = _("Sắp đến hạn báo cáo: %(form)s — %(period)s") % facts_
        text = (
            _(
                "Báo cáo “%(form)s” kỳ %(period)s của %(unit)s cần gửi trước hết ngày "
                "%(deadline)s."
            )
            % facts_
        )
    with transaction.atomic():
        _reminder, created = Reminder.objects.get_or_create(
            report=report,
            late=late,
            defaults={"recipients": [u.username for u in people]},
        )
        if not created:
            return 0
    addresses = [u.email for u in people if u.email]
    if addresses:
        try:
            send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, addresses)
        except OSError:  # the reminder stays recorded; the page shows it too
            logger.exception("reminder e-mail for report %s not sent", report.pk)
    return 1


def overdue_filter(today: dt.date) -> Q:
    return Q(round__deadline__lt=today) & Q(
        status__in=[ReportStatus.PENDING, ReportStatus.DRAFT, ReportStatus.RETURNED]
    )
