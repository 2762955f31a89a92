"""The citizen portal's pages for a signed-in applicant: submit a dossier
online, follow it, pay by VietQR, answer a supplement request, download the
result, rate the service. Plain forms and links: every step works without
JavaScript, and the pages stay light for a phone on a weak network."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhso.core import vietqr
from tinhso.core.errors import DomainError, Forbidden, NotFound
from tinhso.core.pagination import CappedPaginator
from tinhso.dossiers.constants import DossierStatus, PaymentStatus, ServiceLevel
from tinhso.dossiers.forms import OnlineForm, RatingForm
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.selectors import catalog as catalog_selectors
from tinhso.dossiers.selectors import dossiers as selectors
from tinhso.dossiers.services import online, payments

PER_PAGE = 20


def _uploads(request: HttpRequest, name: str) -> list[online.Upload]:
    return [online.Upload(f.name or "", f) for f in request.FILES.getlist(name)]


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, code: str) -> HttpResponse:
    try:
        procedure = catalog_selectors.get_procedure(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if procedure.service_level == ServiceLevel.NONE:
        messages.error(
            request,
            _("Thủ tục này chưa cung cấp trực tuyến; hãy nộp tại Bộ phận Một cửa."),
        )
        return redirect("dossiers:procedure_detail", code=procedure.code)
    user = request.user
    places = selectors.places_for(procedure)
    initial = {"phone": getattr(user, "phone", ""), "email": getattr(user, "email", "")}
    form = OnlineForm(request.POST or None, places=places, initial=initial)
    documents = list(procedure.documents.all())
    problem = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        papers = {d.position: _uploads(request, f"doc_{d.position}") for d in documents}
        try:
            dossier = online.submit_online(
                user,  # type: ignore[arg-type]
                procedure,
                data["place"],
                papers,
                phone=data["phone"],
                email=data["email"],
                address=data["address"],
                note=data["note"],
            )
        except DomainError as exc:
            field = exc.extra.get("field", "").removeprefix("applicant_")
            if field in form.fields:
                form.add_error(field, exc.message)
            else:
                problem = exc.message
        else:
            messages.success(
                request,
                _(
                    "Đã gửi hồ sơ %(code)s. Cán bộ một cửa sẽ kiểm tra và tiếp nhận; "
                    "ông/bà nhận thông báo qua tin nhắn."
                )
                % {"code": dossier.code},
            )
            return redirect("dossiers:my_dossier", code=dossier.code)
    status = 400 if form.errors or problem else 200
    context = {
        "procedure": procedure,
        "form": form,
        "documents": documents,
        "problem": problem,
        "fees": list(procedure.fees.all()),
        "max_mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    return render(request, "dossiers/portal/submit.html", context, status=status)


@login_required
@require_GET
def my_dossiers(request: HttpRequest) -> HttpResponse:
    dossiers = selectors.applicant_dossiers(request.user)
    page = CappedPaginator(dossiers, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "dossiers/portal/list.html", {"page": page})


def _own(request: HttpRequest, code: str) -> Dossier:
    dossier = selectors.applicant_dossiers(request.user).filter(code=code).first()
    if dossier is None:
        raise Http404(_("Không tìm thấy hồ sơ."))
    return dossier


def _payment_context(dossier: Dossier) -> dict[str, object]:
    payment = selectors.payment_of(dossier)
    if payment is None:
        return {"payment": None}
    context: dict[str, object] = {"payment": payment}
    if payment.status == PaymentStatus.PENDING and dossier.finished_at is None:
        text = payments.qr_text(payment)
        context |= {
            "qr_svg": vietqr.svg(text),
            "account": settings.PAYMENT_ACCOUNT,
            "account_name": settings.PAYMENT_ACCOUNT_NAME,
            "bank_bin": settings.PAYMENT_BANK_BIN,
        }
    return context


@login_required
@require_GET
def my_dossier(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _own(request, code)
    rating = selectors.rating_of(dossier)
    context = {
        "dossier": dossier,
        "documents": list(dossier.documents.select_related("file")),
        "handovers": selectors.handovers_of(dossier),
        "supplement": selectors.waiting_supplement(dossier),
        "refusal": selectors.refusal_of(dossier),
        "withdrawable": dossier.status in online.WITHDRAWABLE,
        "rating": rating,
        "rating_form": RatingForm()
        if rating is None
        and dossier.status
        in (
            DossierStatus.RETURNED,
            DossierStatus.NOT_RECEIVED,
            DossierStatus.STOPPED,
            DossierStatus.WITHDRAWN,
        )
        else None,
        **_payment_context(dossier),
    }
    return render(request, "dossiers/portal/detail.html", context)


def _done(
    request: HttpRequest, dossier: Dossier, act: object, text: str
) -> HttpResponse:
    try:
        act()  # type: ignore[operator]
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, text)
    return redirect("dossiers:my_dossier", code=dossier.code)


@login_required
@require_POST
def answer_supplement(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _own(request, code)
    note = request.POST.get("note", "")[:2000]
    return _done(
        request,
        dossier,
        lambda: online.answer_supplement(
            dossier,
            request.user,  # type: ignore[arg-type]
            _uploads(request, "files"),
            note=note,
        ),
        _("Đã gửi giấy tờ bổ sung; hồ sơ tiếp tục được giải quyết."),
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _own(request, code)
    reason = request.POST.get("reason", "")[:2000]
    return _done(
        request,
        dossier,
        lambda: online.withdraw_online(dossier, request.user, reason),  # type: ignore[arg-type]
        _("Đã rút hồ sơ; hồ sơ không được giải quyết tiếp."),
    )


@login_required
@require_POST
def rate(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _own(request, code)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Chọn một mức hài lòng."))
        return redirect("dossiers:my_dossier", code=dossier.code)
    return _done(
        request,
        dossier,
        lambda: online.rate(
            dossier,
            request.user,  # type: ignore[arg-type]
            form.cleaned_data["satisfaction"],
            form.cleaned_data["comment"],
        ),
        _("Cảm ơn ông/bà đã đánh giá."),
    )
