"""Every write of the data-sharing platform's catalog: data services,
client systems and their keys, grants, OAuth2 tokens. Each is audited."""

import datetime as dt
import re
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.tokens import digest, same
from tinhso.core import audit, sharing
from tinhso.core.errors import Conflict, DomainError, Forbidden
from tinhso.core.models import OrgUnit
from tinhso.core.text import nfc
from tinhso.datahub import policies
from tinhso.datahub.constants import (
    KEY_PREFIX,
    ROTATION_OVERLAP_HOURS,
    TOKEN_LIFETIME,
    TOKEN_PREFIX,
    Classification,
    ServiceStatus,
)
from tinhso.datahub.models import AccessToken, Client, ClientKey, DataService, Grant

_CODE = re.compile(r"[a-z0-9][a-z0-9-]{1,62}[a-z0-9]")


def _clean_code(code: str, what: str) -> str:
    code = code.strip().lower()
    if not _CODE.fullmatch(code):
        raise DomainError(
            "invalid_code",
            _(
                "Mã %(what)s gồm 3–64 chữ thường không dấu, chữ số và dấu gạch ngang, "
                "không bắt đầu hay kết thúc bằng dấu gạch ngang."
            )
            % {"what": what},
            extra={"field": "code"},
        )
    return code


def _required(value: str, field: str, message: str) -> str:
    value = nfc(value)
    if not value:
        raise DomainError("field_required", message, extra={"field": field})
    return value


def _may_own(actor: Any, unit: OrgUnit) -> None:
    if not policies.manages_unit(actor, unit):
        raise Forbidden(
            "not_data_officer",
            _("Bạn không quản trị dữ liệu của %(unit)s.") % {"unit": unit.name},
        )


def _may_manage_service(actor: Any, service: DataService) -> None:
    if not policies.can_manage_service(actor, service):
        raise Forbidden(
            "not_service_owner",
            _("Chỉ cán bộ quản trị dữ liệu của %(unit)s mới quản lý được dịch vụ này.")
            % {"unit": service.owner.name},
        )


def _may_manage_client(actor: Any, client: Client) -> None:
    if not policies.can_manage_client(actor, client):
        raise Forbidden(
            "not_client_manager",
            _("Chỉ cán bộ quản trị dữ liệu của %(unit)s mới quản lý được hệ thống này.")
            % {"unit": client.unit.name},
        )


def schema_of(provider: sharing.Provider) -> list[dict[str, Any]]:
    return [
        {"name": f.name, "type": f.type, "label": str(f.label), "personal": f.personal}
        for f in provider.fields
    ]


def _check_classification(classification: str, provider: sharing.Provider) -> None:
    if classification not in Classification.values:
        raise DomainError(
            "invalid_classification",
            _("Phân loại dữ liệu không hợp lệ."),
            extra={"field": "classification"},
        )
    if classification == Classification.PUBLIC and provider.personal_fields():
        raise DomainError(
            "personal_data_not_public",
            _(
                "Nguồn “%(source)s” có dữ liệu cá nhân (%(fields)s) nên không thể "
                "phân loại công khai."
            )
            % {
                "source": provider.label,
                "fields": ", ".join(provider.personal_fields()),
            },
            extra={"field": "classification"},
        )


# Data services ---------------------------------------------------------------


def create_service(
    actor: Any,
    *,
    code: str,
    name: str,
    owner: OrgUnit,
    classification: str,
    source: str,
    description: str = "",
) -> DataService:
    """A draft service over ``source``; its schema is the provider's fields."""
    _may_own(actor, owner)
    code = _clean_code(code, _("dịch vụ"))
    name = _required(name, "name", _("Cần nhập tên dịch vụ."))
    provider = sharing.get(source)
    _check_classification(classification, provider)
    try:
        with transaction.atomic():
            service = DataService.objects.create(
                code=code,
                name=name,
                description=nfc(description),
                owner=owner,
                classification=classification,
                source=provider.code,
                schema=schema_of(provider),
                created_by=actor,
            )
            audit.record(
                "datahub.service.create",
                obj=service,
                detail={"code": code, "source": source, "owner": owner.code},
            )
    except IntegrityError:
        raise Conflict(
            "service_code_taken",
            _("Đã có dịch vụ mã “%(code)s”.") % {"code": code},
            extra={"field": "code"},
        ) from None
    return service


def update_service(
    actor: Any,
    service: DataService,
    *,
    name: str,
    description: str,
    classification: str,
) -> DataService:
    _may_manage_service(actor, service)
    provider = sharing.get(service.source)
    _check_classification(classification, provider)
    with transaction.atomic():
        service.name = _required(name, "name", _("Cần nhập tên dịch vụ."))
        service.description = nfc(description)
        service.classification = classification
        service.schema = schema_of(provider)
        service.save()
        audit.record(
            "datahub.service.update",
            obj=service,
            detail={"classification": classification},
        )
    return service


def _set_status(actor: Any, service: DataService, status: str, action: str) -> None:
    _may_manage_service(actor, service)
    with transaction.atomic():
        service.status = status
        if status == ServiceStatus.PUBLISHED and service.published_at is None:
            service.published_at = timezone.now()
        service.save(update_fields=["status", "published_at", "updated_at"])
        audit.record(action, obj=service, detail={"code": service.code})


def publish_service(actor: Any, service: DataService) -> None:
    """Clients granted the service may call it from now on."""
    _set_status(actor, service, ServiceStatus.PUBLISHED, "datahub.service.publish")


def retire_service(actor: Any, service: DataService) -> None:
    """Every call is refused from now on; grants stay, as history."""
    _set_status(actor, service, ServiceStatus.RETIRED, "datahub.service.retire")


# Client systems and their keys ------------------------------------------------


def register_client(
    actor: Any,
    *,
    code: str,
    name: str,
    unit: OrgUnit,
    description: str = "",
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
) -> Client:
    _may_own(actor, unit)
    code = _clean_code(code, _("hệ thống"))
    name = _required(name, "name", _("Cần nhập tên hệ thống."))
    try:
        with transaction.atomic():
            client = Client.objects.create(
                code=code,
                name=name,
                unit=unit,
                description=nfc(description),
                contact_name=nfc(contact_name),
                contact_email=contact_email.strip(),
                contact_phone=contact_phone.strip(),
                created_by=actor,
            )
            audit.record(
                "datahub.client.register",
                obj=client,
                detail={"code": code, "unit": unit.code},
            )
    except IntegrityError:
        raise Conflict(
            "client_code_taken",
            _("Đã có hệ thống mã “%(code)s”.") % {"code": code},
            extra={"field": "code"},
        ) from None
    return client


def issue_key(
    actor: Any, client: Client, *, expires_at: dt.datetime | None = None
) -> tuple[ClientKey, str]:
    """A new key for ``client``; the secret is returned once and never kept."""
    _may_manage_client(actor, client)
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        key = ClientKey.objects.create(
            client=client,
            prefix=secret[:12],
            key_hash=digest(secret),
            created_by=actor,
            expires_at=expires_at,
        )
        audit.record(
            "datahub.key.issue",
            obj=key,
            detail={"client": client.code, "prefix": key.prefix},
        )
    return key, secret


def rotate_key(
    actor: Any, client: Client, *, overlap_hours: int = ROTATION_OVERLAP_HOURS
) -> tuple[ClientKey, str]:
    """A new key; the client's other live keys stop after ``overlap_hours``
    (0: at once), so the system can switch over without a gap."""
    if not 0 <= overlap_hours <= 24 * 7:
        raise DomainError(
            "invalid_overlap",
            _("Thời gian dùng song song khóa cũ phải từ 0 đến 168 giờ."),
            extra={"field": "overlap_hours"},
        )
    with transaction.atomic():
        key, secret = issue_key(actor, client)
        until = timezone.now() + dt.timedelta(hours=overlap_hours)
        old = ClientKey.objects.filter(client=client, revoked_at__isnull=True).exclude(
            pk=key.pk
        )
        for other in old:
            if other.expires_at is None or other.expires_at > until:
                other.expires_at = until
                other.save(update_fields=["expires_at"])
        audit.record(
            "datahub.key.rotate",
            obj=key,
            detail={"client": client.code, "old_keys_stop": until.isoformat()},
        )
    return key, secret


def revoke_key(actor: Any, key: ClientKey) -> None:
    """The key, and every token minted with it, stop working at once."""
    _may_manage_client(actor, key.client)
    if key.revoked_at is not None:
        return
    with transaction.atomic():
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        AccessToken.objects.filter(key=key).delete()
        audit.record(
            "datahub.key.revoke",
            obj=key,
            detail={"client": key.client.code, "prefix": key.prefix},
        )


def set_suspended(actor: Any, client: Client, *, suspended: bool) -> None:
    """A suspended client is refused everything until resumed."""
    _may_manage_client(actor, client)
    with transaction.atomic():
        client.suspended_at = timezone.now() if suspended else None
        client.save(update_fields=["suspended_at"])
        audit.record(
            "datahub.client.suspend" if suspended else "datahub.client.resume",
            obj=client,
            detail={"code": client.code},
        )


# Grants -----------------------------------------------------------------------


def _clean_fields(service: DataService, fields: list[str]) -> list[str]:
    known = [f["name"] for f in service.schema]
    unknown = sorted(set(fields) - set(known))
    if unknown:
        raise DomainError(
            "unknown_field",
            _("Dịch vụ không có trường: %(names)s.") % {"names": ", ".join(unknown)},
            extra={"field": "fields"},
        )
    # Every field named is the same as none: keep the grant open to new ones.
    return [] if set(fields) == set(known) else [f for f in known if f in fields]


def grant_access(
    actor: Any,
    *,
    client: Client,
    service: DataService,
    purpose: str,
    fields: list[str] | None = None,
    personal_data: bool = False,
    daily_quota: int | None = None,
    valid_until: dt.date | None = None,
) -> Grant:
    """Let ``client`` call ``service`` within these limits. Unmasked
    personal data needs a stated purpose and a service that holds it."""
    _may_manage_service(actor, service)
    purpose = _required(
        purpose,
        "purpose",
        _("Cần ghi mục đích và căn cứ khai thác (Nghị định 13/2023/NĐ-CP)."),
    )
    chosen = _clean_fields(service, fields or [])
    if personal_data and not service.personal_fields():
        personal_data = False
    if daily_quota is not None and daily_quota < 1:
        raise DomainError(
            "invalid_quota",
            _("Số lượt gọi mỗi ngày phải từ 1 trở lên (bỏ trống là không giới hạn)."),
            extra={"field": "daily_quota"},
        )
    if valid_until is not None and valid_until < timezone.localdate():
        raise DomainError(
            "invalid_valid_until",
            _("Ngày hết hiệu lực đã qua."),
            extra={"field": "valid_until"},
        )
    try:
        with transaction.atomic():
            grant = Grant.objects.create(
                client=client,
                service=service,
                fields=chosen,
                personal_data=personal_data,
                purpose=purpose,
                daily_quota=daily_quota,
                valid_until=valid_until,
                granted_by=actor,
            )
            audit.record(
                "datahub.grant.create",
                obj=grant,
                detail={
                    "client": client.code,
                    "service": service.code,
                    "fields": chosen,
                    "personal_data": personal_data,
                    "daily_quota": daily_quota,
                },
            )
    except IntegrityError:
        raise Conflict(
            "already_granted",
            _("Hệ thống “%(client)s” đã được cấp quyền khai thác dịch vụ này.")
            % {"client": client.name},
        ) from None
    return grant


def revoke_grant(actor: Any, grant: Grant) -> None:
    _may_manage_service(actor, grant.service)
    if grant.revoked_at is not None:
        return
    with transaction.atomic():
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        audit.record(
            "datahub.grant.revoke",
            obj=grant,
            detail={"client": grant.client.code, "service": grant.service.code},
        )


# OAuth2 client credentials (RFC 6749 §4.4) -------------------------------------


class OAuthError(DomainError):
    """An error of the token endpoint, with its RFC 6749 ``error`` code."""

    def __init__(self, error: str, message: str, *, status: int = 400) -> None:
        super().__init__(
            error,
            message,
            status=status,
            extra={"error": error, "error_description": message},
        )


def mint_token(client_code: str, secret: str) -> tuple[str, int]:
    """An access token for a client that proves itself with one of its
    live keys; returns the token and its lifetime in seconds."""
    now = timezone.now()
    key = (
        ClientKey.objects.filter(
            key_hash=digest(secret),
            revoked_at__isnull=True,
            client__suspended_at__isnull=True,
        )
        .select_related("client")
        .first()
    )
    if (
        key is None
        or not same(key.client.code, client_code.strip().lower())
        or (key.expires_at is not None and key.expires_at <= now)
    ):
        raise OAuthError(
            "invalid_client",
            _("Mã hệ thống hoặc khóa bí mật không đúng, đã bị thu hồi hoặc hết hạn."),
            status=401,
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    lifetime = TOKEN_LIFETIME
    if key.expires_at is not None:
        # A token never outlives the key it came from.
        lifetime = min(lifetime, int((key.expires_at - now).total_seconds()))
    with transaction.atomic():
        AccessToken.objects.filter(key__client=key.client, expires_at__lte=now).delete()
        AccessToken.objects.create(
            key=key,
            token_hash=digest(token),
            expires_at=now + dt.timedelta(seconds=lifetime),
        )
    return token, lifetime
