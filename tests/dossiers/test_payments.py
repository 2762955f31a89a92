"""Fees by VietQR: a valid EMVCo code with the exact amount and a reference
that names the dossier; the bank's signed notification pays it once, and a
replayed, forged or mismatched one changes nothing; an officer may confirm
cash; the receipt of payment reads correctly."""

import io
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from django.test import Client

import pytest
import segno
from pypdf import PdfReader

from tests import factories
from tests.dossiers.test_catalog_pages import signed_in, text
from tests.dossiers.test_online import (
    papers,
    storage_dir,  # noqa: F401 - fixture
)
from tests.dossiers.test_processing import Office
from tinhso.accounts import services as accounts
from tinhso.accounts.models import Role, User
from tinhso.core import vietqr
from tinhso.core.errors import DomainError, Forbidden
from tinhso.core.models import AuditEntry, OrgUnit
from tinhso.dossiers.models import BankNotification, Dossier, Payment
from tinhso.dossiers.selectors import dossiers as selectors
from tinhso.dossiers.services import dossiers as services
from tinhso.dossiers.services import online, payments

pytestmark = pytest.mark.django_db
NOTIFY = "/api/v1/dossiers/payments/notifications"


def test_the_crc_and_the_payload_follow_emvco() -> None:
    assert vietqr.crc16(b"123456789") == 0x29B1
    text = vietqr.payload("970415", "113366668888", 35000, "HS2A3B4C5D6E")
    assert text.startswith("000201010212")
    assert "0010A000000727" in text and "0208QRIBFTTA" in text
    assert "5303704" in text and "540535000" in text and "5802VN" in text
    assert vietqr.parse(text) == vietqr.Transfer(
        "970415", "113366668888", 35000, "HS2A3B4C5D6E"
    )
    with pytest.raises(ValueError, match="CRC"):
        vietqr.parse(text[:-1] + ("0" if text[-1] != "0" else "1"))
    with pytest.raises(ValueError):
        vietqr.payload("970415", "113366668888", 0, "HS2A3B4C5D6E")
    with pytest.raises(ValueError):
        vietqr.payload("970415", "113366668888", 1000, "Lệ phí")


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="needs zbar-tools")
def test_a_scanner_reads_the_code_back(tmp_path: Path) -> None:
    text = vietqr.payload("970405", "9704050000000", 200000, "HSABCDEFGH23")
    image = tmp_path / "qr.png"
    segno.make(text, error="m").save(image, scale=6)
    read = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(image)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert read.stdout.strip() == text


@pytest.fixture
def office(province: OrgUnit) -> Office:
    return Office(province, fee=8000)


@pytest.fixture
def citizen(db: None) -> User:
    return factories.citizen()


@pytest.fixture
def dossier(office: Office, citizen: User) -> Dossier:
    return online.submit_online(citizen, office.procedure, office.commune, papers())


def credit(payment: Payment, **over: Any) -> bytes:
    body = {
        "transaction_id": "FT26061000123",
        "amount": payment.amount,
        "description": f"NGUYEN THI MAI HUONG chuyen tien {payment.reference}",
        "credited_at": "2026-03-02T10:15:00+07:00",
        "account": "9704050000000",
    }
    return json.dumps(body | over).encode()


def notify(body: bytes, signature: str | None = None) -> Any:
    signed = payments.sign(body) if signature is None else signature
    headers = {"HTTP_X_TINHSO_SIGNATURE": signed}
    return Client().post(NOTIFY, body, content_type="application/json", **headers)


def test_a_dossier_owes_its_fees_and_its_code_pays_exactly_them(
    dossier: Dossier, citizen: User
) -> None:
    payment = dossier.payment
    assert (payment.amount, payment.status) == (8000, "pending")
    assert payment.reference.startswith("HS") and len(payment.reference) == 12
    transfer = vietqr.parse(payments.qr_text(payment))
    assert transfer == vietqr.Transfer(
        "970405", "9704050000000", 8000, payment.reference
    )
    page = text(signed_in(citizen).get(f"/dvc/ca-nhan/{dossier.code}/"))
    assert "8.000 đồng" in page and payment.reference in page
    api = signed_in(citizen).get(f"/api/v1/dossiers/dossiers/{dossier.code}/payment")
    assert api.json()["vietqr"] == payments.qr_text(payment)


def test_the_bank_notification_pays_once_and_a_replay_changes_nothing(
    dossier: Dossier, django_capture_on_commit_callbacks: Any
) -> None:
    payment = dossier.payment
    body = credit(payment)
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(body)
    assert first.status_code == 200, first.content
    assert first.json() == {
        "transaction_id": "FT26061000123",
        "outcome": "paid",
        "replayed": False,
    }
    payment.refresh_from_db()
    assert (payment.status, payment.method, payment.receipt_number) == (
        "paid",
        "vietqr",
        1,
    )
    audits = AuditEntry.objects.count()
    again = notify(body)
    assert again.json()["replayed"] is True
    assert BankNotification.objects.count() == 1
    assert AuditEntry.objects.count() == audits
    payment.refresh_from_db()
    assert payment.receipt_number == 1
    # Another transfer for a dossier already paid is kept, not counted.
    second = notify(credit(payment, transaction_id="FT26061000999"))
    assert second.json()["outcome"] == "already_paid"
    payment.refresh_from_db()
    assert (payment.bank_transaction, payment.receipt_number) == ("FT26061000123", 1)


def test_a_forged_or_mismatched_notification_pays_nothing(dossier: Dossier) -> None:
    payment = dossier.payment
    body = credit(payment)
    forged = notify(body, "sha256=" + "0" * 64)
    assert forged.status_code == 401
    assert forged["Content-Type"].startswith("application/problem+json")
    tampered = notify(body.replace(b"8000", b"800"), payments.sign(body))
    assert tampered.status_code == 401
    assert notify(body, "").status_code == 401
    short = notify(credit(payment, amount=7000, transaction_id="FT1"))
    assert short.json()["outcome"] == "wrong_amount"
    stranger = notify(
        credit(payment, description="chuyen tien HS2222222222", transaction_id="FT2")
    )
    assert stranger.json()["outcome"] == "unknown_reference"
    other_account = notify(credit(payment, account="123", transaction_id="FT3"))
    assert other_account.status_code == 400
    malformed = notify(b'{"amount": "8000"}')
    assert malformed.status_code == 400
    payment.refresh_from_db()
    assert (payment.status, payment.receipt_number) == ("pending", None)
    assert set(BankNotification.objects.values_list("transaction_id", flat=True)) == {
        "FT1",
        "FT2",
    }


def test_an_officer_confirms_cash_and_the_result_waits_for_payment(
    office: Office, dossier: Dossier, citizen: User
) -> None:
    dossier = online.accept_online(dossier, office.desk)
    with pytest.raises(Forbidden):
        payments.confirm_payment(dossier, office.clerk, "counter")
    for receiver in (office.clerk, office.police, office.chair, office.desk):
        dossier = services.hand_over(dossier, dossier.handler, receiver)  # type: ignore[arg-type]
    with pytest.raises(DomainError, match=r"chưa nộp phí, lệ phí 8\.000 đồng"):
        services.return_result(dossier, office.desk)
    response = signed_in(office.desk).post(
        f"/dvc/ho-so/{dossier.code}/thu-phi/", {"method": "counter"}
    )
    assert response.status_code == 302
    payment = Payment.objects.get(dossier=dossier)
    assert (payment.status, payment.method, payment.confirmed_by) == (
        "paid",
        "counter",
        office.desk,
    )
    with pytest.raises(DomainError, match="đã được nộp"):
        payments.confirm_payment(dossier, office.desk, "counter")
    services.return_result(dossier, office.desk)
    receipt = signed_in(citizen).get(f"/dvc/ho-so/{dossier.code}/bien-nhan-phi.pdf")
    assert receipt["Content-Type"] == "application/pdf"
    words = " ".join(
        PdfReader(io.BytesIO(receipt.content)).pages[0].extract_text().split()
    )
    assert "BIÊN NHẬN NỘP PHÍ, LỆ PHÍ" in words
    assert "Số: 00001/" in words and dossier.code in words
    assert "Tám nghìn đồng" in words and "8.000" in words
    assert "Tiền mặt tại Bộ phận Một cửa" in words
    assert "Ma Thị Hoa" in words


def test_credits_that_paid_nothing_wait_for_an_officer_to_settle(
    office: Office, dossier: Dossier, province: OrgUnit
) -> None:
    payment = dossier.payment
    notify(credit(payment, amount=7000, transaction_id="FT1"))
    notify(
        credit(payment, description="chuyen tien HS2222222222", transaction_id="FT2")
    )
    notify(credit(payment, transaction_id="FT3"))  # pays the dossier
    elsewhere = factories.orgunit(kind="commune", name="Xã Lũng Cú", parent=province)
    stranger = factories.official(unit=elsewhere, role=Role.ONE_STOP_OFFICER)
    # The commune's officer sees both; another commune's only the one of no
    # dossier; a specialist none, and may not open the page.
    assert [c.transaction_id for c in selectors.unsettled_credits(office.desk)] == [
        "FT1",
        "FT2",
    ]
    assert [c.transaction_id for c in selectors.unsettled_credits(stranger)] == ["FT2"]
    assert not selectors.unsettled_credits(office.clerk).exists()
    assert signed_in(office.clerk).get("/dvc/doi-soat/").status_code == 403
    desk = signed_in(office.desk)
    assert "2 khoản chuyển khoản cần đối soát" in text(desk.get("/dvc/ho-so/"))
    page = text(desk.get("/dvc/doi-soat/"))
    assert "Sai số tiền" in page and dossier.code in page and "phải nộp 8.000" in page
    assert "chuyen tien HS2222222222" in page
    # Nothing said, nothing settled; then settled once, and gone from the list.
    empty = desk.post(
        "/dvc/doi-soat/", {"transaction": "FT1", "note": " "}, follow=True
    )
    assert "Ghi rõ đã xử lý thế nào" in text(empty)
    with pytest.raises(Forbidden):
        payments.settle_credit("FT1", stranger, "Không phải của tôi")
    done = desk.post(
        "/dvc/doi-soat/",
        {"transaction": "FT1", "note": "Đã hoàn trả 7.000 đồng cho người chuyển"},
        follow=True,
    )
    assert "Đã ghi nhận đối soát." in text(done)
    settled = BankNotification.objects.get(transaction_id="FT1")
    assert (settled.settled_by, settled.settled_note) == (
        office.desk,
        "Đã hoàn trả 7.000 đồng cho người chuyển",
    )
    with pytest.raises(DomainError, match="đã được đối soát"):
        payments.settle_credit("FT1", office.desk, "Lần nữa")
    with pytest.raises(DomainError, match="Không có khoản"):
        payments.settle_credit("FT3", office.desk, "Khoản đã khớp")
    # The API: the one left, settled by the other commune's officer.
    token = {"HTTP_AUTHORIZATION": f"Bearer {accounts.issue_token(stranger, 'xa')[1]}"}
    api = Client()
    listed = api.get("/api/v1/dossiers/payments/unsettled", **token).json()
    assert [(c["transaction_id"], c["dossier"]) for c in listed["items"]] == [
        ("FT2", None)
    ]
    answer = api.post(
        "/api/v1/dossiers/payments/notifications/FT2/settle",
        {"note": "Của hồ sơ 01016-260302-0003, đã xác nhận tại quầy"},
        content_type="application/json",
        **token,
    )
    assert answer.status_code == 200 and answer.json()["settled_at"]
    assert not selectors.unsettled_credits(office.desk).exists()


def test_a_transfer_for_a_closed_dossier_pays_nothing_and_waits_to_be_settled(
    office: Office, dossier: Dossier, citizen: User
) -> None:
    online.withdraw_online(dossier, citizen, "Nộp nhầm")
    answer = notify(credit(dossier.payment, transaction_id="FT9"))
    assert answer.json()["outcome"] == "dossier_closed"
    dossier.payment.refresh_from_db()
    assert dossier.payment.status == "pending"
    waiting = selectors.unsettled_credits(office.desk)
    assert [(c.transaction_id, c.get_outcome_display()) for c in waiting] == [
        ("FT9", "Hồ sơ đã kết thúc (rút, dừng hoặc từ chối)")
    ]
