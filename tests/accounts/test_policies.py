"""Authorization matrix: who may manage units, users and roles.

Actors: anonymous, citizen, official without roles, clerk of the commune,
administrator of the commune alone, administrator of the province with its
subtree. Each case names the actor, the object and the expected answer.
"""

from typing import Any

import pytest

from tests import factories
from tests.accounts.conftest import People, Tree
from tinhso.accounts import policies, services
from tinhso.accounts.models import Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(shared_world: tuple[Tree, People], db: None) -> Tree:
    return shared_world[0]


@pytest.fixture
def people(shared_world: tuple[Tree, People], db: None) -> People:
    return shared_world[1]


ACTORS = [
    "anonymous",
    "citizen",
    "official",
    "clerk",
    "commune_admin",
    "province_admin",
]


def _matrix(rows: list[tuple[Any, ...]]) -> list[Any]:
    """One case per actor for each row ``(*target, allowed_actors)``."""
    cases = []
    for *target, allowed in rows:
        for actor in ACTORS:
            expected = actor in allowed
            label = "/".join(str(t) for t in target)
            cases.append(
                pytest.param(
                    *target,
                    actor,
                    expected,
                    id=f"{label}:{actor}:{'yes' if expected else 'no'}",
                )
            )
    return cases


@pytest.mark.parametrize(
    ("unit", "actor", "expected"),
    _matrix(
        [
            ("commune", {"commune_admin", "province_admin"}),
            ("village", {"province_admin"}),
            ("other_commune", {"province_admin"}),
            ("province", {"province_admin"}),
            (None, {"province_admin"}),  # the root: a new top-level unit
            ("legacy_commune", set()),  # former units are history
            ("legacy_province", set()),
        ]
    ),
)
def test_can_manage_orgunit(
    people: People, tree: Tree, unit: str | None, actor: str, expected: bool
) -> None:
    target = None if unit is None else getattr(tree, unit)

    assert policies.can_manage_orgunit(people[actor], target) is expected


@pytest.mark.parametrize(
    ("actor", "expected"),
    [pytest.param(actor, actor.endswith("admin"), id=actor) for actor in ACTORS],
)
def test_can_administer_users(people: People, actor: str, expected: bool) -> None:
    assert policies.can_administer_users(people[actor]) is expected


@pytest.mark.parametrize(
    ("target", "actor", "expected"),
    _matrix(
        [
            ("official", {"commune_admin", "province_admin"}),
            ("other_official", {"province_admin"}),
            ("village_official", {"province_admin"}),
            ("official_without_unit", {"province_admin"}),
        ]
    ),
)
def test_can_manage_user(
    people: People, tree: Tree, target: str, actor: str, expected: bool
) -> None:
    targets = {
        "official": people.official,
        "other_official": people.other_official,
        "village_official": factories.official(unit=tree.village, username="thon"),
        "official_without_unit": factories.official(unit=None, username="chuaco"),
    }

    assert policies.can_manage_user(people[actor], targets[target]) is expected


@pytest.mark.parametrize(
    ("unit", "subtree", "actor", "expected"),
    _matrix(
        [
            ("commune", False, {"commune_admin", "province_admin"}),
            # An administrator of the commune alone cannot hand out power
            # over the commune's villages.
            ("commune", True, {"province_admin"}),
            ("village", False, {"province_admin"}),
            ("other_commune", False, {"province_admin"}),
            ("province", True, {"province_admin"}),
        ]
    ),
)
def test_can_grant_role(
    people: People, tree: Tree, unit: str, subtree: bool, actor: str, expected: bool
) -> None:
    allowed = policies.can_grant_role(
        people[actor], getattr(tree, unit), include_subtree=subtree
    )

    assert allowed is expected


def test_a_deactivated_administrator_holds_no_power(people: People, tree: Tree) -> None:
    # A fresh copy: the shared objects must stay as they are.
    admin = User.objects.get(pk=people.province_admin.pk)
    services.update_official(admin, is_active=False)
    admin = User.objects.get(pk=admin.pk)

    assert policies.can_administer_users(admin) is False
    assert policies.can_manage_orgunit(admin, tree.commune) is False


def test_subtree_role_covers_units_added_later(people: People, tree: Tree) -> None:
    new_village = factories.orgunit(kind="village", parent=tree.commune)
    holder = factories.official(
        unit=tree.commune, role=Role.LEADER, subtree=True, username="lanhdao"
    )

    assert policies.holds_role(holder, Role.LEADER, new_village) is True
    assert policies.holds_role(holder, Role.LEADER, tree.other_commune) is False
