"""Figures the documents app gives reporting, per agency and day.

Registers are filled through the incoming service; issued documents,
dispatches and closing are written as rows, as their own parts leave them,
since only the counting is under test here.
"""

import datetime as dt
from io import BytesIO
from typing import Any

from django.utils import timezone

import pytest

from tests import factories
from tests.documents.conftest import BODY_TEXT, make_pdf
from tinhso.accounts.models import Role
from tinhso.core import files
from tinhso.core import metrics as core_metrics
from tinhso.core.metrics import Figure
from tinhso.documents import metrics
from tinhso.documents.constants import (
    Channel,
    DocumentType,
    OutgoingStatus,
    Secrecy,
)
from tinhso.documents.models import (
    Dispatch,
    InboundMessage,
    IncomingDocument,
    OutgoingDocument,
)
from tinhso.documents.services import incoming as services
from tinhso.pki import signing

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 1
MARCH = dt.date(YEAR, 3, 1)
APRIL = dt.date(YEAR, 4, 1)


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A moment in Vietnam time."""
    return dt.datetime(
        YEAR, month, day, hour, minute, tzinfo=timezone.get_current_timezone()
    )


def receive(
    clerk: Any, agency: Any, when: dt.datetime, **over: Any
) -> IncomingDocument:
    fields: dict[str, Any] = {
        "agency": agency,
        "clerk": clerk,
        "file": BytesIO(over.pop("pdf", None) or make_pdf()),
        "file_name": "van-ban.pdf",
        "number_symbol": "12/QĐ-UBND",
        "issued_date": dt.date(YEAR, 1, 5),
        "issuer_name": "Ủy ban nhân dân tỉnh",
        "doc_type": DocumentType.DECISION,
        "subject": "Về việc giao chỉ tiêu",
        "received_at": when,
    }
    fields.update(over)
    return services.register_incoming(**fields)


def close(
    document: IncomingDocument, *, deadline: dt.date, closed: dt.datetime
) -> None:
    IncomingDocument.objects.filter(pk=document.pk).update(
        deadline=deadline, closed_at=closed
    )


def issue(
    agency: Any,
    drafter: Any,
    when: dt.datetime,
    *,
    signed: bool = True,
    secrecy: str = Secrecy.NORMAL,
    dispatched: int = 0,
    status: str = OutgoingStatus.ISSUED,
) -> OutgoingDocument:
    pdf = files.store(BytesIO(make_pdf()), "da-ky.pdf", uploaded_by=drafter)
    document = OutgoingDocument.objects.create(
        agency=agency,
        drafter=drafter,
        doc_type=DocumentType.PLAN,
        subject="Kế hoạch chuyển đổi số",
        secrecy=secrecy,
        status=status,
        signed_file=pdf if signed else None,
        issued_file=pdf,
        issued_at=when,
        year=YEAR,
    )
    for n in range(dispatched):
        Dispatch.objects.create(
            document=document,
            channel=Channel.INTERNAL if n % 2 == 0 else Channel.EDXML,
            recipient_code=f"000.00.{n:02d}.H08",
            recipient_name=f"Nơi nhận {n}",
            message_id=f"H08,{YEAR}/03/01,{document.pk}",
            sent_by=drafter,
        )
    return document


def arrived_electronically(document: IncomingDocument) -> None:
    InboundMessage.objects.create(
        agency=document.agency,
        channel=Channel.EDXML,
        message_id=f"X,{document.pk}",
        sender_code="000.00.00.G01",
        sender_name="Bộ Nội vụ",
        main_file=document.main_file,
        incoming=document,
    )


def by_key(figures: list[Figure]) -> dict[tuple[int, dt.date], tuple[int, Any]]:
    """The daily figures added up per unit and month."""
    months: dict[tuple[int, dt.date], tuple[int, Any]] = {}
    for f in figures:
        key = (f.unit_id, f.day.replace(day=1))
        value, total = months.get(key, (0, None))
        months[key] = (
            value + f.value,
            None if f.total is None else (total or 0) + f.total,
        )
    return months


@pytest.fixture
def drafter(agency):  # type: ignore[no-untyped-def]
    return factories.official(unit=agency, role=Role.SPECIALIST)


def test_received_per_agency_and_month_in_vietnam_time(
    agency, other_agency, clerk, other_clerk
) -> None:  # type: ignore[no-untyped-def]
    receive(clerk, agency, at(3, 2))
    # 23:30 on 31 March in Hà Nội is still March; 00:30 on 1 April is April,
    # though it is 31 March in UTC.
    receive(clerk, agency, at(3, 31, 23, 30))
    receive(clerk, agency, at(4, 1, 0, 30))
    receive(other_clerk, other_agency, at(3, 15))
    receive(clerk, agency, at(5, 1, 0, 30))  # outside the months asked

    figures = metrics.received(MARCH, dt.date(YEAR, 4, 30))

    assert [(f.unit_id, f.day, f.value) for f in figures] == [
        (agency.pk, dt.date(YEAR, 3, 2), 1),
        (agency.pk, dt.date(YEAR, 3, 31), 1),
        (agency.pk, dt.date(YEAR, 4, 1), 1),
        (other_agency.pk, dt.date(YEAR, 3, 15), 1),
    ]
    assert by_key(figures) == {
        (agency.pk, MARCH): (2, None),
        (agency.pk, APRIL): (1, None),
        (other_agency.pk, MARCH): (1, None),
    }
    assert by_key(metrics.received(APRIL, dt.date(YEAR, 4, 30))) == {
        (agency.pk, APRIL): (1, None)
    }


def test_received_with_an_intact_signature(agency, clerk, certificate) -> None:  # type: ignore[no-untyped-def]
    signed = signing.sign_pdf(make_pdf(), certificate)
    tampered = bytearray(signed)
    tampered[tampered.index(BODY_TEXT.encode())] ^= 0x01
    receive(clerk, agency, at(3, 3), pdf=signed)
    receive(clerk, agency, at(3, 4), pdf=bytes(tampered))
    receive(clerk, agency, at(3, 5))
    receive(clerk, agency, at(4, 6))

    assert by_key(metrics.received_signed(MARCH, dt.date(YEAR, 4, 30))) == {
        (agency.pk, MARCH): (1, 3),
        (agency.pk, APRIL): (0, 1),
    }


def test_received_electronically_leaves_secret_documents_out(agency, clerk) -> None:  # type: ignore[no-untyped-def]
    arrived_electronically(receive(clerk, agency, at(3, 3)))
    arrived_electronically(receive(clerk, agency, at(3, 4)))
    receive(clerk, agency, at(3, 5))  # from paper
    receive(clerk, agency, at(3, 6), secrecy=Secrecy.SECRET)
    receive(clerk, agency, at(3, 7), secrecy=Secrecy.CONFIDENTIAL)

    assert by_key(metrics.received_electronically(MARCH, dt.date(YEAR, 3, 31))) == {
        (agency.pk, MARCH): (2, 3)
    }


def test_issued_signed_and_sent_electronically(agency, other_agency, drafter) -> None:  # type: ignore[no-untyped-def]
    other_drafter = factories.official(unit=other_agency, role=Role.SPECIALIST)
    issue(agency, drafter, at(3, 2), dispatched=3)
    issue(agency, drafter, at(3, 3), dispatched=1, status=OutgoingStatus.REVOKED)
    issue(agency, drafter, at(3, 4), signed=False)
    issue(agency, drafter, at(3, 5), secrecy=Secrecy.TOP_SECRET)
    issue(agency, drafter, at(4, 1, 0, 30), dispatched=2)
    issue(other_agency, other_drafter, at(3, 9))
    # Drafts are not issued.
    OutgoingDocument.objects.create(
        agency=agency, drafter=drafter, doc_type=DocumentType.PLAN, subject="Dự thảo"
    )

    assert by_key(metrics.issued(MARCH, dt.date(YEAR, 4, 30))) == {
        (agency.pk, MARCH): (4, None),
        (agency.pk, APRIL): (1, None),
        (other_agency.pk, MARCH): (1, None),
    }
    assert by_key(metrics.issued_signed(MARCH, dt.date(YEAR, 4, 30))) == {
        (agency.pk, MARCH): (3, 4),
        (agency.pk, APRIL): (1, 1),
        (other_agency.pk, MARCH): (1, 1),
    }
    # Three copies of one document count once; the secret one in neither.
    assert by_key(metrics.sent_electronically(MARCH, dt.date(YEAR, 4, 30))) == {
        (agency.pk, MARCH): (2, 3),
        (agency.pk, APRIL): (1, 1),
        (other_agency.pk, MARCH): (0, 1),
    }


def test_handled_on_time_by_day_closed(agency, clerk) -> None:  # type: ignore[no-untyped-def]
    early = receive(clerk, agency, at(3, 1))
    on_the_day = receive(clerk, agency, at(3, 2))
    late = receive(clerk, agency, at(3, 3))
    no_deadline = receive(clerk, agency, at(3, 4))
    open_one = receive(clerk, agency, at(3, 5))
    close(early, deadline=dt.date(YEAR, 3, 20), closed=at(3, 10))
    # Closed late in the evening of the deadline day: still on time.
    close(on_the_day, deadline=dt.date(YEAR, 3, 31), closed=at(3, 31, 23, 30))
    close(late, deadline=dt.date(YEAR, 3, 31), closed=at(4, 1, 0, 30))
    IncomingDocument.objects.filter(pk=no_deadline.pk).update(closed_at=at(3, 12))
    IncomingDocument.objects.filter(pk=open_one.pk).update(
        deadline=dt.date(YEAR, 3, 15)
    )

    assert by_key(metrics.handled_on_time(MARCH, dt.date(YEAR, 4, 30))) == {
        (agency.pk, MARCH): (2, 2),
        (agency.pk, APRIL): (0, 1),
    }


def test_each_figure_is_one_query(
    agency, clerk, drafter, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for day in range(1, 6):
        document = receive(clerk, agency, at(3, day))
        arrived_electronically(document)
        close(document, deadline=dt.date(YEAR, 3, 20), closed=at(3, day + 10))
        issue(agency, drafter, at(3, day), dispatched=2)
    for indicator in metrics.INDICATORS:
        with django_assert_num_queries(1):
            figures = indicator.compute(MARCH, dt.date(YEAR, 4, 30))
        assert {f.unit_id for f in figures} == {agency.pk}
        assert (figures[0].total is not None) is indicator.share


def test_indicators_register_under_unique_codes() -> None:
    # Registered at start-up (DocumentsConfig.ready) in the platform's registry.
    registry = core_metrics.indicators
    codes = [code for code, _ in registry.items() if code.startswith("documents.")]
    assert codes == [
        "documents.received",
        "documents.issued",
        "documents.issued_signed",
        "documents.received_signed",
        "documents.sent_electronically",
        "documents.received_electronically",
        "documents.handled_on_time",
    ]
    assert all(str(i.label) and str(i.description) for i in registry)
    # Registering again (a second ready()) is harmless; a clash is refused.
    metrics.register_indicators()
    with pytest.raises(ValueError, match="already registered"):
        registry.register("documents.received", metrics.INDICATORS[1])
