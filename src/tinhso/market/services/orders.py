"""Orders: a cart becomes one order per producer, paid by VietQR into the
producer's own account or in cash on delivery, then shipped and delivered
(or cancelled) by the producer.

Stock is taken with one conditional UPDATE per line (``stock >= quantity``)
inside the order's transaction, so two buyers of the last jar cannot both
get it: the second finds no row to update and nothing of its order is kept.
"""

import datetime as dt
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core import audit, bankfeed, ratelimit, vietqr
from tinhso.core.errors import DomainError, Forbidden
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.core.text import nfc, thousands
from tinhso.market import policies, selectors
from tinhso.market.constants import (
    AUDIT_BANK_NOTIFIED,
    AUDIT_ORDER_MOVED,
    AUDIT_ORDER_PLACED,
    MAX_CART_LINES,
    MAX_LINE_QUANTITY,
    MOVES,
    ORDERS_PER_HOUR,
    RESTOCKED_FROM,
    UNPAID_HOURS,
    BankOutcome,
    OrderStatus,
    PaymentMethod,
    ProductStatus,
)
from tinhso.market.models import BankCredit, Order, OrderLine, Producer, Product
from tinhso.market.services import notices

# No 0/O, 1/I: a reference someone reads aloud or types into a bank app.
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
REFERENCE_RE = re.compile(r"\bDH([2-9A-HJ-NP-Z]{10})\b", re.IGNORECASE)
PHONE_RE = re.compile(r"^0\d{9}$")
SIGNATURE_HEADER = bankfeed.SIGNATURE_HEADER


@dataclass(frozen=True)
class Buyer:
    name: str
    phone: str
    address: str
    commune: OrgUnit | None
    email: str = ""
    note: str = ""


def new_reference() -> str:
    return "DH" + "".join(secrets.choice(_ALPHABET) for _ in range(10))


def qr_text(order: Order) -> str:
    """The VietQR text paying exactly ``order`` into the account its
    producer had when it was placed."""
    return vietqr.payload(
        order.pay_bank_bin, order.pay_account, order.amount, order.reference
    )


def _checked_buyer(buyer: Buyer) -> Buyer:
    name, phone, address = nfc(buyer.name), buyer.phone.strip(), nfc(buyer.address)
    phone = re.sub(r"[\s.]", "", phone)
    if phone.startswith("+84"):
        phone = "0" + phone[3:]
    problems = {
        "name": not name and _("Nhập họ và tên người nhận hàng."),
        "phone": not PHONE_RE.match(phone)
        and _("Số điện thoại gồm 10 chữ số, bắt đầu bằng 0."),
        "address": not address and _("Nhập địa chỉ nhận hàng (số nhà, thôn, xóm)."),
        "commune": (buyer.commune is None or buyer.commune.kind != OrgUnitKind.COMMUNE)
        and _("Chọn xã, phường nhận hàng."),
    }
    for field, message in problems.items():
        if message:
            raise DomainError("buyer_invalid", str(message), extra={"field": field})
    assert buyer.commune is not None
    return Buyer(
        name=name[:150],
        phone=phone,
        address=address[:300],
        commune=buyer.commune,
        email=buyer.email.strip()[:254],
        note=nfc(buyer.note)[:500],
    )


def _checked_cart(cart: dict[int, int]) -> dict[int, int]:
    if not cart:
        raise DomainError("cart_empty", _("Giỏ hàng đang trống."))
    if len(cart) > MAX_CART_LINES:
        raise DomainError(
            "cart_too_long",
            _("Mỗi lần đặt tối đa %(n)d sản phẩm khác nhau.") % {"n": MAX_CART_LINES},
        )
    for quantity in cart.values():
        if not 1 <= quantity <= MAX_LINE_QUANTITY:
            raise DomainError(
                "quantity_invalid",
                _("Số lượng mỗi sản phẩm từ 1 đến %(n)d.") % {"n": MAX_LINE_QUANTITY},
            )
    return cart


def on_sale(product_ids: list[int]) -> dict[int, Product]:
    """The products of ``product_ids`` a buyer may order now, by id."""
    return {
        p.pk: p
        for p in selectors.on_sale()
        .filter(pk__in=product_ids)
        .select_related("producer")
    }


def _take_stock(product: Product, quantity: int) -> None:
    taken = Product.objects.filter(
        pk=product.pk, status=ProductStatus.LISTED, stock__gte=quantity
    ).update(stock=F("stock") - quantity)
    if not taken:
        found = Product.objects.filter(pk=product.pk).values_list("stock", flat=True)
        left = found[0] if found else 0
        message = (
            _("“%(name)s” chỉ còn %(left)s %(unit)s; hãy giảm số lượng trong giỏ.")
            if left
            else _("“%(name)s” đã hết hàng; hãy bỏ khỏi giỏ.")
        )
        raise DomainError(
            "out_of_stock",
            message
            % {"name": product.name, "left": thousands(left), "unit": product.unit},
            status=409,
            extra={"product": product.pk},
        )


def place(
    user: Any,
    cart: dict[int, int],
    buyer: Buyer,
    method: str,
    *,
    at: dt.datetime | None = None,
    basket: str | None = None,
) -> list[Order]:
    """Place ``cart`` (product id → quantity); one order per producer, all
    or none. Prices are those of the moment the order is placed. A
    ``basket`` already placed (the same checkout sent twice) places
    nothing again: its orders come back."""
    cart = _checked_cart(cart)
    buyer = _checked_buyer(buyer)
    if method not in PaymentMethod.values:
        raise DomainError(
            "payment_method_unknown",
            _("Chọn hình thức thanh toán: VietQR hoặc tiền mặt khi nhận hàng."),
            extra={"field": "payment_method"},
        )
    signed_in = user if getattr(user, "is_authenticated", False) else None
    now = at or timezone.now()
    basket = basket or secrets.token_hex(16)
    try:
        return _place(signed_in, cart, buyer, method, now, basket)
    except IntegrityError:
        placed = selectors.orders_of_basket(basket)
        if not placed:
            raise
        return placed


def _place(
    signed_in: Any,
    cart: dict[int, int],
    buyer: Buyer,
    method: str,
    now: dt.datetime,
    basket: str,
) -> list[Order]:
    earlier = selectors.orders_of_basket(basket)
    if earlier:
        return earlier
    with transaction.atomic():
        products = on_sale(list(cart))
        missing = [pid for pid in cart if pid not in products]
        if missing:
            raise DomainError(
                "product_not_on_sale",
                _("Có sản phẩm trong giỏ đã ngừng bán; hãy xem lại giỏ hàng."),
                status=409,
                extra={"products": missing},
            )
        by_producer: dict[int, list[Product]] = defaultdict(list)
        # A fixed order of updates, so two carts never wait on each other.
        for pid in sorted(cart):
            _take_stock(products[pid], cart[pid])
            by_producer[products[pid].producer_id].append(products[pid])
        orders = []
        for producer_id, items in sorted(by_producer.items()):
            producer = items[0].producer
            order = Order.objects.create(
                reference=new_reference(),
                basket=basket,
                access_key=secrets.token_urlsafe(16),
                producer=producer,
                pay_bank_bin=producer.bank_bin,
                pay_account=producer.bank_account,
                pay_account_name=producer.account_name,
                buyer=signed_in,
                buyer_name=buyer.name,
                phone=buyer.phone,
                email=buyer.email,
                address=buyer.address,
                commune=buyer.commune,  # type: ignore[misc]
                note=buyer.note,
                payment_method=method,
                amount=sum(p.price * cart[p.pk] for p in items),
                placed_at=now,
            )
            OrderLine.objects.bulk_create(
                OrderLine(
                    order=order,
                    product=p,
                    name=p.name,
                    unit=p.unit,
                    price=p.price,
                    quantity=cart[p.pk],
                )
                for p in items
            )
            audit.record(
                AUDIT_ORDER_PLACED,
                obj=order,
                actor=signed_in,
                detail={
                    "reference": order.reference,
                    "producer": producer_id,
                    "amount": order.amount,
                    "method": method,
                    "lines": {p.pk: cart[p.pk] for p in items},
                },
            )
            orders.append(order)
            notices.notify(order, notices.PLACED)
    return orders


def _locked(order: Order) -> Order:
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("producer")
        .get(pk=order.pk)
    )


def _give_back_stock(order: Order) -> None:
    for line in order.lines.all():
        Product.objects.filter(pk=line.product_id).update(
            stock=F("stock") + line.quantity
        )


def _move(order: Order, to: str, actor: Any, now: dt.datetime, **detail: Any) -> Order:
    if to not in OrderStatus.values:
        raise DomainError(
            "order_status_unknown", _("Trạng thái đơn không hợp lệ."), status=400
        )
    if to not in MOVES[order.status]:
        raise DomainError(
            "order_move_invalid",
            _("Đơn hàng đang “%(status)s”, không chuyển sang “%(to)s” được.")
            % {"status": order.get_status_display(), "to": OrderStatus(to).label},
            status=409,
        )
    changed = ["status"]
    if to == OrderStatus.PAID:
        order.paid_at = now
        changed.append("paid_at")
    elif to == OrderStatus.SHIPPED:
        order.shipped_at = now
        changed.append("shipped_at")
    elif to == OrderStatus.DELIVERED:
        order.delivered_at = now
        changed.append("delivered_at")
        if order.paid_at is None:  # cash on delivery
            order.paid_at = now
            changed.append("paid_at")
    elif to == OrderStatus.CANCELLED:
        order.cancelled_at = now
        changed.append("cancelled_at")
        if order.status in RESTOCKED_FROM:
            _give_back_stock(order)
    order.status = to
    order.save(update_fields=[*changed, "cancel_reason", "shipping_note"])
    if to in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.CANCELLED):
        notices.notify(order, to)
    audit.record(
        AUDIT_ORDER_MOVED,
        obj=order,
        actor=actor,
        detail={"reference": order.reference, "to": to, **detail},
    )
    return order


def advance(
    actor: Any,
    order: Order,
    to: str,
    note: str = "",
    *,
    at: dt.datetime | None = None,
) -> Order:
    """The producer moves its order on: payment received (seen on its own
    account), shipped, delivered, or cancelled with a reason."""
    with transaction.atomic():
        order = _locked(order)
        if not policies.can_handle_order(actor, order):
            raise Forbidden(
                "not_order_producer", _("Chỉ chủ thể bán đơn hàng này xử lý được.")
            )
        note = nfc(note)[:300]
        if to not in OrderStatus.values:
            raise DomainError(
                "order_status_unknown", _("Trạng thái đơn không hợp lệ."), status=400
            )
        if (
            to == OrderStatus.SHIPPED
            and order.payment_method == PaymentMethod.VIETQR
            and order.status != OrderStatus.PAID
        ):
            raise DomainError(
                "order_not_paid",
                _("Đơn trả bằng VietQR chỉ giao đi sau khi đã nhận tiền."),
                status=409,
            )
        if to == OrderStatus.PAID and order.payment_method != PaymentMethod.VIETQR:
            raise DomainError(
                "order_cash_on_delivery",
                _("Đơn trả tiền mặt được ghi nhận thanh toán khi giao hàng xong."),
                status=409,
            )
        if to == OrderStatus.CANCELLED:
            if not note:
                raise DomainError(
                    "cancel_reason_required",
                    _("Ghi rõ lý do hủy để người mua biết."),
                    extra={"field": "note"},
                )
            order.cancel_reason = note
        if to == OrderStatus.SHIPPED:
            order.shipping_note = note
        return _move(order, to, actor, at or timezone.now(), note=note)


def refund(actor: Any, order: Order, *, at: dt.datetime | None = None) -> Order:
    """The producer records that a cancelled, paid order's money went back."""
    with transaction.atomic():
        order = _locked(order)
        if not policies.can_handle_order(actor, order):
            raise Forbidden(
                "not_order_producer", _("Chỉ chủ thể bán đơn hàng này xử lý được.")
            )
        if order.status != OrderStatus.CANCELLED or order.paid_at is None:
            raise DomainError(
                "order_not_refundable",
                _("Chỉ đơn đã thanh toán rồi bị hủy mới cần hoàn tiền."),
                status=409,
            )
        if order.refunded_at is not None:
            raise DomainError(
                "order_already_refunded", _("Đơn đã được hoàn tiền."), status=409
            )
        order.refunded_at = at or timezone.now()
        order.save(update_fields=["refunded_at"])
        audit.record(
            AUDIT_ORDER_MOVED,
            obj=order,
            actor=actor,
            detail={"reference": order.reference, "refunded": order.amount},
        )
        notices.notify(order, notices.REFUNDED)
    return order


def cancel_as_buyer(user: Any, order: Order, key: str, reason: str) -> Order:
    """The buyer cancels an order nobody has paid or shipped yet."""
    with transaction.atomic():
        order = _locked(order)
        if not policies.can_view_order(user, order, key):
            raise Forbidden("order_not_yours", _("Không tìm thấy đơn hàng."))
        if order.status == OrderStatus.CANCELLED:
            raise DomainError(
                "order_already_cancelled", _("Đơn hàng đã hủy."), status=409
            )
        if not policies.can_cancel_as_buyer(user, order, key):
            raise DomainError(
                "order_not_cancellable",
                _("Đơn hàng đã thanh toán hoặc đã giao đi; hãy liên hệ chủ thể bán."),
                status=409,
            )
        order.cancel_reason = nfc(reason)[:300] or _("Người mua hủy đơn")
        actor = user if getattr(user, "is_authenticated", False) else None
        return _move(order, OrderStatus.CANCELLED, actor, timezone.now(), by="buyer")


def sign(body: bytes) -> str:
    """The signature header value the account watcher puts on ``body``."""
    return bankfeed.sign(body, settings.MARKET_NOTIFY_SECRET)


def _match(credit: bankfeed.Credit) -> tuple[str, Order | None, Producer | None]:
    producer = Producer.objects.filter(
        bank_bin=credit.bank_bin, bank_account=credit.account
    ).first()
    found = REFERENCE_RE.search(credit.description)
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("producer")
        .filter(reference="DH" + found.group(1).upper())
        .first()
        if found
        else None
    )
    if order is None:
        return BankOutcome.UNKNOWN_REFERENCE, None, producer
    if (order.pay_bank_bin, order.pay_account) != (credit.bank_bin, credit.account):
        return BankOutcome.WRONG_ACCOUNT, order, producer
    if order.paid_at is not None:
        return BankOutcome.ALREADY_PAID, order, order.producer
    if (
        order.status != OrderStatus.PLACED
        or order.payment_method != PaymentMethod.VIETQR
    ):
        return BankOutcome.NOT_PAYABLE, order, order.producer
    if order.amount != credit.amount:
        return BankOutcome.WRONG_AMOUNT, order, order.producer
    return BankOutcome.PAID, order, order.producer


def record_credit(body: bytes, signature: str | None) -> tuple[BankCredit, bool]:
    """Take one credit notification on a producer's account. Returns it and
    whether it is new; a replay (same bank transaction) returns the first
    outcome untouched. Only the exact amount with a known order reference,
    into that order's producer account, marks the order paid."""
    credit = bankfeed.read(body, signature, settings.MARKET_NOTIFY_SECRET)
    if not credit.bank_bin:
        raise DomainError(
            "bank_notification_malformed",
            _("Thông báo cần mã ngân hàng (bank_bin) của tài khoản được ghi có."),
        )
    seen = BankCredit.objects.filter(transaction_id=credit.transaction_id).first()
    if seen is not None:
        return seen, False
    try:
        with transaction.atomic():
            outcome, order, producer = _match(credit)
            kept = BankCredit.objects.create(
                transaction_id=credit.transaction_id,
                bank_bin=credit.bank_bin,
                account=credit.account[:19],
                amount=credit.amount,
                description=credit.description[:300],
                credited_at=credit.credited_at,
                outcome=outcome,
                order=order,
                producer=producer,
            )
            if outcome == BankOutcome.PAID and order is not None:
                order.bank_transaction = credit.transaction_id
                order.save(update_fields=["bank_transaction"])
                _move(
                    order,
                    OrderStatus.PAID,
                    None,
                    credit.credited_at,
                    transaction=credit.transaction_id,
                )
            audit.record(
                AUDIT_BANK_NOTIFIED,
                obj=order or kept,
                detail={
                    "transaction": credit.transaction_id,
                    "amount": credit.amount,
                    "outcome": outcome,
                },
            )
    except IntegrityError:
        # The same transaction, notified twice at once: the other one won.
        return BankCredit.objects.get(transaction_id=credit.transaction_id), False
    return kept, True


def may_place(address: str) -> bool:
    """Count one guest checkout from ``address``; False past the hourly limit."""
    return ratelimit.hit(f"market.place:{address}", limit=ORDERS_PER_HOUR, window=3600)


def cancel_unpaid(*, now: dt.datetime | None = None) -> int:
    """Cancel the VietQR orders still unpaid ``UNPAID_HOURS`` after they
    were placed, giving their stock back; returns how many."""
    now = now or timezone.now()
    due = Order.objects.filter(
        status=OrderStatus.PLACED,
        payment_method=PaymentMethod.VIETQR,
        placed_at__lt=now - dt.timedelta(hours=UNPAID_HOURS),
    ).values_list("pk", flat=True)
    done = 0
    for pk in list(due[:500]):
        with transaction.atomic():
            order = _locked(Order(pk=pk))
            if order.status != OrderStatus.PLACED:
                continue
            order.cancel_reason = _(
                "Quá %(hours)d giờ chưa nhận được tiền chuyển khoản"
            ) % {"hours": UNPAID_HOURS}
            _move(order, OrderStatus.CANCELLED, None, now, by="expiry")
            done += 1
    return done
