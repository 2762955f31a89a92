from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register


@register("tinhso")
def payment_account_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Fees paid by VietQR would go to the demo account, which is nobody's."""
    if settings.PAYMENT_ACCOUNT == settings.DEMO_PAYMENT_ACCOUNT and not settings.DEBUG:
        return [
            Warning(
                "VietQR codes pay fees into the demo account.",
                hint="Set TINHSO_PAYMENT_BANK_BIN, TINHSO_PAYMENT_ACCOUNT and "
                "TINHSO_PAYMENT_ACCOUNT_NAME to the agency's fee account.",
                id="tinhso.W002",
            )
        ]
    return []
