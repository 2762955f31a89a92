"""The teams' figures for reporting: people helped by kind on the day
logged, people trained, and daily counts of teams, members and villages
with a team (a share of the commune's villages); reporting reads them."""

import datetime as dt

from django.utils import timezone

import pytest

from tests import factories
from tests.community.conftest import Place
from tinhso.community.constants import HelpKind
from tinhso.community.models import Team
from tinhso.community.services import helps
from tinhso.core.metrics import indicators
from tinhso.reporting.constants import OverTime, Pillar, Rollup, Source
from tinhso.reporting.models import Indicator, MonthlyFact
from tinhso.reporting.services import catalog, facts

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def values(
    code: str, first: dt.date, last: dt.date
) -> list[tuple[int, str, int, int | None]]:
    return sorted(
        (f.unit_id, f.day.isoformat(), f.value, f.total)
        for f in indicators.get(code).compute(first, last)
    )


def test_help_and_levels_per_commune_and_day(place: Place) -> None:
    for kind, people in (
        (HelpKind.EID_LEVEL_2, 2),
        (HelpKind.EID_LEVEL_1, 1),
        (HelpKind.CASHLESS, 4),
    ):
        helps.log(
            place.helper_account,
            helps.Given(
                kind=kind, household="Hộ bà Lù Thị Mai", helped_on=TODAY, people=people
            ),
        )
    day = TODAY.isoformat()
    here = place.commune.pk
    assert values("community.ho_tro", TODAY, TODAY) == [(here, day, 7, None)]
    assert values("community.dinh_danh", TODAY, TODAY) == [(here, day, 3, None)]
    assert values("community.dinh_danh_muc_2", TODAY, TODAY) == [(here, day, 2, None)]
    assert values("community.khong_tien_mat", TODAY, TODAY) == [(here, day, 4, None)]
    started = place.team.established_on
    # Counted from the day the team was set up; no rows of zeros before.
    assert values("community.to", started - dt.timedelta(days=9), started) == [
        (here, started.isoformat(), 1, None),
    ]
    # One village of three has a team; the other commune, none of its one,
    # still counts in the province's share.
    there = place.other_commune.pk
    assert values("community.thon_co_to", TODAY, TODAY) == sorted(
        [(here, day, 1, 3), (there, day, 0, 1)]
    )
    Team.objects.filter(pk=place.team.pk).update(dissolved_on=TODAY)
    assert values("community.thon_co_to", TODAY, TODAY) == sorted(
        [(here, day, 0, 3), (there, day, 0, 1)]
    )
    # Members of a dissolved team no longer count.
    assert values("community.thanh_vien", TODAY, TODAY) == [(here, day, 0, None)]


def test_reporting_reads_the_teams(place: Place) -> None:
    helps.log(
        place.helper_account,
        helps.Given(
            kind=HelpKind.EID_LEVEL_2, household="Hộ ông Vàng Seo Dìn", helped_on=TODAY
        ),
    )
    admin = factories.administrator(place.province)
    share = catalog.save_indicator(
        admin,
        Indicator(
            code="xh.thon_co_to",
            name="Tỷ lệ thôn có tổ công nghệ số cộng đồng",
            unit_of_measure="%",
            pillar=Pillar.SOCIETY,
            source=Source.COMPUTED,
            metric="community.thon_co_to",
            rollup=Rollup.RATIO,
            over_time=OverTime.STOCK,
        ),
    )
    facts.refresh([share.code], today=TODAY)
    month = MonthlyFact.objects.get(
        indicator=share, unit=place.commune, month=TODAY.replace(day=1)
    )
    assert (month.value, month.total) == (1.0, 3.0)
