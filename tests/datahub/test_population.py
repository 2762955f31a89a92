"""The population database behind its adapter: personal data masked unless
granted, every unmasked read logged; retries, timeouts and the circuit
breaker against the simulated database over real HTTP."""

import json
from typing import Any

from django.test import Client as HttpClient

import httpx
import pytest

from tests.datahub.conftest import published
from tinhso.accounts.models import User
from tinhso.core.models import OrgUnit
from tinhso.datahub import adapters, services
from tinhso.datahub.constants import Classification
from tinhso.datahub.models import AccessEntry, Client, DataService
from tinhso.datahub.simulated.population import DEMO_PERSON, SimulatedPopulation

GATEWAY = "/api/v1/datahub/gateway/"
ASKED = {
    "id_number": DEMO_PERSON["so_dinh_danh"],
    "full_name": "nguyễn thị  mai hương",  # as typed: case and spaces do not matter
    "birth_date": DEMO_PERSON["ngay_sinh"],
}


@pytest.fixture
def population_service(owner: User, science: OrgUnit) -> DataService:
    return published(
        owner,
        science,
        "population",
        code="xac-thuc-cong-dan",
        classification=Classification.RESTRICTED,
    )


def ask(key: str, body: dict[str, Any]) -> Any:
    return HttpClient().post(
        GATEWAY + "xac-thuc-cong-dan",
        json.dumps(body),
        content_type="application/json",
        HTTP_X_API_KEY=key,
    )


def grant(owner: User, system: Client, service: DataService, **extra: Any) -> None:
    services.grant_access(
        owner,
        client=system,
        service=service,
        purpose="Xác thực người bệnh khi đăng ký khám chữa bệnh (Luật Khám bệnh, chữa bệnh 2023)",
        **extra,
    )


def test_personal_data_is_masked_for_a_grant_that_does_not_need_it(
    population: SimulatedPopulation,
    owner: User,
    population_service: DataService,
    system: Client,
    key: str,
) -> None:
    grant(owner, system, population_service)
    response = ask(key, ASKED)
    assert response.status_code == 200, response.content
    body = response.json()
    (person,) = body["items"]
    assert person["id_number"] == "008*******17"
    assert person["phone"] == "091****678"
    assert person["birth_date"] == "1992-**-**"
    assert person["full_name"] == "Nguyễn T. M. H."
    assert person["permanent_address"] == "***, phường Hà Giang 1, tỉnh Tuyên Quang"
    assert person["sex"] == "Nữ"
    assert set(body["masked_fields"]) == {
        "id_number",
        "full_name",
        "birth_date",
        "permanent_address",
        "phone",
    }
    entry = AccessEntry.objects.get()
    assert entry.personal == []
    # What was asked about whom stays provable.
    assert entry.params["id_number"] == DEMO_PERSON["so_dinh_danh"]


def test_a_grant_with_personal_data_reads_it_and_the_read_is_logged(
    population: SimulatedPopulation,
    owner: User,
    population_service: DataService,
    system: Client,
    key: str,
) -> None:
    grant(owner, system, population_service, personal_data=True)
    (person,) = ask(key, ASKED).json()["items"]
    assert person["id_number"] == DEMO_PERSON["so_dinh_danh"]
    assert person["phone"] == DEMO_PERSON["so_dien_thoai"]
    entry = AccessEntry.objects.get()
    assert set(entry.personal) == {
        "id_number",
        "full_name",
        "birth_date",
        "permanent_address",
        "phone",
    }
    # A wrong birth date matches nobody, and nothing personal leaves.
    wrong = ask(key, {**ASKED, "birth_date": "1992-05-15"}).json()
    assert wrong["items"] == []
    assert AccessEntry.objects.order_by("-seq").first().personal == []  # type: ignore[union-attr]


def test_missing_or_bad_parameters_are_refused_before_the_database_is_asked(
    population: SimulatedPopulation,
    owner: User,
    population_service: DataService,
    system: Client,
    key: str,
) -> None:
    grant(owner, system, population_service)
    missing = ask(key, {"id_number": "008192004217"})
    assert missing.status_code == 400
    assert missing.json()["code"] == "missing_parameter"
    bad_date = ask(key, {**ASKED, "birth_date": "14/05/1992"})
    assert bad_date.json()["code"] == "invalid_parameter"
    assert population.calls == 0


def test_a_failing_database_is_retried_then_left_alone(
    population: SimulatedPopulation,
    owner: User,
    population_service: DataService,
    system: Client,
    key: str,
) -> None:
    grant(owner, system, population_service)
    faults = population.url + "/_sim/faults"
    # Two failures, then an answer: the adapter's retries hide them.
    httpx.post(faults, json={"fail_next": 2, "status": 503})
    assert ask(key, ASKED).status_code == 200
    assert population.calls == 3

    # Failing for good: each call is tried three times, then reported.
    httpx.post(faults, json={"fail_next": 1000})
    failed = ask(key, ASKED)
    assert failed.status_code == 502
    assert failed.json()["code"] == "external_unavailable"
    assert population.calls == 6
    # The fifth failure in a row opens the breaker; from then on no call
    # goes out until it has been left alone for a while.
    codes = [ask(key, ASKED).json()["code"] for _ in range(4)]
    assert codes == ["external_unavailable"] * 3 + ["external_circuit_open"]
    before = population.calls
    opened = ask(key, ASKED)
    assert opened.status_code == 503
    assert opened.json()["code"] == "external_circuit_open"
    assert population.calls == before
    assert AccessEntry.objects.filter(outcome="external_circuit_open").count() == 2


def test_a_slow_database_times_out(
    population: SimulatedPopulation,
    owner: User,
    population_service: DataService,
    system: Client,
    key: str,
) -> None:
    grant(owner, system, population_service)
    httpx.post(population.url + "/_sim/faults", json={"delay_ms": 800})
    response = ask(key, ASKED)
    assert response.status_code == 504
    assert response.json()["code"] == "external_timeout"


def test_a_wrong_key_to_the_database_is_reported_not_retried(
    population: SimulatedPopulation,
    owner: User,
    population_service: DataService,
    system: Client,
    key: str,
    settings: Any,
) -> None:
    grant(owner, system, population_service)
    settings.DATAHUB_POPULATION_KEY = "khoa-sai"
    response = ask(key, ASKED)
    assert response.status_code == 502
    assert response.json()["code"] == "external_refused"
    assert population.calls == 1
    assert adapters.population_system.breaker.fail_counter == 0


def test_a_database_that_is_down_is_reported(
    owner: User,
    population_service: DataService,
    system: Client,
    key: str,
    settings: Any,
) -> None:
    grant(owner, system, population_service)
    sim = SimulatedPopulation(api_key="k", count=1)
    settings.DATAHUB_POPULATION_URL = sim.url  # a port nobody listens on
    sim.stop()
    adapters.population_system.reset()
    try:
        response = ask(key, ASKED)
    finally:
        adapters.population_system.reset()
    assert response.status_code == 502
    assert response.json()["code"] == "external_unavailable"


def test_personal_data_cannot_be_classified_public(
    owner: User, science: OrgUnit
) -> None:
    from tinhso.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        services.create_service(
            owner,
            code="dan-cu-cong-khai",
            name="Dân cư",
            owner=science,
            classification=Classification.PUBLIC,
            source="population",
        )
    assert refused.value.code == "personal_data_not_public"


def test_the_log_page_masks_who_was_asked_about(
    population: SimulatedPopulation,
    owner: User,
    population_service: DataService,
    system: Client,
    key: str,
) -> None:
    grant(owner, system, population_service)
    ask(key, ASKED)
    officer = HttpClient()
    officer.force_login(owner)
    for page in ("/du-lieu/khai-thac/", "/du-lieu/dich-vu/xac-thuc-cong-dan/"):
        html = officer.get(page).content.decode()
        assert "id_number=008*******17" in html, page
        assert DEMO_PERSON["so_dinh_danh"] not in html
        assert "birth_date=1992-**-**" in html
    # The log row keeps them whole, as proof.
    assert AccessEntry.objects.get().params["id_number"] == DEMO_PERSON["so_dinh_danh"]
