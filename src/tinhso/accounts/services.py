"""Writes to accounts: people, roles, sign-in, second factor, API tokens.

Services assume the caller has checked the policy; they validate input,
raise DomainError with a Vietnamese message, and write an audit row.
"""

import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

import pyotp

from tinhso.accounts import selectors, sms, tokens
from tinhso.accounts.models import (
    AccountKind,
    APIToken,
    PhoneVerification,
    Role,
    RoleAssignment,
    TOTPDevice,
    User,
)
from tinhso.accounts.selectors import USER_SCOPE
from tinhso.core import audit, search
from tinhso.core.errors import DomainError
from tinhso.core.models import OrgUnit
from tinhso.core.text import nfc

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,49}$")
CITIZEN_ID_RE = re.compile(r"^\d{12}$")
# 10 digits, or 10 digits then -NNN for a branch (Circular 105/2020/TT-BTC).
TAX_CODE_RE = re.compile(r"^\d{10}(-\d{3})?$")
PHONE_RE = re.compile(r"^0\d{9}$")
PHONE_CODE_TTL = timedelta(minutes=10)
PHONE_CODE_MAX_ATTEMPTS = 5


def normalize_phone(phone: str) -> str:
    digits = re.sub(r"[\s.()-]", "", phone)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not PHONE_RE.match(digits):
        raise DomainError(
            "phone_invalid",
            _("Số điện thoại %(phone)s không hợp lệ: cần 10 chữ số, bắt đầu bằng 0.")
            % {"phone": phone},
        )
    return digits


def _check_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        messages = []
        for error in exc.error_list:
            if error.code == "password_too_short":
                # Django 6.1 changed this msgid and its Vietnamese catalogue
                # no longer matches, so the message would show in English.
                messages.append(
                    _("Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.")
                    % (error.params or {})
                )
            else:
                messages.extend(error.messages)
        raise DomainError("password_weak", " ".join(messages)) from None


def _clean_email(email: str) -> str:
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise DomainError(
                "email_invalid",
                _("Địa chỉ thư điện tử %(email)s không hợp lệ.") % {"email": email},
            ) from None
    return email


def _index(user: User) -> None:
    search.index(
        USER_SCOPE, user.pk, user.username, user.full_name, user.email, user.phone
    )


def _username_taken(username: str) -> DomainError:
    return DomainError(
        "username_taken",
        _("Tên đăng nhập %(username)s đã có người dùng.") % {"username": username},
        status=409,
    )


def create_official(
    *,
    username: str,
    full_name: str,
    password: str,
    org_unit: OrgUnit | None,
    email: str = "",
    phone: str = "",
    title: str = "",
) -> User:
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise DomainError(
            "username_invalid",
            _(
                "Tên đăng nhập chỉ gồm chữ thường không dấu, chữ số và . _ -, "
                "dài 3–50 ký tự."
            ),
        )
    if User.objects.filter(username=username).exists():
        raise _username_taken(username)
    if not nfc(full_name):
        raise DomainError("full_name_required", _("Cần nhập họ và tên."))
    user = User(
        username=username,
        full_name=nfc(full_name),
        kind=AccountKind.OFFICIAL,
        org_unit=org_unit,
        email=_clean_email(email),
        phone=normalize_phone(phone) if phone.strip() else "",
        title=nfc(title),
    )
    _check_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            # Another request took the name between the check and the insert.
            raise _username_taken(username) from None
        _index(user)
        audit.record(
            "accounts.user.create",
            obj=user,
            detail={
                "username": username,
                "org_unit": org_unit.pk if org_unit else None,
            },
        )
    return user


def update_official(user: User, **fields: Any) -> User:
    allowed = {"full_name", "email", "phone", "title", "org_unit", "is_active"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Cannot update {sorted(unknown)}")
    changes: dict[str, Any] = {}
    if fields.get("phone"):
        fields["phone"] = normalize_phone(fields["phone"])
    if "email" in fields:
        fields["email"] = _clean_email(fields["email"] or "")
    if "title" in fields:
        fields["title"] = nfc(fields["title"] or "")
    if "full_name" in fields:
        fields["full_name"] = nfc(fields["full_name"])
        if not fields["full_name"]:
            raise DomainError("full_name_required", _("Cần nhập họ và tên."))
    for name, value in fields.items():
        old = getattr(user, name)
        if old != value:
            changes[name] = [getattr(old, "pk", old), getattr(value, "pk", value)]
            setattr(user, name, value)
    if not changes:
        return user
    with transaction.atomic():
        user.save()
        _index(user)
        audit.record("accounts.user.update", obj=user, detail=changes)
    return user


def set_password(user: User, password: str) -> None:
    _check_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.failed_logins = 0
        user.locked_until = None
        user.save(update_fields=["password", "failed_logins", "locked_until"])
        audit.record("accounts.user.set_password", obj=user)


def assign_role(
    user: User,
    *,
    role: str,
    org_unit: OrgUnit,
    include_subtree: bool = False,
    granted_by: User | None = None,
) -> RoleAssignment:
    if role not in Role.values:
        raise DomainError("role_invalid", _("Vai trò không hợp lệ."))
    if user.kind != AccountKind.OFFICIAL:
        raise DomainError(
            "role_for_officials_only", _("Chỉ tài khoản cán bộ mới được phân vai trò.")
        )
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user,
            role=role,
            org_unit=org_unit,
            defaults={"include_subtree": include_subtree, "granted_by": granted_by},
        )
        if not created and assignment.include_subtree != include_subtree:
            assignment.include_subtree = include_subtree
            assignment.save(update_fields=["include_subtree"])
        audit.record(
            "accounts.role.assign",
            obj=user,
            detail={"role": role, "org_unit": org_unit.pk, "subtree": include_subtree},
        )
    return assignment


def revoke_role(assignment: RoleAssignment) -> None:
    with transaction.atomic():
        user = assignment.user
        detail = {"role": assignment.role, "org_unit": assignment.org_unit_id}
        assignment.delete()
        audit.record("accounts.role.revoke", obj=user, detail=detail)


# Sign-in ----------------------------------------------------------------


def login_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > timezone.now()


def record_login_failure(user: User) -> None:
    """Count a wrong password; too many in a row lock the account for a while."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins", "locked_until"])
        detail: dict[str, Any] = {"failures": user.failed_logins}
        if user.failed_logins >= settings.LOGIN_MAX_FAILURES:
            user.locked_until = timezone.now() + timedelta(
                minutes=settings.LOGIN_LOCKOUT_MINUTES
            )
            user.failed_logins = 0
            user.save(update_fields=["locked_until", "failed_logins"])
            detail["locked_until"] = user.locked_until.isoformat()
        audit.record("accounts.login.fail", obj=user, actor=None, detail=detail)


def record_login_success(user: User) -> None:
    with transaction.atomic():
        user.failed_logins = 0
        user.locked_until = None
        user.last_login = timezone.now()
        user.save(update_fields=["failed_logins", "locked_until", "last_login"])
        audit.record("accounts.login", obj=user, actor=user)


def record_logout(user: User) -> None:
    with transaction.atomic():
        audit.record("accounts.logout", obj=user, actor=user)


# Two-factor (TOTP, RFC 6238) ------------------------------------------------

TOTP_ISSUER = "tinhso"


def start_totp(user: User) -> TOTPDevice:
    """The user's authenticator secret, made on first call.

    An unconfirmed secret is kept, so reloading the set-up page does not
    invalidate a QR code already scanned.
    """
    with transaction.atomic():
        device, created = TOTPDevice.objects.get_or_create(
            user=user, defaults={"secret": pyotp.random_base32()}
        )
        if created:
            audit.record("accounts.totp.start", obj=user)
    return device


def totp_uri(device: TOTPDevice) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(
        name=device.user.username, issuer_name=TOTP_ISSUER
    )


def _accept_code(device: TOTPDevice, code: str) -> bool:
    code = re.sub(r"\s", "", code)
    if not re.fullmatch(r"\d{6}", code):
        return False
    totp = pyotp.TOTP(device.secret)
    now = timezone.now()
    # One step of clock drift either way, and never the same step twice.
    for offset in (0, -1, 1):
        at = now + timedelta(seconds=30 * offset)
        step = totp.timecode(at)
        if step > device.last_step and tokens.same(totp.at(at), code):
            device.last_step = step
            device.save(update_fields=["last_step"])
            return True
    return False


def confirm_totp(device: TOTPDevice, code: str) -> None:
    with transaction.atomic():
        if not _accept_code(device, code):
            raise DomainError(
                "totp_wrong", _("Mã xác thực không đúng hoặc đã hết hạn.")
            )
        device.confirmed_at = timezone.now()
        device.save(update_fields=["confirmed_at"])
        audit.record("accounts.totp.confirm", obj=device.user, actor=device.user)


def verify_totp(user: User, code: str) -> bool:
    device = TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return False
    with transaction.atomic():
        return _accept_code(device, code)


def remove_totp(user: User) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        audit.record("accounts.totp.remove", obj=user)


# API tokens -------------------------------------------------------------


def issue_token(
    user: User, name: str, *, days: int | None = None
) -> tuple[APIToken, str]:
    """Make a token; the secret is returned once and never stored."""
    name = nfc(name)
    if not name:
        raise DomainError("token_name_required", _("Cần đặt tên cho mã truy cập."))
    secret = tokens.new_api_token()
    with transaction.atomic():
        token = APIToken.objects.create(
            user=user,
            name=name,
            prefix=secret[:10],
            token_hash=tokens.digest(secret),
            expires_at=timezone.now() + timedelta(days=days) if days else None,
        )
        audit.record(
            "accounts.token.issue", obj=token, actor=user, detail={"name": name}
        )
    return token, secret


def revoke_token(token: APIToken) -> None:
    if token.revoked_at is not None:
        return
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record("accounts.token.revoke", obj=token)


def authenticate_token(secret: str) -> User | None:
    if not secret.startswith(tokens.TOKEN_PREFIX):
        return None
    # Every API call comes here.
    token = next(iter(selectors.live_token(tokens.digest(secret))), None)
    now = timezone.now()
    if token is None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    # Touch at most once a minute: a busy client should not write per call.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# Citizens and businesses ---------------------------------------------------


def register_public_account(
    *, kind: str, identifier: str, full_name: str, phone: str, password: str
) -> User:
    """A citizen (12-digit ID number) or business (tax code) account.

    The account stays inactive until the phone is verified with the code
    sent by ``send_phone_code``.
    """
    identifier = re.sub(r"\s", "", identifier)
    if kind == AccountKind.CITIZEN and not CITIZEN_ID_RE.match(identifier):
        raise DomainError(
            "citizen_id_invalid", _("Số định danh cá nhân phải gồm đúng 12 chữ số.")
        )
    if kind == AccountKind.BUSINESS and not TAX_CODE_RE.match(identifier):
        raise DomainError(
            "tax_code_invalid",
            _(
                "Mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu - và 3 chữ số của chi nhánh."
            ),
        )
    if kind not in (AccountKind.CITIZEN, AccountKind.BUSINESS):
        raise DomainError("account_kind_invalid", _("Loại tài khoản không hợp lệ."))
    if not nfc(full_name):
        raise DomainError("full_name_required", _("Cần nhập họ và tên."))
    phone = normalize_phone(phone)
    existing = User.objects.filter(username=identifier).first()
    # Only a registration never confirmed by SMS may be started over; an
    # account once verified, or any official's, is never taken over (a
    # deactivated one would otherwise come back to life, roles and all).
    account_exists = DomainError(
        "account_exists",
        _("Đã có tài khoản với số định danh hoặc mã số thuế này. Hãy đăng nhập."),
        status=409,
    )
    if existing is not None and (
        existing.is_active
        or existing.kind != kind
        or existing.phone_verified_at is not None
    ):
        raise account_exists
    try:
        return _save_public_account(
            existing, kind, identifier, full_name, phone, password
        )
    except IntegrityError:
        # Two registrations of the same number at once: the second one loses.
        raise account_exists from None


def _save_public_account(
    existing: User | None,
    kind: str,
    identifier: str,
    full_name: str,
    phone: str,
    password: str,
) -> User:
    with transaction.atomic():
        user = existing or User(username=identifier, kind=kind)
        user.full_name = nfc(full_name)
        user.phone = phone
        user.is_active = False
        _check_password(password, user)
        user.set_password(password)
        user.save()
        _index(user)
        audit.record(
            "accounts.public.register", obj=user, actor=None, detail={"kind": kind}
        )
    return user


PHONE_CODE_INTERVAL = timedelta(minutes=1)
PHONE_CODES_PER_DAY = 5


def send_phone_code(user: User) -> None:
    """Send a fresh code; limited in rate so codes cannot be guessed by resending."""
    now = timezone.now()
    recent = PhoneVerification.objects.filter(
        user=user, sent_at__gte=now - timedelta(days=1)
    )
    last = recent.order_by("-sent_at").values_list("sent_at", flat=True).first()
    if last is not None and now - last < PHONE_CODE_INTERVAL:
        raise DomainError(
            "phone_code_too_soon",
            _("Vừa gửi mã xác thực; hãy chờ một phút rồi yêu cầu gửi lại."),
            status=429,
        )
    if recent.count() >= PHONE_CODES_PER_DAY:
        raise DomainError(
            "phone_code_daily_limit",
            _("Đã gửi %(count)s mã trong 24 giờ qua; hãy thử lại vào ngày mai.")
            % {"count": PHONE_CODES_PER_DAY},
            status=429,
        )
    code = tokens.new_phone_code()
    with transaction.atomic():
        PhoneVerification.objects.filter(user=user, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        PhoneVerification.objects.create(
            user=user, phone=user.phone, code_hash=tokens.digest(code)
        )
        audit.record("accounts.phone.send", obj=user, actor=None)
        # Unaccented on purpose: GSM 7-bit SMS fit 160 characters, UCS-2 only 70.
        message = _("Ma xac thuc tinhso cua ban la %(code)s, hieu luc 10 phut.") % {
            "code": code
        }
        transaction.on_commit(lambda: sms.gateway().send(user.phone, message))


def verify_phone(user: User, code: str) -> None:
    with transaction.atomic():
        pending = (
            PhoneVerification.objects.select_for_update()
            .filter(user=user, used_at__isnull=True)
            .order_by("-sent_at")
            .first()
        )
        expired = pending is None or pending.sent_at + PHONE_CODE_TTL < timezone.now()
        if pending is None or expired or pending.attempts >= PHONE_CODE_MAX_ATTEMPTS:
            raise DomainError(
                "phone_code_expired",
                _("Mã xác thực đã hết hạn. Hãy yêu cầu gửi mã mới."),
            )
        wrong = not tokens.same(pending.code_hash, tokens.digest(code.strip()))
        if wrong:
            # Counted and committed before raising, so guesses stay limited.
            PhoneVerification.objects.filter(pk=pending.pk).update(
                attempts=F("attempts") + 1
            )
    if wrong:
        raise DomainError("phone_code_wrong", _("Mã xác thực không đúng."))
    with transaction.atomic():
        pending.used_at = timezone.now()
        pending.save(update_fields=["used_at"])
        user.phone_verified_at = timezone.now()
        user.is_active = True
        user.save(update_fields=["phone_verified_at", "is_active"])
        audit.record("accounts.phone.verify", obj=user, actor=None)


def activate_public_account(user: User) -> None:
    """Mark a citizen's or business's phone verified and the account active
    without an SMS code: for demo data and accounts checked in person."""
    if user.kind == AccountKind.OFFICIAL:
        raise DomainError(
            "account_kind_invalid",
            _("Chỉ tài khoản công dân, doanh nghiệp mới kích hoạt theo cách này."),
        )
    if user.is_active and user.phone_verified_at is not None:
        return
    with transaction.atomic():
        user.phone_verified_at = user.phone_verified_at or timezone.now()
        user.is_active = True
        user.save(update_fields=["phone_verified_at", "is_active"])
        audit.record("accounts.public.activate", obj=user)


def check_credentials(identifier: str, password: str) -> User:
    """The account for this name and password, or a DomainError saying why not.

    A wrong password counts towards the lockout; a locked account is refused
    even with the right password, so guessing gains nothing while locked.
    """
    wrong = DomainError(
        "login_failed", _("Tên đăng nhập hoặc mật khẩu không đúng."), status=401
    )
    identifier = identifier.strip()
    user = (
        User.objects.filter(username=identifier.lower()).first()
        or User.objects.filter(username=re.sub(r"\s", "", identifier)).first()
    )
    if user is None:
        # Spend the same time as a real check so names cannot be probed.
        User().set_password(password)
        raise wrong
    if login_locked(user):
        assert user.locked_until is not None
        raise DomainError(
            "login_locked",
            _(
                "Tài khoản tạm khóa do nhập sai mật khẩu nhiều lần. "
                "Hãy thử lại sau %(time)s."
            )
            % {"time": timezone.localtime(user.locked_until).strftime("%H:%M")},
            status=403,
        )
    if not user.check_password(password):
        record_login_failure(user)
        if login_locked(user):
            raise DomainError(
                "login_locked",
                _(
                    "Nhập sai mật khẩu %(count)s lần liên tiếp: tài khoản tạm khóa "
                    "%(minutes)s phút."
                )
                % {
                    "count": settings.LOGIN_MAX_FAILURES,
                    "minutes": settings.LOGIN_LOCKOUT_MINUTES,
                },
                status=403,
            )
        raise wrong
    if not user.is_active:
        if user.kind != AccountKind.OFFICIAL and user.phone_verified_at is None:
            raise DomainError(
                "phone_unverified",
                _("Tài khoản chưa xác thực số điện thoại."),
                status=403,
                extra={"user_id": user.pk},
            )
        raise DomainError("account_inactive", _("Tài khoản đã bị khóa."), status=403)
    return user
