"""Gap-free yearly counters per register.

A number is taken inside the caller's transaction: if that transaction rolls
back, so does the increment, and the next caller gets the same number.
"""

from django.db import transaction
from django.db.models import F

from tinhso.core.models import Counter


def next_number(register: str, year: int) -> int:
    with transaction.atomic():
        # ignore_conflicts makes creating the year's row safe when two
        # callers start the year at once.
        Counter.objects.bulk_create(
            [Counter(register=register, year=year, value=0)], ignore_conflicts=True
        )
        # The UPDATE locks the row until commit; the read after it sees
        # this transaction's own increment.
        Counter.objects.filter(register=register, year=year).update(
            value=F("value") + 1
        )
        return Counter.objects.values_list("value", flat=True).get(
            register=register, year=year
        )


def current_number(register: str, year: int) -> int:
    value = (
        Counter.objects.filter(register=register, year=year)
        .values_list("value", flat=True)
        .first()
    )
    return value or 0
