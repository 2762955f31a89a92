"""`tinhso demo`: a believable province with one login per role."""

import re
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

import pyotp
import pytest

from tests import factories
from tinhso.accounts.models import AccountKind, Role, RoleAssignment, TOTPDevice, User
from tinhso.community.constants import HelpKind
from tinhso.community.models import Help, Team
from tinhso.core import selectors
from tinhso.core.models import AuditEntry, OrgUnit, OrgUnitKind
from tinhso.demo import data
from tinhso.dossiers.constants import ProcedureLevel
from tinhso.dossiers.models import Procedure
from tinhso.market.constants import OrderStatus, PaymentMethod, ProductStatus
from tinhso.market.models import Order, Product
from tinhso.reporting.models import MonthlyFact, Round, Target
from tinhso.reporting.selectors.reports import rollup

pytestmark = pytest.mark.django_db


def demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def logins(output: str) -> dict[str, tuple[str, str]]:
    """Username → (role label, password), read from the printed table."""
    rows = {}
    for line in output.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) >= 4 and cells[2] == data.DEMO_PASSWORD:
            rows[cells[1]] = (cells[0], cells[2])
    return rows


def counts() -> tuple[int, ...]:
    return (
        OrgUnit.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
        TOTPDevice.objects.count(),
        AuditEntry.objects.count(),
    )


def test_demo_province_has_every_role_and_runs_twice_unchanged() -> None:
    first = demo()

    province = OrgUnit.objects.get(legacy=False, kind=OrgUnitKind.PROVINCE)
    assert province.name == "Tỉnh Tuyên Quang"
    # Org tree with history, from the package.
    assert province.children.filter(kind=OrgUnitKind.COMMUNE).count() == 124
    assert OrgUnit.objects.filter(legacy=True, kind=OrgUnitKind.DISTRICT).count() == 18
    # Agencies with e-identifier codes under the province.
    agencies = province.children.filter(kind=OrgUnitKind.AGENCY)
    assert agencies.count() >= 12
    assert all(re.fullmatch(r"000\.00\.\d{2}\.H58", a.code) for a in agencies)
    assert agencies.filter(
        name="Sở Nông nghiệp và Môi trường tỉnh Tuyên Quang"
    ).exists()
    # Villages under real communes.
    for commune in (
        "Phường Hà Giang 1",
        "Phường Hà Giang 2",
        "Xã Đồng Văn",
        "Phường Minh Xuân",
    ):
        villages = OrgUnit.objects.filter(parent__name=commune, legacy=False)
        assert villages.count() >= 3
        assert set(villages.values_list("kind", flat=True)) == {OrgUnitKind.VILLAGE}

    # One official per role, plus commune-level ones.
    held = set(RoleAssignment.objects.values_list("role", flat=True))
    assert held == set(Role.values)
    admin = RoleAssignment.objects.get(role=Role.ADMINISTRATOR)
    assert (admin.org_unit, admin.include_subtree) == (province, True)
    commune_roles = RoleAssignment.objects.filter(org_unit__name="Phường Hà Giang 1")
    # The commune keeps its own document register, so it has its own clerk.
    assert set(commune_roles.values_list("role", flat=True)) == {
        Role.LEADER,
        Role.CLERK,
        Role.SPECIALIST,
        Role.ONE_STOP_OFFICER,
        Role.REPORTING_OFFICER,
    }
    # This quarter's report, approved in three communes, rolls up.
    round_ = Round.objects.get(form__code="cds-quy")
    rolled, approved, everyone = rollup(round_)
    assert (approved, everyone) == (3, 124)
    share = next(r for r in rolled if r.item.key == "dinh_danh")
    assert float(share.figure) == pytest.approx(100 * 25370 / 32305, abs=0.01)
    assert (
        Target.objects.filter(unit=province, indicator__code="cq.dvc_toan_trinh")
        .get()
        .value
        == 85
    )
    # The OCOP market: 4-star products on sale, an order paid by VietQR and
    # delivered, and its figures in the operations center's facts.
    on_sale = Product.objects.filter(status=ProductStatus.LISTED)
    assert on_sale.count() >= 6 and on_sale.filter(stars=4).exists()
    assert Order.objects.filter(
        payment_method=PaymentMethod.VIETQR, status=OrderStatus.DELIVERED
    ).exists()
    assert MonthlyFact.objects.filter(
        indicator__code="kt.ocop_khong_tien_mat", value__gt=0
    ).exists()
    # Community teams: a team in every demo village, members imported from
    # the commune's list, a member's level-2 e-identity help logged.
    assert (
        Team.objects.count() == OrgUnit.objects.filter(kind=OrgUnitKind.VILLAGE).count()
    )
    assert Help.objects.filter(kind=HelpKind.EID_LEVEL_2).exists()
    assert MonthlyFact.objects.filter(
        indicator__code="xh.ho_tro_dinh_danh", value__gt=0
    ).exists()
    # The administrator's second factor is set up and works.
    device = TOTPDevice.objects.get(user=admin.user)
    assert device.confirmed_at is not None
    assert device.secret in first
    # Citizen and business can sign in: phone verified, active.
    citizen = User.objects.get(full_name="Nguyễn Thị Mai Hương")
    assert citizen.kind == AccountKind.CITIZEN
    assert re.fullmatch(r"008\d{9}", citizen.username)
    business = User.objects.get(username="5100312458")
    assert business.kind == AccountKind.BUSINESS
    for user in (citizen, business):
        assert user.is_active and user.phone_verified_at is not None

    # A catalog of real-looking procedures at both levels, each complete.
    procedures = Procedure.objects.all()
    assert procedures.count() >= 30
    assert {p.level for p in procedures} == set(ProcedureLevel.values)
    assert all(p.documents.exists() and p.steps.exists() for p in procedures)
    assert not procedures.filter(level=ProcedureLevel.PROVINCE, agency=None).exists()

    printed = logins(first)
    every_account = set(User.objects.values_list("username", flat=True))
    assert set(printed) == every_account
    assert printed["vanthu"][0] == "Văn thư"

    before = counts()
    hashes = dict(User.objects.values_list("username", "password"))
    second = demo("--province", "08")
    assert counts() == before
    assert logins(second) == printed
    assert device.secret in second
    assert "Không tạo thêm gì" in second
    # Passwords were kept, not set again.
    assert dict(User.objects.values_list("username", "password")) == hashes


def test_clerk_signs_in_with_the_printed_password(client: Client) -> None:
    output = demo()
    role, password = logins(output)["vanthu"]
    assert role == "Văn thư"

    response = client.post(
        "/accounts/login/", {"username": "vanthu", "password": password}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(
        User.objects.get(username="vanthu").pk
    )


def test_administrator_signs_in_with_the_second_factor(client: Client) -> None:
    demo()
    device = TOTPDevice.objects.get(user__username="quantri")
    # Enrolment used the current code; the next one is what an app shows next.
    next_code = pyotp.TOTP(device.secret).at(device.last_step * 30 + 30)

    response = client.post(
        "/accounts/login/", {"username": "quantri", "password": data.DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/accounts/login/code/")
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/login/code/", {"code": next_code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(device.user_id)


def test_demo_for_another_province() -> None:
    output = demo("--province", "42")

    province = OrgUnit.objects.get(legacy=False, kind=OrgUnitKind.PROVINCE)
    assert province.name == "Tỉnh Hà Tĩnh"
    assert "Tỉnh Hà Tĩnh" in output
    assert OrgUnit.objects.filter(
        kind=OrgUnitKind.AGENCY, name="Sở Tư pháp tỉnh Hà Tĩnh", code="000.00.04.H30"
    ).exists()
    assert OrgUnit.objects.filter(kind=OrgUnitKind.VILLAGE).count() >= 6
    held = set(RoleAssignment.objects.values_list("role", flat=True))
    assert held == set(Role.values)
    commune = (
        RoleAssignment.objects.filter(
            role=Role.LEADER, org_unit__kind=OrgUnitKind.COMMUNE
        )
        .first()
        .org_unit
    )
    assert selectors.ancestors(commune) == [province, commune]
    citizen = User.objects.get(full_name="Nguyễn Thị Mai Hương")
    assert citizen.username.startswith("042")
    # The demo's OCOP producers are Tuyên Quang's: another province's market
    # starts empty.
    assert not User.objects.filter(username="5100312458").exists()


def test_unknown_province_is_refused() -> None:
    with pytest.raises(CommandError, match="tinhso orgtree provinces"):
        demo("--province", "63")
    assert not User.objects.exists()


def test_demo_refuses_a_database_with_real_accounts() -> None:
    """The demo's published passwords never land in a real deployment by accident."""
    factories.official(username="canbothat", full_name="Cán Bộ Thật")

    with pytest.raises(CommandError, match="đã có tài khoản thật"):
        demo()
    assert User.objects.count() == 1
    assert not OrgUnit.objects.exists()

    demo("--force")
    assert User.objects.filter(username="quantri").exists()
