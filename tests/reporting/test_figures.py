"""Facts and their roll-ups: computed indicators refreshed from an app's
registered figures, incrementally and safely twice; figures of a group of
units combined as the catalog says (a sum, an average, a weighted ratio),
a stock taken at its last month, a flow added up."""

import datetime as dt
from io import BytesIO
from typing import Any

from django.utils import timezone

import pytest

from tests import factories
from tests.documents.conftest import make_pdf
from tests.reporting.conftest import Province
from tinhso.accounts.models import Role
from tinhso.documents.constants import DocumentType
from tinhso.documents.services import incoming
from tinhso.reporting.models import Fact, MonthlyFact, Refresh
from tinhso.reporting.selectors import dashboard as board
from tinhso.reporting.selectors.figures import (
    combine,
    group_parts,
    total_parts,
    unit_figures,
)
from tinhso.reporting.services import facts

pytestmark = pytest.mark.django_db


def receive(clerk: Any, agency: Any, when: dt.datetime) -> None:
    incoming.register_incoming(
        agency=agency,
        clerk=clerk,
        file=BytesIO(make_pdf()),
        file_name="van-ban.pdf",
        number_symbol="12/QĐ-UBND",
        issued_date=when.date(),
        issuer_name="Ủy ban nhân dân tỉnh",
        doc_type=DocumentType.DECISION,
        subject="Về việc giao chỉ tiêu",
        received_at=when,
    )


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(
        day, dt.time(hour), tzinfo=timezone.get_current_timezone()
    )


def test_refresh_brings_computed_facts_up_to_date_incrementally(
    place: Province, catalog_
) -> None:  # type: ignore[no-untyped-def]
    received = catalog_["received"]
    commune = place.communes[0]
    clerk = factories.official(unit=commune, role=Role.CLERK)
    today = timezone.localdate()
    old_day = today - dt.timedelta(days=400)
    receive(clerk, commune, at(old_day))
    receive(clerk, commune, at(today - dt.timedelta(days=1)))
    receive(clerk, commune, at(today - dt.timedelta(days=1), 15))

    first = facts.refresh([received.code])
    assert first[0].first == dt.date(today.year - 5, 1, 1)
    days = dict(Fact.objects.filter(indicator=received).values_list("day", "value"))
    assert days == {old_day: 1.0, today - dt.timedelta(days=1): 2.0}
    assert Refresh.objects.get(indicator=received).through == today

    # A later refresh reads only the last days again, and a rerun changes nothing.
    receive(clerk, commune, max(at(today, 0), timezone.now() - dt.timedelta(seconds=5)))
    again = facts.refresh([received.code])
    assert again[0].first == today - dt.timedelta(days=facts.OVERLAP_DAYS)
    facts.refresh([received.code])
    days = dict(Fact.objects.filter(indicator=received).values_list("day", "value"))
    assert days == {old_day: 1.0, today - dt.timedelta(days=1): 2.0, today: 1.0}
    months = MonthlyFact.objects.filter(indicator=received, month=today.replace(day=1))
    assert months.get().value == sum(
        v for d, v in days.items() if d.replace(day=1) == today.replace(day=1)
    )
    # A fact edited behind the platform's back is put right by a full refresh.
    Fact.objects.filter(indicator=received, day=old_day).update(value=9)
    facts.refresh([received.code], full=True)
    assert Fact.objects.get(indicator=received, day=old_day).value == 1.0


def put(
    indicator: Any, unit: Any, day: dt.date, value: float, total: float | None = None
) -> None:
    facts.put_reported(indicator, unit.pk, day, value, total)


def test_roll_ups_are_sums_averages_and_weighted_ratios_up_the_tree(
    place: Province, catalog_
) -> None:  # type: ignore[no-untyped-def]
    share, help_, score = catalog_["share"], catalog_["help"], catalog_["score"]
    hg, dv, lc = place.communes
    march, june = dt.date(2026, 3, 14), dt.date(2026, 6, 14)
    # Shares: a small commune at 90% must not weigh as much as a big one at 50%.
    put(share, hg, march, 100, 1000)  # replaced by June: a stock
    put(share, hg, june, 500, 1000)
    put(share, dv, june, 90, 100)
    put(share, place.village, june, 30, 50)  # rolls into Lũng Cú
    put(share, lc, june, 10, 50)
    # Help given: a flow, added up over the months.
    put(help_, hg, march, 20)
    put(help_, hg, june, 15)
    put(help_, dv, june, 5)
    put(score, hg, june, 8)
    put(score, dv, june, 6)
    put(score, lc, june, 9)
    put(score, place.village, june, 7)

    figures = unit_figures(
        [share, help_, score], dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    )
    whole = {
        i: combine(i, total_parts(figures.by_unit[i.pk])) for i in (share, help_, score)
    }
    assert whole[share] == pytest.approx(100 * 630 / 1200)  # 52.5%, not the mean 66%
    assert whole[help_] == 40
    assert whole[score] == pytest.approx(7.5)
    per_commune = group_parts(figures.by_unit[share.pk], place.communes)
    assert combine(share, per_commune[lc.pk]) == pytest.approx(40.0)  # (30 + 10) / 100
    assert combine(help_, group_parts(figures.by_unit[help_.pk], [hg])[hg.pk]) == 35
    # Month by month: March had Hà Giang 1 alone.
    assert combine(share, figures.by_month[share.pk][dt.date(2026, 3, 1)]) == 10.0

    # The first quarter alone: the stock as it stood then.
    q1 = unit_figures([share], dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert combine(share, total_parts(q1.by_unit[share.pk])) == 10.0


def test_the_dashboard_sets_figures_against_targets_and_ranks_units(
    place: Province, catalog_
) -> None:  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from tinhso.reporting.models import Target
    from tinhso.reporting.services import catalog

    share = catalog_["share"]
    share.key = True
    catalog.save_indicator(place.admin, share)
    hg, dv, lc = place.communes
    june = dt.date(2026, 6, 14)
    put(share, hg, june, 500, 1000)
    put(share, dv, june, 90, 100)
    catalog.set_target(
        place.admin,
        Target(
            indicator=share,
            unit=place.province,
            year=2026,
            value=Decimal(80),
            direction="higher",
        ),
    )
    found = board.dashboard(place.province, 2026, today=dt.date(2026, 12, 31))
    tile = found.tiles[0]
    assert tile.value == pytest.approx(100 * 590 / 1100)
    assert tile.target == 80 and tile.met is False
    assert [m.month for m, _v in tile.trend] == list(range(1, 13))
    assert found.chosen == share
    ranked = [(r.unit.name, r.rank) for r in found.children if r.value is not None]
    assert ranked == [("Xã Đồng Văn", 1), ("Phường Hà Giang 1", 2)]
    assert {r.unit.pk for r in found.communes} == {hg.pk, dv.pk, lc.pk}
    # Drilling into a commune: its villages below, itself on the map.
    inside = board.dashboard(lc, 2026, share, today=dt.date(2026, 12, 31))
    assert [r.unit.pk for r in inside.children] == [place.village.pk]
    assert [a.pk for a in inside.ancestors] == [place.province.pk]
