"""API authentication: a session cookie (pages) or a personal bearer token."""

from typing import Any

from django.http import HttpRequest

from ninja.security import HttpBearer
from ninja.security.session import SessionAuth as NinjaSessionAuth

from tinhso.accounts import services
from tinhso.accounts.models import User
from tinhso.core import context
from tinhso.core.middleware import client_ip


class BearerToken(HttpBearer):
    MARK = "_tinhso_bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = services.authenticate_token(token)
        if user is None:
            return None
        request.user = user
        setattr(request, self.MARK, True)
        # The audit log names the token's owner for what this request writes.
        context.set_current(context.Actor(user=user, source_ip=client_ip(request)))
        return user

    @classmethod
    def used(cls, request: HttpRequest) -> bool:
        """Whether this request was authenticated with a bearer token."""
        return getattr(request, cls.MARK, False)


class SessionAuth(NinjaSessionAuth):
    """Session cookie with CSRF checked on writes, as for pages."""


def current_user(request: HttpRequest) -> User:
    """The signed-in account of an authenticated request."""
    user = request.user
    assert isinstance(user, User), "called on an unauthenticated request"
    return user
