"""The gateway: grants decide everything, keys stop at once, quotas hold,
every call is in the chained access log."""

import datetime as dt
import io
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.core.management import call_command
from django.test import Client as HttpClient
from django.utils import timezone

import httpx
import pytest

from tests.datahub.conftest import published
from tinhso.accounts.models import User
from tinhso.core import sharing
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.datahub import accesslog, services
from tinhso.datahub.models import AccessEntry, Client, DataService, GrantUsage

GATEWAY = "/api/v1/datahub/gateway/"


def call(key: str, code: str, **params: Any) -> Any:
    return HttpClient().get(GATEWAY + code, params, HTTP_AUTHORIZATION=f"Bearer {key}")


def test_an_ungranted_client_is_refused_for_every_service(
    owner: User, science: OrgUnit, system: Client, key: str
) -> None:
    every = [
        published(owner, science, p.code, classification="restricted")
        for p in sharing.providers
    ]
    assert {s.source for s in every} >= {"orgunits", "procedures", "population"}
    for service in every:
        response = call(key, service.code, year="2026")
        assert response.status_code == 403, service.code
        assert response["Content-Type"] == "application/problem+json"
        problem = response.json()
        assert problem["code"] == "not_granted"
        assert "his-tuyenquang" in problem["detail"]
    # A service that does not exist is refused the same way: its existence
    # is not revealed to a client that holds no grant on it.
    assert call(key, "khong-co").json()["code"] == "not_granted"
    refused = AccessEntry.objects.filter(client_code=system.code, status=403)
    assert refused.count() == len(every) + 1


def test_a_granted_client_reads_only_its_fields(
    owner: User,
    orgtree_service: DataService,
    system: Client,
    key: str,
    province: OrgUnit,
) -> None:
    services.grant_access(
        owner,
        client=system,
        service=orgtree_service,
        purpose="Đồng bộ danh mục đơn vị hành chính cho hệ thống bệnh viện",
        fields=["code", "name"],
    )
    response = call(key, orgtree_service.code, kind=OrgUnitKind.PROVINCE)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["items"] == [{"code": "08", "name": "Tỉnh Tuyên Quang"}]
    (entry,) = AccessEntry.objects.filter(status=200)
    assert (entry.client_code, entry.service_code, entry.rows) == (
        "his-tuyenquang",
        orgtree_service.code,
        1,
    )
    assert entry.params == {"kind": "province"}
    assert entry.size == len(response.content)
    # A caller from an IPv6 address written long-hand: logged as the
    # column keeps it, and the chain still holds.
    assert (
        HttpClient()
        .get(
            GATEWAY + orgtree_service.code,
            HTTP_AUTHORIZATION=f"Bearer {key}",
            REMOTE_ADDR="2001:DB8:0::1",
        )
        .status_code
        == 200
    )
    assert AccessEntry.objects.order_by("-seq")[0].source_ip == "2001:db8::1"
    assert accesslog.verify() is None
    bad = call(key, orgtree_service.code, kind="planet")
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_parameter"
    unknown = call(key, orgtree_service.code, colour="do")
    assert unknown.json()["code"] == "unknown_parameter"


def test_a_revoked_key_stops_at_once(
    owner: User,
    client_officer: User,
    orgtree_service: DataService,
    system: Client,
    key: str,
) -> None:
    services.grant_access(
        owner, client=system, service=orgtree_service, purpose="Đồng bộ danh mục"
    )
    token = HttpClient().post(
        "/api/v1/datahub/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": system.code,
            "client_secret": key,
        },
    )
    assert token.status_code == 200, token.content
    access_token = token.json()["access_token"]
    assert call(key, orgtree_service.code).status_code == 200
    assert call(access_token, orgtree_service.code).status_code == 200

    services.revoke_key(client_officer, system.keys.get())
    for credential in (key, access_token):
        response = call(credential, orgtree_service.code)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"


def test_rotation_keeps_the_old_key_for_the_overlap_only(
    owner: User,
    client_officer: User,
    orgtree_service: DataService,
    system: Client,
    key: str,
) -> None:
    services.grant_access(
        owner, client=system, service=orgtree_service, purpose="Đồng bộ danh mục"
    )
    _, new_key = services.rotate_key(client_officer, system, overlap_hours=1)
    assert call(key, orgtree_service.code).status_code == 200
    assert call(new_key, orgtree_service.code).status_code == 200
    old = system.keys.exclude(prefix=new_key[:12]).get()
    old.expires_at = timezone.now() - dt.timedelta(seconds=1)  # the hour is over
    old.save()
    assert call(key, orgtree_service.code).status_code == 401
    assert call(new_key, orgtree_service.code).status_code == 200


def test_a_suspended_client_and_a_revoked_grant_are_refused(
    owner: User,
    client_officer: User,
    orgtree_service: DataService,
    system: Client,
    key: str,
) -> None:
    grant = services.grant_access(
        owner, client=system, service=orgtree_service, purpose="Đồng bộ danh mục"
    )
    services.set_suspended(client_officer, system, suspended=True)
    assert call(key, orgtree_service.code).status_code == 401
    services.set_suspended(client_officer, system, suspended=False)
    assert call(key, orgtree_service.code).status_code == 200
    services.revoke_grant(owner, grant)
    assert call(key, orgtree_service.code).json()["code"] == "not_granted"
    services.retire_service(owner, orgtree_service)
    services.grant_access(
        owner, client=system, service=orgtree_service, purpose="Đồng bộ danh mục"
    )
    assert call(key, orgtree_service.code).json()["code"] == "service_not_published"


def test_only_the_owner_grants_and_only_the_operator_issues_keys(
    owner: User, client_officer: User, orgtree_service: DataService, system: Client
) -> None:
    from tinhso.core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.grant_access(
            client_officer, client=system, service=orgtree_service, purpose="Tự cấp"
        )
    with pytest.raises(Forbidden):
        services.issue_key(owner, system)


@pytest.mark.django_db(transaction=True)
def test_the_daily_quota_holds_under_concurrent_calls(
    live_server: Any,
    owner: User,
    orgtree_service: DataService,
    system: Client,
    key: str,
) -> None:
    grant = services.grant_access(
        owner,
        client=system,
        service=orgtree_service,
        purpose="Đồng bộ danh mục",
        daily_quota=7,
    )
    url = live_server.url + GATEWAY + orgtree_service.code

    def one(_: int) -> int:
        with httpx.Client(timeout=30) as http:
            return http.get(url, headers={"X-API-Key": key}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(one, range(24)))
    assert statuses.count(200) == 7
    assert statuses.count(429) == 17
    usage = GrantUsage.objects.get(grant=grant)
    assert (usage.calls, usage.refused) == (7, 17)
    assert AccessEntry.objects.filter(outcome="quota_exceeded").count() == 17
    assert accesslog.verify() is None


def test_a_tampered_access_log_is_detected(
    owner: User, orgtree_service: DataService, system: Client, key: str
) -> None:
    services.grant_access(
        owner, client=system, service=orgtree_service, purpose="Đồng bộ danh mục"
    )
    for _ in range(4):
        assert call(key, orgtree_service.code).status_code == 200

    def verify_log() -> tuple[int, str]:
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command("datahub", "verify-log", stdout=out, stderr=err)
        except SystemExit as exc:
            return int(exc.code or 0), err.getvalue()
        return 0, out.getvalue()

    status, said = verify_log()
    assert status == 0
    assert "4" in said
    # Someone hides how many rows the second call handed over.
    AccessEntry.objects.filter(seq=2).update(rows=0)
    status, said = verify_log()
    assert status == 1
    assert "#2" in said
    AccessEntry.objects.filter(seq=2).delete()
    status, said = verify_log()
    assert status == 1
    assert "#2" in said


def test_the_token_endpoint_speaks_oauth2(system: Client, key: str) -> None:
    import base64

    http = HttpClient()
    basic = base64.b64encode(f"{system.code}:{key}".encode()).decode()
    good = http.post(
        "/api/v1/datahub/oauth/token",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert good.status_code == 200
    assert good["Cache-Control"] == "no-store"
    body = good.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["access_token"].startswith("tsa_")

    wrong = http.post(
        "/api/v1/datahub/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": system.code,
            "client_secret": "tsk_sai",
        },
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    assert "khóa bí mật" in wrong.json()["detail"]
    other = http.post(
        "/api/v1/datahub/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": "he-thong-khac",
            "client_secret": key,
        },
    )
    assert other.json()["error"] == "invalid_client"
    password = http.post(
        "/api/v1/datahub/oauth/token", {"grant_type": "password", "username": "a"}
    )
    assert password.status_code == 400
    assert password.json()["error"] == "unsupported_grant_type"


def test_a_data_officer_previews_open_providers_only(
    owner: User, province: OrgUnit
) -> None:
    from tests import factories
    from tinhso.accounts.models import Role

    http = HttpClient()
    http.force_login(owner)
    seen = http.get("/api/v1/datahub/providers/orgunits", {"kind": "province"})
    assert seen.status_code == 200
    assert seen.json()["items"][0]["name"] == "Tỉnh Tuyên Quang"
    personal = http.get("/api/v1/datahub/providers/population")
    assert personal.status_code == 403
    assert personal.json()["code"] == "preview_not_allowed"
    clerk = HttpClient()
    clerk.force_login(factories.official(unit=province, role=Role.CLERK))
    assert clerk.get("/api/v1/datahub/providers/orgunits").status_code == 403
    assert not AccessEntry.objects.exists()


def test_officials_read_the_service_catalog(
    owner: User, orgtree_service: DataService, science: OrgUnit
) -> None:
    from tests import factories

    services.create_service(
        owner,
        code="ban-nhap",
        name="Dịch vụ đang soạn",
        owner=science,
        classification="shared",
        source="procedures",
    )
    http = HttpClient()
    http.force_login(owner)
    listed = http.get("/api/v1/datahub/services").json()
    assert [s["code"] for s in listed] == [orgtree_service.code]  # drafts stay out
    assert listed[0]["owner"] == science.name
    assert [f["name"] for f in listed[0]["fields"]][:2] == ["code", "name"]
    citizen = HttpClient()
    citizen.force_login(factories.citizen())
    assert citizen.get("/api/v1/datahub/services").status_code == 403
