from typing import Any

from django.http import HttpRequest

from tinhso.core.modules import visible_modules
from tinhso.core.selectors import province_name


def platform(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "province_name": province_name(),
        "nav_modules": visible_modules(user),
    }
