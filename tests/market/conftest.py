"""A small marketplace: a province with two communes, a market officer,
two approved producers with their own accounts and bank accounts, and
listed products with real photos."""

import datetime as dt
import io
from dataclasses import dataclass

from django.utils import timezone

import pytest
from PIL import Image

from tests import factories
from tinhso.accounts.models import Role, User
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.market.constants import ProducerKind, ProducerStatus, ProductGroup
from tinhso.market.models import Producer, Product
from tinhso.market.services import orders, producers, products


def jpeg(width: int = 1600, height: int = 1200, colour: str = "#b5651d") -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG")
    out.seek(0)
    return out


@dataclass
class Market:
    province: OrgUnit
    communes: list[OrgUnit]
    officer: User
    sellers: list[User]
    producers: list[Producer]
    honey: Product  # 4 stars, first producer
    tea: Product  # 5 stars, first producer
    scarf: Product  # 3 stars, second producer


def make_producer(
    owner: User, commune: OrgUnit, officer: User, *, tax: str, account: str, name: str
) -> Producer:
    producer = producers.register(
        owner,
        Producer(
            name=name,
            kind=ProducerKind.COOPERATIVE,
            tax_code=tax,
            commune=commune,
            address="Thôn Nặm Đăm",
            representative="Vàng Thị Dính",
            phone="0966554433",
            bank_bin="970405",
            bank_account=account,
            account_name="htx thu nghiem",
        ),
    )
    return producers.review(officer, producer, ProducerStatus.APPROVED)


def listed(
    seller: User,
    officer: User,
    *,
    name: str,
    stars: int,
    price: int,
    stock: int,
    group: str = ProductGroup.FOOD,
) -> Product:
    made = products.save(
        seller,
        Product(
            name=name,
            group=group,
            stars=stars,
            certificate_number="88/QĐ-UBND",
            certificate_date=timezone.localdate() - dt.timedelta(days=100),
            description="Sản phẩm thử nghiệm.",
            price=price,
            unit="chai",
            stock=stock,
        ),
    )
    products.add_photo(seller, made, jpeg(), "anh.jpg")
    products.submit(seller, made)
    return products.review(officer, made, approve=True)


def build() -> Market:
    province = factories.province()
    communes = [
        factories.orgunit(kind=OrgUnitKind.COMMUNE, name=name, parent=province)
        for name in ("Xã Mèo Vạc", "Xã Lũng Cú")
    ]
    officer = factories.official(unit=province, role=Role.MARKET_OFFICER)
    sellers = [
        factories.citizen(identifier=tax, full_name=name, kind="business")
        for tax, name in (
            ("5100451236", "Hợp tác xã Mật ong bạc hà Mèo Vạc"),
            ("5100634521", "Hợp tác xã Dệt thổ cẩm Lũng Cú"),
        )
    ]
    made = [
        make_producer(
            sellers[0],
            communes[0],
            officer,
            tax="5100451236",
            account="31410000451236",
            name="Hợp tác xã Nông sản Mèo Vạc",
        ),
        make_producer(
            sellers[1],
            communes[1],
            officer,
            tax="5100634521",
            account="0011006345210",
            name="Hợp tác xã Dệt thổ cẩm Lũng Cú",
        ),
    ]
    return Market(
        province=province,
        communes=communes,
        officer=officer,
        sellers=sellers,
        producers=made,
        honey=listed(
            sellers[0],
            officer,
            name="Mật ong bạc hà Mèo Vạc",
            stars=4,
            price=450_000,
            stock=10,
        ),
        tea=listed(
            sellers[0],
            officer,
            name="Hồng trà Shan tuyết",
            stars=5,
            price=420_000,
            stock=5,
            group=ProductGroup.DRINK,
        ),
        scarf=listed(
            sellers[1],
            officer,
            name="Khăn thổ cẩm lanh Lũng Cú",
            stars=3,
            price=350_000,
            stock=2,
            group=ProductGroup.TEXTILE,
        ),
    )


@pytest.fixture
def market(db: None) -> Market:
    return build()


def buyer(market: Market) -> orders.Buyer:
    return orders.Buyer(
        name="Trần Thị Hoa",
        phone="0903 456 789",
        address="Số 5, tổ dân phố 2",
        commune=market.communes[1],
    )
