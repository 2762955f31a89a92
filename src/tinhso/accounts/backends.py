from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from tinhso.accounts import services
from tinhso.core.errors import DomainError


class AccountBackend(ModelBackend):
    """Password check with lockout; the login view adds the second factor."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None or password is None:
            return None
        try:
            return services.check_credentials(username, password)
        except DomainError:
            return None
