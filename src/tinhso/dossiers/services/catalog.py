"""Writes of the procedure catalog: one procedure, or a whole file of them.

A catalog file is checked whole before anything is saved: every row's
problems are listed with its row number, and a file with any problem
changes nothing.
"""

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tinhso.accounts.models import Role
from tinhso.core import audit, search
from tinhso.core.errors import DomainError
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.core.text import fold
from tinhso.dossiers import catalog_table as table
from tinhso.dossiers.constants import (
    AUDIT_CATALOG_IMPORTED,
    AUDIT_PROCEDURE_SAVED,
    CATALOG_SCOPE,
    OPEN_STATUSES,
    STEP_ROLES,
    CopyKind,
    DurationUnit,
    FeeKind,
    ProcedureLevel,
    ServiceLevel,
)
from tinhso.dossiers.models import (
    Fee,
    Procedure,
    ProcedureField,
    RequiredDocument,
    Step,
    step_days,
)

# National procedure codes look like 1.001193 or 2.000986.000.00.00.H58.
_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z.\-]{0,39}")
# Province-level procedures are handled by an agency, or by the province's
# People's Committee itself.
AGENCY_KINDS = (OrgUnitKind.AGENCY, OrgUnitKind.PROVINCE)


@dataclass
class DocumentSpec:
    name: str
    copy_kind: str
    quantity: int = 1
    required: bool = True
    form_name: str = ""


@dataclass
class FeeSpec:
    kind: str
    description: str
    amount: int


@dataclass
class StepSpec:
    name: str
    unit_label: str
    role: str
    duration: Decimal
    duration_unit: str = DurationUnit.DAYS
    inter_agency: bool = False

    @property
    def working_days(self) -> Decimal:
        return step_days(self.duration, self.duration_unit)


@dataclass
class ProcedureSpec:
    """A procedure as an administrator describes it, before it is saved."""

    code: str
    name: str
    field: str
    level: str
    service_level: str
    processing_days: Decimal
    legal_basis: str
    agency: OrgUnit | None = None
    result: str = ""
    conditions: str = ""
    documents: list[DocumentSpec] = dataclasses.field(default_factory=list)
    fees: list[FeeSpec] = dataclasses.field(default_factory=list)
    steps: list[StepSpec] = dataclasses.field(default_factory=list)
    published: bool = True


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    fields_created: int = 0
    codes: list[str] = dataclasses.field(default_factory=list)


def problems_of(spec: ProcedureSpec) -> list[str]:
    """What is wrong with ``spec``, in Vietnamese; empty when it may be saved."""
    found = []
    if not _CODE.fullmatch(spec.code):
        found.append(_("Mã thủ tục chỉ gồm chữ, số, dấu chấm, gạch ngang (tối đa 40)."))
    if not spec.name:
        found.append(_("Thiếu tên thủ tục."))
    if not spec.field:
        found.append(_("Thiếu lĩnh vực."))
    if not spec.legal_basis:
        found.append(_("Thiếu căn cứ pháp lý."))
    if spec.level == ProcedureLevel.PROVINCE and spec.agency is None:
        found.append(_("Thủ tục cấp tỉnh cần mã cơ quan thực hiện."))
    if spec.level == ProcedureLevel.COMMUNE and spec.agency is not None:
        found.append(_("Thủ tục cấp xã do mọi xã thực hiện: để trống mã cơ quan."))
    if not _halves(spec.processing_days):
        found.append(
            _(
                "Thời hạn giải quyết tính theo nửa ngày làm việc, từ 0,5 đến "
                "%(most)s ngày."
            )
            % {"most": table.decimal_text(MAX_DAYS)}
        )
    for step in spec.steps:
        if not Decimal("0.5") <= step.duration <= MAX_DAYS * 8 or step.duration != (
            step.duration.quantize(Decimal("0.1"))
        ):
            found.append(
                _(
                    "Bước “%(step)s”: thời gian từ 0,5 đến %(most)s, một chữ số thập phân."
                )
                % {"step": step.name, "most": table.decimal_text(MAX_DAYS * 8)}
            )
    for fee in spec.fees:
        if fee.amount > MAX_AMOUNT:
            found.append(
                _("Mức thu “%(fee)s” vượt quá %(most)s đồng.")
                % {"fee": fee.description, "most": f"{MAX_AMOUNT:,}".replace(",", ".")}
            )
    for document in spec.documents:
        if not 1 <= document.quantity <= MAX_QUANTITY:
            found.append(
                _("Số lượng “%(name)s” từ 1 đến %(most)s.")
                % {"name": document.name[:60], "most": MAX_QUANTITY}
            )
    found.extend(_too_long(spec))
    if not spec.documents:
        found.append(_("Thủ tục cần ít nhất một thành phần hồ sơ."))
    if spec.steps:
        total = sum((s.working_days for s in spec.steps), Decimal(0))
        if total != spec.processing_days:
            found.append(
                _(
                    "Các bước xử lý cộng lại %(steps)s ngày làm việc, khác thời hạn "
                    "giải quyết %(days)s ngày."
                )
                % {
                    "steps": table.decimal_text(total),
                    "days": table.decimal_text(spec.processing_days),
                }
            )
    return found


# Bounds of what a catalog may say: a DecimalField(5, 1) holds up to 9999.9.
MAX_DAYS = Decimal("9999.5")
MAX_AMOUNT = 10**12  # đồng
MAX_QUANTITY = 999


def _halves(days: Decimal) -> bool:
    """Whether ``days`` is a whole number of half days, 0.5 to MAX_DAYS."""
    return (
        Decimal("0.5") <= days <= MAX_DAYS
        and (days * 2) == (days * 2).to_integral_value()
    )


def _limit(model: type[models.Model], name: str) -> int:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.max_length is not None
    return int(field.max_length)


def _too_long(spec: "ProcedureSpec") -> list[str]:
    checks: list[tuple[str, str, int]] = [
        (_("Tên thủ tục"), spec.name, _limit(Procedure, "name")),
        (_("Lĩnh vực"), spec.field, _limit(ProcedureField, "name")),
    ]
    checks += [
        (_("Mẫu đơn, tờ khai"), d.form_name, _limit(RequiredDocument, "form_name"))
        for d in spec.documents
    ]
    checks += [
        (_("Nội dung phí"), f.description, _limit(Fee, "description"))
        for f in spec.fees
    ]
    for step in spec.steps:
        checks += [
            (_("Tên bước"), step.name, _limit(Step, "name")),
            (_("Bộ phận thực hiện"), step.unit_label, _limit(Step, "unit_label")),
        ]
    return [
        _("%(what)s dài quá %(n)s ký tự: “%(start)s…”.")
        % {"what": what, "n": limit, "start": text[:40]}
        for what, text, limit in checks
        if len(text) > limit
    ]


def _field(name: str) -> tuple[ProcedureField, bool]:
    code = slugify(fold(name))[:64]
    found = ProcedureField.objects.filter(code=code).first()
    if found is not None:
        return found, False
    return ProcedureField.objects.create(code=code, name=name), True


def _index(procedure: Procedure) -> None:
    agency = procedure.agency.name if procedure.agency else ""
    search.index(
        CATALOG_SCOPE,
        procedure.pk,
        procedure.code,
        procedure.name,
        procedure.field.name,
        agency,
    )


def _step_plan(steps: Iterable[Step | StepSpec]) -> list[tuple[object, ...]]:
    return [
        (s.name, s.unit_label, s.role, s.duration, s.duration_unit, s.inter_agency)
        for s in steps
    ]


def _keep_steps_of_open_dossiers(procedure: Procedure, spec: ProcedureSpec) -> None:
    """Dossiers being processed follow the steps by their number: those
    steps may not change under them."""
    if _step_plan(procedure.steps.all()) == _step_plan(spec.steps):
        return
    open_dossiers = procedure.dossiers.filter(status__in=OPEN_STATUSES)
    if open_dossiers.exists():
        raise DomainError(
            "procedure_steps_in_use",
            _(
                "Thủ tục %(code)s còn %(n)s hồ sơ đang giải quyết theo trình tự cũ; "
                "đổi trình tự sau khi các hồ sơ này xong."
            )
            % {"code": procedure.code, "n": open_dossiers.count()},
        )


@transaction.atomic
def save_procedure(spec: ProcedureSpec) -> tuple[Procedure, bool]:
    """Create or replace the procedure with ``spec.code``; (procedure, created).

    Its documents, fees and steps become exactly those of ``spec``.
    """
    problems = problems_of(spec)
    if problems:
        raise DomainError(
            "procedure_invalid", " ".join(problems), extra={"problems": problems}
        )
    field_row, _new_field = _field(spec.field)
    procedure, created = Procedure.objects.update_or_create(
        code=spec.code,
        defaults={
            "name": spec.name,
            "field": field_row,
            "level": spec.level,
            "agency": spec.agency,
            "service_level": spec.service_level,
            "processing_days": spec.processing_days,
            "result": spec.result,
            "conditions": spec.conditions,
            "legal_basis": spec.legal_basis,
            "published": spec.published,
        },
    )
    if not created:
        _keep_steps_of_open_dossiers(procedure, spec)
    # Form files are uploaded apart from the table: kept by document name.
    forms = dict(
        RequiredDocument.objects.filter(
            procedure=procedure, form_file__isnull=False
        ).values_list("name", "form_file")
    )
    for model in (RequiredDocument, Fee, Step):
        model.objects.filter(procedure=procedure).delete()
    RequiredDocument.objects.bulk_create(
        RequiredDocument(
            procedure=procedure, position=n, form_file_id=forms.get(d.name), **vars(d)
        )
        for n, d in enumerate(spec.documents, start=1)
    )
    Fee.objects.bulk_create(
        Fee(procedure=procedure, position=n, **vars(f))
        for n, f in enumerate(spec.fees, start=1)
    )
    Step.objects.bulk_create(
        Step(procedure=procedure, position=n, **vars(s))
        for n, s in enumerate(spec.steps, start=1)
    )
    _index(procedure)
    audit.record(
        AUDIT_PROCEDURE_SAVED,
        obj=procedure,
        detail={"code": procedure.code, "created": created},
    )
    return procedure, created


# -- a catalog file -----------------------------------------------------------


class _Problems:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, row: table.Row, message: str) -> None:
        self.lines.append(
            _("Dòng %(n)s: %(message)s") % {"n": row.number, "message": message}
        )


def _choice(
    value: str, choices: Iterable[tuple[str, Any]], what: str
) -> tuple[str | None, str]:
    """The choice ``value`` names, by code or label (folded); or a problem."""
    wanted = fold(value)
    for code, label in choices:
        if wanted in (fold(code), fold(str(label))):
            return code, ""
    names = ", ".join(str(label) for _, label in choices)
    return None, _("%(what)s “%(value)s” không hợp lệ (chọn: %(names)s).") % {
        "what": what,
        "value": value,
        "names": names,
    }


def _number(
    value: str, what: str, *, whole: bool = False
) -> tuple[Decimal | None, str]:
    # Vietnamese writes 0,5 and 1.000.000; accept both that and 0.5.
    text = value.replace(" ", "")
    if whole:
        text = text.replace(".", "").replace(",", "")
    elif "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        return None, _("%(what)s “%(value)s” không phải là số.") % {
            "what": what,
            "value": value,
        }
    if number < 0 or (whole and number != number.to_integral_value()):
        return None, _("%(what)s “%(value)s” không hợp lệ.") % {
            "what": what,
            "value": value,
        }
    return number, ""


_YES = {"co", "x", "1", "true", "yes", "bat buoc"}
_NO = {"khong", "0", "false", "no", "khong bat buoc"}
_ROLES = [(r, Role(r).label) for r in STEP_ROLES]


def _procedure_spec(
    row: table.Row, agencies: dict[str, OrgUnit], bad: _Problems
) -> ProcedureSpec | None:
    errors: list[str] = []

    def pick(key: str, choices: Iterable[tuple[str, Any]], what: str) -> str:
        value, problem = _choice(row.get(key), choices, what)
        if problem:
            errors.append(problem)
        return value or ""

    level = pick("level", ProcedureLevel.choices, _("Cấp thực hiện"))
    service_level = pick(
        "service_level", ServiceLevel.choices, _("Mức độ dịch vụ công trực tuyến")
    )
    days, problem = _number(row.get("processing_days"), _("Thời hạn giải quyết"))
    if problem:
        errors.append(problem)
    agency = None
    code = row.get("agency")
    if code:
        agency = agencies.get(code)
        if agency is None:
            errors.append(
                _("Không có cơ quan mã “%(code)s” trong cây tổ chức.") % {"code": code}
            )
    published = fold(row.get("published") or "có")
    if published not in _YES | _NO:
        errors.append(_("Cột “Công khai” ghi Có hoặc Không."))
    for message in errors:
        bad.add(row, message)
    if errors:
        return None
    return ProcedureSpec(
        published=published in _YES,
        code=row.get("code"),
        name=row.get("name"),
        field=row.get("field"),
        level=level,
        agency=agency,
        service_level=service_level,
        processing_days=days or Decimal(0),
        result=row.get("result"),
        conditions=row.get("conditions"),
        legal_basis=row.get("legal_basis"),
    )


def _part(row: table.Row, spec: ProcedureSpec, bad: _Problems) -> None:
    kind = row.get("kind")
    if not row.get("name"):
        bad.add(row, _("Thiếu tên (cột “Tên”)."))
        return
    if kind == table.DOCUMENT:
        copy_kind, problem = _choice(
            row.get("copy_kind") or CopyKind.ORIGINAL_OR_COPY,
            CopyKind.choices,
            _("Hình thức giấy tờ"),
        )
        quantity, q_problem = _number(
            row.get("quantity") or "1", _("Số lượng"), whole=True
        )
        required = fold(row.get("required") or "có")
        r_problem = (
            "" if required in _YES | _NO else _("Cột “Bắt buộc” ghi Có hoặc Không.")
        )
        for message in (problem, q_problem, r_problem):
            if message:
                bad.add(row, message)
        if quantity is None or copy_kind is None or r_problem:
            return
        spec.documents.append(
            DocumentSpec(
                name=row.get("name"),
                copy_kind=copy_kind,
                quantity=max(int(quantity), 1),
                required=required not in _NO,
                form_name=row.get("form_name"),
            )
        )
    elif kind == table.FEE:
        fee_kind, problem = _choice(row.get("fee_kind"), FeeKind.choices, _("Loại phí"))
        amount, a_problem = _number(row.get("amount"), _("Mức thu"), whole=True)
        for message in (problem, a_problem):
            if message:
                bad.add(row, message)
        if fee_kind is None or amount is None:
            return
        spec.fees.append(FeeSpec(fee_kind, row.get("name"), int(amount)))
    else:
        role, problem = _choice(row.get("role"), _ROLES, _("Vai trò thực hiện"))
        duration, d_problem = _number(row.get("duration"), _("Thời gian"))
        unit, u_problem = _choice(
            row.get("duration_unit") or DurationUnit.DAYS,
            DurationUnit.choices,
            _("Đơn vị thời gian"),
        )
        if not row.get("unit_label"):
            bad.add(row, _("Thiếu bộ phận thực hiện."))
        for message in (problem, d_problem, u_problem):
            if message:
                bad.add(row, message)
        if (
            role is None
            or duration is None
            or unit is None
            or not row.get("unit_label")
        ):
            return
        spec.steps.append(
            StepSpec(
                row.get("name"),
                row.get("unit_label"),
                role,
                duration,
                unit,
                inter_agency=fold(row.get("inter_agency")) in _YES,
            )
        )


def read_catalog(rows: list[table.Row]) -> list[ProcedureSpec]:
    """The procedures a catalog table describes; DomainError listing every problem."""
    agencies = {
        unit.code: unit
        for unit in OrgUnit.objects.filter(kind__in=AGENCY_KINDS, legacy=False)
    }
    bad = _Problems()
    specs: dict[str, ProcedureSpec] = {}
    first_row: dict[str, table.Row] = {}
    for row in rows:
        kind = next((k for k in table.KINDS if fold(k) == fold(row.get("kind"))), None)
        code = row.get("code")
        if kind is None:
            bad.add(
                row,
                _("Loại dòng “%(kind)s” không hợp lệ (chọn: %(kinds)s).")
                % {"kind": row.get("kind"), "kinds": ", ".join(table.KINDS)},
            )
            continue
        if not code:
            bad.add(row, _("Thiếu mã thủ tục."))
            continue
        if kind == table.PROCEDURE:
            if code in first_row:
                bad.add(
                    row,
                    _("Mã thủ tục %(code)s đã có ở dòng %(n)s.")
                    % {"code": code, "n": first_row[code].number},
                )
                continue
            first_row[code] = row
            spec = _procedure_spec(row, agencies, bad)
            if spec is not None:
                specs[code] = spec
            continue
        owner = specs.get(code)
        if owner is None:
            if code not in first_row:
                bad.add(
                    row,
                    _("Mã thủ tục %(code)s chưa có dòng “%(kind)s” phía trên.")
                    % {"code": code, "kind": table.PROCEDURE},
                )
            continue
        values = dict(row.values, kind=kind)
        _part(table.Row(row.number, values), owner, bad)
    for code, spec in specs.items():
        for message in problems_of(spec):
            bad.add(first_row[code], message)
    if not rows:
        bad.lines.append(_("Tệp không có thủ tục nào."))
    if bad.lines:
        raise DomainError(
            "catalog_invalid",
            _("Tệp danh mục có %(n)s lỗi; chưa lưu gì. %(first)s")
            % {"n": len(bad.lines), "first": bad.lines[0]},
            extra={"problems": bad.lines},
        )
    return list(specs.values())


def import_catalog(
    content: bytes,
    filename: str,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Create or replace every procedure of a CSV or XLSX catalog file.

    All or nothing: a file with any problem saves nothing, and the error
    lists each problem with its row number.
    """
    specs = read_catalog(table.read_table(content, filename))
    report = ImportReport()
    fields_before = ProcedureField.objects.count()
    with transaction.atomic():
        for done, spec in enumerate(specs, start=1):
            _procedure, created = save_procedure(spec)
            if created:
                report.created += 1
            else:
                report.updated += 1
            report.codes.append(spec.code)
            if progress is not None:
                progress(done, len(specs))
        report.fields_created = ProcedureField.objects.count() - fields_before
        audit.record(
            AUDIT_CATALOG_IMPORTED,
            object_type="dossiers.procedure",
            detail={
                "file": filename,
                "created": report.created,
                "updated": report.updated,
            },
        )
    return report
