"""Pages that keep the catalog: indicators with their targets and alert
rules, report forms and their schedules, the center's devices, the map's
commune outlines. Everyone in reporting reads the indicator catalog;
administrators change it."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tinhso.core.errors import DomainError
from tinhso.core.forms import refuse as _failed
from tinhso.core.forms import status_of as _status
from tinhso.reporting import policies, values
from tinhso.reporting.forms import (
    AlertRuleForm,
    CopyForm,
    DeviceForm,
    IndicatorForm,
    ItemForm,
    NewFormForm,
    RuleForm,
    ScheduleForm,
    SectionForm,
    ShapesForm,
    TargetForm,
)
from tinhso.reporting.models import (
    Device,
    FormItem,
    FormSection,
    Indicator,
    ReportForm,
    Shape,
    SumRule,
    Target,
)
from tinhso.reporting.selectors.dashboard import province
from tinhso.reporting.services import catalog, forms


def _require(request: HttpRequest) -> None:
    if not policies.can_use_reporting(request.user):
        raise PermissionDenied


def _require_admin(request: HttpRequest) -> None:
    if not policies.can_manage_catalog(request.user):
        raise PermissionDenied


# Indicators ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def indicator_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    manage = policies.can_manage_catalog(request.user)
    form = IndicatorForm(request.POST or None)
    if request.method == "POST":
        _require_admin(request)
        if form.is_valid():
            try:
                indicator = catalog.save_indicator(
                    request.user, form.save(commit=False)
                )
            except DomainError as exc:
                _failed(form, exc)
            else:
                messages.success(
                    request, _("Đã thêm chỉ tiêu %(code)s.") % {"code": indicator.code}
                )
                return redirect("reporting:indicator", indicator.code)
    context = {
        "indicators": Indicator.objects.all(),
        "form": form,
        "can_manage": manage,
    }
    return render(request, "reporting/indicators.html", context, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    _require(request)
    indicator = get_object_or_404(Indicator, code=code)
    manage = policies.can_manage_catalog(request.user)
    edit = IndicatorForm(
        request.POST if "save" in request.POST else None, instance=indicator
    )
    target = TargetForm(request.POST if "target" in request.POST else None, prefix="t")
    rule = AlertRuleForm(request.POST if "alert" in request.POST else None, prefix="a")
    if request.method == "POST":
        _require_admin(request)
        try:
            if "save" in request.POST and edit.is_valid():
                catalog.save_indicator(request.user, edit.save(commit=False))
                messages.success(request, _("Đã lưu chỉ tiêu."))
                return redirect("reporting:indicator", indicator.code)
            if "target" in request.POST and target.is_valid():
                made = target.save(commit=False)
                made.indicator = indicator
                catalog.set_target(request.user, made)
                messages.success(request, _("Đã giao mục tiêu."))
                return redirect("reporting:indicator", indicator.code)
            if "alert" in request.POST and rule.is_valid():
                made_rule = rule.save(commit=False)
                made_rule.indicator = indicator
                catalog.save_alert_rule(request.user, made_rule)
                messages.success(
                    request, _("Đã đặt ngưỡng cảnh báo; áp dụng từ lần tổng hợp tới.")
                )
                return redirect("reporting:indicator", indicator.code)
        except DomainError as exc:
            for f in (edit, target, rule):
                if f.is_bound:
                    _failed(f, exc)
    context = {
        "indicator": indicator,
        "edit": edit,
        "target_form": target,
        "rule_form": rule,
        "targets": indicator.targets.select_related("unit").order_by(
            "-year", "unit__path"
        ),
        "rules": indicator.alert_rules.select_related("unit"),
        "can_manage": manage,
    }
    return render(
        request, "reporting/indicator.html", context, status=_status(edit, target, rule)
    )


@login_required
@require_POST
def target_delete(request: HttpRequest, target_id: int) -> HttpResponse:
    _require_admin(request)
    target = get_object_or_404(Target.objects.select_related("indicator"), pk=target_id)
    catalog.delete_target(request.user, target)
    messages.success(request, _("Đã xóa mục tiêu."))
    return redirect("reporting:indicator", target.indicator.code)


# Report forms --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def form_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = NewFormForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = forms.create_form(request.user, **form.cleaned_data)
        except DomainError as exc:
            _failed(form, exc)
        else:
            messages.success(
                request, _("Đã tạo biểu mẫu; thêm các phần và dòng báo cáo.")
            )
            return redirect("reporting:form", made.pk)
    context = {
        "forms": ReportForm.objects.prefetch_related("schedules"),
        "form": form,
        "can_manage": True,
    }
    return render(request, "reporting/forms.html", context, status=_status(form))


def _designer(
    request: HttpRequest, report_form: ReportForm, **bound: BaseForm
) -> HttpResponse:
    sections = list(report_form.sections.all())
    context: dict[str, Any] = {
        "report_form": report_form,
        "sections": sections,
        "items": values.items_of(report_form),
        "rules": report_form.rules.select_related("total").prefetch_related("parts"),
        "frozen": forms.is_frozen(report_form),
        "section_form": bound.get("section_form") or SectionForm(),
        "item_form": bound.get("item_form") or ItemForm(sections=sections),
        "rule_form": bound.get("rule_form") or RuleForm(),
        "copy_form": bound.get("copy_form") or CopyForm(),
        "schedule_form": bound.get("schedule_form")
        or ScheduleForm(initial={"owner": province()}),
        "schedules": report_form.schedules.select_related("owner").prefetch_related(
            "units"
        ),
        "rounds": report_form.rounds.order_by("-period_end")[:20],
        "can_manage": True,
    }
    return render(
        request, "reporting/form.html", context, status=_status(*bound.values())
    )


@login_required
@require_http_methods(["GET", "POST"])
def form_detail(request: HttpRequest, form_id: int) -> HttpResponse:
    _require_admin(request)
    report_form = get_object_or_404(ReportForm, pk=form_id)
    if request.method == "GET":
        return _designer(request, report_form)
    post = request.POST
    sections = list(report_form.sections.all())
    bound: dict[str, BaseForm]
    try:
        if "add_section" in post:
            bound = {"section_form": SectionForm(post)}
            if bound["section_form"].is_valid():
                forms.add_section(
                    request.user,
                    report_form,
                    bound["section_form"].cleaned_data["title"],
                )
                return redirect("reporting:form", report_form.pk)
        elif "add_item" in post:
            item_form = ItemForm(post, sections=sections)
            bound = {"item_form": item_form}
            if item_form.is_valid():
                data = dict(item_form.cleaned_data)
                section = get_object_or_404(
                    FormSection, pk=data.pop("section"), form=report_form
                )
                forms.add_item(request.user, section, **data)
                return redirect("reporting:form", report_form.pk)
        elif "add_rule" in post:
            bound = {"rule_form": RuleForm(post)}
            if bound["rule_form"].is_valid():
                data = bound["rule_form"].cleaned_data
                forms.add_sum_rule(
                    request.user, report_form, data["total"], data["parts"].split(",")
                )
                return redirect("reporting:form", report_form.pk)
        elif "copy" in post:
            bound = {"copy_form": CopyForm(post)}
            if bound["copy_form"].is_valid():
                copy = forms.copy_form(
                    request.user, report_form, **bound["copy_form"].cleaned_data
                )
                messages.success(request, _("Đã nhân bản biểu mẫu; sửa bản mới này."))
                return redirect("reporting:form", copy.pk)
        elif "schedule" in post:
            schedule_form = ScheduleForm(post)
            bound = {"schedule_form": schedule_form}
            if schedule_form.is_valid():
                data = schedule_form.cleaned_data
                schedule = forms.schedule_form(
                    request.user,
                    report_form,
                    owner=data["owner"],
                    frequency=data["frequency"],
                    units=schedule_form.chosen_units(),
                    starts=data["starts"],
                    ends=data["ends"],
                    cutoff_15th=data["cutoff_15th"],
                    deadline_days=data["deadline_days"],
                    remind_days=data["remind_days"],
                )
                opened = schedule.rounds.count()
                messages.success(
                    request,
                    _("Đã giao báo cáo cho %(units)d đơn vị; %(rounds)d kỳ đã mở.")
                    % {"units": schedule.units.count(), "rounds": opened},
                )
                return redirect("reporting:form", report_form.pk)
        else:
            raise Http404
    except DomainError as exc:
        for f in bound.values():
            _failed(f, exc)
    return _designer(request, report_form, **bound)


@login_required
@require_POST
def form_remove(request: HttpRequest, form_id: int, what: str, pk: int) -> HttpResponse:
    _require_admin(request)
    report_form = get_object_or_404(ReportForm, pk=form_id)
    try:
        if what == "item":
            forms.remove_item(
                request.user,
                get_object_or_404(FormItem, pk=pk, section__form=report_form),
            )
        elif what == "section":
            forms.remove_section(
                request.user, get_object_or_404(FormSection, pk=pk, form=report_form)
            )
        elif what == "rule":
            forms.remove_rule(
                request.user, get_object_or_404(SumRule, pk=pk, form=report_form)
            )
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("reporting:form", report_form.pk)


# Devices and map shapes ----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def device_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = DeviceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            catalog.save_device(request.user, form.save(commit=False))
        except DomainError as exc:
            _failed(form, exc)
        else:
            messages.success(request, _("Đã đăng ký thiết bị."))
            return redirect("reporting:devices")
    context = {
        "devices": Device.objects.select_related("unit"),
        "form": form,
        "can_manage": True,
    }
    return render(request, "reporting/devices.html", context, status=_status(form))


@login_required
@require_POST
def device_delete(request: HttpRequest, device_id: int) -> HttpResponse:
    _require_admin(request)
    catalog.delete_device(request.user, get_object_or_404(Device, pk=device_id))
    messages.success(request, _("Đã xóa thiết bị."))
    return redirect("reporting:devices")


@login_required
@require_http_methods(["GET", "POST"])
def shapes(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = ShapesForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = catalog.import_shapes(
                request.user,
                form.cleaned_data["file"].read(),
                code_property=form.cleaned_data["code_property"],
            )
        except DomainError as exc:
            _failed(form, exc)
        else:
            messages.success(
                request,
                _("Đã nạp ranh giới của %(n)d xã, phường.") % {"n": done["communes"]},
            )
            return redirect("reporting:shapes")
    counts = {
        source: Shape.objects.filter(source=source).count()
        for source in ("imported", "schematic")
    }
    return render(
        request,
        "reporting/shapes.html",
        {"form": form, "counts": counts, "can_manage": True},
        status=_status(form),
    )
