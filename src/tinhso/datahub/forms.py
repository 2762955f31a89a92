"""Forms of the data-sharing and open data pages."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tinhso.core import sharing
from tinhso.core.models import OrgUnit
from tinhso.datahub.constants import (
    ROTATION_OVERLAP_HOURS,
    Classification,
    Frequency,
    Licence,
    ResourceFormat,
    Theme,
)
from tinhso.datahub.models import Client, DataService, Grant


def _any(label: Any, choices: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class UnitChoiceForm(forms.Form):
    """A form whose ``unit_field`` offers the units the user manages."""

    unit_field = "owner"

    def __init__(self, *args: Any, units: list[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields[self.unit_field]
        field.queryset = OrgUnit.objects.filter(  # type: ignore[attr-defined]
            pk__in=[u.pk for u in units]
        ).order_by("name")
        if len(units) == 1:
            field.initial = units[0].pk


class ServiceForm(UnitChoiceForm):
    code = forms.SlugField(
        label=_("Mã dịch vụ"),
        max_length=64,
        help_text=_("Chữ thường không dấu và gạch ngang, ví dụ: danh-muc-don-vi."),
    )
    name = forms.CharField(label=_("Tên dịch vụ"), max_length=255)
    description = forms.CharField(
        label=_("Mô tả"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = forms.ModelChoiceField(
        label=_("Đơn vị chủ quản"), queryset=OrgUnit.objects.none()
    )
    source = forms.ChoiceField(label=_("Nguồn dữ liệu"))
    classification = forms.ChoiceField(
        label=_("Phân loại"),
        choices=Classification.choices,
        initial=Classification.SHARED,
        help_text=_("Dữ liệu có thông tin cá nhân không được phân loại công khai."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [  # type: ignore[attr-defined]
            (
                p.code,
                f"{p.label}{' — ' + str(_('hệ thống ngoài')) if p.external else ''}",
            )
            for p in sorted(sharing.providers, key=lambda p: str(p.label))
        ]


class ServiceEditForm(forms.Form):
    name = forms.CharField(label=_("Tên dịch vụ"), max_length=255)
    description = forms.CharField(
        label=_("Mô tả"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    classification = forms.ChoiceField(
        label=_("Phân loại"), choices=Classification.choices
    )


class ClientForm(UnitChoiceForm):
    unit_field = "unit"

    code = forms.SlugField(
        label=_("Mã hệ thống"),
        max_length=64,
        help_text=_(
            "Dùng làm client_id khi lấy mã truy cập, ví dụ: his-benh-vien-tinh."
        ),
    )
    name = forms.CharField(label=_("Tên hệ thống"), max_length=255)
    unit = forms.ModelChoiceField(
        label=_("Đơn vị vận hành"), queryset=OrgUnit.objects.none()
    )
    description = forms.CharField(
        label=_("Mô tả"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    contact_name = forms.CharField(
        label=_("Người liên hệ"), max_length=150, required=False
    )
    contact_email = forms.EmailField(label=_("Thư điện tử liên hệ"), required=False)
    contact_phone = forms.CharField(
        label=_("Điện thoại liên hệ"), max_length=15, required=False
    )


class GrantForm(forms.Form):
    client = forms.ModelChoiceField(
        label=_("Hệ thống được cấp quyền"), queryset=Client.objects.none()
    )
    purpose = forms.CharField(
        label=_("Mục đích, căn cứ khai thác"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Ghi rõ dùng để làm gì và theo văn bản nào (Nghị định 13/2023/NĐ-CP)."
        ),
    )
    allowed_fields = forms.MultipleChoiceField(
        label=_("Các trường được khai thác"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Không chọn trường nào là được khai thác mọi trường."),
    )
    personal_data = forms.BooleanField(
        label=_("Được đọc dữ liệu cá nhân không che"),
        required=False,
        help_text=_(
            "Chỉ khi mục đích cần đúng thông tin đó; mỗi lần đọc đều được ghi nhật ký."
        ),
    )
    daily_quota = forms.IntegerField(
        label=_("Số lượt gọi tối đa mỗi ngày"), required=False, min_value=1
    )
    valid_until = forms.DateField(
        label=_("Hiệu lực đến ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, service: DataService, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client_field = self.fields["client"]
        client_field.queryset = (  # type: ignore[attr-defined]
            Client.objects.filter(suspended_at__isnull=True)
            .exclude(
                pk__in=Grant.objects.filter(
                    service=service, revoked_at__isnull=True
                ).values("client")
            )
            .order_by("name")
        )
        client_field.label_from_instance = (  # type: ignore[attr-defined]
            lambda client: f"{client.name} ({client.code})"
        )
        self.fields["allowed_fields"].choices = [  # type: ignore[attr-defined]
            (f["name"], f"{f['label']} ({f['name']})") for f in service.schema
        ]
        if not service.personal_fields():
            del self.fields["personal_data"]


class RotateForm(forms.Form):
    overlap_hours = forms.IntegerField(
        label=_("Khóa cũ còn dùng được thêm (giờ)"),
        min_value=0,
        max_value=168,
        initial=ROTATION_OVERLAP_HOURS,
    )


class DatasetForm(UnitChoiceForm):
    unit_field = "publisher"

    title = forms.CharField(label=_("Tên bộ dữ liệu"), max_length=255)
    name = forms.SlugField(
        label=_("Tên định danh"),
        max_length=100,
        required=False,
        help_text=_(
            "Dùng trong địa chỉ và API CKAN; bỏ trống để tạo từ tên bộ dữ liệu."
        ),
    )
    description = forms.CharField(
        label=_("Mô tả"), widget=forms.Textarea(attrs={"rows": 4})
    )
    publisher = forms.ModelChoiceField(
        label=_("Đơn vị công bố"), queryset=OrgUnit.objects.none()
    )
    theme = forms.ChoiceField(label=_("Chủ đề"), choices=_any("", Theme.choices))
    keywords = forms.CharField(
        label=_("Từ khóa"),
        required=False,
        max_length=500,
        help_text=_("Cách nhau bằng dấu phẩy."),
    )
    licence = forms.ChoiceField(
        label=_("Giấy phép"), choices=Licence.choices, initial=Licence.CC_BY_4
    )
    frequency = forms.ChoiceField(
        label=_("Tần suất cập nhật"), choices=_any("", Frequency.choices)
    )
    temporal_start = forms.DateField(
        label=_("Dữ liệu từ ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    temporal_end = forms.DateField(
        label=_("Dữ liệu đến ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    spatial = forms.ModelChoiceField(
        label=_("Phạm vi địa lý"),
        required=False,
        queryset=OrgUnit.objects.filter(
            legacy=False, kind__in=["province", "commune"]
        ).order_by("depth", "name"),
    )
    contact_email = forms.EmailField(label=_("Thư điện tử liên hệ"), required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Tệp dữ liệu (CSV, XLSX, JSON)"))
    name = forms.CharField(label=_("Tên tài nguyên"), max_length=255, required=False)
    description = forms.CharField(label=_("Mô tả"), required=False, max_length=1000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "Dòng đầu là tên các cột. CSV mã hóa UTF-8. Tối đa %(mb)s MB."
        ) % {"mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024)}


class LiveViewForm(forms.Form):
    provider = forms.ChoiceField(label=_("Nguồn dữ liệu trên nền tảng"))
    name = forms.CharField(label=_("Tên tài nguyên"), max_length=255, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [  # type: ignore[attr-defined]
            (p.code, p.label)
            for p in sorted(sharing.providers, key=lambda p: str(p.label))
            if not p.external and not p.personal_fields()
        ]


class PortalSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm bộ dữ liệu"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Ví dụ: truong hoc, dân số")}
        ),
    )
    theme = forms.ChoiceField(
        label=_("Chủ đề"), required=False, choices=_any(_("Mọi chủ đề"), Theme.choices)
    )
    format = forms.ChoiceField(
        label=_("Định dạng"),
        required=False,
        choices=_any(_("Mọi định dạng"), ResourceFormat.choices),
    )
    organization = forms.ChoiceField(label=_("Đơn vị công bố"), required=False)

    def __init__(
        self, *args: Any, publishers: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = _any(  # type: ignore[attr-defined]
            _("Mọi đơn vị"), publishers
        )
