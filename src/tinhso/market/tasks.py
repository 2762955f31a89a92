"""Background tasks of the marketplace, queued by the worker."""

import datetime as dt

from django.tasks import task

from tinhso.core import schedule
from tinhso.market.services import orders


@task()
def cancel_unpaid() -> dict[str, int]:
    """Give back the stock of VietQR orders nobody paid in time."""
    return {"cancelled": orders.cancel_unpaid()}


def register_jobs() -> None:
    schedule.register(
        "market.cancel_unpaid", every=dt.timedelta(minutes=15), task=cancel_unpaid
    )
