"""Forms of the community pages. Services keep the rules; these read input."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.community.constants import HelpKind
from tinhso.community.models import Attendance, Course, Member, Session, Team
from tinhso.core.models import OrgUnit, OrgUnitKind


class TeamForm(forms.ModelForm[Team]):
    class Meta:
        model = Team
        fields = ["commune", "village", "name", "established_on", "decision"]
        widgets = {"established_on": forms.DateInput(attrs={"type": "date"})}
        help_texts = {"name": _("Để trống: “Tổ công nghệ số cộng đồng” và tên thôn.")}

    def __init__(self, *args: Any, communes: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["commune"].queryset = communes  # type: ignore[attr-defined]
        self.fields["village"].queryset = (  # type: ignore[attr-defined]
            OrgUnit.objects.filter(kind=OrgUnitKind.VILLAGE, parent__in=communes)
            .select_related("parent")
            .order_by("parent__name", "name")
        )
        self.fields["village"].label_from_instance = (  # type: ignore[attr-defined]
            lambda v: f"{v.name} — {v.parent.name}"
        )
        self.initial.setdefault("established_on", timezone.localdate())


class MemberForm(forms.ModelForm[Member]):
    class Meta:
        model = Member
        fields = [
            "full_name",
            "phone",
            "organisation",
            "team_role",
            "birth_year",
            "gender",
            "personal_id",
            "email",
        ]
        widgets = {
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "personal_id": forms.TextInput(attrs={"inputmode": "numeric"}),
        }
        help_texts = {
            "organisation": _("Đoàn Thanh niên, Hội Phụ nữ, Bưu điện, ngân hàng …")
        }


class AccountForm(forms.Form):
    username = forms.CharField(
        label=_(
            "Tài khoản đăng nhập (số CCCD của người dân, hoặc tên đăng nhập của cán bộ)"
        ),
        max_length=150,
    )


class HelpForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Đã hỗ trợ việc gì"),
        choices=HelpKind.choices,
        widget=forms.RadioSelect,
    )
    household = forms.CharField(
        label=_("Hộ, người được hỗ trợ"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    personal_id = forms.CharField(
        label=_("Số CCCD người được hỗ trợ"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    people = forms.IntegerField(
        label=_("Số người"),
        min_value=1,
        max_value=500,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    village = forms.ModelChoiceField(
        label=_("Nơi hỗ trợ"), queryset=OrgUnit.objects.none(), required=False
    )
    helped_on = forms.DateField(
        label=_("Ngày"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        village = self.fields["village"]
        village.queryset = OrgUnit.objects.filter(  # type: ignore[attr-defined]
            kind=OrgUnitKind.VILLAGE, parent=team.commune
        ).order_by("name")
        self.initial.setdefault("village", team.village_id)
        self.initial.setdefault("helped_on", timezone.localdate())


class ImportForm(forms.Form):
    commune = forms.ModelChoiceField(
        label=_("Xã, phường"), queryset=OrgUnit.objects.none()
    )
    file = forms.FileField(
        label=_("Danh sách thành viên (tệp Excel .xlsx theo mẫu)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args: Any, communes: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes  # type: ignore[attr-defined]


class CourseForm(forms.ModelForm[Course]):
    class Meta:
        model = Course
        fields = ["name", "audience", "hours", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class SessionForm(forms.ModelForm[Session]):
    class Meta:
        model = Session
        fields = ["course", "commune", "held_on", "place", "trainer"]
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, communes: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes  # type: ignore[attr-defined]


class AttendanceForm(forms.ModelForm[Attendance]):
    class Meta:
        model = Attendance
        fields = ["full_name", "group", "personal_id", "phone"]
