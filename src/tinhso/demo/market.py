"""The demo's OCOP marketplace: producers of the province's specialties
with their own accounts, products with drawn (and labelled) illustrations,
one producer and one product still waiting for the market officer, and a
few orders that went through payment by VietQR, cash on delivery and a
cancellation, through the same services as the pages and the bank feed."""

import datetime as dt
import io
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from PIL import Image, ImageDraw, ImageFont

from tinhso.accounts.models import AccountKind, User
from tinhso.core import orgtree
from tinhso.core.models import OrgUnit
from tinhso.market.constants import (
    OrderStatus,
    PaymentMethod,
    ProducerKind,
    ProducerStatus,
    ProductGroup,
    ProductStatus,
)
from tinhso.market.models import Order, Producer, Product
from tinhso.market.services import orders, producers, products

EnsureAccount = Callable[[str, str, str, str], User]


@dataclass(frozen=True)
class DemoProduct:
    name: str
    group: str
    stars: int
    certificate: str
    certified_days_ago: int
    price: int
    unit: str
    stock: int
    description: str
    colour: tuple[int, int, int]
    listed: bool = True


@dataclass(frozen=True)
class DemoProducer:
    tax_code: str
    name: str
    kind: str
    commune_code: int  # a ward code of vietnam-provinces; else the n-th commune
    address: str
    representative: str
    phone: str
    bank_bin: str
    account: str
    account_name: str
    items: tuple[DemoProduct, ...]
    approved: bool = True


F, D, H, T, C = (
    ProductGroup.FOOD,
    ProductGroup.DRINK,
    ProductGroup.HERBAL,
    ProductGroup.TEXTILE,
    ProductGroup.CRAFT,
)

# Believable, not real: made-up tax codes, accounts and certificate numbers.
# Tuyên Quang's (with the former Hà Giang's) specialties; other provinces'
# demos start with an empty marketplace.
PRODUCERS: dict[int, list[DemoProducer]] = {
    8: [
        DemoProducer(
            "5100312458",
            "Hợp tác xã Chè Shan tuyết Cao Bồ",
            ProducerKind.COOPERATIVE,
            952,
            "Thôn Làng Khẻn",
            "Lương Văn Hải",
            "0987654321",
            "970405",
            "8800205312458",
            "HTX CHE SHAN TUYET CAO BO",
            (
                DemoProduct(
                    "Hồng trà Shan tuyết Cao Bồ hộp 100 g",
                    D,
                    5,
                    "125/QĐ-UBND",
                    400,
                    420_000,
                    "hộp",
                    60,
                    "Hồng trà lên men từ búp chè Shan tuyết cổ thụ trên 100 năm tuổi ở độ "
                    "cao 1.000 m, hái tay một tôm hai lá. Nước màu hổ phách, vị ngọt hậu, "
                    "hương mật ong.",
                    (122, 52, 30),
                ),
                DemoProduct(
                    "Chè xanh Shan tuyết Cao Bồ túi 200 g",
                    D,
                    4,
                    "126/QĐ-UBND",
                    400,
                    250_000,
                    "túi",
                    120,
                    "Chè xanh sao suốt thủ công từ cây chè Shan tuyết cổ thụ; nước xanh "
                    "vàng, vị chát dịu, ngọt hậu.",
                    (64, 110, 48),
                ),
            ),
        ),
        DemoProducer(
            "5100451236",
            "Hợp tác xã Mật ong bạc hà Mèo Vạc",
            ProducerKind.COOPERATIVE,
            769,
            "Tổ dân phố 2",
            "Sùng Mí Chá",
            "0912003344",
            "970418",
            "31410000451236",
            "HTX MAT ONG BAC HA MEO VAC",
            (
                DemoProduct(
                    "Mật ong bạc hà Mèo Vạc chai 500 ml",
                    F,
                    4,
                    "88/QĐ-UBND",
                    300,
                    450_000,
                    "chai",
                    40,
                    "Mật ong từ hoa bạc hà dại nở vào mùa đông trên cao nguyên đá Đồng "
                    "Văn; màu vàng óng, vị ngọt thanh, hơi the.",
                    (196, 140, 20),
                ),
                DemoProduct(
                    "Mật ong bạc hà Mèo Vạc lọ 250 ml",
                    F,
                    3,
                    "89/QĐ-UBND",
                    300,
                    250_000,
                    "lọ",
                    3,
                    "Lọ nhỏ làm quà; cùng mật ong bạc hà của hợp tác xã.",
                    (214, 166, 40),
                ),
            ),
        ),
        DemoProducer(
            "5100523987",
            "Công ty TNHH Cam sành Bắc Quang",
            ProducerKind.ENTERPRISE,
            1153,
            "Thôn Tân Thành",
            "Nguyễn Văn Khánh",
            "0915667788",
            "970436",
            "1025523987",
            "CONG TY TNHH CAM SANH BAC QUANG",
            (
                DemoProduct(
                    "Cam sành Bắc Quang hộp 5 kg",
                    F,
                    4,
                    "210/QĐ-UBND",
                    200,
                    220_000,
                    "hộp",
                    200,
                    "Cam sành vỏ xanh, múi vàng, mọng nước, trồng theo VietGAP; thu hoạch "
                    "từ tháng 11 đến tháng 1.",
                    (226, 120, 24),
                ),
            ),
        ),
        DemoProducer(
            "008183001234",
            "Hộ kinh doanh Thào Thị Mỷ",
            ProducerKind.HOUSEHOLD,
            715,
            "Thôn Lô Lô Chải",
            "Thào Thị Mỷ",
            "0978112233",
            "970405",
            "8800200183001",
            "THAO THI MY",
            (
                DemoProduct(
                    "Khăn thổ cẩm lanh dệt tay Lũng Cú",
                    T,
                    3,
                    "301/QĐ-UBND",
                    150,
                    350_000,
                    "chiếc",
                    25,
                    "Khăn dệt tay từ sợi lanh, nhuộm chàm, thêu hoa văn truyền thống của "
                    "người Mông; mỗi chiếc mất khoảng một tuần.",
                    (40, 52, 110),
                ),
            ),
        ),
        DemoProducer(
            "5100634521",
            "Hợp tác xã Dược liệu Quản Bạ",
            ProducerKind.COOPERATIVE,
            874,
            "Thôn Nặm Đăm",
            "Vàng Thị Dính",
            "0966554433",
            "970446",
            "0011006345210",
            "HTX DUOC LIEU QUAN BA",
            (
                DemoProduct(
                    "Trà giảo cổ lam Quản Bạ hộp 20 túi lọc",
                    H,
                    3,
                    "77/QĐ-UBND",
                    500,
                    95_000,
                    "hộp",
                    80,
                    "Giảo cổ lam trồng dưới tán rừng, sấy lạnh, đóng túi lọc tiện dùng.",
                    (52, 96, 64),
                ),
                DemoProduct(
                    "Cao lá tắm người Dao Quản Bạ chai 300 ml",
                    H,
                    4,
                    "415/QĐ-UBND",
                    30,
                    180_000,
                    "chai",
                    50,
                    "Cao cô đặc từ hơn 20 loại lá rừng theo bài thuốc của người Dao đỏ.",
                    (92, 70, 40),
                    listed=False,
                ),
            ),
        ),
        DemoProducer(
            "5100745698",
            "Hợp tác xã Bánh tam giác mạch Đồng Văn",
            ProducerKind.COOPERATIVE,
            721,
            "Thôn Phố Cũ",
            "Vừ Mí Sính",
            "0944332211",
            "970422",
            "0510745698",
            "HTX BANH TAM GIAC MACH DONG VAN",
            (
                DemoProduct(
                    "Bánh tam giác mạch Đồng Văn túi 10 chiếc",
                    F,
                    3,
                    "402/QĐ-UBND",
                    60,
                    60_000,
                    "túi",
                    100,
                    "Bánh làm từ bột hạt tam giác mạch xay đá, nướng than hoa.",
                    (150, 96, 130),
                    listed=False,
                ),
            ),
            approved=False,
        ),
    ]
}


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
    ):
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def illustration(name: str, colour: tuple[int, int, int]) -> bytes:
    """A drawn picture for a demo product, marked as an illustration."""
    width, height = 1200, 900
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    light = tuple(min(255, c + 70) for c in colour)
    for i in range(0, height, 6):  # a soft vertical gradient
        shade = tuple(int(c * (0.75 + 0.25 * i / height)) for c in light)
        draw.line([(0, i), (width, i)], fill=shade, width=6)
    draw.ellipse((380, 170, 820, 610), fill=colour, outline=(255, 255, 255), width=8)
    words, lines, line = name.split(), [], ""
    font = _font(54)
    for word in words:
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font) > width - 140 and line:
            lines.append(line)
            line = word
        else:
            line = trial
    lines.append(line)
    y = 650
    for text in lines[:3]:
        draw.text((width / 2, y), text, font=font, fill="white", anchor="ma")
        y += 66
    draw.text((30, 24), "ẢNH MINH HỌA", font=_font(32), fill="white")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82)
    out.seek(0)
    return out.getvalue()


def _commune(spec: DemoProducer, communes: list[OrgUnit], n: int) -> OrgUnit:
    code = orgtree.ward_code(spec.commune_code)
    found = next((c for c in communes if c.code == code), None)
    return found or communes[n % len(communes)]


def _producer(
    spec: DemoProducer,
    owner: User,
    commune: OrgUnit,
    officer: User,
    made: Counter[str],
) -> Producer:
    found = Producer.objects.filter(tax_code=spec.tax_code).first()
    if found is not None:
        return found
    producer = producers.register(
        owner,
        Producer(
            name=spec.name,
            kind=spec.kind,
            tax_code=spec.tax_code,
            commune=commune,
            address=spec.address,
            representative=spec.representative,
            phone=spec.phone,
            bank_bin=spec.bank_bin,
            bank_account=spec.account,
            account_name=spec.account_name,
        ),
    )
    made["producer"] += 1
    if spec.approved:
        producer = producers.review(officer, producer, ProducerStatus.APPROVED)
    return producer


def _product(
    spec: DemoProduct, producer: Producer, officer: User, made: Counter[str]
) -> Product:
    found = Product.objects.filter(producer=producer, name=spec.name).first()
    if found is not None:
        return found
    owner = producer.owner
    made_product = products.save(
        owner,
        Product(
            name=spec.name,
            group=spec.group,
            stars=spec.stars,
            certificate_number=spec.certificate,
            certificate_date=timezone.localdate()
            - dt.timedelta(days=spec.certified_days_ago),
            description=spec.description,
            price=spec.price,
            unit=spec.unit,
            stock=spec.stock,
        ),
    )
    photo = io.BytesIO(illustration(spec.name, spec.colour))
    products.add_photo(owner, made_product, photo, "anh-minh-hoa.jpg")
    made_product = products.submit(owner, made_product)
    if spec.listed and producer.status == ProducerStatus.APPROVED:
        made_product = products.review(officer, made_product, approve=True)
    made["product"] += 1
    return made_product


def _orders(
    citizen: User,
    listed: dict[str, Product],
    home: OrgUnit,
    communes: list[OrgUnit],
    made: Counter[str],
) -> None:
    """A signed-in buyer paying by VietQR, a guest paying cash on delivery,
    a cancelled order and one still waiting for its transfer."""
    if Order.objects.exists():
        return
    now = timezone.now()
    tea, honey, orange, scarf = (
        listed["Hồng trà Shan tuyết Cao Bồ hộp 100 g"],
        listed["Mật ong bạc hà Mèo Vạc chai 500 ml"],
        listed["Cam sành Bắc Quang hộp 5 kg"],
        listed["Khăn thổ cẩm lanh dệt tay Lũng Cú"],
    )
    signed_in = orders.Buyer(
        citizen.full_name,
        citizen.phone or "0912345678",
        "Số 12 đường Nguyễn Trãi",
        home,
    )
    paid = orders.place(
        citizen,
        {tea.pk: 2, honey.pk: 1},
        signed_in,
        PaymentMethod.VIETQR,
        at=now - dt.timedelta(days=9),
    )
    for n, order in enumerate(paid):
        body = json.dumps(
            {
                "transaction_id": f"DEMO-FT{order.pk:08d}",
                "amount": order.amount,
                "description": f"{citizen.full_name} chuyen khoan {order.reference}",
                "credited_at": (now - dt.timedelta(days=9, minutes=-5 - n)).isoformat(),
                "account": order.pay_account,
                "bank_bin": order.pay_bank_bin,
            }
        ).encode()
        orders.record_credit(body, orders.sign(body))
        order.refresh_from_db()
        orders.advance(
            order.producer.owner,
            order,
            OrderStatus.SHIPPED,
            "Viettel Post, vận đơn 1800123456",
            at=now - dt.timedelta(days=8),
        )
        orders.advance(
            order.producer.owner,
            order,
            OrderStatus.DELIVERED,
            at=now - dt.timedelta(days=6),
        )
    guest = orders.Buyer("Trần Thị Hoa", "0903456789", "Thôn Bản Mạ", communes[-1])
    (cash,) = orders.place(
        None, {orange.pk: 3}, guest, PaymentMethod.COD, at=now - dt.timedelta(days=5)
    )
    orders.advance(
        cash.producer.owner, cash, OrderStatus.SHIPPED, at=now - dt.timedelta(days=4)
    )
    orders.advance(
        cash.producer.owner, cash, OrderStatus.DELIVERED, at=now - dt.timedelta(days=3)
    )
    (dropped,) = orders.place(
        None, {scarf.pk: 1}, guest, PaymentMethod.COD, at=now - dt.timedelta(days=2)
    )
    orders.cancel_as_buyer(None, dropped, dropped.access_key, "Đặt nhầm màu")
    orders.place(
        citizen,
        {orange.pk: 1},
        signed_in,
        PaymentMethod.VIETQR,
        at=now - dt.timedelta(hours=3),
    )
    made["order"] += Order.objects.count()


def load_market(
    *,
    province_code: int,
    officer: User,
    communes: list[OrgUnit],
    home: OrgUnit,
    citizen: User,
    ensure_account: EnsureAccount,
) -> dict[str, int]:
    """``ensure_account(kind, identifier, full_name, phone)`` gives the
    producer's own account, made as a business or household would."""
    made: Counter[str] = Counter()
    listed: dict[str, Product] = {}
    for n, spec in enumerate(PRODUCERS.get(province_code, [])):
        # A household's tax code is its owner's personal ID: a citizen account.
        household = len(spec.tax_code) == 12
        owner = ensure_account(
            AccountKind.CITIZEN if household else AccountKind.BUSINESS,
            spec.tax_code,
            spec.representative if household else spec.name,
            spec.phone,
        )
        producer = _producer(spec, owner, _commune(spec, communes, n), officer, made)
        for item in spec.items:
            product = _product(item, producer, officer, made)
            if product.status == ProductStatus.LISTED:
                listed[product.name] = product
    if listed:
        _orders(citizen, listed, home, communes, made)
    return dict(made)
