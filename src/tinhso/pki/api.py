"""Certificates and trusted roots in the API (mounted at /api/v1/pki)."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from tinhso.accounts.auth import current_user
from tinhso.accounts.models import User
from tinhso.core.errors import DomainError, NotFound
from tinhso.core.models import OrgUnit
from tinhso.core.pagination import Paged
from tinhso.pki import policies, selectors, services
from tinhso.pki.forms import MAX_CERTIFICATE_BYTES
from tinhso.pki.models import Certificate

router = Router(tags=["Chứng thư số"])


class OwnerOut(Schema):
    kind: str
    id: int
    name: str
    username: str | None


class CertificateOut(Schema):
    id: int
    owner: OwnerOut
    common_name: str
    serial: str
    issuer_name: str
    not_before: dt.datetime
    not_after: dt.datetime
    fingerprint: str
    key_kind: str
    pkcs11_token_label: str
    pkcs11_key_label: str
    demo: bool
    active: bool
    created_at: dt.datetime
    certificate_pem: str

    @staticmethod
    def resolve_owner(obj: Certificate) -> dict[str, Any]:
        if obj.org_unit is not None:
            unit = obj.org_unit
            return {
                "kind": "org_unit",
                "id": unit.pk,
                "name": unit.name,
                "username": None,
            }
        user = obj.user
        assert user is not None
        return {
            "kind": "user",
            "id": user.pk,
            "name": user.full_name or user.username,
            "username": user.username,
        }


class RootOut(Schema):
    id: int
    name: str
    fingerprint: str
    not_after: dt.datetime
    demo: bool
    active: bool
    added_at: dt.datetime


class OwnerIn(Schema):
    owner_user_id: int | None = Field(None, description="Cán bộ giữ chứng thư số")
    owner_unit_id: int | None = Field(
        None, description="Hoặc: cơ quan (chữ ký số của cơ quan)"
    )


class Pkcs11In(OwnerIn):
    module_path: str
    token_label: str
    key_label: str
    certificate_pem: str | None = Field(
        None, description="Để trống để đọc chứng thư số từ token"
    )


class DemoIn(OwnerIn):
    key_type: str = Field("ec", pattern="^(ec|rsa)$")


class ReasonIn(Schema):
    reason: str = Field("", max_length=500)


def _owner(request: HttpRequest, payload: OwnerIn) -> User | OrgUnit:
    """The owner named in ``payload``, among those the caller administers."""
    if (payload.owner_user_id is None) == (payload.owner_unit_id is None):
        raise DomainError(
            "pki_owner_required",
            _("Cần chỉ rõ một chủ sở hữu: owner_user_id hoặc owner_unit_id."),
        )
    owner: User | OrgUnit | None
    if payload.owner_user_id is not None:
        users = selectors.owner_users(request.user)
        owner = users.filter(pk=payload.owner_user_id).first()
    else:
        assert payload.owner_unit_id is not None
        units = selectors.owner_units(request.user)
        owner = units.filter(pk=payload.owner_unit_id).first()
    if owner is None:
        raise NotFound("pki_owner_not_found", _("Không tìm thấy chủ sở hữu."))
    if not policies.can_manage_certificates_of(request.user, owner):
        raise PermissionDenied
    return owner


def _require_admin(request: HttpRequest) -> None:
    if not policies.can_view_pki(request.user):
        raise PermissionDenied


def _read(upload: UploadedFile) -> bytes:
    if upload.size is not None and upload.size > MAX_CERTIFICATE_BYTES:
        raise DomainError(
            "pki_file_too_large",
            _("Tệp quá lớn để là một chứng thư số (tối đa 256 KB)."),
        )
    return b"".join(upload.chunks())


# Trusted roots ------------------------------------------------------------------


@router.get("/roots", response=list[RootOut], summary="CA gốc (tin cậy và đã thôi)")
@paginate(Paged)
def list_roots(request: HttpRequest) -> Any:
    if not policies.can_download_root(request.user):
        raise PermissionDenied
    return selectors.roots()


@router.post("/roots", response={201: RootOut}, summary="Thêm CA gốc tin cậy")
def import_root(
    request: HttpRequest, file: File[UploadedFile], name: Form[str] = ""
) -> Any:
    if not policies.can_manage_trust(request.user):
        raise PermissionDenied
    root = services.import_trusted_root(
        _read(file), name=name, actor=current_user(request)
    )
    return Status(201, root)


@router.get(
    "/roots/{int:root_id}/pem",
    response={200: None},
    summary="Tệp PEM của CA gốc (để tự kiểm tra chữ ký)",
)
def root_pem(request: HttpRequest, root_id: int) -> HttpResponse:
    if not policies.can_download_root(request.user):
        raise PermissionDenied
    root = selectors.get_root(root_id)
    return HttpResponse(selectors.root_pem(root), content_type="application/x-pem-file")


def _set_root(request: HttpRequest, root_id: int, *, active: bool) -> Any:
    if not policies.can_manage_trust(request.user):
        raise PermissionDenied
    return services.set_root_active(
        selectors.get_root(root_id), active=active, actor=current_user(request)
    )


@router.post("/roots/{int:root_id}/withdraw", response=RootOut, summary="Thôi tin cậy")
def withdraw_root(request: HttpRequest, root_id: int) -> Any:
    return _set_root(request, root_id, active=False)


@router.post("/roots/{int:root_id}/restore", response=RootOut, summary="Tin cậy lại")
def restore_root(request: HttpRequest, root_id: int) -> Any:
    return _set_root(request, root_id, active=True)


# Certificates -------------------------------------------------------------------


@router.get(
    "/certificates",
    response=list[CertificateOut],
    summary="Chứng thư số trong phạm vi quản trị",
)
@paginate(Paged)
def list_certificates(request: HttpRequest, q: str = "") -> Any:
    _require_admin(request)
    return selectors.visible_certificates(request.user, q[:100])


@router.get(
    "/certificates/mine",
    response=list[CertificateOut],
    summary="Chứng thư số của tôi",
)
def my_certificates(request: HttpRequest) -> Any:
    if not policies.can_view_own_certificates(request.user):
        raise PermissionDenied
    return list(selectors.own_certificates(request.user).select_related("user"))


@router.get(
    "/certificates/{int:certificate_id}",
    response=CertificateOut,
    summary="Một chứng thư số",
)
def get_certificate(request: HttpRequest, certificate_id: int) -> Any:
    _require_admin(request)
    return selectors.get_certificate_for(request.user, certificate_id)


@router.post(
    "/certificates/pkcs12",
    response={201: CertificateOut},
    summary="Nhập chứng thư số và khóa từ tệp PKCS#12",
)
def import_pkcs12(
    request: HttpRequest,
    file: File[UploadedFile],
    owner: Form[OwnerIn],
    password: Form[str] = "",
) -> Any:
    _require_admin(request)
    certificate = services.import_certificate(
        _read(file), password, _owner(request, owner), actor=current_user(request)
    )
    return Status(201, certificate)


@router.post(
    "/certificates/pkcs11",
    response={201: CertificateOut},
    summary="Đăng ký chứng thư số có khóa trên token/HSM (PKCS#11)",
)
def register_pkcs11(request: HttpRequest, payload: Pkcs11In) -> Any:
    _require_admin(request)
    certificate = services.register_pkcs11_certificate(
        _owner(request, payload),
        module_path=payload.module_path,
        token_label=payload.token_label,
        key_label=payload.key_label,
        certificate_data=(
            payload.certificate_pem.encode() if payload.certificate_pem else None
        ),
        actor=current_user(request),
    )
    return Status(201, certificate)


@router.post(
    "/certificates/demo",
    response={201: CertificateOut},
    summary="Cấp chứng thư số thử nghiệm (cần CA thử nghiệm)",
)
def issue_demo(request: HttpRequest, payload: DemoIn) -> Any:
    _require_admin(request)
    certificate = services.issue_demo_certificate(
        _owner(request, payload),
        key_type=payload.key_type,
        actor=current_user(request),
    )
    return Status(201, certificate)


def _set_certificate(
    request: HttpRequest, certificate_id: int, payload: ReasonIn, *, active: bool
) -> Any:
    _require_admin(request)
    certificate = selectors.get_certificate_for(request.user, certificate_id)
    return services.set_certificate_active(
        certificate,
        active=active,
        reason=payload.reason,
        actor=current_user(request),
    )


@router.post(
    "/certificates/{int:certificate_id}/deactivate",
    response=CertificateOut,
    summary="Ngừng sử dụng chứng thư số",
)
def deactivate_certificate(
    request: HttpRequest, certificate_id: int, payload: ReasonIn
) -> Any:
    return _set_certificate(request, certificate_id, payload, active=False)


@router.post(
    "/certificates/{int:certificate_id}/reactivate",
    response=CertificateOut,
    summary="Cho dùng lại chứng thư số",
)
def reactivate_certificate(
    request: HttpRequest, certificate_id: int, payload: ReasonIn
) -> Any:
    return _set_certificate(request, certificate_id, payload, active=True)
