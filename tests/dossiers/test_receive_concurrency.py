"""Officers at two counters of one commune, receiving at the same moment,
get dossier codes that follow one another, none twice, and the month's
tally counts every one of them.

Each thread has its own database connection and really commits, so the
day's counter is contended as in production (a file database on SQLite).
"""

import threading

from django.db import connection
from django.utils import timezone

import pytest

from tests import factories
from tests.dossiers.conftest import birth
from tinhso.accounts.models import Role
from tinhso.core.models import OrgUnitKind
from tinhso.dossiers.models import Dossier, MonthlyTally
from tinhso.dossiers.services import catalog
from tinhso.dossiers.services import dossiers as services

pytestmark = pytest.mark.django_db(transaction=True)

COUNT = 6


def test_concurrent_receipts_get_distinct_consecutive_codes() -> None:
    assert not (connection.vendor == "sqlite" and connection.is_in_memory_db()), (  # type: ignore[attr-defined]
        "the SQLite test database must be a file for threads to share it"
    )
    province = factories.province()
    commune = factories.orgunit(
        kind=OrgUnitKind.COMMUNE,
        name="Phường Hà Giang 1",
        code="00694",
        parent=province,
    )
    officers = [
        factories.official(unit=commune, role=Role.ONE_STOP_OFFICER) for _ in range(2)
    ]
    procedure = catalog.save_procedure(birth())[0]
    # One instant for all, so the day (and the code) cannot change under us.
    now = timezone.now()
    start = threading.Barrier(COUNT)
    errors: list[BaseException] = []

    def receive(i: int) -> None:
        try:
            start.wait(timeout=30)
            services.receive_at_counter(
                officers[i % 2],
                procedure,
                commune,
                services.Applicant(f"Người nộp số {i}", "008192004217", "0912345678"),
                [1, 2],
                received_at=now,
            )
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=receive, args=(i,)) for i in range(COUNT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    assert errors == []
    day = timezone.localtime(now).strftime("%y%m%d")
    codes = sorted(Dossier.objects.values_list("code", flat=True))
    assert codes == [f"00694-{day}-{n:04d}" for n in range(1, COUNT + 1)]
    # Each receipt counted its month again after the others': none is lost.
    tally = MonthlyTally.objects.get()
    assert (tally.received, tally.in_progress) == (COUNT, COUNT)
