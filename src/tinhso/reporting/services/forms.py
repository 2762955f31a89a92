"""Designing report forms and scheduling them. A form with a round is
frozen: its reports must keep meaning what they meant, so a change is made
on a copy."""

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from tinhso.core import audit
from tinhso.core.errors import Conflict, DomainError
from tinhso.core.models import OrgUnit
from tinhso.core.text import nfc
from tinhso.reporting.constants import Frequency, ItemKind
from tinhso.reporting.models import (
    FormItem,
    FormSection,
    Indicator,
    ReportForm,
    Schedule,
    SumRule,
)
from tinhso.reporting.services.catalog import may_manage

_CODE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")


def _code(raw: str, field: str = "code") -> str:
    code = raw.strip().lower()
    if not _CODE.fullmatch(code):
        raise DomainError(
            "invalid_code",
            _(
                "Mã chỉ gồm chữ thường không dấu, chữ số, dấu chấm, gạch nối, gạch dưới."
            ),
            extra={"field": field},
        )
    return code


def _text(raw: str, field: str, message: str) -> str:
    text = nfc(raw or "").strip()
    if not text:
        raise DomainError("field_required", message, extra={"field": field})
    return text


def is_frozen(form: ReportForm) -> bool:
    return form.rounds.exists()


def _may_change(actor: Any, form: ReportForm) -> None:
    may_manage(actor)
    if is_frozen(form):
        raise Conflict(
            "form_frozen",
            _(
                "Biểu mẫu đã được giao báo cáo nên không sửa được nữa; hãy nhân bản "
                "biểu mẫu rồi sửa bản mới."
            ),
        )


def create_form(
    actor: Any, *, code: str, name: str, description: str = ""
) -> ReportForm:
    may_manage(actor)
    code = _code(code)
    if ReportForm.objects.filter(code=code).exists():
        raise Conflict(
            "form_code_taken",
            _("Đã có biểu mẫu mã “%(code)s”.") % {"code": code},
            extra={"field": "code"},
        )
    with transaction.atomic():
        form = ReportForm.objects.create(
            code=code,
            name=_text(name, "name", _("Nhập tên báo cáo.")),
            description=nfc(description).strip(),
            created_by=actor,
        )
        audit.record(
            "reporting.form_created", obj=form, actor=actor, detail={"code": code}
        )
    return form


def add_section(actor: Any, form: ReportForm, title: str) -> FormSection:
    _may_change(actor, form)
    order = (form.sections.aggregate(n=Max("order"))["n"] or 0) + 1
    return FormSection.objects.create(
        form=form, order=order, title=_text(title, "title", _("Nhập tên phần."))
    )


def add_item(
    actor: Any,
    section: FormSection,
    *,
    key: str,
    kind: str,
    label: str = "",
    indicator: Indicator | None = None,
    help: str = "",
    required: bool = True,
    min_value: Any = None,
    max_value: Any = None,
) -> FormItem:
    form = section.form
    _may_change(actor, form)
    key = _code(key, "key")
    if FormItem.objects.filter(section__form=form, key=key).exists():
        raise Conflict(
            "item_key_taken",
            _("Biểu mẫu đã có dòng mã “%(key)s”.") % {"key": key},
            extra={"field": "key"},
        )
    if kind not in ItemKind.values:
        raise DomainError(
            "invalid_kind", _("Loại dòng không hợp lệ."), extra={"field": "kind"}
        )
    if kind == ItemKind.INDICATOR and indicator is None:
        raise DomainError(
            "indicator_required",
            _("Chọn chỉ tiêu cho dòng này."),
            extra={"field": "indicator"},
        )
    if kind != ItemKind.INDICATOR:
        indicator = None
    if not label and indicator is not None:
        label = indicator.name
    if min_value is not None and max_value is not None and min_value > max_value:
        raise DomainError(
            "bad_range",
            _("Giá trị nhỏ nhất lớn hơn giá trị lớn nhất."),
            extra={"field": "min_value"},
        )
    order = (section.items.aggregate(n=Max("order"))["n"] or 0) + 1
    return FormItem.objects.create(
        section=section,
        order=order,
        key=key,
        kind=kind,
        indicator=indicator,
        label=_text(label, "label", _("Nhập nội dung dòng.")),
        help=nfc(help).strip(),
        required=required,
        min_value=min_value if kind != ItemKind.TEXT else None,
        max_value=max_value if kind != ItemKind.TEXT else None,
    )


def remove_item(actor: Any, item: FormItem) -> None:
    _may_change(actor, item.section.form)
    with transaction.atomic():
        SumRule.objects.filter(total=item).delete()
        for rule in SumRule.objects.filter(parts=item):
            rule.delete()
        item.delete()


def remove_section(actor: Any, section: FormSection) -> None:
    _may_change(actor, section.form)
    with transaction.atomic():
        for item in section.items.all():
            remove_item(actor, item)
        section.delete()


def add_sum_rule(
    actor: Any, form: ReportForm, total: str, parts: Iterable[str]
) -> SumRule:
    _may_change(actor, form)
    items = {i.key: i for i in FormItem.objects.filter(section__form=form)}
    keys = [p.strip().lower() for p in parts if p.strip()]
    unknown = [k for k in [total.strip().lower(), *keys] if k not in items]
    if unknown:
        raise DomainError(
            "unknown_item",
            _("Biểu mẫu không có dòng mã: %(keys)s.") % {"keys": ", ".join(unknown)},
            extra={"field": "parts"},
        )
    chosen = [items[k] for k in [total.strip().lower(), *keys]]
    if any(i.kind == ItemKind.TEXT for i in chosen):
        raise DomainError(
            "rule_on_text",
            _("Quy tắc cộng chỉ áp dụng cho dòng số liệu."),
            extra={"field": "parts"},
        )
    if len(keys) < 2 or total.strip().lower() in keys:
        raise DomainError(
            "rule_parts",
            _("Dòng tổng phải bằng tổng của ít nhất hai dòng khác."),
            extra={"field": "parts"},
        )
    with transaction.atomic():
        rule = SumRule.objects.create(form=form, total=chosen[0])
        rule.parts.set(chosen[1:])
    return rule


def remove_rule(actor: Any, rule: SumRule) -> None:
    _may_change(actor, rule.form)
    rule.delete()


def copy_form(actor: Any, form: ReportForm, *, code: str, name: str) -> ReportForm:
    """A new, unfrozen form with the same sections, items and rules."""
    with transaction.atomic():
        copy = create_form(actor, code=code, name=name, description=form.description)
        made: dict[int, FormItem] = {}
        for section in form.sections.all():
            new_section = FormSection.objects.create(
                form=copy, order=section.order, title=section.title
            )
            for item in section.items.all():
                old_pk = item.pk
                item.pk = None
                item.section = new_section
                item.save()
                made[old_pk] = item
        for rule in form.rules.all():
            new_rule = SumRule.objects.create(form=copy, total=made[rule.total_id])
            new_rule.parts.set([made[p.pk] for p in rule.parts.all()])
    return copy


def schedule_form(
    actor: Any,
    form: ReportForm,
    *,
    owner: OrgUnit,
    frequency: str,
    units: Iterable[OrgUnit],
    starts: dt.date,
    ends: dt.date | None = None,
    cutoff_15th: bool = True,
    deadline_days: int = 5,
    remind_days: int = 3,
) -> Schedule:
    """Give ``form`` to ``units`` for every period from ``starts``; the
    rounds due so far open at once."""
    from tinhso.reporting.services.reports import open_due_rounds

    may_manage(actor)
    chosen = list(units)
    if not chosen:
        raise DomainError(
            "no_units", _("Chọn ít nhất một đơn vị báo cáo."), extra={"field": "units"}
        )
    if not FormItem.objects.filter(section__form=form).exists():
        raise DomainError(
            "form_empty",
            _("Biểu mẫu chưa có dòng nào để báo cáo."),
            extra={"field": "form"},
        )
    if frequency not in Frequency.values:
        raise DomainError(
            "invalid_frequency",
            _("Kỳ báo cáo không hợp lệ."),
            extra={"field": "frequency"},
        )
    if frequency == Frequency.ONCE and (ends is None or ends < starts):
        raise DomainError(
            "once_needs_end",
            _("Báo cáo một lần cần ngày kết thúc kỳ, không trước ngày bắt đầu."),
            extra={"field": "ends"},
        )
    with transaction.atomic():
        schedule = Schedule.objects.create(
            form=form,
            owner=owner,
            frequency=frequency,
            starts=starts,
            ends=ends if frequency == Frequency.ONCE else None,
            cutoff_15th=cutoff_15th,
            deadline_days=deadline_days,
            remind_days=remind_days,
            created_by=actor,
        )
        schedule.units.set(chosen)
        audit.record(
            "reporting.form_scheduled",
            obj=schedule,
            actor=actor,
            detail={
                "form": form.code,
                "frequency": frequency,
                "units": len(chosen),
                "owner": owner.code,
            },
        )
        open_due_rounds(schedules=[schedule])
    return schedule
