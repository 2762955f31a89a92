"""Messages about an order: the producer hears of a new order and of its
payment; the buyer of the payment, the shipping and a cancellation. By
SMS (``accounts.sms``) and e-mail, from a background task once the act has
committed, so a slow gateway never holds a checkout up; each message, sent
or failed, is kept."""

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tinhso.accounts import sms
from tinhso.core.text import thousands
from tinhso.market.models import Order, OrderNotice

PLACED = "placed"
PAID = "paid"
SHIPPED = "shipped"
CANCELLED = "cancelled"
REFUNDED = "refunded"
EVENTS = (PLACED, PAID, SHIPPED, CANCELLED, REFUNDED)


def notify(order: Order, event: str) -> None:
    """Send ``event``'s messages once the current transaction commits."""
    assert event in EVENTS, event
    pk = order.pk
    transaction.on_commit(lambda: send_notices.enqueue(pk, event))


def messages(order: Order, event: str) -> list[tuple[str, str, str]]:
    """(channel, recipient, text) of every message ``event`` sends."""
    facts = {
        "ref": order.reference,
        "amount": thousands(order.amount),
        "lines": ", ".join(
            f"{line.quantity} {line.name}" for line in order.lines.all()
        ),
        "buyer": order.buyer_name,
        "phone": order.phone,
        "producer": order.producer.name,
        "seller_phone": order.producer.phone,
        "reason": order.cancel_reason,
        "shipping": order.shipping_note,
    }
    to_buyer: dict[str, str] = {
        PAID: _(
            "Đơn %(ref)s: %(producer)s đã nhận %(amount)s đồng; đơn sẽ sớm được giao."
        ),
        SHIPPED: _("Đơn %(ref)s đã giao cho đơn vị vận chuyển. %(shipping)s"),
        CANCELLED: _(
            "Đơn %(ref)s đã hủy: %(reason)s. Liên hệ người bán: %(seller_phone)s."
        ),
        REFUNDED: _("Đơn %(ref)s: %(producer)s đã hoàn lại %(amount)s đồng cho bạn."),
    }
    to_producer: dict[str, str] = {
        PLACED: _(
            "Đơn mới %(ref)s: %(lines)s; %(amount)s đồng; người mua %(buyer)s, "
            "%(phone)s."
        ),
        PAID: _("Đơn %(ref)s đã được thanh toán %(amount)s đồng; mời giao hàng."),
        CANCELLED: _("Đơn %(ref)s đã hủy: %(reason)s."),
    }
    sent = []
    if event in to_buyer:
        text = (to_buyer[event] % facts).strip()
        sent += [("sms", order.phone, text), ("email", order.email, text)]
    if event in to_producer:
        text = (to_producer[event] % facts).strip()
        sent += [
            ("sms", order.producer.phone, text),
            ("email", order.producer.email, text),
        ]
    return [(channel, to, text) for channel, to, text in sent if to]


def _send(order: Order, event: str, channel: str, recipient: str, text: str) -> bool:
    subject = _("Đơn hàng %(ref)s") % {"ref": order.reference}
    error = sms.deliver(channel, recipient, subject, text)
    OrderNotice.objects.create(
        order=order,
        event=event,
        channel=channel,
        recipient=recipient,
        text=text,
        sent_at=timezone.now(),
        error=error,
    )
    return not error


@task()
def send_notices(order_id: int, event: str) -> dict[str, int]:
    order = Order.objects.select_related("producer").filter(pk=order_id).first()
    if order is None:
        return {"sent": 0, "failed": 0}
    sent = failed = 0
    with translation.override(settings.LANGUAGE_CODE):
        for channel, recipient, text in messages(order, event):
            if _send(order, event, channel, recipient, text):
                sent += 1
            else:
                failed += 1
    return {"sent": sent, "failed": failed}
