"""The accounts and org tree API: auth, problem+json, paging, users and roles."""

import json
import re
from typing import Any

from django.test import Client

import pytest

from tests import factories
from tests.accounts.conftest import People, Snapshot, Tree, login
from tinhso.accounts import services
from tinhso.accounts.models import Role, RoleAssignment, User
from tinhso.core.models import AuditEntry, OrgUnit

pytestmark = pytest.mark.django_db

API = "/api/v1"
PROBLEM = "application/problem+json"


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["type"] == f"urn:tinhso:error:{code}"
    return body


def _bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


# Who is calling ------------------------------------------------------------


def test_me_with_a_session(client: Client, people: People, tree: Tree) -> None:
    response = login(client, people.clerk).get(f"{API}/me")

    assert response.status_code == 200
    body = response.json()
    assert (body["username"], body["full_name"]) == ("vanthu", "Lê Thị Văn Thư")
    assert body["org_unit"]["id"] == tree.commune.pk
    assert [(r["role"], r["role_label"]) for r in body["roles"]] == [
        ("clerk", "Văn thư")
    ]
    assert "orgtree" in body["modules"]
    assert "users" not in body["modules"]
    assert body["two_factor"] is False


def test_me_with_a_bearer_token(client: Client, people: People) -> None:
    token, secret = services.issue_token(people.province_admin, "tích hợp")

    response = client.get(f"{API}/me", **_bearer(secret))

    assert response.status_code == 200
    assert response.json()["username"] == "quantritinh"
    assert "users" in response.json()["modules"]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_without_auth_the_answer_is_a_401_problem(client: Client, db: None) -> None:
    body = _problem(client.get(f"{API}/me"), 401, "not_authenticated")

    assert body["detail"] == "Cần đăng nhập hoặc gửi mã truy cập hợp lệ."
    assert body["instance"] == f"{API}/me"


def test_revoked_token_is_refused(client: Client, people: People) -> None:
    token, secret = services.issue_token(people.clerk, "cũ")
    services.revoke_token(token)

    _problem(client.get(f"{API}/me", **_bearer(secret)), 401, "not_authenticated")


def test_token_actions_are_audited_under_its_owner(
    client: Client, people: People, tree: Tree
) -> None:
    _token, secret = services.issue_token(people.province_admin, "tích hợp")

    response = client.post(
        f"{API}/users",
        {
            "username": "tuapi",
            "full_name": "Tạo Từ API",
            "password": factories.PASSWORD,
            "org_unit_id": tree.commune.pk,
        },
        content_type="application/json",
        **_bearer(secret),
    )

    assert response.status_code == 201
    entry = AuditEntry.objects.filter(action="accounts.user.create").last()
    assert entry is not None
    assert entry.detail["username"] == "tuapi"
    assert entry.actor_id == people.province_admin.pk


# Org tree -------------------------------------------------------------------------


def test_orgunits_are_paged(client: Client, people: People, tree: Tree) -> None:
    response = login(client, people.official).get(
        f"{API}/orgunits", {"page_size": 2, "page": 2}
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "count", "count_capped", "page", "page_size"}
    current = OrgUnit.objects.filter(legacy=False).count()
    assert (body["count"], body["page"], body["page_size"]) == (current, 2, 2)
    assert len(body["items"]) == 2
    assert all(item["legacy"] is False for item in body["items"])


def test_orgunit_search_ignores_diacritics(
    client: Client, people: People, tree: Tree
) -> None:
    login(client, people.official)

    current = client.get(f"{API}/orgunits", {"q": "ha giang"}).json()
    former = client.get(f"{API}/orgunits", {"q": "ha giang", "legacy": True}).json()

    assert [u["name"] for u in current["items"]] == ["Phường Hà Giang 1"]
    assert {u["name"] for u in former["items"]} == {
        "Phường Hà Giang 1",
        "Tỉnh Hà Giang",
        "Thành phố Hà Giang",
    }


def test_orgunit_subtree(client: Client, people: People, tree: Tree) -> None:
    response = login(client, people.official).get(
        f"{API}/orgunits/{tree.commune.pk}/subtree"
    )

    assert [u["name"] for u in response.json()["items"]] == [
        "Xã Hàm Yên",
        "Thôn Bình Minh",
    ]


def test_former_unit_resolves_to_today(
    client: Client, people: People, tree: Tree
) -> None:
    response = login(client, people.official).get(
        f"{API}/orgunits/{tree.legacy_commune.pk}/current"
    )

    assert [u["name"] for u in response.json()["current"]] == ["Phường Hà Giang 1"]


def test_orgunits_are_for_officials(client: Client, people: People) -> None:
    _problem(login(client, people.citizen).get(f"{API}/orgunits"), 403, "forbidden")


# Users and roles ------------------------------------------------------------------


def test_users_list_for_administrators(client: Client, people: People) -> None:
    response = login(client, people.commune_admin).get(f"{API}/users")

    assert response.status_code == 200
    usernames = [u["username"] for u in response.json()["items"]]
    # Officials of the commune only: not the other commune's, not citizens.
    assert usernames == ["nguyenvanan", "quantrixa", "vanthu"]


def test_users_search_ignores_diacritics(client: Client, people: People) -> None:
    response = login(client, people.province_admin).get(
        f"{API}/users", {"q": "hoang thi"}
    )

    assert [u["username"] for u in response.json()["items"]] == ["hoangthibe"]


def test_users_list_is_refused_to_a_clerk(client: Client, people: People) -> None:
    body = _problem(login(client, people.clerk).get(f"{API}/users"), 403, "forbidden")

    assert body["detail"] == "Bạn không có quyền làm việc này."


def test_create_user(client: Client, people: People, tree: Tree) -> None:
    response = login(client, people.commune_admin).post(
        f"{API}/users",
        {
            "username": "nguyenthimai",
            "full_name": "Nguyễn Thị Mai",
            "password": factories.PASSWORD,
            "org_unit_id": tree.commune.pk,
            "phone": "+84 912 345 678",
        },
        content_type="application/json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["username"], body["phone"]) == ("nguyenthimai", "0912345678")
    assert User.objects.get(username="nguyenthimai").org_unit == tree.commune


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"username": "ab"}, 400, "username_invalid"),
        ({"username": "vanthu"}, 409, "username_taken"),
        ({"password": "12345678"}, 400, "password_weak"),
        ({"email": "khong-phai-email"}, 400, "email_invalid"),
        ({"org_unit_id": 999999}, 404, "orgunit_not_found"),
    ],
)
def test_create_user_errors_are_problems_and_save_nothing(
    client: Client,
    people: People,
    tree: Tree,
    payload: dict[str, Any],
    status: int,
    code: str,
) -> None:
    login(client, people.commune_admin)
    before = Snapshot.take()

    response = client.post(
        f"{API}/users",
        {
            "username": "nguyenthimai",
            "full_name": "Nguyễn Thị Mai",
            "password": factories.PASSWORD,
            "org_unit_id": tree.commune.pk,
            **payload,
        },
        content_type="application/json",
    )

    body = _problem(response, status, code)
    assert re.search(r"[ăâđêôơưáàảãạếềểễệíìịóòỏõọúùủũụ]", body["detail"].lower())
    assert Snapshot.take() == before


def test_validation_error_is_a_422_problem(client: Client, people: People) -> None:
    login(client, people.province_admin)
    before = Snapshot.take()

    response = client.post(
        f"{API}/users", {"username": "thieu"}, content_type="application/json"
    )

    body = _problem(response, 422, "invalid_input")
    assert body["detail"] == "Dữ liệu gửi lên không hợp lệ."
    assert {tuple(e["loc"])[-1] for e in body["errors"]} >= {"full_name", "password"}
    assert Snapshot.take() == before


def test_grant_and_revoke_a_role(client: Client, people: People, tree: Tree) -> None:
    login(client, people.commune_admin)

    granted = client.post(
        f"{API}/users/{people.official.pk}/roles",
        {"role": "specialist", "org_unit_id": tree.commune.pk},
        content_type="application/json",
    )

    assert granted.status_code == 201
    role = granted.json()
    assert (role["role"], role["role_label"]) == ("specialist", "Chuyên viên")
    assignment = RoleAssignment.objects.get(pk=role["id"])
    assert assignment.granted_by == people.commune_admin

    revoked = client.delete(f"{API}/users/{people.official.pk}/roles/{role['id']}")

    assert revoked.status_code == 204
    assert not RoleAssignment.objects.filter(pk=role["id"]).exists()


def test_unknown_role_is_a_422(client: Client, people: People, tree: Tree) -> None:
    login(client, people.commune_admin)
    before = Snapshot.take()

    response = client.post(
        f"{API}/users/{people.official.pk}/roles",
        {"role": "king", "org_unit_id": tree.commune.pk},
        content_type="application/json",
    )

    _problem(response, 422, "invalid_input")
    assert Snapshot.take() == before


@pytest.mark.parametrize(
    ("actor", "target", "unit", "subtree", "status", "code"),
    [
        # Clerks administer nobody.
        ("clerk", "official", "commune", False, 403, "forbidden"),
        # The commune's administrator cannot reach over its villages.
        ("commune_admin", "official", "commune", True, 403, "forbidden"),
        ("commune_admin", "official", "village", False, 403, "forbidden"),
        # Officials of other communes are not even visible to them.
        ("commune_admin", "other_official", "commune", False, 404, "user_not_found"),
    ],
)
def test_refused_grants_change_nothing(
    client: Client,
    people: People,
    tree: Tree,
    actor: str,
    target: str,
    unit: str,
    subtree: bool,
    status: int,
    code: str,
) -> None:
    login(client, people[actor])
    before = Snapshot.take()

    response = client.post(
        f"{API}/users/{people[target].pk}/roles",
        {
            "role": "administrator",
            "org_unit_id": getattr(tree, unit).pk,
            "include_subtree": subtree,
        },
        content_type="application/json",
    )

    _problem(response, status, code)
    assert Snapshot.take() == before


def test_refused_revoke_create_and_patch_change_nothing(
    client: Client, people: People, tree: Tree
) -> None:
    """GIVEN a role over the commune's subtree, granted by the province
    WHEN the commune's administrator (no subtree) revokes it, creates an
    official at the province, and a clerk deactivates someone
    THEN each is refused and nothing changes."""
    wide = services.assign_role(
        people.official, role=Role.LEADER, org_unit=tree.commune, include_subtree=True
    )
    province_role = people.province_admin.roles.get()
    before = Snapshot.take()

    login(client, people.commune_admin)
    revoke = client.delete(f"{API}/users/{people.official.pk}/roles/{wide.pk}")
    hidden = client.delete(
        f"{API}/users/{people.province_admin.pk}/roles/{province_role.pk}"
    )
    create = client.post(
        f"{API}/users",
        {
            "username": "tinhmoi",
            "full_name": "Cán Bộ Tỉnh",
            "password": factories.PASSWORD,
            "org_unit_id": tree.province.pk,
        },
        content_type="application/json",
    )
    login(client, people.clerk)
    patch = client.patch(
        f"{API}/users/{people.official.pk}",
        {"is_active": False},
        content_type="application/json",
    )

    _problem(revoke, 403, "forbidden")
    _problem(hidden, 404, "user_not_found")
    _problem(create, 403, "forbidden")
    _problem(patch, 403, "forbidden")
    assert Snapshot.take() == before


def test_patch_user(client: Client, people: People, tree: Tree) -> None:
    login(client, people.province_admin)

    response = client.patch(
        f"{API}/users/{people.official.pk}",
        {"title": "Chuyên viên", "phone": None, "org_unit_id": tree.village.pk},
        content_type="application/json",
    )

    assert response.status_code == 200
    people.official.refresh_from_db()
    assert people.official.title == "Chuyên viên"
    assert people.official.org_unit == tree.village


# Documentation ---------------------------------------------------------------------


def test_openapi_lists_the_paths(client: Client, db: None) -> None:
    paths = client.get(f"{API}/openapi.json").json()["paths"]

    assert {
        f"{API}/me",
        f"{API}/me/tokens",
        f"{API}/users",
        f"{API}/users/{{user_id}}",
        f"{API}/users/{{user_id}}/roles",
        f"{API}/users/{{user_id}}/roles/{{role_id}}",
        f"{API}/orgunits",
        f"{API}/orgunits/{{unit_id}}/subtree",
    } <= set(paths)


def test_openapi_document_has_no_repeated_keys(client: Client, db: None) -> None:
    """Swagger UI refuses a document with a key twice ("duplicated mapping key")."""
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _value in items]
        repeated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(items)

    json.loads(client.get(f"{API}/openapi.json").content, object_pairs_hook=pairs)
    assert repeated == []


def test_docs_use_no_outside_host(client: Client, db: None) -> None:
    html = client.get(f"{API}/docs").content.decode()

    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert any(ref.endswith("swagger-ui-bundle.js") for ref in references)
    for ref in references:
        assert not re.match(r"(?:https?:)?//", ref) or re.match(
            r"https?://testserver/", ref
        ), ref
    assert not re.findall(r"https?://(?!testserver[/:])", html)
    # Swagger UI's validator badge would call validator.swagger.io.
    assert '"validatorUrl": null' in html


# Guards against taking over or locking out administrators -------------------


def test_a_commune_administrator_cannot_touch_a_province_administrator(
    client: Client, people: People, tree: Tree
) -> None:
    """An administrator working in a commune but holding province-wide rights is
    out of reach of that commune's administrator: no edit, lock or password."""
    services.update_official(people.province_admin, org_unit=tree.commune)
    before = User.objects.get(pk=people.province_admin.pk)
    audit_rows = AuditEntry.objects.count()

    response = login(client, people.commune_admin).patch(
        f"{API}/users/{people.province_admin.pk}",
        {"is_active": False, "full_name": "Kẻ chiếm quyền"},
        content_type="application/json",
    )

    _problem(response, 403, "forbidden")
    after = User.objects.get(pk=people.province_admin.pk)
    assert (after.is_active, after.full_name) == (True, before.full_name)
    assert AuditEntry.objects.count() == audit_rows


def test_administrator_cannot_lock_self_or_drop_own_admin_role(
    client: Client, people: People
) -> None:
    admin = people.province_admin
    session = login(client, admin)
    assignment = RoleAssignment.objects.get(user=admin, role=Role.ADMINISTRATOR)

    locked = session.patch(
        f"{API}/users/{admin.pk}", {"is_active": False}, content_type="application/json"
    )
    revoked = session.delete(f"{API}/users/{admin.pk}/roles/{assignment.pk}")

    _problem(locked, 403, "forbidden")
    _problem(revoked, 403, "forbidden")
    assert User.objects.get(pk=admin.pk).is_active is True
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_a_token_cannot_mint_tokens(client: Client, people: People) -> None:
    """A short-lived token must not create a token that outlives it."""
    _token, secret = services.issue_token(people.clerk, "một ngày", days=1)

    response = client.post(
        f"{API}/me/tokens",
        {"name": "vĩnh viễn"},
        content_type="application/json",
        **_bearer(secret),
    )

    _problem(response, 403, "forbidden")
    assert people.clerk.api_tokens.count() == 1


def test_citizens_get_no_api_tokens(client: Client, people: People) -> None:
    response = login(client, people.citizen).post(
        f"{API}/me/tokens", {"name": "thử"}, content_type="application/json"
    )

    _problem(response, 403, "forbidden")
    assert people.citizen.api_tokens.count() == 0


def test_session_write_without_csrf_token_is_refused_in_vietnamese(
    people: People,
) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.clerk)

    response = browser.post(
        f"{API}/me/tokens", {"name": "thử"}, content_type="application/json"
    )

    body = _problem(response, 403, "forbidden")
    assert body["detail"] == (
        "Yêu cầu bị từ chối (phiên làm việc hoặc mã CSRF không hợp lệ)."
    )
    assert people.clerk.api_tokens.count() == 0
