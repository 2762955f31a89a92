"""Sign-in pages: password, lockout, second factor, logout."""

import time

from django.conf import settings
from django.test import Client

import pyotp
import pytest

from tests import factories
from tests.accounts.conftest import Tree
from tinhso.accounts import services
from tinhso.accounts.models import Role, TOTPDevice, User
from tinhso.core.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _login(client: Client, username: str, password: str = factories.PASSWORD) -> object:
    return client.post(LOGIN, {"username": username, "password": password})


def _signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


@pytest.fixture
def official(tree: Tree) -> User:
    return factories.official(
        unit=tree.commune, username="nguyenvanan", full_name="Nguyễn Văn An"
    )


@pytest.fixture
def admin(tree: Tree) -> User:
    return factories.administrator(
        tree.province, username="quantri", full_name="Trần Thị Quản Trị"
    )


def test_login_lands_on_home(client: Client, official: User) -> None:
    response = _login(client, "nguyenvanan")

    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Xin chào, Nguyễn Văn An" in home.content.decode()
    assert AuditEntry.objects.filter(action="accounts.login").count() == 1


def test_login_follows_a_safe_next_only(client: Client, official: User) -> None:
    response = client.post(
        LOGIN,
        {
            "username": "nguyenvanan",
            "password": factories.PASSWORD,
            "next": "https://evil.example/",
        },
    )

    assert response["Location"] == "/"


def test_wrong_password_shows_a_vietnamese_message(
    client: Client, official: User
) -> None:
    response = _login(client, "nguyenvanan", "sai-mat-khau")

    assert response.status_code == 400
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()
    assert not _signed_in(client)


def test_lockout_message_and_right_password_refused_while_locked(
    client: Client, official: User
) -> None:
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        _login(client, "nguyenvanan", "sai-mat-khau")

    locked = _login(client, "nguyenvanan", "sai-mat-khau")
    again = _login(client, "nguyenvanan")

    minutes = settings.LOGIN_LOCKOUT_MINUTES
    assert f"tài khoản tạm khóa {minutes} phút" in locked.content.decode()
    assert again.status_code == 400
    assert "Tài khoản tạm khóa do nhập sai mật khẩu nhiều lần" in (
        again.content.decode()
    )
    assert not _signed_in(client)


def test_administrator_without_totp_sets_it_up_before_entering(
    client: Client, admin: User
) -> None:
    response = _login(client, "quantri")

    assert response["Location"] == "/accounts/login/setup/"
    assert not _signed_in(client)
    page = client.get("/accounts/login/setup/")
    assert page.status_code == 200
    assert "Tài khoản quản trị bắt buộc dùng xác thực hai lớp" in page.content.decode()
    secret = TOTPDevice.objects.get(user=admin).secret
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in (
        page.content.decode()
    )

    done = client.post("/accounts/login/setup/", {"code": pyotp.TOTP(secret).now()})

    assert done["Location"] == "/"
    assert _signed_in(client)
    assert TOTPDevice.objects.get(user=admin).confirmed_at is not None


def test_wrong_setup_code_keeps_the_administrator_out(
    client: Client, admin: User
) -> None:
    _login(client, "quantri")
    client.get("/accounts/login/setup/")

    response = client.post("/accounts/login/setup/", {"code": "abcdef"})

    assert response.status_code == 400
    assert "Mã xác thực không đúng hoặc đã hết hạn." in response.content.decode()
    assert not _signed_in(client)


def _with_totp(user: User) -> pyotp.TOTP:
    device = services.start_totp(user)
    totp = pyotp.TOTP(device.secret)
    services.confirm_totp(device, totp.now())
    return totp


def test_official_with_totp_needs_the_code_and_a_code_works_once(
    client: Client, official: User
) -> None:
    totp = _with_totp(official)
    # The setup used this time step; the next one is still within the drift.
    code = totp.at(time.time() + 30)

    first = _login(client, "nguyenvanan")
    assert first["Location"] == "/accounts/login/code/"
    assert not _signed_in(client)
    assert client.post("/accounts/login/code/", {"code": code})["Location"] == "/"
    assert _signed_in(client)

    client.post("/accounts/logout/")
    _login(client, "nguyenvanan")
    reused = client.post("/accounts/login/code/", {"code": code})

    assert reused.status_code == 400
    assert "Mã xác thực không đúng hoặc đã hết hạn." in reused.content.decode()
    assert not _signed_in(client)


def test_a_lock_set_after_the_password_step_stops_the_code_step(
    client: Client, official: User
) -> None:
    """Locked from elsewhere between the two steps: the right code no longer helps."""
    totp = _with_totp(official)
    _login(client, "nguyenvanan")
    for _ in range(settings.LOGIN_MAX_FAILURES):
        services.record_login_failure(official)

    response = client.post("/accounts/login/code/", {"code": totp.at(time.time() + 30)})

    assert response["Location"] == LOGIN
    assert not _signed_in(client)


def test_turning_off_the_second_factor_asks_for_the_password(
    client: Client, official: User
) -> None:
    _with_totp(official)
    client.force_login(official)

    wrong = client.post(
        "/accounts/me/", {"action": "totp_off", "password": "sai-mat-khau"}, follow=True
    )
    assert (
        "Mật khẩu không đúng; xác thực hai lớp vẫn đang bật." in wrong.content.decode()
    )
    assert TOTPDevice.objects.filter(user=official).exists()

    client.post("/accounts/me/", {"action": "totp_off", "password": factories.PASSWORD})
    assert not TOTPDevice.objects.filter(user=official).exists()


def test_code_page_without_a_password_step_sends_back_to_login(
    client: Client,
) -> None:
    response = client.get("/accounts/login/code/")

    assert response["Location"] == LOGIN


def test_logout_ends_the_session(client: Client, official: User) -> None:
    _login(client, "nguyenvanan")

    response = client.post("/accounts/logout/")

    assert response["Location"] == LOGIN
    assert client.get("/")["Location"].startswith(LOGIN)
    assert AuditEntry.objects.filter(action="accounts.logout").count() == 1


def test_logout_needs_a_post(client: Client, official: User) -> None:
    _login(client, "nguyenvanan")

    assert client.get("/accounts/logout/").status_code == 405
    assert _signed_in(client)


def test_nav_shows_users_only_to_administrators(client: Client, tree: Tree) -> None:
    clerk = factories.official(unit=tree.commune, role=Role.CLERK, username="vanthu")
    admin = factories.official(
        unit=tree.commune, role=Role.ADMINISTRATOR, username="quantrixa"
    )

    client.force_login(clerk)
    clerk_home = client.get("/").content.decode()
    client.force_login(admin)
    admin_home = client.get("/").content.decode()

    link = '<a href="/accounts/users/"'
    assert "Cây tổ chức" in clerk_home
    assert link not in clerk_home
    assert "Người dùng" not in clerk_home
    assert link in admin_home
    assert "Người dùng" in admin_home
