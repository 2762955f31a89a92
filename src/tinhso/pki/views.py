"""Certificate pages: trusted roots, certificates of people and agencies.

Parse, ask the policy, call a service or selector, render. Plain forms and
links; htmx only swaps the search results.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from cryptography import x509

from tinhso.core import files
from tinhso.core.errors import DomainError
from tinhso.pki import pkcs11, policies, selectors, services
from tinhso.pki.forms import (
    DeactivateForm,
    DemoIssueForm,
    OwnerForm,
    Pkcs11RegisterForm,
    Pkcs12ImportForm,
    RootImportForm,
)
from tinhso.pki.models import Certificate, TrustedRoot

PER_PAGE = 50

# Which form field a service's refusal belongs next to.
FIELD_OF_ERROR = {
    "pki_wrong_passphrase": "password",
    "pki_p12_incomplete": "bundle",
    "pki_not_a_certificate": "certificate",
    "pki_not_ca": "certificate",
    "pki_root_duplicate": "certificate",
    "pki_owner_not_official": "username",
    "pki_owner_legacy": "unit_code",
    "pki_pkcs11_module_not_allowed": "module_path",
    "pki_pkcs11_module_missing": "module_path",
    "pki_pkcs11_module_unusable": "module_path",
    "pki_pkcs11_token_missing": "token_label",
    "pki_pkcs11_token_ambiguous": "token_label",
    "pki_pkcs11_key_missing": "key_label",
    "pki_pkcs11_key_ambiguous": "key_label",
    "pki_pkcs11_key_cannot_sign": "key_label",
    "pki_pkcs11_certificate_missing": "certificate",
}


@dataclass(frozen=True)
class Row:
    """A certificate as the lists show it."""

    certificate: Certificate
    state: str
    state_label: str

    @property
    def owner_name(self) -> str:
        certificate = self.certificate
        if certificate.org_unit is not None:
            return certificate.org_unit.name
        user = certificate.user
        assert user is not None
        return user.full_name or user.username


def _state(certificate: Certificate) -> tuple[str, str]:
    now = timezone.now()
    if not certificate.active:
        return "locked", _("Ngừng sử dụng")
    if now > certificate.not_after:
        return "locked", _("Hết hạn")
    if now < certificate.not_before:
        return "off", _("Chưa có hiệu lực")
    return "on", _("Còn hiệu lực")


def _rows(certificates: Any) -> list[Row]:
    return [Row(c, *_state(c)) for c in certificates]


def _show_error(form: Form, exc: DomainError) -> None:
    name = FIELD_OF_ERROR.get(exc.code)
    form.add_error(name if name in form.fields else None, exc.message)


def _require_pki_admin(request: HttpRequest) -> None:
    if not policies.can_view_pki(request.user):
        raise PermissionDenied


def _wants_fragment(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


# Certificates -----------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _require_pki_admin(request)
    q = request.GET.get("q", "").strip()[:100]
    page = Paginator(
        selectors.visible_certificates(request.user, q), PER_PAGE
    ).get_page(request.GET.get("page"))
    context = {
        "q": q,
        "page": page,
        "rows": _rows(page.object_list),
        "demo_root": selectors.demo_root(),
        "pkcs11_ready": bool(pkcs11.allowed_modules()),
    }
    name = "pki/certificates.html"
    if _wants_fragment(request):
        name += "#results"
    response = render(request, name, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _certificate_details(certificate: Certificate) -> dict[str, Any]:
    cert = x509.load_pem_x509_certificate(certificate.certificate_pem.encode())
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
    }


@login_required
def certificate_detail(request: HttpRequest, certificate_id: int) -> HttpResponse:
    _require_pki_admin(request)
    try:
        certificate = selectors.get_certificate_for(request.user, certificate_id)
    except DomainError:
        raise Http404 from None
    form = DeactivateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("deactivate", "reactivate"):
            raise Http404
        owner = certificate.org_unit if certificate.is_seal else certificate.user
        if not policies.can_manage_certificates_of(request.user, owner):
            raise PermissionDenied
        if form.is_valid():
            services.set_certificate_active(
                certificate,
                active=action == "reactivate",
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
            messages.success(
                request,
                _("Đã cho dùng lại chứng thư số.")
                if action == "reactivate"
                else _("Đã ngừng sử dụng chứng thư số; không ký được bằng nó nữa."),
            )
            return redirect("pki:certificate", certificate_id=certificate.pk)
        status = 400
    return render(
        request,
        "pki/certificate_detail.html",
        {
            "row": Row(certificate, *_state(certificate)),
            "certificate": certificate,
            "details": _certificate_details(certificate),
            "form": form,
        },
        status=status,
    )


def _form_page(
    request: HttpRequest,
    form: Form,
    *,
    title: str,
    intro: str,
    submit: str,
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    return render(
        request,
        "pki/certificate_form.html",
        {
            "form": form,
            "title": title,
            "intro": intro,
            "submit": submit,
            "action": request.path,
            **(extra or {}),
        },
        status=400 if form.errors else status,
    )


def _owner_allowed(request: HttpRequest, form: OwnerForm) -> None:
    if not policies.can_manage_certificates_of(request.user, form.owner):
        raise PermissionDenied


def _done(request: HttpRequest, certificate: Certificate, message: str) -> HttpResponse:
    messages.success(request, message % {"name": certificate.common_name})
    return redirect("pki:certificate", certificate_id=certificate.pk)


@login_required
@sensitive_post_parameters("password")
def certificate_import(request: HttpRequest) -> HttpResponse:
    _require_pki_admin(request)
    form = Pkcs12ImportForm(
        request.POST or None, request.FILES or None, actor=request.user
    )
    if request.method == "POST" and form.is_valid():
        _owner_allowed(request, form)
        assert form.owner is not None
        try:
            certificate = services.import_certificate(
                form.cleaned_data["bundle"],
                form.cleaned_data["password"],
                form.owner,
                actor=request.user,
            )
        except DomainError as exc:
            _show_error(form, exc)
        else:
            return _done(request, certificate, _("Đã nhập chứng thư số của %(name)s."))
    return _form_page(
        request,
        form,
        title=_("Nhập chứng thư số từ tệp PKCS#12"),
        intro=_(
            "Khóa bí mật được mã hóa lại và cất trong thư mục dữ liệu của máy chủ; "
            "chứng thư số phải do một CA gốc tin cậy cấp."
        ),
        submit=_("Nhập chứng thư số"),
    )


@login_required
def certificate_pkcs11(request: HttpRequest) -> HttpResponse:
    _require_pki_admin(request)
    form = Pkcs11RegisterForm(
        request.POST or None, request.FILES or None, actor=request.user
    )
    if request.method == "POST" and form.is_valid():
        _owner_allowed(request, form)
        assert form.owner is not None
        try:
            certificate = services.register_pkcs11_certificate(
                form.owner,
                module_path=form.cleaned_data["module_path"],
                token_label=form.cleaned_data["token_label"],
                key_label=form.cleaned_data["key_label"],
                certificate_data=form.cleaned_data["certificate"],
                actor=request.user,
            )
        except DomainError as exc:
            _show_error(form, exc)
        else:
            return _done(
                request,
                certificate,
                _("Đã đăng ký chứng thư số của %(name)s trên thiết bị ký số."),
            )
    return _form_page(
        request,
        form,
        title=_("Đăng ký chứng thư số trên token/HSM (PKCS#11)"),
        intro=_(
            "Khóa bí mật nằm trên thiết bị và không bao giờ rời khỏi đó. Trước khi "
            "lưu, hệ thống nhờ thiết bị ký thử để chắc khóa đúng là của chứng thư số."
        ),
        submit=_("Đăng ký"),
        extra={"pkcs11_page": True, "pkcs11_ready": bool(pkcs11.allowed_modules())},
    )


@login_required
def certificate_demo(request: HttpRequest) -> HttpResponse:
    _require_pki_admin(request)
    root = selectors.demo_root()
    issue_all = request.POST.get("action") == "all"
    form = DemoIssueForm(
        None if issue_all else request.POST or None, actor=request.user
    )
    if request.method == "POST" and root is not None:
        if issue_all:
            people, seals = services.issue_missing_demo_certificates(actor=request.user)
            messages.success(
                request,
                _(
                    "Đã cấp %(people)s chứng thư số cá nhân và %(seals)s chứng thư "
                    "số cơ quan thử nghiệm."
                )
                % {"people": people, "seals": seals},
            )
            return redirect("pki:index")
        if form.is_valid():
            _owner_allowed(request, form)
            assert form.owner is not None
            try:
                certificate = services.issue_demo_certificate(
                    form.owner,
                    key_type=form.cleaned_data["key_type"],
                    actor=request.user,
                )
            except DomainError as exc:
                _show_error(form, exc)
            else:
                return _done(
                    request,
                    certificate,
                    _("Đã cấp chứng thư số thử nghiệm cho %(name)s."),
                )
    return _form_page(
        request,
        form,
        title=_("Cấp chứng thư số thử nghiệm"),
        intro=_(
            "Chứng thư số do CA thử nghiệm của hệ thống cấp chỉ dùng để chạy thử; "
            "chữ ký bằng nó không có giá trị pháp lý."
        ),
        submit=_("Cấp chứng thư số"),
        status=409 if root is None and request.method == "POST" else 200,
        extra={"demo_root": root, "demo": True},
    )


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    if not policies.can_view_own_certificates(request.user):
        raise PermissionDenied
    return render(
        request,
        "pki/mine.html",
        {"rows": _rows(selectors.own_certificates(request.user))},
    )


# Trusted roots ------------------------------------------------------------------


@login_required
def roots(request: HttpRequest) -> HttpResponse:
    _require_pki_admin(request)
    can_manage = policies.can_manage_trust(request.user)
    form = RootImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                root = services.import_trusted_root(
                    form.cleaned_data["certificate"],
                    name=form.cleaned_data["name"],
                    actor=request.user,
                )
            except DomainError as exc:
                _show_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Đã thêm CA gốc tin cậy %(name)s.") % {"name": root.name},
                )
                return redirect("pki:roots")
    return render(
        request,
        "pki/roots.html",
        {
            "roots": list(selectors.roots()),
            "form": form,
            "can_manage": can_manage,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def root_action(request: HttpRequest, root_id: int) -> HttpResponse:
    _require_pki_admin(request)
    if not policies.can_manage_trust(request.user):
        raise PermissionDenied
    action = request.POST.get("action")
    if action not in ("withdraw", "restore"):
        raise Http404
    try:
        root: TrustedRoot = selectors.get_root(root_id)
    except DomainError:
        raise Http404 from None
    services.set_root_active(root, active=action == "restore", actor=request.user)
    messages.success(
        request,
        (
            _("Đã tin cậy lại CA gốc %(name)s.")
            if action == "restore"
            else _(
                "Đã thôi tin cậy CA gốc %(name)s: chữ ký số do nó cấp sẽ được báo "
                "là không tin cậy."
            )
        )
        % {"name": root.name},
    )
    return redirect("pki:roots")


@login_required
@require_GET
def root_pem(request: HttpRequest, root_id: int) -> HttpResponse:
    if not policies.can_download_root(request.user):
        raise PermissionDenied
    try:
        root = selectors.get_root(root_id)
    except DomainError:
        raise Http404 from None
    response = HttpResponse(
        selectors.root_pem(root), content_type="application/x-pem-file"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="ca-goc-{root.fingerprint[:16]}.pem"'
    )
    files.protect(response)
    return response
