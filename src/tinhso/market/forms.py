"""Forms of the marketplace pages. Services keep the rules; these read input."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tinhso.core import vietqr
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.market.constants import (
    MAX_LINE_QUANTITY,
    PaymentMethod,
    ProducerStatus,
    ProductGroup,
    Stars,
)
from tinhso.market.models import Producer, Product
from tinhso.market.selectors import SORTS


def communes() -> Any:
    return OrgUnit.objects.filter(kind=OrgUnitKind.COMMUNE, legacy=False).order_by(
        "name"
    )


class ProducerForm(forms.ModelForm[Producer]):
    bank_bin = forms.ChoiceField(
        label=_("Ngân hàng"),
        choices=[
            ("", "—"),
            *sorted(vietqr.BANKS.items(), key=lambda item: item[1].lower()),
        ],
    )

    class Meta:
        model = Producer
        fields = [
            "name",
            "kind",
            "tax_code",
            "commune",
            "address",
            "representative",
            "phone",
            "email",
            "bank_bin",
            "bank_account",
            "account_name",
        ]
        help_texts = {
            "account_name": _("Đúng như ngân hàng ghi, không dấu, ví dụ HTX CHE SHAN."),
            "address": _("Số nhà, thôn, bản nơi đặt cơ sở sản xuất."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes()  # type: ignore[attr-defined]
        if self.instance.pk:
            # The tax code names the producer; it does not change.
            self.fields["tax_code"].disabled = True


class ProductForm(forms.ModelForm[Product]):
    # The stock the page showed, so that sales since are not undone.
    stock_seen = forms.IntegerField(
        required=False, min_value=0, widget=forms.HiddenInput
    )

    class Meta:
        model = Product
        fields = [
            "name",
            "group",
            "stars",
            "certificate_number",
            "certificate_date",
            "description",
            "price",
            "unit",
            "stock",
        ]
        widgets = {
            "certificate_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "unit": _("Ví dụ: hộp 200 g, chai 500 ml, kg."),
            "price": _("Giá một đơn vị bán, đã gồm thuế."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("stock_seen", self.instance.stock)


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Ảnh sản phẩm (JPEG hoặc PNG, tối đa 8 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Ý kiến"),
        required=False,
        max_length=300,
        widget=forms.TextInput(),
    )


class ProducerReviewForm(NoteForm):
    status = forms.ChoiceField(
        label=_("Quyết định"),
        choices=[
            (ProducerStatus.APPROVED, _("Duyệt cho bán")),
            (ProducerStatus.SUSPENDED, _("Tạm dừng bán")),
        ],
    )


def _int_or_none(value: str) -> int | None:
    digits = value.replace(".", "").replace(",", "").replace(" ", "")
    return int(digits) if digits.isdigit() else None


class StoreForm(forms.Form):
    """The storefront's search box and filters, read from the query string."""

    q = forms.CharField(label=_("Tìm sản phẩm"), required=False, max_length=100)
    sao = forms.TypedMultipleChoiceField(
        label=_("Hạng sao"),
        choices=Stars.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    nhom = forms.ChoiceField(
        label=_("Nhóm sản phẩm"),
        choices=[("", _("Tất cả nhóm")), *ProductGroup.choices],
        required=False,
    )
    xa = forms.TypedChoiceField(
        label=_("Xã, phường"), coerce=int, required=False, empty_value=None
    )
    gia_tu = forms.CharField(label=_("Giá từ (đồng)"), required=False, max_length=15)
    gia_den = forms.CharField(label=_("đến (đồng)"), required=False, max_length=15)
    sap_xep = forms.ChoiceField(
        label=_("Sắp xếp"),
        required=False,
        choices=[
            ("moi", _("Mới lên sàn")),
            ("gia-tang", _("Giá thấp đến cao")),
            ("gia-giam", _("Giá cao đến thấp")),
            ("sao", _("Hạng sao cao trước")),
            ("ten", _("Tên A–Z")),
        ],
    )

    def __init__(self, *args: Any, communes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["xa"].choices = [  # type: ignore[attr-defined]
            ("", _("Tất cả xã, phường")),
            *((c.pk, c.name) for c in communes),
        ]

    def clean_gia_tu(self) -> int | None:
        return _int_or_none(self.cleaned_data["gia_tu"])

    def clean_gia_den(self) -> int | None:
        return _int_or_none(self.cleaned_data["gia_den"])

    def clean_sap_xep(self) -> str:
        value = self.cleaned_data["sap_xep"]
        return value if value in SORTS else "moi"


class AddToCartForm(forms.Form):
    product = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.IntegerField(
        label=_("Số lượng"), min_value=1, max_value=MAX_LINE_QUANTITY, initial=1
    )


class CheckoutForm(forms.Form):
    name = forms.CharField(label=_("Họ và tên người nhận"), max_length=150)
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=15,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    commune = forms.ModelChoiceField(
        label=_("Xã, phường nhận hàng"), queryset=OrgUnit.objects.none()
    )
    address = forms.CharField(
        label=_("Địa chỉ nhận hàng"),
        max_length=300,
        help_text=_("Số nhà, đường, thôn, tổ dân phố."),
    )
    note = forms.CharField(
        label=_("Ghi chú cho người bán"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    payment_method = forms.ChoiceField(
        label=_("Hình thức thanh toán"),
        choices=PaymentMethod.choices,
        initial=PaymentMethod.VIETQR,
        widget=forms.RadioSelect,
    )
    # One per checkout page: the same page sent twice places its orders once.
    basket = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes()  # type: ignore[attr-defined]
