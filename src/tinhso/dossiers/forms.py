"""Forms of the catalog pages."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tinhso.core.models import OrgUnit
from tinhso.dossiers.constants import ProcedureLevel, Satisfaction, ServiceLevel
from tinhso.dossiers.models import Procedure
from tinhso.dossiers.selectors.catalog import fields


def _any(label: Any, choices: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class CatalogSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm thủ tục"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Ví dụ: khai sinh, giay phep xay dung"),
            }
        ),
    )
    level = forms.ChoiceField(
        label=_("Cấp thực hiện"),
        required=False,
        choices=_any(_("Mọi cấp"), ProcedureLevel.choices),
    )
    field = forms.ChoiceField(label=_("Lĩnh vực"), required=False)
    service_level = forms.ChoiceField(
        label=_("Dịch vụ công trực tuyến"),
        required=False,
        choices=_any(_("Mọi mức độ"), ServiceLevel.choices),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = _any(  # type: ignore[attr-defined]
            _("Mọi lĩnh vực"), [(f.code, f.name) for f in fields()]
        )

    def filters(self) -> dict[str, str]:
        """The search as given; a value that is no choice (an old link) is dropped."""
        if self.is_valid():
            return {k: str(v) for k, v in self.cleaned_data.items()}
        return {
            "q": str(self.data.get("q", ""))[:200],
            **{
                name: value
                for name in ("level", "field", "service_level")
                if (value := str(self.data.get(name, "")))
                in dict(self.fields[name].choices)  # type: ignore[attr-defined]
            },
        }


class CatalogImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp danh mục (.xlsx hoặc .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Tệp danh mục phải là .xlsx hoặc .csv."))
        if (upload.size or 0) > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Tệp quá lớn."))
        return upload


class ReceiveForm(forms.Form):
    """What the one-stop officer types while the applicant waits."""

    counter = forms.ModelChoiceField(
        label=_("Nơi tiếp nhận"), queryset=OrgUnit.objects.none()
    )
    applicant_name = forms.CharField(label=_("Họ tên người nộp"), max_length=150)
    applicant_id_number = forms.CharField(
        label=_("Số định danh cá nhân hoặc mã số thuế"), max_length=20
    )
    applicant_phone = forms.CharField(label=_("Số điện thoại"), max_length=15)
    applicant_email = forms.EmailField(label=_("Thư điện tử"), required=False)
    applicant_address = forms.CharField(
        label=_("Địa chỉ"), max_length=300, required=False
    )
    documents = forms.MultipleChoiceField(
        label=_("Giấy tờ đã nhận"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        procedure: Procedure,
        counters: QuerySet[OrgUnit],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        counter = self.fields["counter"]
        counter.queryset = counters  # type: ignore[attr-defined]
        if counters.count() == 1:
            counter.initial = counters.first()
        self.fields["documents"].choices = [  # type: ignore[attr-defined]
            (
                str(d.position),
                f"{d.name} ({d.get_copy_kind_display()})"
                + ("" if d.required else f" — {_('nếu có')}"),
            )
            for d in procedure.documents.all()
        ]


class LookUpForm(forms.Form):
    code = forms.CharField(
        label=_("Mã hồ sơ"),
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": "000.00.13.H58-260302-0001"}),
    )
    contact = forms.CharField(
        label=_("Số điện thoại hoặc số định danh của người nộp"), max_length=20
    )


class HandOverForm(forms.Form):
    """Pass the dossier to the next step's handler."""

    receiver = forms.ChoiceField(label=_("Chuyển cho"), required=False)
    receiver_username = forms.CharField(
        label=_("hoặc tên đăng nhập của người ở đơn vị khác"),
        required=False,
        max_length=150,
    )
    note = forms.CharField(
        label=_("Ý kiến, kết quả bước này"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, candidates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receiver"].choices = [  # type: ignore[attr-defined]
            ("", _("— Chọn —")),
            *((u.username, f"{u.full_name} ({u.username})") for u in candidates),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("receiver") and not data.get("receiver_username"):
            raise forms.ValidationError(_("Chọn người nhận hồ sơ."))
        return data


class OnlineForm(forms.Form):
    """The portal's submission form; the papers' files come as ``doc_<n>``
    inputs, one per required document, read by the view."""

    place = forms.ModelChoiceField(
        label=_("Nơi nộp hồ sơ"), queryset=OrgUnit.objects.none()
    )
    phone = forms.CharField(label=_("Số điện thoại nhận thông báo"), max_length=15)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)
    note = forms.CharField(
        label=_("Ghi chú cho cán bộ tiếp nhận"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, places: list[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        place = self.fields["place"]
        place.queryset = OrgUnit.objects.filter(  # type: ignore[attr-defined]
            pk__in=[p.pk for p in places]
        ).order_by("name")
        if len(places) == 1:
            place.initial = places[0]


class RatingForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("Ông/bà có hài lòng với việc giải quyết hồ sơ?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Góp ý"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StatisticsForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Đơn vị"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("Toàn tỉnh"),
    )
    first = forms.DateField(
        label=_("Từ ngày"), widget=forms.DateInput(attrs={"type": "date"})
    )
    last = forms.DateField(
        label=_("Đến ngày"), widget=forms.DateInput(attrs={"type": "date"})
    )
    by = forms.ChoiceField(
        label=_("Theo"),
        choices=[
            ("procedure", _("Thủ tục")),
            ("unit", _("Đơn vị")),
            ("level", _("Cấp thực hiện")),
            ("month", _("Tháng")),
        ],
    )

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first"), data.get("last")
        if first and last and first > last:
            raise forms.ValidationError(_("Ngày bắt đầu phải trước ngày kết thúc."))
        if first and last and (last - first).days > 366 * 5:
            raise forms.ValidationError(_("Chọn một khoảng không quá năm năm."))
        return data
