"""Searching the incoming register: by number and symbol, with or without
diacritics, by words of the PDF, with filters, and only what the user may see."""

import datetime as dt
from io import BytesIO
from typing import Any

from django.utils import timezone

import pytest

from tests import factories
from tests.documents.conftest import make_pdf
from tinhso.accounts.models import Role
from tinhso.core import search
from tinhso.core.text import words
from tinhso.documents.constants import (
    INCOMING_SCOPE,
    DocumentType,
    IncomingStatus,
    Secrecy,
    Urgency,
)
from tinhso.documents.models import IncomingDocument
from tinhso.documents.selectors import incoming as selectors
from tinhso.documents.services import incoming as services

pytestmark = pytest.mark.django_db

PROVINCE_PEOPLE = "Ủy ban nhân dân tỉnh Tuyên Quang"
FINANCE = "Sở Tài chính tỉnh Tuyên Quang"


def register(clerk: Any, agency: Any, **over: Any) -> IncomingDocument:
    fields: dict[str, Any] = {
        "agency": agency,
        "clerk": clerk,
        "file": BytesIO(make_pdf(over.pop("text", "Noi dung van ban"))),
        "file_name": "van-ban.pdf",
        "number_symbol": "12/QĐ-UBND",
        "issued_date": timezone.localdate() - dt.timedelta(days=30),
        "issuer_name": PROVINCE_PEOPLE,
        "doc_type": DocumentType.DECISION,
        "subject": "Về việc phê duyệt kế hoạch chuyển đổi số năm 2026",
    }
    fields.update(over)
    return services.register_incoming(**fields)


def found(user: Any, query: str = "", **filters: Any) -> set[str]:
    """Number and symbol of each document found, for readable assertions."""
    return set(
        selectors.search_incoming(user, query, **filters).values_list(
            "number_symbol", flat=True
        )
    )


@pytest.fixture
def register_of(agency, clerk, other_agency):  # type: ignore[no-untyped-def]
    """A small register whose symbols share their words with one another."""
    year = timezone.localdate().year
    now = timezone.now()
    register(clerk, agency)
    register(
        clerk,
        agency,
        number_symbol="112/QĐ-UBND",
        subject="Về việc thành lập Ban chỉ đạo",
        received_at=now - dt.timedelta(days=10),
    )
    register(
        clerk,
        agency,
        number_symbol="12/QĐ-STC",
        issuer_name=FINANCE,
        issuer_unit=other_agency,
        subject="Về việc giao dự toán ngân sách, căn cứ Quyết định 45/QĐ-UBND",
        received_at=now - dt.timedelta(days=20),
    )
    register(
        clerk,
        agency,
        number_symbol="05/QĐ-UBND",
        subject="Về việc ban hành quy chế làm việc",
        urgency=Urgency.URGENT,
    )
    register(
        clerk,
        agency,
        number_symbol=f"07/{year - 1}/QĐ-UBND",
        issued_date=dt.date(year - 1, 12, 30),
        received_at=now - dt.timedelta(days=2),
        subject="Quy định phân cấp quản lý tài chính",
        text="DIEU 1. Pham vi dieu chinh",
    )
    register(
        clerk,
        agency,
        number_symbol="123/UBND-VP",
        doc_type=DocumentType.OFFICIAL_LETTER,
        subject="Về việc góp ý dự thảo Sở Tài chính gửi",
        secrecy=Secrecy.CONFIDENTIAL,
    )
    return year


def test_a_symbol_finds_that_document_only(register_of, clerk) -> None:  # type: ignore[no-untyped-def]
    """ "12/QĐ-UBND" finds it, not 112/QĐ-UBND nor 12/QĐ-STC, which hold the
    same words; with or without diacritics, spaces or capitals."""
    for query in (
        "12/QĐ-UBND",
        "12/QD-UBND",
        "12/qd-ubnd",
        "12 / QĐ - UBND",
        "văn bản 12/QĐ-UBND",
    ):
        assert found(clerk, query) == {"12/QĐ-UBND"}, query
    assert found(clerk, "112/QĐ-UBND") == {"112/QĐ-UBND"}
    assert found(clerk, "12/QĐ-STC") == {"12/QĐ-STC"}
    assert found(clerk, "123/UBND-VP") == {"123/UBND-VP"}
    assert found(clerk, "45/QĐ-UBND") == set()  # only cited in a subject


def test_symbol_prefixes_and_leading_zeros(register_of, clerk) -> None:  # type: ignore[no-untyped-def]
    year = register_of
    # Typing ahead: the last word may be unfinished.
    assert found(clerk, "12/QĐ") == {"12/QĐ-UBND", "12/QĐ-STC"}
    assert found(clerk, "12/QĐ-U") == {"12/QĐ-UBND"}
    # Numbers below 10 carry a leading zero that people often leave out.
    assert found(clerk, "5/QĐ-UBND") == {"05/QĐ-UBND"}
    assert found(clerk, "05/QD-UBND") == {"05/QĐ-UBND"}
    normative = f"07/{year - 1}/QĐ-UBND"
    assert found(clerk, normative) == {normative}
    assert found(clerk, f"7/{year - 1}/qd-ubnd") == {normative}


def test_words_with_or_without_diacritics(register_of, clerk) -> None:  # type: ignore[no-untyped-def]
    assert found(clerk, "chuyen doi so") == {"12/QĐ-UBND"}
    assert found(clerk, "CHUYỂN ĐỔI SỐ") == {"12/QĐ-UBND"}
    assert found(clerk, "quy che lam viec") == {"05/QĐ-UBND"}
    # Inside the PDF only.
    assert found(clerk, "pham vi dieu chinh") == {f"07/{register_of - 1}/QĐ-UBND"}
    # Type names and abbreviations are indexed.
    assert found(clerk, "cong van") == {"123/UBND-VP"}
    assert found(clerk, "ban chi dao") == {"112/QĐ-UBND"}
    # Dates stay words: not read as a symbol.
    assert found(clerk, "15/3/2026") == set()


def test_filters(register_of, clerk, other_agency) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    everything = found(clerk)
    assert len(everything) == 6
    assert found(clerk, date_from=today - dt.timedelta(days=10)) == everything - {
        "12/QĐ-STC"
    }
    assert found(
        clerk,
        date_from=today - dt.timedelta(days=20),
        date_to=today - dt.timedelta(days=10),
    ) == {"12/QĐ-STC", "112/QĐ-UBND"}
    assert found(clerk, doc_type=DocumentType.OFFICIAL_LETTER) == {"123/UBND-VP"}
    assert found(clerk, secrecy=Secrecy.CONFIDENTIAL) == {"123/UBND-VP"}
    assert found(clerk, urgency=Urgency.URGENT) == {"05/QĐ-UBND"}
    # The issuer filter reads the issuing body only, not the subject.
    assert found(clerk, issuer="so tai chinh") == {"12/QĐ-STC"}
    assert found(clerk, issuer="Sở Tài Chính") == {"12/QĐ-STC"}
    assert found(clerk, "tai chinh") == {
        "12/QĐ-STC",
        "123/UBND-VP",
        f"07/{register_of - 1}/QĐ-UBND",
    }
    assert found(clerk, issuer_unit=other_agency) == {"12/QĐ-STC"}
    assert found(clerk, issuer_unit=other_agency.pk) == {"12/QĐ-STC"}
    assert found(clerk, "ubnd", issuer="uy ban", doc_type=DocumentType.DECISION) == {
        "12/QĐ-UBND",
        "112/QĐ-UBND",
        "05/QĐ-UBND",
        f"07/{register_of - 1}/QĐ-UBND",
    }


def test_status_filter(register_of, clerk) -> None:  # type: ignore[no-untyped-def]
    # The handling part moves statuses; here only the filter is under test.
    IncomingDocument.objects.filter(number_symbol="05/QĐ-UBND").update(
        status=IncomingStatus.COMPLETED
    )
    assert found(clerk, status=IncomingStatus.COMPLETED) == {"05/QĐ-UBND"}
    assert "05/QĐ-UBND" not in found(clerk, status=IncomingStatus.REGISTERED)


def test_results_only_from_what_the_user_may_see(
    register_of, agency, other_agency, other_clerk
) -> None:  # type: ignore[no-untyped-def]
    """Another agency's people find nothing of this register, however they
    search; the agency's specialist does not find its secret letter."""
    theirs = register(
        other_clerk,
        other_agency,
        number_symbol="12/QĐ-UBND",
        subject="Về việc phê duyệt kế hoạch chuyển đổi số năm 2026",
    )
    outsider_leader = factories.official(unit=other_agency, role=Role.LEADER)
    for user in (other_clerk, outsider_leader):
        assert set(
            selectors.search_incoming(user, "12/QĐ-UBND").values_list("pk", flat=True)
        ) == {theirs.pk}
        assert found(user, "chuyen doi so") == {"12/QĐ-UBND"}
        assert found(user, "123/UBND-VP") == set()
        assert found(user, issuer="uy ban") == {"12/QĐ-UBND"}
        assert found(user, secrecy=Secrecy.CONFIDENTIAL) == set()
    specialist = factories.official(unit=agency, role=Role.SPECIALIST)
    assert found(specialist, "123/UBND-VP") == set()
    assert found(specialist, "gop y du thao") == set()
    assert len(found(specialist)) == 5


def test_the_index_holds_the_symbol_as_one_word(agency, clerk) -> None:  # type: ignore[no-untyped-def]
    document = register(clerk, agency, number_symbol="05/QĐ-UBND")
    entry = search.matching_ids(INCOMING_SCOPE, "5qdubnd").get()
    assert entry.object_id == document.pk
    assert selectors.symbol_token("05/2025/QĐ-UBND") == "52025qdubnd"
    assert words(selectors.search_query("xem 12 / QĐ - UBND nhé")) == [
        "xem",
        "12qdubnd",
        "nhe",
    ]


def test_whoever_may_see_a_document_finds_it(
    register_of, agency, clerk, province, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """A search reads only the user's agencies' part of the index; nothing
    they may see is lost: a department's specialist finds what was assigned to them, a
    clerk moved off the register still finds the secret letter they
    registered, a leader over the province finds every agency's documents."""
    from tinhso.core.models import OrgUnitKind
    from tinhso.documents.services import handling

    department = factories.orgunit(
        kind=OrgUnitKind.DEPARTMENT, name="Phòng Kế hoạch", parent=agency
    )
    specialist = factories.official(unit=department, role=Role.SPECIALIST)
    leader = factories.official(unit=agency, role=Role.LEADER)
    document = IncomingDocument.objects.get(number_symbol="112/QĐ-UBND")
    assert found(specialist, "ban chi dao") == set()
    handling.assign(document, leader, lead=specialist)
    assert found(specialist, "ban chi dao") == {"112/QĐ-UBND"}

    clerk.roles.all().delete()
    assert found(clerk, "gop y") == {"123/UBND-VP"}  # the secret letter
    assert found(clerk, "chuyen doi so") == set()

    governor = factories.official(unit=province, role=Role.LEADER, subtree=True)
    assert found(governor, "ke hoach") == found(leader, "ke hoach") != set()
    # Past MAX_SEARCH_AGENCIES the whole index is read.
    monkeypatch.setattr(selectors, "MAX_SEARCH_AGENCIES", 2)
    assert selectors.search_partitions(governor) is None
    assert found(governor, "ke hoach") == found(leader, "ke hoach")


def test_newest_registered_first_and_a_capped_count(agency, clerk) -> None:  # type: ignore[no-untyped-def]
    """Search results come newest registered first; the register page says
    "more than" once a search matches more than the count goes to."""
    from tinhso.core.pagination import CappedPaginator, capped_count

    first = register(clerk, agency, number_symbol="01/QĐ-UBND")
    second = register(
        clerk,
        agency,
        number_symbol="02/QĐ-UBND",
        received_at=timezone.now() - dt.timedelta(days=3),
    )
    results = selectors.search_incoming(clerk, "chuyen doi so")
    assert list(results) == [second, first]
    # A one-letter last word is still being typed: it is left out, not
    # taken as the start of every word in that letter.
    assert list(selectors.search_incoming(clerk, "chuyen doi s")) == [second, first]
    assert list(selectors.search_incoming(clerk, "chuyen doi so n")) == [second, first]
    assert list(selectors.search_incoming(clerk, "chuyen doi so na")) == [second, first]
    assert list(selectors.search_incoming(clerk, "chuyen doi so nx")) == []
    assert list(selectors.search_incoming(clerk, "k")) == []

    paginator = CappedPaginator(results, 1)
    assert (paginator.count, paginator.num_pages, paginator.capped) == (2, 2, False)
    assert capped_count(results, 2) == (2, False)
    assert capped_count(results, 1) == (1, True)
