"""The marketplace's pages without a browser: the storefront's filters from
the query string, a guest's cart and checkout with clear messages and
nothing half-saved, order pages only for the buyer (or with the order's
key), a business signing its producer up, the seller's and the officer's
pages and who may open them."""

import io
import re

from django.test import Client

import pytest

from tests import factories
from tests.dossiers.test_catalog_pages import signed_in, text
from tests.market.conftest import Market, buyer, jpeg
from tinhso.market.constants import OrderStatus, ProducerStatus, ProductStatus
from tinhso.market.models import Order, Producer, Product
from tinhso.market.services import orders, products

pytestmark = pytest.mark.django_db


def test_the_storefront_filters_by_words_stars_group_and_price(market: Market) -> None:
    client = Client()
    page = text(client.get("/cho-ocop/?q=khan+tho+cam"))
    assert "1 sản phẩm" in page and "Khăn thổ cẩm lanh Lũng Cú" in page
    page = text(client.get("/cho-ocop/?sao=4&sao=5&gia_den=430.000"))
    assert "Hồng trà Shan tuyết" in page and "Mật ong" not in page
    page = text(client.get("/cho-ocop/?nhom=textile&sap_xep=gia-giam"))
    assert "1 sản phẩm" in page
    assert client.get("/cho-ocop/?sao=7&xa=abc").status_code == 200
    assert "420.000 đ" in text(client.get(f"/cho-ocop/san-pham/{market.tea.pk}/"))
    photo = market.tea.photos.get()
    served = client.get(f"/cho-ocop/anh/{photo.pk}/sm.jpg")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert "public" in served["Cache-Control"]
    # A product not on sale is hidden from buyers, photos included.
    seller = market.sellers[0]
    products.unlist(seller, market.tea)
    assert client.get(f"/cho-ocop/san-pham/{market.tea.pk}/").status_code == 404
    assert client.get(f"/cho-ocop/anh/{photo.pk}/sm.jpg").status_code == 404
    owner_view = signed_in(seller).get(f"/cho-ocop/san-pham/{market.tea.pk}/")
    assert "chỉ chủ thể và cán bộ quản lý sàn xem được" in text(owner_view)


def test_a_guest_checks_out_and_sees_how_to_pay(market: Market) -> None:
    client = Client()
    client.post(
        f"/cho-ocop/san-pham/{market.honey.pk}/",
        {"product": market.honey.pk, "quantity": 2},
    )
    client.post(
        f"/cho-ocop/san-pham/{market.scarf.pk}/",
        {"product": market.scarf.pk, "quantity": 1},
    )
    cart = text(client.get("/cho-ocop/gio-hang/"))
    assert "Tổng cộng: 1.250.000 đồng" in cart
    assert "mỗi chủ thể thành một đơn riêng" in cart
    client.post("/cho-ocop/gio-hang/", {f"qty-{market.scarf.pk}": "5", "update": "1"})
    assert "Chỉ còn 2." in text(client.get("/cho-ocop/gio-hang/"))
    page_token = re.search(
        r'name="basket" value="([0-9a-f]{32})"',
        client.get("/cho-ocop/dat-hang/").content.decode(),
    )
    assert page_token is not None
    form = {
        "basket": page_token.group(1),
        "name": "Trần Thị Hoa",
        "phone": "0903456789",
        "commune": market.communes[1].pk,
        "address": "Số 5, tổ dân phố 2",
        "payment_method": "vietqr",
    }
    refused = client.post("/cho-ocop/dat-hang/", form)
    assert refused.status_code == 400
    assert "“Khăn thổ cẩm lanh Lũng Cú” chỉ còn 2 chai" in text(refused)
    assert Order.objects.count() == 0
    assert Product.objects.get(pk=market.honey.pk).stock == 10
    bad_phone = client.post("/cho-ocop/dat-hang/", form | {"phone": "12345"})
    assert "Số điện thoại gồm 10 chữ số" in text(bad_phone)
    client.post("/cho-ocop/gio-hang/", {f"qty-{market.scarf.pk}": "1", "update": "1"})
    placed = client.post("/cho-ocop/dat-hang/", form, follow=True)
    # The same page sent again (a double tap) places nothing more.
    client.post(
        f"/cho-ocop/san-pham/{market.tea.pk}/",
        {"product": market.tea.pk, "quantity": 1},
    )
    client.post("/cho-ocop/dat-hang/", form)
    assert Order.objects.count() == 2
    assert "Hồng trà Shan tuyết" in text(client.get("/cho-ocop/gio-hang/"))
    page = text(placed)
    assert "Giỏ hàng được tách thành 2 đơn" in page
    assert page.count("quét mã bằng ứng dụng ngân hàng") == 2
    assert "31410000451236" in page and "0011006345210" in page
    assert placed.content.decode().count("<svg") >= 2
    client.post("/cho-ocop/gio-hang/", {"remove": market.tea.pk})
    assert "Giỏ hàng đang trống" in text(client.get("/cho-ocop/gio-hang/"))
    first = Order.objects.order_by("pk").first()
    assert first is not None
    # The order's page: with its key, or as the buyer; never for anyone else.
    assert Client().get(f"/cho-ocop/don-hang/{first.reference}/").status_code == 404
    keyed = Client().get(f"/cho-ocop/don-hang/{first.reference}/?k={first.access_key}")
    assert keyed.status_code == 200 and first.reference in text(keyed)
    stranger = signed_in(factories.citizen(identifier="001093000111"))
    assert stranger.get(f"/cho-ocop/don-hang/{first.reference}/").status_code == 404
    cancelled = Client().post(
        f"/cho-ocop/don-hang/{first.reference}/",
        {"k": first.access_key, "cancel": "1", "reason": "Đặt nhầm"},
        follow=True,
    )
    assert "Đã hủy đơn hàng." in text(cancelled)
    assert Order.objects.get(pk=first.pk).status == OrderStatus.CANCELLED


def test_a_signed_in_buyer_finds_their_orders(market: Market) -> None:
    citizen = factories.citizen()
    orders.place(citizen, {market.tea.pk: 1}, buyer(market), "cod")
    page = text(signed_in(citizen).get("/cho-ocop/don-cua-toi/"))
    assert "Hợp tác xã Nông sản Mèo Vạc" in page and "420.000 đ" in page
    assert Client().get("/cho-ocop/don-cua-toi/").status_code == 302


def test_a_business_signs_up_lists_a_product_and_the_officer_approves(
    market: Market,
) -> None:
    owner = factories.citizen(
        identifier="5100745698", full_name="HTX Bánh Đồng Văn", kind="business"
    )
    client = signed_in(owner)
    assert (
        client.get("/cho-ocop/ban-hang/")["Location"] == "/cho-ocop/ban-hang/dang-ky/"
    )
    form = {
        "name": "Hợp tác xã Bánh tam giác mạch Đồng Văn",
        "kind": "cooperative",
        "tax_code": "5100745698",
        "commune": market.communes[0].pk,
        "address": "Thôn Phố Cũ",
        "representative": "Vừ Mí Sính",
        "phone": "0944332211",
        "bank_bin": "970422",
        "bank_account": "0510745698",
        "account_name": "htx banh tam giac mach",
    }
    wrong = client.post("/cho-ocop/ban-hang/dang-ky/", form | {"tax_code": "51007"})
    assert wrong.status_code == 400 and "Mã số thuế gồm 10 chữ số" in text(wrong)
    assert not Producer.objects.filter(owner=owner).exists()
    made = client.post("/cho-ocop/ban-hang/dang-ky/", form, follow=True)
    assert "Đã gửi đăng ký" in text(made) and "Chờ duyệt" in text(made)
    product = client.post(
        "/cho-ocop/ban-hang/san-pham/moi/",
        {
            "name": "Bánh tam giác mạch túi 10 chiếc",
            "group": "food",
            "stars": 3,
            "certificate_number": "402/QĐ-UBND",
            "certificate_date": "2026-10-01",
            "description": "Bánh nướng than hoa.",
            "price": "60000",
            "unit": "túi",
            "stock": "100",
        },
    )
    item = Product.objects.get(name="Bánh tam giác mạch túi 10 chiếc")
    edit = f"/cho-ocop/ban-hang/san-pham/{item.pk}/"
    assert product["Location"] == edit
    no_photo = client.post(edit, {"submit": "1"}, follow=True)
    assert "Thêm ít nhất một ảnh" in text(no_photo)
    photo = jpeg()
    photo.name = "banh.jpg"
    client.post(edit, {"photo_add": "1", "photo": photo})
    bad = io.BytesIO(b"%PDF-1.4 not an image")
    bad.name = "banh2.jpg"
    refused = client.post(edit, {"photo_add": "1", "photo": bad})
    assert refused.status_code == 400 and "không phải là tệp JPG" in text(refused)
    client.post(edit, {"submit": "1"})
    assert Product.objects.get(pk=item.pk).status == ProductStatus.PENDING

    assert signed_in(owner).get("/cho-ocop/quan-ly/").status_code == 403
    officer = signed_in(market.officer)
    queue = text(officer.get("/cho-ocop/quan-ly/"))
    assert "Hợp tác xã Bánh tam giác mạch Đồng Văn" in queue
    assert "Bánh tam giác mạch túi 10 chiếc" in queue
    early = officer.post(
        "/cho-ocop/quan-ly/", {"product": item.pk, "decision": "approve"}, follow=True
    )
    assert "Duyệt chủ thể Hợp tác xã Bánh tam giác mạch Đồng Văn trước" in text(early)
    producer = Producer.objects.get(owner=owner)
    officer.post("/cho-ocop/quan-ly/", {"producer": producer.pk, "status": "approved"})
    assert Producer.objects.get(pk=producer.pk).status == ProducerStatus.APPROVED
    officer.post("/cho-ocop/quan-ly/", {"product": item.pk, "decision": "approve"})
    assert Product.objects.get(pk=item.pk).status == ProductStatus.LISTED
    assert "Bánh tam giác mạch" in text(Client().get("/cho-ocop/?q=banh+tam+giac"))


def test_the_seller_moves_an_order_and_the_officer_sees_the_figures(
    market: Market,
) -> None:
    (order,) = orders.place(None, {market.honey.pk: 1}, buyer(market), "cod")
    seller = signed_in(market.sellers[0])
    home = text(seller.get("/cho-ocop/ban-hang/"))
    assert "1 đơn cần xử lý" in home and order.reference in home
    page = f"/cho-ocop/ban-hang/don-hang/{order.reference}/"
    assert "Đã nhận tiền chuyển khoản" not in text(seller.get(page))
    no_reason = seller.post(page, {"to": "cancelled", "note": ""})
    assert no_reason.status_code == 400 and "lý do hủy" in text(no_reason)
    seller.post(page, {"to": "shipped", "note": "Giao tận nơi"})
    seller.post(page, {"to": "delivered", "note": ""})
    assert Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED
    other = signed_in(market.sellers[1])
    assert other.get(page).status_code == 404
    assert Client().get("/cho-ocop/ban-hang/").status_code == 302
    officer = signed_in(market.officer)
    stats = text(officer.get("/cho-ocop/quan-ly/thong-ke/"))
    assert "Xã Mèo Vạc" in stats and "450.000" in stats
    assert (
        signed_in(market.sellers[0]).get("/cho-ocop/quan-ly/thong-ke/").status_code
        == 403
    )
