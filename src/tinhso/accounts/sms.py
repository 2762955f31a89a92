"""SMS gateways. The default prints to the console; a province plugs in its
carrier's gateway with TINHSO_SMS_BACKEND=package.module.ClassName."""

import logging
import sys
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

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
