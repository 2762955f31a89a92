"""The gateway: one controlled way in to every data service.

A call names a service and carries a client's credential (an OAuth2 access
token or an API key). It is answered only under a live grant of that
client on that published service, within the grant's quota, with the
grant's fields and with personal data masked unless the grant allows it;
every call (answered or refused) is written to the chained access log.
Nothing here is cached: a revoked key or grant stops the next call.
"""

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

import pydantic_core

from tinhso.accounts.tokens import digest
from tinhso.core import sharing
from tinhso.core.errors import DomainError
from tinhso.core.masking import mask
from tinhso.core.pagination import MAX_PAGE_SIZE
from tinhso.core.prepared import prepared
from tinhso.datahub import accesslog
from tinhso.datahub.constants import KEY_PREFIX, TOKEN_PREFIX, ServiceStatus
from tinhso.datahub.models import AccessToken, ClientKey, Grant


@dataclass(frozen=True)
class Caller:
    client_id: int
    client_code: str
    key_id: int


@prepared
def _token_row(token_hash: str) -> QuerySet[AccessToken, tuple[Any, ...]]:
    return AccessToken.objects.filter(
        token_hash=token_hash,
        key__revoked_at__isnull=True,
        key__client__suspended_at__isnull=True,
    ).values_list(
        "expires_at", "key_id", "key__expires_at", "key__client_id", "key__client__code"
    )


@prepared
def _key_row(key_hash: str) -> QuerySet[ClientKey, tuple[Any, ...]]:
    return ClientKey.objects.filter(
        key_hash=key_hash,
        revoked_at__isnull=True,
        client__suspended_at__isnull=True,
    ).values_list("pk", "expires_at", "last_used_at", "client_id", "client__code")


def authenticate(credential: str) -> Caller | None:
    """The client behind a live token or key; None for anything else.

    Read on every call, never cached: a revoked key stops the next call.
    """
    now = timezone.now()
    if credential.startswith(TOKEN_PREFIX):
        tokens = _token_row(digest(credential))
        if not tokens:
            return None
        expires, key_id, key_expires, client_id, client_code = tokens[0]
        if expires <= now or (key_expires is not None and key_expires <= now):
            return None
        return Caller(client_id, client_code, key_id)
    if not credential.startswith(KEY_PREFIX):
        return None
    keys = _key_row(digest(credential))
    if not keys:
        return None
    key_id, expires_at, last_used, client_id, client_code = keys[0]
    if expires_at is not None and expires_at <= now:
        return None
    # Touch at most once a minute: a busy client should not write per call.
    if last_used is None or now - last_used > dt.timedelta(minutes=1):
        ClientKey.objects.filter(pk=key_id).update(last_used_at=now)
    return Caller(client_id, client_code, key_id)


@prepared
def _grant_row(client_id: int, service_code: str) -> QuerySet[Grant]:
    return Grant.objects.filter(
        client_id=client_id, service__code=service_code, revoked_at__isnull=True
    ).select_related("service")


def _live_grant(caller: Caller, service_code: str) -> Grant | None:
    grants = _grant_row(caller.client_id, service_code[:64])
    return grants[0] if grants else None


def _refusal(
    status: int, code: str, message: str, extra: dict[str, Any] | None = None
) -> DomainError:
    return DomainError(code, message, status=status, extra=extra)


def _check(grant: Grant | None, caller: Caller, service_code: str) -> None:
    if grant is None:
        raise _refusal(
            403,
            "not_granted",
            _(
                "Hệ thống “%(client)s” chưa được cấp quyền khai thác dịch vụ "
                "“%(service)s”, hoặc dịch vụ không có."
            )
            % {"client": caller.client_code, "service": service_code},
        )
    service = grant.service
    if service.status != ServiceStatus.PUBLISHED:
        raise _refusal(
            403,
            "service_not_published",
            _("Dịch vụ “%(service)s” hiện không cung cấp.") % {"service": service.code},
        )
    if grant.valid_until is not None and grant.valid_until < timezone.localdate():
        raise _refusal(
            403,
            "grant_expired",
            _("Quyền khai thác dịch vụ “%(service)s” đã hết hiệu lực ngày %(day)s.")
            % {"service": service.code, "day": grant.valid_until.strftime("%d/%m/%Y")},
        )


def _page(raw: Mapping[str, Any], provider: sharing.Provider) -> tuple[int, int]:
    def number(name: str, default: int, top: int) -> int:
        value = raw.get(name, default)
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= top:
            raise _refusal(
                400,
                "invalid_parameter",
                _("Tham số “%(name)s” phải là số từ 1 đến %(top)s.")
                % {"name": name, "top": top},
                {"parameter": name},
            )
        return number

    size_top = min(MAX_PAGE_SIZE, provider.max_limit)
    return number("page", 1, 10**6), number("page_size", min(50, size_top), size_top)


def _shaped(
    items: list[dict[str, Any]], grant: Grant, provider: sharing.Provider
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Rows cut to the grant's fields, personal data masked unless granted.
    Returns the rows, the personal fields handed over, those masked.

    Personal fields are the provider's as it declares them now, with those
    of the schema as published: a field flagged since is masked at once.
    """
    names = grant.fields or [f["name"] for f in grant.service.schema]
    personal = {**grant.service.personal_fields(), **provider.personal_fields()}
    masked = [] if grant.personal_data else [n for n in names if n in personal]
    shown = [n for n in names if n in personal and n not in masked]
    rows = []
    for item in items:
        row = {name: item.get(name) for name in names}
        for name in masked:
            row[name] = mask(personal[name], row[name])
        rows.append(row)
    return rows, shown if items else [], masked


def _json(data: dict[str, Any]) -> bytes:
    return pydantic_core.to_json(data)


def call(
    caller: Caller,
    service_code: str,
    raw: Mapping[str, Any],
    *,
    source_ip: str | None = None,
) -> bytes:
    """The JSON answer of one gateway call, logged whatever happens.

    ``raw`` holds the service's parameters plus ``page`` and ``page_size``.
    A refusal is logged, then raised as a DomainError.
    """
    started = time.perf_counter()
    # The log's column is this wide; no service code is longer.
    service_code = service_code[:64]
    params = {k: v for k, v in raw.items() if k not in ("page", "page_size")}
    grant: Grant | None = None
    counted = False

    def log(status: int, outcome: str, **more: Any) -> None:
        accesslog.append(
            client_code=caller.client_code,
            service_code=service_code,
            grant_id=grant.pk if grant else None,
            params=_logged(params),
            status=status,
            outcome=outcome,
            latency_us=int((time.perf_counter() - started) * 1e6),
            source_ip=source_ip,
            counted=counted,
            **more,
        )

    try:
        grant = _live_grant(caller, service_code)
        _check(grant, caller, service_code)
        assert grant is not None
        provider = sharing.get(grant.service.source)
        # Every call the grant lets through counts, well-formed or not.
        if grant.daily_quota is not None:
            if not accesslog.take_quota(grant.pk, grant.daily_quota):
                raise _refusal(
                    429,
                    "quota_exceeded",
                    _(
                        "Hệ thống đã dùng hết %(quota)s lượt gọi trong ngày của dịch "
                        "vụ “%(service)s”; hạn mức được tính lại từ 0 giờ."
                    )
                    % {"quota": grant.daily_quota, "service": service_code},
                )
            counted = True
        page, size = _page(raw, provider)
        clean = sharing.clean_params(provider, params)
        rows = provider.fetch(clean, (page - 1) * size, size)
        items, shown, masked = _shaped(rows.items, grant, provider)
        body = _json(
            {
                "service": service_code,
                "items": items,
                "count": rows.total,
                "page": page,
                "page_size": size,
                "masked_fields": masked,
            }
        )
    except DomainError as exc:
        log(exc.status, exc.code)
        raise
    except Exception:
        # A fault of ours or of a source: on record too, then a 500.
        log(500, "internal_error")
        raise
    log(200, "ok", rows=len(items), size=len(body), personal=shown)
    return body


def _logged(params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters as the log keeps them: in full (the log is how a person's
    data being asked for is proved), but never more than a line each."""
    return {
        str(k)[:64].replace("\x00", ""): str(v)[:200].replace("\x00", "")
        for k, v in params.items()
    }


def preview(source: str, raw: Mapping[str, Any]) -> bytes:
    """A provider's answer read directly, for a data officer choosing what
    to publish: no grant, quota or log, so never personal or outside data."""
    provider = sharing.get(source)
    if provider.external or provider.personal_fields():
        raise _refusal(
            403,
            "preview_not_allowed",
            _(
                "Nguồn “%(source)s” có dữ liệu cá nhân hoặc ở ngoài nền tảng: chỉ đọc "
                "được qua cổng, theo quyền khai thác."
            )
            % {"source": provider.label},
        )
    page, size = _page(raw, provider)
    params = {k: v for k, v in raw.items() if k not in ("page", "page_size")}
    rows = provider.fetch(
        sharing.clean_params(provider, params), (page - 1) * size, size
    )
    names = provider.field_names()
    return _json(
        {
            "service": source,
            "items": [{n: item.get(n) for n in names} for item in rows.items],
            "count": rows.total,
            "page": page,
            "page_size": size,
            "masked_fields": [],
        }
    )
