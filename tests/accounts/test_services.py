import hashlib
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

import pyotp
import pytest

from tests import factories
from tests.accounts.conftest import Snapshot, Tree, send_code, wait_past_resend_limit
from tests.accounts.conftest import citizen as make_citizen
from tinhso.accounts import selectors, services
from tinhso.accounts.models import (
    AccountKind,
    APIToken,
    PhoneVerification,
    Role,
    RoleAssignment,
    User,
)
from tinhso.core.errors import DomainError
from tinhso.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _official(tree: Tree, **overrides: object) -> User:
    fields: dict[str, object] = {
        "username": "nguyenvanan",
        "full_name": "Nguyễn Văn An",
        "password": factories.PASSWORD,
        "org_unit": tree.commune,
    }
    fields.update(overrides)
    return services.create_official(**fields)  # type: ignore[arg-type]


# create_official ------------------------------------------------------------


def test_create_official_saves_normalised_fields_and_audits(tree: Tree) -> None:
    user = _official(
        tree,
        username="  NguyenVanAn ",
        full_name="Nguye\u0302\u0303n Va\u0306n An",  # decomposed, as some keyboards type
        phone="+84 912 345 678",
        email=" an@tuyenquang.gov.vn ",
    )

    user.refresh_from_db()
    assert user.username == "nguyenvanan"
    assert user.full_name == "Nguyễn Văn An"
    assert user.phone == "0912345678"
    assert user.email == "an@tuyenquang.gov.vn"
    assert user.kind == AccountKind.OFFICIAL
    assert user.check_password(factories.PASSWORD)
    entry = AuditEntry.objects.get(action="accounts.user.create")
    assert entry.object_id == str(user.pk)
    assert entry.detail == {"username": "nguyenvanan", "org_unit": tree.commune.pk}


@pytest.mark.parametrize(
    "username", ["ab", "Nguyễn", "has space", "-dash", "x" * 51, "tên"]
)
def test_create_official_refuses_bad_username_and_saves_nothing(
    tree: Tree, username: str
) -> None:
    before = Snapshot.take()

    with pytest.raises(DomainError) as caught:
        _official(tree, username=username)

    assert caught.value.code == "username_invalid"
    assert "Tên đăng nhập chỉ gồm chữ thường không dấu" in caught.value.message
    assert Snapshot.take() == before


def test_create_official_refuses_a_taken_username(tree: Tree) -> None:
    _official(tree)
    before = Snapshot.take()

    with pytest.raises(DomainError) as caught:
        _official(tree, username="NguyenVanAn", full_name="Người Khác")

    assert (caught.value.code, caught.value.status) == ("username_taken", 409)
    assert caught.value.message == "Tên đăng nhập nguyenvanan đã có người dùng."
    assert Snapshot.take() == before


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("abc", "Mật khẩu quá ngắn: cần ít nhất 8 ký tự."),
        ("12345678", "Mật khẩu này hoàn toàn là số."),
        ("password", "Mật khẩu này quá phổ biến."),
        ("nguyenvanan", "Mật khẩu quá giống với tên đăng nhập."),
    ],
)
def test_create_official_refuses_weak_password_in_vietnamese(
    tree: Tree, password: str, expected: str
) -> None:
    before = Snapshot.take()

    with pytest.raises(DomainError) as caught:
        _official(tree, password=password)

    assert caught.value.code == "password_weak"
    assert expected in caught.value.message
    assert Snapshot.take() == before


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"full_name": "   "}, "full_name_required"),
        ({"phone": "12345"}, "phone_invalid"),
        ({"email": "not-an-email"}, "email_invalid"),
    ],
)
def test_create_official_refuses_other_bad_fields(
    tree: Tree, overrides: dict[str, str], code: str
) -> None:
    before = Snapshot.take()

    with pytest.raises(DomainError) as caught:
        _official(tree, **overrides)

    assert caught.value.code == code
    assert Snapshot.take() == before


def test_new_official_is_found_by_search_without_diacritics(tree: Tree) -> None:
    admin = factories.administrator(
        tree.province, username="quantri", full_name="Trần Thị Quản Trị"
    )
    user = _official(tree)

    assert list(selectors.visible_users(admin, "nguyen van")) == [user]
    assert list(selectors.visible_users(admin, "NGUYỄN")) == [user]
    assert list(selectors.visible_users(admin, "hoang")) == []


def test_update_official_validates_before_changing_anything(tree: Tree) -> None:
    user = _official(tree)
    before = Snapshot.take()

    with pytest.raises(DomainError):
        services.update_official(user, full_name="Tên Mới", email="sai")

    user.refresh_from_db()
    assert user.full_name == "Nguyễn Văn An"
    assert Snapshot.take() == before


# Roles ----------------------------------------------------------------------


def test_assign_and_revoke_role_are_audited(tree: Tree) -> None:
    admin = factories.administrator(
        tree.province, username="quantri", full_name="Trần Thị Quản Trị"
    )
    user = _official(tree)

    assignment = services.assign_role(
        user,
        role=Role.CLERK,
        org_unit=tree.commune,
        include_subtree=True,
        granted_by=admin,
    )

    assert assignment.granted_by == admin
    entry = AuditEntry.objects.filter(action="accounts.role.assign").last()
    assert entry is not None
    assert entry.object_id == str(user.pk)
    assert entry.detail == {
        "role": "clerk",
        "org_unit": tree.commune.pk,
        "subtree": True,
    }

    services.revoke_role(assignment)

    assert not RoleAssignment.objects.filter(user=user).exists()
    entry = AuditEntry.objects.get(action="accounts.role.revoke")
    assert entry.detail == {"role": "clerk", "org_unit": tree.commune.pk}


def test_assigning_a_role_twice_keeps_one_row_with_the_new_scope(tree: Tree) -> None:
    user = _official(tree)
    services.assign_role(user, role=Role.CLERK, org_unit=tree.commune)

    services.assign_role(
        user, role=Role.CLERK, org_unit=tree.commune, include_subtree=True
    )

    assert list(user.roles.values_list("role", "include_subtree")) == [("clerk", True)]


def test_roles_are_for_officials_only(
    tree: Tree,
) -> None:
    citizen = make_citizen()

    with pytest.raises(DomainError) as caught:
        services.assign_role(citizen, role=Role.CLERK, org_unit=tree.commune)

    assert caught.value.code == "role_for_officials_only"
    assert not RoleAssignment.objects.exists()


def test_unknown_role_is_refused(tree: Tree) -> None:
    user = _official(tree)

    with pytest.raises(DomainError) as caught:
        services.assign_role(user, role="king", org_unit=tree.commune)

    assert caught.value.code == "role_invalid"


# Public accounts -------------------------------------------------------------


def _register(**overrides: str) -> User:
    fields = {
        "kind": AccountKind.CITIZEN,
        "identifier": "001099012345",
        "full_name": "Trần Văn Dân",
        "phone": "0912345678",
        "password": factories.PASSWORD,
    }
    fields.update(overrides)
    return services.register_public_account(**fields)


@pytest.mark.parametrize(
    ("kind", "identifier", "stored"),
    [
        (AccountKind.CITIZEN, "001099012345", "001099012345"),
        (AccountKind.CITIZEN, "0010 9901 2345", "001099012345"),
        (AccountKind.BUSINESS, "0101234567", "0101234567"),
        (AccountKind.BUSINESS, "0101234567-001", "0101234567-001"),
    ],
)
def test_register_public_account_accepts_valid_identifiers(
    db: None, kind: str, identifier: str, stored: str
) -> None:
    user = _register(kind=kind, identifier=identifier)

    assert (user.username, user.kind, user.is_active) == (stored, kind, False)
    assert user.phone_verified_at is None


@pytest.mark.parametrize(
    ("kind", "identifier", "code"),
    [
        (AccountKind.CITIZEN, "00109901234", "citizen_id_invalid"),
        (AccountKind.CITIZEN, "0010990123456", "citizen_id_invalid"),
        (AccountKind.CITIZEN, "00109901234a", "citizen_id_invalid"),
        (AccountKind.BUSINESS, "010123456", "tax_code_invalid"),
        (AccountKind.BUSINESS, "0101234567-01", "tax_code_invalid"),
        (AccountKind.OFFICIAL, "001099012345", "account_kind_invalid"),
    ],
)
def test_register_public_account_refuses_bad_identifiers(
    db: None, kind: str, identifier: str, code: str
) -> None:
    with pytest.raises(DomainError) as caught:
        _register(kind=kind, identifier=identifier)

    assert caught.value.code == code
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "phone",
    ["0912345678", "+84912345678", "+84 912 345 678", "84912345678", "091.234.5678"],
)
def test_phone_numbers_are_normalised(db: None, phone: str) -> None:
    assert _register(phone=phone).phone == "0912345678"


@pytest.mark.parametrize("phone", ["12345", "+1 202 555 0100", "091234567", "abc"])
def test_bad_phone_numbers_are_refused(db: None, phone: str) -> None:
    with pytest.raises(DomainError) as caught:
        _register(phone=phone)

    assert caught.value.code == "phone_invalid"
    assert "không hợp lệ" in caught.value.message


def test_unverified_registration_may_be_started_again(db: None) -> None:
    first = _register(full_name="Người Thứ Nhất")

    again = _register(full_name="Người Thứ Hai", phone="0987654321")

    assert again.pk == first.pk
    assert (again.full_name, again.phone) == ("Người Thứ Hai", "0987654321")


def test_verified_account_cannot_be_registered_again(
    db: None,
) -> None:
    make_citizen()

    with pytest.raises(DomainError) as caught:
        _register(full_name="Kẻ Mạo Danh", phone="0987654321")

    assert (caught.value.code, caught.value.status) == ("account_exists", 409)


def test_deactivated_account_is_not_taken_over_by_registering(
    tree: Tree,
) -> None:
    """GIVEN an official whose user name is 12 digits, and a citizen, both
    deactivated by an administrator WHEN someone registers with those numbers
    THEN both are refused and neither account changes."""
    official = factories.official(unit=tree.commune, username="123456789012")
    services.update_official(official, is_active=False)
    citizen = make_citizen()
    citizen.is_active = False
    citizen.save(update_fields=["is_active"])

    for identifier in ("123456789012", citizen.username):
        with pytest.raises(DomainError) as caught:
            _register(identifier=identifier, phone="0987654321")
        assert caught.value.code == "account_exists"

    official.refresh_from_db()
    assert (official.kind, official.phone) == (AccountKind.OFFICIAL, "")
    assert official.check_password(factories.PASSWORD)


# Phone verification ------------------------------------------------------------


def test_phone_code_arrives_by_sms_and_activates_the_account(
    db: None,
) -> None:
    user = _register()

    code = send_code(user)
    services.verify_phone(user, code)

    user.refresh_from_db()
    assert user.is_active
    assert user.phone_verified_at is not None
    assert services.check_credentials("001099012345", factories.PASSWORD) == user


def test_wrong_phone_code_counts_attempts(db: None) -> None:
    user = _register()
    code = send_code(user)
    wrong = "000000" if code != "000000" else "111111"

    with pytest.raises(DomainError) as caught:
        services.verify_phone(user, wrong)

    assert caught.value.code == "phone_code_wrong"
    assert caught.value.message == "Mã xác thực không đúng."
    assert PhoneVerification.objects.get(user=user).attempts == 1
    user.refresh_from_db()
    assert not user.is_active


def test_five_wrong_codes_need_a_new_code(db: None) -> None:
    user = _register()
    code = send_code(user)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(services.PHONE_CODE_MAX_ATTEMPTS):
        with pytest.raises(DomainError):
            services.verify_phone(user, wrong)

    with pytest.raises(DomainError) as caught:
        services.verify_phone(user, code)

    assert caught.value.code == "phone_code_expired"
    assert "Hãy yêu cầu gửi mã mới" in caught.value.message
    wait_past_resend_limit(user)
    services.verify_phone(user, send_code(user))
    user.refresh_from_db()
    assert user.is_active


def test_expired_phone_code_is_refused(db: None) -> None:
    user = _register()
    code = send_code(user)
    PhoneVerification.objects.filter(user=user).update(
        sent_at=timezone.now() - services.PHONE_CODE_TTL - timedelta(seconds=1)
    )

    with pytest.raises(DomainError) as caught:
        services.verify_phone(user, code)

    assert caught.value.code == "phone_code_expired"


def test_a_new_code_replaces_the_old_one(db: None) -> None:
    user = _register()
    old = send_code(user)
    wait_past_resend_limit(user)
    new = send_code(user)
    if old == new:  # one chance in a million
        pytest.skip("the two random codes happen to be equal")

    with pytest.raises(DomainError):
        services.verify_phone(user, old)
    services.verify_phone(user, new)


def test_codes_cannot_be_resent_at_will(db: None) -> None:
    """Resending is limited, so new codes cannot be used to guess without end."""
    user = _register()
    send_code(user)

    with pytest.raises(DomainError) as too_soon:
        services.send_phone_code(user)
    assert too_soon.value.code == "phone_code_too_soon"

    for _ in range(services.PHONE_CODES_PER_DAY - 1):
        wait_past_resend_limit(user)
        send_code(user)
    wait_past_resend_limit(user)
    with pytest.raises(DomainError) as daily:
        services.send_phone_code(user)
    assert daily.value.code == "phone_code_daily_limit"
    assert PhoneVerification.objects.filter(user=user).count() == 5


# Sign-in and lockout -------------------------------------------------------------


def test_check_credentials_locks_after_too_many_wrong_passwords(tree: Tree) -> None:
    user = _official(tree)
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        with pytest.raises(DomainError) as caught:
            services.check_credentials("nguyenvanan", "sai-mat-khau")
        assert (caught.value.code, caught.value.status) == ("login_failed", 401)

    with pytest.raises(DomainError) as caught:
        services.check_credentials("nguyenvanan", "sai-mat-khau")
    assert caught.value.code == "login_locked"
    assert "tạm khóa" in caught.value.message

    # Even the right password is refused while locked.
    with pytest.raises(DomainError) as caught:
        services.check_credentials("nguyenvanan", factories.PASSWORD)
    assert (caught.value.code, caught.value.status) == ("login_locked", 403)

    User.objects.filter(pk=user.pk).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    assert services.check_credentials("NguyenVanAn", factories.PASSWORD) == user


def test_successful_login_resets_the_failure_count(tree: Tree) -> None:
    user = _official(tree)
    with pytest.raises(DomainError):
        services.check_credentials("nguyenvanan", "sai-mat-khau")

    services.record_login_success(
        services.check_credentials("nguyenvanan", factories.PASSWORD)
    )

    user.refresh_from_db()
    assert (user.failed_logins, user.locked_until) == (0, None)
    assert user.last_login is not None


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(db: None) -> None:
    with pytest.raises(DomainError) as caught:
        services.check_credentials("khongco", "mat-khau-bat-ky")

    assert caught.value.code == "login_failed"
    assert caught.value.message == "Tên đăng nhập hoặc mật khẩu không đúng."


def test_inactive_accounts_are_refused(tree: Tree) -> None:
    user = _official(tree)
    services.update_official(user, is_active=False)
    _register()

    with pytest.raises(DomainError) as official:
        services.check_credentials("nguyenvanan", factories.PASSWORD)
    with pytest.raises(DomainError) as citizen:
        services.check_credentials("001099012345", factories.PASSWORD)

    assert official.value.code == "account_inactive"
    assert citizen.value.code == "phone_unverified"
    assert citizen.value.extra == {
        "user_id": User.objects.get(username="001099012345").pk
    }


# Two-factor ------------------------------------------------------------------------


def test_totp_code_is_accepted_once(tree: Tree) -> None:
    user = _official(tree)
    device = services.start_totp(user)
    totp = pyotp.TOTP(device.secret)
    services.confirm_totp(device, totp.now())
    later = totp.at(time.time() + 30)

    assert services.verify_totp(user, later) is True
    assert services.verify_totp(user, later) is False
    assert services.verify_totp(user, "12345") is False


def _wrong_code(secret: str) -> str:
    """A six-digit code no time step near now accepts."""
    totp = pyotp.TOTP(secret)
    near = {totp.at(time.time() + 30 * offset) for offset in (-2, -1, 0, 1, 2)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


def test_wrong_totp_code_does_not_confirm(tree: Tree) -> None:
    user = _official(tree)
    device = services.start_totp(user)

    with pytest.raises(DomainError) as caught:
        services.confirm_totp(device, _wrong_code(device.secret))

    assert caught.value.code == "totp_wrong"
    assert caught.value.message == "Mã xác thực không đúng hoặc đã hết hạn."
    device.refresh_from_db()
    assert device.confirmed_at is None


# API tokens ---------------------------------------------------------------------------


def test_issued_token_is_shown_once_and_only_its_hash_is_kept(tree: Tree) -> None:
    user = _official(tree)

    token, secret = services.issue_token(user, "Phần mềm kế toán", days=30)

    assert secret.startswith("tso_")
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:10]
    stored = APIToken.objects.filter(pk=token.pk).values().get()
    assert secret not in [str(value) for value in stored.values()]
    assert token.expires_at is not None
    assert services.authenticate_token(secret) == user
    assert AuditEntry.objects.filter(action="accounts.token.issue").count() == 1


def test_revoked_expired_and_foreign_tokens_are_refused(tree: Tree) -> None:
    user = _official(tree)
    revoked, revoked_secret = services.issue_token(user, "cũ")
    expired, expired_secret = services.issue_token(user, "hết hạn", days=1)
    services.revoke_token(revoked)
    APIToken.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert services.authenticate_token(revoked_secret) is None
    assert services.authenticate_token(expired_secret) is None
    assert services.authenticate_token("tso_" + "x" * 43) is None
    assert services.authenticate_token("Bearer " + expired_secret) is None


def test_tokens_of_a_deactivated_user_are_refused(tree: Tree) -> None:
    user = _official(tree)
    _token, secret = services.issue_token(user, "máy chủ")

    services.update_official(user, is_active=False)

    assert services.authenticate_token(secret) is None


def test_token_needs_a_name(tree: Tree) -> None:
    with pytest.raises(DomainError) as caught:
        services.issue_token(_official(tree), "  ")

    assert caught.value.code == "token_name_required"
    assert not APIToken.objects.exists()
