"""Forms of the documents pages; each names the part it belongs to."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tinhso.core.models import OrgUnit
from tinhso.documents.constants import (
    AGENCY_KINDS,
    DocumentType,
    IncomingStatus,
    Secrecy,
    Urgency,
)


def _any(label: Any, choices: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def issuer_units() -> QuerySet[OrgUnit]:
    """Agencies on the platform a document may come from."""
    # By level, agencies before communes, then name (paths hold ids).
    return OrgUnit.objects.filter(kind__in=AGENCY_KINDS, legacy=False).order_by(
        "depth", "kind", "name"
    )


class IncomingSearchForm(forms.Form):
    """The incoming register's search box and filters (a GET query string)."""

    q = forms.CharField(
        label=_("Tìm văn bản đến"),
        max_length=200,
        required=False,
        help_text=_(
            "Theo số, ký hiệu (12/QĐ-UBND), trích yếu, cơ quan ban hành, người ký "
            "hoặc nội dung tệp; có dấu hay không dấu đều được."
        ),
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    date_from = forms.DateField(
        label=_("Đến từ ngày"), required=False, widget=DateInput()
    )
    date_to = forms.DateField(label=_("Đến ngày"), required=False, widget=DateInput())
    doc_type = forms.ChoiceField(
        label=_("Loại văn bản"),
        required=False,
        choices=_any(_("Tất cả các loại"), DocumentType.choices),
    )
    issuer = forms.CharField(
        label=_("Cơ quan ban hành"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    issuer_unit = forms.ModelChoiceField(
        label=_("Đơn vị ban hành trong hệ thống"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("Tất cả"),
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=_any(_("Tất cả"), IncomingStatus.choices),
    )
    secrecy = forms.ChoiceField(
        label=_("Độ mật"),
        required=False,
        choices=_any(_("Tất cả"), Secrecy.choices),
    )
    urgency = forms.ChoiceField(
        label=_("Độ khẩn"),
        required=False,
        choices=_any(_("Tất cả"), Urgency.choices),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["issuer_unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = issuer_units()

    def filters(self) -> dict[str, Any]:
        """The selector's keyword arguments; invalid inputs are left out."""
        # A stale bookmark with one bad value still searches by the rest:
        # cleaned_data keeps the fields that were valid.
        self.is_valid()
        data = self.cleaned_data
        return {
            "query": (data.get("q") or "").strip(),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "doc_type": data.get("doc_type") or "",
            "issuer": (data.get("issuer") or "").strip(),
            "issuer_unit": data.get("issuer_unit"),
            "status": data.get("status") or "",
            "secrecy": data.get("secrecy") or "",
            "urgency": data.get("urgency") or "",
        }


class IncomingRegisterForm(forms.Form):
    """Entering a received PDF in the register (vào sổ văn bản đến)."""

    agency = forms.ModelChoiceField(
        label=_("Vào sổ của cơ quan"), queryset=OrgUnit.objects.none()
    )
    file = forms.FileField(
        label=_("Tệp văn bản (PDF)"),
        help_text=_(
            "Bản PDF nhận được hoặc bản quét. Chữ ký số trong tệp được kiểm tra "
            "khi vào sổ."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
    number_symbol = forms.CharField(
        label=_("Số, ký hiệu"),
        max_length=100,
        help_text=_(
            "Ví dụ 12/QĐ-UBND; văn bản quy phạm pháp luật 05/2025/QĐ-UBND; "
            "công văn 123/UBND-VP."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    doc_type = forms.ChoiceField(
        label=_("Loại văn bản"),
        choices=_any(_("— Chọn loại văn bản —"), DocumentType.choices),
    )
    issued_date = forms.DateField(label=_("Ngày ban hành"), widget=DateInput())
    issuer_name = forms.CharField(
        label=_("Cơ quan ban hành"),
        max_length=255,
        required=False,
        help_text=_("Có thể để trống khi chọn đơn vị ban hành trong hệ thống."),
    )
    issuer_unit = forms.ModelChoiceField(
        label=_("Đơn vị ban hành trong hệ thống"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("— Ngoài hệ thống —"),
    )
    subject = forms.CharField(
        label=_("Trích yếu"), widget=forms.Textarea(attrs={"rows": 3})
    )
    signer_name = forms.CharField(label=_("Người ký"), max_length=150, required=False)
    urgency = forms.ChoiceField(
        label=_("Độ khẩn"), choices=Urgency.choices, initial=Urgency.NORMAL
    )
    secrecy = forms.ChoiceField(
        label=_("Độ mật"),
        choices=Secrecy.choices,
        initial=Secrecy.NORMAL,
        help_text=_(
            "Văn bản mật chỉ văn thư, lãnh đạo cơ quan và người được giao xử lý xem "
            "được."
        ),
    )
    page_count = forms.IntegerField(
        label=_("Số trang"),
        min_value=1,
        required=False,
        help_text=_("Để trống: lấy theo số trang của tệp PDF."),
    )
    received_at = forms.DateTimeField(
        label=_("Thời gian đến"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("Để trống: lúc vào sổ."),
    )
    attachments = MultipleFileField(
        label=_("Tệp đính kèm"),
        required=False,
        help_text=_("Phụ lục, tài liệu kèm theo; chọn được nhiều tệp."),
    )

    def __init__(self, *args: Any, agencies: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ModelChoiceField)
        agency.queryset = agencies
        self.only_agency = agencies[0] if len(agencies) == 1 else None
        if self.only_agency is not None:
            # One register: nothing to choose.
            agency.required = False
            agency.widget = forms.HiddenInput()
        issuer = self.fields["issuer_unit"]
        assert isinstance(issuer, forms.ModelChoiceField)
        issuer.queryset = issuer_units()

    def clean_agency(self) -> OrgUnit | None:
        agency: OrgUnit | None = self.cleaned_data.get("agency")
        return agency or self.only_agency
