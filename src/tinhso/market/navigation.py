"""Menu entries of the marketplace: the seller's pages and the officer's."""

from django.utils.translation import gettext_lazy as _

from tinhso.core.modules import Module, register
from tinhso.market.policies import can_sell, is_market_officer


def register_modules() -> None:
    register(
        Module(
            code="market_seller",
            label=_("Bán hàng OCOP"),
            url_name="market:seller",
            order=240,
            allowed=can_sell,
        )
    )
    register(
        Module(
            code="market_admin",
            label=_("Quản lý sàn OCOP"),
            url_name="market:review",
            order=230,
            allowed=is_market_officer,
        )
    )
