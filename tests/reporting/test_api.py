"""The reporting API: the dashboard the center's screens draw, and a
report saved, refused whole, sent and approved over HTTP."""

import datetime as dt
from decimal import Decimal

from django.test import Client
from django.utils import timezone

import pytest

from tests.reporting.conftest import GOOD, Province, schedule
from tinhso.reporting.api import DashboardOut
from tinhso.reporting.models import Report, Target
from tinhso.reporting.services import catalog, facts

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_the_dashboard_api(place: Province, catalog_) -> None:  # type: ignore[no-untyped-def]
    share = catalog_["share"]
    share.key = True
    catalog.save_indicator(place.admin, share)
    year = timezone.localdate().year
    facts.put_reported(share, place.communes[0].pk, dt.date(year, 1, 14), 40, 100)
    facts.put_reported(share, place.communes[1].pk, dt.date(year, 1, 14), 60, 300)
    catalog.set_target(
        place.admin,
        Target(
            indicator=share,
            unit=place.province,
            year=year,
            value=Decimal(50),
            direction="higher",
        ),
    )
    response = client_for(place.leaders[0]).get("/api/v1/reporting/dashboard")
    assert response.status_code == 200
    body = response.json()
    DashboardOut.model_validate(body)  # what the OpenAPI document promises
    assert body["unit"]["id"] == place.province.pk
    tile = body["tiles"][0]
    assert tile["indicator"] == "xh.dinh_danh"
    assert tile["value"] == pytest.approx(25.0)
    assert (tile["target"], tile["met"]) == (50.0, False)
    assert tile["trend"][0] == pytest.approx(25.0)
    ranks = {c["name"]: c["rank"] for c in body["children"]}
    assert ranks["Phường Hà Giang 1"] == 1 and ranks["Xã Đồng Văn"] == 2
    assert {c["name"] for c in body["communes"]} == {c.name for c in place.communes}
    # Drill-down, bad input, and who may look.
    one = client_for(place.leaders[0]).get(
        f"/api/v1/reporting/dashboard?unit={place.communes[1].pk}"
    )
    assert one.json()["tiles"][0]["value"] == pytest.approx(20.0)
    bad = client_for(place.leaders[0]).get(
        "/api/v1/reporting/dashboard?indicator=khong-co"
    )
    assert bad.status_code == 404 and bad.json()["code"] == "indicator_not_found"
    citizen_like = Client()
    assert citizen_like.get("/api/v1/reporting/dashboard").status_code == 401


def test_a_report_over_the_api(place: Province, form) -> None:  # type: ignore[no-untyped-def]
    round_ = schedule(place, form)
    report = Report.objects.get(round=round_, unit=place.communes[0])
    officer = client_for(place.officers[0])
    url = f"/api/v1/reporting/reports/{report.pk}"
    refused = officer.put(
        f"{url}/values",
        {"values": GOOD | {"hai_long": "12"}},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"hai_long": ["Không được lớn hơn 10."]}
    saved = officer.put(
        f"{url}/values", {"values": GOOD}, content_type="application/json"
    )
    assert saved.status_code == 200 and saved.json()["status"] == "draft"
    other = client_for(place.officers[1]).get(url)
    assert other.status_code == 404
    sent = officer.post(f"{url}/submit")
    assert sent.json()["status"] == "submitted" and sent.json()["version"]["sealed"]
    approved = client_for(place.leaders[0]).post(f"{url}/approve")
    assert approved.json()["status"] == "approved"
    assert officer.post(f"{url}/submit").status_code == 409
