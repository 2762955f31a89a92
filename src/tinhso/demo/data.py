"""The demo province: what it holds, and ``load_demo`` that loads it.

Administrative units come from the ``vietnam-provinces`` package (through
``core.orgtree``); agencies, villages and people are made up but believable,
and are created through the same services an administrator would use, so a
demo province behaves exactly like a real one. Loading twice creates nothing
new and changes no password.
"""

import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

import pyotp

from tinhso.accounts import services as accounts
from tinhso.accounts.models import AccountKind, Role, RoleAssignment, TOTPDevice, User
from tinhso.core import audit, orgtree
from tinhso.core import services as core
from tinhso.core.errors import DomainError
from tinhso.core.models import AuditEntry, OrgUnit, OrgUnitKind
from tinhso.core.text import fold
from tinhso.demo.catalog import load_catalog
from tinhso.demo.community import load_community
from tinhso.demo.datahub import load_datahub
from tinhso.demo.documents import load_documents
from tinhso.demo.market import load_market
from tinhso.demo.reporting import load_reporting

# One well-known password for every demo account (passes Django's validators).
DEMO_PASSWORD = "Demo@2026"  # noqa: S105

DEFAULT_PROVINCE = 8

# Level-1 e-identifier ("H" code) of each province's People's Committee, the
# last group of `000.00.NN.Hxx` (QĐ 20/2020/QĐ-TTg). Illustrative only: the
# codes are being re-issued after the 2025 merger, so load the official list
# once the province publishes it. Other provinces get a made-up fallback.
PROVINCE_HCODES: dict[int, str] = {8: "H58", 42: "H30"}


def hcode(province: int) -> str:
    return PROVINCE_HCODES.get(province, f"H{province:02d}")


# Provincial agencies as organised after 1 July 2025: (level-2 number, name).
# The province's name is appended ("Sở Nội vụ tỉnh Tuyên Quang").
AGENCIES: list[tuple[str, str]] = [
    ("01", "Văn phòng Ủy ban nhân dân"),
    ("02", "Sở Nội vụ"),
    ("03", "Sở Tài chính"),
    ("04", "Sở Tư pháp"),
    ("05", "Sở Xây dựng"),
    ("06", "Sở Nông nghiệp và Môi trường"),
    ("07", "Sở Khoa học và Công nghệ"),
    ("08", "Sở Y tế"),
    ("09", "Sở Giáo dục và Đào tạo"),
    ("10", "Sở Văn hóa, Thể thao và Du lịch"),
    ("11", "Sở Công Thương"),
    ("12", "Thanh tra"),
    ("13", "Trung tâm Phục vụ hành chính công"),
]

# Villages of a few communes, by province and commune (ward) code. The names
# are believable, not an official list. The first commune also gets the
# commune-level demo accounts.
VILLAGES: dict[int, dict[int, list[str]]] = {
    8: {
        694: [  # Phường Hà Giang 1
            "Tổ dân phố 1",
            "Tổ dân phố 2",
            "Tổ dân phố 3",
            "Thôn Khuổi My",
            "Thôn Nặm Thấu",
        ],
        691: [  # Phường Hà Giang 2
            "Tổ dân phố 4",
            "Tổ dân phố 5",
            "Tổ dân phố 6",
            "Thôn Lùng Châu",
        ],
        721: [  # Xã Đồng Văn
            "Thôn Phố Cũ",
            "Thôn Tả Lủng A",
            "Thôn Tả Lủng B",
            "Thôn Pải Lủng",
            "Thôn Thài Phìn Tủng",
        ],
        2215: [  # Phường Minh Xuân
            "Tổ dân phố Phan Thiết",
            "Tổ dân phố Tân Quang",
            "Tổ dân phố Ỷ La",
            "Thôn Kim Phú",
        ],
    },
}
FALLBACK_VILLAGES = {
    "phường": ["Tổ dân phố 1", "Tổ dân phố 2", "Tổ dân phố 3"],
    "xã": ["Thôn Tân Tiến", "Thôn Thống Nhất", "Thôn Quyết Tiến"],
    "đặc khu": ["Tổ dân phố 1", "Thôn Bãi Dài", "Thôn Bãi Ngang"],
}
VILLAGE_TYPES = {"Tổ dân phố": "tổ dân phố", "Thôn": "thôn", "Bản": "bản"}


@dataclass(frozen=True)
class Official:
    username: str
    full_name: str
    title: str
    role: str
    # Where the role is held: an agency number from AGENCIES, "province" or
    # "commune" (the first demo commune).
    unit: str
    subtree: bool = False
    # The unit the person works in, when not ``unit``.
    works_in: str | None = None


# "{commune}" is the commune's name in lower-case-first form ("phường Hà Giang 1");
# "{slug}" its folded name without the division word ("hagiang1").
OFFICIALS: list[Official] = [
    Official("vanthu", "Nguyễn Thị Thu Hà", "Văn thư", Role.CLERK, "01"),
    Official(
        "chuyenvien",
        "Trần Văn Minh",
        "Chuyên viên Phòng Tổng hợp",
        Role.SPECIALIST,
        "01",
    ),
    Official(
        "truongphong",
        "Lương Thị Hồng Nhung",
        "Trưởng phòng Tổng hợp",
        Role.SPECIALIST,
        "01",
    ),
    Official("lanhdao", "Hoàng Văn Thắng", "Chánh Văn phòng", Role.LEADER, "01"),
    Official(
        "motcua",
        "Lê Thị Thu Trang",
        "Công chức tiếp nhận và trả kết quả",
        Role.ONE_STOP_OFFICER,
        "13",
    ),
    Official(
        "dulieu",
        "Phạm Quốc Khánh",
        "Chuyên viên Phòng Chuyển đổi số",
        Role.DATA_OFFICER,
        "07",
    ),
    Official(
        "baocao",
        "Vũ Thị Lan Anh",
        "Chuyên viên Phòng Tổng hợp, Kế hoạch",
        Role.REPORTING_OFFICER,
        "03",
    ),
    Official(
        "sanocop",
        "Nguyễn Thị Bích Ngọc",
        "Chuyên viên Phòng Quản lý thương mại, phụ trách sàn OCOP",
        Role.MARKET_OFFICER,
        "11",
    ),
    Official(
        "congdong",
        "Lê Thị Minh Nguyệt",
        "Chuyên viên Phòng Chuyển đổi số, phụ trách tổ công nghệ số cộng đồng",
        Role.COMMUNITY_OFFICER,
        "province",
        subtree=True,
        works_in="07",
    ),
    Official(
        "quantri",
        "Đỗ Mạnh Hùng",
        "Quản trị hệ thống, Trung tâm Chuyển đổi số",
        Role.ADMINISTRATOR,
        "province",
        subtree=True,
        works_in="07",
    ),
    Official(
        "lanhdao.{slug}",
        "Nông Văn Tuấn",
        "Chủ tịch Ủy ban nhân dân {commune}",
        Role.LEADER,
        "commune",
    ),
    Official(
        "vanthu.{slug}",
        "Hoàng Thị Lan",
        "Văn thư Ủy ban nhân dân {commune}",
        Role.CLERK,
        "commune",
    ),
    Official(
        "congchuc.{slug}",
        "Vàng Văn Dũng",
        "Công chức Văn phòng - Thống kê {commune}",
        Role.SPECIALIST,
        "commune",
    ),
    Official(
        "motcua.{slug}",
        "Ma Thị Hoa",
        "Công chức một cửa {commune}",
        Role.ONE_STOP_OFFICER,
        "commune",
    ),
    Official(
        "baocao.{slug}",
        "Lò Thị Thanh",
        "Công chức Văn phòng - Thống kê {commune}, phụ trách báo cáo",
        Role.REPORTING_OFFICER,
        "commune",
    ),
]
# Two more communes report their quarter in the demo, each with its own
# reporting officer and chairman.
REPORTING_COMMUNES = 3
COMMUNE_REPORTERS = {
    spec.role: spec
    for spec in OFFICIALS
    if spec.username in ("baocao.{slug}", "lanhdao.{slug}")
}

# Tax codes by province (the first two digits were the old tax department's).
BUSINESSES: dict[int, tuple[str, str]] = {
    8: ("5100312458", "Hợp tác xã Chè Shan tuyết Cao Bồ"),
    42: ("3001245786", "Hợp tác xã Cam Khe Hương Khê"),
}

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Login:
    role: str
    username: str
    password: str
    full_name: str
    unit: str


@dataclass
class DemoReport:
    province: OrgUnit
    orgtree: orgtree.LoadReport
    # Rows created, keyed "agency", "village", "account", "role", "totp".
    created: Counter[str] = field(default_factory=Counter)
    logins: list[Login] = field(default_factory=list)
    admin_username: str = ""
    totp_secret: str = ""
    totp_uri: str = ""
    seconds: float = 0.0


def _in_sentence(name: str) -> str:
    """The name as it reads after another noun: "tỉnh Tuyên Quang"."""
    return name[:1].lower() + name[1:]


def _slug(commune: OrgUnit) -> str:
    """The user-name form of a commune: Phường Hà Giang 1 → hagiang1."""
    folded = fold(commune.name)
    for word in ("phuong ", "xa ", "dac khu "):
        folded = folded.removeprefix(word)
    return re.sub(r"[^a-z0-9]", "", folded)


def _mail_domain(province: OrgUnit) -> str:
    """Tỉnh Tuyên Quang → tuyenquang.gov.vn."""
    folded = fold(province.name)
    for word in ("tinh ", "thanh pho "):
        folded = folded.removeprefix(word)
    return re.sub(r"[^a-z0-9]", "", folded) + ".gov.vn"


def _ensure_unit(
    report: DemoReport,
    *,
    kind: str,
    code: str,
    name: str,
    parent: OrgUnit,
    division_type: str = "",
) -> OrgUnit:
    unit = OrgUnit.objects.filter(legacy=False, kind=kind, code=code).first()
    if unit is None:
        unit = core.create_orgunit(
            kind=kind,
            code=code,
            name=name,
            parent=parent,
            division_type=division_type,
        )
        report.created[kind] += 1
    return unit


def _demo_communes(province_code: int, province: OrgUnit) -> list[OrgUnit]:
    """Communes that get villages; the first gets the commune accounts too."""
    communes = OrgUnit.objects.filter(
        legacy=False, kind=OrgUnitKind.COMMUNE, parent=province
    ).order_by("code")
    by_code = {u.code: u for u in communes}
    chosen = [
        by_code[orgtree.ward_code(c)]
        for c in VILLAGES.get(province_code, {})
        if orgtree.ward_code(c) in by_code
    ]
    if chosen:
        return chosen
    wards = [u for u in communes if u.division_type == "phường"][:2]
    rural = [u for u in communes if u.division_type == "xã"][:2]
    return (wards + rural) or list(communes[:4])


def _village_names(province_code: int, commune: OrgUnit) -> list[str]:
    named = VILLAGES.get(province_code, {}).get(int(commune.code))
    if named:
        return named
    return FALLBACK_VILLAGES.get(commune.division_type, FALLBACK_VILLAGES["xã"])


def _village_type(name: str) -> str:
    for prefix, division_type in VILLAGE_TYPES.items():
        if name.startswith(prefix + " "):
            return division_type
    return "thôn"


def _ensure_official(
    report: DemoReport,
    spec: Official,
    *,
    units: dict[str, OrgUnit],
    commune: OrgUnit,
    domain: str,
) -> tuple[User, OrgUnit]:
    slug = _slug(commune)
    username = spec.username.format(slug=slug)
    unit = units[spec.unit]
    user = User.objects.filter(username=username).first()
    if user is None:
        user = accounts.create_official(
            username=username,
            full_name=spec.full_name,
            password=DEMO_PASSWORD,
            org_unit=units[spec.works_in or spec.unit],
            email=f"{username}@{domain}",
            title=spec.title.format(commune=_in_sentence(commune.name)),
        )
        report.created["account"] += 1
    if not RoleAssignment.objects.filter(
        user=user, role=spec.role, org_unit=unit
    ).exists():
        accounts.assign_role(
            user, role=spec.role, org_unit=unit, include_subtree=spec.subtree
        )
        report.created["role"] += 1
    return user, unit


def _ensure_public(
    report: DemoReport, *, kind: str, identifier: str, full_name: str, phone: str
) -> User:
    user = User.objects.filter(username=identifier).first()
    if user is None:
        user = accounts.register_public_account(
            kind=kind,
            identifier=identifier,
            full_name=full_name,
            phone=phone,
            password=DEMO_PASSWORD,
        )
        report.created["account"] += 1
    accounts.activate_public_account(user)
    return user


def _ensure_totp(report: DemoReport, admin: User) -> None:
    """Administrators must use a second factor: give the demo admin one."""
    device = TOTPDevice.objects.filter(user=admin).first()
    if device is None or device.confirmed_at is None:
        device = accounts.start_totp(admin)
        accounts.confirm_totp(device, pyotp.TOTP(device.secret).now())
        report.created["totp"] += 1
    report.admin_username = admin.username
    report.totp_secret = device.secret
    report.totp_uri = accounts.totp_uri(device)


DEMO_ACTION = "demo.load"


def load_demo(
    province_code: int = DEFAULT_PROVINCE,
    *,
    progress: Progress | None = None,
    force: bool = False,
) -> DemoReport:
    """Load the demo province ``province_code``; DomainError for an unknown code.

    Refuses a database that already has accounts not made by the demo: the
    demo's administrator has a published password and would hold the whole
    province of a real deployment.
    """
    started = time.monotonic()
    say = progress or (lambda message: None)
    demo_before = AuditEntry.objects.filter(action=DEMO_ACTION).exists()
    if not force and not demo_before and User.objects.exists():
        raise DomainError(
            "demo_on_real_data",
            _(
                "Cơ sở dữ liệu này đã có tài khoản thật; dữ liệu mẫu có mật khẩu "
                "công khai nên không được nạp vào. Dùng --force nếu đây là bản thử."
            ),
        )

    def tree_progress(stage: str, done: int, total: int) -> None:
        if done == total:
            say(f"orgtree {stage}: {done}/{total}")

    with transaction.atomic():
        tree = orgtree.load_province(
            province_code, with_legacy=True, progress=tree_progress
        )
        province = tree.province
        report = DemoReport(province=province, orgtree=tree)
        place = _in_sentence(province.name)
        units: dict[str, OrgUnit] = {"province": province}
        for number, name in AGENCIES:
            units[number] = _ensure_unit(
                report,
                kind=OrgUnitKind.AGENCY,
                code=f"000.00.{number}.{hcode(province_code)}",
                name=f"{name} {place}",
                parent=province,
            )
        say(f"agencies: {len(AGENCIES)}")

        communes = _demo_communes(province_code, province)
        villages = 0
        for commune in communes:
            for n, name in enumerate(_village_names(province_code, commune), start=1):
                _ensure_unit(
                    report,
                    kind=OrgUnitKind.VILLAGE,
                    code=f"{commune.code}.{n:02d}",
                    name=name,
                    parent=commune,
                    division_type=_village_type(name),
                )
                villages += 1
        say(f"villages: {villages} in {len(communes)} communes")

        commune = communes[0]
        units["commune"] = commune
        domain = _mail_domain(province)
        for spec in OFFICIALS:
            user, unit = _ensure_official(
                report, spec, units=units, commune=commune, domain=domain
            )
            report.logins.append(
                Login(
                    str(Role(spec.role).label),
                    user.username,
                    DEMO_PASSWORD,
                    user.full_name,
                    unit.name,
                )
            )
            if spec.role == Role.ADMINISTRATOR:
                _ensure_totp(report, user)

        citizen = _ensure_public(
            report,
            kind=AccountKind.CITIZEN,
            # Province of birth registration, 1 = woman born in the 1900s, 1992.
            identifier=f"{province_code:03d}192004217",
            full_name="Nguyễn Thị Mai Hương",
            phone="0912345678",
        )
        tax_code, business_name = BUSINESSES.get(
            province_code,
            (f"01{province_code:02d}246813", "Công ty TNHH Nông sản sạch Bình Minh"),
        )
        business = _ensure_public(
            report,
            kind=AccountKind.BUSINESS,
            identifier=tax_code,
            full_name=business_name,
            phone="0987654321",
        )
        for user in (citizen, business):
            report.logins.append(
                Login(
                    str(AccountKind(user.kind).label),
                    user.username,
                    DEMO_PASSWORD,
                    user.full_name,
                    "—",
                )
            )
        reporters = []
        for n, reporting_commune in enumerate(communes[:REPORTING_COMMUNES]):
            pair: dict[str, User] = {}
            for role, spec in COMMUNE_REPORTERS.items():
                user, unit = _ensure_official(
                    report,
                    spec,
                    units={"commune": reporting_commune},
                    commune=reporting_commune,
                    domain=domain,
                )
                pair[role] = user
                if n:  # the first commune's are listed with the others
                    report.logins.append(
                        Login(
                            str(Role(spec.role).label),
                            user.username,
                            DEMO_PASSWORD,
                            user.full_name,
                            unit.name,
                        )
                    )
            reporters.append((pair[Role.REPORTING_OFFICER], pair[Role.LEADER]))
        say(f"accounts: {len(report.logins)}")
        admin = User.objects.get(username=report.admin_username)
        made = load_documents(
            admin=admin, province=province, units=units, communes=communes
        )
        report.created.update({k: n for k, n in made.items() if n})
        say("documents: agency symbols, review chain, demo certificates")
        procedures = load_catalog(units)
        if procedures:
            report.created["procedures"] = procedures
        say("procedure catalog")
        officer = User.objects.get(username="dulieu")
        shared = load_datahub(officer, units["07"], province)
        report.created.update({k: n for k, n in shared.items() if n})
        say("data sharing: services, a client system, open datasets")

        def producer_account(kind: str, identifier: str, name: str, phone: str) -> User:
            user = _ensure_public(
                report, kind=kind, identifier=identifier, full_name=name, phone=phone
            )
            if all(login.username != user.username for login in report.logins):
                report.logins.append(
                    Login(
                        _("Chủ thể OCOP"),
                        user.username,
                        DEMO_PASSWORD,
                        user.full_name,
                        "—",
                    )
                )
            return user

        shop = load_market(
            province_code=province_code,
            officer=User.objects.get(username="sanocop"),
            communes=list(
                OrgUnit.objects.filter(
                    legacy=False, kind=OrgUnitKind.COMMUNE, parent=province
                ).order_by("code")
            ),
            home=communes[0],
            citizen=citizen,
            ensure_account=producer_account,
        )
        report.created.update({k: n for k, n in shop.items() if n})
        say("OCOP market: producers, products, orders paid by VietQR and in cash")

        def helper_account(identifier: str, name: str, phone: str) -> User:
            user = _ensure_public(
                report,
                kind=AccountKind.CITIZEN,
                identifier=identifier,
                full_name=name,
                phone=phone,
            )
            if all(login.username != user.username for login in report.logins):
                report.logins.append(
                    Login(
                        _("Thành viên tổ công nghệ số"),
                        user.username,
                        DEMO_PASSWORD,
                        user.full_name,
                        "—",
                    )
                )
            return user

        teams = load_community(
            officer=User.objects.get(username="congdong"),
            province=province,
            communes=communes,
            ensure_helper=helper_account,
        )
        report.created.update({k: n for k, n in teams.items() if n})
        say("community teams: members imported, help logged, a training session")
        center = load_reporting(
            admin=admin,
            province=province,
            receiver=units["01"],
            communes=communes[:REPORTING_COMMUNES],
            officers=reporters,
        )
        report.created.update({k: n for k, n in center.items() if n})
        say("reporting: indicators, plan targets, quarterly report, operations center")
        if not demo_before:
            audit.record(
                DEMO_ACTION,
                object_type="core.orgunit",
                object_id=str(province.pk),
                detail={"province": province.code},
            )
    report.seconds = time.monotonic() - started
    return report
