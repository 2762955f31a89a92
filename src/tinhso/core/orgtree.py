"""Administrative units of a province, loaded from the ``vietnam-provinces`` package.

The current two-level tree (province → commune, in force since 1 July 2025)
is loaded as live units; the older three-level tree (province → district →
commune) of every former province merged into it is loaded as ``legacy``
history, each former commune linked to the current commune(s) that took it
over, so records naming old units still resolve (``selectors.resolve_current``).

Loading is idempotent: units are keyed by (legacy, kind, code) and links by
their pair, so a second run finds everything present and writes nothing.
"""

import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

import vietnam_provinces
from vietnam_provinces import Province, ProvinceCode, Ward
from vietnam_provinces.legacy import District as LegacyDistrict
from vietnam_provinces.legacy import Ward as LegacyWard

from tinhso.core import audit, services
from tinhso.core.errors import DomainError
from tinhso.core.models import OrgUnit, OrgUnitKind

# Called as progress(stage, done, total) while loading, e.g. ("communes", 50, 124).
Progress = Callable[[str, int, int], None]

PROGRESS_EVERY = 50


def province_code(code: int) -> str:
    return f"{code:02d}"


def district_code(code: int) -> str:
    return f"{code:03d}"


def ward_code(code: int) -> str:
    return f"{code:05d}"


def provinces() -> list[Province]:
    """Today's 34 provinces and centrally-run cities, by code."""
    return sorted(Province.iter_all(), key=lambda p: p.code.value)


def source_province(code: int) -> Province:
    """The package's current province for ``code``, or a DomainError."""
    try:
        return Province.from_code(ProvinceCode(code))
    except ValueError:
        raise DomainError(
            "orgtree_unknown_province",
            _(
                "Không có tỉnh, thành phố mã %(code)s: chạy `tinhso orgtree provinces` "
                "để xem mã của %(count)s tỉnh, thành phố hiện hành (ví dụ 08 Tuyên "
                "Quang, 42 Hà Tĩnh)."
            )
            % {"code": code, "count": len(provinces())},
            status=404,
        ) from None


@dataclass
class LoadReport:
    """What one ``load_province`` run found and did."""

    province: OrgUnit
    # Rows created, keyed "province", "commune", "legacy_province",
    # "legacy_district", "legacy_commune".
    created: Counter[str] = field(default_factory=Counter)
    existing: int = 0
    links_created: int = 0
    # Former communes with no successor in the package's conversion table
    # (dissolved or merged before the 2025 reorganisation).
    legacy_without_successor: int = 0
    seconds: float = 0.0

    @property
    def created_total(self) -> int:
        return sum(self.created.values())

    @property
    def changed(self) -> bool:
        return bool(self.created_total or self.links_created)


Row = tuple[str, str, str, OrgUnit | None]  # code, name, division type, parent


class _Loader:
    """Finds or creates units in batches, counting what it did."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.created: Counter[str] = Counter()
        self.existing = 0

    def tick(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            self.progress(stage, done, total)

    def ensure(
        self, stage: str, *, kind: str, legacy: bool, rows: list[Row]
    ) -> dict[str, OrgUnit]:
        """Units for ``rows``, by code: found in one query, else created.

        New units go through ``create_orgunit`` unaudited; the load writes
        one summary audit row instead of hundreds.
        """
        found = {
            unit.code: unit
            for unit in OrgUnit.objects.filter(
                legacy=legacy, kind=kind, code__in=[row[0] for row in rows]
            )
        }
        label = f"legacy_{kind}" if legacy else str(kind)
        units: dict[str, OrgUnit] = {}
        for done, (code, name, division_type, parent) in enumerate(rows, start=1):
            unit = found.get(code)
            if unit is None:
                unit = services.create_orgunit(
                    kind=kind,
                    code=code,
                    name=name,
                    parent=parent,
                    division_type=division_type,
                    legacy=legacy,
                    audited=False,
                )
                self.created[label] += 1
            else:
                self.existing += 1
            units[code] = unit
            self.tick(stage, done, len(rows))
        return units


def load_province(
    code: int, *, with_legacy: bool = True, progress: Progress | None = None
) -> LoadReport:
    """Create province ``code`` with its communes and, optionally, its former units.

    Raises DomainError for a code that is not a current province. Runs in one
    transaction and writes one ``core.orgtree.load`` audit row when anything
    was created or linked; a run that finds everything in place writes nothing.
    """
    started = time.monotonic()
    source = source_province(code)
    wards = sorted(Ward.iter_by_province(source.code), key=lambda w: w.code.value)
    loader = _Loader(progress)
    with transaction.atomic():
        own_code = province_code(source.code.value)
        province = loader.ensure(
            "province",
            kind=OrgUnitKind.PROVINCE,
            legacy=False,
            rows=[(own_code, source.name, source.division_type.value, None)],
        )[own_code]
        communes = loader.ensure(
            "communes",
            kind=OrgUnitKind.COMMUNE,
            legacy=False,
            rows=[
                (ward_code(w.code.value), w.name, w.division_type.value, province)
                for w in wards
            ],
        )
        report = LoadReport(province=province)
        if with_legacy:
            _load_legacy(loader, report, source, province, wards, communes)
        report.created = loader.created
        report.existing = loader.existing
        report.seconds = time.monotonic() - started
        if report.changed:
            audit.record(
                "core.orgtree.load",
                obj=province,
                detail={
                    "province": province.code,
                    "with_legacy": with_legacy,
                    "source": f"vietnam-provinces {vietnam_provinces.__version__} "
                    f"(data {vietnam_provinces.__data_version__})",
                    "created": dict(sorted(report.created.items())),
                    "existing": report.existing,
                    "links_created": report.links_created,
                    "legacy_without_successor": report.legacy_without_successor,
                },
            )
    return report


def _load_legacy(
    loader: _Loader,
    report: LoadReport,
    source: Province,
    province: OrgUnit,
    wards: list[Ward],
    communes: dict[str, OrgUnit],
) -> None:
    former = sorted(source.get_legacy_sources(), key=lambda p: p.code.value)
    old_provinces = loader.ensure(
        "legacy provinces",
        kind=OrgUnitKind.PROVINCE,
        legacy=True,
        rows=[
            (province_code(p.code.value), p.name, p.division_type.value, None)
            for p in former
        ],
    )
    districts = sorted(
        (d for p in former for d in LegacyDistrict.iter_by_province(p.code)),
        key=lambda d: d.code.value,
    )
    old_districts = loader.ensure(
        "legacy districts",
        kind=OrgUnitKind.DISTRICT,
        legacy=True,
        rows=[
            (
                district_code(d.code.value),
                d.name,
                d.division_type.value,
                old_provinces[province_code(d.province_code.value)],
            )
            for d in districts
        ],
    )
    # One pass over the country's ~10,000 former communes, not one per district.
    wanted = {d.code for d in districts}
    old_wards = sorted(
        (w for w in LegacyWard.iter_all() if w.district_code in wanted),
        key=lambda w: w.code.value,
    )
    old_communes = loader.ensure(
        "legacy communes",
        kind=OrgUnitKind.COMMUNE,
        legacy=True,
        rows=[
            (
                ward_code(w.code.value),
                w.name,
                w.division_type.value,
                old_districts[district_code(w.district_code.value)],
            )
            for w in old_wards
        ],
    )

    # Wanted successor links as (former unit, current unit) pairs. A former
    # commune split between several new communes is a source of each of them.
    pairs: set[tuple[OrgUnit, OrgUnit]] = {
        (old, province) for old in old_provinces.values()
    }
    for ward in wards:
        current = communes[ward_code(ward.code.value)]
        for source_ward in ward.get_legacy_sources():
            old_unit = old_communes.get(ward_code(source_ward.code.value))
            if old_unit is not None:
                pairs.add((old_unit, current))
    linked = {old for old, _current in pairs}
    report.legacy_without_successor = sum(
        1 for unit in old_communes.values() if unit not in linked
    )

    through = OrgUnit.successors.through
    present = set(
        through.objects.filter(
            from_orgunit_id__in=[old.pk for old in linked]
        ).values_list("from_orgunit_id", "to_orgunit_id")
    )
    missing: dict[OrgUnit, list[OrgUnit]] = defaultdict(list)
    for old, current in pairs:
        if (old.pk, current.pk) not in present:
            missing[old].append(current)
    for done, (old, currents) in enumerate(
        sorted(missing.items(), key=lambda item: item[0].pk), start=1
    ):
        services.link_successors(old, currents)
        report.links_created += len(currents)
        loader.tick("successor links", done, len(missing))
