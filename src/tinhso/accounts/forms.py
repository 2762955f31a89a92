from django import forms
from django.utils.translation import gettext_lazy as _

from tinhso.accounts.models import AccountKind


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
