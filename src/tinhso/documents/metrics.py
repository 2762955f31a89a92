"""The indicators the documents app feeds to reporting, per agency and day.

Reporting never reads these tables: it asks each registered indicator for
its figures (DESIGN.md, "Reporting pulls numbers through each app's
metrics.py, registered by indicator code"). Every figure is one aggregate
query grouped by agency and day, whatever the size of the registers.

Days are calendar days in the platform's time zone; a figure's ``unit_id``
is the agency that received (incoming) or issued (outgoing) the documents.
A share (``Indicator.share``) gives ``value`` out of ``total``; reporting
adds both across units and days before dividing.
"""

import datetime as dt
from typing import Any

from django.db.models import (
    BooleanField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils.translation import gettext_lazy as _

from tinhso.core import metrics
from tinhso.core.metrics import Figure, Indicator
from tinhso.documents.constants import Secrecy
from tinhso.documents.models import Dispatch, IncomingDocument, OutgoingDocument

_bounds = metrics.bounds


def _daily(
    rows: QuerySet[Any],
    *,
    unit: str,
    when: str,
    first: dt.date,
    last: dt.date,
    counted: Any = None,
    share: bool = False,
) -> list[Figure]:
    """Without ``counted`` the value is the number of rows; with it, the
    number of rows meeting it, and ``total`` the number of rows."""
    return metrics.daily(
        rows, when, first, last, unit=unit, counted=counted, share=share
    )


class _HasIntactSignature(Func):
    """Whether a document's checked signatures hold one whose bytes are intact.

    ``IncomingDocument.signatures`` is a JSON list of the checks made on
    arrival; each database reads JSON its own way.
    """

    output_field = BooleanField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        # ``sql`` is the compiled column reference, not user input.
        return (
            f"EXISTS (SELECT 1 FROM json_each({sql}) AS s "  # noqa: S608
            "WHERE json_extract(s.value, '$.intact') = 1)",
            params,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return (f"jsonb_path_exists({sql}, '$[*] ? (@.intact == true)')", params)


def _issued() -> QuerySet[OutgoingDocument]:
    # Issued once is issued on that day, even if revoked later.
    return OutgoingDocument.objects.filter(issued_at__isnull=False)


def received(first: dt.date, last: dt.date) -> list[Figure]:
    """Documents entered in each agency's incoming register (by time received)."""
    return _daily(
        IncomingDocument.objects.all(),
        unit="agency_id",
        when="received_at",
        first=first,
        last=last,
    )


def issued(first: dt.date, last: dt.date) -> list[Figure]:
    """Documents each agency numbered and issued (by time of issue)."""
    return _daily(_issued(), unit="agency_id", when="issued_at", first=first, last=last)


def issued_signed(first: dt.date, last: dt.date) -> list[Figure]:
    """Issued documents that were signed digitally, out of all issued."""
    return _daily(
        _issued(),
        unit="agency_id",
        when="issued_at",
        first=first,
        last=last,
        counted=Q(signed_file__isnull=False),
        share=True,
    )


def received_signed(first: dt.date, last: dt.date) -> list[Figure]:
    """Received documents carrying an intact digital signature, out of all."""
    return _daily(
        IncomingDocument.objects.all(),
        unit="agency_id",
        when="received_at",
        first=first,
        last=last,
        counted=_HasIntactSignature(F("signatures")),
        share=True,
    )


def sent_electronically(first: dt.date, last: dt.date) -> list[Figure]:
    """Issued documents sent on the network (platform or edXML), out of all
    issued that may travel: secret documents never do, so they count in
    neither number."""
    return _daily(
        _issued().filter(secrecy=Secrecy.NORMAL),
        unit="agency_id",
        when="issued_at",
        first=first,
        last=last,
        counted=Exists(Dispatch.objects.filter(document=OuterRef("pk"))),
        share=True,
    )


def received_electronically(first: dt.date, last: dt.date) -> list[Figure]:
    """Received documents that came as electronic messages, out of all
    received that may travel (secret ones excluded from both numbers)."""
    return _daily(
        IncomingDocument.objects.filter(secrecy=Secrecy.NORMAL),
        unit="agency_id",
        when="received_at",
        first=first,
        last=last,
        counted=Q(inbound__isnull=False),
        share=True,
    )


def handled_on_time(first: dt.date, last: dt.date) -> list[Figure]:
    """Documents closed on or before their deadline, out of all closed with a
    deadline, by the day they were closed."""
    return _daily(
        IncomingDocument.objects.filter(deadline__isnull=False),
        unit="agency_id",
        when="closed_at",
        first=first,
        last=last,
        counted=Q(closed_at__date__lte=F("deadline")),
        share=True,
    )


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        code="documents.received",
        label=_("Văn bản đến"),
        description=_("Số văn bản vào sổ văn bản đến trong kỳ."),
        compute=received,
    ),
    Indicator(
        code="documents.issued",
        label=_("Văn bản đi đã phát hành"),
        description=_("Số văn bản được cấp số, phát hành trong kỳ."),
        compute=issued,
    ),
    Indicator(
        code="documents.issued_signed",
        label=_("Tỷ lệ văn bản đi được ký số"),
        description=_("Văn bản phát hành có chữ ký số trên tổng số văn bản phát hành."),
        compute=issued_signed,
        share=True,
    ),
    Indicator(
        code="documents.received_signed",
        label=_("Tỷ lệ văn bản đến có chữ ký số hợp lệ"),
        description=_(
            "Văn bản đến có ít nhất một chữ ký số nguyên vẹn trên tổng số văn bản đến."
        ),
        compute=received_signed,
        share=True,
    ),
    Indicator(
        code="documents.sent_electronically",
        label=_("Tỷ lệ văn bản đi gửi điện tử"),
        description=_(
            "Văn bản phát hành được gửi qua nền tảng hoặc gói tin edXML trên tổng số "
            "văn bản phát hành, không tính văn bản mật."
        ),
        compute=sent_electronically,
        share=True,
    ),
    Indicator(
        code="documents.received_electronically",
        label=_("Tỷ lệ văn bản đến nhận điện tử"),
        description=_(
            "Văn bản đến nhận qua nền tảng hoặc gói tin edXML trên tổng số văn bản "
            "đến, không tính văn bản mật."
        ),
        compute=received_electronically,
        share=True,
    ),
    Indicator(
        code="documents.handled_on_time",
        label=_("Tỷ lệ văn bản đến xử lý đúng hạn"),
        description=_(
            "Văn bản có hạn xử lý được kết thúc đúng hạn trên tổng số văn bản có hạn "
            "xử lý kết thúc trong kỳ."
        ),
        compute=handled_on_time,
        share=True,
    ),
)


def register_indicators() -> None:
    """Add this app's indicators to the platform's registry (from ``ready()``)."""
    for indicator in INDICATORS:
        metrics.register(indicator)
