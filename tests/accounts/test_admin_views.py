"""Administration pages: the org tree and officials' accounts."""

import re
from typing import Any

from django.test import Client

import pyotp
import pytest

from tests import factories
from tests.accounts.conftest import People, Snapshot, Tree, login
from tinhso.accounts import forms, services
from tinhso.accounts.models import Role, RoleAssignment, TOTPDevice, User
from tinhso.core import services as core
from tinhso.core.models import AuditEntry, OrgUnit, OrgUnitKind

pytestmark = pytest.mark.django_db

ORGTREE = "/accounts/orgtree/"
USERS = "/accounts/users/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _text(response: Any) -> str:
    return str(response.content.decode())


def _section(page: str, start: str, end: str) -> str:
    """The part of ``page`` from ``start`` up to the next ``end``."""
    at = page.index(start)
    return page[at : page.index(end, at)]


def _detail(user: User) -> str:
    return f"{USERS}{user.pk}/"


# Org tree: browsing -----------------------------------------------------------


def test_orgtree_shows_current_roots_to_an_official(
    client: Client, people: People, tree: Tree
) -> None:
    response = login(client, people.clerk).get(ORGTREE)

    page = _text(response)
    assert response.status_code == 200
    assert "Tỉnh Tuyên Quang" in page
    assert "Tỉnh Hà Giang" not in page
    assert f'href="{ORGTREE}?unit={tree.province.pk}"' in page
    # Clerks browse; only administrators get the forms.
    assert "Thêm đơn vị" not in page


def test_orgtree_is_for_officials(client: Client, people: People) -> None:
    assert login(client, people.citizen).get(ORGTREE).status_code == 403


def test_orgtree_needs_a_login(client: Client, db: None) -> None:
    response = client.get(ORGTREE)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_unit_page_shows_breadcrumbs_and_children(
    client: Client, people: People, tree: Tree
) -> None:
    response = login(client, people.clerk).get(ORGTREE, {"unit": tree.commune.pk})

    page = _text(response)
    crumbs = _section(page, 'class="crumbs"', "</ol>")
    assert re.findall(r">([^<>]+)</(?:a|li)>", crumbs) == [
        "Cây tổ chức",
        "Tỉnh Tuyên Quang",
        "Xã Hàm Yên",
    ]
    assert "Thôn Bình Minh" in page
    assert "02374" in page
    assert "Xã, phường, đặc khu" in page


def test_former_units_show_only_when_asked_and_resolve_to_today(
    client: Client, people: People, tree: Tree
) -> None:
    login(client, people.clerk)

    hidden = _text(client.get(ORGTREE))
    shown = _text(client.get(ORGTREE, {"legacy": "on"}))
    district = _text(client.get(ORGTREE, {"unit": tree.legacy_district.pk}))

    assert "Tỉnh Hà Giang" not in hidden
    assert "Tỉnh Hà Giang" in shown
    # A former district resolves through its former communes.
    item = district[district.index("Phường Nguyễn Trãi") :]
    assert "nay là" in item
    assert "Phường Hà Giang 1" in item


def test_search_ignores_diacritics_and_can_include_former_units(
    client: Client, people: People, tree: Tree
) -> None:
    login(client, people.clerk)

    current = _text(client.get(ORGTREE, {"q": "ha giang"}))
    former = _text(client.get(ORGTREE, {"q": "nguyen trai", "legacy": "on"}))

    assert "Phường Hà Giang 1" in current
    assert "Thành phố Hà Giang" not in current
    assert "Tìm thấy 1 đơn vị khớp “ha giang”." in current
    assert "Phường Nguyễn Trãi" in former
    assert "đơn vị cũ" in former
    assert "Phường Hà Giang 1" in former


def test_search_fragment_for_htmx(client: Client, people: People, tree: Tree) -> None:
    response = login(client, people.clerk).get(ORGTREE, {"q": "ham yen"}, **HTMX)

    page = _text(response)
    assert "<html" not in page
    assert "Xã Hàm Yên" in page
    assert 'id="orgtree-status" hx-swap-oob="innerHTML"' in page
    assert "HX-Request" in response["Vary"]


def test_history_restore_gets_the_whole_page(
    client: Client, people: People, tree: Tree
) -> None:
    response = login(client, people.clerk).get(
        ORGTREE, {"q": "ham yen"}, HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX
    )

    assert "<html" in _text(response)


def test_tree_node_opens_and_closes_with_htmx(
    client: Client, people: People, tree: Tree
) -> None:
    login(client, people.clerk)
    node = f"{ORGTREE}{tree.province.pk}/node/"

    opened = _text(client.get(node, {"open": "1"}, **HTMX))
    closed = _text(client.get(node, {"open": "0"}, **HTMX))

    assert opened.startswith(f'<li class="tree-node" id="node-{tree.province.pk}">')
    assert 'aria-expanded="true"' in opened
    assert "Xã Hàm Yên" in opened
    assert "Sở Nội vụ" in opened
    assert 'aria-expanded="false"' in closed
    assert "Xã Hàm Yên" not in closed


def test_tree_node_without_htmx_goes_to_the_unit_page(
    client: Client, people: People, tree: Tree
) -> None:
    response = login(client, people.clerk).get(
        f"{ORGTREE}{tree.province.pk}/node/", {"open": "1"}
    )

    assert response["Location"] == f"{ORGTREE}?unit={tree.province.pk}"


def test_unknown_unit_is_404(client: Client, people: People) -> None:
    assert login(client, people.clerk).get(ORGTREE, {"unit": 999999}).status_code == 404


# Org tree: managing -----------------------------------------------------------


def test_administrator_adds_a_child_unit(
    client: Client, people: People, tree: Tree
) -> None:
    login(client, people.commune_admin)
    page = _text(client.get(ORGTREE, {"unit": tree.commune.pk}))
    assert "Thêm đơn vị trực thuộc" in page

    response = client.post(
        f"{ORGTREE}{tree.commune.pk}/add/",
        {"add-kind": "village", "add-code": "02374-02", "add-name": "Thôn Hòa Bình"},
    )

    assert response["Location"] == f"{ORGTREE}?unit={tree.commune.pk}"
    unit = OrgUnit.objects.get(code="02374-02")
    assert (unit.name, unit.parent, unit.kind) == (
        "Thôn Hòa Bình",
        tree.commune,
        "village",
    )
    assert AuditEntry.objects.filter(
        action="core.orgunit.create", object_id=str(unit.pk)
    ).exists()
    assert "Đã thêm đơn vị Thôn Hòa Bình" in _text(client.get(response["Location"]))


def test_province_administrator_adds_a_top_level_agency(
    client: Client, people: People, tree: Tree
) -> None:
    login(client, people.province_admin)
    assert "Thêm đơn vị cấp cao nhất" in _text(client.get(ORGTREE))

    response = client.post(
        f"{ORGTREE}add/",
        {"add-kind": "agency", "add-code": "H56.1", "add-name": "Văn phòng Đoàn ĐBQH"},
    )

    assert response["Location"] == ORGTREE
    unit = OrgUnit.objects.get(code="H56.1")
    assert (unit.parent, unit.depth, unit.path) == (None, 0, f"/{unit.pk}/")


def test_kinds_offered_follow_the_tree_rules(
    client: Client, people: People, tree: Tree
) -> None:
    login(client, people.commune_admin)

    page = _text(client.get(ORGTREE, {"unit": tree.commune.pk}))
    form = _section(page, 'id="add-unit"', "</details>")

    assert re.findall(r'<option value="(\w+)"', form) == [
        "agency",
        "village",
        "department",
    ]


def test_adding_a_taken_code_shows_the_error_and_saves_nothing(
    client: Client, people: People, tree: Tree
) -> None:
    login(client, people.commune_admin)
    before = Snapshot.take()

    response = client.post(
        f"{ORGTREE}{tree.commune.pk}/add/",
        {"add-kind": "village", "add-code": "02374-01", "add-name": "Thôn Trùng Mã"},
    )

    page = _text(response)
    assert response.status_code == 400
    form = _section(page, 'id="add-unit"', "</details>")
    assert "Mã 02374-01 đã được dùng cho một đơn vị khác." in form
    assert 'value="Thôn Trùng Mã"' in form
    assert Snapshot.take() == before


def test_adding_a_kind_not_allowed_here_is_refused(
    client: Client, people: People, tree: Tree
) -> None:
    login(client, people.province_admin)
    before = Snapshot.take()

    response = client.post(
        f"{ORGTREE}{tree.province.pk}/add/",
        {"add-kind": "village", "add-code": "X1", "add-name": "Thôn Lạc Chỗ"},
    )

    assert response.status_code == 400
    assert "Hãy chọn một lựa chọn hợp lệ" in _text(response)
    assert Snapshot.take() == before


def test_administrator_renames_and_recodes_a_unit(
    client: Client, people: People, tree: Tree
) -> None:
    login(client, people.commune_admin)

    response = client.post(
        f"{ORGTREE}{tree.commune.pk}/edit/",
        {"edit-name": "Xã Hàm Yên Mới", "edit-code": "02375"},
    )

    assert response["Location"] == f"{ORGTREE}?unit={tree.commune.pk}"
    tree.commune.refresh_from_db()
    assert (tree.commune.name, tree.commune.code) == ("Xã Hàm Yên Mới", "02375")
    entry = AuditEntry.objects.get(action="core.orgunit.update")
    assert entry.detail["code"] == ["02374", "02375"]


def test_recoding_to_a_taken_code_changes_nothing(
    client: Client, people: People, tree: Tree
) -> None:
    login(client, people.province_admin)
    before = Snapshot.take()

    response = client.post(
        f"{ORGTREE}{tree.commune.pk}/edit/",
        {"edit-name": "Tên Khác", "edit-code": "00694"},
    )

    assert response.status_code == 400
    assert "Mã 00694 đã được dùng cho một đơn vị khác." in _text(response)
    tree.commune.refresh_from_db()
    assert (tree.commune.name, tree.commune.code) == ("Xã Hàm Yên", "02374")
    assert Snapshot.take() == before


@pytest.mark.parametrize(
    ("actor", "url", "data"),
    [
        (
            "clerk",
            "{commune}/add/",
            {"add-kind": "village", "add-code": "A", "add-name": "A"},
        ),
        (
            "commune_admin",
            "{province}/add/",
            {"add-kind": "commune", "add-code": "A", "add-name": "A"},
        ),
        ("commune_admin", "{village}/edit/", {"edit-code": "A", "edit-name": "A"}),
        (
            "commune_admin",
            "add/",
            {"add-kind": "province", "add-code": "A", "add-name": "A"},
        ),
        (
            "province_admin",
            "{legacy_commune}/edit/",
            {"edit-code": "A", "edit-name": "A"},
        ),
    ],
)
def test_refused_unit_changes_change_nothing(
    client: Client,
    people: People,
    tree: Tree,
    actor: str,
    url: str,
    data: dict[str, str],
) -> None:
    login(client, people[actor])
    before = Snapshot.take()
    ids = {name: getattr(tree, name).pk for name in vars(tree)}

    response = client.post(ORGTREE + url.format(**ids), data)

    assert response.status_code == 403
    assert Snapshot.take() == before


# Users: list ---------------------------------------------------------------------


def test_users_page_lists_visible_officials(
    client: Client, people: People, tree: Tree
) -> None:
    device = services.start_totp(people.official)
    services.confirm_totp(device, pyotp.TOTP(device.secret).now())
    services.update_official(people.clerk, is_active=False)

    response = login(client, people.commune_admin).get(USERS)

    page = _text(response)
    assert response.status_code == 200
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)[1:]
    cells = [re.sub(r"<[^>]+>|\s+", " ", row).split() for row in rows]
    assert [c[0] for c in cells] == ["nguyenvanan", "quantrixa", "vanthu"]
    official_row = " ".join(cells[0])
    assert "Nguyễn Văn An" in official_row
    assert "Xã Hàm Yên" in official_row
    assert "Bật Hoạt động" in official_row
    assert "Tắt Đã khóa" in " ".join(cells[2])
    assert "Văn thư · Xã Hàm Yên" in " ".join(cells[2])
    assert "hoangthibe" not in page
    assert "3 người dùng trong phạm vi bạn quản trị." in page


def test_users_search_ignores_diacritics(client: Client, people: People) -> None:
    login(client, people.province_admin)

    found = _text(client.get(USERS, {"q": "tran thi"}))
    fragment = _text(client.get(USERS, {"q": "hoàng"}, **HTMX))

    assert "quantritinh" in found
    assert "nguyenvanan" not in found
    assert "<html" not in fragment
    assert "hoangthibe" in fragment
    assert "Tìm thấy 1 người dùng khớp “hoàng”." in fragment


def test_users_are_paged_by_fifty(client: Client, people: People, tree: Tree) -> None:
    for n in range(50):
        factories.official(unit=tree.village, username=f"thon{n:02d}")
    login(client, people.province_admin)

    first = _text(client.get(USERS))
    second = _text(client.get(USERS, {"page": 2}))

    total = User.objects.filter(kind="official").count()
    assert total == 55
    assert len(re.findall(r'href="/accounts/users/\d+/"', first)) == 50
    assert len(re.findall(r'href="/accounts/users/\d+/"', second)) == 5
    assert "Trang 1 / 2" in first
    assert 'href="/accounts/users/?page=2"' in first
    assert "Trang 2 / 2" in second


@pytest.mark.parametrize("actor", ["clerk", "official", "citizen"])
def test_users_pages_are_403_for_non_administrators(
    client: Client, people: People, actor: str
) -> None:
    login(client, people[actor])

    for url in (USERS, f"{USERS}new/", _detail(people.official)):
        assert client.get(url).status_code == 403


# Users: new official --------------------------------------------------------------


def _new_official(**overrides: str) -> dict[str, str]:
    data = {
        "username": "nguyenthimai",
        "full_name": "Nguyễn Thị Mai",
        "password": factories.PASSWORD,
        "title": "Chuyên viên",
        "email": "mai@tuyenquang.gov.vn",
        "phone": "0912 345 678",
    }
    data.update(overrides)
    return data


def test_administrator_creates_an_official(
    client: Client, people: People, tree: Tree
) -> None:
    login(client, people.commune_admin)
    form = _text(client.get(f"{USERS}new/"))
    # A commune administrator chooses among the commune only.
    assert re.findall(r'<option value="(\d+)"', form) == [str(tree.commune.pk)]

    response = client.post(f"{USERS}new/", _new_official(org_unit=str(tree.commune.pk)))

    user = User.objects.get(username="nguyenthimai")
    assert response["Location"] == _detail(user)
    assert (user.org_unit, user.phone, user.title) == (
        tree.commune,
        "0912345678",
        "Chuyên viên",
    )
    assert "Đã tạo tài khoản nguyenthimai." in _text(client.get(_detail(user)))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"username": "Mai Nguyễn"}, "Tên đăng nhập chỉ gồm chữ thường không dấu"),
        ({"username": "vanthu"}, "Tên đăng nhập vanthu đã có người dùng."),
        ({"password": "abc"}, "Mật khẩu quá ngắn: cần ít nhất 8 ký tự."),
        ({"phone": "12345"}, "Số điện thoại 12345 không hợp lệ"),
        ({"email": "mai@"}, "Địa chỉ thư điện tử không hợp lệ."),
        ({"full_name": ""}, "Trường này là bắt buộc."),
        ({"org_unit": ""}, "Cần chọn đơn vị."),
    ],
)
def test_new_official_errors_are_shown_and_nothing_is_saved(
    client: Client,
    people: People,
    tree: Tree,
    overrides: dict[str, str],
    message: str,
) -> None:
    login(client, people.commune_admin)
    before = Snapshot.take()

    response = client.post(
        f"{USERS}new/", _new_official(**{"org_unit": str(tree.commune.pk), **overrides})
    )

    assert response.status_code == 400
    assert message in _text(response)
    assert Snapshot.take() == before


def test_unit_outside_the_administrators_scope_is_refused(
    client: Client, people: People, tree: Tree
) -> None:
    login(client, people.commune_admin)
    before = Snapshot.take()

    response = client.post(
        f"{USERS}new/", _new_official(org_unit=str(tree.other_commune.pk))
    )

    assert response.status_code == 400
    assert "Hãy chọn một lựa chọn hợp lệ" in _text(response)
    assert Snapshot.take() == before


@pytest.fixture
def many_units(tree: Tree) -> list[OrgUnit]:
    """Enough villages that the unit picker becomes a search box."""
    return [
        core.create_orgunit(
            kind=OrgUnitKind.VILLAGE,
            code=f"02374-{n:03d}",
            name=f"Thôn Số {n}",
            parent=tree.commune,
        )
        for n in range(100, 100 + forms.UNIT_SELECT_LIMIT)
    ]


def test_unit_search_without_javascript(
    client: Client, people: People, tree: Tree, many_units: list[OrgUnit]
) -> None:
    login(client, people.province_admin)
    form = _text(client.get(f"{USERS}new/"))
    assert 'name="unit_q"' in form
    assert "<option" not in form[form.index("unit-picker") :]

    several = client.post(f"{USERS}new/", _new_official(unit_q="thon so"))
    none = client.post(f"{USERS}new/", _new_official(unit_q="khong co dau"))
    one = client.post(f"{USERS}new/", _new_official(unit_q="ham yen"))

    assert several.status_code == 400
    assert "Có nhiều đơn vị khớp: hãy chọn một đơn vị." in _text(several)
    assert len(re.findall(r'type="radio" name="org_unit"', _text(several))) == 20
    assert "Không có đơn vị nào khớp trong phạm vi bạn quản trị." in _text(none)
    assert User.objects.get(username="nguyenthimai").org_unit == tree.commune
    assert one.status_code == 302


def test_unit_options_for_htmx(
    client: Client, people: People, tree: Tree, many_units: list[OrgUnit]
) -> None:
    login(client, people.commune_admin)

    response = client.get(
        f"{USERS}units/", {"prefix": "role", "role-unit_q": "thon so 10"}, **HTMX
    )

    page = _text(response)
    values = re.findall(r'name="role-org_unit" value="(\d+)"', page)
    # The commune's administrator, without the subtree, reaches no village.
    assert values == []
    assert "Không có đơn vị nào khớp" in page

    login(client, people.province_admin)
    page = _text(
        client.get(f"{USERS}units/", {"prefix": "", "unit_q": "thon so 105"}, **HTMX)
    )
    assert re.findall(r'name="org_unit" value="(\d+)"', page) == [str(many_units[5].pk)]
    assert " checked" in page


# Users: detail --------------------------------------------------------------------


def test_invisible_user_is_404(client: Client, people: People) -> None:
    login(client, people.commune_admin)

    assert client.get(_detail(people.other_official)).status_code == 404
    assert client.get(_detail(people.citizen)).status_code == 404


def test_edit_details(client: Client, people: People, tree: Tree) -> None:
    login(client, people.commune_admin)

    response = client.post(
        _detail(people.official),
        {
            "action": "info",
            "info-full_name": "Nguyễn Văn Ân",
            "info-title": "Phó Chủ tịch",
            "info-org_unit": str(tree.commune.pk),
            "info-email": "an@hamyen.gov.vn",
            "info-phone": "",
        },
    )

    assert response["Location"] == _detail(people.official)
    people.official.refresh_from_db()
    assert (people.official.full_name, people.official.title) == (
        "Nguyễn Văn Ân",
        "Phó Chủ tịch",
    )
    assert AuditEntry.objects.filter(action="accounts.user.update").count() == 1


def test_edit_errors_are_shown_in_vietnamese(
    client: Client, people: People, tree: Tree
) -> None:
    login(client, people.commune_admin)
    before = Snapshot.take()

    response = client.post(
        _detail(people.official),
        {
            "action": "info",
            "info-full_name": "Nguyễn Văn An",
            "info-org_unit": str(tree.commune.pk),
            "info-phone": "0123",
        },
    )

    assert response.status_code == 400
    assert "Số điện thoại 0123 không hợp lệ" in _text(response)
    assert Snapshot.take() == before


def test_deactivate_and_activate(client: Client, people: People) -> None:
    login(client, people.commune_admin)

    client.post(_detail(people.official), {"action": "deactivate"})
    people.official.refresh_from_db()
    assert people.official.is_active is False
    assert "Đã khóa tài khoản." in _text(client.get(_detail(people.official)))

    client.post(_detail(people.official), {"action": "activate"})
    people.official.refresh_from_db()
    assert people.official.is_active is True


def test_administrator_cannot_lock_themself_out(client: Client, people: People) -> None:
    login(client, people.commune_admin)

    response = client.post(_detail(people.commune_admin), {"action": "deactivate"})

    assert response.status_code == 400
    assert "Không thể tự khóa tài khoản của chính mình." in _text(response)
    people.commune_admin.refresh_from_db()
    assert people.commune_admin.is_active is True


def test_administrator_cannot_revoke_their_own_administrator_role(
    client: Client, people: People
) -> None:
    own = people.commune_admin.roles.get()
    login(client, people.commune_admin)
    page = _text(client.get(_detail(people.commune_admin)))

    response = client.post(
        _detail(people.commune_admin), {"action": "revoke", "role": str(own.pk)}
    )

    assert 'name="action" value="revoke"' not in page
    assert response.status_code == 400
    assert "Không thể tự thu hồi quyền quản trị của chính mình." in _text(response)
    assert RoleAssignment.objects.filter(pk=own.pk).exists()


def test_reset_password(client: Client, people: People) -> None:
    login(client, people.commune_admin)

    weak = client.post(
        _detail(people.official), {"action": "password", "pw-password": "123"}
    )
    done = client.post(
        _detail(people.official),
        {"action": "password", "pw-password": "Mat-khau-moi-2026"},
    )

    assert weak.status_code == 400
    assert "Mật khẩu quá ngắn" in _text(weak)
    assert done.status_code == 302
    people.official.refresh_from_db()
    assert people.official.check_password("Mat-khau-moi-2026")


def test_turn_off_a_lost_second_factor(client: Client, people: People) -> None:
    services.start_totp(people.official)
    login(client, people.commune_admin)

    client.post(_detail(people.official), {"action": "totp_reset"})

    assert not TOTPDevice.objects.filter(user=people.official).exists()


def test_grant_and_revoke_a_role_on_the_page(
    client: Client, people: People, tree: Tree
) -> None:
    login(client, people.commune_admin)

    granted = client.post(
        _detail(people.official),
        {
            "action": "grant",
            "role-role": "leader",
            "role-org_unit": str(tree.commune.pk),
        },
    )

    assignment = RoleAssignment.objects.get(user=people.official)
    assert granted.status_code == 302
    assert (assignment.role, assignment.granted_by) == ("leader", people.commune_admin)
    page = _text(client.get(_detail(people.official)))
    assert "Đã phân vai trò." in page
    assert "Lãnh đạo" in page

    client.post(
        _detail(people.official), {"action": "revoke", "role": str(assignment.pk)}
    )

    assert not RoleAssignment.objects.filter(user=people.official).exists()


def test_subtree_grant_beyond_scope_is_refused_with_a_message(
    client: Client, people: People, tree: Tree
) -> None:
    login(client, people.commune_admin)
    before = Snapshot.take()

    response = client.post(
        _detail(people.official),
        {
            "action": "grant",
            "role-role": "administrator",
            "role-org_unit": str(tree.commune.pk),
            "role-include_subtree": "on",
        },
    )

    assert response.status_code == 403
    assert "chỉ được phân vai trò cho cả cấp dưới" in _text(response)
    assert Snapshot.take() == before


@pytest.mark.parametrize(
    ("actor", "target", "data", "status"),
    [
        ("clerk", "official", {"action": "deactivate"}, 403),
        ("clerk", "official", {"action": "grant", "role-role": "clerk"}, 403),
        ("commune_admin", "other_official", {"action": "deactivate"}, 404),
        (
            "commune_admin",
            "province_admin",
            {"action": "password", "pw-password": "Mat-khau-moi-2026"},
            404,
        ),
        ("commune_admin", "official", {"action": "revoke", "role": "{wide}"}, 403),
    ],
)
def test_refused_user_changes_change_nothing(
    client: Client,
    people: People,
    tree: Tree,
    actor: str,
    target: str,
    data: dict[str, str],
    status: int,
) -> None:
    wide = services.assign_role(
        people.official, role=Role.LEADER, org_unit=tree.commune, include_subtree=True
    )
    login(client, people[actor])
    before = Snapshot.take()

    response = client.post(
        _detail(people[target]),
        {key: value.format(wide=wide.pk) for key, value in data.items()},
    )

    assert response.status_code == status
    assert Snapshot.take() == before
    people.province_admin.refresh_from_db()
    assert people.province_admin.check_password(factories.PASSWORD)


def test_official_seen_through_a_role_is_read_only(
    client: Client, people: People, tree: Tree
) -> None:
    """GIVEN an official of another commune holding a role in this commune
    WHEN this commune's administrator opens them THEN details are read-only
    and only the role in this commune can be revoked."""
    services.assign_role(
        people.other_official, role=Role.SPECIALIST, org_unit=tree.commune
    )
    login(client, people.commune_admin)

    page = _text(client.get(_detail(people.other_official)))
    refused = client.post(_detail(people.other_official), {"action": "deactivate"})

    assert "ngoài phạm vi bạn quản trị" in page
    assert 'name="action" value="info"' not in page
    assert page.count('name="action" value="revoke"') == 1
    assert refused.status_code == 403
