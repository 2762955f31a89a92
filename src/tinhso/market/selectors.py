"""Reads of the marketplace: the storefront's search and filters, a
producer's own products and orders, the officer's queues and statistics."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from tinhso.core import search
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.market.constants import (
    PRODUCT_SCOPE,
    PaymentMethod,
    ProducerStatus,
    ProductStatus,
)
from tinhso.market.models import BankCredit, Order, Producer, Product

SORTS = {
    "moi": ("-first_listed_at", "-pk"),
    "gia-tang": ("price", "pk"),
    "gia-giam": ("-price", "-pk"),
    "sao": ("-stars", "name"),
    "ten": ("name", "pk"),
}


@dataclass(frozen=True)
class StoreQuery:
    text: str = ""
    stars: tuple[int, ...] = ()
    group: str = ""
    commune_id: int | None = None
    price_min: int | None = None
    price_max: int | None = None
    sort: str = "moi"


def on_sale() -> QuerySet[Product]:
    return Product.objects.filter(
        status=ProductStatus.LISTED, producer__status=ProducerStatus.APPROVED
    )


def store(query: StoreQuery) -> QuerySet[Product]:
    """Listed products matching the buyer's words (with or without
    diacritics) and filters."""
    products = on_sale()
    if query.stars:
        products = products.filter(stars__in=query.stars)
    if query.group:
        products = products.filter(group=query.group)
    if query.commune_id:
        products = products.filter(producer__commune_id=query.commune_id)
    if query.price_min is not None:
        products = products.filter(price__gte=query.price_min)
    if query.price_max is not None:
        products = products.filter(price__lte=query.price_max)
    if query.text.strip():
        products = search.filter_queryset(products, PRODUCT_SCOPE, query.text)
    return (
        products.select_related("producer__commune")
        .prefetch_related("photos")
        .order_by(*SORTS.get(query.sort, SORTS["moi"]))
    )


def selling_communes() -> QuerySet[OrgUnit]:
    """Communes with a product on sale: the storefront's commune filter."""
    return OrgUnit.objects.filter(
        kind=OrgUnitKind.COMMUNE,
        pk__in=on_sale().values("producer__commune_id"),
    ).order_by("name")


def product_for(user: Any, pk: int, *, officer: bool = False) -> Product | None:
    """A product as a buyer sees it (on sale), or its seller or an officer."""
    product = (
        Product.objects.select_related("producer__commune")
        .prefetch_related("photos")
        .filter(pk=pk)
        .first()
    )
    if product is None:
        return None
    if officer or product.producer.owner_id == getattr(user, "pk", None):
        return product
    on = (
        product.status == ProductStatus.LISTED
        and product.producer.status == ProducerStatus.APPROVED
    )
    return product if on else None


def orders_of_producer(producer: Producer, status: str = "") -> QuerySet[Order]:
    orders = Order.objects.filter(producer=producer)
    if status:
        orders = orders.filter(status=status)
    return orders.prefetch_related("lines").order_by("-placed_at")


def orders_of_buyer(user: Any) -> QuerySet[Order]:
    return (
        Order.objects.filter(buyer=user)
        .select_related("producer")
        .prefetch_related("lines")
        .order_by("-placed_at")
    )


def orders_of_basket(basket: str) -> list[Order]:
    return list(Order.objects.filter(basket=basket).order_by("producer_id"))


def order_by_reference(reference: str) -> Order | None:
    return (
        Order.objects.select_related("producer", "commune")
        .prefetch_related("lines")
        .filter(reference=reference.upper())
        .first()
    )


def unmatched_credits(producer: Producer) -> QuerySet[BankCredit]:
    return BankCredit.objects.filter(producer=producer).exclude(outcome="paid")


def producers() -> QuerySet[Producer]:
    return Producer.objects.select_related("commune").order_by("name")


def pending_producers() -> QuerySet[Producer]:
    return Producer.objects.filter(status=ProducerStatus.PENDING).select_related(
        "commune"
    )


def pending_products() -> QuerySet[Product]:
    return (
        Product.objects.filter(status=ProductStatus.PENDING)
        .select_related("producer__commune")
        .prefetch_related("photos")
        .order_by("updated_at")
    )


@dataclass(frozen=True)
class StarRow:
    commune: str
    three: int
    four: int
    five: int

    @property
    def total(self) -> int:
        return self.three + self.four + self.five


def listed_by_commune() -> list[StarRow]:
    """Products on sale by commune and star rating, as of now."""
    rows = (
        on_sale()
        .values("producer__commune__name")
        .annotate(
            three=Count("pk", filter=Q(stars=3)),
            four=Count("pk", filter=Q(stars=4)),
            five=Count("pk", filter=Q(stars=5)),
        )
        .order_by("producer__commune__name")
    )
    return [
        StarRow(r["producer__commune__name"], r["three"], r["four"], r["five"])
        for r in rows
    ]


@dataclass(frozen=True)
class MonthRow:
    month: dt.date
    orders: int
    paid: int
    value: int
    cashless: int

    @property
    def cashless_share(self) -> float | None:
        return 100 * self.cashless / self.paid if self.paid else None


def monthly(year: int) -> list[MonthRow]:
    """Orders placed, and orders paid with their value and how many by
    VietQR, per month of ``year``."""
    zone = timezone.get_current_timezone()
    start = dt.datetime(year, 1, 1, tzinfo=zone)
    after = dt.datetime(year + 1, 1, 1, tzinfo=zone)
    placed = {
        r["month"]: r["n"]
        for r in Order.objects.filter(placed_at__gte=start, placed_at__lt=after)
        .annotate(month=TruncMonth("placed_at", tzinfo=zone))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    }
    paid = {
        r["month"]: r
        for r in Order.objects.filter(paid_at__gte=start, paid_at__lt=after)
        .annotate(month=TruncMonth("paid_at", tzinfo=zone))
        .values("month")
        .annotate(
            n=Count("pk"),
            value=Sum("amount"),
            cashless=Count("pk", filter=Q(payment_method=PaymentMethod.VIETQR)),
        )
        .order_by()
    }
    rows = []
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        p = next((v for k, v in paid.items() if _day(k) == first), None)
        rows.append(
            MonthRow(
                month=first,
                orders=next((v for k, v in placed.items() if _day(k) == first), 0),
                paid=p["n"] if p else 0,
                value=int(p["value"] or 0) if p else 0,
                cashless=p["cashless"] if p else 0,
            )
        )
    return rows


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
