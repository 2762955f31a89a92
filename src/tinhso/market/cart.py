"""The buyer's cart, kept in the session: it works signed in or not, and
without JavaScript."""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from tinhso.market.constants import MAX_CART_LINES, MAX_LINE_QUANTITY
from tinhso.market.models import Producer, Product
from tinhso.market.services.orders import on_sale

SESSION_KEY = "market_cart"
PLACED_KEY = "market_placed"


def read(request: HttpRequest) -> dict[int, int]:
    raw = request.session.get(SESSION_KEY) or {}
    cart = {}
    for key, quantity in raw.items():
        if str(key).isdigit() and isinstance(quantity, int) and quantity > 0:
            cart[int(key)] = min(quantity, MAX_LINE_QUANTITY)
    return cart


def _write(request: HttpRequest, cart: dict[int, int]) -> None:
    request.session[SESSION_KEY] = {str(k): v for k, v in cart.items()}


def add(request: HttpRequest, product_id: int, quantity: int) -> bool:
    """Add to the cart; False when the cart is full of other products."""
    cart = read(request)
    if product_id not in cart and len(cart) >= MAX_CART_LINES:
        return False
    cart[product_id] = min(cart.get(product_id, 0) + quantity, MAX_LINE_QUANTITY)
    _write(request, cart)
    return True


def set_quantity(request: HttpRequest, product_id: int, quantity: int) -> None:
    cart = read(request)
    if quantity <= 0:
        cart.pop(product_id, None)
    elif product_id in cart:
        cart[product_id] = min(quantity, MAX_LINE_QUANTITY)
    _write(request, cart)


def clear(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def count(request: HttpRequest) -> int:
    return sum(read(request).values())


@dataclass
class Line:
    product: Product
    quantity: int

    @property
    def amount(self) -> int:
        return self.product.price * self.quantity

    @property
    def short(self) -> bool:
        return self.quantity > self.product.stock


@dataclass
class Group:
    producer: Producer
    lines: list[Line]

    @property
    def amount(self) -> int:
        return sum(line.amount for line in self.lines)


def groups(request: HttpRequest) -> tuple[list[Group], list[int]]:
    """The cart by producer, at today's prices, and the products in it
    that are no longer on sale (dropped from the cart)."""
    cart = read(request)
    products = on_sale(list(cart))
    gone = [pid for pid in cart if pid not in products]
    if gone:
        _write(request, {k: v for k, v in cart.items() if k not in gone})
    by_producer: dict[int, Group] = {}
    for pid, quantity in cart.items():
        if pid in products:
            product = products[pid]
            group = by_producer.setdefault(
                product.producer_id, Group(product.producer, [])
            )
            group.lines.append(Line(product, quantity))
    return sorted(by_producer.values(), key=lambda g: g.producer.name), gone


def remember_placed(request: HttpRequest, orders: list[Any]) -> None:
    """The orders just placed, so the buyer's browser can show them again."""
    placed = request.session.get(PLACED_KEY) or []
    placed = [[o.reference, o.access_key] for o in orders] + placed
    request.session[PLACED_KEY] = placed[:20]


def placed_keys(request: HttpRequest) -> dict[str, str]:
    return {ref: key for ref, key in request.session.get(PLACED_KEY) or []}
