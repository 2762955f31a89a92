"""A unit's report from draft to approval: values checked whole, versions
sealed once sent, approval turning reported indicators into facts, late
reports flagged, drafts kept to their own unit, reminders sent once."""

import datetime as dt

from django.core import mail

import pytest

from tests.reporting.conftest import GOOD, TODAY, Province, schedule
from tinhso.core.errors import Conflict, DomainError, Forbidden, NotFound
from tinhso.reporting.constants import ReportStatus
from tinhso.reporting.models import Fact, Report, ReportForm, ReportVersion
from tinhso.reporting.selectors import reports as selectors
from tinhso.reporting.services import forms, reports

pytestmark = pytest.mark.django_db


def report_of(place: Province, form: ReportForm, n: int = 0) -> Report:
    round_ = schedule(place, form)
    return Report.objects.get(round=round_, unit=place.communes[n])


def test_rounds_open_for_every_period_begun_with_a_report_per_unit(place, form) -> None:  # type: ignore[no-untyped-def]
    round_ = schedule(place, form)
    assert round_.label == "Quý II/2026"
    assert (round_.period_start, round_.period_end) == (
        dt.date(2026, 3, 15),
        dt.date(2026, 6, 14),
    )
    assert round_.deadline == dt.date(2026, 6, 19)
    assert set(round_.reports.values_list("unit", flat=True)) == {
        c.pk for c in place.communes
    }
    assert all(r.status == ReportStatus.PENDING for r in round_.reports.all())
    # Opening again opens nothing twice.
    assert reports.open_due_rounds(today=TODAY) == []


def test_a_bad_value_saves_nothing_and_names_the_line(place, form) -> None:  # type: ignore[no-untyped-def]
    report = report_of(place, form)
    officer = place.officers[0]
    assert reports.save_values(officer, report, GOOD).ok
    bad = GOOD | {"ho_tro": "ba mươi", "hai_long": "11", "dinh_danh": "2000"}
    checked = reports.save_values(officer, report, bad)
    assert not checked.ok
    assert checked.errors["ho_tro"] == ["“ba mươi” không phải là số."]
    assert checked.errors["hai_long"] == ["Không được lớn hơn 10."]
    assert checked.errors["dinh_danh"] == ["Tử số không được lớn hơn mẫu số."]
    report.refresh_from_db()
    assert report.current.values["ho_tro"] == {"value": "35"}
    assert report.current.values["dinh_danh"] == {"value": "812", "total": "1045"}
    assert report.current.values["hai_long"] == {"value": "8.5"}


def test_totals_must_add_up_and_required_lines_be_there_to_send(place, form) -> None:  # type: ignore[no-untyped-def]
    report = report_of(place, form)
    officer = place.officers[0]
    checked = reports.save_values(officer, report, GOOD | {"ho_tro_khac": "10"})
    assert checked.errors == {
        "ho_tro": ["ho_tro phải bằng tổng ho_tro_vneid, ho_tro_khac (31), đang là 35."]
    }
    assert reports.save_values(
        officer, report, {"dinh_danh": "5", "dinh_danh.total": "9"}
    ).ok
    refused = reports.submit(officer, report)
    assert set(refused.errors) == {"ho_tro", "ho_tro_vneid", "ho_tro_khac", "hai_long"}
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert not report.current.sealed


def test_approval_makes_facts_and_an_approved_report_changes_only_in_a_new_version(
    place, form, catalog_
) -> None:  # type: ignore[no-untyped-def]
    report = report_of(place, form)
    officer, leader = place.officers[0], place.leaders[0]
    reports.save_values(officer, report, GOOD)
    assert reports.submit(officer, report).ok
    with pytest.raises(Forbidden):  # the officer cannot approve
        reports.approve(officer, report)
    reports.approve(leader, report)
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    first = report.approved
    assert first.number == 1 and first.sealed
    fact = Fact.objects.get(indicator=catalog_["share"], unit=place.communes[0])
    assert (fact.day, fact.value, fact.total) == (dt.date(2026, 6, 14), 812.0, 1045.0)
    # Neither the service nor the table lets the approved values change.
    with pytest.raises(Conflict):
        reports.save_values(
            officer, report, GOOD | {"ho_tro": "40", "ho_tro_khac": "19"}
        )
    first.values = {"ho_tro": {"value": "1"}}
    with pytest.raises(PermissionError):
        first.save()
    # Reopened: version 2 starts from version 1, which stays approved.
    with pytest.raises(DomainError, match="lý do"):
        reports.reopen(leader, report, "")
    second = reports.reopen(leader, report, "Sai số lượt hỗ trợ")
    assert (
        second.number == 2
        and second.values == ReportVersion.objects.get(pk=first.pk).values
    )
    reports.save_values(officer, report, GOOD | {"ho_tro": "40", "ho_tro_khac": "19"})
    report.refresh_from_db()
    assert report.approved_id == first.pk
    assert report.current_id == second.pk
    assert ReportVersion.objects.get(pk=first.pk).values["ho_tro"] == {"value": "35"}
    assert reports.submit(officer, report).ok
    reports.approve(leader, report)
    assert (
        Fact.objects.get(indicator=catalog_["help"], unit=place.communes[0]).value
        == 40.0
    )
    acts = list(report.events.values_list("act", flat=True))
    assert acts == [
        "saved",
        "submitted",
        "approved",
        "reopened",
        "saved",
        "submitted",
        "approved",
    ]


def test_a_returned_report_comes_back_as_a_new_draft(place, form) -> None:  # type: ignore[no-untyped-def]
    report = report_of(place, form)
    officer, leader = place.officers[0], place.leaders[0]
    reports.save_values(officer, report, GOOD)
    reports.submit(officer, report)
    reports.send_back(leader, report, "Kiểm tra lại số người kích hoạt")
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    reports.save_values(officer, report, GOOD | {"dinh_danh": "800"})
    report.refresh_from_db()
    assert report.current.number == 2
    assert report.versions.get(number=1).values["dinh_danh"]["value"] == "812"


def test_a_late_report_is_flagged(place, form) -> None:  # type: ignore[no-untyped-def]
    report = report_of(place, form)
    deadline = report.round.deadline
    assert not reports.is_late(report, deadline)
    assert reports.is_late(report, deadline + dt.timedelta(days=1))
    # Sent now (December), long after the June deadline: late for good.
    reports.save_values(place.officers[0], report, GOOD)
    reports.submit(place.officers[0], report)
    report.refresh_from_db()
    assert reports.is_late(report, deadline)
    overview = selectors.overview(report.round, today=deadline + dt.timedelta(days=1))
    assert overview.late == 3
    assert overview.counts[ReportStatus.SUBMITTED] == 1


def test_one_unit_never_sees_another_units_draft(place, form) -> None:  # type: ignore[no-untyped-def]
    report = report_of(place, form)
    reports.save_values(place.officers[0], report, GOOD)
    # Another commune's officer: not even the report.
    with pytest.raises(NotFound):
        selectors.get_report(place.officers[1], report.pk)
    with pytest.raises(Forbidden):
        reports.save_values(place.officers[1], report, GOOD)
    # The receiving unit sees the status, not the draft's values.
    seen = selectors.get_report(place.receiver, report.pk)
    assert seen.status == ReportStatus.DRAFT
    assert selectors.visible_version(place.receiver, seen) is None
    reports.submit(place.officers[0], report)
    seen = selectors.get_report(place.receiver, report.pk)
    assert selectors.visible_version(place.receiver, seen).values["ho_tro"] == {
        "value": "35"
    }


def test_the_round_rolls_up_approved_reports_only(place, form) -> None:  # type: ignore[no-untyped-def]
    round_ = schedule(place, form)
    filled = [
        GOOD,
        GOOD
        | {
            "dinh_danh": "300",
            "dinh_danh.total": "400",
            "ho_tro": "10",
            "ho_tro_vneid": "4",
            "ho_tro_khac": "6",
            "hai_long": "7",
        },
        GOOD | {"dinh_danh": "999", "dinh_danh.total": "1000"},  # sent, not approved
    ]
    for n, values in enumerate(filled):
        report = Report.objects.get(round=round_, unit=place.communes[n])
        reports.save_values(place.officers[n], report, values)
        reports.submit(place.officers[n], report)
        if n < 2:
            reports.approve(place.leaders[n], report)
    rolled, approved, everyone = selectors.rollup(round_)
    assert (approved, everyone) == (2, 3)
    by_key = {r.item.key: r for r in rolled}
    # Weighted: (812 + 300) / (1045 + 400), not the mean of 77.7% and 75%.
    assert float(by_key["dinh_danh"].figure) == pytest.approx(76.955, abs=0.001)
    assert (by_key["dinh_danh"].value, by_key["dinh_danh"].total) == (1112, 1445)
    assert by_key["ho_tro"].figure == 45
    assert float(by_key["hai_long"].figure) == pytest.approx(7.75)
    assert [unit for unit, _text in by_key["kien_nghi"].texts] == [
        "Phường Hà Giang 1",
        "Xã Đồng Văn",
    ]


def test_a_form_with_a_round_is_frozen_and_copied_to_change(place, form) -> None:  # type: ignore[no-untyped-def]
    schedule(place, form)
    with pytest.raises(Conflict, match="nhân bản"):
        forms.add_section(place.admin, form, "III. Kinh tế số")
    copy = forms.copy_form(place.admin, form, code="cds-quy-2027", name="Báo cáo 2027")
    forms.add_section(place.admin, copy, "III. Kinh tế số")
    assert copy.sections.count() == 3
    assert copy.rules.get().parts.count() == 2


def test_reminders_go_once_before_and_once_after_the_deadline(place, form) -> None:  # type: ignore[no-untyped-def]
    report = report_of(place, form)
    deadline = report.round.deadline
    reports.save_values(
        place.officers[1],
        Report.objects.get(round=report.round, unit=place.communes[1]),
        GOOD,
    )
    reports.submit(
        place.officers[1],
        Report.objects.get(round=report.round, unit=place.communes[1]),
    )
    Report.objects.exclude(round=report.round).delete()  # only the June round
    assert reports.send_reminders(today=deadline - dt.timedelta(days=10)) == {
        "before": 0,
        "after": 0,
    }
    assert reports.send_reminders(today=deadline - dt.timedelta(days=2)) == {
        "before": 2,
        "after": 0,
    }
    assert reports.send_reminders(today=deadline) == {"before": 0, "after": 0}
    assert reports.send_reminders(today=deadline + dt.timedelta(days=1)) == {
        "before": 0,
        "after": 2,
    }
    assert reports.send_reminders(today=deadline + dt.timedelta(days=5)) == {
        "before": 0,
        "after": 0,
    }
    subjects = sorted(m.subject for m in mail.outbox)
    assert len(subjects) == 4
    assert subjects[0].startswith(
        "Báo cáo quá hạn: Báo cáo chuyển đổi số hằng quý — Quý II/2026"
    )
    assert mail.outbox[0].to in (["bc0@x.vn"], ["bc2@x.vn"])
