"""Clerks issuing at the same moment get consecutive numbers, none twice.

Each thread has its own database connection and really commits, so the
counter row is contended as in production (a file database on SQLite).
"""

import threading
from typing import Any

from django.db import connection
from django.utils import timezone

import pytest

from tests import factories
from tests.documents.test_outgoing import new_draft, office, read  # noqa: F401
from tinhso.accounts.models import Role
from tinhso.core import numbering
from tinhso.documents.constants import OutgoingStatus
from tinhso.documents.models import OutgoingDocument
from tinhso.documents.services import outgoing as services
from tinhso.pki import signing

pytestmark = pytest.mark.django_db(transaction=True)

COUNT = 6


def test_concurrent_issues_get_gap_free_numbers(office) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    assert not (connection.vendor == "sqlite" and connection.is_in_memory_db()), (  # type: ignore[attr-defined]
        "the SQLite test database must be a file for threads to share it"
    )
    services.set_review_chain(office.agency, office.admin, [])
    second_clerk = factories.official(
        unit=office.agency, role=Role.CLERK, full_name="Đinh Thị Nga"
    )
    clerks = [office.clerk, second_clerk]
    ids = []
    for _ in range(COUNT):
        document = services.submit(new_draft(office), office.drafter)
        ids.append(services.sign_outgoing(document, office.leader).pk)

    start = threading.Barrier(COUNT)
    errors: list[BaseException] = []

    def issue(i: int) -> None:
        try:
            start.wait(timeout=30)
            document = OutgoingDocument.objects.get(pk=ids[i])
            services.issue_outgoing(document, clerks[i % 2])
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(i,)) for i in range(COUNT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    assert errors == []

    issued = OutgoingDocument.objects.filter(pk__in=ids).order_by("outgoing_number")
    assert {d.status for d in issued} == {OutgoingStatus.ISSUED}
    assert [d.outgoing_number for d in issued] == list(range(1, COUNT + 1))
    assert [d.number_symbol for d in issued] == [
        f"{n:02d}/QĐ-SNV" for n in range(1, COUNT + 1)
    ]
    year = timezone.localdate().year
    register = services.outgoing_register(office.agency)
    assert numbering.current_number(register, year) == COUNT
    checks: list[Any] = signing.verify_pdf(read(issued.last().issued_file))  # type: ignore[union-attr]
    assert len(checks) == 2 and all(check.ok for check in checks)
