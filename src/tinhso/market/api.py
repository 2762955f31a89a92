"""The marketplace's API: the public catalog, placing and following an
order, the producer moving it on, and the signed credit notifications of
the service watching producers' bank accounts."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import BaseModel, ConfigDict

from tinhso.core.errors import NotFound
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.core.pagination import Paged
from tinhso.market import policies, selectors
from tinhso.market.constants import (
    BankOutcome,
    OrderStatus,
    PaymentMethod,
    ProductGroup,
)
from tinhso.market.services import orders as order_services

router = Router(tags=["Sàn OCOP"])


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ProducerOut(Schema):
    id: int
    name: str
    commune: str

    @staticmethod
    def resolve_commune(producer: Any) -> str:
        return str(producer.commune.name)


class ProductOut(Schema):
    id: int
    name: str
    group: ProductGroup
    stars: int = Field(description="Hạng sao OCOP, 3 đến 5")
    price: int = Field(description="Giá một đơn vị bán, đồng")
    unit: str
    stock: int
    producer: ProducerOut
    photos: list[str] = Field(description="Đường dẫn ảnh sản phẩm")

    @staticmethod
    def resolve_photos(product: Any) -> list[str]:
        return [
            reverse("market:photo", args=[p.pk, "lg"]) for p in product.photos.all()
        ]


class ProductDetailOut(ProductOut):
    description: str
    certificate_number: str
    certificate_date: dt.date


class StoreFilters(Schema):
    q: str = Field(
        "", max_length=100, description="Từ khóa, có dấu hay không dấu đều được"
    )
    stars: list[int] = Field([], description="Hạng sao, có thể chọn nhiều")
    group: ProductGroup | None = None
    commune: int | None = Field(None, description="Mã số (id) xã, phường")
    price_min: int | None = Field(None, ge=0)
    price_max: int | None = Field(None, ge=0)
    sort: str = Field("moi", description="moi, gia-tang, gia-giam, sao, ten")


@router.get(
    "/products",
    response=list[ProductOut],
    auth=None,
    summary="Sản phẩm OCOP đang bán: tìm kiếm, lọc (công khai)",
    url_name="market_products",
)
@paginate(Paged)
def list_products(request: HttpRequest, filters: Query[StoreFilters]) -> Any:
    found = selectors.store(
        selectors.StoreQuery(
            text=filters.q,
            stars=tuple(filters.stars),
            group=filters.group or "",
            commune_id=filters.commune,
            price_min=filters.price_min,
            price_max=filters.price_max,
            sort=filters.sort,
        )
    )
    return found


@router.get(
    "/products/{product_id}",
    response=ProductDetailOut,
    auth=None,
    summary="Một sản phẩm OCOP đang bán",
    url_name="market_product",
)
def get_product(request: HttpRequest, product_id: int) -> Any:
    found = selectors.product_for(request.user, product_id)
    if found is None:
        raise NotFound("product_not_found", _("Không tìm thấy sản phẩm."))
    return found


class LineIn(Schema):
    product: int
    quantity: int = Field(ge=1)


class BuyerIn(Schema):
    name: str = Field(max_length=150)
    phone: str = Field(max_length=15)
    email: str = Field("", max_length=254)
    address: str = Field(max_length=300)
    commune: int = Field(description="Mã số (id) xã, phường nhận hàng")
    note: str = Field("", max_length=500)


class OrderIn(Schema):
    lines: list[LineIn] = Field(min_length=1)
    buyer: BuyerIn
    payment_method: PaymentMethod


class LineOut(_Out):
    product_id: int
    name: str
    unit: str
    price: int
    quantity: int
    amount: int


class OrderOut(_Out):
    reference: str
    access_key: str = Field(description="Khóa để người mua không đăng nhập xem đơn")
    status: OrderStatus
    payment_method: PaymentMethod
    amount: int = Field(description="Thành tiền, đồng")
    producer: str = Field(validation_alias="producer_name")
    placed_at: dt.datetime
    paid_at: dt.datetime | None
    shipped_at: dt.datetime | None
    delivered_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    refunded_at: dt.datetime | None
    vietqr: str = Field(
        validation_alias="vietqr_text",
        description="Chuỗi VietQR (EMVCo) trả đúng số tiền vào tài khoản chủ thể; "
        "rỗng khi không cần chuyển khoản",
    )
    lines: list[LineOut] = Field(validation_alias="line_list")


def _order_out(order: Any) -> Any:
    order.producer_name = order.producer.name
    payable = (
        order.payment_method == PaymentMethod.VIETQR
        and order.status == OrderStatus.PLACED
    )
    order.vietqr_text = order_services.qr_text(order) if payable else ""
    order.line_list = list(order.lines.all())
    return order


@router.post(
    "/orders",
    response={201: list[OrderOut]},
    auth=None,
    summary="Đặt hàng: một đơn cho mỗi chủ thể bán",
    url_name="market_place_order",
)
def place_order(request: HttpRequest, data: OrderIn) -> Any:
    cart: dict[int, int] = {}
    for line in data.lines:
        cart[line.product] = cart.get(line.product, 0) + line.quantity
    commune = OrgUnit.objects.filter(
        pk=data.buyer.commune, kind=OrgUnitKind.COMMUNE
    ).first()
    placed = order_services.place(
        request.user,
        cart,
        order_services.Buyer(
            name=data.buyer.name,
            phone=data.buyer.phone,
            address=data.buyer.address,
            commune=commune,
            email=data.buyer.email,
            note=data.buyer.note,
        ),
        data.payment_method,
    )
    return Status(201, [_order_out(o) for o in placed])


def _order(request: HttpRequest, reference: str, key: str) -> Any:
    found = selectors.order_by_reference(reference)
    if found is None or not policies.can_view_order(request.user, found, key):
        raise NotFound("order_not_found", _("Không tìm thấy đơn hàng."))
    return found


@router.get(
    "/orders/{reference}",
    response=OrderOut,
    auth=None,
    summary="Một đơn hàng: người mua (khóa của đơn), chủ thể bán, cán bộ sàn",
    url_name="market_order",
)
def get_order(request: HttpRequest, reference: str, key: str = "") -> Any:
    return _order_out(_order(request, reference, key))


class MoveIn(Schema):
    to: OrderStatus
    note: str = Field("", max_length=300, description="Lý do hủy, thông tin vận chuyển")


@router.post(
    "/orders/{reference}/move",
    response=OrderOut,
    summary="Chủ thể bán chuyển đơn: đã nhận tiền, giao đi, đã giao, hủy",
    url_name="market_move_order",
)
def move_order(request: HttpRequest, reference: str, data: MoveIn) -> Any:
    found = _order(request, reference, "")
    moved = order_services.advance(request.user, found, data.to, data.note)
    return _order_out(selectors.order_by_reference(moved.reference))


class CreditOut(_Out):
    transaction_id: str
    outcome: BankOutcome
    replayed: bool


@router.post(
    "/payments/notifications",
    response=CreditOut,
    auth=None,
    summary="Báo có vào tài khoản chủ thể bán (ký HMAC-SHA256)",
    description=(
        "Thân JSON: transaction_id, amount (đồng), description (nội dung chuyển "
        "khoản), credited_at (ISO 8601, có múi giờ), account (tài khoản được ghi "
        "có), bank_bin (mã NAPAS 6 chữ số của ngân hàng giữ tài khoản). Tiêu đề `X-Tinhso-Signature: sha256=<HMAC-SHA256 của thân>`. Gửi lại "
        "cùng giao dịch trả lại kết quả lần đầu và không thay đổi gì."
    ),
    url_name="market_bank_notification",
)
def bank_notification(request: HttpRequest) -> Any:
    credit, new = order_services.record_credit(
        request.body, request.headers.get(order_services.SIGNATURE_HEADER)
    )
    credit.replayed = not new  # type: ignore[attr-defined]
    return credit
