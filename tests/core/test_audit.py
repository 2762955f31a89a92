"""The audit log: an append-only chain that `tinhso audit verify` checks."""

import itertools
import re
from io import StringIO

from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

import pytest

from tests import factories
from tinhso.accounts import services as accounts
from tinhso.core import audit, context
from tinhso.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def run_verify() -> tuple[int, str]:
    """Run the real `tinhso audit verify` command; return (exit code, output)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
        return code, out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def names_row(output: str, seq: int) -> bool:
    return re.search(rf"#{seq}\b", output) is not None


@pytest.fixture
def five_rows() -> list[AuditEntry]:
    assert not AuditEntry.objects.exists()
    return [
        audit.record(
            "test.step", object_type="test.thing", object_id=str(n), detail={"n": n}
        )
        for n in range(1, 6)
    ]


def test_rows_chain_each_to_the_one_before(five_rows: list[AuditEntry]) -> None:
    """Each row's prev_hash is the previous row's entry_hash; the first follows genesis."""
    rows = list(AuditEntry.objects.order_by("seq"))
    assert [row.seq for row in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == audit.GENESIS
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.entry_hash
    assert len({row.entry_hash for row in rows}) == 5
    # The stored hash is the hash of the stored row, as read back from the database.
    assert all(audit.compute_hash(row) == row.entry_hash for row in rows)


def test_verify_passes_on_an_intact_log(five_rows: list[AuditEntry]) -> None:
    """`tinhso audit verify` exits 0 and says the chain is intact."""
    code, output = run_verify()
    assert code == 0, output
    assert "intact: 5 rows" in output


def test_verify_passes_on_an_empty_log() -> None:
    """A fresh platform with no audit rows yet verifies as intact."""
    code, output = run_verify()
    assert code == 0, output


def test_verify_finds_detail_edited_through_the_orm(
    five_rows: list[AuditEntry],
) -> None:
    """Changing a row's detail with QuerySet.update() is caught, naming that row."""
    AuditEntry.objects.filter(seq=3).update(detail={"n": 33})
    code, output = run_verify()
    assert code != 0
    assert names_row(output, 3), output
    assert "NOT intact" in output


def test_verify_finds_action_edited_through_raw_sql(
    five_rows: list[AuditEntry],
) -> None:
    """Changing a row's action with a raw SQL UPDATE is caught, naming that row."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET action = %s WHERE seq = %s",
            ["test.harmless", 2],
        )
    code, output = run_verify()
    assert code != 0
    assert names_row(output, 2), output
    assert not names_row(output, 3)


def test_verify_finds_an_edit_whose_hash_was_recomputed(
    five_rows: list[AuditEntry],
) -> None:
    """Re-hashing an edited row does not hide it: the next row no longer follows."""
    row = AuditEntry.objects.get(seq=2)
    row.detail = {"n": 22}
    new_hash = audit.compute_hash(row)
    AuditEntry.objects.filter(seq=2).update(detail={"n": 22}, entry_hash=new_hash)
    code, output = run_verify()
    assert code != 0
    assert names_row(output, 3), output


def test_verify_finds_a_deleted_middle_row(five_rows: list[AuditEntry]) -> None:
    """Deleting row 3 with raw SQL is caught and row 3 is named as missing."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq = %s", [3])
    code, output = run_verify()
    assert code != 0
    assert names_row(output, 3), output


def test_verify_finds_a_deleted_last_row(five_rows: list[AuditEntry]) -> None:
    """Deleting the newest row is caught too: the log knows it had 5 rows."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq = %s", [5])
    code, output = run_verify()
    assert code != 0
    assert names_row(output, 5), output


def test_verify_finds_all_rows_deleted(five_rows: list[AuditEntry]) -> None:
    """Emptying the table is not an intact log: row 1 is missing."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry")
    code, output = run_verify()
    assert code != 0
    assert names_row(output, 1), output


def test_verify_finds_two_rows_swapped(five_rows: list[AuditEntry]) -> None:
    """Swapping the seq of rows 2 and 3 with raw SQL is caught at row 2."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET seq = %s WHERE seq = %s", [999, 2])
        cursor.execute("UPDATE core_auditentry SET seq = %s WHERE seq = %s", [2, 3])
        cursor.execute("UPDATE core_auditentry SET seq = %s WHERE seq = %s", [3, 999])
    code, output = run_verify()
    assert code != 0
    assert names_row(output, 2), output


def test_model_refuses_to_save_an_existing_row(five_rows: list[AuditEntry]) -> None:
    """Saving a changed audit row through the model raises; the row is unchanged."""
    row = AuditEntry.objects.get(seq=2)
    row.action = "test.rewritten"
    with pytest.raises(PermissionError):
        row.save()
    assert AuditEntry.objects.get(seq=2).action == "test.step"
    assert run_verify()[0] == 0


def test_model_refuses_to_delete_a_row(five_rows: list[AuditEntry]) -> None:
    """Deleting an audit row through the model raises; the row stays."""
    row = AuditEntry.objects.get(seq=4)
    with pytest.raises(PermissionError):
        row.delete()
    assert AuditEntry.objects.filter(seq=4).exists()
    assert run_verify()[0] == 0


def test_row_of_a_rolled_back_transaction_disappears_with_it() -> None:
    """An audit row written inside a failed transaction is gone and the chain stays intact."""
    audit.record("test.before")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record("test.doomed")
        raise RuntimeError("the change failed")
    after = audit.record("test.after")
    assert list(AuditEntry.objects.values_list("seq", "action")) == [
        (1, "test.before"),
        (2, "test.after"),
    ]
    assert after.prev_hash == AuditEntry.objects.get(seq=1).entry_hash
    code, output = run_verify()
    assert code == 0, output


def test_actor_and_address_come_from_the_request_context() -> None:
    """Without an explicit actor, the row names the context's user and source IP."""
    user = factories.official(username="vanthu.an")
    token = context.set_current(context.Actor(user=user, source_ip="203.113.7.21"))
    try:
        entry = audit.record("test.act")
    finally:
        context.reset(token)
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor == user
    assert stored.actor_label == "vanthu.an"
    assert stored.source_ip == "203.113.7.21"
    # Outside a request nobody is named.
    outside = AuditEntry.objects.get(pk=audit.record("test.system").pk)
    assert outside.actor is None
    assert outside.actor_label == ""
    assert outside.source_ip is None


def test_explicit_actor_and_address_win_over_the_context() -> None:
    """A service that names the actor and address overrides the request context."""
    clerk = factories.official(username="vanthu.binh")
    leader = factories.official(username="lanhdao.cuong")
    token = context.set_current(context.Actor(user=clerk, source_ip="10.0.0.1"))
    try:
        entry = audit.record("test.act", actor=leader, source_ip="10.0.0.2")
    finally:
        context.reset(token)
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.actor, stored.source_ip) == (leader, "10.0.0.2")


def test_ipv6_source_address_keeps_the_chain_verifiable() -> None:
    """A request from an IPv6 address (in any spelling) leaves a verifiable row."""
    token = context.set_current(context.Actor(source_ip="2001:DB8:0:0:0:0:0:1"))
    try:
        audit.record("test.v6")
    finally:
        context.reset(token)
    assert AuditEntry.objects.get(seq=1).source_ip == "2001:db8::1"
    code, output = run_verify()
    assert code == 0, output


def test_a_real_request_names_the_user_and_address(client: Client) -> None:
    """Revoking an API token on the profile page audits the signed-in user and REMOTE_ADDR."""
    user = factories.official(username="chuyenvien.dung")
    api_token, _secret = accounts.issue_token(user, "Máy trạm")
    client.force_login(user)
    response = client.post(
        "/accounts/me/",
        {"action": "revoke", "token": str(api_token.pk)},
        REMOTE_ADDR="203.113.9.40",
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="accounts.token.revoke")
    assert entry.actor == user
    assert entry.source_ip == "203.113.9.40"
    assert run_verify()[0] == 0


def test_vietnamese_detail_round_trips_and_verifies() -> None:
    """Detail with Vietnamese text, dates and nesting is stored exactly as hashed."""
    import datetime as dt

    audit.record(
        "test.detail",
        detail={
            "trích yếu": "Quyết định của Đảng ủy",
            "ngày": dt.date(2026, 9, 2),
            "số": [1, 2.5, None, True],
            "lồng": {"b": 1, "a": "ĐẶNG"},
        },
    )
    stored = AuditEntry.objects.get(seq=1)
    assert stored.detail["trích yếu"] == "Quyết định của Đảng ủy"
    assert stored.detail["ngày"] == "2026-09-02"
    code, output = run_verify()
    assert code == 0, output


def test_large_numbers_in_detail_keep_the_chain_verifiable() -> None:
    """A detail holding a huge amount (a float of 1e20) verifies on every database."""
    audit.record("test.amount", detail={"so_tien": 1e20, "ti_le": 0.125})
    stored = AuditEntry.objects.get(seq=1)
    assert stored.detail["so_tien"] == 10**20
    code, output = run_verify()
    assert code == 0, output


def test_an_address_that_is_not_an_ip_does_not_stop_the_change() -> None:
    """A malformed REMOTE_ADDR is left out of the row instead of failing the write."""
    token = context.set_current(context.Actor(source_ip="unix:/run/tinhso.sock"))
    try:
        entry = audit.record("test.socket")
    finally:
        context.reset(token)
    assert AuditEntry.objects.get(pk=entry.pk).source_ip is None
    assert run_verify()[0] == 0
