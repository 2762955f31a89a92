"""Orders: a cart becomes one order per producer at the moment's prices;
stock is taken all or nothing and never goes below zero, even when buyers
order the last items at the same moment; producers move orders on by the
rules of their payment; cancelling gives the stock back."""

import datetime as dt
import threading
from typing import Any

from django.db import connection
from django.utils import timezone

import pytest

from tests.market.conftest import Market, buyer
from tinhso.accounts.sms import OutboxSMS
from tinhso.core.errors import DomainError, Forbidden
from tinhso.core.models import AuditEntry
from tinhso.market.constants import UNPAID_HOURS, OrderStatus, PaymentMethod
from tinhso.market.models import Order, OrderNotice, Product
from tinhso.market.services import orders, products


def stock(product: Product) -> int:
    return Product.objects.get(pk=product.pk).stock


@pytest.mark.django_db
def test_a_cart_becomes_one_order_per_producer(market: Market) -> None:
    placed = orders.place(
        None,
        {market.honey.pk: 2, market.tea.pk: 1, market.scarf.pk: 1},
        buyer(market),
        PaymentMethod.VIETQR,
    )
    assert [o.producer for o in placed] == market.producers
    first, second = placed
    assert first.amount == 2 * 450_000 + 420_000 and second.amount == 350_000
    assert first.basket == second.basket and first.reference != second.reference
    assert first.phone == "0903456789" and first.status == OrderStatus.PLACED
    assert sorted((line.name, line.quantity) for line in first.lines.all()) == [
        ("Hồng trà Shan tuyết", 1),
        ("Mật ong bạc hà Mèo Vạc", 2),
    ]
    assert (stock(market.honey), stock(market.tea), stock(market.scarf)) == (8, 4, 1)
    # The order keeps the price it was placed at.
    market.honey.price = 500_000
    products.save(market.sellers[0], market.honey)
    line = first.lines.get(product=market.honey)
    assert (line.price, line.amount) == (450_000, 900_000)


@pytest.mark.django_db
def test_a_short_or_withdrawn_product_saves_nothing(market: Market) -> None:
    with pytest.raises(DomainError, match="chỉ còn 2 chai") as short:
        orders.place(
            None,
            {market.honey.pk: 1, market.scarf.pk: 3},
            buyer(market),
            PaymentMethod.COD,
        )
    assert short.value.status == 409
    assert (Order.objects.count(), stock(market.honey), stock(market.scarf)) == (
        0,
        10,
        2,
    )
    products.unlist(market.sellers[1], market.scarf)
    with pytest.raises(DomainError, match="ngừng bán"):
        orders.place(None, {market.scarf.pk: 1}, buyer(market), PaymentMethod.COD)
    bad = [
        ({}, buyer(market), "vietqr", "trống"),
        ({market.honey.pk: 0}, buyer(market), "vietqr", "Số lượng"),
        ({market.honey.pk: 1}, buyer(market), "card", "hình thức thanh toán"),
        (
            {market.honey.pk: 1},
            orders.Buyer("An", "12345", "Thôn 1", market.communes[0]),
            "vietqr",
            "10 chữ số",
        ),
        (
            {market.honey.pk: 1},
            orders.Buyer("An", "0912345678", "Thôn 1", market.province),
            "vietqr",
            "xã, phường nhận hàng",
        ),
        (
            {market.honey.pk: 1},
            orders.Buyer(" ", "0912345678", "Thôn 1", market.communes[0]),
            "vietqr",
            "họ và tên",
        ),
    ]
    for cart, who, method, message in bad:
        with pytest.raises(DomainError, match=message):
            orders.place(None, cart, who, method)
    assert Order.objects.count() == 0 and stock(market.honey) == 10


@pytest.mark.django_db(transaction=True)
def test_buyers_of_the_last_items_at_once_never_oversell(market: Market) -> None:
    assert not (connection.vendor == "sqlite" and connection.is_in_memory_db()), (  # type: ignore[attr-defined]
        "the SQLite test database must be a file for threads to share it"
    )
    buyers = 6
    start = threading.Barrier(buyers)
    won: list[str] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def buy(i: int) -> None:
        try:
            start.wait(timeout=30)
            # Two scarves are left; each buyer wants one, with a jar of honey.
            placed = orders.place(
                None,
                {market.scarf.pk: 1, market.honey.pk: 1},
                buyer(market),
                PaymentMethod.COD,
            )
            won.extend(o.reference for o in placed)
        except DomainError as exc:
            refused.append(exc.code)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(i,)) for i in range(buyers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads) and errors == []
    assert refused == ["out_of_stock"] * (buyers - 2)
    assert stock(market.scarf) == 0
    # Nothing of a refused cart was kept: honey went only with the scarves.
    assert stock(market.honey) == 10 - 2
    assert Order.objects.count() == 4 == len(won)


@pytest.mark.django_db
def test_producers_move_orders_by_the_rules_of_their_payment(market: Market) -> None:
    seller, other = market.sellers
    (paid_by_qr,) = orders.place(
        None, {market.honey.pk: 1}, buyer(market), PaymentMethod.VIETQR
    )
    with pytest.raises(Forbidden):
        orders.advance(other, paid_by_qr, OrderStatus.PAID)
    with pytest.raises(DomainError, match="sau khi đã nhận tiền"):
        orders.advance(seller, paid_by_qr, OrderStatus.SHIPPED)
    orders.advance(seller, paid_by_qr, OrderStatus.PAID)
    orders.advance(seller, paid_by_qr, OrderStatus.SHIPPED, "Viettel Post 1800123")
    done = orders.advance(seller, paid_by_qr, OrderStatus.DELIVERED)
    assert done.status == OrderStatus.DELIVERED and done.shipping_note
    with pytest.raises(DomainError, match="không chuyển sang"):
        orders.advance(seller, done, OrderStatus.CANCELLED, "muộn")

    (cash,) = orders.place(None, {market.honey.pk: 2}, buyer(market), "cod")
    with pytest.raises(DomainError, match="khi giao hàng xong"):
        orders.advance(seller, cash, OrderStatus.PAID)
    orders.advance(seller, cash, OrderStatus.SHIPPED)
    delivered = orders.advance(seller, cash, OrderStatus.DELIVERED)
    # Cash is taken on delivery: that is when it counts as paid.
    assert delivered.paid_at == delivered.delivered_at
    moves = AuditEntry.objects.filter(action="market.order.move").count()
    assert moves == 5


@pytest.mark.django_db
def test_cancelling_gives_the_stock_back(market: Market) -> None:
    seller = market.sellers[0]
    (order,) = orders.place(None, {market.tea.pk: 3}, buyer(market), "vietqr")
    assert stock(market.tea) == 2
    with pytest.raises(DomainError, match="lý do"):
        orders.advance(seller, order, OrderStatus.CANCELLED)
    with pytest.raises(Forbidden):
        orders.cancel_as_buyer(None, order, "khóa-sai", "")
    cancelled = orders.cancel_as_buyer(None, order, order.access_key, "Đặt nhầm")
    assert cancelled.status == OrderStatus.CANCELLED and cancelled.cancelled_at
    assert cancelled.cancel_reason == "Đặt nhầm" and stock(market.tea) == 5
    (paid,) = orders.place(None, {market.tea.pk: 1}, buyer(market), "vietqr")
    orders.advance(seller, paid, OrderStatus.PAID, at=timezone.now())
    with pytest.raises(DomainError, match="đã thanh toán"):
        orders.cancel_as_buyer(None, paid, paid.access_key, "")
    with pytest.raises(DomainError, match="Chỉ đơn đã thanh toán rồi bị hủy"):
        orders.refund(seller, paid)
    orders.advance(seller, paid, OrderStatus.CANCELLED, "Hết hàng")
    assert stock(market.tea) == 5
    with pytest.raises(Forbidden):
        orders.refund(market.sellers[1], paid)
    assert orders.refund(seller, paid).refunded_at is not None
    with pytest.raises(DomainError, match="đã được hoàn tiền"):
        orders.refund(seller, paid)


@pytest.mark.django_db
def test_unpaid_orders_give_their_stock_back_after_a_day(market: Market) -> None:
    placed_at = timezone.now() - dt.timedelta(hours=UNPAID_HOURS + 1)
    (late,) = orders.place(
        None, {market.tea.pk: 2}, buyer(market), "vietqr", at=placed_at
    )
    (cash,) = orders.place(None, {market.tea.pk: 1}, buyer(market), "cod", at=placed_at)
    (fresh,) = orders.place(None, {market.tea.pk: 1}, buyer(market), "vietqr")
    assert stock(market.tea) == 1
    assert orders.cancel_unpaid() == 1
    gone = Order.objects.get(pk=late.pk)
    assert gone.status == OrderStatus.CANCELLED and "24 giờ" in gone.cancel_reason
    assert stock(market.tea) == 3
    assert Order.objects.get(pk=cash.pk).status == OrderStatus.PLACED
    assert Order.objects.get(pk=fresh.pk).status == OrderStatus.PLACED
    assert orders.cancel_unpaid() == 0


@pytest.mark.django_db
def test_goods_already_shipped_are_not_put_back_on_sale_by_a_cancel(
    market: Market,
) -> None:
    seller = market.sellers[0]
    (order,) = orders.place(None, {market.honey.pk: 2}, buyer(market), "cod")
    orders.advance(seller, order, OrderStatus.SHIPPED)
    orders.advance(seller, order, OrderStatus.CANCELLED, "Người mua không nhận")
    assert stock(market.honey) == 8
    with pytest.raises(DomainError, match="không hợp lệ"):
        orders.advance(seller, order, "bogus")


@pytest.mark.django_db
def test_the_producer_hears_of_new_orders_and_the_buyer_of_each_step(
    market: Market, django_capture_on_commit_callbacks: Any
) -> None:
    seller = market.sellers[0]
    with django_capture_on_commit_callbacks(execute=True):
        (order,) = orders.place(
            None, {market.honey.pk: 2}, buyer(market), PaymentMethod.VIETQR
        )
    (to_seller,) = OutboxSMS.sent
    assert to_seller[0] == "0966554433"
    assert to_seller[1].startswith(f"Don moi {order.reference}: 2 Mat ong bac ha")
    with django_capture_on_commit_callbacks(execute=True):
        orders.advance(seller, order, OrderStatus.PAID)
    with django_capture_on_commit_callbacks(execute=True):
        orders.advance(seller, order, OrderStatus.SHIPPED, "Viettel Post 1800123")
    to_buyer = [text for phone, text in OutboxSMS.sent if phone == "0903456789"]
    assert to_buyer == [
        f"Don {order.reference}: Hop tac xa Nong san Meo Vac da nhan 900.000 dong; "
        "don se som duoc giao.",
        f"Don {order.reference} da giao cho don vi van chuyen. Viettel Post 1800123",
    ]
    assert OrderNotice.objects.filter(order=order, error="").count() == 4
