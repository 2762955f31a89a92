from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register


@register("tinhso")
def sms_gateway_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """The console SMS gateway prints verification codes into the server log."""
    if settings.SMS_BACKEND == "console" and not settings.DEBUG:
        return [
            Warning(
                "SMS verification codes are printed to the console, not sent.",
                hint="Set TINHSO_SMS_BACKEND to the province's SMS gateway class.",
                id="tinhso.W001",
            )
        ]
    return []
