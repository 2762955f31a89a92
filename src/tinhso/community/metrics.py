"""The community teams' indicators for reporting, each figure per commune
and day.

Help counts the people helped, on the day it was logged (a figure never
moves to an earlier day once reporting has read it); training counts the
people on an attendance list, on the day they were listed. Teams, members
and villages with a team are daily counts read from when each began and
ended.
"""

import datetime as dt
from collections.abc import Callable

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from tinhso.community.constants import HelpKind
from tinhso.community.models import Attendance, Help, Member, Team
from tinhso.core import metrics
from tinhso.core.metrics import Figure, Indicator
from tinhso.core.models import OrgUnit, OrgUnitKind


def _helped(*kinds: str) -> Callable[[dt.date, dt.date], list[Figure]]:
    def compute(first: dt.date, last: dt.date) -> list[Figure]:
        rows = Help.objects.all()
        if kinds:
            rows = rows.filter(kind__in=kinds)
        return metrics.daily(
            rows, "logged_at", first, last, unit="commune_id", value=Sum("people")
        )

    return compute


def trained(first: dt.date, last: dt.date) -> list[Figure]:
    return metrics.daily(
        Attendance.objects.all(), "logged_at", first, last, unit="session__commune_id"
    )


def teams(first: dt.date, last: dt.date) -> list[Figure]:
    return metrics.levels(
        Team.objects.values_list("commune_id", "established_on", "dissolved_on"),
        first,
        last,
    )


def _ended(left: dt.date | None, dissolved: dt.date | None) -> dt.date | None:
    ends = [d for d in (left, dissolved) if d is not None]
    return min(ends) if ends else None


def members(first: dt.date, last: dt.date) -> list[Figure]:
    # A member counts until leaving, or until the team is dissolved.
    rows = Member.objects.values_list(
        "team__commune_id", "joined_on", "left_on", "team__dissolved_on"
    )
    return metrics.levels(
        ((unit, joined, _ended(left, gone)) for unit, joined, left, gone in rows),
        first,
        last,
    )


def villages_covered(first: dt.date, last: dt.date) -> list[Figure]:
    villages = {
        r["parent_id"]: r["n"]
        for r in OrgUnit.objects.filter(kind=OrgUnitKind.VILLAGE, legacy=False)
        .values("parent_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    # One working team per village (a constraint), so teams count villages.
    return metrics.levels(
        Team.objects.filter(~Q(village=None)).values_list(
            "commune_id", "established_on", "dissolved_on"
        ),
        first,
        last,
        totals=villages,
    )


INDICATORS = [
    Indicator(
        code="community.ho_tro",
        label=_("Lượt người dân được tổ công nghệ số cộng đồng hỗ trợ"),
        description=_("Số người được các tổ hỗ trợ, mọi nội dung, ghi nhận trong kỳ."),
        compute=_helped(),
    ),
    Indicator(
        code="community.dinh_danh",
        label=_("Người dân được hỗ trợ kích hoạt định danh điện tử"),
        description=_("Số người được hỗ trợ kích hoạt định danh điện tử mức 1 hoặc 2."),
        compute=_helped(HelpKind.EID_LEVEL_1, HelpKind.EID_LEVEL_2),
    ),
    Indicator(
        code="community.dinh_danh_muc_2",
        label=_("Người dân được hỗ trợ kích hoạt định danh điện tử mức 2"),
        description=_("Số người được hỗ trợ kích hoạt định danh điện tử mức 2."),
        compute=_helped(HelpKind.EID_LEVEL_2),
    ),
    Indicator(
        code="community.dich_vu_cong",
        label=_("Người dân được hỗ trợ dùng dịch vụ công trực tuyến"),
        description=_("Tạo tài khoản dịch vụ công và nộp hồ sơ trực tuyến."),
        compute=_helped(HelpKind.DVC_ACCOUNT, HelpKind.ONLINE_SUBMISSION),
    ),
    Indicator(
        code="community.khong_tien_mat",
        label=_("Người dân được hỗ trợ thanh toán không dùng tiền mặt"),
        description=_("Số người được hỗ trợ thanh toán không dùng tiền mặt."),
        compute=_helped(HelpKind.CASHLESS),
    ),
    Indicator(
        code="community.thuong_mai_dien_tu",
        label=_("Hộ được hỗ trợ đưa sản phẩm lên sàn thương mại điện tử"),
        description=_("Số người được hỗ trợ đăng bán trên sàn thương mại điện tử."),
        compute=_helped(HelpKind.ECOMMERCE),
    ),
    Indicator(
        code="community.tap_huan",
        label=_("Người được tập huấn kỹ năng số"),
        description=_(
            "Số người có tên trong danh sách dự các buổi tập huấn kỹ năng số."
        ),
        compute=trained,
    ),
    Indicator(
        code="community.to",
        label=_("Tổ công nghệ số cộng đồng"),
        description=_("Số tổ đang hoạt động vào cuối mỗi ngày."),
        compute=teams,
    ),
    Indicator(
        code="community.thanh_vien",
        label=_("Thành viên tổ công nghệ số cộng đồng"),
        description=_("Số thành viên các tổ vào cuối mỗi ngày."),
        compute=members,
    ),
    Indicator(
        code="community.thon_co_to",
        label=_("Tỷ lệ thôn, tổ dân phố có tổ công nghệ số cộng đồng"),
        description=_(
            "Thôn, tổ dân phố có tổ đang hoạt động trên tổng số thôn, tổ dân phố."
        ),
        compute=villages_covered,
        share=True,
    ),
]


def register_indicators() -> None:
    for indicator in INDICATORS:
        metrics.register(indicator)
