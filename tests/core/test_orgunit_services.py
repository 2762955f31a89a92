"""The org tree: where units may sit, unique codes, moving subtrees."""

import pytest

from tinhso.core import selectors
from tinhso.core import services as core
from tinhso.core.errors import DomainError
from tinhso.core.models import AuditEntry, OrgUnit, OrgUnitKind, SearchEntry

pytestmark = pytest.mark.django_db

K = OrgUnitKind


@pytest.fixture
def province() -> OrgUnit:
    return core.create_orgunit(kind=K.PROVINCE, code="08", name="Tỉnh Tuyên Quang")


def test_units_are_placed_with_path_and_depth(province: OrgUnit) -> None:
    """Province → commune → village: each path extends its parent's, depth counts levels."""
    commune = core.create_orgunit(
        kind=K.COMMUNE, code="02239", name="Xã Lũng Cú", parent=province
    )
    village = core.create_orgunit(
        kind=K.VILLAGE, code="02239-01", name="Thôn Lô Lô Chải", parent=commune
    )
    assert (province.path, province.depth) == (f"/{province.pk}/", 0)
    assert (commune.path, commune.depth) == (f"/{province.pk}/{commune.pk}/", 1)
    assert village.path == f"{commune.path}{village.pk}/"
    assert village.depth == 2
    assert village.ancestor_ids() == [province.pk, commune.pk, village.pk]
    assert [u.name for u in selectors.ancestors(village)] == [
        "Tỉnh Tuyên Quang",
        "Xã Lũng Cú",
        "Thôn Lô Lô Chải",
    ]
    created = AuditEntry.objects.filter(action="core.orgunit.create")
    assert created.count() == 3
    assert created.get(object_id=str(village.pk)).detail["parent"] == commune.pk


def test_names_are_stored_precomposed(province: OrgUnit) -> None:
    """A name typed in decomposed Unicode is stored NFC and trimmed."""
    import unicodedata

    name = unicodedata.normalize("NFD", "  Sở Tài chính ")
    unit = core.create_orgunit(kind=K.AGENCY, code="H56.05", name=name, parent=province)
    unit.refresh_from_db()
    assert unit.name == "Sở Tài chính"
    assert unit.name_folded == "so tai chinh"


@pytest.mark.parametrize(
    ("kind", "parent_kind"),
    [
        (K.COMMUNE, K.PROVINCE),
        (K.DISTRICT, K.PROVINCE),
        (K.COMMUNE, K.DISTRICT),
        (K.VILLAGE, K.COMMUNE),
        (K.AGENCY, K.PROVINCE),
        (K.AGENCY, K.COMMUNE),
        (K.DEPARTMENT, K.AGENCY),
    ],
)
def test_allowed_parents(province: OrgUnit, kind: str, parent_kind: str) -> None:
    """Two-level (province → commune) and legacy three-level trees are both accepted."""
    parent = _unit_of_kind(province, parent_kind)
    unit = core.create_orgunit(kind=kind, code="X1", name="Đơn vị con", parent=parent)
    assert unit.parent == parent
    assert unit.depth == parent.depth + 1


def _unit_of_kind(province: OrgUnit, kind: str) -> OrgUnit:
    if kind == K.PROVINCE:
        return province
    if kind == K.DISTRICT:
        return core.create_orgunit(
            kind=K.DISTRICT, code="024", name="Huyện Đồng Văn", parent=province
        )
    if kind == K.AGENCY:
        return core.create_orgunit(
            kind=K.AGENCY, code="H56.05", name="Sở Tài chính", parent=province
        )
    commune = core.create_orgunit(
        kind=K.COMMUNE, code="02239", name="Xã Lũng Cú", parent=province
    )
    if kind == K.COMMUNE:
        return commune
    return core.create_orgunit(
        kind=K.VILLAGE, code="02239-01", name="Thôn Lô Lô Chải", parent=commune
    )


@pytest.mark.parametrize(
    ("kind", "parent_kind"),
    [
        (K.VILLAGE, K.PROVINCE),
        (K.VILLAGE, None),
        (K.COMMUNE, None),
        (K.COMMUNE, K.VILLAGE),
        (K.PROVINCE, K.PROVINCE),
        (K.DISTRICT, K.COMMUNE),
        (K.DEPARTMENT, None),
        (K.AGENCY, K.VILLAGE),
    ],
)
def test_forbidden_parents_are_refused_and_nothing_saved(
    province: OrgUnit, kind: str, parent_kind: str | None
) -> None:
    """A village under a province (and the like) is refused with orgunit_bad_parent."""
    parent = _unit_of_kind(province, parent_kind) if parent_kind else None
    units_before = OrgUnit.objects.count()
    audit_before = AuditEntry.objects.count()
    with pytest.raises(DomainError) as caught:
        core.create_orgunit(kind=kind, code="X1", name="Đơn vị sai chỗ", parent=parent)
    assert caught.value.code == "orgunit_bad_parent"
    assert "Không thể đặt" in caught.value.message
    assert OrgUnit.objects.count() == units_before
    assert AuditEntry.objects.count() == audit_before


def test_duplicate_code_is_refused_and_nothing_saved(province: OrgUnit) -> None:
    """A second commune with code 02239 is refused with orgunit_code_taken (409)."""
    core.create_orgunit(
        kind=K.COMMUNE, code="02239", name="Xã Lũng Cú", parent=province
    )
    units_before = OrgUnit.objects.count()
    audit_before = AuditEntry.objects.count()
    search_before = SearchEntry.objects.count()
    with pytest.raises(DomainError) as caught:
        core.create_orgunit(
            kind=K.COMMUNE, code=" 02239 ", name="Xã Ma Lé", parent=province
        )
    assert caught.value.code == "orgunit_code_taken"
    assert caught.value.status == 409
    assert "02239" in caught.value.message
    assert OrgUnit.objects.count() == units_before
    assert AuditEntry.objects.count() == audit_before
    assert SearchEntry.objects.count() == search_before
    assert not selectors.search_orgunits("ma le").exists()


def test_same_code_is_allowed_for_another_kind_or_a_legacy_unit(
    province: OrgUnit,
) -> None:
    """Codes are unique per kind among current units; a former unit may share one."""
    core.create_orgunit(kind=K.COMMUNE, code="024", name="Xã Mới", parent=province)
    district = core.create_orgunit(
        kind=K.DISTRICT, code="024", name="Huyện Đồng Văn", parent=province
    )
    old = core.create_orgunit(
        kind=K.COMMUNE, code="024", name="Xã Cũ", parent=province, legacy=True
    )
    assert district.code == old.code == "024"


def test_missing_code_or_name_is_refused(province: OrgUnit) -> None:
    """A unit needs both a code and a name."""
    for code, name in [("", "Xã Không Mã"), ("X9", "   ")]:
        with pytest.raises(DomainError) as caught:
            core.create_orgunit(kind=K.COMMUNE, code=code, name=name, parent=province)
        assert caught.value.code == "orgunit_incomplete"


@pytest.fixture
def legacy_tree(province: OrgUnit) -> dict[str, OrgUnit]:
    """Province → two districts; district A → commune → two villages."""
    district_a = core.create_orgunit(
        kind=K.DISTRICT, code="024", name="Huyện Đồng Văn", parent=province
    )
    district_b = core.create_orgunit(
        kind=K.DISTRICT, code="026", name="Huyện Mèo Vạc", parent=province
    )
    commune = core.create_orgunit(
        kind=K.COMMUNE, code="00712", name="Xã Lũng Cú", parent=district_a
    )
    v1 = core.create_orgunit(
        kind=K.VILLAGE, code="00712-01", name="Thôn Lô Lô Chải", parent=commune
    )
    v2 = core.create_orgunit(
        kind=K.VILLAGE, code="00712-02", name="Thôn Thèn Pả", parent=commune
    )
    return {
        "province": province,
        "a": district_a,
        "b": district_b,
        "commune": commune,
        "v1": v1,
        "v2": v2,
    }


def test_subtree_selects_a_unit_and_everything_below(
    legacy_tree: dict[str, OrgUnit],
) -> None:
    """selectors.subtree gives the unit and all its descendants, nothing else."""
    t = legacy_tree
    names = {u.name for u in selectors.subtree(t["a"])}
    assert names == {"Huyện Đồng Văn", "Xã Lũng Cú", "Thôn Lô Lô Chải", "Thôn Thèn Pả"}
    below = {u.name for u in selectors.subtree(t["a"], include_self=False)}
    assert below == {"Xã Lũng Cú", "Thôn Lô Lô Chải", "Thôn Thèn Pả"}
    assert list(selectors.subtree(t["b"])) == [t["b"]]
    assert selectors.subtree(t["province"]).count() == 6


def test_sibling_subtrees_do_not_overlap(province: OrgUnit) -> None:
    """Each of twelve sibling communes' subtree is the commune alone (/1/2/ is not /1/20/)."""
    communes = [
        core.create_orgunit(
            kind=K.COMMUNE, code=f"C{n:02d}", name=f"Xã {n}", parent=province
        )
        for n in range(12)
    ]
    for commune in communes:
        assert list(selectors.subtree(commune)) == [commune]


def test_moving_a_commune_moves_its_whole_subtree(
    legacy_tree: dict[str, OrgUnit],
) -> None:
    """Moving a commune to another district rewrites the path of every village under it."""
    t = legacy_tree
    moved = core.update_orgunit(t["commune"], parent=t["b"])
    assert moved.parent == t["b"]
    assert moved.path == f"{t['b'].path}{moved.pk}/"
    for key in ("v1", "v2"):
        village = OrgUnit.objects.get(pk=t[key].pk)
        assert village.path == f"{moved.path}{village.pk}/"
        assert village.depth == 3
    assert {u.name for u in selectors.subtree(t["b"])} == {
        "Huyện Mèo Vạc",
        "Xã Lũng Cú",
        "Thôn Lô Lô Chải",
        "Thôn Thèn Pả",
    }
    assert list(selectors.subtree(OrgUnit.objects.get(pk=t["a"].pk))) == [t["a"]]
    entry = AuditEntry.objects.get(action="core.orgunit.update")
    assert entry.detail == {"parent": [t["a"].pk, t["b"].pk]}


def test_moving_up_a_level_changes_depth_below(
    legacy_tree: dict[str, OrgUnit],
) -> None:
    """A commune moved from a district straight under the province: villages go to depth 2."""
    t = legacy_tree
    moved = core.update_orgunit(t["commune"], parent=t["province"])
    assert moved.depth == 1
    assert OrgUnit.objects.get(pk=t["v1"].pk).depth == 2
    assert OrgUnit.objects.get(pk=t["v2"].pk).path == (
        f"/{t['province'].pk}/{moved.pk}/{t['v2'].pk}/"
    )


def test_a_unit_cannot_move_under_its_own_descendant(
    legacy_tree: dict[str, OrgUnit],
) -> None:
    """Moving an agency under its own department, or under itself, is refused; nothing changes."""
    t = legacy_tree
    agency = core.create_orgunit(
        kind=K.AGENCY, code="H56.05", name="Sở Tài chính", parent=t["province"]
    )
    branch = core.create_orgunit(
        kind=K.AGENCY, code="H56.05.1", name="Chi cục", parent=agency
    )
    office = core.create_orgunit(
        kind=K.AGENCY, code="H56.05.1.1", name="Văn phòng", parent=branch
    )
    paths_before = dict(OrgUnit.objects.values_list("pk", "path"))
    audit_before = AuditEntry.objects.count()
    for target in (branch, office, agency):
        with pytest.raises(DomainError) as caught:
            core.update_orgunit(agency, parent=target)
        assert caught.value.code == "orgunit_cycle"
    assert dict(OrgUnit.objects.values_list("pk", "path")) == paths_before
    assert AuditEntry.objects.count() == audit_before


def test_a_move_to_a_forbidden_parent_is_refused(
    legacy_tree: dict[str, OrgUnit],
) -> None:
    """A village cannot be moved directly under a district; nothing changes."""
    t = legacy_tree
    with pytest.raises(DomainError) as caught:
        core.update_orgunit(t["v1"], parent=t["b"])
    assert caught.value.code == "orgunit_bad_parent"
    assert OrgUnit.objects.get(pk=t["v1"].pk).parent_id == t["commune"].pk


def test_rename_and_recode(legacy_tree: dict[str, OrgUnit]) -> None:
    """Renaming stores NFC, refreshes the folded name and is audited with old and new."""
    t = legacy_tree
    renamed = core.update_orgunit(t["commune"], name=" Xã Lũng Cú mới ", code="00713")
    assert renamed.name == "Xã Lũng Cú mới"
    assert renamed.name_folded == "xa lung cu moi"
    assert renamed.code == "00713"
    entry = AuditEntry.objects.get(action="core.orgunit.update")
    assert entry.detail == {
        "name": ["Xã Lũng Cú", "Xã Lũng Cú mới"],
        "code": ["00712", "00713"],
    }


def test_recode_to_a_taken_code_is_refused(legacy_tree: dict[str, OrgUnit]) -> None:
    """Giving district B the code of district A is refused; B keeps its code and name."""
    t = legacy_tree
    with pytest.raises(DomainError) as caught:
        core.update_orgunit(t["b"], name="Huyện mới", code="024")
    assert caught.value.code == "orgunit_code_taken"
    unit = OrgUnit.objects.get(pk=t["b"].pk)
    assert (unit.code, unit.name) == ("026", "Huyện Mèo Vạc")


def test_blanking_the_code_or_name_is_refused_as_incomplete(
    legacy_tree: dict[str, OrgUnit],
) -> None:
    """An empty code or name on update is refused as incomplete, not as a taken code."""
    t = legacy_tree
    for fields in ({"code": "  "}, {"name": " "}):
        with pytest.raises(DomainError) as caught:
            core.update_orgunit(t["b"], **fields)
        assert caught.value.code == "orgunit_incomplete", fields
    unit = OrgUnit.objects.get(pk=t["b"].pk)
    assert (unit.code, unit.name) == ("026", "Huyện Mèo Vạc")


def test_an_update_that_changes_nothing_is_not_audited(
    legacy_tree: dict[str, OrgUnit],
) -> None:
    """Saving the same name, code and parent writes no audit row."""
    t = legacy_tree
    core.update_orgunit(t["b"], name="Huyện Mèo Vạc", code="026", parent=t["province"])
    assert not AuditEntry.objects.filter(action="core.orgunit.update").exists()


def test_a_parent_object_loaded_before_a_move_still_places_correctly(
    province: OrgUnit,
) -> None:
    """Units added or moved under a parent object read before that parent moved go to its new place."""
    finance = core.create_orgunit(
        kind=K.AGENCY, code="H56.05", name="Sở Tài chính", parent=province
    )
    home = core.create_orgunit(
        kind=K.AGENCY, code="H56.06", name="Sở Nội vụ", parent=province
    )
    stale_finance = OrgUnit.objects.get(pk=finance.pk)
    core.update_orgunit(finance, parent=home)

    added = core.create_orgunit(
        kind=K.DEPARTMENT, code="P1", name="Phòng Ngân sách", parent=stale_finance
    )
    assert added.path == f"/{province.pk}/{home.pk}/{finance.pk}/{added.pk}/"
    assert added.depth == 3
    other = core.create_orgunit(
        kind=K.DEPARTMENT, code="P2", name="Phòng Giá", parent=province
    )
    moved = core.update_orgunit(other, parent=stale_finance)
    assert moved.path == f"/{province.pk}/{home.pk}/{finance.pk}/{other.pk}/"
    assert {u.name for u in selectors.subtree(home)} == {
        "Sở Nội vụ",
        "Sở Tài chính",
        "Phòng Ngân sách",
        "Phòng Giá",
    }


@pytest.mark.django_db(transaction=True)
def test_two_administrators_adding_the_same_code_at_once() -> None:
    """When eight requests add commune 02239 together, one succeeds and seven get orgunit_code_taken."""
    import threading

    from django.db import connection

    province = core.create_orgunit(kind=K.PROVINCE, code="08", name="Tỉnh Tuyên Quang")
    count = 8
    start = threading.Barrier(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def add(n: int) -> None:
        try:
            start.wait(timeout=30)
            core.create_orgunit(
                kind=K.COMMUNE, code="02239", name=f"Xã {n}", parent=province
            )
            outcome = "created"
        except DomainError as exc:
            outcome = exc.code
        except Exception as exc:  # reported below
            outcome = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["created"] + ["orgunit_code_taken"] * (count - 1)
    assert OrgUnit.objects.filter(code="02239").count() == 1
    assert AuditEntry.objects.filter(action="core.orgunit.create").count() == 2
