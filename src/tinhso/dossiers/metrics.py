"""The one-stop figures, counted the way the service index of QĐ 766/QĐ-TTg
defines them, for the statistics pages and for reporting.

A dossier counts in the period it was received in (accepted, for an online
one; one refused at the counter never counts as received). It is on time
when it was resolved (processed or returned) no later than its
appointment; the appointment already moved on by every supplement wait, so
the wait is excluded as the index asks. Satisfaction is 100% minus the late
share minus the share the applicants rated as dissatisfied (the index's
"complaints"), both over the resolved dossiers.

The figures of whole months come from ``MonthlyTally`` rows, which
``refresh`` counts again from their dossiers whenever one of them changes:
a province-year is then a few thousand rows instead of hundreds of
thousands of dossiers. The days of a month that a period cuts, and the
overdue dossiers (time alone makes them so), are counted from the dossiers,
each in one aggregate query whatever their number.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, DateField, F, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.core import metrics
from tinhso.core.metrics import Figure, Indicator
from tinhso.core.models import OrgUnit
from tinhso.dossiers.constants import (
    IN_PROGRESS,
    RESOLVED,
    Channel,
    DossierStatus,
    PaymentMethod,
    PaymentStatus,
    Satisfaction,
)
from tinhso.dossiers.models import Dossier, MonthlyTally, Payment, Rating

GROUPS = {
    "procedure": "procedure_id",
    "unit": "agency_id",
    "level": "procedure__level",
    "month": "month",
}
# The figures a MonthlyTally keeps; "counter" is received less online.
KEPT = (
    "received",
    "online",
    "resolved",
    "on_time",
    "late",
    "in_progress",
    "stopped",
    "with_fees",
    "paid_online",
    "rated",
    "dissatisfied",
)

type Key = tuple[dt.date, int, int]  # month, agency, procedure


@dataclass
class Tally:
    """The figures of one group of dossiers."""

    received: int = 0
    online: int = 0
    counter: int = 0
    resolved: int = 0
    on_time: int = 0
    late: int = 0
    in_progress: int = 0
    overdue: int = 0
    stopped: int = 0
    with_fees: int = 0
    paid_online: int = 0
    rated: int = 0
    dissatisfied: int = 0

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(self))
        )

    @classmethod
    def kept(cls, row: dict[str, Any]) -> "Tally":
        """From the sums of MonthlyTally rows."""
        counts = {name: row[name] or 0 for name in KEPT}
        return cls(counter=counts["received"] - counts["online"], **counts)

    @staticmethod
    def _share(part: int, whole: int) -> Decimal | None:
        if not whole:
            return None
        return (Decimal(100) * part / whole).quantize(Decimal("0.1"))

    @property
    def online_rate(self) -> Decimal | None:
        """Dossiers submitted online, of those received (full marks ≥ 50%)."""
        return self._share(self.online, self.received)

    @property
    def on_time_rate(self) -> Decimal | None:
        return self._share(self.on_time, self.resolved)

    @property
    def online_payment_rate(self) -> Decimal | None:
        """Dossiers whose fees were paid online, of those with fees."""
        return self._share(self.paid_online, self.with_fees)

    @property
    def satisfaction(self) -> Decimal | None:
        if not self.resolved:
            return None
        late = Decimal(100) * self.late / self.resolved
        complained = Decimal(100) * self.dissatisfied / self.resolved
        return max(Decimal(0), Decimal(100) - late - complained).quantize(
            Decimal("0.1")
        )


def received_dossiers() -> QuerySet[Dossier]:
    return Dossier.objects.filter(received_by__isnull=False).exclude(
        status=DossierStatus.NOT_RECEIVED
    )


def _overdue(now: dt.datetime) -> Q:
    return Q(status__in=IN_PROGRESS, appointment_at__lt=now)


def _counts(now: dt.datetime) -> dict[str, Any]:
    resolved = Q(status__in=RESOLVED)
    return {
        "received": Count("pk"),
        "online": Count("pk", filter=Q(channel=Channel.ONLINE)),
        "counter": Count("pk", filter=~Q(channel=Channel.ONLINE)),
        "resolved": Count("pk", filter=resolved),
        "on_time": Count(
            "pk", filter=resolved & Q(finished_at__lte=F("appointment_at"))
        ),
        "late": Count("pk", filter=resolved & Q(finished_at__gt=F("appointment_at"))),
        "in_progress": Count("pk", filter=Q(status__in=IN_PROGRESS)),
        "overdue": Count("pk", filter=_overdue(now)),
        "stopped": Count(
            "pk", filter=Q(status__in=(DossierStatus.STOPPED, DossierStatus.WITHDRAWN))
        ),
        "with_fees": Count("payment"),
        "paid_online": Count(
            "payment",
            filter=Q(
                payment__status=PaymentStatus.PAID,
                payment__method=PaymentMethod.VIETQR,
            ),
        ),
        "rated": Count("rating"),
        "dissatisfied": Count(
            "rating", filter=Q(rating__satisfaction=Satisfaction.DISSATISFIED)
        ),
    }


def _kept_counts(now: dt.datetime) -> dict[str, Any]:
    counts = _counts(now)
    return {name: counts[name] for name in KEPT}


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From the start of ``first`` to the end of ``last``, local time."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time(), tzinfo=zone)
    after = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start, after


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _within(unit: OrgUnit | None) -> Q:
    """Dossiers (or tallies) of ``unit`` and below; all for the province."""
    if unit is None or unit.parent_id is None:
        return Q()
    return Q(agency__path__startswith=unit.path)


def in_scope(unit: OrgUnit | None, first: dt.date, last: dt.date) -> QuerySet[Dossier]:
    """Dossiers received from ``first`` to ``last`` at ``unit`` or below
    (the whole province when ``unit`` is None or the province)."""
    start, after = _bounds(first, last)
    return received_dossiers().filter(
        _within(unit), received_at__gte=start, received_at__lt=after
    )


def _grouped(
    rows: QuerySet[Any], by: str | None, counts: dict[str, Any]
) -> list[tuple[Any, dict[str, Any]]]:
    if by is None:
        return [(None, rows.aggregate(**counts))]
    key = GROUPS[by]
    if by == "month" and rows.model is Dossier:
        rows = rows.annotate(month=TruncMonth("received_at", output_field=DateField()))
    return [
        (row.pop(key), row) for row in rows.values(key).annotate(**counts).order_by(key)
    ]


def tally(rows: QuerySet[Dossier], by: str | None = None) -> dict[Any, Tally]:
    """``rows`` counted from the dossiers, as a whole (key None) or per
    group of ``GROUPS``."""
    counts = _counts(timezone.now())
    return {key: Tally(**row) for key, row in _grouped(rows, by, counts)}


def _merge(into: dict[Any, Tally], more: dict[Any, Tally]) -> None:
    for key, figures in more.items():
        into[key] = into.get(key, Tally()) + figures


def figures(
    unit: OrgUnit | None, first: dt.date, last: dt.date, by: str | None = None
) -> dict[Any, Tally]:
    """The figures of ``in_scope(unit, first, last)``, as ``tally`` counts
    them, read from the monthly tallies for the whole months of the period.

    A period that reaches today takes in the rest of today's month, in
    which nothing was received yet, so "this year so far" is all whole
    months.
    """
    whole_first = first if first.day == 1 else _next_month(first)
    whole_after = _next_month(last)
    if last < timezone.localdate() and whole_after - dt.timedelta(days=1) != last:
        whole_after = last.replace(day=1)
    if whole_first >= whole_after:
        return tally(in_scope(unit, first, last), by)
    kept = MonthlyTally.objects.filter(
        _within(unit), month__gte=whole_first, month__lt=whole_after
    )
    sums = {name: Sum(name) for name in KEPT}
    result = {key: Tally.kept(row) for key, row in _grouped(kept, by, sums)}
    if first < whole_first:
        _merge(
            result, tally(in_scope(unit, first, whole_first - dt.timedelta(days=1)), by)
        )
    if whole_after <= last:
        _merge(result, tally(in_scope(unit, whole_after, last), by))
    # Overdue in the whole months, counted live over the few in progress.
    now = timezone.now()
    late = in_scope(unit, whole_first, whole_after - dt.timedelta(days=1)).filter(
        _overdue(now)
    )
    overdue = _grouped(late, by, {"overdue": Count("pk")})
    _merge(result, {key: Tally(overdue=row["overdue"]) for key, row in overdue})
    return result


# Keeping the monthly tallies -------------------------------------------------


def tally_key(received_at: dt.datetime, agency_id: int, procedure_id: int) -> Key:
    month = timezone.localtime(received_at).date().replace(day=1)
    return month, agency_id, procedure_id


def _count_month(month: dt.date, **where: Any) -> QuerySet[Dossier]:
    return in_scope(None, month, _next_month(month) - dt.timedelta(days=1)).filter(
        **where
    )


def refresh(keys: Iterable[Key]) -> None:
    """Count the MonthlyTally of each key again from its dossiers."""
    counts = _kept_counts(timezone.now())
    for month, agency_id, procedure_id in sorted(set(keys)):
        with transaction.atomic():
            # The row is locked before counting, so that acts on two
            # dossiers of one month count one after the other, the second
            # seeing the first's change.
            row, _created = MonthlyTally.objects.select_for_update().get_or_create(
                month=month, agency_id=agency_id, procedure_id=procedure_id
            )
            found = _count_month(
                month, agency_id=agency_id, procedure_id=procedure_id
            ).aggregate(**counts)
            if not found["received"]:
                row.delete()
                continue
            for name in KEPT:
                setattr(row, name, found[name])
            row.save(update_fields=KEPT)


def tallies_add_up() -> bool:
    """Whether the tallies hold as many dossiers as were received: false
    after dossiers were written past them (an upgrade, a bulk import)."""
    kept = MonthlyTally.objects.aggregate(n=Sum("received"))["n"] or 0
    return kept == received_dossiers().count()


def _hold_tallies() -> None:
    """Keep acts from changing tallies until this transaction ends, so that
    a month counted in it stays right: acts already counting finish first,
    later ones wait and count after. SQLite has one writer at a time already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {MonthlyTally._meta.db_table} IN SHARE ROW EXCLUSIVE MODE"
            )


def recount(progress: Callable[[dt.date, int], None] | None = None) -> int:
    """Count every MonthlyTally again from the dossiers, a month at a time
    (each in its own transaction, so it can be stopped and run again);
    ``progress(month, rows)`` after each. Returns the rows kept."""
    span = received_dossiers().aggregate(
        first=Min("received_at"), last=Max("received_at")
    )
    if span["first"] is None:
        MonthlyTally.objects.all().delete()
        return 0
    counts = _kept_counts(timezone.now())
    month = tally_key(span["first"], 0, 0)[0]
    end = tally_key(span["last"], 0, 0)[0]
    kept = 0
    with transaction.atomic():
        MonthlyTally.objects.filter(Q(month__lt=month) | Q(month__gt=end)).delete()
    while month <= end:
        with transaction.atomic():
            _hold_tallies()
            grouped = (
                _count_month(month)
                .values("agency_id", "procedure_id")
                .annotate(**counts)
                .order_by()
            )
            rows = [MonthlyTally(month=month, **row) for row in grouped]
            MonthlyTally.objects.filter(month=month).delete()
            MonthlyTally.objects.bulk_create(rows, batch_size=2000)
        kept += len(rows)
        if progress is not None:
            progress(month, len(rows))
        month = _next_month(month)
    return kept


KEY_FIELDS = {"received_at", "agency", "agency_id", "procedure", "procedure_id"}
# What else of a dossier, its payment and its rating the tallies count.
COUNTED = {
    Dossier: KEY_FIELDS
    | {"status", "channel", "finished_at", "appointment_at", "received_by"},
    Payment: {"status", "method"},
    Rating: {"satisfaction"},
}


def _counts_change(instance: Dossier | Payment | Rating, update_fields: Any) -> bool:
    """Whether saving these fields may change a tally (a new row always may)."""
    return update_fields is None or bool(COUNTED[type(instance)] & set(update_fields))


def _received_key(dossier_id: int) -> Key | None:
    """The stored dossier's tally key; None unless it was received."""
    found = (
        Dossier.objects.filter(pk=dossier_id, received_by__isnull=False)
        .values_list("received_at", "agency_id", "procedure_id")
        .first()
    )
    return tally_key(*found) if found else None


def _remember_key(instance: Dossier, update_fields: Any = None, **kwargs: Any) -> None:
    # A dossier accepted online moves to the month of its acceptance: the
    # month it leaves is counted again too.
    if kwargs.get("raw") or instance._state.adding:
        return
    if update_fields is not None and not KEY_FIELDS & set(update_fields):
        return
    instance._tally_before = _received_key(instance.pk)  # type: ignore[attr-defined]


def _dossier_saved(instance: Dossier, update_fields: Any = None, **kwargs: Any) -> None:
    before = instance.__dict__.pop("_tally_before", None)
    if kwargs.get("raw") or not _counts_change(instance, update_fields):
        return
    if instance.received_by_id is None and before is None:
        return  # submitted online, not accepted yet: counted nowhere
    keys = {tally_key(instance.received_at, instance.agency_id, instance.procedure_id)}
    refresh(keys | ({before} if before else set()))


def _part_saved(
    instance: Payment | Rating, update_fields: Any = None, **kwargs: Any
) -> None:
    if kwargs.get("raw") or not _counts_change(instance, update_fields):
        return
    key = _received_key(instance.dossier_id)
    if key is not None:  # not gone with its dossier, nor still unaccepted
        refresh([key])


def keep_tallies() -> None:
    """Count a dossier's MonthlyTally again whenever it, its payment or its
    rating is saved or deleted: every act saves through the ORM, so none
    can forget to."""
    pre_save.connect(_remember_key, sender=Dossier, dispatch_uid="tally-before")
    post_save.connect(_dossier_saved, sender=Dossier, dispatch_uid="tally-dossier")
    post_delete.connect(_dossier_saved, sender=Dossier, dispatch_uid="tally-gone")
    for part in (Payment, Rating):
        post_save.connect(
            _part_saved, sender=part, dispatch_uid=f"tally-{part.__name__}"
        )
        post_delete.connect(
            _part_saved, sender=part, dispatch_uid=f"tally-{part.__name__}-gone"
        )


# For reporting ---------------------------------------------------------------
# Each figure counts an event on the day it happened in the platform's time
# zone: receiving (and its channel), resolving, paying. None of them moves
# once the day is over, so reporting may refresh recent days alone.


def _daily(
    rows: QuerySet[Any],
    when: str,
    first: dt.date,
    last: dt.date,
    *,
    unit: str = "agency_id",
    counted: Q | None = None,
) -> list[Figure]:
    return metrics.daily(rows, when, first, last, unit=unit, counted=counted)


def received(first: dt.date, last: dt.date) -> list[Figure]:
    """Dossiers each unit received, by day received."""
    return _daily(received_dossiers(), "received_at", first, last)


def received_online(first: dt.date, last: dt.date) -> list[Figure]:
    """Dossiers submitted online, out of all received, by day received."""
    return _daily(
        received_dossiers(),
        "received_at",
        first,
        last,
        counted=Q(channel=Channel.ONLINE),
    )


def resolved_on_time(first: dt.date, last: dt.date) -> list[Figure]:
    """Dossiers resolved by their appointment, out of all resolved, by day
    resolved."""
    return _daily(
        received_dossiers().filter(status__in=RESOLVED),
        "finished_at",
        first,
        last,
        counted=Q(finished_at__lte=F("appointment_at")),
    )


def paid_online(first: dt.date, last: dt.date) -> list[Figure]:
    """Fees paid online (VietQR), out of all fees paid, by day paid."""
    return _daily(
        Payment.objects.filter(status=PaymentStatus.PAID),
        "paid_at",
        first,
        last,
        unit="dossier__agency_id",
        counted=Q(method=PaymentMethod.VIETQR),
    )


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        code="dossiers.received",
        label=_("Hồ sơ tiếp nhận"),
        description=_("Hồ sơ thủ tục hành chính mỗi đơn vị tiếp nhận trong kỳ."),
        compute=received,
    ),
    Indicator(
        code="dossiers.received_online",
        label=_("Tỷ lệ hồ sơ nộp trực tuyến"),
        description=_("Hồ sơ nộp trực tuyến trên tổng số hồ sơ tiếp nhận."),
        compute=received_online,
        share=True,
    ),
    Indicator(
        code="dossiers.resolved_on_time",
        label=_("Tỷ lệ hồ sơ giải quyết đúng hạn"),
        description=_(
            "Hồ sơ giải quyết xong không muộn hơn ngày hẹn (không tính thời gian "
            "chờ bổ sung) trên tổng số hồ sơ giải quyết xong trong kỳ."
        ),
        compute=resolved_on_time,
        share=True,
    ),
    Indicator(
        code="dossiers.paid_online",
        label=_("Tỷ lệ hồ sơ thanh toán trực tuyến"),
        description=_(
            "Khoản phí, lệ phí nộp trực tuyến (VietQR) trên tổng số khoản đã nộp trong kỳ."
        ),
        compute=paid_online,
        share=True,
    ),
)


def register_indicators() -> None:
    for indicator in INDICATORS:
        metrics.register(indicator)
