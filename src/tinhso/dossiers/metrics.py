"""The one-stop figures, counted the way the service index of QĐ 766/QĐ-TTg
defines them, for the statistics pages and for reporting.

A dossier counts in the period it was received in (accepted, for an online
one; one refused at the counter never counts as received). It is on time
when it was resolved (processed or returned) no later than its
appointment; the appointment already moved on by every supplement wait, so
the wait is excluded as the index asks. Satisfaction is 100% minus the late
share minus the share the applicants rated as dissatisfied (the index's
"complaints"), both over the resolved dossiers.

Every figure is one aggregate query, grouped by procedure, unit, level or
month, whatever the number of dossiers.
"""

import datetime as dt
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.db.models import Count, DateField, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.core import metrics
from tinhso.core.metrics import Indicator, MonthlyFigure
from tinhso.core.models import OrgUnit
from tinhso.dossiers.constants import (
    Channel,
    DossierStatus,
    PaymentMethod,
    PaymentStatus,
    Satisfaction,
)
from tinhso.dossiers.models import Dossier

RESOLVED = (DossierStatus.PROCESSED, DossierStatus.RETURNED)
IN_PROGRESS = (
    DossierStatus.RECEIVED,
    DossierStatus.PROCESSING,
    DossierStatus.SUPPLEMENT,
    DossierStatus.AWAITING_PAYMENT,
)
GROUPS = {
    "procedure": "procedure_id",
    "unit": "agency_id",
    "level": "procedure__level",
    "month": "month",
}


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
        "overdue": Count(
            "pk", filter=Q(status__in=IN_PROGRESS, appointment_at__lt=now)
        ),
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


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From the start of ``first`` to the end of ``last``, local time."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time(), tzinfo=zone)
    after = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start, after


def in_scope(unit: OrgUnit | None, first: dt.date, last: dt.date) -> QuerySet[Dossier]:
    """Dossiers received from ``first`` to ``last`` at ``unit`` or below
    (the whole province when ``unit`` is None or the province)."""
    start, after = _bounds(first, last)
    rows = received_dossiers().filter(received_at__gte=start, received_at__lt=after)
    if unit is not None and unit.parent_id is not None:
        rows = rows.filter(agency__path__startswith=unit.path)
    return rows


def tally(rows: QuerySet[Dossier], by: str | None = None) -> dict[Any, Tally]:
    """``rows`` counted as a whole (key None) or per group of ``GROUPS``."""
    counts = _counts(timezone.now())
    if by is None:
        return {None: Tally(**rows.aggregate(**counts))}
    key = GROUPS[by]
    if by == "month":
        rows = rows.annotate(month=TruncMonth("received_at", output_field=DateField()))
    grouped = rows.values(key).annotate(**counts).order_by(key)
    return {
        row.pop(key): Tally(**{k: v for k, v in row.items() if k in counts})
        for row in grouped
    }


# For reporting ---------------------------------------------------------------


def _monthly(
    counted: str, whole: str | None, first: dt.date, last: dt.date
) -> list[MonthlyFigure]:
    month_first = first.replace(day=1)
    next_month = dt.date(last.year + last.month // 12, last.month % 12 + 1, 1)
    rows = in_scope(None, month_first, next_month - dt.timedelta(days=1)).annotate(
        month=TruncMonth("received_at", output_field=DateField())
    )
    counts = _counts(timezone.now())
    grouped = (
        rows.values("agency_id", "month")
        .annotate(value=counts[counted], total=counts[whole or counted])
        .order_by("agency_id", "month")
    )
    return [
        MonthlyFigure(
            unit_id=row["agency_id"],
            month=row["month"],
            value=row["value"],
            total=row["total"] if whole else None,
        )
        for row in grouped
    ]


def received(first: dt.date, last: dt.date) -> list[MonthlyFigure]:
    """Dossiers each unit received, by month received."""
    return _monthly("received", None, first, last)


def received_online(first: dt.date, last: dt.date) -> list[MonthlyFigure]:
    """Dossiers submitted online, out of all received."""
    return _monthly("online", "received", first, last)


def resolved_on_time(first: dt.date, last: dt.date) -> list[MonthlyFigure]:
    """Dossiers resolved by their appointment, out of all resolved."""
    return _monthly("on_time", "resolved", first, last)


def paid_online(first: dt.date, last: dt.date) -> list[MonthlyFigure]:
    """Dossiers whose fees were paid online, out of all with fees."""
    return _monthly("paid_online", "with_fees", first, last)


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        code="dossiers.received",
        label=_("Hồ sơ tiếp nhận"),
        description=_("Hồ sơ thủ tục hành chính mỗi đơn vị tiếp nhận trong tháng."),
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
            "chờ bổ sung) trên tổng số hồ sơ đã giải quyết."
        ),
        compute=resolved_on_time,
        share=True,
    ),
    Indicator(
        code="dossiers.paid_online",
        label=_("Tỷ lệ hồ sơ thanh toán trực tuyến"),
        description=_("Hồ sơ nộp phí, lệ phí trực tuyến trên tổng số hồ sơ có phí."),
        compute=paid_online,
        share=True,
    ),
)


def register_indicators() -> None:
    for indicator in INDICATORS:
        metrics.register(indicator)
