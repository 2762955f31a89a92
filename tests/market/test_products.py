"""Listings: a producer signs up and waits for approval, products go on
sale only once a market officer approves them, OCOP details changed take a
product off sale again, photos are checked and resized, and buyers find
products with or without diacritics."""

import datetime as dt
import io

from django.core.files.storage import default_storage
from django.utils import timezone

import pytest
from PIL import Image

from tests import factories
from tests.market.conftest import Market, buyer, jpeg
from tinhso.accounts.models import Role
from tinhso.core.errors import DomainError, Forbidden
from tinhso.core.models import OrgUnitKind, StoredFile
from tinhso.market import policies, selectors
from tinhso.market.constants import ProducerKind, ProducerStatus, ProductStatus
from tinhso.market.models import Producer, Product
from tinhso.market.services import orders, producers, products

pytestmark = pytest.mark.django_db


def names(query: selectors.StoreQuery) -> list[str]:
    return [p.name for p in selectors.store(query)]


def test_a_producer_signs_up_once_and_waits_for_approval(market: Market) -> None:
    owner = factories.citizen(
        identifier="5100745698", full_name="HTX Bánh Đồng Văn", kind="business"
    )
    new = Producer(
        name="Hợp tác xã Bánh tam giác mạch Đồng Văn",
        kind=ProducerKind.COOPERATIVE,
        tax_code="5100745698",
        commune=market.communes[0],
        address="Thôn Phố Cũ",
        representative="Vừ Mí Sính",
        phone="0944332211",
        bank_bin="999999",
        bank_account="0510745698",
        account_name="htx banh",
    )
    with pytest.raises(DomainError, match="Chọn ngân hàng") as unknown_bank:
        producers.register(owner, new)
    assert unknown_bank.value.extra["field"] == "bank_bin"
    new.bank_bin, new.bank_account = "970405", "31410000451236"  # another's account
    with pytest.raises(DomainError) as taken:
        producers.register(owner, new)
    assert taken.value.extra["field"] in ("bank_account", "__all__")
    assert not Producer.objects.filter(tax_code="5100745698").exists()
    new.bank_account = "0510745698"
    made = producers.register(owner, new)
    assert made.status == ProducerStatus.PENDING
    assert made.account_name == "HTX BANH"
    with pytest.raises(Forbidden):
        producers.register(owner, Producer(name="Lần hai"))
    with pytest.raises(Forbidden):
        producers.review(owner, made, ProducerStatus.APPROVED)
    with pytest.raises(DomainError, match="lý do"):
        producers.review(market.officer, made, ProducerStatus.SUSPENDED)
    assert producers.review(market.officer, made, ProducerStatus.APPROVED).status == (
        ProducerStatus.APPROVED
    )


def test_a_product_goes_on_sale_only_when_approved(market: Market) -> None:
    seller, officer = market.sellers[0], market.officer
    draft = products.save(
        seller,
        Product(
            name="Mật ong bạc hà lọ 250 ml",
            group="food",
            stars=3,
            certificate_number="89/QĐ-UBND",
            certificate_date=dt.date(2025, 3, 1),
            description="Lọ nhỏ làm quà.",
            price=250_000,
            unit="lọ",
            stock=3,
        ),
    )
    everything = selectors.StoreQuery()
    assert "Mật ong bạc hà lọ 250 ml" not in names(everything)
    with pytest.raises(DomainError, match="ít nhất một ảnh"):
        products.submit(seller, draft)
    products.add_photo(seller, draft, jpeg(), "lo-nho.jpg")
    with pytest.raises(Forbidden):
        products.submit(market.sellers[1], draft)
    pending = products.submit(seller, draft)
    assert pending.status == ProductStatus.PENDING
    assert "Mật ong bạc hà lọ 250 ml" not in names(everything)
    with pytest.raises(Forbidden):
        products.review(seller, pending, approve=True)
    with pytest.raises(DomainError, match="lý do"):
        products.review(officer, pending, approve=False)
    returned = products.review(officer, pending, approve=False, note="Ảnh mờ")
    assert returned.status == ProductStatus.RETURNED
    products.submit(seller, returned)
    on_sale = products.review(officer, returned, approve=True)
    assert on_sale.status == ProductStatus.LISTED and on_sale.first_listed_at
    assert "Mật ong bạc hà lọ 250 ml" in names(everything)


def test_an_expired_certificate_or_a_pending_producer_is_not_listed(
    market: Market,
) -> None:
    seller = market.sellers[0]
    old = products.save(
        seller,
        Product(
            name="Rượu ngô Thanh Vân",
            group="drink",
            stars=3,
            certificate_number="12/QĐ-UBND",
            # OCOP certificates last 36 months.
            certificate_date=timezone.localdate() - dt.timedelta(days=3 * 366 + 2),
            description="Rượu ngô men lá.",
            price=120_000,
            unit="chai",
            stock=10,
        ),
    )
    products.add_photo(seller, old, jpeg(), "ruou.jpg")
    pending = products.submit(seller, old)
    with pytest.raises(DomainError, match="hết hiệu lực"):
        products.review(market.officer, pending, approve=True)
    producers.review(
        market.officer, market.producers[0], ProducerStatus.SUSPENDED, "Thiếu hồ sơ"
    )
    # A suspended producer's listed products leave the storefront at once.
    assert "Mật ong bạc hà Mèo Vạc" not in names(selectors.StoreQuery())
    with pytest.raises(DomainError, match="Duyệt chủ thể"):
        products.review(market.officer, pending, approve=True)


def test_changing_ocop_details_takes_a_product_off_sale_but_price_does_not(
    market: Market,
) -> None:
    seller, honey = market.sellers[0], market.honey
    honey.price, honey.stock = 480_000, 25
    priced = products.save(seller, honey)
    assert priced.status == ProductStatus.LISTED
    assert Product.objects.get(pk=honey.pk).price == 480_000
    priced.stars = 5
    changed = products.save(seller, priced)
    assert changed.status == ProductStatus.PENDING and changed.unlisted_at
    assert "Mật ong bạc hà Mèo Vạc" not in names(selectors.StoreQuery())
    relisted = products.review(market.officer, changed, approve=True)
    assert relisted.status == ProductStatus.LISTED and relisted.unlisted_at is None


def test_photos_are_resized_without_their_metadata_and_bad_ones_refused(
    market: Market,
) -> None:
    seller, honey = market.sellers[0], market.honey
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the phone was held sideways
    exif[0x010F] = "PhoneMaker"
    upload = io.BytesIO()
    Image.new("RGB", (3000, 2000), "#c8a020").save(upload, "JPEG", exif=exif)
    upload.seek(0)
    photo = products.add_photo(seller, honey, upload, "mat-ong.jpg")
    # Turned upright: 2000 wide, 3000 high.
    assert (photo.width, photo.height) == (2000, 3000)
    with default_storage.open(photo.large.storage_name) as large:
        shown = Image.open(large)
        assert shown.size == (800, 1200) and not shown.getexif()
    with default_storage.open(photo.small.storage_name) as small:
        assert max(Image.open(small).size) == 400
    before = StoredFile.objects.count()
    with pytest.raises(DomainError, match="không phải là tệp JPG"):
        products.add_photo(seller, honey, io.BytesIO(b"not a photo" * 50), "x.jpg")
    with pytest.raises(DomainError, match="nhỏ quá"):
        products.add_photo(seller, honey, jpeg(120, 90), "nho.jpg")
    with pytest.raises(Forbidden):
        products.add_photo(market.sellers[1], honey, jpeg(), "khac.jpg")
    assert StoredFile.objects.count() == before


def test_buyers_find_products_with_or_without_diacritics_and_filters(
    market: Market,
) -> None:
    for typed in ("mat ong bac ha", "Mật ong", "MẬT ONG BẠC", "mat o"):
        assert names(selectors.StoreQuery(text=typed)) == ["Mật ong bạc hà Mèo Vạc"]
    # The producer's commune and name are found too.
    assert len(names(selectors.StoreQuery(text="meo vac"))) == 2
    assert names(selectors.StoreQuery(text="lung cu")) == ["Khăn thổ cẩm lanh Lũng Cú"]
    assert names(selectors.StoreQuery(stars=(4, 5), sort="ten")) == [
        "Hồng trà Shan tuyết",
        "Mật ong bạc hà Mèo Vạc",
    ]
    assert names(selectors.StoreQuery(group="textile")) == ["Khăn thổ cẩm lanh Lũng Cú"]
    assert names(selectors.StoreQuery(commune_id=market.communes[1].pk)) == [
        "Khăn thổ cẩm lanh Lũng Cú"
    ]
    assert names(
        selectors.StoreQuery(price_min=400_000, price_max=430_000, sort="gia-tang")
    ) == ["Hồng trà Shan tuyết"]
    products.unlist(market.sellers[0], market.honey)
    assert names(selectors.StoreQuery(text="mat ong")) == []


def test_an_edit_never_puts_back_stock_sold_since_the_page_was_opened(
    market: Market,
) -> None:

    seller, honey = market.sellers[0], market.honey
    seen = Product.objects.get(pk=honey.pk).stock  # the form showed 10
    orders.place(None, {honey.pk: 3}, buyer(market), "cod")
    edited = Product.objects.get(pk=honey.pk)
    edited.price, edited.stock = 460_000, seen
    saved = products.save(seller, edited, stock_seen=seen)
    assert (saved.price, saved.stock) == (460_000, 7)
    # The seller adds five more to what the page showed: 7 + 5.
    again = Product.objects.get(pk=honey.pk)
    again.stock = 12
    assert products.save(seller, again, stock_seen=7).stock == 12


def test_new_photos_or_a_new_bank_account_wait_for_approval(market: Market) -> None:
    seller, honey = market.sellers[0], market.honey
    products.add_photo(seller, honey, jpeg(colour="#223344"), "moi.jpg")
    assert Product.objects.get(pk=honey.pk).status == ProductStatus.PENDING
    producer = Producer.objects.get(pk=market.producers[0].pk)
    producer.phone = "0966000111"
    assert producers.update(seller, producer).status == ProducerStatus.APPROVED
    producer.bank_account = "99990000111"
    assert producers.update(seller, producer).status == ProducerStatus.PENDING


def test_only_the_provinces_officers_run_the_market(market: Market) -> None:
    commune_admin = factories.official(
        unit=market.communes[0], role=Role.ADMINISTRATOR, subtree=True
    )
    assert not policies.is_market_officer(commune_admin)
    assert policies.is_market_officer(factories.administrator(market.province))
    assert market.province.kind == OrgUnitKind.PROVINCE
    with pytest.raises(Forbidden):
        products.review(commune_admin, market.honey, approve=False, note="x")


def test_a_market_officer_sits_in_a_provincial_agency(market: Market) -> None:
    trade = factories.orgunit(
        kind=OrgUnitKind.AGENCY, name="Sở Công Thương", parent=market.province
    )
    assert policies.is_market_officer(
        factories.official(unit=trade, role=Role.MARKET_OFFICER)
    )
    assert not policies.is_market_officer(
        factories.official(unit=market.communes[0], role=Role.MARKET_OFFICER)
    )
