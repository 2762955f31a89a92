"""The market officer's pages: producers and products waiting for
approval, every producer, and the marketplace's statistics."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tinhso.core.errors import DomainError
from tinhso.market import policies, selectors
from tinhso.market.forms import ProducerReviewForm
from tinhso.market.models import Producer, Product
from tinhso.market.services import producers, products


def _require(request: HttpRequest) -> None:
    if not policies.is_market_officer(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest) -> HttpResponse:
    _require(request)
    if request.method == "POST":
        note = request.POST.get("note", "")
        try:
            if "producer" in request.POST:
                if not request.POST["producer"].isdigit():
                    raise Http404
                producer = get_object_or_404(Producer, pk=request.POST["producer"])
                form = ProducerReviewForm(request.POST)
                if not form.is_valid():
                    raise DomainError("invalid", _("Chọn duyệt hoặc tạm dừng bán."))
                producers.review(
                    request.user, producer, form.cleaned_data["status"], note
                )
                messages.success(
                    request,
                    _("Đã cập nhật chủ thể %(name)s.") % {"name": producer.name},
                )
            elif "product" in request.POST:
                if not request.POST["product"].isdigit():
                    raise Http404
                item = get_object_or_404(Product, pk=request.POST["product"])
                approve = request.POST.get("decision") == "approve"
                products.review(request.user, item, approve=approve, note=note)
                messages.success(
                    request,
                    (
                        _("Đã duyệt, sản phẩm %(name)s lên sàn.")
                        if approve
                        else _("Đã trả lại sản phẩm %(name)s cho chủ thể.")
                    )
                    % {"name": item.name},
                )
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("market:review")
    context = {
        "producers": selectors.pending_producers(),
        "products": selectors.pending_products(),
    }
    return render(request, "market/review.html", context)


@login_required
@require_GET
def producer_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    listing = selectors.producers()
    return render(
        request,
        "market/producers.html",
        {"producers": listing},
    )


@login_required
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    _require(request)
    this_year = timezone.localdate().year
    raw = request.GET.get("nam", "")
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= this_year else this_year
    rows = selectors.monthly(year)
    stars = selectors.listed_by_commune()
    context = {
        "year": year,
        "years": range(this_year, max(this_year - 5, 1999), -1),
        "months": rows,
        "stars": stars,
        "star_totals": {
            "three": sum(r.three for r in stars),
            "four": sum(r.four for r in stars),
            "five": sum(r.five for r in stars),
            "total": sum(r.total for r in stars),
        },
        "year_totals": {
            "orders": sum(r.orders for r in rows),
            "paid": sum(r.paid for r in rows),
            "value": sum(r.value for r in rows),
            "cashless": sum(r.cashless for r in rows),
        },
    }
    return render(request, "market/statistics.html", context)
