"""Tables of the OCOP marketplace: producers and their products with
photos, orders with their lines, and the bank's credit notifications."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tinhso.core.models import OrgUnit, StoredFile
from tinhso.market.constants import (
    BankOutcome,
    OrderStatus,
    PaymentMethod,
    ProducerKind,
    ProducerStatus,
    ProductGroup,
    ProductStatus,
    Stars,
)

tax_code_validator = RegexValidator(
    # Since July 2025 a household's tax code is its owner's personal ID number.
    r"^(\d{10}(-\d{3})?|\d{12})$",
    _(
        "Mã số thuế gồm 10 chữ số (chi nhánh thêm “-” và 3 chữ số), hoặc số định "
        "danh cá nhân 12 chữ số của chủ hộ kinh doanh."
    ),
)


class Producer(models.Model):
    """An OCOP producer (chủ thể OCOP): a cooperative, an enterprise or a
    business household, paid into its own bank account."""

    name = models.CharField(_("tên chủ thể"), max_length=200)
    kind = models.CharField(_("loại hình"), max_length=16, choices=ProducerKind.choices)
    tax_code = models.CharField(
        _("mã số thuế"), max_length=14, unique=True, validators=[tax_code_validator]
    )
    commune = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("xã, phường"),
    )
    address = models.CharField(_("địa chỉ"), max_length=300)
    representative = models.CharField(_("người đại diện"), max_length=150)
    phone = models.CharField(_("số điện thoại"), max_length=15)
    email = models.EmailField(_("thư điện tử"), blank=True)
    bank_bin = models.CharField(_("ngân hàng"), max_length=6)
    bank_account = models.CharField(_("số tài khoản"), max_length=19)
    account_name = models.CharField(_("tên chủ tài khoản"), max_length=100)
    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="producer",
        verbose_name=_("tài khoản quản lý"),
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=ProducerStatus.choices,
        default=ProducerStatus.PENDING,
    )
    review_note = models.TextField(_("ý kiến duyệt"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chủ thể OCOP")
        verbose_name_plural = _("chủ thể OCOP")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["bank_bin", "bank_account"], name="producer_unique_account"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """An OCOP-rated product a producer sells."""

    producer = models.ForeignKey(
        Producer, on_delete=models.PROTECT, related_name="products"
    )
    name = models.CharField(_("tên sản phẩm"), max_length=200)
    group = models.CharField(
        _("nhóm sản phẩm"), max_length=16, choices=ProductGroup.choices
    )
    stars = models.PositiveSmallIntegerField(_("hạng sao"), choices=Stars.choices)
    certificate_number = models.CharField(_("số giấy chứng nhận OCOP"), max_length=64)
    certificate_date = models.DateField(_("ngày cấp giấy chứng nhận"))
    description = models.TextField(_("mô tả"))
    price = models.PositiveBigIntegerField(
        _("giá bán (đồng)"),
        validators=[MinValueValidator(1000), MaxValueValidator(10**10)],
    )
    unit = models.CharField(_("đơn vị bán"), max_length=40)
    stock = models.PositiveIntegerField(_("số lượng còn"), default=0)
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=ProductStatus.choices,
        default=ProductStatus.DRAFT,
    )
    review_note = models.TextField(_("ý kiến duyệt"), blank=True)
    # When it first went on sale, and when it last stopped being on sale:
    # the daily count of listed products (metrics) is read from these.
    first_listed_at = models.DateTimeField(null=True, blank=True)
    unlisted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sản phẩm")
        verbose_name_plural = _("sản phẩm")
        ordering = ["name"]
        constraints = [
            # Stock never goes below zero, whatever two buyers do at once.
            models.CheckConstraint(
                condition=Q(stock__gte=0), name="product_stock_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(stars__gte=3, stars__lte=5), name="product_stars_3_to_5"
            ),
        ]
        indexes = [models.Index(fields=["status", "stars"])]

    def __str__(self) -> str:
        return self.name


class ProductPhoto(models.Model):
    """A product photo: the checked upload and the sizes served from it."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="photos"
    )
    original = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    large = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    small = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.product} #{self.position}"


class Order(models.Model):
    """One buyer's order from one producer; a cart with several producers'
    products becomes one order per producer, each paid to its own account."""

    reference = models.CharField(_("mã đơn hàng"), max_length=12, unique=True)
    # The orders placed together from one cart share it.
    basket = models.CharField(max_length=32, db_index=True)
    # Lets a guest buyer open the order without an account.
    access_key = models.CharField(max_length=32)
    producer = models.ForeignKey(
        Producer, on_delete=models.PROTECT, related_name="orders"
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    buyer_name = models.CharField(_("người mua"), max_length=150)
    phone = models.CharField(_("số điện thoại"), max_length=15)
    email = models.EmailField(_("thư điện tử"), blank=True)
    address = models.CharField(_("địa chỉ nhận hàng"), max_length=300)
    commune = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("xã, phường nhận hàng"),
    )
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    payment_method = models.CharField(
        _("hình thức thanh toán"), max_length=8, choices=PaymentMethod.choices
    )
    amount = models.PositiveBigIntegerField(_("thành tiền (đồng)"))
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=OrderStatus.choices,
        default=OrderStatus.PLACED,
    )
    placed_at = models.DateTimeField(_("đặt lúc"))
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("giao đi lúc"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("nhận hàng lúc"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)
    cancel_reason = models.CharField(_("lý do hủy"), max_length=300, blank=True)
    # A paid order cancelled owes the buyer their money back.
    refunded_at = models.DateTimeField(_("hoàn tiền lúc"), null=True, blank=True)
    shipping_note = models.CharField(
        _("thông tin vận chuyển"), max_length=300, blank=True
    )
    bank_transaction = models.CharField(max_length=64, blank=True)
    # The account the buyer was asked to pay into, as it was at the order:
    # a producer changing its account later moves no order's money.
    pay_bank_bin = models.CharField(max_length=6)
    pay_account = models.CharField(max_length=19)
    pay_account_name = models.CharField(max_length=100)

    class Meta:
        verbose_name = _("đơn hàng")
        verbose_name_plural = _("đơn hàng")
        ordering = ["-placed_at"]
        indexes = [
            models.Index(fields=["producer", "-placed_at"]),
            models.Index(fields=["placed_at"]),
            models.Index(fields=["paid_at"]),
            models.Index(fields=["status", "payment_method", "placed_at"]),
        ]
        constraints = [
            # A cart sent twice (a double tap) places its orders once.
            models.UniqueConstraint(
                fields=["basket", "producer"], name="order_once_per_basket"
            )
        ]

    def __str__(self) -> str:
        return self.reference


class OrderLine(models.Model):
    """A product in an order, at the name and price of the moment it was placed."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=40)
    price = models.PositiveBigIntegerField()
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"

    @property
    def amount(self) -> int:
        return self.price * self.quantity


class BankCredit(models.Model):
    """A credit the bank reported on a producer's account, kept once per
    bank transaction so that a replay finds its first outcome."""

    transaction_id = models.CharField(_("mã giao dịch"), max_length=64, unique=True)
    bank_bin = models.CharField(_("ngân hàng"), max_length=6)
    account = models.CharField(_("tài khoản"), max_length=19)
    amount = models.PositiveBigIntegerField(_("số tiền"))
    description = models.CharField(_("nội dung"), max_length=300)
    credited_at = models.DateTimeField(_("thời gian ghi có"))
    received_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(_("kết quả"), max_length=20, choices=BankOutcome.choices)
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="credits"
    )
    producer = models.ForeignKey(
        Producer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credits",
    )

    class Meta:
        ordering = ["-credited_at"]

    def __str__(self) -> str:
        return self.transaction_id


class OrderNotice(models.Model):
    """A message sent about an order, to its buyer or its producer."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="notices")
    event = models.CharField(max_length=16)
    channel = models.CharField(_("kênh"), max_length=8)
    recipient = models.CharField(_("người nhận"), max_length=254)
    text = models.TextField(_("nội dung"))
    sent_at = models.DateTimeField(_("gửi lúc"))
    error = models.CharField(_("lỗi"), max_length=300, blank=True)

    class Meta:
        ordering = ["order", "sent_at", "pk"]

    def __str__(self) -> str:
        return f"{self.event} {self.channel} → {self.recipient}"
