"""Periodic jobs are queued once per period, whichever worker asks."""

import datetime as dt

from django.tasks import task
from django.utils import timezone

import pytest

from tinhso.core import schedule
from tinhso.core.models import PeriodicRun

pytestmark = pytest.mark.django_db
RUNS: list[str] = []


@task()
def tick() -> None:
    RUNS.append("tick")


@pytest.fixture
def job():  # type: ignore[no-untyped-def]
    made = schedule.Job("test.tick", dt.timedelta(minutes=10), tick)
    schedule.jobs._items[made.code] = made
    RUNS.clear()
    yield made
    del schedule.jobs._items[made.code]


def test_a_job_is_queued_once_per_period(job) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    assert "test.tick" in schedule.queue_due(now)
    assert "test.tick" not in schedule.queue_due(now + dt.timedelta(minutes=9))
    assert "test.tick" in schedule.queue_due(now + dt.timedelta(minutes=10))
    assert RUNS == ["tick", "tick"]
    assert PeriodicRun.objects.get(code="test.tick").queued_at == now + dt.timedelta(
        minutes=10
    )


def test_two_workers_seeing_the_same_due_job_queue_it_once(job) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    schedule.queue_due(now)
    stale = PeriodicRun.objects.get(code="test.tick")
    later = now + dt.timedelta(minutes=11)
    # The first worker moves the time on; the second, holding the old time, loses.
    assert schedule._claim(job, later)
    assert not PeriodicRun.objects.filter(
        pk=stale.pk, queued_at=stale.queued_at
    ).exists()
    assert not schedule._claim(job, later)


def test_the_apps_register_their_jobs() -> None:
    codes = {j.code for j in schedule.jobs}
    assert {"reporting.refresh_facts", "reporting.rounds"} <= codes
