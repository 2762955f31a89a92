"""A province with two agencies, their data officers, a published service
over the org tree, and a client system with a key."""

from collections.abc import Iterator
from typing import Any

import pytest

from tests import factories
from tinhso.accounts.models import Role, User
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.datahub import adapters, services
from tinhso.datahub.constants import Classification
from tinhso.datahub.models import Client, DataService
from tinhso.datahub.simulated.population import SimulatedPopulation

POPULATION_KEY = "khoa-thu-nghiem-dan-cu"


@pytest.fixture
def province(db: None) -> OrgUnit:
    return factories.province()


@pytest.fixture
def science(province: OrgUnit) -> OrgUnit:
    """Owns the shared data (the province's digital transformation office)."""
    return factories.orgunit(
        kind=OrgUnitKind.AGENCY,
        name="Sở Khoa học và Công nghệ tỉnh Tuyên Quang",
        code="000.00.07.H58",
        parent=province,
    )


@pytest.fixture
def health(province: OrgUnit) -> OrgUnit:
    """Runs a client system."""
    return factories.orgunit(
        kind=OrgUnitKind.AGENCY,
        name="Sở Y tế tỉnh Tuyên Quang",
        code="000.00.08.H58",
        parent=province,
    )


@pytest.fixture
def owner(science: OrgUnit) -> User:
    return factories.official(
        unit=science, role=Role.DATA_OFFICER, full_name="Phạm Quốc Khánh"
    )


@pytest.fixture
def client_officer(health: OrgUnit) -> User:
    return factories.official(
        unit=health, role=Role.DATA_OFFICER, full_name="Đinh Thị Yến"
    )


def published(owner: User, unit: OrgUnit, source: str, **extra: Any) -> DataService:
    service = services.create_service(
        owner,
        code=extra.pop("code", source.replace("_", "-")),
        name=extra.pop("name", f"Dịch vụ {source}"),
        owner=unit,
        classification=extra.pop("classification", Classification.SHARED),
        source=source,
        **extra,
    )
    services.publish_service(owner, service)
    return service


@pytest.fixture
def orgtree_service(owner: User, science: OrgUnit) -> DataService:
    return published(owner, science, "orgunits", name="Danh mục đơn vị hành chính")


@pytest.fixture
def system(client_officer: User, health: OrgUnit) -> Client:
    return services.register_client(
        client_officer,
        code="his-tuyenquang",
        name="Hệ thống thông tin bệnh viện tỉnh",
        unit=health,
    )


@pytest.fixture
def key(client_officer: User, system: Client) -> str:
    return services.issue_key(client_officer, system)[1]


@pytest.fixture
def population(settings: Any) -> Iterator[SimulatedPopulation]:
    """The simulated national population database, on a free port."""
    sim = SimulatedPopulation(api_key=POPULATION_KEY, count=200).start()
    settings.DATAHUB_POPULATION_URL = sim.url
    settings.DATAHUB_POPULATION_KEY = POPULATION_KEY
    settings.DATAHUB_POPULATION_TIMEOUT_MS = 500
    adapters.population_system.reset()
    yield sim
    sim.stop()
    adapters.population_system.reset()
