"""Who may do what on the OCOP marketplace.

A producer's own account manages its listings and its orders. Market
officers approve producers and products and watch every order; they never
handle a producer's money. A buyer sees an order they placed signed in, or
with the order's access key when they bought as a guest.
"""

import hmac
from typing import Any

from tinhso.accounts.models import Role
from tinhso.accounts.policies import holds_role_at_kind, is_official
from tinhso.core.models import OrgUnitKind
from tinhso.market.constants import OrderStatus
from tinhso.market.models import Order, Producer, Product


def is_market_officer(user: Any) -> bool:
    """The province's market officers, who sit in a provincial agency (the
    Department of Industry and Trade, say), and its administrators: the
    market is one for the whole province, not a commune's."""
    return is_official(user) and (
        holds_role_at_kind(user, Role.MARKET_OFFICER, OrgUnitKind.PROVINCE)
        or holds_role_at_kind(user, Role.MARKET_OFFICER, OrgUnitKind.AGENCY)
        or holds_role_at_kind(user, Role.ADMINISTRATOR, OrgUnitKind.PROVINCE)
    )


def producer_of(user: Any) -> Producer | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Producer.objects.filter(owner=user).select_related("commune").first()


def can_register_producer(user: Any) -> bool:
    """Businesses and business households sign up their own producer."""
    return (
        getattr(user, "is_authenticated", False)
        and not is_official(user)
        and producer_of(user) is None
    )


def can_sell(user: Any) -> bool:
    """The seller's pages: a producer's own account, approved or not yet."""
    return producer_of(user) is not None


def can_manage_product(user: Any, product: Product) -> bool:
    return getattr(user, "is_authenticated", False) and (
        product.producer.owner_id == user.pk
    )


def can_handle_order(user: Any, order: Order) -> bool:
    """Confirming payment, shipping, delivering, cancelling: the producer."""
    return getattr(user, "is_authenticated", False) and (
        order.producer.owner_id == user.pk
    )


def _key_matches(key: str, order: Order) -> bool:
    return bool(key) and hmac.compare_digest(
        key.encode("utf-8", "replace"), order.access_key.encode()
    )


def can_view_order(user: Any, order: Order, key: str = "") -> bool:
    if _key_matches(key, order):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        order.buyer_id == user.pk
        or can_handle_order(user, order)
        or is_market_officer(user)
    )


def can_cancel_as_buyer(user: Any, order: Order, key: str = "") -> bool:
    """A buyer may cancel an order nobody has paid or shipped yet."""
    return order.status == OrderStatus.PLACED and (
        _key_matches(key, order)
        or (getattr(user, "is_authenticated", False) and order.buyer_id == user.pk)
    )
