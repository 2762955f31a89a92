from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tinhso.core import context


def client_ip(request: HttpRequest) -> str | None:
    # Behind a reverse proxy operators set REMOTE_ADDR from the proxy (for
    # example with the server's --forwarded-allow-ips); X-Forwarded-For is
    # not trusted here because any client can send it.
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Makes the request's user and address known to the audit log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        token = context.set_current(
            context.Actor(user=user, source_ip=client_ip(request))
        )
        try:
            return self.get_response(request)
        finally:
            context.reset(token)


class VietnameseFirstMiddleware:
    """Vietnamese unless the user chose otherwise with the language switch.

    Officials' browsers are often set to English; the platform still speaks
    Vietnamese to them until they pick English, which sets a cookie that
    LocaleMiddleware (placed after this) honours.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
