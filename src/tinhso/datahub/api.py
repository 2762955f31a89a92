"""The data-sharing platform's API: the gateway that client systems call,
the OAuth2 token endpoint they get tokens from, and the service catalog."""

import base64
import binascii
import json
from typing import Any
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from ninja import Router, Schema
from ninja.security import APIKeyHeader, HttpBearer

from tinhso.accounts.policies import is_official
from tinhso.core.errors import DomainError, Forbidden
from tinhso.core.middleware import client_ip
from tinhso.datahub import gateway, policies, selectors, services

router = Router(tags=["Chia sẻ dữ liệu (LGSP)"])


class _Credential:
    MARK = "_tinhso_client"

    def found(self, request: HttpRequest, credential: str) -> Any:
        caller = gateway.authenticate(credential)
        if caller is not None:
            setattr(request, self.MARK, caller)
        return caller


class ClientBearer(_Credential, HttpBearer):
    """``Authorization: Bearer tsa_…`` (OAuth2 token) or ``Bearer tsk_…`` (key)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return self.found(request, token)


class ClientKeyHeader(_Credential, APIKeyHeader):
    """``X-API-Key: tsk_…``."""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return self.found(request, key or "")


CLIENT_AUTH = [ClientBearer(), ClientKeyHeader()]


def _caller(request: HttpRequest) -> gateway.Caller:
    caller = getattr(request, _Credential.MARK, None)
    assert isinstance(caller, gateway.Caller)
    return caller


def _answer(request: HttpRequest, code: str, raw: dict[str, Any]) -> HttpResponse:
    body = gateway.call(_caller(request), code, raw, source_ip=client_ip(request))
    return HttpResponse(body, content_type="application/json")


@router.get(
    "/gateway/{code}",
    auth=CLIENT_AUTH,
    summary="Gọi một dịch vụ dữ liệu (tham số trên địa chỉ)",
    description=(
        "Tham số của dịch vụ và `page`, `page_size` đi trong chuỗi truy vấn. "
        "Dùng POST cho dịch vụ có dữ liệu cá nhân, để số định danh không nằm "
        "trên địa chỉ."
    ),
)
def gateway_get(request: HttpRequest, code: str) -> HttpResponse:
    return _answer(request, code, dict(request.GET.items()))


@router.post(
    "/gateway/{code}",
    auth=CLIENT_AUTH,
    summary="Gọi một dịch vụ dữ liệu (tham số trong thân JSON)",
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": {"type": "object"}}},
            "required": False,
        }
    },
)
def gateway_post(request: HttpRequest, code: str) -> HttpResponse:
    try:
        raw = json.loads(request.body or b"{}")
    except ValueError:
        raw = None
    if not isinstance(raw, dict):
        raise DomainError(
            "invalid_json",
            _("Thân yêu cầu phải là một đối tượng JSON gồm các tham số."),
        )
    return _answer(request, code, raw)


@router.get(
    "/providers/{code}",
    summary="Xem trực tiếp dữ liệu của một nguồn (cán bộ quản trị dữ liệu)",
    description=(
        "Cùng dạng trả lời như cổng, đọc thẳng từ nguồn trên nền tảng, để chọn "
        "dữ liệu trước khi công bố. Nguồn có dữ liệu cá nhân hoặc ở ngoài nền "
        "tảng chỉ đọc được qua cổng."
    ),
)
def provider_preview(request: HttpRequest, code: str) -> HttpResponse:
    if not policies.can_use_datahub(request.user):
        raise Forbidden(
            "not_data_officer", _("Chỉ cán bộ quản trị dữ liệu xem được nguồn dữ liệu.")
        )
    body = gateway.preview(code, dict(request.GET.items()))
    return HttpResponse(body, content_type="application/json")


class TokenOut(Schema):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - the RFC 6750 scheme name
    expires_in: int


def _basic(request: HttpRequest) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return None
    # RFC 6749 §2.3.1: both parts are form-urlencoded before joining.
    return unquote(client_id), unquote(secret)


@router.post(
    "/oauth/token",
    auth=None,
    response=TokenOut,
    summary="Lấy mã truy cập (OAuth2 client credentials)",
    description=(
        "`grant_type=client_credentials` trong thân dạng form; mã hệ thống và "
        "khóa bí mật trong HTTP Basic hoặc `client_id`, `client_secret`."
    ),
)
def token(request: HttpRequest) -> HttpResponse:
    form = request.POST
    if form.get("grant_type") != "client_credentials":
        raise services.OAuthError(
            "unsupported_grant_type",
            _("Chỉ hỗ trợ grant_type=client_credentials."),
        )
    given = _basic(request) or (
        form.get("client_id", ""),
        form.get("client_secret", ""),
    )
    if not all(given):
        raise services.OAuthError(
            "invalid_client",
            _("Cần gửi mã hệ thống và khóa bí mật."),
            status=401,
        )
    access_token, lifetime = services.mint_token(*given)
    body = TokenOut(access_token=access_token, expires_in=lifetime)
    response = HttpResponse(body.model_dump_json(), content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


class FieldOut(Schema):
    name: str
    type: str
    label: str
    personal: str


class ServiceOut(Schema):
    code: str
    name: str
    description: str
    owner: str
    owner_code: str
    classification: str
    status: str
    fields: list[FieldOut]
    published_at: Any = None


@router.get(
    "/services",
    response=list[ServiceOut],
    summary="Danh mục dịch vụ dữ liệu đang cung cấp",
)
def service_catalog(request: HttpRequest) -> Any:
    if not is_official(request.user):
        raise Forbidden("forbidden", _("Danh mục dành cho cán bộ, công chức."))
    return [
        ServiceOut(
            code=s.code,
            name=s.name,
            description=s.description,
            owner=s.owner.name,
            owner_code=s.owner.code,
            classification=s.classification,
            status=s.status,
            fields=[FieldOut(**f) for f in s.schema],
            published_at=s.published_at,
        )
        for s in selectors.published_services()
    ]
