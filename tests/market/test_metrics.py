"""The marketplace's figures for reporting: orders on the day placed, money
on the day paid, the share paid without cash, and the daily count of
listed products by star rating, per producer's commune; reporting refreshes
them into its facts like any app's."""

import datetime as dt
import json

from django.utils import timezone

import pytest

from tests import factories
from tests.market.conftest import Market, buyer
from tinhso.core.metrics import indicators
from tinhso.market.constants import OrderStatus, PaymentMethod
from tinhso.market.models import Product
from tinhso.market.services import orders, products
from tinhso.reporting.constants import OverTime, Pillar, Rollup, Source
from tinhso.reporting.models import Indicator, MonthlyFact
from tinhso.reporting.services import catalog, facts

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 20)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(
        day, dt.time(hour), tzinfo=timezone.get_current_timezone()
    )


def figures(
    code: str, first: dt.date, last: dt.date
) -> set[tuple[int, str, int, int | None]]:
    return {
        (f.unit_id, f.day.isoformat(), f.value, f.total)
        for f in indicators.get(code).compute(first, last)
    }


def trade(market: Market) -> None:
    """Day 1: a VietQR order paid on day 2, a cash order delivered on day 3;
    day 2: an order of the other producer, cancelled."""
    seller = market.sellers[0]
    (qr,) = orders.place(
        None, {market.honey.pk: 2}, buyer(market), PaymentMethod.VIETQR, at=at(DAY)
    )
    body = json.dumps(
        {
            "transaction_id": "FT1",
            "amount": qr.amount,
            "description": qr.reference,
            "credited_at": at(DAY + dt.timedelta(days=1)).isoformat(),
            "account": "31410000451236",
            "bank_bin": "970405",
        }
    ).encode()
    orders.record_credit(body, orders.sign(body))
    (cash,) = orders.place(
        None, {market.tea.pk: 1}, buyer(market), PaymentMethod.COD, at=at(DAY, 23)
    )
    orders.advance(seller, cash, OrderStatus.SHIPPED, at=at(DAY + dt.timedelta(days=1)))
    orders.advance(
        seller, cash, OrderStatus.DELIVERED, at=at(DAY + dt.timedelta(days=2))
    )
    (dropped,) = orders.place(
        None,
        {market.scarf.pk: 1},
        buyer(market),
        PaymentMethod.COD,
        at=at(DAY + dt.timedelta(days=1)),
    )
    orders.cancel_as_buyer(None, dropped, dropped.access_key, "")


def test_orders_money_and_cashless_share_by_commune_and_day(market: Market) -> None:
    trade(market)
    meo_vac, lung_cu = (c.pk for c in market.communes)
    first, last = DAY, DAY + dt.timedelta(days=3)
    assert figures("market.don_hang", first, last) == {
        (meo_vac, "2026-11-20", 2, None),
        (lung_cu, "2026-11-21", 1, None),
    }
    assert figures("market.gia_tri", first, last) == {
        (meo_vac, "2026-11-21", 900_000, None),
        (meo_vac, "2026-11-22", 420_000, None),
    }
    assert figures("market.khong_tien_mat", first, last) == {
        (meo_vac, "2026-11-21", 1, 1),
        (meo_vac, "2026-11-22", 0, 1),
    }


def test_listed_products_are_counted_each_day_by_star_rating(market: Market) -> None:
    Product.objects.filter(pk__in=[market.honey.pk, market.tea.pk]).update(
        first_listed_at=at(DAY)
    )
    Product.objects.filter(pk=market.scarf.pk).update(
        first_listed_at=at(DAY + dt.timedelta(days=1))
    )
    products.unlist(market.sellers[0], market.tea)
    Product.objects.filter(pk=market.tea.pk).update(
        unlisted_at=at(DAY + dt.timedelta(days=2))
    )
    meo_vac, lung_cu = (c.pk for c in market.communes)
    first, last = DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=2)
    every = figures("market.san_pham", first, last)
    assert {(u, d, v) for u, d, v, _t in every} == {
        (meo_vac, "2026-11-20", 2),
        (meo_vac, "2026-11-21", 2),
        (meo_vac, "2026-11-22", 1),
        (lung_cu, "2026-11-21", 1),
        (lung_cu, "2026-11-22", 1),
    }
    five = figures("market.san_pham_5sao", DAY, DAY + dt.timedelta(days=2))
    assert [v for _u, _d, v, _t in sorted(five, key=lambda f: f[1])] == [1, 1, 0]
    assert figures(
        "market.san_pham_3sao", DAY + dt.timedelta(days=5), DAY + dt.timedelta(days=5)
    ) == {(lung_cu, (DAY + dt.timedelta(days=5)).isoformat(), 1, None)}


def test_reporting_reads_the_market_like_any_app(market: Market) -> None:
    trade(market)
    admin = factories.administrator(market.province)
    share = catalog.save_indicator(
        admin,
        Indicator(
            code="kt.ocop_khong_tien_mat",
            name="Tỷ lệ đơn OCOP thanh toán không dùng tiền mặt",
            unit_of_measure="%",
            pillar=Pillar.ECONOMY,
            source=Source.COMPUTED,
            metric="market.khong_tien_mat",
            rollup=Rollup.RATIO,
            over_time=OverTime.FLOW,
        ),
    )
    facts.refresh([share.code], today=DAY + dt.timedelta(days=5), full=True)
    month = MonthlyFact.objects.get(indicator=share)
    assert (month.unit_id, month.month, month.value, month.total) == (
        market.communes[0].pk,
        dt.date(2026, 11, 1),
        1.0,
        2.0,
    )
