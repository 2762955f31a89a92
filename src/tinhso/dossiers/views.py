"""One-stop pages: the public catalog and look-up, the officers' counter,
queue and dossier pages, the administrators' catalog import and export.
Thin: forms in, selectors and services."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhso.accounts.policies import is_official
from tinhso.core import files
from tinhso.core.errors import DomainError, Forbidden, NotFound
from tinhso.core.middleware import client_ip
from tinhso.core.pagination import CappedPaginator
from tinhso.dossiers import catalog_table, printing, statistics
from tinhso.dossiers.constants import (
    OPEN_STATUSES,
    DossierStatus,
    PaymentStatus,
)
from tinhso.dossiers.forms import (
    CatalogImportForm,
    CatalogSearchForm,
    HandOverForm,
    LookUpForm,
    ReceiveForm,
    StatisticsForm,
)
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.policies import can_manage_catalog, can_reconcile_credits
from tinhso.dossiers.selectors import catalog as selectors
from tinhso.dossiers.selectors import dossiers as dossier_selectors
from tinhso.dossiers.services import catalog as services
from tinhso.dossiers.services import dossiers as dossier_services
from tinhso.dossiers.services import online, payments

PER_PAGE = 20


@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    form = CatalogSearchForm(request.GET)
    filters = form.filters()
    procedures = selectors.search_procedures(
        filters.get("q", ""),
        level=filters.get("level", ""),
        field=filters.get("field", ""),
        service_level=filters.get("service_level", ""),
    )
    page = CappedPaginator(procedures, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "searching": any(filters.values()),
    }
    return render(request, "dossiers/catalog/list.html", context)


@require_GET
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        procedure = selectors.get_procedure(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "dossiers/catalog/detail.html", {"procedure": procedure})


def _require_manager(request: HttpRequest) -> None:
    if not can_manage_catalog(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def catalog_admin(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = CatalogImportForm()
    problems: list[str] = []
    if request.method == "POST":
        form = CatalogImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = services.import_catalog(upload.read(), upload.name or "")
            except DomainError as exc:
                problems = list(exc.extra.get("problems", [])) or [exc.message]
                form.add_error("file", exc.message)
            else:
                messages.success(
                    request,
                    _(
                        "Đã nạp danh mục: %(created)s thủ tục mới, %(updated)s thủ tục "
                        "cập nhật, %(fields)s lĩnh vực mới."
                    )
                    % {
                        "created": report.created,
                        "updated": report.updated,
                        "fields": report.fields_created,
                    },
                )
                return redirect("dossiers:catalog_admin")
    context = {
        "form": form,
        "problems": problems,
        "total": selectors.published_procedures().count(),
    }
    status = 400 if problems or form.errors else 200
    return render(request, "dossiers/catalog/admin.html", context, status=status)


@login_required
@require_GET
def catalog_export(request: HttpRequest, kind: str) -> HttpResponse:
    _require_manager(request)
    if kind not in (catalog_table.XLSX, catalog_table.CSV):
        raise Http404
    content = selectors.export_catalog(kind)
    response = HttpResponse(content, content_type=catalog_table.CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="danh-muc-thu-tuc.{kind}"'
    return response


# Dossiers -------------------------------------------------------------------


def _dossier(request: HttpRequest, code: str) -> Dossier:
    try:
        return dossier_selectors.get_dossier_for(request.user, code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@require_GET
def dossier_list(request: HttpRequest) -> HttpResponse:
    if not is_official(request.user):
        raise PermissionDenied
    dossiers = dossier_selectors.visible_dossiers(request.user)
    page = CappedPaginator(dossiers, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "can_receive": dossier_selectors.counters_of(request.user).exists(),
        "credits": dossier_selectors.unsettled_credits(request.user).count(),
    }
    return render(request, "dossiers/dossier/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def dossier_receive(request: HttpRequest) -> HttpResponse:
    counters = dossier_selectors.counters_of(request.user)
    if not counters.exists():
        raise PermissionDenied
    code = request.GET.get("procedure", "")
    procedure = None
    if code:
        try:
            procedure = selectors.get_procedure(code)
        except NotFound:
            messages.error(
                request, _("Không tìm thấy thủ tục %(code)s.") % {"code": code}
            )
    if procedure is None:
        query = request.GET.get("q", "")
        found = selectors.search_procedures(query)[:PER_PAGE] if query.strip() else []
        return render(
            request,
            "dossiers/dossier/choose.html",
            {"q": query, "found": found},
        )
    form = ReceiveForm(request.POST or None, procedure=procedure, counters=counters)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        applicant = dossier_services.Applicant(
            name=data["applicant_name"],
            id_number=data["applicant_id_number"],
            phone=data["applicant_phone"],
            email=data["applicant_email"],
            address=data["applicant_address"],
        )
        try:
            dossier = dossier_services.receive_at_counter(
                request.user,  # type: ignore[arg-type]
                procedure,
                data["counter"],
                applicant,
                [int(n) for n in data["documents"]],
            )
        except DomainError as exc:
            field = exc.extra.get("field")
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("Đã tiếp nhận hồ sơ %(code)s; hẹn trả kết quả %(due)s.")
                % {
                    "code": dossier.code,
                    "due": timezone.localtime(dossier.appointment_at).strftime(
                        "%H:%M %d/%m/%Y"
                    ),
                },
            )
            return redirect("dossiers:dossier_detail", code=dossier.code)
    status = 400 if form.errors else 200
    return render(
        request,
        "dossiers/dossier/receive.html",
        {"form": form, "procedure": procedure},
        status=status,
    )


def _detail_context(
    request: HttpRequest, dossier: Dossier, form: Any = None
) -> dict[str, Any]:
    following = dossier_selectors.next_step(dossier)
    holds = dossier.handler_id == request.user.pk
    if holds and following is not None and form is None:
        form = HandOverForm(candidates=dossier_selectors.candidates(dossier, following))
    in_progress = dossier.status in (DossierStatus.RECEIVED, DossierStatus.PROCESSING)
    unaccepted = dossier.status == DossierStatus.REGISTERED
    counter = dossier_selectors.counters_of(request.user).filter(pk=dossier.agency_id)
    at_counter = counter.exists()
    payment = dossier_selectors.payment_of(dossier)
    return {
        "dossier": dossier,
        "documents": list(dossier.documents.all()),
        "handovers": dossier_selectors.handovers_of(dossier),
        "next_step": following,
        "holds": holds,
        "form": form if holds and following is not None and in_progress else None,
        "can_return": holds and dossier.status == DossierStatus.PROCESSED,
        "can_request_supplement": (holds and in_progress)
        or (unaccepted and at_counter),
        "can_close": (holds and dossier.status in OPEN_STATUSES)
        or (unaccepted and at_counter),
        "can_accept": unaccepted and at_counter and dossier.received_by_id is None,
        "payment": payment,
        "can_confirm_payment": at_counter
        and payment is not None
        and payment.status == PaymentStatus.PENDING
        and dossier.status in OPEN_STATUSES,
        "can_attach_result": holds
        and dossier.status in (DossierStatus.PROCESSING, DossierStatus.PROCESSED),
        "notifications": dossier_selectors.notifications_of(dossier),
        "rating": dossier_selectors.rating_of(dossier),
        "refusal": dossier_selectors.refusal_of(dossier),
        "apology": dossier_selectors.apology_of(dossier),
        "can_apologise": holds
        and dossier.status
        in (DossierStatus.RECEIVED, DossierStatus.PROCESSING, DossierStatus.PROCESSED),
        "open_supplement": dossier_selectors.open_supplement(dossier),
    }


@login_required
@require_GET
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    if not is_official(request.user):
        return redirect("dossiers:my_dossier", code=code)
    dossier = _dossier(request, code)
    return render(
        request, "dossiers/dossier/detail.html", _detail_context(request, dossier)
    )


@login_required
@require_POST
def dossier_hand_over(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _dossier(request, code)
    following = dossier_selectors.next_step(dossier)
    if following is None or dossier.handler_id != request.user.pk:
        raise PermissionDenied
    form = HandOverForm(
        request.POST, candidates=dossier_selectors.candidates(dossier, following)
    )
    if form.is_valid():
        name = form.cleaned_data["receiver"] or form.cleaned_data["receiver_username"]
        receiver = dossier_selectors.official_named(name)
        if receiver is None:
            form.add_error(
                "receiver_username",
                _("Không có cán bộ nào có tên đăng nhập “%(name)s”.") % {"name": name},
            )
        else:
            try:
                dossier_services.hand_over(
                    dossier,
                    request.user,  # type: ignore[arg-type]
                    receiver,
                    note=form.cleaned_data["note"],
                )
            except Forbidden as exc:
                raise PermissionDenied(exc.message) from exc
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("Đã chuyển hồ sơ cho %(name)s.") % {"name": receiver.full_name},
                )
                return redirect("dossiers:dossier_detail", code=dossier.code)
    context = _detail_context(request, dossier, form)
    return render(request, "dossiers/dossier/detail.html", context, status=400)


@login_required
@require_POST
def dossier_return(request: HttpRequest, code: str) -> HttpResponse:
    note = request.POST.get("note", "")[:1000]
    return _act(
        request,
        code,
        lambda d: dossier_services.return_result(d, request.user, note=note),  # type: ignore[arg-type]
        _("Đã trả kết quả hồ sơ %(code)s.") % {"code": code},
    )


def _act(request: HttpRequest, code: str, act: Any, done: str) -> HttpResponse:
    """Run a service act on a dossier the user sees; say how it went."""
    dossier = _dossier(request, code)
    try:
        act(dossier)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("dossiers:dossier_detail", code=dossier.code)


def _printed(
    request: HttpRequest, code: str, find: Callable[[Dossier], Any], respond: Any
) -> HttpResponse:
    """The printed form of a record of the dossier (an apology, a refusal…);
    404 when the dossier has none."""
    dossier = _dossier(request, code)
    record = find(dossier)
    if record is None:
        raise Http404
    response: HttpResponse = respond(dossier, record)
    return response


@login_required
@require_POST
def dossier_supplement(request: HttpRequest, code: str) -> HttpResponse:
    reason = request.POST.get("reason", "")[:4000]
    return _act(
        request,
        code,
        lambda d: dossier_services.request_supplement(d, request.user, reason),  # type: ignore[arg-type]
        _("Đã gửi yêu cầu bổ sung; thời hạn giải quyết tạm dừng."),
    )


@login_required
@require_POST
def dossier_supplement_received(request: HttpRequest, code: str) -> HttpResponse:
    return _act(
        request,
        code,
        lambda d: dossier_services.receive_supplement(d, request.user),  # type: ignore[arg-type]
        _("Đã nhận hồ sơ bổ sung; hạn trả kết quả đã được lùi tương ứng."),
    )


@login_required
@require_POST
def dossier_refuse(request: HttpRequest, code: str) -> HttpResponse:
    reason = request.POST.get("reason", "")[:4000]
    return _act(
        request,
        code,
        lambda d: dossier_services.refuse(d, request.user, reason),  # type: ignore[arg-type]
        _("Đã từ chối hồ sơ; in phiếu từ chối để giao người nộp."),
    )


@login_required
@require_POST
def dossier_withdraw(request: HttpRequest, code: str) -> HttpResponse:
    note = request.POST.get("note", "")[:1000]
    return _act(
        request,
        code,
        lambda d: dossier_services.withdraw(d, request.user, note),  # type: ignore[arg-type]
        _("Đã ghi nhận người nộp rút hồ sơ."),
    )


@login_required
@require_POST
def dossier_apologise(request: HttpRequest, code: str) -> HttpResponse:
    reason = request.POST.get("reason", "")[:4000]
    promised = parse_datetime(request.POST.get("promised", ""))
    if promised is None:
        messages.error(request, _("Chọn ngày giờ hẹn lại."))
        return redirect("dossiers:dossier_detail", code=code)
    if timezone.is_naive(promised):
        promised = timezone.make_aware(promised)
    return _act(
        request,
        code,
        lambda d: dossier_services.apologise(d, request.user, reason, promised),  # type: ignore[arg-type]
        _("Đã ghi phiếu xin lỗi và hẹn lại ngày trả kết quả; in phiếu giao người nộp."),
    )


@login_required
@require_GET
def dossier_apology_pdf(request: HttpRequest, code: str) -> HttpResponse:
    return _printed(
        request, code, dossier_selectors.apology_of, printing.apology_response
    )


@login_required
@require_GET
def dossier_refusal_pdf(request: HttpRequest, code: str) -> HttpResponse:
    return _printed(
        request, code, dossier_selectors.refusal_of, printing.refusal_response
    )


@login_required
@require_GET
def dossier_supplement_pdf(request: HttpRequest, code: str) -> HttpResponse:
    return _printed(
        request, code, dossier_selectors.open_supplement, printing.supplement_response
    )


@login_required
@require_POST
def dossier_accept(request: HttpRequest, code: str) -> HttpResponse:
    return _act(
        request,
        code,
        lambda d: online.accept_online(d, request.user),  # type: ignore[arg-type]
        _("Đã tiếp nhận hồ sơ %(code)s; giấy tiếp nhận đã sẵn sàng.") % {"code": code},
    )


@login_required
@require_POST
def dossier_confirm_payment(request: HttpRequest, code: str) -> HttpResponse:
    method = request.POST.get("method", "")
    return _act(
        request,
        code,
        lambda d: payments.confirm_payment(d, request.user, method),  # type: ignore[arg-type]
        _("Đã ghi nhận nộp phí, lệ phí; in biên nhận giao người nộp."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def credits(request: HttpRequest) -> HttpResponse:
    """Bank credits that paid nothing, for one-stop officers to settle."""
    if not can_reconcile_credits(request.user):
        raise PermissionDenied
    if request.method == "POST":
        try:
            payments.settle_credit(
                request.POST.get("transaction", ""),
                request.user,  # type: ignore[arg-type]
                request.POST.get("note", "")[:2000],
            )
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã ghi nhận đối soát."))
        return redirect("dossiers:credits")
    found = list(dossier_selectors.unsettled_credits(request.user)[: PER_PAGE + 1])
    context = {"credits": found[:PER_PAGE], "more": len(found) > PER_PAGE}
    return render(request, "dossiers/payment/credits.html", context)


@login_required
@require_POST
def dossier_attach_result(request: HttpRequest, code: str) -> HttpResponse:
    upload = request.FILES.get("result")
    if upload is None:
        messages.error(request, _("Chọn tệp PDF kết quả."))
        return redirect("dossiers:dossier_detail", code=code)
    return _act(
        request,
        code,
        lambda d: online.attach_result(
            d,
            request.user,  # type: ignore[arg-type]
            online.Upload(upload.name or "", upload),
        ),
        _("Đã lưu kết quả điện tử của hồ sơ."),
    )


@login_required
@require_GET
def dossier_result(request: HttpRequest, code: str) -> HttpResponseBase:
    """The electronic result: officers who see the dossier, and the applicant
    once it has been returned."""
    dossier = _dossier(request, code)
    try:
        result = dossier_selectors.result_for(request.user, dossier)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return files.response(result, filename=f"ket-qua-{dossier.code}.pdf", no_store=True)


@login_required
@require_GET
def dossier_file(request: HttpRequest, code: str, position: int) -> HttpResponseBase:
    """A paper the applicant sent as a file."""
    dossier = _dossier(request, code)
    paper = dossier.documents.filter(position=position, file__isnull=False).first()
    if paper is None or paper.file is None:
        raise Http404(_("Không có tệp này."))
    return files.response(paper.file, no_store=True)


@login_required
@require_GET
def dossier_payment_receipt(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _dossier(request, code)
    try:
        payment = dossier_selectors.paid_payment(dossier)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return printing.payment_receipt_response(dossier, payment)


@login_required
@require_GET
def my_queue(request: HttpRequest) -> HttpResponse:
    if not is_official(request.user):
        raise PermissionDenied
    context = {
        "queue": dossier_selectors.queue_of(request.user),
        "awaiting": dossier_selectors.awaiting_acceptance(request.user)[:100],
    }
    return render(request, "dossiers/dossier/queue.html", context)


@login_required
@require_GET
def dossier_control_sheet(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _dossier(request, code)
    return printing.control_sheet_response(
        dossier, dossier_selectors.handovers_of(dossier)
    )


@login_required
@require_GET
def dossier_receipt(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _dossier(request, code)
    return printing.receipt_response(dossier)


# Public look-up -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def look_up(request: HttpRequest) -> HttpResponse:
    # POST: phone and ID numbers stay out of addresses, logs and history.
    form = LookUpForm(request.POST or None)
    dossier = None
    status = 200
    if form.is_valid():
        try:
            dossier = dossier_services.look_up(
                form.cleaned_data["code"],
                form.cleaned_data["contact"],
                client_ip(request),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = 429 if exc.status == 429 else 200
    context = {
        "form": form,
        "dossier": dossier,
        "applicant": dossier.applicant_masked if dossier else "",
        "supplement": dossier_selectors.waiting_supplement(dossier)
        if dossier
        else None,
    }
    return render(request, "dossiers/dossier/look_up.html", context, status=status)


# Statistics ------------------------------------------------------------------


@require_GET
def statistics_page(request: HttpRequest) -> HttpResponse:
    """Public, as the national portal publishes them: counts, no one's data."""
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("first", today.replace(month=1, day=1).isoformat())
    data.setdefault("last", today.isoformat())
    data.setdefault("by", "procedure")
    form = StatisticsForm(data, units=dossier_selectors.statistics_units())
    if not form.is_valid():
        return render(request, "dossiers/statistics.html", {"form": form}, status=400)
    unit, first, last, by = (
        form.cleaned_data[k] for k in ("unit", "first", "last", "by")
    )
    table = statistics.table(unit, first, last, by)
    heading = _("Thống kê giải quyết thủ tục hành chính: %(unit)s") % {
        "unit": unit.name if unit else _("toàn tỉnh")
    }
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            statistics.xlsx(table, heading),
            content_type=catalog_table.CONTENT_TYPES[catalog_table.XLSX],
        )
        response["Content-Disposition"] = (
            f'attachment; filename="thong-ke-ho-so-{first:%Y%m%d}-{last:%Y%m%d}.xlsx"'
        )
        return response
    context = {
        "form": form,
        "table": table,
        "heading": heading,
        "columns": [name for name, _attr in statistics.columns()],
        "rows": [(row.label, statistics.cells(row.tally)) for row in table.rows],
        "total": statistics.cells(table.total),
    }
    return render(request, "dossiers/statistics.html", context)
