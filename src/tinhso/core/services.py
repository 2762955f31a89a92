"""Writes to core tables: the org tree and the calendar."""

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tinhso.core import audit, search
from tinhso.core.errors import DomainError
from tinhso.core.models import CalendarDay, OrgUnit, OrgUnitKind
from tinhso.core.text import fold, nfc

ORGUNIT_SCOPE = "core.orgunit"

# Which kinds may sit under which; None is the root.
ALLOWED_PARENTS: dict[str, set[str | None]] = {
    OrgUnitKind.PROVINCE: {None},
    OrgUnitKind.AGENCY: {
        None,
        OrgUnitKind.PROVINCE,
        OrgUnitKind.AGENCY,
        OrgUnitKind.DISTRICT,
        OrgUnitKind.COMMUNE,
    },
    OrgUnitKind.DISTRICT: {OrgUnitKind.PROVINCE},
    OrgUnitKind.COMMUNE: {OrgUnitKind.PROVINCE, OrgUnitKind.DISTRICT},
    OrgUnitKind.VILLAGE: {OrgUnitKind.COMMUNE},
    OrgUnitKind.DEPARTMENT: {
        OrgUnitKind.AGENCY,
        OrgUnitKind.COMMUNE,
        OrgUnitKind.DISTRICT,
        OrgUnitKind.PROVINCE,
    },
}


def _check_parent(kind: str, parent: OrgUnit | None) -> None:
    parent_kind = parent.kind if parent is not None else None
    if parent_kind not in ALLOWED_PARENTS[kind]:
        raise DomainError(
            "orgunit_bad_parent",
            _("Không thể đặt %(kind)s dưới %(parent)s.")
            % {
                "kind": OrgUnitKind(kind).label,
                "parent": parent.name if parent is not None else _("gốc cây"),
            },
        )


def _place(unit: OrgUnit, parent: OrgUnit | None) -> None:
    unit.parent = parent
    unit.depth = parent.depth + 1 if parent is not None else 0
    unit.path = f"{parent.path if parent is not None else '/'}{unit.pk}/"


def _code_taken(code: str) -> DomainError:
    return DomainError(
        "orgunit_code_taken",
        _("Mã %(code)s đã được dùng cho một đơn vị khác.") % {"code": code},
        status=409,
    )


def _current(parent: OrgUnit | None) -> OrgUnit | None:
    # The caller's object may predate a move of the parent; place under the
    # parent as it is now, and hold it still until this change commits.
    if parent is None:
        return None
    return OrgUnit.objects.select_for_update().get(pk=parent.pk)


def _index(unit: OrgUnit) -> None:
    search.index(ORGUNIT_SCOPE, unit.pk, unit.name, unit.code)


def create_orgunit(
    *,
    kind: str,
    code: str,
    name: str,
    parent: OrgUnit | None = None,
    division_type: str = "",
    legacy: bool = False,
    audited: bool = True,
) -> OrgUnit:
    """Add one unit under ``parent``; raises DomainError on a bad code or place."""
    code = code.strip()
    name = nfc(name)
    if not code or not name:
        raise DomainError("orgunit_incomplete", _("Đơn vị cần có mã và tên."))
    if kind not in OrgUnitKind.values:
        raise DomainError("orgunit_bad_kind", _("Loại đơn vị không hợp lệ."))
    _check_parent(kind, parent)
    same_code = OrgUnit.objects.filter(legacy=legacy, kind=kind, code=code)
    if same_code.exists():
        raise _code_taken(code)
    try:
        unit = _create(
            kind=kind,
            code=code,
            name=name,
            parent=parent,
            division_type=division_type,
            legacy=legacy,
            audited=audited,
        )
    except IntegrityError:
        # Another request added the same code between the check and the insert.
        if same_code.exists():
            raise _code_taken(code) from None
        raise
    return unit


def _create(
    *,
    kind: str,
    code: str,
    name: str,
    parent: OrgUnit | None,
    division_type: str,
    legacy: bool,
    audited: bool,
) -> OrgUnit:
    with transaction.atomic():
        parent = _current(parent)
        unit = OrgUnit(
            kind=kind,
            code=code,
            name=name,
            division_type=division_type,
            legacy=legacy,
            name_folded=fold(name),
            path="/",
        )
        unit.save()
        _place(unit, parent)
        unit.save(update_fields=["parent", "depth", "path"])
        _index(unit)
        if audited:
            audit.record(
                "core.orgunit.create",
                obj=unit,
                detail={
                    "kind": kind,
                    "code": code,
                    "name": name,
                    "parent": parent.pk if parent else None,
                },
            )
    return unit


def update_orgunit(
    unit: OrgUnit,
    *,
    name: str | None = None,
    code: str | None = None,
    parent: Any = ...,
) -> OrgUnit:
    """Rename, re-code or move a unit (and its whole subtree)."""
    changes: dict[str, Any] = {}
    with transaction.atomic():
        unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
        if name is not None and nfc(name) != unit.name:
            if not nfc(name):
                raise DomainError("orgunit_incomplete", _("Đơn vị cần có mã và tên."))
            changes["name"] = [unit.name, nfc(name)]
            unit.name = nfc(name)
            unit.name_folded = fold(unit.name)
        if code is not None and code.strip() != unit.code:
            code = code.strip()
            if not code:
                raise DomainError("orgunit_incomplete", _("Đơn vị cần có mã và tên."))
            taken = OrgUnit.objects.filter(
                legacy=unit.legacy, kind=unit.kind, code=code
            )
            if taken.exclude(pk=unit.pk).exists():
                raise _code_taken(code)
            changes["code"] = [unit.code, code]
            unit.code = code
        new_parent = _current(parent) if parent is not ... else unit.parent
        if new_parent != unit.parent:
            if new_parent is not None and new_parent.path.startswith(unit.path):
                raise DomainError(
                    "orgunit_cycle",
                    _("Không thể chuyển đơn vị vào chính cấp dưới của nó."),
                )
            _check_parent(unit.kind, new_parent)
            old_path, old_depth = unit.path, unit.depth
            changes["parent"] = [unit.parent_id, new_parent.pk if new_parent else None]
            _place(unit, new_parent)
            depth_shift = unit.depth - old_depth
            for child in OrgUnit.objects.filter(path__startswith=old_path).exclude(
                pk=unit.pk
            ):
                child.path = unit.path + child.path[len(old_path) :]
                child.depth = child.depth + depth_shift
                child.save(update_fields=["path", "depth"])
        if not changes:
            return unit
        unit.save()
        _index(unit)
        audit.record("core.orgunit.update", obj=unit, detail=changes)
    return unit


def link_successors(unit: OrgUnit, successors: list[OrgUnit]) -> None:
    unit.successors.add(*successors)


def set_calendar_day(day: date, kind: str, note: str = "") -> CalendarDay:
    with transaction.atomic():
        row, _created = CalendarDay.objects.update_or_create(
            date=day, defaults={"kind": kind, "note": note}
        )
        audit.record(
            "core.calendar.set",
            obj=row,
            detail={"date": day.isoformat(), "kind": kind, "note": note},
        )
    return row


def clear_calendar_day(day: date) -> None:
    with transaction.atomic():
        deleted, _counts = CalendarDay.objects.filter(date=day).delete()
        if deleted:
            audit.record(
                "core.calendar.clear",
                object_type="core.calendarday",
                object_id=day.isoformat(),
            )
