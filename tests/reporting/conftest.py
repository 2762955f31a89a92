"""A small province for reporting: an agency and three communes (one with
a village), an administrator, each commune's reporting officer and leader,
a catalog of indicators, and a quarterly form given to the communes."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from tests import factories
from tinhso.accounts.models import Role, User
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.reporting.constants import (
    Frequency,
    ItemKind,
    OverTime,
    Pillar,
    Rollup,
    Source,
)
from tinhso.reporting.models import Indicator, ReportForm, Round
from tinhso.reporting.services import catalog, forms

# The second quarter of 2026 under Decree 09: 15 March to 14 June.
TODAY = dt.date(2026, 6, 10)


@dataclass
class Province:
    province: OrgUnit
    agency: OrgUnit
    communes: list[OrgUnit]
    village: OrgUnit
    admin: User
    officers: list[User]
    leaders: list[User]
    receiver: User  # the agency's reporting officer, who receives the reports


@pytest.fixture
def place(db: None) -> Province:
    province = factories.province()
    agency = factories.orgunit(
        kind=OrgUnitKind.AGENCY, name="Văn phòng Ủy ban nhân dân tỉnh", parent=province
    )
    communes = [
        factories.orgunit(kind=OrgUnitKind.COMMUNE, name=name, parent=province)
        for name in ("Phường Hà Giang 1", "Xã Đồng Văn", "Xã Lũng Cú")
    ]
    village = factories.orgunit(
        kind=OrgUnitKind.VILLAGE, name="Thôn Lô Lô Chải", parent=communes[2]
    )
    return Province(
        province=province,
        agency=agency,
        communes=communes,
        village=village,
        admin=factories.administrator(province),
        officers=[
            factories.official(unit=c, role=Role.REPORTING_OFFICER, email=f"bc{n}@x.vn")
            for n, c in enumerate(communes)
        ],
        leaders=[factories.official(unit=c, role=Role.LEADER) for c in communes],
        receiver=factories.official(unit=agency, role=Role.REPORTING_OFFICER),
    )


def indicator(admin: User, code: str, **fields: Any) -> Indicator:
    defaults: dict[str, Any] = {
        "name": code,
        "unit_of_measure": "lượt",
        "pillar": Pillar.SOCIETY,
        "source": Source.REPORTED,
        "rollup": Rollup.SUM,
        "over_time": OverTime.FLOW,
    }
    return catalog.save_indicator(admin, Indicator(code=code, **(defaults | fields)))


@pytest.fixture
def catalog_(place: Province) -> dict[str, Indicator]:
    admin = place.admin
    return {
        "share": indicator(
            admin,
            "xh.dinh_danh",
            name="Tỷ lệ người dân kích hoạt định danh điện tử mức 2",
            rollup=Rollup.RATIO,
            over_time=OverTime.STOCK,
            unit_of_measure="%",
        ),
        "help": indicator(admin, "xh.luot_ho_tro", name="Số lượt hỗ trợ"),
        "score": indicator(
            admin,
            "xh.hai_long",
            name="Điểm hài lòng",
            rollup=Rollup.AVERAGE,
            over_time=OverTime.STOCK,
            unit_of_measure="điểm",
        ),
        "received": indicator(
            admin,
            "vb.den",
            name="Văn bản đến",
            source=Source.COMPUTED,
            metric="documents.received",
            pillar=Pillar.GOVERNMENT,
        ),
    }


@pytest.fixture
def form(place: Province, catalog_: dict[str, Indicator]) -> ReportForm:
    admin = place.admin
    made = forms.create_form(
        admin, code="cds-quy", name="Báo cáo chuyển đổi số hằng quý"
    )
    society = forms.add_section(admin, made, "I. Xã hội số")
    forms.add_item(
        admin,
        society,
        key="dinh_danh",
        kind=ItemKind.INDICATOR,
        indicator=catalog_["share"],
    )
    forms.add_item(
        admin,
        society,
        key="ho_tro",
        kind=ItemKind.INDICATOR,
        indicator=catalog_["help"],
    )
    forms.add_item(
        admin,
        society,
        key="ho_tro_vneid",
        kind=ItemKind.NUMBER,
        label="Trong đó: định danh",
    )
    forms.add_item(
        admin, society, key="ho_tro_khac", kind=ItemKind.NUMBER, label="Trong đó: khác"
    )
    forms.add_item(
        admin,
        society,
        key="hai_long",
        kind=ItemKind.INDICATOR,
        indicator=catalog_["score"],
        min_value=Decimal(0),
        max_value=Decimal(10),
    )
    gov = forms.add_section(admin, made, "II. Chính quyền số")
    forms.add_item(
        admin,
        gov,
        key="van_ban_den",
        kind=ItemKind.INDICATOR,
        indicator=catalog_["received"],
        required=False,
    )
    forms.add_item(
        admin,
        gov,
        key="kien_nghi",
        kind=ItemKind.TEXT,
        label="Kiến nghị",
        required=False,
    )
    forms.add_sum_rule(admin, made, "ho_tro", ["ho_tro_vneid", "ho_tro_khac"])
    return made


def schedule(place: Province, form: ReportForm, today: dt.date = TODAY) -> Round:
    from tinhso.reporting.services import reports

    made = forms.schedule_form(
        place.admin,
        form,
        owner=place.agency,
        frequency=Frequency.QUARTERLY,
        units=place.communes,
        starts=dt.date(2026, 3, 15),
    )
    reports.open_due_rounds(today=today, schedules=[made])
    found = made.rounds.get(period_start=dt.date(2026, 3, 15))
    return found


GOOD = {
    "dinh_danh": "812",
    "dinh_danh.total": "1.045",
    "ho_tro": "35",
    "ho_tro_vneid": "21",
    "ho_tro_khac": "14",
    "hai_long": "8,5",
    "kien_nghi": "Cần thêm thiết bị cho tổ công nghệ số.",
}
