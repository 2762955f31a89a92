"""The demo's data-sharing platform and open data: the province's shared
services published by the digital transformation office, a client system
granted two of them, and open datasets built from the demo's own org tree
and catalog (an uploaded table and live views)."""

import csv
import io

from tinhso.accounts.models import User
from tinhso.core import selectors as core_selectors
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.datahub import opendata, services
from tinhso.datahub.constants import (
    Classification,
    Frequency,
    ServiceStatus,
    Theme,
)
from tinhso.datahub.models import Client, DataService, Dataset

SERVICES = [
    (
        "danh-muc-don-vi",
        "orgunits",
        Classification.PUBLIC,
        "Danh mục cơ quan, đơn vị hành chính",
        "Cây tổ chức của tỉnh: sở, ngành, xã, phường và thôn, tổ dân phố, với mã định danh.",
    ),
    (
        "danh-muc-thu-tuc",
        "procedures",
        Classification.PUBLIC,
        "Danh mục thủ tục hành chính",
        "Thủ tục hành chính đang công khai của tỉnh, để cổng và ứng dụng khác hiển thị.",
    ),
    (
        "thong-ke-mot-cua",
        "dossier_statistics",
        Classification.SHARED,
        "Số liệu giải quyết hồ sơ một cửa",
        "Hồ sơ tiếp nhận, giải quyết đúng hạn, trễ hạn theo đơn vị, cho hệ thống báo cáo.",
    ),
    (
        "xac-thuc-cong-dan",
        "population",
        Classification.RESTRICTED,
        "Xác thực thông tin công dân",
        "Đối chiếu số định danh, họ tên, ngày sinh với CSDL quốc gia về dân cư "
        "(bản mô phỏng trong bản thử).",
    ),
]
CLIENT = ("ioc-tinh", "Hệ thống Trung tâm điều hành thông minh (IOC) tỉnh")


def _villages_csv(province: OrgUnit) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ma_thon", "ten_thon", "loai", "ma_xa", "ten_xa"])
    villages = (
        core_selectors.subtree(province)
        .filter(kind=OrgUnitKind.VILLAGE)
        .select_related("parent")
        .order_by("code")
    )
    for v in villages:
        assert v.parent is not None
        writer.writerow([v.code, v.name, v.division_type, v.parent.code, v.parent.name])
    return out.getvalue().encode()


def load_datahub(officer: User, owner: OrgUnit, province: OrgUnit) -> dict[str, int]:
    """Make what is missing, as ``officer`` (a data officer of ``owner``)."""
    made = {"services": 0, "clients": 0, "datasets": 0}
    for code, source, classification, name, description in SERVICES:
        service = DataService.objects.filter(code=code).first()
        if service is None:
            service = services.create_service(
                officer,
                code=code,
                name=name,
                description=description,
                owner=owner,
                classification=classification,
                source=source,
            )
            made["services"] += 1
        if service.status == ServiceStatus.DRAFT:
            services.publish_service(officer, service)
    client = Client.objects.filter(code=CLIENT[0]).first()
    if client is None:
        client = services.register_client(
            officer,
            code=CLIENT[0],
            name=CLIENT[1],
            unit=owner,
            description="Lấy số liệu và danh mục dùng chung cho bảng điều hành của lãnh đạo tỉnh.",
            contact_name=officer.full_name,
            contact_email=officer.email,
        )
        for code in ("danh-muc-don-vi", "thong-ke-mot-cua"):
            services.grant_access(
                officer,
                client=client,
                service=DataService.objects.get(code=code),
                purpose="Hiển thị số liệu điều hành trên bảng điều khiển IOC "
                "(Kế hoạch chuyển đổi số của tỉnh).",
                daily_quota=10_000,
            )
        made["clients"] += 1

    # "tỉnh Tuyên Quang", as it reads after another noun.
    place = province.name[:1].lower() + province.name[1:]
    if not Dataset.objects.filter(name="thon-to-dan-pho").exists():
        villages = opendata.create_dataset(
            officer,
            publisher=owner,
            name="thon-to-dan-pho",
            title=f"Danh sách thôn, tổ dân phố {place}",
            description=(
                "Thôn, bản, tổ dân phố của các xã, phường trong tỉnh, với mã và xã, "
                "phường trực thuộc. Trích từ cây tổ chức của nền tảng."
            ),
            theme=Theme.REGI,
            frequency=Frequency.IRREG,
            keywords=["thôn", "tổ dân phố", "đơn vị hành chính"],
            spatial=province,
        )
        opendata.add_file(
            officer,
            villages,
            stream=io.BytesIO(_villages_csv(province)),
            filename="thon-to-dan-pho.csv",
            name="Danh sách thôn, tổ dân phố (CSV)",
        )
        opendata.publish_dataset(officer, villages)
        made["datasets"] += 1
    if not Dataset.objects.filter(name="don-vi-hanh-chinh-cap-xa").exists():
        communes = opendata.create_dataset(
            officer,
            publisher=owner,
            name="don-vi-hanh-chinh-cap-xa",
            title=f"Đơn vị hành chính cấp xã {place}",
            description=(
                "Xã, phường, đặc khu của tỉnh theo mô hình chính quyền địa phương hai "
                "cấp từ ngày 01/7/2025, đọc trực tiếp từ cây tổ chức."
            ),
            theme=Theme.GOVE,
            frequency=Frequency.DAILY,
            keywords=["xã", "phường", "đơn vị hành chính"],
            spatial=province,
        )
        opendata.add_live_view(
            officer,
            communes,
            provider="orgunits",
            params={"kind": OrgUnitKind.COMMUNE},
            name="Xã, phường, đặc khu (trực tuyến)",
        )
        opendata.publish_dataset(officer, communes)
        made["datasets"] += 1
    if not Dataset.objects.filter(name="thu-tuc-hanh-chinh").exists():
        procedures = opendata.create_dataset(
            officer,
            publisher=owner,
            name="thu-tuc-hanh-chinh",
            title=f"Thủ tục hành chính {place}",
            description="Các thủ tục hành chính đang công khai, mức độ dịch vụ công trực tuyến và thời hạn giải quyết.",
            theme=Theme.GOVE,
            frequency=Frequency.DAILY,
            keywords=["thủ tục hành chính", "dịch vụ công"],
            spatial=province,
        )
        opendata.add_live_view(officer, procedures, provider="procedures")
        opendata.publish_dataset(officer, procedures)
        made["datasets"] += 1
    return made
