"""Sign-in pages: password, second factor, logout, public registration,
and the user's own account page (second factor, API tokens)."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

import segno

from tinhso.accounts import policies, selectors, services
from tinhso.accounts.forms import CodeForm, LoginForm, RegisterForm, TokenForm
from tinhso.accounts.models import AccountKind, TOTPDevice, User
from tinhso.core.errors import DomainError

PENDING_KEY = "tinhso_pending_login"
PENDING_TTL = timedelta(minutes=5)
BACKEND = "tinhso.accounts.backends.AccountBackend"


def _safe_next(request: HttpRequest, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return "/"


def _finish_login(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend=BACKEND)
    services.record_login_success(user)
    return redirect(_safe_next(request, next_url))


def _pending_user(request: HttpRequest) -> tuple[User, str] | None:
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return None
    started = datetime.fromisoformat(pending["at"])
    if timezone.now() - started > PENDING_TTL:
        request.session.pop(PENDING_KEY, None)
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    # A lock set after the password step (say, from another browser) holds here too.
    if user is None or services.login_locked(user):
        request.session.pop(PENDING_KEY, None)
        return None
    return user, pending["next"]


@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request, next_url))
    form = LoginForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            user = services.check_credentials(
                form.cleaned_data["username"], form.cleaned_data["password"]
            )
        except DomainError as exc:
            error = exc.message
            if exc.code == "phone_unverified":
                request.session["tinhso_verify_user"] = exc.extra["user_id"]
                messages.warning(request, exc.message)
                return redirect("accounts:verify_phone")
        else:
            if selectors.has_two_factor(user) or policies.requires_two_factor(user):
                request.session[PENDING_KEY] = {
                    "user": user.pk,
                    "at": timezone.now().isoformat(),
                    "next": next_url,
                }
                if selectors.has_two_factor(user):
                    return redirect("accounts:login_code")
                return redirect("accounts:login_setup")
            return _finish_login(request, user, next_url)
    status = 400 if error or form.errors else 200
    return render(
        request,
        "accounts/login.html",
        {"form": form, "error": error, "next": next_url},
        status=status,
    )


def login_code(request: HttpRequest) -> HttpResponse:
    """Second step: the six-digit code from the authenticator app."""
    pending = _pending_user(request)
    if pending is None:
        messages.warning(request, _("Phiên đăng nhập đã hết hạn, hãy đăng nhập lại."))
        return redirect("accounts:login")
    user, next_url = pending
    form = CodeForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        if services.verify_totp(user, form.cleaned_data["code"]):
            return _finish_login(request, user, next_url)
        services.record_login_failure(user)
        if services.login_locked(user):
            request.session.pop(PENDING_KEY, None)
            messages.error(request, _("Nhập sai quá nhiều lần: tài khoản tạm khóa."))
            return redirect("accounts:login")
        error = _("Mã xác thực không đúng hoặc đã hết hạn.")
    return render(
        request,
        "accounts/login_code.html",
        {"form": form, "error": error},
        status=400 if error else 200,
    )


def login_setup(request: HttpRequest) -> HttpResponse:
    """Administrators set up an authenticator app before their first sign-in."""
    pending = _pending_user(request)
    if pending is None:
        messages.warning(request, _("Phiên đăng nhập đã hết hạn, hãy đăng nhập lại."))
        return redirect("accounts:login")
    user, next_url = pending
    if selectors.has_two_factor(user):
        return redirect("accounts:login_code")
    return _enrol_totp(
        request,
        user,
        required=True,
        done=lambda: _finish_login(request, user, next_url),
    )


def _enrol_totp(
    request: HttpRequest,
    user: User,
    *,
    required: bool,
    done: Callable[[], HttpResponse],
) -> HttpResponse:
    """Show the secret as a QR code and switch two-factor on with a first code."""
    device = services.start_totp(user)
    form = CodeForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_totp(device, form.cleaned_data["code"])
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("Đã bật xác thực hai lớp."))
            return done()
    return render(
        request,
        "accounts/totp_setup.html",
        _totp_context(device) | {"form": form, "error": error, "required": required},
        status=400 if error else 200,
    )


def _totp_context(device: TOTPDevice) -> dict[str, Any]:
    uri = services.totp_uri(device)
    return {
        "secret": " ".join(
            device.secret[i : i + 4] for i in range(0, len(device.secret), 4)
        ),
        "qr_svg": segno.make(uri, error="m").svg_inline(scale=4, title=_("Mã QR")),
        "uri": uri,
    }


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.record_logout(request.user)
    logout(request)
    messages.info(request, _("Bạn đã đăng xuất."))
    return redirect("accounts:login")


@sensitive_post_parameters("password")
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.register_public_account(
                kind=data["kind"],
                identifier=data["identifier"],
                full_name=data["full_name"],
                phone=data["phone"],
                password=data["password"],
            )
        except DomainError as exc:
            error = exc.message
        else:
            request.session["tinhso_verify_user"] = user.pk
            try:
                services.send_phone_code(user)
            except DomainError as exc:
                # Registered again within the resend limit: the earlier code stands.
                messages.warning(request, exc.message)
            else:
                messages.info(
                    request,
                    _("Đã gửi mã xác thực tới số %(phone)s.") % {"phone": user.phone},
                )
            return redirect("accounts:verify_phone")
    return render(
        request,
        "accounts/register.html",
        {"form": form, "error": error},
        status=400 if error or form.errors else 200,
    )


def verify_phone(request: HttpRequest) -> HttpResponse:
    user = User.objects.filter(
        pk=request.session.get("tinhso_verify_user", 0),
        kind__in=[AccountKind.CITIZEN, AccountKind.BUSINESS],
    ).first()
    if user is None:
        return redirect("accounts:register")
    form = CodeForm(request.POST or None)
    error = None
    if request.method == "POST" and "resend" in request.POST:
        try:
            services.send_phone_code(user)
        except DomainError as exc:
            messages.warning(request, exc.message)
        else:
            messages.info(request, _("Đã gửi lại mã xác thực."))
        return redirect("accounts:verify_phone")
    if request.method == "POST" and form.is_valid():
        try:
            services.verify_phone(user, form.cleaned_data["code"])
        except DomainError as exc:
            error = exc.message
        else:
            request.session.pop("tinhso_verify_user", None)
            return _finish_login(request, user, "/")
    return render(
        request,
        "accounts/verify_phone.html",
        {"form": form, "error": error, "phone": user.phone},
        status=400 if error else 200,
    )


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    new_token = None
    token_form = TokenForm(
        request.POST if request.POST.get("action") == "token" else None
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "token" and not policies.can_issue_token(user, via_token=False):
            raise PermissionDenied
        if action == "token" and token_form.is_valid():
            _token, new_token = services.issue_token(
                user,
                token_form.cleaned_data["name"],
                days=token_form.cleaned_data["days"],
            )
            token_form = TokenForm()
        elif action == "revoke":
            token = selectors.get_token_for(user, request.POST.get("token", ""))
            if token is not None:
                services.revoke_token(token)
                messages.success(
                    request,
                    _("Đã thu hồi mã truy cập %(name)s.") % {"name": token.name},
                )
            return redirect("accounts:profile")
        elif action == "totp_off" and not policies.requires_two_factor(user):
            # Whoever finds a session left open must not strip the second factor.
            if user.check_password(request.POST.get("password", "")):
                services.remove_totp(user)
                messages.success(request, _("Đã tắt xác thực hai lớp."))
            else:
                messages.error(
                    request, _("Mật khẩu không đúng; xác thực hai lớp vẫn đang bật.")
                )
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "roles": selectors.roles_of(user),
            "tokens": selectors.tokens_of(user),
            "token_form": token_form,
            "new_token": new_token,
            "two_factor": selectors.has_two_factor(user),
            "two_factor_required": policies.requires_two_factor(user),
            "now": timezone.now(),
        },
    )


@login_required
def totp_setup(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_official:
        return redirect("accounts:profile")
    if selectors.has_two_factor(user):
        return redirect("accounts:profile")
    return _enrol_totp(
        request, user, required=False, done=lambda: redirect("accounts:profile")
    )
