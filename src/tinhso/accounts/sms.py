"""SMS gateways. The default prints to the console; a province plugs in its
carrier's gateway with TINHSO_SMS_BACKEND=package.module.ClassName."""

import logging
import sys
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from tinhso.core.text import unaccented

logger = logging.getLogger(__name__)


class SMSGateway(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleSMS:
    """Prints messages instead of sending them: for development and demos."""

    def send(self, phone: str, text: str) -> None:
        print(f"[SMS → {phone}] {text}", file=sys.stderr, flush=True)


class OutboxSMS:
    """Keeps messages in memory; tests read ``OutboxSMS.sent``."""

    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))


def gateway() -> SMSGateway:
    backend = settings.SMS_BACKEND
    if backend == "console":
        return ConsoleSMS()
    cls = import_string(backend)
    return cls()


def deliver(channel: str, recipient: str, subject: str, text: str) -> str:
    """Send ``text`` to ``recipient`` by ``channel`` ("sms", else e-mail);
    the error, or "" once sent. SMS go without diacritics, which carriers
    send as plain 160-character text. A gateway's failure is returned, not
    raised, so that one failed channel never loses the others."""
    try:
        if channel == "sms":
            gateway().send(recipient, unaccented(text))
        else:
            send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [recipient])
    except Exception as exc:  # any gateway, any failure
        logger.warning("message to %s by %s failed: %s", recipient, channel, exc)
        return str(exc)[:300] or exc.__class__.__name__
    return ""
