"""A province with two agencies, its administrator, and a small catalog."""

from decimal import Decimal
from typing import Any

import pytest

from tests import factories
from tinhso.accounts.models import User
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.dossiers.constants import CopyKind, DurationUnit, FeeKind
from tinhso.dossiers.constants import ProcedureLevel as L
from tinhso.dossiers.constants import ServiceLevel as S
from tinhso.dossiers.services import catalog as services


@pytest.fixture
def province(db: None) -> OrgUnit:
    return factories.province()


@pytest.fixture
def justice(province: OrgUnit) -> OrgUnit:
    return factories.orgunit(
        kind=OrgUnitKind.AGENCY,
        name="Sở Tư pháp tỉnh Tuyên Quang",
        code="000.00.04.H58",
        parent=province,
    )


@pytest.fixture
def admin(province: OrgUnit) -> User:
    return factories.administrator(province, full_name="Lò Văn Quản")


def birth(**over: Any) -> services.ProcedureSpec:
    """Đăng ký khai sinh, commune level, done in one working day."""
    fields: dict[str, Any] = {
        "code": "1.001193",
        "name": "Đăng ký khai sinh",
        "field": "Hộ tịch",
        "level": L.COMMUNE,
        "service_level": S.FULL,
        "processing_days": Decimal(1),
        "legal_basis": "Luật Hộ tịch năm 2014; Nghị định số 123/2015/NĐ-CP",
        "result": "Giấy khai sinh",
        "documents": [
            services.DocumentSpec(
                "Tờ khai đăng ký khai sinh",
                CopyKind.ORIGINAL,
                form_name="Mẫu TP/HT-2020-TKKS",
            ),
            services.DocumentSpec("Giấy chứng sinh", CopyKind.ORIGINAL),
        ],
        "fees": [services.FeeSpec(FeeKind.CHARGE, "Lệ phí đăng ký khai sinh", 0)],
        "steps": [
            services.StepSpec(
                "Tiếp nhận hồ sơ",
                "Bộ phận Một cửa",
                "one_stop_officer",
                Decimal(2),
                DurationUnit.HOURS,
            ),
            services.StepSpec(
                "Thẩm định, ký",
                "Công chức Tư pháp - Hộ tịch",
                "specialist",
                Decimal(6),
                DurationUnit.HOURS,
            ),
        ],
    }
    fields.update(over)
    return services.ProcedureSpec(**fields)


def record_check(justice: OrgUnit, **over: Any) -> services.ProcedureSpec:
    """Cấp Phiếu lý lịch tư pháp, province level at the Department of Justice."""
    fields: dict[str, Any] = {
        "code": "2.001417",
        "name": "Cấp Phiếu lý lịch tư pháp",
        "field": "Lý lịch tư pháp",
        "level": L.PROVINCE,
        "agency": justice,
        "service_level": S.PARTIAL,
        "processing_days": Decimal(10),
        "legal_basis": "Luật Lý lịch tư pháp năm 2009",
        "documents": [
            services.DocumentSpec("Tờ khai yêu cầu cấp Phiếu", CopyKind.ORIGINAL)
        ],
        "fees": [
            services.FeeSpec(FeeKind.FEE, "Phí cung cấp thông tin lý lịch", 200_000)
        ],
    }
    fields.update(over)
    return services.ProcedureSpec(**fields)
