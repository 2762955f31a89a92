"""Submitting online through the API and the portal's form: a retried
submission with the same Idempotency-Key never makes a second dossier,
even when both arrive at once; the form works without JavaScript and its
pages stay light."""

import io
import re
import threading
from typing import Any

from django.db import connection
from django.test import Client

import pytest

from tests import factories
from tests.documents.conftest import make_pdf
from tests.dossiers.test_catalog_pages import signed_in, text
from tests.dossiers.test_online import PNG, storage_dir  # noqa: F401 - fixture
from tests.dossiers.test_processing import Office
from tinhso.accounts.models import User
from tinhso.core.models import OrgUnit
from tinhso.dossiers.models import Dossier

SUBMIT = "/api/v1/dossiers/submissions"
# Made once: a retry sends the very same bytes (a new PDF has a new date).
FORM_PDF = make_pdf("To khai")


def form(office: Office, **over: Any) -> dict[str, Any]:
    fields = {
        "procedure_code": office.procedure.code,
        "agency_id": office.commune.pk,
        "doc_1": io.BytesIO(FORM_PDF),
        "doc_2": io.BytesIO(PNG),
    }
    fields["doc_1"].name = "to-khai.pdf"
    fields["doc_2"].name = "chung-sinh.png"
    return fields | over


def post(client: Client, office: Office, key: str | None, **over: Any) -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(SUBMIT, form(office, **over), **headers)


@pytest.mark.django_db
def test_a_retried_submission_returns_the_same_dossier(province: OrgUnit) -> None:
    office = Office(province)
    citizen = factories.citizen()
    client = signed_in(citizen)
    first = post(client, office, "3f1c-nop-khai-sinh")
    assert first.status_code == 201, first.content
    again = post(client, office, "3f1c-nop-khai-sinh")
    assert again.status_code == 200
    assert again.json()["code"] == first.json()["code"]
    assert Dossier.objects.count() == 1
    # The key names one request: reused for another, it is refused.
    other = post(client, office, "3f1c-nop-khai-sinh", note="khác")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    # Without a key, each submission is a new dossier.
    assert post(client, office, None).status_code == 201
    assert Dossier.objects.count() == 2
    # A failed submission keeps no key: the fixed retry goes through.
    bad = post(client, office, "k-2", doc_2="")
    assert bad.status_code == 400 and bad.json()["code"] == "dossier_incomplete"
    assert post(client, office, "k-2").status_code == 201


@pytest.mark.django_db(transaction=True)
def test_two_submissions_with_one_key_at_once_make_one_dossier(
    province: OrgUnit,
) -> None:
    office = Office(province)
    citizen = factories.citizen()
    start = threading.Barrier(2)
    statuses: list[int] = []

    def send() -> None:
        try:
            client = signed_in(citizen)
            start.wait()
            statuses.append(post(client, office, "cung-mot-khoa").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 201]
    assert Dossier.objects.count() == 1


@pytest.mark.django_db
def test_the_portal_form_submits_without_javascript(province: OrgUnit) -> None:
    office = Office(province)
    citizen: User = factories.citizen()
    client = signed_in(citizen)
    url = f"/dvc/thu-tuc/{office.procedure.code}/nop/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert len(page.content) < 100_000
    fields = form(office)
    fields["place"] = office.commune.pk
    fields["phone"] = "0912345678"
    del fields["procedure_code"], fields["agency_id"]
    missing = dict(fields, doc_2="")
    refused = client.post(url, missing)
    assert refused.status_code == 400
    assert "Hồ sơ còn thiếu tệp của: Giấy chứng sinh" in text(refused)
    fields = form(office) | {"place": office.commune.pk, "phone": "0912345678"}
    done = client.post(url, fields)
    assert done.status_code == 302
    dossier = Dossier.objects.get()
    assert done["Location"] == f"/dvc/ca-nhan/{dossier.code}/"
    followed = client.get(done["Location"])
    assert followed.status_code == 200 and len(followed.content) < 100_000
    assert "Mới đăng ký" in text(followed)
    assert not re.search(r"<script(?![^>]*htmx)", followed.content.decode())


@pytest.mark.django_db
def test_the_applicant_withdraws_through_the_api(province: OrgUnit) -> None:
    office = Office(province)
    client = signed_in(factories.citizen())
    code = post(client, office, None).json()["code"]
    url = f"/api/v1/dossiers/dossiers/{code}/withdraw"
    missing = client.post(url, {"note": ""}, content_type="application/json")
    assert missing.status_code == 400
    assert missing.json()["code"] == "withdrawal_reason_required"
    done = client.post(url, {"note": "Nộp nhầm"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "7"
