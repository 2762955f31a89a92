"""The incoming register in the API: search with filters and paging,
registration by multipart upload, one document, its signatures and files."""

import datetime as dt
from io import BytesIO
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from tests import factories
from tests.documents.conftest import kept_files, make_pdf
from tinhso.accounts import services as accounts
from tinhso.accounts.models import Role, User
from tinhso.documents.constants import DocumentType, Secrecy
from tinhso.documents.models import IncomingDocument
from tinhso.documents.services import incoming as services
from tinhso.pki import signing

pytestmark = pytest.mark.django_db

API = "/api/v1/documents/incoming"
PROBLEM = "application/problem+json"


def register(clerk: Any, agency: Any, **over: Any) -> IncomingDocument:
    fields: dict[str, Any] = {
        "agency": agency,
        "clerk": clerk,
        "file": BytesIO(over.pop("pdf", None) or make_pdf()),
        "file_name": "12-qd-ubnd.pdf",
        "number_symbol": "12/QĐ-UBND",
        "issued_date": timezone.localdate() - dt.timedelta(days=3),
        "issuer_name": "Ủy ban nhân dân tỉnh Tuyên Quang",
        "doc_type": DocumentType.DECISION,
        "subject": "Về việc phê duyệt kế hoạch chuyển đổi số năm 2026",
        "signer_name": "Nguyễn Văn Ân",
    }
    fields.update(over)
    return services.register_incoming(**fields)


def bearer(user: User) -> dict[str, str]:
    _token, secret = accounts.issue_token(user, "phần mềm quản lý văn bản")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    return body


def upload(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "file": SimpleUploadedFile("qd-12.pdf", make_pdf(), "application/pdf"),
        "number_symbol": "12/QĐ-UBND",
        "doc_type": DocumentType.DECISION,
        "issued_date": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
        "issuer_name": "Ủy ban nhân dân tỉnh Tuyên Quang",
        "subject": "Về việc giao chỉ tiêu chuyển đổi số",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def test_list_searches_filters_and_pages(client: Client, agency, clerk) -> None:  # type: ignore[no-untyped-def]
    decision = register(clerk, agency)
    register(
        clerk,
        agency,
        number_symbol="123/UBND-VP",
        doc_type=DocumentType.OFFICIAL_LETTER,
        subject="Về việc tổ chức hội nghị tổng kết",
    )
    register(clerk, agency, number_symbol="13/QĐ-UBND", subject="Về việc khen thưởng")
    auth = bearer(clerk)

    body = client.get(API, **auth).json()
    assert body["count"] == 3 and body["page"] == 1
    assert [d["number_symbol"] for d in body["items"]] == [
        "13/QĐ-UBND",
        "123/UBND-VP",
        "12/QĐ-UBND",
    ]
    item = body["items"][2]
    assert item["id"] == decision.pk
    assert item["doc_type_label"] == "Quyết định"
    assert item["agency"] == {"id": agency.pk, "code": agency.code, "name": agency.name}
    assert item["file_url"] == f"{API}/{decision.pk}/file"

    def symbols(**params: Any) -> list[str]:
        response = client.get(API, params, **auth)
        assert response.status_code == 200, response.content
        return [d["number_symbol"] for d in response.json()["items"]]

    assert symbols(q="12/QD-UBND") == ["12/QĐ-UBND"]
    assert symbols(q="hoi nghi tong ket") == ["123/UBND-VP"]
    assert symbols(doc_type="official_letter") == ["123/UBND-VP"]
    assert symbols(issuer="uy ban nhan dan", q="khen") == ["13/QĐ-UBND"]
    assert symbols(status="completed") == []
    assert (
        symbols(date_to=(timezone.localdate() - dt.timedelta(days=1)).isoformat()) == []
    )
    paged = client.get(API, {"page": 2, "page_size": 2}, **auth).json()
    assert (paged["count"], [d["number_symbol"] for d in paged["items"]]) == (
        3,
        ["12/QĐ-UBND"],
    )
    assert problem(client.get(API, {"doc_type": "memo"}, **auth), 422, "invalid_input")

    # Every field shown is read with the page: a row more costs no query.
    def queries(size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert (
                len(client.get(API, {"page_size": size}, **auth).json()["items"])
                == size
            )
        return len(captured)

    assert queries(1) == queries(3)


def test_register_by_upload(client: Client, agency, clerk, storage_dir: Path) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        API,
        upload(
            attachments=[
                SimpleUploadedFile("phu-luc.pdf", make_pdf("Phu luc")),
                SimpleUploadedFile("bang-tinh.csv", b"a,b\n1,2\n"),
            ],
            urgency="urgent",
            page_count="4",
        ),
        **bearer(clerk),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    document = IncomingDocument.objects.get()
    assert body["id"] == document.pk
    assert body["incoming_number"] == 1
    assert (body["urgency"], body["page_count"]) == ("urgent", 4)
    assert body["file"]["name"] == "qd-12.pdf"
    assert [a["name"] for a in body["attachments"]] == ["phu-luc.pdf", "bang-tinh.csv"]
    assert body["signatures"] == []
    assert document.registered_by == clerk
    assert len(kept_files(storage_dir)) == 3
    attachment_url = body["attachments"][1]["url"]
    download = client.get(attachment_url, **bearer(clerk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"a,b\n1,2\n"


def test_register_refusals_are_problems_naming_the_field(
    client: Client, agency, clerk, storage_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    auth = bearer(clerk)
    body = problem(
        client.post(API, upload(number_symbol="123/UBND-VP"), **auth),
        400,
        "incoming_symbol_type_mismatch",
    )
    assert body["field"] == "number_symbol"
    assert "bắt đầu bằng chữ viết tắt QĐ" in body["detail"]
    body = problem(
        client.post(
            API, upload(file=SimpleUploadedFile("x.pdf", b"khong phai\n" * 40)), **auth
        ),
        400,
        "file_type_mismatch",
    )
    assert body["field"] == "file"
    body = problem(
        client.post(
            API,
            upload(attachments=[SimpleUploadedFile("virus.exe", b"MZ" + b"\0" * 60)]),
            **auth,
        ),
        400,
        "file_type_not_allowed",
    )
    assert body["field"] == "attachments"
    problem(client.post(API, upload(file=None), **auth), 422, "invalid_input")
    assert IncomingDocument.objects.count() == 0
    assert kept_files(storage_dir) == []


def test_only_a_clerk_registers_and_a_clerk_of_two_agencies_names_one(
    client: Client, agency, other_agency, clerk
) -> None:  # type: ignore[no-untyped-def]
    specialist = factories.official(unit=agency, role=Role.SPECIALIST)
    problem(
        client.post(API, upload(), **bearer(specialist)),
        400,
        "incoming_agency_required",
    )
    problem(
        client.post(API, upload(agency_id=agency.pk), **bearer(specialist)),
        403,
        "incoming_register_forbidden",
    )
    accounts.assign_role(clerk, role=Role.CLERK, org_unit=other_agency)
    auth = bearer(clerk)
    problem(client.post(API, upload(), **auth), 400, "incoming_agency_required")
    response = client.post(API, upload(agency_id=other_agency.pk), **auth)
    assert response.status_code == 201
    assert response.json()["agency"]["id"] == other_agency.pk
    assert IncomingDocument.objects.count() == 1


def test_one_document_its_signatures_and_file(
    client: Client, agency, clerk, certificate
) -> None:  # type: ignore[no-untyped-def]
    pdf = signing.sign_pdf(make_pdf(), certificate)
    document = register(clerk, agency, pdf=pdf)
    auth = bearer(clerk)

    body = client.get(f"{API}/{document.pk}", **auth).json()
    assert body["number_symbol"] == "12/QĐ-UBND"
    assert body["signatures"][0]["signer_common_name"] == "Nguyễn Văn Ân"

    signatures = client.get(f"{API}/{document.pk}/signatures", **auth).json()
    [signature] = signatures
    assert signature["fingerprint"] == certificate.fingerprint
    assert (signature["intact"], signature["trusted"], signature["ok"]) == (
        True,
        True,
        True,
    )
    assert signature["covers_whole_document"] is True
    assert signature["signing_time"] is not None
    assert signature["issuer"]

    response = client.get(f"{API}/{document.pk}/file", **auth)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == pdf


def test_another_agency_cannot_read_or_download(
    client: Client, agency, clerk, other_clerk
) -> None:  # type: ignore[no-untyped-def]
    document = register(clerk, agency)
    secret = register(clerk, agency, secrecy=Secrecy.SECRET, number_symbol="14/QĐ-UBND")
    outsider = bearer(other_clerk)
    for url in (
        f"{API}/{document.pk}",
        f"{API}/{document.pk}/signatures",
        f"{API}/{document.pk}/file",
    ):
        problem(client.get(url, **outsider), 404, "incoming_not_found")
    assert client.get(API, {"q": "12/QĐ-UBND"}, **outsider).json()["count"] == 0
    specialist = bearer(factories.official(unit=agency, role=Role.SPECIALIST))
    problem(
        client.get(f"{API}/{secret.pk}/file", **specialist), 404, "incoming_not_found"
    )
    assert [d["id"] for d in client.get(API, **specialist).json()["items"]] == [
        document.pk
    ]
    problem(client.get(API), 401, "not_authenticated")


def test_openapi_lists_the_operations(client: Client, db: None) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/documents/incoming"])
    for suffix in ("", "/signatures", "/file"):
        assert "get" in paths["/api/v1/documents/incoming/{document_id}" + suffix]
