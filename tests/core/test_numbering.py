"""Gap-free yearly counters per register, safe under concurrency."""

import threading
from collections.abc import Callable

from django.db import connection, transaction

import pytest

from tinhso.core.numbering import current_number, next_number


class Abandoned(Exception):
    """Raised to roll back the transaction that took a number."""


@pytest.mark.django_db
def test_numbers_run_one_to_n_in_order() -> None:
    """A register's first number of the year is 1 and each call adds one."""
    assert current_number("incoming", 2026) == 0
    assert [next_number("incoming", 2026) for _ in range(7)] == [1, 2, 3, 4, 5, 6, 7]
    assert current_number("incoming", 2026) == 7


@pytest.mark.django_db
def test_each_register_counts_on_its_own() -> None:
    """Outgoing numbers start at 1 however many incoming numbers were taken."""
    for _ in range(3):
        next_number("incoming", 2026)
    assert next_number("outgoing", 2026) == 1
    assert next_number("incoming", 2026) == 4
    assert next_number("outgoing", 2026) == 2


@pytest.mark.django_db
def test_a_new_year_restarts_at_one() -> None:
    """On 1 January the register starts again at 1; last year's count is kept."""
    for _ in range(5):
        next_number("incoming", 2026)
    assert next_number("incoming", 2027) == 1
    assert next_number("incoming", 2027) == 2
    assert current_number("incoming", 2026) == 5
    assert next_number("incoming", 2026) == 6


@pytest.mark.django_db
def test_a_number_from_a_rolled_back_transaction_is_reused() -> None:
    """When registering a document fails after taking number 3, the next one gets 3."""
    assert next_number("incoming", 2026) == 1
    assert next_number("incoming", 2026) == 2
    with pytest.raises(Abandoned), transaction.atomic():
        assert next_number("incoming", 2026) == 3
        raise Abandoned
    assert current_number("incoming", 2026) == 2
    assert next_number("incoming", 2026) == 3


@pytest.mark.django_db
def test_the_first_number_of_a_year_rolled_back_is_reused() -> None:
    """Even the transaction that opened the year's counter can roll back cleanly."""
    with pytest.raises(Abandoned), transaction.atomic():
        assert next_number("dossier", 2026) == 1
        raise Abandoned
    assert current_number("dossier", 2026) == 0
    assert next_number("dossier", 2026) == 1


def _run_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    """Run ``work(i)`` in ``count`` threads that start together.

    Each thread uses its own database connection (Django's are per thread)
    and closes it at the end, so every number is taken in a real, committed
    transaction that the other threads contend with.
    """
    start = threading.Barrier(count)
    errors: list[BaseException] = []

    def body(i: int) -> None:
        try:
            start.wait(timeout=30)
            work(i)
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return errors


def _assert_shared_database() -> None:
    # Threads see one database only if it is a file (SQLite) or a server.
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()  # type: ignore[attr-defined]
    assert not in_memory, (
        "the SQLite test database must be a file for threads to share it"
    )


@pytest.mark.django_db(transaction=True)
def test_fifty_clerks_at_once_get_one_to_fifty() -> None:
    """50 concurrent callers get exactly 1..50: no duplicate, no gap."""
    _assert_shared_database()
    taken: list[int] = []
    lock = threading.Lock()

    def take(_i: int) -> None:
        number = next_number("incoming", 2026)
        with lock:
            taken.append(number)

    errors = _run_threads(50, take)
    assert errors == []
    assert sorted(taken) == list(range(1, 51))
    assert current_number("incoming", 2026) == 50


@pytest.mark.django_db(transaction=True)
def test_concurrent_rollbacks_leave_no_gap() -> None:
    """With 50 concurrent callers of whom every fifth fails, kept numbers are 1..40."""
    _assert_shared_database()
    kept: list[int] = []
    lock = threading.Lock()

    def take(i: int) -> None:
        try:
            with transaction.atomic():
                number = next_number("outgoing", 2026)
                if i % 5 == 0:
                    raise Abandoned
        except Abandoned:
            return
        with lock:
            kept.append(number)

    errors = _run_threads(50, take)
    assert errors == []
    assert sorted(kept) == list(range(1, 41))
    assert current_number("outgoing", 2026) == 40
    assert next_number("outgoing", 2026) == 41
