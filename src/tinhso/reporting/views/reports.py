"""Pages of periodic reports: the list of one's reports and followed rounds,
a report to fill, send or review, a round's overview and result, exports
and imports. Thin: selectors, services, exports."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhso.core.errors import DomainError
from tinhso.core.text import unaccented
from tinhso.reporting import exports, policies, values
from tinhso.reporting.constants import ItemKind, ReportAct
from tinhso.reporting.forms import CommentForm, ImportForm
from tinhso.reporting.models import Report, Round
from tinhso.reporting.selectors import reports as selectors
from tinhso.reporting.services import reports as services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(request: HttpRequest) -> None:
    if not policies.can_use_reporting(request.user):
        raise PermissionDenied


def _report(request: HttpRequest, report_id: int) -> Report:
    try:
        return selectors.get_report(request.user, report_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc


def _round(request: HttpRequest, round_id: int) -> Round:
    try:
        return selectors.get_round(request.user, round_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    own = list(selectors.own_reports(request.user)[:200])
    lines = [(r, services.is_late(r)) for r in own]
    return render(
        request,
        "reporting/reports.html",
        {
            "lines": lines,
            "rounds": selectors.followed_rounds(request.user)[:50],
            "can_manage": policies.can_manage_catalog(request.user),
        },
    )


def _rows(
    items: list[Any], stored: values.Values, errors: dict[str, list[str]], posted: Any
) -> list[dict[str, Any]]:
    """The form's lines for the page, with what was typed when refused."""
    rows, section = [], None
    for item in items:
        if item.section_id != section:
            section = item.section_id
            rows.append({"section": item.section.title})
        entry = stored.get(item.key, {})
        if posted is not None:
            entry = {
                "value": posted.get(item.key, ""),
                "total": posted.get(f"{item.key}.total", ""),
                "text": posted.get(item.key, ""),
            }
        rows.append({"item": item, "entry": entry, "errors": errors.get(item.key, [])})
    return rows


def _page(
    request: HttpRequest,
    report: Report,
    *,
    errors: dict[str, list[str]] | None = None,
    posted: Any = None,
    status: int = 200,
) -> HttpResponse:
    version = selectors.visible_version(request.user, report)
    items = values.items_of(report.round.form)
    context = {
        "report": report,
        "version": version,
        "rows": _rows(items, version.values if version else {}, errors or {}, posted),
        "errors": errors or {},
        "editable": policies.can_edit(request.user, report),
        "reviewer": policies.can_review(request.user, report),
        "late": services.is_late(report),
        "history": selectors.history(report)
        if policies.can_see_values(request.user, report)
        else [],
        "comment_form": CommentForm(),
        "import_form": ImportForm(),
        "approved": report.approved,
        "ItemKind": ItemKind,
    }
    return render(request, "reporting/report.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    _require(request)
    report = _report(request, report_id)
    if request.method == "GET":
        return _page(request, report)
    sending = "submit" in request.POST
    try:
        checked = services.save_values(request.user, report, request.POST)
        if checked.ok and sending:
            checked = services.submit(request.user, report)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("reporting:report", report.pk)
    if not checked.ok:
        messages.error(
            request,
            _("Chưa lưu được: sửa các ô được đánh dấu.")
            if not sending
            else _("Chưa gửi được: sửa các ô được đánh dấu."),
        )
        return _page(
            request,
            _report(request, report_id),
            errors=checked.errors,
            posted=request.POST,
            status=400,
        )
    messages.success(
        request,
        _("Đã gửi báo cáo để lãnh đạo duyệt.") if sending else _("Đã lưu bản nháp."),
    )
    return redirect("reporting:report", report.pk)


@login_required
@require_POST
def report_act(request: HttpRequest, report_id: int, act: str) -> HttpResponse:
    _require(request)
    report = _report(request, report_id)
    comment = request.POST.get("comment", "")
    try:
        if act == "duyet":
            services.approve(request.user, report)
            messages.success(request, _("Đã duyệt báo cáo."))
        elif act == "tra-lai":
            services.send_back(request.user, report, comment)
            messages.success(request, _("Đã trả lại báo cáo cho đơn vị."))
        elif act == "mo-lai":
            services.reopen(request.user, report, comment)
            messages.success(
                request,
                _(
                    "Đã mở lại báo cáo thành phiên bản mới; bản đã duyệt vẫn giữ nguyên."
                ),
            )
        elif act == "bat-dau":
            services.start(request.user, report)
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("reporting:report", report.pk)


@login_required
@require_POST
def report_import(request: HttpRequest, report_id: int) -> HttpResponse:
    _require(request)
    report = _report(request, report_id)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Chọn tệp Excel để nhập."))
        return redirect("reporting:report", report.pk)
    try:
        given = exports.read_xlsx(report.round, form.cleaned_data["file"].read())
        checked = services.save_values(
            request.user, report, given, act=ReportAct.IMPORTED
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("reporting:report", report.pk)
    if not checked.ok:
        messages.error(
            request,
            _("Tệp có số liệu chưa hợp lệ, chưa nhập gì: sửa trong tệp rồi nhập lại."),
        )
        return _page(request, report, errors=checked.errors, posted=None, status=400)
    messages.success(
        request, _("Đã nhập số liệu từ tệp vào bản nháp; kiểm tra rồi gửi.")
    )
    return redirect("reporting:report", report.pk)


def _file_name(*parts: str) -> str:
    return slugify(unaccented("-".join(parts)).replace("/", "-"))[:80] or "bao-cao"


@login_required
@require_GET
def report_export(request: HttpRequest, report_id: int, fmt: str) -> HttpResponse:
    _require(request)
    report = _report(request, report_id)
    version = selectors.visible_version(request.user, report)
    name = _file_name(report.round.form.code, report.round.label, report.unit.name)
    if fmt == "xlsx":
        response = HttpResponse(exports.report_xlsx(report, version), content_type=XLSX)
    elif fmt == "pdf":
        response = HttpResponse(
            exports.report_pdf(report, version), content_type="application/pdf"
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
@require_GET
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    _require(request)
    round_ = _round(request, round_id)
    rolled, approved, everyone = selectors.rollup(round_)
    return render(
        request,
        "reporting/round.html",
        {
            "overview": selectors.overview(round_),
            "rolled": rolled,
            "approved": approved,
            "everyone": everyone,
        },
    )


@login_required
@require_GET
def round_export(request: HttpRequest, round_id: int, fmt: str) -> HttpResponse:
    _require(request)
    round_ = _round(request, round_id)
    name = _file_name(round_.form.code, round_.label, "tong-hop")
    if fmt == "xlsx":
        response = HttpResponse(exports.rollup_xlsx(round_), content_type=XLSX)
    elif fmt == "pdf":
        response = HttpResponse(
            exports.rollup_pdf(round_), content_type="application/pdf"
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
