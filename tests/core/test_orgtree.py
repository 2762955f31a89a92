"""Loading a province's administrative units from vietnam-provinces."""

from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError

import pytest

from tinhso.core import orgtree, selectors
from tinhso.core.models import AuditEntry, OrgUnit, OrgUnitKind

pytestmark = pytest.mark.django_db

TUYEN_QUANG = 8


def unit(kind: str, code: str, *, legacy: bool = False) -> OrgUnit:
    return OrgUnit.objects.get(kind=kind, code=code, legacy=legacy)


def names(units: list[OrgUnit]) -> set[str]:
    return {u.name for u in units}


def test_tuyen_quang_today_and_before_the_merger() -> None:
    report = orgtree.load_province(TUYEN_QUANG)

    province = unit(OrgUnitKind.PROVINCE, "08")
    assert report.province == province
    assert (province.name, province.division_type) == ("Tỉnh Tuyên Quang", "tỉnh")
    communes = selectors.subtree(province, include_self=False)
    assert communes.count() == 124
    assert set(communes.values_list("kind", flat=True)) == {OrgUnitKind.COMMUNE}
    assert set(communes.values_list("division_type", flat=True)) == {"xã", "phường"}
    hg2 = unit(OrgUnitKind.COMMUNE, "00691")
    assert (hg2.name, hg2.parent, hg2.depth) == ("Phường Hà Giang 2", province, 1)

    # History: old Hà Giang (02) and old Tuyên Quang (08), three levels.
    old_provinces = OrgUnit.objects.filter(legacy=True, kind=OrgUnitKind.PROVINCE)
    assert names(list(old_provinces)) == {"Tỉnh Hà Giang", "Tỉnh Tuyên Quang"}
    old_ha_giang = unit(OrgUnitKind.PROVINCE, "02", legacy=True)
    districts = OrgUnit.objects.filter(parent=old_ha_giang)
    assert districts.count() == 11
    assert set(districts.values_list("kind", flat=True)) == {OrgUnitKind.DISTRICT}
    assert report.created == {
        "province": 1,
        "commune": 124,
        "legacy_province": 2,
        "legacy_district": 18,
        "legacy_commune": 330,
    }
    # The same code names a former and a current unit: 00691 was Phường Trần Phú.
    tran_phu = unit(OrgUnitKind.COMMUNE, "00691", legacy=True)
    assert tran_phu.name == "Phường Trần Phú"
    assert tran_phu.parent is not None
    assert tran_phu.parent.name == "Thành phố Hà Giang"

    # Former units resolve to today's.
    assert selectors.resolve_current(old_ha_giang) == [province]
    assert selectors.resolve_current(tran_phu) == [hg2]
    # Phường Quang Trung of the old city was split between Hà Giang 1 and 2.
    quang_trung = unit(OrgUnitKind.COMMUNE, "00688", legacy=True)
    assert names(selectors.resolve_current(quang_trung)) == {
        "Phường Hà Giang 1",
        "Phường Hà Giang 2",
    }
    # A former district resolves to the communes that took over its communes.
    vi_xuyen = OrgUnit.objects.get(legacy=True, name="Huyện Vị Xuyên")
    today = names(selectors.resolve_current(vi_xuyen))
    assert {"Xã Vị Xuyên", "Xã Cao Bồ", "Phường Hà Giang 2"} <= today
    assert all(u.legacy is False for u in selectors.resolve_current(vi_xuyen))
    # Xã Phú Thịnh (old Yên Sơn) has no entry in the 2025 conversion table.
    assert report.legacy_without_successor == 1


def test_loading_twice_changes_nothing() -> None:
    first = orgtree.load_province(TUYEN_QUANG)
    counts = (
        OrgUnit.objects.count(),
        OrgUnit.successors.through.objects.count(),
        AuditEntry.objects.count(),
    )

    second = orgtree.load_province(TUYEN_QUANG)

    assert first.changed and first.links_created > 330
    assert not second.changed
    assert second.created_total == 0 and second.links_created == 0
    assert second.existing == first.created_total
    assert (
        OrgUnit.objects.count(),
        OrgUnit.successors.through.objects.count(),
        AuditEntry.objects.count(),
    ) == counts
    # One summary audit row for the whole load, none for a load that found
    # everything in place.
    loads = AuditEntry.objects.filter(action="core.orgtree.load")
    assert loads.count() == 1
    detail = loads.get().detail
    assert detail["province"] == "08"
    assert detail["created"]["legacy_commune"] == 330
    assert not AuditEntry.objects.filter(action="core.orgunit.create").exists()


def test_current_units_alone_then_history_added_later() -> None:
    orgtree.load_province(TUYEN_QUANG, with_legacy=False)
    assert not OrgUnit.objects.filter(legacy=True).exists()
    assert OrgUnit.objects.count() == 125

    report = orgtree.load_province(TUYEN_QUANG)

    assert report.existing == 125
    assert report.created["legacy_commune"] == 330
    old_ha_giang = unit(OrgUnitKind.PROVINCE, "02", legacy=True)
    assert selectors.resolve_current(old_ha_giang) == [unit(OrgUnitKind.PROVINCE, "08")]


def test_search_without_diacritics_finds_current_and_former_units() -> None:
    orgtree.load_province(TUYEN_QUANG)

    current = names(list(selectors.search_orgunits("ha giang")))
    assert {"Phường Hà Giang 1", "Phường Hà Giang 2"} <= current
    assert "Tỉnh Hà Giang" not in current
    with_history = names(
        list(selectors.search_orgunits("ha giang", include_legacy=True))
    )
    assert {"Tỉnh Hà Giang", "Thành phố Hà Giang", "Phường Hà Giang 1"} <= with_history


def run(*args: str) -> str:
    out = StringIO()
    call_command("orgtree", *args, stdout=out)
    return out.getvalue()


def test_command_loads_and_resolves_former_units() -> None:
    loaded = run("load", "--province", "08")
    assert "Tỉnh Tuyên Quang" in loaded
    assert "commune 124" in loaded and "legacy_commune 330" in loaded
    assert "communes: 124/124" in loaded

    again = run("load", "--province", "8")
    assert "existing): 475" in again

    # A former commune of the old city of Hà Giang, by name and by code.
    by_name = run("resolve", "Phường Nguyễn Trãi")
    assert "[legacy commune 00694] Phường Nguyễn Trãi — Thành phố Hà Giang" in by_name
    assert "→ [commune 00694] Phường Hà Giang 1" in by_name
    by_code = run("resolve", "688")
    assert "Phường Quang Trung" in by_code
    assert "→ [commune 00691] Phường Hà Giang 2" in by_code
    assert "→ [commune 00694] Phường Hà Giang 1" in by_code
    # A former district, typed without diacritics.
    district = run("resolve", "huyen vi xuyen")
    assert "[legacy district 030] Huyện Vị Xuyên" in district
    assert "→ [commune 00913] Xã Vị Xuyên" in district

    provinces = run("provinces")
    assert "08  Tỉnh Tuyên Quang" in provinces and "42  Tỉnh Hà Tĩnh" in provinces


@pytest.mark.parametrize("code", ["99", "02", "abc"])
def test_command_refuses_unknown_province_code(code: str) -> None:
    # 02 was Hà Giang's code before the merger; it is not a province today.
    with pytest.raises(CommandError) as error:
        run("load", "--province", code)
    message = str(error.value)
    assert f"mã {code}:" in message
    assert "tinhso orgtree provinces" in message
    assert not OrgUnit.objects.exists()


def test_resolve_unknown_name_says_so() -> None:
    with pytest.raises(CommandError, match="Không tìm thấy"):
        run("resolve", "Xã Không Có")
