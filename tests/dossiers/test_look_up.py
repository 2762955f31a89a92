"""The public look-up: a dossier's state for whoever holds its code and the
applicant's phone or ID number, nothing for anyone else."""

from django.test import Client

import pytest

from tests import factories
from tests.dossiers.conftest import birth
from tests.dossiers.test_catalog_pages import text
from tests.dossiers.test_receive import at
from tinhso.accounts.models import Role
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.dossiers.constants import LOOKUP_MISSES
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.services import catalog
from tinhso.dossiers.services import dossiers as services

pytestmark = pytest.mark.django_db

PAGE = "/dvc/tra-cuu/"
API = "/api/v1/dossiers/lookup"


@pytest.fixture
def dossier(province: OrgUnit) -> Dossier:
    commune = factories.orgunit(
        kind=OrgUnitKind.COMMUNE,
        name="Phường Hà Giang 1",
        code="00694",
        parent=province,
    )
    officer = factories.official(unit=commune, role=Role.ONE_STOP_OFFICER)
    procedure = catalog.save_procedure(birth())[0]
    return services.receive_at_counter(
        officer,
        procedure,
        commune,
        services.Applicant("Nguyễn Thị Mai Hương", "008192004217", "0912345678"),
        [1, 2],
        received_at=at("2026-03-02 09:00"),
    )


def test_the_code_with_the_phone_or_id_number_shows_the_state(
    client: Client, dossier: Dossier
) -> None:
    for contact in ("0912345678", "0912 345 678", "+84912345678", "008192004217"):
        page = text(client.post(PAGE, {"code": dossier.code, "contact": contact}))
        assert "Đăng ký khai sinh" in page and "Đã tiếp nhận" in page, contact
        assert "07:30 03/03/2026" in page
        assert "Nguyễn T. M. H." in page and "Mai Hương" not in page
    answer = client.post(
        API,
        {"code": dossier.code, "contact": "0912345678"},
        content_type="application/json",
    ).json()
    assert answer["status_label"] == "Đã tiếp nhận"
    assert answer["applicant"] == "Nguyễn T. M. H."
    assert answer["procedure"] == {"code": "1.001193", "name": "Đăng ký khai sinh"}
    assert answer["agency"] == {
        "id": dossier.agency_id,
        "code": "00694",
        "name": "Phường Hà Giang 1",
    }
    assert answer["code"] == dossier.code and answer["supplement"] == ""
    assert "applicant_phone" not in answer and "applicant_id_number" not in answer


def test_a_wrong_contact_or_code_reads_alike_and_is_limited(
    client: Client, dossier: Dossier
) -> None:
    wrong_contact = text(
        client.post(PAGE, {"code": dossier.code, "contact": "0987654321"})
    )
    unknown_code = text(
        client.post(PAGE, {"code": "00694-260302-9999", "contact": "0912345678"})
    )
    message = (
        "Không tìm thấy hồ sơ có mã này với số điện thoại hoặc số định danh đã nhập."
    )
    assert message in wrong_contact and message in unknown_code
    assert "Đăng ký khai sinh" not in wrong_contact
    missing = client.post(
        API,
        {"code": dossier.code, "contact": "0987654321"},
        content_type="application/json",
    )
    assert missing.status_code == 404 and missing.json()["code"] == "dossier_not_found"
    # The three misses above (two on the page, one in the API) count for the
    # same address; the tenth miss is still answered.
    for _ in range(LOOKUP_MISSES - 4):
        client.post(
            API,
            {"code": dossier.code, "contact": "0900000000"},
            content_type="application/json",
        )
    # After ten misses even the right answer waits, so guessing does not pay.
    last = client.post(
        API,
        {"code": dossier.code, "contact": "0900000001"},
        content_type="application/json",
    )
    assert last.status_code == 404
    limited = client.post(
        API,
        {"code": dossier.code, "contact": "0912345678"},
        content_type="application/json",
    )
    assert limited.status_code == 429 and limited.json()["code"] == "too_many_lookups"
    refused = client.post(PAGE, {"code": dossier.code, "contact": "0912345678"})
    assert refused.status_code == 429
    assert "thử lại sau 15 phút" in text(refused) and "Đã tiếp nhận" not in text(
        refused
    )
