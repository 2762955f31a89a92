from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tinhso.accounts.models import AccountKind, Role
from tinhso.core import selectors as core_selectors
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.core.services import ALLOWED_PARENTS
from tinhso.core.text import fold


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        help_text=_(
            "Cán bộ: tên đăng nhập. Công dân: số định danh cá nhân. Doanh nghiệp: mã số thuế."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực 6 chữ số"),
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "pattern": "[0-9 ]*",
            }
        ),
    )


class RegisterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Loại tài khoản"),
        choices=[
            (AccountKind.CITIZEN, _("Công dân")),
            (AccountKind.BUSINESS, _("Doanh nghiệp, tổ chức")),
        ],
        widget=forms.RadioSelect,
        initial=AccountKind.CITIZEN,
    )
    identifier = forms.CharField(
        label=_("Số định danh cá nhân hoặc mã số thuế"),
        max_length=20,
        help_text=_("Công dân: 12 chữ số trên căn cước. Doanh nghiệp: mã số thuế."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "username"}
        ),
    )
    full_name = forms.CharField(label=_("Họ và tên / tên doanh nghiệp"), max_length=150)
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=15,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        help_text=_("Ít nhất 8 ký tự, không chỉ gồm chữ số."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Tên mã truy cập"),
        max_length=100,
        help_text=_("Ví dụ: phần mềm kế toán của Sở."),
    )
    days = forms.IntegerField(
        label=_("Hiệu lực (ngày)"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("Để trống: không hết hạn."),
    )


# Administration -----------------------------------------------------------

# Up to this many units a plain <select> is quicker than searching; above it
# (a province administrator reaches thousands) the picker is a search box.
UNIT_SELECT_LIMIT = 60
UNIT_CANDIDATES = 20


def unit_label(unit: OrgUnit, *, with_parent: bool = True) -> str:
    label = f"{unit.name} ({unit.code})"
    if with_parent and unit.parent is not None:
        label += f" — {unit.parent.name}"
    return label


class OrgTreeQueryForm(forms.Form):
    """The org tree page's query string: search, focused unit, former units."""

    q = forms.CharField(
        label=_("Tìm đơn vị theo tên hoặc mã"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    legacy = forms.BooleanField(
        label=_("Hiện cả đơn vị cũ (trước 01/7/2025)"), required=False
    )
    unit = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)


class OrgUnitCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại đơn vị"))
    code = forms.CharField(
        label=_("Mã"),
        max_length=32,
        help_text=_("Mã đơn vị hành chính hoặc mã định danh cơ quan."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(label=_("Tên đơn vị"), max_length=255)

    def __init__(self, *args: Any, parent: OrgUnit | None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "add")
        super().__init__(*args, **kwargs)
        parent_kind = parent.kind if parent is not None else None
        # The same rule core.services enforces, so the list offers only
        # kinds that may sit here.
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (kind.value, kind.label)
            for kind in OrgUnitKind
            if parent_kind in ALLOWED_PARENTS[kind]
        ]
        self.has_kinds = bool(field.choices)


class OrgUnitEditForm(forms.Form):
    code = forms.CharField(
        label=_("Mã"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(label=_("Tên đơn vị"), max_length=255)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "edit")
        super().__init__(*args, **kwargs)


class UnitChoiceField(forms.ModelChoiceField[OrgUnit]):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return unit_label(obj)


class UnitPickerMixin(forms.Form):
    """An org unit chosen among ``units``: a select when they are few, else a
    search box whose matches are offered as radio buttons.

    Without JavaScript the search box still works: a query matching exactly
    one unit picks it; several matches come back as choices.
    """

    unit_required = True

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = units.select_related("parent").order_by("path")
        self.unit_candidates: list[OrgUnit] = []
        field = UnitChoiceField(
            queryset=self.units,
            label=_("Đơn vị"),
            required=False,
            empty_label=_("— Chọn đơn vị —"),
            error_messages={"required": _("Cần chọn đơn vị.")},
        )
        self.fields["org_unit"] = field
        self.unit_search = self.units.count() > UNIT_SELECT_LIMIT
        if self.unit_search:
            self.fields["unit_q"] = forms.CharField(
                label=_("Tìm đơn vị theo tên hoặc mã"),
                max_length=100,
                required=False,
                widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
            )
            initial = self.initial.get("org_unit")
            if isinstance(initial, OrgUnit):
                self.unit_candidates = [initial]
        else:
            field.required = self.unit_required
            depths = [unit.depth for unit in self.units]
            top = min(depths, default=0)
            # Indent by depth so the select reads as a tree.
            field.choices = [("", field.empty_label)] + [
                (
                    unit.pk,
                    "\u2003" * (unit.depth - top) + unit_label(unit, with_parent=False),
                )
                for unit in self.units
            ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        unit = cleaned.get("org_unit")
        query = (cleaned.get("unit_q") or "").strip()
        if unit is None and query:
            matches = self._matches(query)
            if len(matches) == 1:
                cleaned["org_unit"] = matches[0]
            elif not matches:
                self.add_error(
                    "unit_q",
                    _("Không có đơn vị nào khớp trong phạm vi bạn quản trị."),
                )
            else:
                self.unit_candidates = matches[:UNIT_CANDIDATES]
                self.add_error(
                    "unit_q", _("Có nhiều đơn vị khớp: hãy chọn một đơn vị.")
                )
        elif unit is None and self.unit_required and "org_unit" not in self.errors:
            self.add_error(
                "unit_q" if self.unit_search else "org_unit", _("Cần chọn đơn vị.")
            )
        if unit is not None:
            self.unit_candidates = [unit]
        return cleaned

    def _matches(self, query: str) -> list[OrgUnit]:
        exact = list(self.units.filter(code=query)[:2])
        if len(exact) == 1:
            return exact
        return units_matching(self.units, query, limit=50)


def units_matching(
    units: QuerySet[OrgUnit], query: str, *, limit: int
) -> list[OrgUnit]:
    """Units among ``units`` matching ``query``, higher levels first."""
    found = core_selectors.search_orgunits(query).filter(pk__in=units.values("pk"))
    rows = list(found.select_related("parent").order_by("depth", "name")[:limit])
    # Sorted here: the database collation would put "Đ" after "Z".
    return sorted(rows, key=lambda unit: (unit.depth, fold(unit.name)))


class OfficialCreateForm(UnitPickerMixin):
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=50,
        help_text=_("Chữ thường không dấu, chữ số và . _ -; ví dụ: nguyenvanan."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "none",
            }
        ),
    )
    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu ban đầu"),
        strip=False,
        help_text=_(
            "Ít nhất 8 ký tự, không chỉ gồm chữ số. Hãy trao tận tay người dùng."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    title = forms.CharField(label=_("Chức vụ"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=15,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )

    field_order = ["username", "full_name", "password", "org_unit", "unit_q"]


class OfficialEditForm(UnitPickerMixin):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    title = forms.CharField(label=_("Chức vụ"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
    )
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=15,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )

    field_order = ["full_name", "title", "org_unit", "unit_q", "email", "phone"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "info")
        super().__init__(*args, **kwargs)


class NewPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Mật khẩu mới"),
        strip=False,
        help_text=_("Ít nhất 8 ký tự, không chỉ gồm chữ số."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "pw")
        super().__init__(*args, **kwargs)


class RoleGrantForm(UnitPickerMixin):
    role = forms.ChoiceField(
        label=_("Vai trò"), choices=[("", _("— Chọn vai trò —")), *Role.choices]
    )
    include_subtree = forms.BooleanField(
        label=_("Cả các đơn vị cấp dưới"),
        required=False,
        help_text=_("Vai trò có hiệu lực ở đơn vị này và mọi đơn vị trực thuộc."),
    )

    field_order = ["role", "org_unit", "unit_q", "include_subtree"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "role")
        super().__init__(*args, **kwargs)
