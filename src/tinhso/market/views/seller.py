"""The seller's pages: a business or household signs its producer up,
lists products with photos, sends them for approval, keeps price and stock
current, and moves its orders on."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tinhso.core import vietqr
from tinhso.core.errors import DomainError
from tinhso.core.forms import refuse as failed
from tinhso.core.forms import status_of as status
from tinhso.market import policies, selectors
from tinhso.market.constants import MOVES, OrderStatus, PaymentMethod, ProductStatus
from tinhso.market.forms import NoteForm, PhotoForm, ProducerForm, ProductForm
from tinhso.market.models import Order, Producer, Product, ProductPhoto
from tinhso.market.services import orders as order_services
from tinhso.market.services import producers, products


def _producer(request: HttpRequest) -> Producer:
    producer = policies.producer_of(request.user)
    if producer is None:
        raise PermissionDenied
    return producer


@login_required
@require_http_methods(["GET"])
def seller(request: HttpRequest) -> HttpResponse:
    producer = policies.producer_of(request.user)
    if producer is None:
        if policies.can_register_producer(request.user):
            return redirect("market:register")
        raise PermissionDenied
    context = {
        "producer": producer,
        "bank": vietqr.BANKS.get(producer.bank_bin, producer.bank_bin),
        "products": producer.products.prefetch_related("photos").order_by(
            "status", "name"
        ),
        "orders": selectors.orders_of_producer(producer)[:10],
        "waiting": selectors.orders_of_producer(producer)
        .filter(status__in=[OrderStatus.PLACED, OrderStatus.PAID])
        .count(),
        "credits": selectors.unmatched_credits(producer).select_related("order")[:10],
    }
    return render(request, "market/seller.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if not policies.can_register_producer(request.user):
        if policies.producer_of(request.user) is not None:
            return redirect("market:seller")
        raise PermissionDenied
    initial = {
        "tax_code": request.user.username,
        "representative": request.user.full_name,  # type: ignore[union-attr]
        "phone": request.user.phone,  # type: ignore[union-attr]
        "email": request.user.email,  # type: ignore[union-attr]
    }
    form = ProducerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            producers.register(request.user, form.save(commit=False))
        except DomainError as exc:
            failed(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Đã gửi đăng ký. Cán bộ quản lý sàn sẽ duyệt; trong lúc chờ, bạn "
                    "có thể đăng sản phẩm."
                ),
            )
            return redirect("market:seller")
    return render(
        request,
        "market/producer_form.html",
        {"form": form, "new": True},
        status=status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def producer_edit(request: HttpRequest) -> HttpResponse:
    producer = _producer(request)
    form = ProducerForm(request.POST or None, instance=producer)
    if request.method == "POST" and form.is_valid():
        try:
            producers.update(request.user, form.save(commit=False))
        except DomainError as exc:
            failed(form, exc)
        else:
            messages.success(request, _("Đã lưu thông tin chủ thể."))
            return redirect("market:seller")
    return render(
        request,
        "market/producer_form.html",
        {"form": form, "new": False},
        status=status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_new(request: HttpRequest) -> HttpResponse:
    _producer(request)
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = products.save(request.user, form.save(commit=False))
        except DomainError as exc:
            failed(form, exc)
        else:
            messages.success(
                request, _("Đã lưu sản phẩm; thêm ảnh rồi gửi duyệt để lên sàn.")
            )
            return redirect("market:product_edit", made.pk)
    return render(
        request,
        "market/product_form.html",
        {"form": form, "product": None},
        status=status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    producer = _producer(request)
    item = get_object_or_404(Product.objects.select_related("producer"), pk=pk)
    if item.producer_id != producer.pk:
        raise Http404
    form = ProductForm(request.POST if "save" in request.POST else None, instance=item)
    photo = PhotoForm(
        request.POST if "photo_add" in request.POST else None,
        request.FILES if "photo_add" in request.POST else None,
    )
    if request.method == "POST":
        try:
            if "save" in request.POST and form.is_valid():
                was = item.status
                saved = products.save(
                    request.user,
                    form.save(commit=False),
                    stock_seen=form.cleaned_data.get("stock_seen"),
                )
                if was != saved.status:
                    messages.warning(
                        request,
                        _(
                            "Thông tin OCOP đã đổi nên sản phẩm tạm ngừng bán, chờ "
                            "cán bộ quản lý sàn duyệt lại."
                        ),
                    )
                else:
                    messages.success(request, _("Đã lưu sản phẩm."))
                return redirect("market:product_edit", item.pk)
            if "photo_add" in request.POST and photo.is_valid():
                upload = photo.cleaned_data["photo"]
                was = item.status
                products.add_photo(request.user, item, upload, upload.name)
                messages.success(request, _("Đã thêm ảnh."))
                if was == ProductStatus.LISTED:
                    messages.warning(
                        request, _("Ảnh đã đổi nên sản phẩm chờ duyệt lại.")
                    )
                return redirect("market:product_edit", item.pk)
            if "photo_remove" in request.POST:
                if not request.POST["photo_remove"].isdigit():
                    raise Http404
                gone = get_object_or_404(
                    ProductPhoto, pk=request.POST["photo_remove"], product=item
                )
                was = item.status
                products.remove_photo(request.user, gone)
                messages.success(request, _("Đã xóa ảnh."))
                if was == ProductStatus.LISTED:
                    messages.warning(
                        request, _("Ảnh đã đổi nên sản phẩm chờ duyệt lại.")
                    )
                return redirect("market:product_edit", item.pk)
            if "submit" in request.POST:
                products.submit(request.user, item)
                messages.success(
                    request, _("Đã gửi sản phẩm để cán bộ quản lý sàn duyệt.")
                )
                return redirect("market:product_edit", item.pk)
            if "unlist" in request.POST:
                products.unlist(request.user, item)
                messages.success(request, _("Đã ngừng bán sản phẩm."))
                return redirect("market:product_edit", item.pk)
        except DomainError as exc:
            target = photo if "photo_add" in request.POST else form
            if target.is_bound:
                failed(target, exc)
            else:
                messages.error(request, exc.message)
                return redirect("market:product_edit", item.pk)
    context = {"form": form, "photo_form": photo, "product": item}
    return render(
        request, "market/product_form.html", context, status=status(form, photo)
    )


@login_required
@require_http_methods(["GET"])
def seller_orders(request: HttpRequest) -> HttpResponse:
    producer = _producer(request)
    wanted = request.GET.get("trang_thai", "")
    if wanted not in OrderStatus.values:
        wanted = ""
    page = Paginator(selectors.orders_of_producer(producer, wanted), 30).get_page(
        request.GET.get("page")
    )
    context = {
        "producer": producer,
        "page": page,
        "wanted": wanted,
        "statuses": OrderStatus.choices,
    }
    return render(request, "market/seller_orders.html", context)


def _moves(order: Order) -> list[tuple[str, str]]:
    """The buttons a producer sees on an order, in the words of its trade."""
    labels: dict[str, str] = {
        OrderStatus.PAID: _("Đã nhận tiền chuyển khoản"),
        OrderStatus.SHIPPED: _("Đã giao cho đơn vị vận chuyển"),
        OrderStatus.DELIVERED: _("Người mua đã nhận hàng")
        if order.payment_method == PaymentMethod.VIETQR
        else _("Đã giao hàng, đã thu tiền"),
        OrderStatus.CANCELLED: _("Hủy đơn"),
    }
    allowed = []
    for to in MOVES[order.status]:
        if to == OrderStatus.PAID and order.payment_method != PaymentMethod.VIETQR:
            continue
        if (
            to == OrderStatus.SHIPPED
            and order.payment_method == PaymentMethod.VIETQR
            and order.status != OrderStatus.PAID
        ):
            continue
        allowed.append((to, labels[to]))
    return allowed


@login_required
@require_http_methods(["GET", "POST"])
def seller_order(request: HttpRequest, reference: str) -> HttpResponse:
    producer = _producer(request)
    order = selectors.order_by_reference(reference)
    if order is None or order.producer_id != producer.pk:
        raise Http404
    form = NoteForm(request.POST or None)
    if request.method == "POST" and "refund" in request.POST:
        try:
            order_services.refund(request.user, order)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã ghi nhận hoàn tiền cho người mua."))
        return redirect("market:seller_order", order.reference)
    if request.method == "POST" and form.is_valid():
        to = request.POST.get("to", "")
        try:
            order_services.advance(request.user, order, to, form.cleaned_data["note"])
        except DomainError as exc:
            failed(form, exc)
        else:
            messages.success(
                request,
                _("Đơn %(ref)s: %(status)s.")
                % {"ref": order.reference, "status": OrderStatus(to).label},
            )
            return redirect("market:seller_order", order.reference)
    context = {"order": order, "form": form, "moves": _moves(order)}
    return render(request, "market/seller_order.html", context, status=status(form))
