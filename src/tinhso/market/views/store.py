"""The public storefront: search and filters, product pages, the cart,
checkout as a guest or signed in, and the buyer's order pages with the
VietQR code that pays them."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tinhso.core import files, vietqr
from tinhso.core.errors import DomainError
from tinhso.core.forms import refuse as failed
from tinhso.core.forms import status_of as status
from tinhso.core.middleware import client_ip
from tinhso.market import cart, policies, selectors
from tinhso.market.constants import OrderStatus, PaymentMethod
from tinhso.market.forms import AddToCartForm, CheckoutForm, StoreForm
from tinhso.market.models import Order, ProductPhoto
from tinhso.market.services import orders as order_services
from tinhso.market.services.products import certificate_expires

PAGE_SIZE = 24


@require_GET
def store(request: HttpRequest) -> HttpResponse:
    communes = selectors.selling_communes()
    form = StoreForm(request.GET or None, communes=communes)
    query = selectors.StoreQuery()
    if form.is_bound:
        form.is_valid()
        # A filter gone stale (a commune no longer selling) drops only itself.
        data = form.cleaned_data
        query = selectors.StoreQuery(
            text=data.get("q") or "",
            stars=tuple(data.get("sao") or ()),
            group=data.get("nhom") or "",
            commune_id=data.get("xa"),
            price_min=data.get("gia_tu"),
            price_max=data.get("gia_den"),
            sort=data.get("sap_xep") or "moi",
        )
    page = Paginator(selectors.store(query), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "form": form,
        "page": page,
        "query": query,
        "cart_count": cart.count(request),
    }
    return render(request, "market/store.html", context)


@require_http_methods(["GET", "POST"])
def product(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.product_for(
        request.user, pk, officer=policies.is_market_officer(request.user)
    )
    if item is None:
        raise Http404
    form = AddToCartForm(request.POST or None, initial={"product": item.pk})
    if request.method == "POST" and form.is_valid():
        if not cart.add(request, item.pk, form.cleaned_data["quantity"]):
            form.add_error(None, _("Giỏ hàng đã đủ 30 sản phẩm khác nhau."))
        else:
            messages.success(
                request,
                _("Đã thêm %(name)s vào giỏ hàng.") % {"name": item.name},
            )
            return redirect("market:cart")
    context = {
        "product": item,
        "form": form,
        "expires": certificate_expires(item),
        "cart_count": cart.count(request),
        "on_sale": selectors.on_sale().filter(pk=item.pk).exists(),
    }
    return render(request, "market/product.html", context, status=status(form))


@require_GET
def photo(request: HttpRequest, pk: int, size: str) -> HttpResponseBase:
    found = (
        ProductPhoto.objects.select_related("product__producer", "large", "small")
        .filter(pk=pk)
        .first()
    )
    if found is None or size not in ("lg", "sm"):
        raise Http404
    visible = selectors.product_for(
        request.user,
        found.product_id,
        officer=policies.is_market_officer(request.user),
    )
    if visible is None:
        raise Http404
    served = files.response(found.large if size == "lg" else found.small)
    if selectors.on_sale().filter(pk=found.product_id).exists():
        # A photo's file never changes (a new photo is a new row): shared
        # caches may keep it. Photos not on sale stay private.
        del served["Cache-Control"]
        patch_cache_control(served, public=True, max_age=86400)
    return served


@require_http_methods(["GET", "POST"])
def cart_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        for key, value in request.POST.items():
            if key.startswith("qty-") and key[4:].isdigit():
                number = str(value).strip()
                cart.set_quantity(
                    request, int(key[4:]), int(number) if number.isdigit() else 0
                )
        if "remove" in request.POST and request.POST["remove"].isdigit():
            cart.set_quantity(request, int(request.POST["remove"]), 0)
        if "checkout" in request.POST:
            return redirect("market:checkout")
        return redirect("market:cart")
    groups, gone = cart.groups(request)
    if gone:
        messages.warning(
            request, _("Có sản phẩm đã ngừng bán nên được bỏ khỏi giỏ hàng.")
        )
    context = {
        "groups": groups,
        "total": sum(g.amount for g in groups),
        "cart_count": cart.count(request),
    }
    return render(request, "market/cart.html", context)


@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    groups, _gone = cart.groups(request)
    if not groups:
        messages.warning(request, _("Giỏ hàng đang trống."))
        return redirect("market:store")
    initial = {}
    if request.user.is_authenticated:
        initial = {
            "name": request.user.full_name,
            "phone": request.user.phone,
            "email": request.user.email,
        }
    form = CheckoutForm(
        request.POST or None, initial=initial | {"basket": secrets.token_hex(16)}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        earlier = selectors.orders_of_basket(data["basket"])
        if earlier:
            # This page was sent already (a double tap): show what it placed.
            cart.remember_placed(request, earlier)
            return redirect("market:placed")
        if not request.user.is_authenticated and not order_services.may_place(
            client_ip(request) or "-"
        ):
            form.add_error(
                None,
                _("Đã đặt quá nhiều đơn trong một giờ từ máy này; hãy thử lại sau."),
            )
            return render(
                request,
                "market/checkout.html",
                {
                    "form": form,
                    "groups": groups,
                    "total": sum(g.amount for g in groups),
                },
                status=429,
            )
        try:
            placed = order_services.place(
                request.user,
                cart.read(request),
                order_services.Buyer(
                    name=data["name"],
                    phone=data["phone"],
                    address=data["address"],
                    commune=data["commune"],
                    email=data["email"],
                    note=data["note"],
                ),
                data["payment_method"],
                basket=data["basket"],
            )
        except DomainError as exc:
            failed(form, exc)
        else:
            cart.clear(request)
            cart.remember_placed(request, placed)
            return redirect("market:placed")
    context = {
        "form": form,
        "groups": groups,
        "total": sum(g.amount for g in groups),
    }
    return render(request, "market/checkout.html", context, status=status(form))


def _with_payment(order: Order) -> dict[str, object]:
    payable = (
        order.payment_method == PaymentMethod.VIETQR
        and order.status == OrderStatus.PLACED
    )
    text = order_services.qr_text(order) if payable else ""
    return {
        "order": order,
        "qr_text": text,
        "qr_svg": vietqr.svg(text) if text else "",
        "bank": vietqr.BANKS.get(order.pay_bank_bin, order.pay_bank_bin),
    }


@require_GET
def placed(request: HttpRequest) -> HttpResponse:
    """The orders this browser just placed, each with how to pay it."""
    keys = cart.placed_keys(request)
    found = [selectors.order_by_reference(ref) for ref in list(keys)[:10]]
    latest = [o for o in found if o is not None]
    if not latest:
        return redirect("market:store")
    basket = latest[0].basket
    context = {
        "orders": [_with_payment(o) for o in latest if o.basket == basket],
        "keys": keys,
    }
    return render(request, "market/placed.html", context)


@require_http_methods(["GET", "POST"])
def order(request: HttpRequest, reference: str) -> HttpResponse:
    key = request.GET.get("k", "") or request.POST.get("k", "")
    found = selectors.order_by_reference(reference)
    if found is None or not policies.can_view_order(request.user, found, key):
        raise Http404
    if request.method == "POST" and "cancel" in request.POST:
        try:
            order_services.cancel_as_buyer(
                request.user, found, key, request.POST.get("reason", "")
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã hủy đơn hàng."))
        url = reverse("market:order", args=[found.reference])
        return redirect(url + (f"?k={key}" if key else ""))
    context = {
        **_with_payment(found),
        "key": key,
        "can_cancel": policies.can_cancel_as_buyer(request.user, found, key),
        "is_seller": policies.can_handle_order(request.user, found),
    }
    return render(request, "market/order.html", context)


@login_required
@require_GET
def my_orders(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.orders_of_buyer(request.user), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "market/my_orders.html", {"page": page})
