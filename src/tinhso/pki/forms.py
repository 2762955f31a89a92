"""Forms of the certificate pages. They parse; services decide."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinhso.accounts.models import User
from tinhso.core.models import OrgUnit
from tinhso.pki import pkcs11, selectors

# A certificate or a PKCS#12 bundle with its chain is a few kilobytes.
MAX_CERTIFICATE_BYTES = 256 * 1024


def read_upload(upload: UploadedFile | None) -> bytes:
    if upload is None:
        return b""
    if upload.size is not None and upload.size > MAX_CERTIFICATE_BYTES:
        raise forms.ValidationError(
            _("Tệp quá lớn để là một chứng thư số (tối đa 256 KB).")
        )
    return b"".join(upload.chunks())


class OwnerForm(forms.Form):
    """Whose certificate: an official (by user name) or an agency (its seal)."""

    owner_kind = forms.ChoiceField(
        label=gettext_lazy("Chứng thư số của"),
        choices=[
            ("user", gettext_lazy("Cán bộ (chữ ký số cá nhân)")),
            ("unit", gettext_lazy("Cơ quan (chữ ký số của cơ quan)")),
        ],
        initial="user",
        widget=forms.RadioSelect,
    )
    username = forms.CharField(
        label=gettext_lazy("Tên đăng nhập của cán bộ"),
        max_length=150,
        required=False,
    )
    unit_code = forms.CharField(
        label=gettext_lazy("Mã cơ quan"),
        max_length=50,
        required=False,
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.owner: User | OrgUnit | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("owner_kind")
        if kind == "user":
            username = (data.get("username") or "").strip()
            if not username:
                self.add_error("username", _("Cần nhập tên đăng nhập của cán bộ."))
                return data
            self.owner = (
                selectors.owner_users(self.actor).filter(username=username).first()
            )
            if self.owner is None:
                self.add_error(
                    "username",
                    _(
                        "Không có cán bộ nào tên đăng nhập “%(name)s” trong phạm vi "
                        "bạn quản trị."
                    )
                    % {"name": username},
                )
        elif kind == "unit":
            code = (data.get("unit_code") or "").strip()
            if not code:
                self.add_error("unit_code", _("Cần nhập mã cơ quan."))
                return data
            self.owner = selectors.owner_units(self.actor).filter(code=code).first()
            if self.owner is None:
                self.add_error(
                    "unit_code",
                    _("Không có cơ quan nào mã “%(code)s” trong phạm vi bạn quản trị.")
                    % {"code": code},
                )
        return data


class Pkcs12ImportForm(OwnerForm):
    bundle = forms.FileField(
        label=gettext_lazy("Tệp PKCS#12 (.p12, .pfx)"),
        help_text=gettext_lazy(
            "Tệp chứa chứng thư số và khóa bí mật do tổ chức cung cấp dịch vụ "
            "chứng thực chữ ký số cấp."
        ),
    )
    password = forms.CharField(
        label=gettext_lazy("Mật khẩu của tệp"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy("Chỉ dùng để mở tệp; hệ thống không lưu mật khẩu này."),
    )

    def clean_bundle(self) -> bytes:
        return read_upload(self.cleaned_data.get("bundle"))


class Pkcs11RegisterForm(OwnerForm):
    module_path = forms.ChoiceField(label=gettext_lazy("Thư viện PKCS#11"))
    token_label = forms.CharField(label=gettext_lazy("Nhãn token"), max_length=100)
    key_label = forms.CharField(
        label=gettext_lazy("Nhãn khóa"),
        max_length=100,
        help_text=gettext_lazy(
            "Nhãn của khóa bí mật trên thiết bị; chứng thư số cùng nhãn được đọc "
            "từ thiết bị nếu không tải tệp lên."
        ),
    )
    certificate = forms.FileField(
        label=gettext_lazy("Tệp chứng thư số (PEM hoặc DER)"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        modules = pkcs11.allowed_modules()
        field = self.fields["module_path"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(path, path) for path in modules]
        if len(modules) == 1:
            field.initial = modules[0]

    def clean_certificate(self) -> bytes | None:
        return read_upload(self.cleaned_data.get("certificate")) or None


class DemoIssueForm(OwnerForm):
    key_type = forms.ChoiceField(
        label=gettext_lazy("Loại khóa"),
        choices=[
            ("ec", gettext_lazy("ECDSA P-256 (nhanh, gọn)")),
            ("rsa", gettext_lazy("RSA 2048")),
        ],
        initial="ec",
    )


class RootImportForm(forms.Form):
    certificate = forms.FileField(
        label=gettext_lazy("Tệp chứng thư số của CA gốc (PEM hoặc DER)")
    )
    name = forms.CharField(
        label=gettext_lazy("Tên hiển thị"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("Để trống để dùng tên trong chứng thư số."),
    )

    def clean_certificate(self) -> bytes:
        return read_upload(self.cleaned_data.get("certificate"))


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Lý do"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("Ví dụ: mất thiết bị, thôi giữ chức vụ, bị lộ khóa."),
    )
