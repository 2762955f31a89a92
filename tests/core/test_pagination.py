"""A page and its capped count from one walk of keys, alike on both databases."""

from typing import Any

from django.db.models import Count

import pytest

from tinhso.core import search
from tinhso.core import services as core
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.core.pagination import (
    CappedPaginator,
    Counted,
    capped_count,
    capped_page,
)


@pytest.fixture
def units() -> list[OrgUnit]:
    province = core.create_orgunit(
        kind=OrgUnitKind.PROVINCE, name="Tỉnh Tuyên Quang", code="08"
    )
    return [province] + [
        core.create_orgunit(
            kind=OrgUnitKind.AGENCY, name=f"Sở số {n}", code=f"S{n}", parent=province
        )
        for n in range(1, 8)
    ]


@pytest.mark.django_db
def test_a_page_and_its_count_match_slicing_and_counting(units: list[OrgUnit]) -> None:
    """Every page, inside the counted rows and past them, holds the rows a
    slice of the queryset holds, in its order, with the same capped count."""
    ordered = OrgUnit.objects.order_by("-code")
    for cap in (3, 8, 100):
        for start in range(0, 10):
            rows, count, capped = capped_page(ordered, start, 2, cap)
            assert rows == list(ordered[start : start + 2]), (cap, start)
            assert (count, capped) == capped_count(ordered, cap)
    assert capped_page(ordered, 0, 2, 3)[1:] == (3, True)
    assert capped_page(ordered, 0, 2, 8)[1:] == (8, False)
    assert capped_page(OrgUnit.objects.none(), 0, 20) == ([], 0, False)


@pytest.mark.django_db
def test_a_list_the_database_pages_and_counts_gives_the_same_pages(
    units: list[OrgUnit], django_assert_num_queries: Any
) -> None:
    ordered = OrgUnit.objects.order_by("-code")
    counted = Counted(
        page=lambda offset, limit: list(ordered[offset : offset + limit]),
        count=lambda limit: ordered[:limit].count(),
    )
    for cap in (3, 8, 100):
        for start in range(0, 10):
            assert capped_page(counted, start, 2, cap) == capped_page(
                ordered, start, 2, cap
            ), (cap, start)
    # A list shorter than its first page is counted by that page alone.
    everything = list(ordered.all())
    with django_assert_num_queries(1):
        assert capped_page(counted, 0, 20) == (everything, 8, False)
    # Capped still when the page is longer than the cap.
    assert capped_page(counted, 0, 20, cap=5)[1:] == (5, True)


@pytest.mark.django_db
def test_the_walk_reads_the_conditions_once_and_keeps_related_rows(
    units: list[OrgUnit], django_assert_num_queries: Any
) -> None:
    """Two queries for a page and its count: the keys in order under the
    queryset's conditions, then the page's rows by key with what
    select_related asked for, so reading a row's parent costs nothing."""
    agencies = (
        OrgUnit.objects.filter(kind=OrgUnitKind.AGENCY, name__contains="số")
        .exclude(code="S4")
        .select_related("parent")
        .order_by("code")
    )
    with django_assert_num_queries(2):
        rows, count, capped = capped_page(agencies, 1, 3)
        parents = {row.parent.name for row in rows if row.parent}
    assert [row.code for row in rows] == ["S2", "S3", "S5"]
    assert (count, capped, parents) == (6, False, {"Tỉnh Tuyên Quang"})


@pytest.mark.django_db
def test_computed_columns_are_paged_the_plain_way(units: list[OrgUnit]) -> None:
    """Rows read again by key would lose an annotation or a values() shape:
    such querysets are sliced and counted as they are."""
    counted = OrgUnit.objects.annotate(below=Count("children")).order_by("code")
    rows, count, _ = capped_page(counted, 0, 8)
    assert {row.code: row.below for row in rows}["08"] == 7
    assert count == 8
    names, count, _ = capped_page(OrgUnit.objects.order_by("code").values("name"), 0, 1)
    assert names == [{"name": "Tỉnh Tuyên Quang"}] and count == 8
    assert capped_page([1, 2, 3], 1, 5, cap=2) == ([2, 3], 2, True)


@pytest.mark.django_db
def test_a_search_newest_first_pages_from_one_walk_of_its_index(
    units: list[OrgUnit],
) -> None:
    """A search read from its index newest first pages the same way: each
    page is what slicing the search gives, the count stops at the cap."""
    for unit in units[1:]:
        search.index("test.paging", unit.pk, f"Công văn của {unit.name}")
    found = search.filter_queryset(
        OrgUnit.objects.all(), "test.paging", "cong van", newest_first=True
    )
    newest = [unit.pk for unit in reversed(units[1:])]
    for start in range(0, 8, 3):
        rows, count, capped = capped_page(found, start, 3, cap=5)
        assert [row.pk for row in rows] == newest[start : start + 3]
        assert (count, capped) == (5, True)
    assert capped_page(found, 0, 20)[1:] == (7, False)


@pytest.mark.django_db
def test_register_pages_come_from_the_walk_of_their_count(
    units: list[OrgUnit], django_assert_num_queries: Any
) -> None:
    """The register's paginator reads its count as a walk of keys and each
    page inside it by key: one query for the count, one a page, orphans
    kept together, and a page before the cap knows a next one follows."""
    ordered = OrgUnit.objects.order_by("code")
    with django_assert_num_queries(3):
        paginator = CappedPaginator(ordered, 3, orphans=2)
        pages = [paginator.get_page(n) for n in (1, 2)]
    assert [[u.code for u in page] for page in pages] == [
        ["08", "S1", "S2"],
        ["S3", "S4", "S5", "S6", "S7"],
    ]
    assert pages[0].has_next() and not pages[1].has_next()
    capped = CappedPaginator(ordered, 2, cap=5)
    first, third = capped.get_page(1), capped.get_page(3)
    assert (capped.count, capped.capped) == (5, True)
    assert [u.code for u in first] == ["08", "S1"] and first.has_next()
    assert [u.code for u in third] == ["S4", "S5"] and third.has_next()


@pytest.mark.django_db
def test_ordering_by_a_related_column_counts_as_the_queryset_does(
    units: list[OrgUnit],
) -> None:
    """Ordered by the children's codes, a parent would come once per child:
    such a queryset is paged the plain way, its count as capped_count says."""
    by_child = OrgUnit.objects.order_by("children__code", "pk")
    assert capped_page(by_child, 0, 20)[1:] == capped_count(by_child)
