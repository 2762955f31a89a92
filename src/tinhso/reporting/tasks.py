"""Background tasks of reporting, queued by the worker on their rhythm."""

import datetime as dt
from typing import Any

from django.tasks import task

from tinhso.core import schedule
from tinhso.reporting.services import alerts, facts, reports


@task()
def refresh_facts() -> dict[str, Any]:
    """Bring the computed indicators' facts up to today, then judge the
    alert rules on them."""
    done = facts.refresh()
    raised, cleared = alerts.evaluate()
    return {
        "indicators": len(done),
        "rows": sum(r.rows for r in done),
        "errors": [f"{r.indicator}: {r.error}" for r in done if r.error],
        "alerts_raised": raised,
        "alerts_cleared": cleared,
    }


@task()
def open_rounds_and_remind() -> dict[str, int]:
    """Open the rounds whose period has begun; remind units of deadlines."""
    opened = reports.open_due_rounds()
    reminded = reports.send_reminders()
    return {"rounds_opened": len(opened), **reminded}


def register_jobs() -> None:
    schedule.register(
        "reporting.refresh_facts", every=dt.timedelta(minutes=5), task=refresh_facts
    )
    schedule.register(
        "reporting.rounds", every=dt.timedelta(hours=1), task=open_rounds_and_remind
    )
