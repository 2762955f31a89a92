"""Forms of the reporting pages."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tinhso.core import metrics
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.reporting.constants import Frequency, ItemKind
from tinhso.reporting.models import AlertRule, Device, Indicator, Target


def _units() -> Any:
    return OrgUnit.objects.filter(legacy=False).exclude(kind=OrgUnitKind.VILLAGE)


class IndicatorForm(forms.ModelForm):
    metric = forms.ChoiceField(label=_("Chỉ số của hệ thống"), required=False)

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "unit_of_measure",
            "pillar",
            "group",
            "source",
            "metric",
            "rollup",
            "over_time",
            "direction",
            "numerator_label",
            "denominator_label",
            "decimals",
            "key",
            "order",
            "active",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (code, f"{code} — {m.label}") for code, m in metrics.indicators.items()
        ]
        self.fields["metric"].help_text = _(
            "Chỉ với chỉ tiêu tính tự động: số liệu lấy từ phân hệ nào."
        )


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = ["unit", "year", "value", "direction", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units().order_by("path")  # type: ignore[attr-defined]


class AlertRuleForm(forms.ModelForm):
    class Meta:
        model = AlertRule
        fields = ["unit", "each_below", "comparison", "threshold", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units().order_by("path")  # type: ignore[attr-defined]


class DeviceForm(forms.ModelForm):
    class Meta:
        model = Device
        fields = ["name", "kind", "unit", "place", "stream_url", "active", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.filter(  # type: ignore[attr-defined]
            legacy=False
        ).order_by("path")


class NewFormForm(forms.Form):
    code = forms.CharField(
        label=_("Mã biểu mẫu"),
        max_length=64,
        help_text=_("Chữ thường không dấu, ví dụ: cds-quy."),
    )
    name = forms.CharField(label=_("Tên báo cáo"), max_length=300)
    description = forms.CharField(
        label=_("Căn cứ, hướng dẫn"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SectionForm(forms.Form):
    title = forms.CharField(label=_("Tên phần"), max_length=300)


class ItemForm(forms.Form):
    section = forms.ChoiceField(label=_("Thuộc phần"))
    key = forms.CharField(label=_("Mã dòng"), max_length=32)
    kind = forms.ChoiceField(label=_("Loại"), choices=ItemKind.choices)
    indicator = forms.ModelChoiceField(
        label=_("Chỉ tiêu"),
        queryset=Indicator.objects.filter(active=True),
        required=False,
    )
    label = forms.CharField(
        label=_("Nội dung"),
        max_length=300,
        required=False,
        help_text=_("Để trống thì lấy tên chỉ tiêu."),
    )
    help = forms.CharField(label=_("Hướng dẫn"), max_length=300, required=False)
    required = forms.BooleanField(label=_("Bắt buộc"), required=False, initial=True)
    min_value = forms.DecimalField(label=_("Giá trị nhỏ nhất"), required=False)
    max_value = forms.DecimalField(label=_("Giá trị lớn nhất"), required=False)

    def __init__(self, *args: Any, sections: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [(s.pk, s.title) for s in sections]  # type: ignore[attr-defined]


class RuleForm(forms.Form):
    total = forms.CharField(label=_("Dòng tổng (mã)"), max_length=32)
    parts = forms.CharField(
        label=_("Bằng tổng các dòng (mã, cách nhau bằng dấu phẩy)"), max_length=500
    )


class CopyForm(forms.Form):
    code = forms.CharField(label=_("Mã biểu mẫu mới"), max_length=64)
    name = forms.CharField(label=_("Tên báo cáo"), max_length=300)


class ScheduleForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=_("Đơn vị nhận báo cáo"), queryset=OrgUnit.objects.none()
    )
    frequency = forms.ChoiceField(
        label=_("Kỳ báo cáo"), choices=Frequency.choices, initial=Frequency.QUARTERLY
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Đơn vị báo cáo"),
        queryset=OrgUnit.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 12}),
        required=False,
    )
    all_communes = forms.BooleanField(
        label=_("Tất cả xã, phường, đặc khu"), required=False
    )
    all_agencies = forms.BooleanField(label=_("Tất cả sở, ban, ngành"), required=False)
    starts = forms.DateField(
        label=_("Từ ngày"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends = forms.DateField(
        label=_("Đến ngày (báo cáo một lần)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    cutoff_15th = forms.BooleanField(
        label=_(
            "Chốt số liệu theo Nghị định 09/2019 (ngày 15 tháng trước đến ngày 14)"
        ),
        required=False,
        initial=True,
    )
    deadline_days = forms.IntegerField(
        label=_("Hạn gửi: số ngày sau ngày chốt số liệu"),
        min_value=0,
        max_value=90,
        initial=5,
    )
    remind_days = forms.IntegerField(
        label=_("Nhắc trước hạn (số ngày)"), min_value=0, max_value=30, initial=3
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = _units().order_by("kind", "name")
        self.fields["owner"].queryset = units  # type: ignore[attr-defined]
        self.fields["units"].queryset = units  # type: ignore[attr-defined]

    def chosen_units(self) -> list[OrgUnit]:
        data = self.cleaned_data
        chosen = {u.pk: u for u in data["units"]}
        if data["all_communes"]:
            chosen.update({u.pk: u for u in _units().filter(kind=OrgUnitKind.COMMUNE)})
        if data["all_agencies"]:
            chosen.update({u.pk: u for u in _units().filter(kind=OrgUnitKind.AGENCY)})
        return list(chosen.values())


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Ý kiến"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx) theo mẫu của báo cáo"))


class ShapesForm(forms.Form):
    file = forms.FileField(label=_("Tệp ranh giới (GeoJSON)"))
    code_property = forms.CharField(
        label=_("Thuộc tính chứa mã xã, phường"), initial="code", max_length=64
    )
