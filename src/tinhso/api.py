"""The one REST API (v1): auth, problem+json errors, pagination convention.

Errors leave as RFC 9457 ``application/problem+json`` with a stable ``code``
and a Vietnamese ``detail``; lists are paged with ``?page=&page_size=`` and
answer ``{items, count, page, page_size}``.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import pydantic_core
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from tinhso.accounts.api import router as accounts_router
from tinhso.accounts.auth import BearerToken, SessionAuth
from tinhso.core.api import router as core_router
from tinhso.core.errors import DomainError
from tinhso.datahub.api import router as datahub_router
from tinhso.documents.api import router as documents_router
from tinhso.dossiers.api import router as dossiers_router
from tinhso.market.api import router as market_router
from tinhso.pki.api import router as pki_router
from tinhso.reporting.api import router as reporting_router

PROBLEM = "application/problem+json"


class Renderer(JSONRenderer):
    """JSON written by pydantic's serialiser, which turns dates, decimals and
    enums into text without a Python call for each (a page of a list holds
    dozens), and leaves Vietnamese readable instead of ``\\u`` escapes.
    Times keep the microseconds they are stored with."""

    _encoder = NinjaJSONEncoder()

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        # Lazy translations and the like: as Django's encoder writes them.
        return pydantic_core.to_json(data, fallback=self._encoder.default)


api = NinjaAPI(
    title="tinhso API",
    version="1",
    description=(
        "API của nền tảng tỉnh số. Xác thực bằng phiên đăng nhập (cookie) "
        "hoặc mã truy cập cá nhân: `Authorization: Bearer tso_…`."
    ),
    auth=[BearerToken(), SessionAuth()],
    urls_namespace="api",
    renderer=Renderer(),
    # Swagger UI otherwise asks validator.swagger.io for a badge, sending it
    # the spec's address: agencies sit on a closed network (DESIGN.md).
    docs=Swagger(settings={"validatorUrl": None}),
)


def problem(
    request: HttpRequest,
    *,
    status: int,
    code: str,
    detail: str,
    title: str | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": f"urn:tinhso:error:{code}",
        "title": title or detail,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.path,
    }
    if extra:
        body.update(extra)
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM
    return response


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return problem(
        request, status=exc.status, code=exc.code, detail=exc.message, extra=exc.extra
    )


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return problem(
        request,
        status=422,
        code="invalid_input",
        detail=_("Dữ liệu gửi lên không hợp lệ."),
        extra={"errors": exc.errors},
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(
        request,
        status=401,
        code="not_authenticated",
        detail=_("Cần đăng nhập hoặc gửi mã truy cập hợp lệ."),
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem(
        request,
        status=403,
        code="forbidden",
        detail=_("Bạn không có quyền làm việc này."),
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(request, status=404, code="not_found", detail=_("Không tìm thấy."))


# django-ninja's own messages are English; users get Vietnamese ones.
_HTTP_MESSAGES = {
    400: ("bad_request", gettext_lazy("Yêu cầu không hợp lệ.")),
    403: (
        "forbidden",
        gettext_lazy("Yêu cầu bị từ chối (phiên làm việc hoặc mã CSRF không hợp lệ)."),
    ),
    405: (
        "method_not_allowed",
        gettext_lazy("Phương thức này không được hỗ trợ ở đây."),
    ),
    429: ("too_many_requests", gettext_lazy("Quá nhiều yêu cầu; hãy thử lại sau.")),
}


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code, message = _HTTP_MESSAGES.get(
        exc.status_code, ("http_error", gettext_lazy("Yêu cầu không thực hiện được."))
    )
    return problem(request, status=exc.status_code, code=code, detail=str(message))


# URLs are matched in this order, one pattern after another: the public
# look-up and the one-stop lists, called most, come first.
api.add_router("/dossiers", dossiers_router)
api.add_router("/", accounts_router)
api.add_router("/orgunits", core_router)
api.add_router("/documents", documents_router)
api.add_router("/pki", pki_router)
api.add_router("/datahub", datahub_router)
api.add_router("/reporting", reporting_router)
api.add_router("/market", market_router)
