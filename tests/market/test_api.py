"""The marketplace's API: the public catalog, placing an order as a
program would (one per producer, with its VietQR text), following it with
its key, the producer moving it on, and problem+json for every refusal."""

from typing import Any

from django.test import Client

import pytest

from tests import factories
from tests.market.conftest import Market
from tinhso.core import vietqr
from tinhso.market.models import Order, Product

pytestmark = pytest.mark.django_db


def order_body(market: Market, **over: Any) -> dict[str, Any]:
    return {
        "lines": [
            {"product": market.honey.pk, "quantity": 1},
            {"product": market.scarf.pk, "quantity": 1},
        ],
        "buyer": {
            "name": "Trần Thị Hoa",
            "phone": "0903456789",
            "address": "Số 5, tổ dân phố 2",
            "commune": market.communes[1].pk,
        },
        "payment_method": "vietqr",
    } | over


def test_the_catalog_is_public_and_searchable(market: Market) -> None:
    listed = Client().get("/api/v1/market/products", {"q": "hong tra", "stars": 5})
    assert listed.status_code == 200
    body = listed.json()
    assert body["count"] == 1
    (tea,) = body["items"]
    assert tea["name"] == "Hồng trà Shan tuyết" and tea["price"] == 420_000
    assert tea["producer"]["commune"] == "Xã Mèo Vạc"
    photo = Client().get(tea["photos"][0])
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    one = Client().get(f"/api/v1/market/products/{market.scarf.pk}")
    assert one.json()["certificate_number"] == "88/QĐ-UBND"
    gone = Client().get("/api/v1/market/products/99999")
    assert gone.status_code == 404 and gone.json()["code"] == "product_not_found"


def test_a_program_places_follows_and_the_producer_ships(market: Market) -> None:
    placed = Client().post(
        "/api/v1/market/orders", order_body(market), content_type="application/json"
    )
    assert placed.status_code == 201, placed.content
    honey_order, scarf_order = placed.json()
    assert honey_order["amount"] == 450_000 and scarf_order["amount"] == 350_000
    transfer = vietqr.parse(honey_order["vietqr"])
    assert (transfer.account, transfer.amount, transfer.purpose) == (
        "31410000451236",
        450_000,
        honey_order["reference"],
    )
    url = f"/api/v1/market/orders/{honey_order['reference']}"
    assert Client().get(url).status_code == 404
    seen = Client().get(url, {"key": honey_order["access_key"]})
    assert seen.json()["status"] == "placed"
    seller = Client()
    seller.force_login(market.sellers[0])
    early = seller.post(
        f"{url}/move", {"to": "shipped"}, content_type="application/json"
    )
    assert early.status_code == 409 and early.json()["code"] == "order_not_paid"
    seller.post(f"{url}/move", {"to": "paid"}, content_type="application/json")
    shipped = seller.post(
        f"{url}/move",
        {"to": "shipped", "note": "Viettel Post"},
        content_type="application/json",
    )
    assert shipped.status_code == 200 and shipped.json()["status"] == "shipped"
    assert shipped.json()["vietqr"] == ""
    other = Client()
    other.force_login(market.sellers[1])
    refused = other.post(
        f"{url}/move", {"to": "delivered"}, content_type="application/json"
    )
    assert refused.status_code == 404


def test_refusals_are_problems_and_save_nothing(market: Market) -> None:
    too_many = order_body(market, lines=[{"product": market.scarf.pk, "quantity": 3}])
    short = Client().post(
        "/api/v1/market/orders", too_many, content_type="application/json"
    )
    assert short.status_code == 409
    assert short["Content-Type"] == "application/problem+json"
    assert short.json()["code"] == "out_of_stock"
    nowhere = order_body(market)
    nowhere["buyer"]["commune"] = market.province.pk
    wrong = Client().post(
        "/api/v1/market/orders", nowhere, content_type="application/json"
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "buyer_invalid"
    assert Order.objects.count() == 0
    assert Product.objects.get(pk=market.scarf.pk).stock == 2
    signed = Client()
    signed.force_login(factories.citizen())
    mine = signed.post(
        "/api/v1/market/orders", order_body(market), content_type="application/json"
    )
    assert mine.status_code == 201
    assert Order.objects.filter(buyer__username="008192004217").count() == 2
