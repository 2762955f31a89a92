"""A report's values: reading them from a page or a spreadsheet, checking
them against the form, and what each item's figure is.

Stored values are text exactly as the unit gave them, normalised
(``{"value": "12.5", "total": "40"}`` or ``{"text": "…"}``), so a version
reads back the same whatever the database.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from tinhso.reporting.constants import ItemKind
from tinhso.reporting.models import FormItem, ReportForm, SumRule

type Values = dict[str, dict[str, str]]

_GROUPED = re.compile(r"-?[1-9]\d{0,2}(\.\d{3})+")


@dataclass
class Checked:
    values: Values
    # Item key (or "" for the form) → messages.
    errors: dict[str, list[str]] = field(default_factory=dict)

    def fail(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_number(raw: Any) -> Decimal | None:
    """A number typed by a person or read from a cell: "1234,5", "1.045"
    and "1.234.567" (dots between thousands, as Vietnamese write them),
    "8.5" (a dot not followed by three digits is a decimal point), or a
    float; None for blank. ValueError when it is not a number."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, (int, float, Decimal)):
        return Decimal(str(raw))
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if "," in text:  # Vietnamese: dots group thousands, the comma is decimal
        text = text.replace(".", "").replace(",", ".")
    elif _GROUPED.fullmatch(text):  # "1.045" as Vietnamese write a thousand
        text = text.replace(".", "")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(raw) from exc
    if not number.is_finite():
        raise ValueError(raw)
    return number


def normal(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


def items_of(form: ReportForm) -> list[FormItem]:
    return list(
        FormItem.objects.filter(section__form=form)
        .select_related("indicator", "section")
        .order_by("section__order", "section_id", "order", "pk")
    )


def read(items: Iterable[FormItem], given: Mapping[str, Any]) -> Checked:
    """Read raw values (``given[key]`` and ``given[key + ".total"]``) into
    stored form; every unreadable number is named, nothing is dropped."""
    checked = Checked(values={})
    for item in items:
        if item.kind == ItemKind.TEXT:
            text = str(given.get(item.key) or "").strip()
            if text:
                checked.values[item.key] = {"text": text}
            continue
        entry: dict[str, str] = {}
        for part, raw in (("value", given.get(item.key)),) + (
            (("total", given.get(f"{item.key}.total")),) if item.is_ratio else ()
        ):
            try:
                number = parse_number(raw)
            except ValueError:
                checked.fail(
                    item.key,
                    _("“%(raw)s” không phải là số.") % {"raw": str(raw).strip()},
                )
                continue
            if number is not None:
                entry[part] = normal(number)
        if entry:
            checked.values[item.key] = entry
    return checked


def number(values: Values, key: str, part: str = "value") -> Decimal | None:
    raw = values.get(key, {}).get(part)
    return Decimal(raw) if raw is not None else None


def check(
    items: list[FormItem],
    rules: Iterable[SumRule],
    checked: Checked,
    *,
    complete: bool,
) -> Checked:
    """Check ranges, ratios and totals; with ``complete`` (a report being
    sent) every required item must also be there."""
    values = checked.values
    for item in items:
        if item.kind == ItemKind.TEXT:
            if complete and item.required and item.key not in values:
                checked.fail(item.key, _("Chưa nhập nội dung."))
            continue
        value = number(values, item.key)
        total = number(values, item.key, "total")
        if complete and item.required and value is None:
            checked.fail(item.key, _("Chưa nhập số liệu."))
        if item.is_ratio:
            if (value is None) != (total is None):
                checked.fail(item.key, _("Nhập cả tử số và mẫu số."))
            elif value is not None and total is not None:
                if total <= 0 and value > 0:
                    checked.fail(item.key, _("Mẫu số phải lớn hơn 0."))
                elif value > total:
                    checked.fail(item.key, _("Tử số không được lớn hơn mẫu số."))
        for found in (value, total):
            if found is None:
                continue
            if found < 0:
                checked.fail(item.key, _("Số liệu không được âm."))
                break
        if value is not None:
            if item.min_value is not None and value < item.min_value:
                checked.fail(
                    item.key,
                    _("Không được nhỏ hơn %(min)s.") % {"min": normal(item.min_value)},
                )
            if item.max_value is not None and value > item.max_value:
                checked.fail(
                    item.key,
                    _("Không được lớn hơn %(max)s.") % {"max": normal(item.max_value)},
                )
    for rule in rules:
        parts = list(rule.parts.all())
        whole = number(values, rule.total.key)
        addends = [number(values, p.key) for p in parts]
        if whole is None or any(a is None for a in addends):
            continue
        added = sum((a for a in addends if a is not None), Decimal(0))
        if added != whole:
            checked.fail(
                rule.total.key,
                _("%(total)s phải bằng tổng %(parts)s (%(sum)s), đang là %(value)s.")
                % {
                    "total": rule.total.key,
                    "parts": ", ".join(p.key for p in parts),
                    "sum": normal(added),
                    "value": normal(whole),
                },
            )
    return checked
