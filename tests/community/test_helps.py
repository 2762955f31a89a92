"""Help logged by members: only a member logs it, for its own commune's
villages, dated today or recently; the team's leader, the commune and the
province see it, another commune does not; the overview counts coverage,
members and help by kind, and training by commune and group."""

import datetime as dt

from django.utils import timezone

import pytest

from tests import factories
from tests.community.conftest import Place
from tinhso.community import policies, selectors
from tinhso.community.constants import HelpKind, TrainingGroup
from tinhso.community.models import Attendance, Course, Help, Session
from tinhso.community.services import helps, teams, training
from tinhso.core.errors import DomainError, Forbidden

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def given(**over: object) -> helps.Given:
    values: dict[str, object] = {
        "kind": HelpKind.EID_LEVEL_2,
        "household": "Hộ ông Vàng Seo Dìn",
        "helped_on": TODAY,
    }
    values.update(over)
    return helps.Given(**values)  # type: ignore[arg-type]


def test_a_member_logs_help_in_the_teams_village(place: Place) -> None:
    made = helps.log(
        place.helper_account, given(personal_id="002 0980 01111", people=3)
    )
    assert (made.team, made.village, made.commune) == (
        place.team,
        place.villages[0],
        place.commune,
    )
    assert made.personal_id == "002098001111" and made.member == place.helper
    elsewhere = helps.log(
        place.helper_account, given(kind=HelpKind.CASHLESS, village=place.villages[2])
    )
    assert elsewhere.village == place.villages[2]
    with pytest.raises(DomainError, match="không thuộc"):
        helps.log(
            place.helper_account,
            given(village=place.other_commune.children.get()),
        )
    with pytest.raises(DomainError, match="sau hôm nay"):
        helps.log(place.helper_account, given(helped_on=TODAY + dt.timedelta(days=1)))
    with pytest.raises(DomainError, match="30 ngày"):
        helps.log(place.helper_account, given(helped_on=TODAY - dt.timedelta(days=31)))
    with pytest.raises(DomainError, match="Ghi tên hộ"):
        helps.log(place.helper_account, given(household="  "))
    with pytest.raises(DomainError, match="12 chữ số"):
        helps.log(place.helper_account, given(personal_id="1234"))
    with pytest.raises(Forbidden):
        helps.log(place.officer, given())
    assert Help.objects.count() == 2


def test_each_sees_the_activity_of_their_own_place(place: Place) -> None:
    helps.log(place.helper_account, given())
    team = place.team
    # A plain member logs help but does not open the team's page (its
    # members' contacts, the households helped); the leader does.
    assert not policies.can_see_team(place.helper_account, team)
    assert not policies.leads(place.helper_account, team)
    leader_account = factories.citizen(
        identifier="002088009999", full_name="Vàng Thị Dính", phone="0966554433"
    )
    teams.link_account(place.officer, place.leader, leader_account.username)
    assert policies.can_see_team(leader_account, team)
    with pytest.raises(DomainError, match="không mang số CCCD"):
        teams.link_account(
            place.officer,
            place.leader,
            factories.citizen(identifier="001093000222", phone="0911222333").username,
        )
    assert policies.can_see_team(place.chairman, team)
    assert policies.can_see_team(place.province_officer, team)
    assert not policies.can_see_team(place.other_officer, team)
    assert not policies.can_see_team(factories.citizen(), team)
    assert list(selectors.overseen_communes(place.chairman)) == [place.commune]
    assert set(selectors.overseen_communes(place.province_officer)) == {
        place.commune,
        place.other_commune,
    }
    assert (
        list(selectors.teams_in(selectors.overseen_communes(place.other_officer))) == []
    )


def test_the_overview_counts_coverage_help_and_training(place: Place) -> None:
    helps.log(place.helper_account, given(people=2))
    helps.log(place.helper_account, given(kind=HelpKind.ECOMMERCE))
    course = training.save_course(
        place.province_officer,
        Course(
            name="Kỹ năng số cơ bản cho người dân",
            audience=TrainingGroup.RESIDENTS,
            organiser=place.province,
        ),
    )
    session = training.save_session(
        place.officer,
        Session(
            course=course,
            commune=place.commune,
            held_on=TODAY,
            place="Nhà văn hóa thôn Nặm Đăm",
            trainer="Vàng Thị Dính",
        ),
    )
    for name, group, pid in (
        ("Lò Văn Pó", TrainingGroup.RESIDENTS, "002088000001"),
        ("Nông Thị Hằng", TrainingGroup.OFFICIALS, ""),
        ("HKD Sùng Thị Mỷ", TrainingGroup.BUSINESSES, ""),
    ):
        training.add_attendee(
            place.officer,
            Attendance(session=session, full_name=name, group=group, personal_id=pid),
        )
    with pytest.raises(DomainError, match="đã có trong danh sách"):
        training.add_attendee(
            place.officer,
            Attendance(
                session=session,
                full_name="Lò Văn Pó",
                group=TrainingGroup.RESIDENTS,
                personal_id="002088000001",
            ),
        )
    with pytest.raises(Forbidden):
        training.save_session(
            place.other_officer,
            Session(
                course=course,
                commune=place.commune,
                held_on=TODAY,
                place="UBND xã",
                trainer="Ai đó",
            ),
        )
    communes = selectors.overseen_communes(place.province_officer)
    seen = selectors.coverage(communes, TODAY.replace(month=1, day=1), TODAY)
    quan_ba = next(c for c in seen.communes if c.commune == place.commune)
    assert (quan_ba.villages, quan_ba.with_team, quan_ba.active_teams) == (3, 1, 1)
    assert (quan_ba.members, quan_ba.helped) == (2, 3)
    assert seen.total_villages == 4 and round(seen.share or 0) == 25
    assert dict(seen.by_kind)["Kích hoạt định danh điện tử mức 2"] == 2
    (row,) = selectors.trained(communes, TODAY, TODAY)
    assert (row.commune, row.counts, row.total) == (
        "Xã Quản Bạ",
        {"officials": 1, "residents": 1, "businesses": 1},
        3,
    )
