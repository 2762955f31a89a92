"""A prepared read gives what its queryset gives, for every value it is run with."""

from django.db.models import QuerySet

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
