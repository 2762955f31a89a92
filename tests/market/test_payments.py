"""Payment by VietQR into the producer's own account: the code is a valid
EMVCo/NAPAS string that an independent reader and a QR scanner read back
with the exact amount and the order's reference; the signed bank feed pays
an order once, and a forged, replayed or mismatched credit changes nothing."""

import binascii
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from django.test import Client

import pytest
import segno

from tests.market.conftest import Market, buyer
from tinhso.core.models import AuditEntry
from tinhso.market.constants import BankOutcome, OrderStatus, PaymentMethod
from tinhso.market.models import BankCredit, Order
from tinhso.market.services import orders

pytestmark = pytest.mark.django_db
NOTIFY = "/api/v1/market/payments/notifications"


def tlv(text: str) -> dict[str, str]:
    """EMVCo tag-length-value fields, read without the platform's code."""
    fields, at = {}, 0
    while at < len(text):
        tag, size = text[at : at + 2], int(text[at + 2 : at + 4])
        fields[tag] = text[at + 4 : at + 4 + size]
        at += 4 + size
    return fields


@pytest.fixture
def order(market: Market) -> Order:
    (placed,) = orders.place(
        None, {market.honey.pk: 2}, buyer(market), PaymentMethod.VIETQR
    )
    return placed


def test_the_code_pays_the_exact_amount_into_the_producers_account(
    order: Order, tmp_path: Path
) -> None:
    text = orders.qr_text(order)
    # CRC-16/CCITT-FALSE over everything up to and including "6304".
    assert text[-4:] == f"{binascii.crc_hqx(text[:-4].encode(), 0xFFFF):04X}"
    top = tlv(text)
    assert (top["00"], top["01"], top["53"], top["58"]) == ("01", "12", "704", "VN")
    assert top["54"] == "900000"
    merchant = tlv(top["38"])
    assert merchant["00"] == "A000000727" and merchant["02"] == "QRIBFTTA"
    assert tlv(merchant["01"]) == {"00": "970405", "01": "31410000451236"}
    assert tlv(top["62"]) == {"08": order.reference}
    if shutil.which("zbarimg") is None:
        pytest.skip("needs zbar-tools to scan the code")
    image = tmp_path / "qr.png"
    segno.make(text, error="m").save(image, scale=6)
    read = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(image)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert read.stdout.strip() == text


def credit(order: Order, **over: Any) -> bytes:
    body = {
        "transaction_id": "FT26120400077",
        "amount": order.amount,
        "description": f"TRAN THI HOA chuyen tien {order.reference.lower()}",
        "credited_at": "2026-12-04T10:15:00+07:00",
        "account": order.producer.bank_account,
        "bank_bin": order.producer.bank_bin,
    }
    return json.dumps(body | over).encode()


def notify(body: bytes, signature: str | None = None) -> Any:
    signed = orders.sign(body) if signature is None else signature
    return Client().post(
        NOTIFY, body, content_type="application/json", HTTP_X_TINHSO_SIGNATURE=signed
    )


def test_the_bank_feed_pays_an_order_once(order: Order) -> None:
    body = credit(order)
    first = notify(body)
    assert first.status_code == 200, first.content
    assert first.json() == {
        "transaction_id": "FT26120400077",
        "outcome": "paid",
        "replayed": False,
    }
    paid = Order.objects.get(pk=order.pk)
    assert paid.status == OrderStatus.PAID
    assert paid.bank_transaction == "FT26120400077"
    assert paid.paid_at.isoformat() == "2026-12-04T03:15:00+00:00"
    audited = AuditEntry.objects.count()
    again = notify(body)
    assert again.json()["replayed"] is True and again.json()["outcome"] == "paid"
    assert BankCredit.objects.count() == 1 and AuditEntry.objects.count() == audited
    # A new transaction for a paid order pays nothing twice.
    other = notify(credit(order, transaction_id="FT26120400078"))
    assert other.json()["outcome"] == BankOutcome.ALREADY_PAID
    assert Order.objects.get(pk=order.pk).paid_at == paid.paid_at


def test_a_forged_notification_changes_nothing(order: Order) -> None:
    body = credit(order)
    for signature in ("", "sha256=" + "0" * 64, orders.sign(body + b" ")):
        refused = notify(body, signature)
        assert refused.status_code == 401
        assert refused["Content-Type"] == "application/problem+json"
        assert refused.json()["code"] == "bank_signature_invalid"
    # Signed with the dossier fees' secret, not the market's.
    from tinhso.dossiers.services import payments

    assert notify(body, payments.sign(body)).status_code == 401
    tampered = body.replace(str(order.amount).encode(), b"9000")
    assert notify(tampered, orders.sign(body)).status_code == 401
    assert not BankCredit.objects.exists()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED


def test_a_mismatched_credit_is_kept_but_pays_nothing(
    market: Market, order: Order
) -> None:
    cases = [
        (credit(order, transaction_id="T1", amount=800_000), "wrong_amount"),
        (
            credit(order, transaction_id="T2", account="0011006345210"),
            "wrong_account",
        ),
        (
            credit(order, transaction_id="T3", description="chuyen tien mat ong"),
            "unknown_reference",
        ),
    ]
    for body, outcome in cases:
        answer = notify(body)
        assert answer.status_code == 200 and answer.json()["outcome"] == outcome
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED
    orders.cancel_as_buyer(None, order, order.access_key, "")
    late = notify(credit(order, transaction_id="T4"))
    assert late.json()["outcome"] == BankOutcome.NOT_PAYABLE
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert BankCredit.objects.filter(producer=market.producers[0]).count() == 3
    # A key that is not even ASCII is just a wrong key.
    wrong_key = Client().get(f"/cho-ocop/don-hang/{order.reference}/", {"k": "khóa"})
    assert wrong_key.status_code == 404
    # The same account number at another bank is another account.
    elsewhere = notify(credit(order, transaction_id="T6", bank_bin="970436"))
    assert elsewhere.json()["outcome"] == "wrong_account"
    body = json.loads(credit(order, transaction_id="T7"))
    del body["bank_bin"]
    nameless = notify(json.dumps(body).encode())
    assert nameless.status_code == 400 and "bank_bin" in nameless.json()["detail"]
    garbled = notify(credit(order, transaction_id="T8"), "sha256=khóa-giả")
    assert garbled.status_code == 401
    malformed = notify(b'{"transaction_id": "T5"}')
    assert malformed.status_code == 400
    assert malformed.json()["code"] == "bank_notification_malformed"
