"""A prepared read gives what its queryset gives, for every value it is run with."""

from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

import pytest

from tinhso.core import services as core
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.core.prepared import prepared


@prepared
def _children(parent_id: int) -> QuerySet[OrgUnit]:
    return (
        OrgUnit.objects.select_related("parent")
        .filter(parent_id=parent_id)
        .order_by("code")
    )


@prepared
def _codes_named(name: str, keys: list[int]) -> QuerySet[OrgUnit, str]:
    return (
        OrgUnit.objects.filter(name=name, pk__in=keys)
        .order_by("code")
        .values_list("code", flat=True)
    )


@prepared
def _keys_under(parent_id: int) -> QuerySet[OrgUnit, int]:
    return (
        OrgUnit.objects.filter(parent_id=parent_id)
        .order_by("code")
        .values_list("pk", flat=True)
    )


@prepared
def _first_two(parent_id: int) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(parent_id=parent_id).order_by("code")[:2]


@prepared
def _as_dicts(parent_id: int) -> QuerySet[OrgUnit, dict[str, object]]:
    return OrgUnit.objects.filter(parent_id=parent_id).values("code")


@prepared
def _named_like(name: str) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(name__icontains=name)


@pytest.fixture
def tree() -> dict[str, OrgUnit]:
    province = core.create_orgunit(
        kind=OrgUnitKind.PROVINCE, name="Tỉnh Tuyên Quang", code="08"
    )
    units = {"province": province}
    for code, name in (("S1", "Sở Tư pháp"), ("S2", "Sở Y tế"), ("S3", "Sở Y tế")):
        units[code] = core.create_orgunit(
            kind=OrgUnitKind.AGENCY, name=name, code=code, parent=province
        )
    units["X1"] = core.create_orgunit(
        kind=OrgUnitKind.DEPARTMENT, name="Phòng Y tế", code="X1", parent=units["S1"]
    )
    return units


@pytest.mark.django_db
def test_a_prepared_read_gives_the_rows_and_joined_rows_of_its_queryset(
    tree: dict[str, OrgUnit],
) -> None:
    for parent in tree.values():
        read = _children(parent.pk)
        expected = list(_children._build(parent.pk))  # the queryset itself
        assert [u.pk for u in read] == [u.pk for u in expected]
        for got, want in zip(read, expected, strict=True):
            assert got.name == want.name and got.created_at == want.created_at
            # The joined parent came with the row, as it was read.
            assert (got.parent.pk, got.parent.name) == (parent.pk, parent.name)
    assert [u.code for u in _children(tree["province"].pk)] == ["S1", "S2", "S3"]
    assert _children(tree["X1"].pk) == []


@pytest.mark.django_db
def test_a_prepared_read_takes_strings_and_lists_of_any_length(
    tree: dict[str, OrgUnit],
) -> None:
    keys = [u.pk for u in tree.values()]
    assert _codes_named("Sở Y tế", keys) == ["S2", "S3"]
    assert _codes_named("Sở Y tế", keys[:3]) == ["S2"]
    assert _codes_named("Sở Tư pháp", [tree["S1"].pk]) == ["S1"]
    # A value that is SQL to a hand-joined string is only a value here.
    assert _codes_named("x' OR '1'='1", keys) == []


@pytest.mark.django_db
def test_a_read_that_reshapes_its_value_is_refused_clearly() -> None:
    with pytest.raises(TypeError, match="cannot be prepared"):
        _named_like("Y tế")


@pytest.mark.django_db
def test_a_prepared_read_is_paged_and_counted_in_the_database(
    tree: dict[str, OrgUnit],
) -> None:
    province = tree["province"].pk
    assert [u.code for u in _children.page(province, offset=0, limit=2)] == [
        "S1",
        "S2",
    ]
    assert [u.code for u in _children.page(province, offset=2, limit=2)] == ["S3"]
    assert _children.page(province, offset=3, limit=2) == []
    # Joined rows come with a page as with the whole read.
    assert {u.parent.name for u in _children.page(province, offset=1, limit=5)} == {
        "Tỉnh Tuyên Quang"
    }
    assert _keys_under.count(province, limit=10) == 3
    assert _keys_under.count(province, limit=2) == 2
    assert _keys_under.count(tree["X1"].pk, limit=10) == 0


@pytest.mark.django_db
def test_reads_that_cannot_be_paged_or_kept_are_refused_clearly(
    tree: dict[str, OrgUnit],
) -> None:
    with pytest.raises(TypeError, match="sliced already"):
        _first_two.page(tree["province"].pk, offset=0, limit=1)
    with pytest.raises(TypeError, match="sliced already"):
        _first_two.count(tree["province"].pk, limit=5)
    # .values() rows are dicts: a prepared read does not pass them off as tuples.
    with pytest.raises(TypeError, match="values_list rows"):
        _as_dicts(tree["province"].pk)


@pytest.mark.django_db
def test_a_prepared_read_is_seen_where_queries_are_counted(
    tree: dict[str, OrgUnit],
) -> None:
    province = tree["province"].pk
    quiet = [u.code for u in _children(province)]  # the quick path on SQLite
    with CaptureQueriesContext(connection) as seen:
        counted = [u.code for u in _children(province)]
        assert _keys_under.count(province, limit=10) == 3
    assert quiet == counted == ["S1", "S2", "S3"]
    assert len(seen.captured_queries) == 2
