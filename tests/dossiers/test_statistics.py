"""The figures of QĐ 766 from real dossiers: received online and at the
counter, on time with the supplement wait excluded, late, in progress;
online payment and satisfaction; the statistics page and its XLSX."""

import datetime as dt
import io
from typing import Any

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

import pytest
from openpyxl import load_workbook

from tests import factories
from tests.dossiers.test_catalog_pages import text
from tests.dossiers.test_online import (
    papers,
    storage_dir,  # noqa: F401 - fixture
)
from tests.dossiers.test_payments import credit
from tests.dossiers.test_processing import Office
from tests.dossiers.test_receive import at
from tinhso.core import metrics as core_metrics
from tinhso.core.models import OrgUnit
from tinhso.dossiers import metrics
from tinhso.dossiers.models import Dossier, MonthlyTally
from tinhso.dossiers.services import dossiers as services
from tinhso.dossiers.services import online, payments

pytestmark = pytest.mark.django_db


def finish(office: Office, dossier: Dossier, when: str) -> Dossier:
    """Through every step to the result, the last hand-over at ``when``."""
    for receiver in (office.clerk, office.police, office.chair):
        dossier = services.hand_over(dossier, dossier.handler, receiver)  # type: ignore[arg-type]
    return services.hand_over(dossier, office.chair, office.desk, at=at(when))


@pytest.fixture
def year(province: OrgUnit) -> Office:
    """Five dossiers of March 2026 at one commune: two online (one paid by
    VietQR, rated satisfied; one late, rated dissatisfied), three at the
    counter (one on time only because a supplement wait is not counted,
    one still open, one refused at the counter)."""
    office = Office(province, fee=8000)
    citizen = factories.citizen()
    # Online, accepted Monday 09:00, due Wednesday 13:30; done Tuesday.
    quick = online.submit_online(
        citizen, office.procedure, office.commune, papers(), at=at("2026-03-02 08:30")
    )
    quick = online.accept_online(quick, office.desk, at=at("2026-03-02 09:00"))
    body = credit(quick.payment)
    payments.record_bank_notification(body, payments.sign(body))
    quick = finish(office, quick, "2026-03-03 10:00")
    services.return_result(quick, office.desk, at=at("2026-03-03 11:00"))
    online.rate(quick, citizen, "satisfied")
    # Online, done a week late.
    slow = online.submit_online(
        citizen, office.procedure, office.commune, papers(), at=at("2026-03-02 08:40")
    )
    slow = online.accept_online(slow, office.desk, at=at("2026-03-02 09:00"))
    payments.confirm_payment(slow, office.desk, "counter")
    slow = finish(office, slow, "2026-03-11 10:00")
    services.return_result(slow, office.desk, at=at("2026-03-11 11:00"))
    online.rate(slow, citizen, "dissatisfied")
    # At the counter; four working days of supplement wait, then done two
    # days after the first appointment: on time once the wait is excluded.
    waited = office.receive("2026-03-02 09:00")
    services.hand_over(waited, office.desk, office.clerk, at=at("2026-03-02 10:00"))
    services.request_supplement(
        waited, office.clerk, "Bản sao", at=at("2026-03-02 14:00")
    )
    waited.refresh_from_db()
    waited = services.receive_supplement(
        waited, office.clerk, at=at("2026-03-06 14:00")
    )
    waited = services.hand_over(waited, office.clerk, office.police)
    waited = services.hand_over(waited, office.police, office.chair)
    services.hand_over(waited, office.chair, office.desk, at=at("2026-03-06 16:00"))
    # Open, and past its appointment.
    office.receive("2026-03-03 09:00")
    # Refused at the counter: never received.
    refused = office.receive("2026-03-04 09:00")
    services.refuse(refused, office.desk, "Không thuộc thẩm quyền")
    return office


def test_the_figures_follow_the_service_index(year: Office) -> None:
    rows = metrics.in_scope(
        None, at("2026-03-01 00:00").date(), at("2026-03-31 00:00").date()
    )
    total = metrics.tally(rows)[None]
    assert (total.received, total.online, total.counter) == (4, 2, 2)
    assert (total.resolved, total.on_time, total.late) == (3, 2, 1)
    assert (total.in_progress, total.overdue) == (1, 1)
    assert (total.with_fees, total.paid_online) == (4, 1)
    assert (total.rated, total.dissatisfied) == (2, 1)
    assert str(total.online_rate) == "50.0"
    assert str(total.on_time_rate) == "66.7"
    assert str(total.online_payment_rate) == "25.0"
    # 100 − 33.3 (late) − 33.3 (dissatisfied)
    assert str(total.satisfaction) == "33.3"
    by_month = metrics.tally(rows, "month")
    assert [m.isoformat() for m in by_month] == ["2026-03-01"]
    figures = core_metrics.indicators.get("dossiers.received_online").compute(
        at("2026-03-01 00:00").date(), at("2026-03-31 00:00").date()
    )
    # Day by day for reporting; the month adds up to the statistics.
    assert {f.unit_id for f in figures} == {year.commune.pk}
    assert sum(f.value for f in figures) == 2
    assert sum(f.total or 0 for f in figures) == 4
    assert len({f.day for f in figures}) == len(figures) > 1


def _live(first: str, last: str, by: str | None) -> dict[Any, metrics.Tally]:
    return metrics.tally(metrics.in_scope(None, day(first), day(last)), by)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.mark.parametrize("by", [None, "procedure", "unit", "level", "month"])
@pytest.mark.parametrize(
    "period",
    [
        ("2026-03-01", "2026-03-31"),  # a whole month, from its tally
        ("2026-02-01", "2026-04-30"),  # whole months around it
        ("2026-03-03", "2026-03-31"),  # cut at the start: those days live
        ("2026-02-15", "2026-03-02"),  # cut at both ends
    ],
)
def test_the_monthly_tallies_give_the_figures_of_the_dossiers(
    year: Office, period: tuple[str, str], by: str | None
) -> None:
    kept = metrics.figures(None, day(period[0]), day(period[1]), by)
    assert kept == _live(*period, by)
    assert MonthlyTally.objects.filter(month=day("2026-03-01")).exists()


@pytest.mark.parametrize(
    ("first", "last", "received"),
    [
        ("2026-02-15", "2026-04-10", 4),  # a tallied month between cut ones
        ("2026-02-01", "2026-04-10", 4),  # tallied months, then cut days
        ("2026-03-05", None, 4),  # cut days, then tallied months to today
        ("2026-01-01", None, 5),
    ],
)
def test_tallies_and_the_days_around_them_add_up(
    province: OrgUnit, first: str, last: str | None, received: int
) -> None:
    office = Office(province)
    for when in ("2026-02-20 09:00", "2026-03-10 09:00", "2026-04-06 09:00"):
        done = office.receive(when)
        services.hand_over(done, office.desk, office.clerk)
    office.receive("2026-04-09 09:00")
    office.receive(timezone.localtime().strftime("%Y-%m-%d %H:%M"))
    start, end = day(first), day(last) if last else timezone.localdate()
    for by in (None, "month", "unit"):
        kept = metrics.figures(None, start, end, by)
        assert kept == metrics.tally(metrics.in_scope(None, start, end), by), by
    assert metrics.figures(None, start, end)[None].received == received


def test_a_dossier_counts_in_the_month_it_was_received_or_accepted_in(
    province: OrgUnit,
) -> None:
    office = Office(province)
    late_in_february = online.submit_online(
        factories.citizen(),
        office.procedure,
        office.commune,
        papers(),
        at=at("2026-02-27 16:00"),
    )
    at_the_counter = office.receive("2026-02-26 09:00")
    online.accept_online(late_in_february, office.desk, at=at("2026-03-02 08:00"))

    def received(month: str) -> tuple[int, int]:
        first = day(month)
        last = dt.date(first.year, first.month + 1, 1) - dt.timedelta(days=1)
        figures = metrics.figures(None, first, last)[None]
        return figures.received, figures.online

    assert (received("2026-02-01"), received("2026-03-01")) == ((1, 0), (1, 1))
    # Moved to another month, a dossier leaves the old month's tally.
    at_the_counter.received_at = at("2026-03-03 09:00")
    at_the_counter.save(update_fields=["received_at"])
    assert (received("2026-02-01"), received("2026-03-01")) == ((0, 0), (2, 1))


def test_a_recount_gives_the_same_tallies(year: Office) -> None:
    def kept() -> list[tuple[Any, ...]]:
        return list(
            MonthlyTally.objects.order_by("month", "agency", "procedure").values_list(
                "month", "agency", "procedure", *metrics.KEPT
            )
        )

    before = kept()
    MonthlyTally.objects.update(received=0, late=0)
    MonthlyTally.objects.create(
        month=day("2025-01-01"), agency=year.commune, procedure=year.procedure
    )
    call_command("dossiers", "recount", verbosity=0)
    assert kept() == before
    assert (
        metrics.figures(None, day("2026-03-01"), day("2026-03-31"))[None].received == 4
    )


def test_migrate_counts_the_dossiers_kept_before_the_tallies(year: Office) -> None:
    MonthlyTally.objects.all().delete()
    call_command("migrate", verbosity=0)
    march = metrics.figures(None, day("2026-03-01"), day("2026-03-31"))[None]
    assert (march.received, march.online, march.late) == (4, 2, 1)


def test_the_statistics_page_and_its_workbook(year: Office) -> None:
    client = Client()
    query = f"?unit={year.commune.pk}&first=2026-03-01&last=2026-03-31&by=procedure"
    page = client.get("/dvc/thong-ke/" + query)
    assert page.status_code == 200
    words = text(page)
    assert "Phường Hà Giang 1" in words and "Đăng ký khai sinh" in words
    assert "50,0%" in words and "66,7%" in words
    assert len(page.content) < 100_000
    workbook = client.get("/dvc/thong-ke/" + query + "&format=xlsx")
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    rows: list[Any] = list(sheet.iter_rows(values_only=True))
    assert rows[3][:7] == (
        None,
        "Tiếp nhận",
        "Trực tuyến",
        "Trực tiếp, bưu chính",
        "Đã giải quyết",
        "Đúng hạn",
        "Trễ hạn",
    )
    assert rows[-1][:7] == ("Tổng cộng", 4, 2, 2, 3, 2, 1)
    assert rows[-1][10:12] == (50.0, pytest.approx(66.7))
    wrong = client.get("/dvc/thong-ke/?first=2026-04-01&last=2026-03-01")
    assert wrong.status_code == 400
    assert "Ngày bắt đầu phải trước ngày kết thúc" in text(wrong)
