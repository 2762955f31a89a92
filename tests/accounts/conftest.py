"""A small province and one person per kind of account, made through services.

The tree, after the 1 July 2025 reorganisation::

    Tỉnh Tuyên Quang (province, 08)
      Sở Nội vụ (agency)
      Xã Hàm Yên (commune)
        Thôn Bình Minh (village)
      Phường Hà Giang 1 (commune)
    Tỉnh Hà Giang (former province, 02)
      Thành phố Hà Giang (former district)
        Phường Nguyễn Trãi (former commune) → today Phường Hà Giang 1
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import F
from django.test import Client, TestCase, override_settings

import pytest

from tests import factories
from tinhso.accounts import services
from tinhso.accounts.models import (
    AccountKind,
    PhoneVerification,
    Role,
    RoleAssignment,
    User,
)
from tinhso.accounts.sms import OutboxSMS
from tinhso.core import services as core
from tinhso.core.models import AuditEntry, OrgUnit, OrgUnitKind

CODE_RE = re.compile(r"\b(\d{6})\b")


@dataclass
class Tree:
    province: OrgUnit
    agency: OrgUnit
    commune: OrgUnit
    village: OrgUnit
    other_commune: OrgUnit
    legacy_province: OrgUnit
    legacy_district: OrgUnit
    legacy_commune: OrgUnit


@dataclass
class People:
    anonymous: AnonymousUser
    citizen: User
    official: User
    clerk: User
    commune_admin: User
    province_admin: User
    other_official: User

    def __getitem__(self, name: str) -> Any:
        return getattr(self, name)


def build_tree() -> Tree:
    province = factories.province()
    commune = core.create_orgunit(
        kind=OrgUnitKind.COMMUNE, code="02374", name="Xã Hàm Yên", parent=province
    )
    other = core.create_orgunit(
        kind=OrgUnitKind.COMMUNE,
        code="00694",
        name="Phường Hà Giang 1",
        parent=province,
    )
    legacy_province = core.create_orgunit(
        kind=OrgUnitKind.PROVINCE, code="02", name="Tỉnh Hà Giang", legacy=True
    )
    legacy_district = core.create_orgunit(
        kind=OrgUnitKind.DISTRICT,
        code="024",
        name="Thành phố Hà Giang",
        parent=legacy_province,
        legacy=True,
    )
    legacy_commune = core.create_orgunit(
        kind=OrgUnitKind.COMMUNE,
        code="00694",
        name="Phường Nguyễn Trãi",
        parent=legacy_district,
        legacy=True,
    )
    core.link_successors(legacy_commune, [other])
    return Tree(
        province=province,
        agency=core.create_orgunit(
            kind=OrgUnitKind.AGENCY,
            code="000.00.31.H56",
            name="Sở Nội vụ",
            parent=province,
        ),
        commune=commune,
        village=core.create_orgunit(
            kind=OrgUnitKind.VILLAGE,
            code="02374-01",
            name="Thôn Bình Minh",
            parent=commune,
        ),
        other_commune=other,
        legacy_province=legacy_province,
        legacy_district=legacy_district,
        legacy_commune=legacy_commune,
    )


@pytest.fixture
def tree(db: None) -> Tree:
    return build_tree()


def last_sms_code(phone: str) -> str:
    for to, text in reversed(OutboxSMS.sent):
        if to == phone:
            match = CODE_RE.search(text)
            assert match is not None, text
            return match.group(1)
    raise AssertionError(f"no SMS to {phone}")


def send_code(user: User) -> str:
    """Send a phone code through the service and read it from the outbox.

    The SMS leaves after commit; tests run inside a transaction, so the
    commit callbacks are run by hand.
    """
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.send_phone_code(user)
    return last_sms_code(user.phone)


def wait_past_resend_limit(user: User) -> None:
    """Move the user's sent codes back in time, as if the resend wait had passed."""
    PhoneVerification.objects.filter(user=user).update(
        sent_at=F("sent_at") - services.PHONE_CODE_INTERVAL
    )


def citizen(identifier: str = "001099012345", phone: str = "0912345678") -> User:
    """An active citizen account, registered and verified as a person would."""
    user = services.register_public_account(
        kind=AccountKind.CITIZEN,
        identifier=identifier,
        full_name="Trần Văn Dân",
        phone=phone,
        password=factories.PASSWORD,
    )
    services.verify_phone(user, send_code(user))
    user.refresh_from_db()
    return user


def build_people(tree: Tree) -> People:
    return People(
        anonymous=AnonymousUser(),
        citizen=citizen(),
        official=factories.official(
            unit=tree.commune, username="nguyenvanan", full_name="Nguyễn Văn An"
        ),
        clerk=factories.official(
            unit=tree.commune,
            role=Role.CLERK,
            username="vanthu",
            full_name="Lê Thị Văn Thư",
        ),
        commune_admin=factories.official(
            unit=tree.commune,
            role=Role.ADMINISTRATOR,
            username="quantrixa",
            full_name="Phạm Quản Trị Xã",
        ),
        province_admin=factories.administrator(
            tree.province, username="quantritinh", full_name="Trần Thị Quản Trị"
        ),
        other_official=factories.official(
            unit=tree.other_commune, username="hoangthibe", full_name="Hoàng Thị Bé"
        ),
    )


@pytest.fixture
def people(tree: Tree) -> People:
    return build_people(tree)


@pytest.fixture(scope="module")
def shared_world(
    django_db_setup: None, django_db_blocker: Any
) -> Iterator[tuple[Tree, People]]:
    """One tree and its people for a whole module of read-only tests.

    Built once inside a transaction rolled back at the end; each test still
    runs in its own savepoint. Tests using it must not change these objects.
    """
    # Module fixtures run before the function-scoped settings in
    # tests/conftest.py, so the same settings are applied here.
    fast = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        SMS_BACKEND="tinhso.accounts.sms.OutboxSMS",
    )
    with fast, django_db_blocker.unblock(), transaction.atomic():
        world = build_tree()
        yield world, build_people(world)
        transaction.set_rollback(True)


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


@dataclass(frozen=True)
class Snapshot:
    """What a refused request must leave as it was."""

    users: int
    active_users: int
    roles: int
    units: int
    audit: int

    @classmethod
    def take(cls) -> "Snapshot":
        return cls(
            users=User.objects.count(),
            active_users=User.objects.filter(is_active=True).count(),
            roles=RoleAssignment.objects.count(),
            units=OrgUnit.objects.count(),
            audit=AuditEntry.objects.count(),
        )
