"""The marketplace's indicators for reporting, each figure per producer's
commune and day.

Orders count on the day they were placed; money on the day it was paid
(VietQR credited, or cash taken on delivery), whatever became of the order
later, so that a day's figure never changes once reporting has read it.
Listed products are a daily count, by star rating, read from when each
product went on sale and when it last stopped being on sale (a producer's
suspension does not rewrite them).
"""

import datetime as dt
from collections.abc import Callable

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.core import metrics
from tinhso.core.metrics import Figure, Indicator
from tinhso.market.constants import PaymentMethod
from tinhso.market.models import Order, Product

UNIT = "producer__commune_id"


def _paid() -> QuerySet[Order]:
    return Order.objects.filter(paid_at__isnull=False)


def orders(first: dt.date, last: dt.date) -> list[Figure]:
    return metrics.daily(Order.objects.all(), "placed_at", first, last, unit=UNIT)


def transaction_value(first: dt.date, last: dt.date) -> list[Figure]:
    return metrics.daily(
        _paid(), "paid_at", first, last, unit=UNIT, value=Sum("amount")
    )


def paid_cashless(first: dt.date, last: dt.date) -> list[Figure]:
    return metrics.daily(
        _paid(),
        "paid_at",
        first,
        last,
        unit=UNIT,
        counted=Q(payment_method=PaymentMethod.VIETQR),
    )


def _listed(stars: int | None) -> Callable[[dt.date, dt.date], list[Figure]]:
    def compute(first: dt.date, last: dt.date) -> list[Figure]:
        products = Product.objects.filter(first_listed_at__isnull=False)
        if stars is not None:
            products = products.filter(stars=stars)
        return metrics.levels(
            (
                (
                    unit_id,
                    timezone.localdate(listed),
                    timezone.localdate(unlisted) if unlisted else None,
                )
                for unit_id, listed, unlisted in products.values_list(
                    "producer__commune_id", "first_listed_at", "unlisted_at"
                )
            ),
            first,
            last,
        )

    return compute


INDICATORS = [
    Indicator(
        code="market.san_pham",
        label=_("Sản phẩm OCOP đang bán trên sàn"),
        description=_("Số sản phẩm OCOP đang bán trên sàn vào cuối mỗi ngày."),
        compute=_listed(None),
    ),
    Indicator(
        code="market.san_pham_3sao",
        label=_("Sản phẩm OCOP 3 sao đang bán trên sàn"),
        description=_("Số sản phẩm OCOP 3 sao đang bán vào cuối mỗi ngày."),
        compute=_listed(3),
    ),
    Indicator(
        code="market.san_pham_4sao",
        label=_("Sản phẩm OCOP 4 sao đang bán trên sàn"),
        description=_("Số sản phẩm OCOP 4 sao đang bán vào cuối mỗi ngày."),
        compute=_listed(4),
    ),
    Indicator(
        code="market.san_pham_5sao",
        label=_("Sản phẩm OCOP 5 sao đang bán trên sàn"),
        description=_("Số sản phẩm OCOP 5 sao đang bán vào cuối mỗi ngày."),
        compute=_listed(5),
    ),
    Indicator(
        code="market.don_hang",
        label=_("Đơn hàng trên sàn OCOP"),
        description=_("Số đơn hàng người mua đặt trong kỳ."),
        compute=orders,
    ),
    Indicator(
        code="market.gia_tri",
        label=_("Giá trị giao dịch trên sàn OCOP"),
        description=_(
            "Tổng tiền (đồng) các đơn được thanh toán trong kỳ, kể cả đơn sau đó hủy."
        ),
        compute=transaction_value,
    ),
    Indicator(
        code="market.khong_tien_mat",
        label=_("Tỷ lệ đơn OCOP thanh toán không dùng tiền mặt"),
        description=_(
            "Đơn thanh toán bằng VietQR trên tổng số đơn đã thanh toán trong kỳ."
        ),
        compute=paid_cashless,
        share=True,
    ),
]


def register_indicators() -> None:
    for indicator in INDICATORS:
        metrics.register(indicator)
