"""Choices and fixed figures of the OCOP marketplace."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The search index scope of listed products.
PRODUCT_SCOPE = "market.product"
# An OCOP certificate is valid for 36 months (Decision 148/QĐ-TTg, 2023).
CERTIFICATE_MONTHS = 36
MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 8 * 1024 * 1024
# Longest side of a photo as served: large on the product page, small in lists.
PHOTO_SIZES = {"lg": 1200, "sm": 400}
MAX_LINE_QUANTITY = 999
MAX_CART_LINES = 30
# An order waiting for its transfer this long is cancelled and its stock
# goes back on sale: nobody can hold a product without paying.
UNPAID_HOURS = 24
# Orders one address may place in an hour without an account.
ORDERS_PER_HOUR = 20

AUDIT_PRODUCER_REGISTERED = "market.producer.register"
AUDIT_PRODUCER_REVIEWED = "market.producer.review"
AUDIT_PRODUCT_SAVED = "market.product.save"
AUDIT_PRODUCT_REVIEWED = "market.product.review"
AUDIT_ORDER_PLACED = "market.order.place"
AUDIT_ORDER_MOVED = "market.order.move"
AUDIT_BANK_NOTIFIED = "market.bank.notify"


class ProducerKind(models.TextChoices):
    COOPERATIVE = "cooperative", _("Hợp tác xã, tổ hợp tác")
    ENTERPRISE = "enterprise", _("Doanh nghiệp")
    HOUSEHOLD = "household", _("Hộ kinh doanh")


class ProducerStatus(models.TextChoices):
    PENDING = "pending", _("Chờ duyệt")
    APPROVED = "approved", _("Đã duyệt")
    SUSPENDED = "suspended", _("Tạm dừng bán")


class ProductGroup(models.TextChoices):
    """The six OCOP product groups (Decision 148/QĐ-TTg, 2023)."""

    FOOD = "food", _("Thực phẩm")
    DRINK = "drink", _("Đồ uống")
    HERBAL = "herbal", _("Thảo dược")
    TEXTILE = "textile", _("Vải và may mặc")
    CRAFT = "craft", _("Lưu niệm, nội thất, trang trí")
    TOURISM = "tourism", _("Dịch vụ du lịch cộng đồng, điểm du lịch")


class Stars(models.IntegerChoices):
    THREE = 3, _("3 sao")
    FOUR = 4, _("4 sao")
    FIVE = 5, _("5 sao")


class ProductStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PENDING = "pending", _("Chờ duyệt")
    LISTED = "listed", _("Đang bán")
    RETURNED = "returned", _("Trả lại để sửa")
    UNLISTED = "unlisted", _("Ngừng bán")


class PaymentMethod(models.TextChoices):
    VIETQR = "vietqr", _("Chuyển khoản bằng mã VietQR")
    COD = "cod", _("Trả tiền mặt khi nhận hàng")


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Đã đặt")
    PAID = "paid", _("Đã thanh toán")
    SHIPPED = "shipped", _("Đang giao")
    DELIVERED = "delivered", _("Đã giao")
    CANCELLED = "cancelled", _("Đã hủy")


class BankOutcome(models.TextChoices):
    """What became of a credit the bank reported on a producer's account."""

    PAID = "paid", _("Đã ghi nhận thanh toán")
    UNKNOWN_REFERENCE = "unknown_reference", _("Không khớp đơn hàng nào")
    WRONG_ACCOUNT = "wrong_account", _("Không vào tài khoản của chủ thể bán")
    WRONG_AMOUNT = "wrong_amount", _("Sai số tiền")
    ALREADY_PAID = "already_paid", _("Đơn đã được thanh toán trước đó")
    NOT_PAYABLE = "not_payable", _("Đơn đã hủy hoặc không trả bằng VietQR")


# Which moves each status allows, and who makes them (services.orders).
MOVES: dict[str, tuple[str, ...]] = {
    OrderStatus.PLACED: (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.CANCELLED),
    OrderStatus.PAID: (OrderStatus.SHIPPED, OrderStatus.CANCELLED),
    OrderStatus.SHIPPED: (OrderStatus.DELIVERED, OrderStatus.CANCELLED),
    OrderStatus.DELIVERED: (),
    OrderStatus.CANCELLED: (),
}
# Cancelled before it left the producer, its goods go back on sale; after
# that the producer counts what came back and sets the stock.
RESTOCKED_FROM = (OrderStatus.PLACED, OrderStatus.PAID)
