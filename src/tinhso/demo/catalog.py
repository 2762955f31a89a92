"""The demo province's procedure catalog: 36 procedures of the commune and
province levels, with what they need, what they cost and how they run.

Names, documents and legal bases follow the national catalog's wording;
codes, fees and times are believable, not the province's official ones.
Saved through ``dossiers.services.catalog`` as an administrator's import
would be; a procedure already in the catalog is left as it is.
"""

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from tinhso.core.models import OrgUnit
from tinhso.dossiers.constants import CopyKind, DurationUnit, FeeKind
from tinhso.dossiers.constants import ProcedureLevel as L
from tinhso.dossiers.constants import ServiceLevel as S
from tinhso.dossiers.selectors.catalog import procedure_codes
from tinhso.dossiers.services import catalog as services

ORIGINAL, COPY, CERTIFIED, EITHER = (
    CopyKind.ORIGINAL,
    CopyKind.COPY,
    CopyKind.CERTIFIED_COPY,
    CopyKind.ORIGINAL_OR_COPY,
)
FEE, CHARGE = FeeKind.FEE, FeeKind.CHARGE

ID_PAPER = ("Giấy tờ tùy thân có ảnh (căn cước, hộ chiếu) của người nộp", EITHER, "")
CIVIL = "Luật Hộ tịch năm 2014; Nghị định số 123/2015/NĐ-CP; Thông tư số 04/2020/TT-BTP"
CERTIFY = "Nghị định số 23/2015/NĐ-CP; Thông tư số 01/2020/TT-BTP"
SOCIAL = "Luật Người cao tuổi năm 2009; Luật Người khuyết tật năm 2010; Nghị định số 20/2021/NĐ-CP"
HOUSEHOLD = "Luật Doanh nghiệp năm 2020; Nghị định số 01/2021/NĐ-CP"
LAND = "Luật Đất đai năm 2024; Nghị định số 101/2024/NĐ-CP"
COMPANY = "Luật Doanh nghiệp năm 2020; Nghị định số 01/2021/NĐ-CP; Thông tư số 01/2021/TT-BKHĐT"


@dataclass(frozen=True)
class Demo:
    code: str
    name: str
    field: str
    level: str
    service: str
    days: str
    legal: str
    documents: tuple[tuple[str, str, str], ...]
    fees: tuple[tuple[str, str, int], ...] = ()
    result: str = ""
    # The handling unit as the catalog names it, and the agency number
    # (demo.data.AGENCIES) of a province-level procedure.
    unit: str = "Công chức Tư pháp - Hộ tịch"
    agency: str = ""
    # Units of other agencies an inter-agency procedure passes through.
    partners: tuple[str, ...] = ()


def _commune(
    code: str,
    name: str,
    field: str,
    service: str,
    days: str,
    legal: str,
    documents: tuple[tuple[str, str, str], ...],
    **more: Any,
) -> Demo:
    return Demo(code, name, field, L.COMMUNE, service, days, legal, documents, **more)


def _province(
    code: str,
    name: str,
    field: str,
    agency: str,
    service: str,
    days: str,
    legal: str,
    documents: tuple[tuple[str, str, str], ...],
    **more: Any,
) -> Demo:
    more.setdefault("unit", "Phòng chuyên môn")
    return Demo(
        code,
        name,
        field,
        L.PROVINCE,
        service,
        days,
        legal,
        documents,
        agency=agency,
        **more,
    )


PROCEDURES: list[Demo] = [
    _commune(
        "1.001193",
        "Đăng ký khai sinh",
        "Hộ tịch",
        S.FULL,
        "1",
        CIVIL,
        (
            (
                "Tờ khai đăng ký khai sinh",
                ORIGINAL,
                "Tờ khai đăng ký khai sinh (Mẫu TP/HT-2020-TKKS)",
            ),
            (
                "Giấy chứng sinh hoặc văn bản của người làm chứng xác nhận việc sinh",
                ORIGINAL,
                "",
            ),
            ID_PAPER,
        ),
        fees=((CHARGE, "Lệ phí đăng ký khai sinh đúng hạn", 0),),
        result="Giấy khai sinh (bản chính) và bản sao Giấy khai sinh nếu có yêu cầu",
    ),
    _commune(
        "1.000894",
        "Đăng ký kết hôn",
        "Hộ tịch",
        S.PARTIAL,
        "1",
        CIVIL,
        (
            (
                "Tờ khai đăng ký kết hôn",
                ORIGINAL,
                "Tờ khai đăng ký kết hôn (Mẫu TP/HT-2020-TKKH)",
            ),
            ID_PAPER,
            (
                "Giấy xác nhận tình trạng hôn nhân (nếu đăng ký kết hôn ở nơi không cư trú)",
                ORIGINAL,
                "",
            ),
        ),
        fees=((CHARGE, "Lệ phí đăng ký kết hôn", 0),),
        result="Giấy chứng nhận kết hôn (02 bản chính)",
    ),
    _commune(
        "1.000656",
        "Đăng ký khai tử",
        "Hộ tịch",
        S.FULL,
        "1",
        CIVIL,
        (
            (
                "Tờ khai đăng ký khai tử",
                ORIGINAL,
                "Tờ khai đăng ký khai tử (Mẫu TP/HT-2020-TKKT)",
            ),
            ("Giấy báo tử hoặc giấy tờ thay thế Giấy báo tử", ORIGINAL, ""),
            ID_PAPER,
        ),
        fees=((CHARGE, "Lệ phí đăng ký khai tử đúng hạn", 0),),
        result="Trích lục khai tử (bản chính)",
    ),
    _commune(
        "1.004873",
        "Cấp Giấy xác nhận tình trạng hôn nhân",
        "Hộ tịch",
        S.FULL,
        "3",
        CIVIL,
        (
            (
                "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân",
                ORIGINAL,
                "Tờ khai (Mẫu TP/HT-2020-XNHN)",
            ),
            ("Giấy tờ chứng minh đã ly hôn hoặc người kia đã chết (nếu có)", COPY, ""),
            ID_PAPER,
        ),
        fees=((CHARGE, "Lệ phí cấp Giấy xác nhận tình trạng hôn nhân", 10_000),),
        result="Giấy xác nhận tình trạng hôn nhân",
    ),
    _commune(
        "1.004859",
        "Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch",
        "Hộ tịch",
        S.PARTIAL,
        "3",
        CIVIL,
        (
            (
                "Tờ khai đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch",
                ORIGINAL,
                "Tờ khai (Mẫu TP/HT-2020-TKTĐCC)",
            ),
            ("Giấy tờ làm căn cứ cho việc thay đổi, cải chính, bổ sung", CERTIFIED, ""),
            ID_PAPER,
        ),
        fees=((CHARGE, "Lệ phí thay đổi, cải chính hộ tịch", 15_000),),
        result="Trích lục thay đổi, cải chính, bổ sung thông tin hộ tịch",
    ),
    _commune(
        "2.000635",
        "Cấp bản sao Trích lục hộ tịch",
        "Hộ tịch",
        S.FULL,
        "1",
        CIVIL,
        (
            (
                "Tờ khai cấp bản sao trích lục hộ tịch",
                ORIGINAL,
                "Tờ khai (Mẫu TP/HT-2020-BSTL)",
            ),
            ID_PAPER,
        ),
        fees=((FEE, "Phí cấp bản sao trích lục hộ tịch, mỗi bản", 8_000),),
        result="Bản sao trích lục hộ tịch",
    ),
    _commune(
        "1.001022",
        "Đăng ký nhận cha, mẹ, con",
        "Hộ tịch",
        S.PARTIAL,
        "3",
        CIVIL,
        (
            (
                "Tờ khai đăng ký nhận cha, mẹ, con",
                ORIGINAL,
                "Tờ khai (Mẫu TP/HT-2020-CMC)",
            ),
            (
                "Chứng cứ chứng minh quan hệ cha, mẹ, con (văn bản giám định ADN hoặc giấy tờ khác)",
                EITHER,
                "",
            ),
            ID_PAPER,
        ),
        fees=((CHARGE, "Lệ phí đăng ký nhận cha, mẹ, con", 15_000),),
        result="Trích lục đăng ký nhận cha, mẹ, con",
    ),
    _commune(
        "1.004837",
        "Đăng ký giám hộ",
        "Hộ tịch",
        S.PARTIAL,
        "3",
        CIVIL,
        (
            ("Tờ khai đăng ký giám hộ", ORIGINAL, "Tờ khai (Mẫu TP/HT-2020-GH)"),
            ("Văn bản cử người giám hộ", ORIGINAL, ""),
            ID_PAPER,
        ),
        fees=((CHARGE, "Lệ phí đăng ký giám hộ", 15_000),),
        result="Trích lục đăng ký giám hộ",
    ),
    _commune(
        "1.003583",
        "Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
        "Hộ tịch",
        S.FULL,
        "3",
        CIVIL + "; Luật Cư trú năm 2020; Luật Bảo hiểm y tế năm 2008",
        (
            (
                "Tờ khai đăng ký khai sinh",
                ORIGINAL,
                "Tờ khai đăng ký khai sinh (Mẫu TP/HT-2020-TKKS)",
            ),
            ("Giấy chứng sinh", ORIGINAL, ""),
            ("Tờ khai thay đổi thông tin cư trú", ORIGINAL, "Mẫu CT01"),
            ("Tờ khai tham gia bảo hiểm y tế", ORIGINAL, "Mẫu TK1-TS"),
        ),
        fees=((CHARGE, "Lệ phí đăng ký khai sinh, thường trú", 0),),
        result="Giấy khai sinh; thông tin thường trú trên Cơ sở dữ liệu quốc gia về dân cư; thẻ bảo hiểm y tế",
        partners=("Công an xã", "Bảo hiểm xã hội cơ sở"),
    ),
    _commune(
        "2.000908",
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp",
        "Chứng thực",
        S.PARTIAL,
        "0.5",
        CERTIFY,
        (
            ("Bản chính giấy tờ, văn bản cần chứng thực bản sao", ORIGINAL, ""),
            ("Bản sao cần chứng thực (nếu người yêu cầu tự mang)", COPY, ""),
        ),
        fees=((FEE, "Phí chứng thực bản sao, mỗi trang", 2_000),),
        unit="Công chức Tư pháp - Hộ tịch",
        result="Bản sao được chứng thực từ bản chính",
    ),
    _commune(
        "2.000884",
        "Chứng thực chữ ký trong các giấy tờ, văn bản",
        "Chứng thực",
        S.NONE,
        "0.5",
        CERTIFY,
        (
            ID_PAPER,
            ("Giấy tờ, văn bản mà mình sẽ ký", ORIGINAL, ""),
        ),
        fees=((FEE, "Phí chứng thực chữ ký, mỗi trường hợp", 10_000),),
        result="Giấy tờ, văn bản được chứng thực chữ ký",
    ),
    _commune(
        "2.001035",
        "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản",
        "Chứng thực",
        S.NONE,
        "2",
        CERTIFY,
        (
            ("Dự thảo hợp đồng, giao dịch", ORIGINAL, ""),
            ID_PAPER,
            ("Giấy tờ chứng minh quyền sở hữu, quyền sử dụng tài sản", COPY, ""),
        ),
        fees=((FEE, "Phí chứng thực hợp đồng, giao dịch", 50_000),),
        result="Hợp đồng, giao dịch được chứng thực",
    ),
    _commune(
        "2.000815",
        "Chứng thực việc sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch",
        "Chứng thực",
        S.NONE,
        "2",
        CERTIFY,
        (
            ("Dự thảo hợp đồng, giao dịch sửa đổi, bổ sung, hủy bỏ", ORIGINAL, ""),
            ("Hợp đồng, giao dịch đã được chứng thực", ORIGINAL, ""),
            ID_PAPER,
        ),
        fees=((FEE, "Phí chứng thực sửa đổi, bổ sung, hủy bỏ hợp đồng", 30_000),),
        result="Văn bản sửa đổi, bổ sung, hủy bỏ được chứng thực",
    ),
    _commune(
        "1.001776",
        "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng",
        "Bảo trợ xã hội",
        S.PARTIAL,
        "15",
        SOCIAL,
        (
            (
                "Tờ khai đề nghị trợ giúp xã hội",
                ORIGINAL,
                "Mẫu số 1a, 1b, 1c, 1d, 1đ (Nghị định 20/2021/NĐ-CP)",
            ),
            ("Giấy xác nhận khuyết tật (đối với người khuyết tật)", COPY, ""),
        ),
        unit="Công chức Văn hóa - Xã hội",
        result="Quyết định trợ cấp xã hội hằng tháng",
    ),
    _commune(
        "2.000286",
        "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội",
        "Bảo trợ xã hội",
        S.PARTIAL,
        "3",
        SOCIAL,
        (
            (
                "Tờ khai đề nghị hỗ trợ chi phí mai táng",
                ORIGINAL,
                "Mẫu số 04 (Nghị định 20/2021/NĐ-CP)",
            ),
            ("Giấy báo tử hoặc trích lục khai tử", COPY, ""),
        ),
        unit="Công chức Văn hóa - Xã hội",
        result="Quyết định hỗ trợ chi phí mai táng",
    ),
    _commune(
        "1.001758",
        "Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận khuyết tật",
        "Bảo trợ xã hội",
        S.PARTIAL,
        "25",
        "Luật Người khuyết tật năm 2010; Nghị định số 28/2012/NĐ-CP; Thông tư số 01/2019/TT-BLĐTBXH",
        (
            (
                "Đơn đề nghị xác định mức độ khuyết tật",
                ORIGINAL,
                "Mẫu số 01 (Thông tư 01/2019/TT-BLĐTBXH)",
            ),
            ("Bản sao các giấy tờ y tế chứng minh về khuyết tật (nếu có)", COPY, ""),
        ),
        unit="Hội đồng xác định mức độ khuyết tật",
        result="Giấy xác nhận khuyết tật",
    ),
    _commune(
        "2.000720",
        "Đăng ký thành lập hộ kinh doanh",
        "Thành lập và hoạt động của hộ kinh doanh",
        S.FULL,
        "3",
        HOUSEHOLD,
        (
            (
                "Giấy đề nghị đăng ký hộ kinh doanh",
                ORIGINAL,
                "Phụ lục III-1 (Thông tư 01/2021/TT-BKHĐT)",
            ),
            (
                "Biên bản họp thành viên hộ gia đình (khi các thành viên cùng thành lập)",
                COPY,
                "",
            ),
            ID_PAPER,
        ),
        fees=((CHARGE, "Lệ phí đăng ký hộ kinh doanh", 100_000),),
        unit="Công chức Tài chính - Kế hoạch",
        result="Giấy chứng nhận đăng ký hộ kinh doanh",
    ),
    _commune(
        "2.000575",
        "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
        "Thành lập và hoạt động của hộ kinh doanh",
        S.FULL,
        "3",
        HOUSEHOLD,
        (
            (
                "Thông báo thay đổi nội dung đăng ký hộ kinh doanh",
                ORIGINAL,
                "Phụ lục III-2 (Thông tư 01/2021/TT-BKHĐT)",
            ),
            ("Giấy chứng nhận đăng ký hộ kinh doanh đã cấp", ORIGINAL, ""),
        ),
        fees=((CHARGE, "Lệ phí đăng ký thay đổi hộ kinh doanh", 50_000),),
        unit="Công chức Tài chính - Kế hoạch",
        result="Giấy chứng nhận đăng ký hộ kinh doanh (thay đổi)",
    ),
    _commune(
        "1.001612",
        "Tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn đã thông báo của hộ kinh doanh",
        "Thành lập và hoạt động của hộ kinh doanh",
        S.FULL,
        "3",
        HOUSEHOLD,
        (
            (
                "Thông báo tạm ngừng hoặc tiếp tục kinh doanh",
                ORIGINAL,
                "Phụ lục III-3 (Thông tư 01/2021/TT-BKHĐT)",
            ),
        ),
        unit="Công chức Tài chính - Kế hoạch",
        result="Giấy xác nhận về việc hộ kinh doanh đăng ký tạm ngừng kinh doanh",
    ),
    _commune(
        "1.012756",
        "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
        "Đất đai",
        S.PARTIAL,
        "10",
        LAND,
        (
            (
                "Đơn đăng ký biến động đất đai, tài sản gắn liền với đất",
                ORIGINAL,
                "Mẫu số 11/ĐK (Nghị định 101/2024/NĐ-CP)",
            ),
            ("Giấy chứng nhận đã cấp", ORIGINAL, ""),
            ("Hợp đồng, văn bản về việc chuyển quyền sử dụng đất", ORIGINAL, ""),
        ),
        fees=((CHARGE, "Lệ phí cấp Giấy chứng nhận (biến động)", 28_000),),
        unit="Công chức Nông nghiệp - Môi trường",
        partners=("Văn phòng đăng ký đất đai", "Cơ quan thuế"),
        result="Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
    ),
    _commune(
        "1.012757",
        "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất lần đầu",
        "Đất đai",
        S.PARTIAL,
        "20",
        LAND,
        (
            (
                "Đơn đăng ký đất đai, tài sản gắn liền với đất",
                ORIGINAL,
                "Mẫu số 04/ĐK (Nghị định 101/2024/NĐ-CP)",
            ),
            ("Giấy tờ về quyền sử dụng đất (nếu có)", CERTIFIED, ""),
            ("Mảnh trích đo bản đồ địa chính (nếu có)", ORIGINAL, ""),
        ),
        fees=((CHARGE, "Lệ phí cấp Giấy chứng nhận lần đầu", 100_000),),
        unit="Công chức Nông nghiệp - Môi trường",
        partners=("Văn phòng đăng ký đất đai",),
        result="Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
    ),
    _commune(
        "2.000346",
        "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân cấp xã về thực hiện nhiệm vụ chính trị",
        "Thi đua, khen thưởng",
        S.NONE,
        "20",
        "Luật Thi đua, khen thưởng năm 2022; Nghị định số 98/2023/NĐ-CP",
        (
            ("Tờ trình đề nghị khen thưởng", ORIGINAL, ""),
            (
                "Báo cáo thành tích của tập thể, cá nhân",
                ORIGINAL,
                "Mẫu số 01, 02 (Nghị định 98/2023/NĐ-CP)",
            ),
        ),
        unit="Công chức Văn phòng - Thống kê",
        result="Quyết định khen thưởng và Giấy khen",
    ),
    _commune(
        "1.005462",
        "Xác nhận thông tin hộ tịch",
        "Hộ tịch",
        S.FULL,
        "3",
        CIVIL,
        (
            (
                "Tờ khai đề nghị xác nhận thông tin hộ tịch",
                ORIGINAL,
                "Tờ khai (Mẫu TP/HT-2020-XNTTHT)",
            ),
            ID_PAPER,
        ),
        fees=((CHARGE, "Lệ phí xác nhận thông tin hộ tịch", 15_000),),
        result="Văn bản xác nhận thông tin hộ tịch",
    ),
    # Province level: one agency each.
    _province(
        "2.001417",
        "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
        "Lý lịch tư pháp",
        "04",
        S.FULL,
        "10",
        "Luật Lý lịch tư pháp năm 2009; Nghị định số 111/2010/NĐ-CP; Thông tư số 244/2016/TT-BTC",
        (
            (
                "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
                ORIGINAL,
                "Mẫu số 03/2013/TT-LLTP",
            ),
            ID_PAPER,
        ),
        fees=((FEE, "Phí cung cấp thông tin lý lịch tư pháp", 200_000),),
        unit="Phòng Hành chính tư pháp",
        partners=("Công an tỉnh",),
        result="Phiếu lý lịch tư pháp số 1 hoặc số 2",
    ),
    _province(
        "1.001756",
        "Đăng ký hoạt động Văn phòng công chứng",
        "Công chứng",
        "04",
        S.PARTIAL,
        "10",
        "Luật Công chứng năm 2024; Nghị định số 104/2025/NĐ-CP",
        (
            ("Đơn đề nghị đăng ký hoạt động", ORIGINAL, "Mẫu TP-CC-08"),
            ("Quyết định cho phép thành lập Văn phòng công chứng", CERTIFIED, ""),
            ("Giấy tờ chứng minh trụ sở", CERTIFIED, ""),
        ),
        fees=((CHARGE, "Lệ phí đăng ký hoạt động Văn phòng công chứng", 1_000_000),),
        unit="Phòng Bổ trợ tư pháp",
        result="Giấy đăng ký hoạt động Văn phòng công chứng",
    ),
    _province(
        "1.009972",
        "Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt, cấp I, cấp II",
        "Hoạt động xây dựng",
        "05",
        S.PARTIAL,
        "20",
        "Luật Xây dựng năm 2014, sửa đổi năm 2020; Nghị định số 175/2024/NĐ-CP",
        (
            (
                "Đơn đề nghị cấp giấy phép xây dựng",
                ORIGINAL,
                "Mẫu số 01 Phụ lục II (Nghị định 175/2024/NĐ-CP)",
            ),
            ("Giấy tờ chứng minh quyền sử dụng đất", CERTIFIED, ""),
            ("Bản vẽ thiết kế xây dựng (02 bộ)", ORIGINAL, ""),
            ("Văn bản thẩm định thiết kế của cơ quan chuyên môn về xây dựng", COPY, ""),
        ),
        fees=((CHARGE, "Lệ phí cấp giấy phép xây dựng công trình", 150_000),),
        unit="Phòng Quản lý xây dựng",
        result="Giấy phép xây dựng",
    ),
    _province(
        "1.009984",
        "Cấp chứng chỉ hành nghề hoạt động xây dựng hạng II, hạng III",
        "Hoạt động xây dựng",
        "05",
        S.FULL,
        "20",
        "Luật Xây dựng năm 2014, sửa đổi năm 2020; Nghị định số 175/2024/NĐ-CP; Thông tư số 38/2022/TT-BTC",
        (
            (
                "Đơn đề nghị cấp chứng chỉ hành nghề",
                ORIGINAL,
                "Mẫu số 01 Phụ lục IV (Nghị định 175/2024/NĐ-CP)",
            ),
            ("Văn bằng do cơ sở đào tạo hợp pháp cấp", CERTIFIED, ""),
            ("Ảnh màu cỡ 4x6 cm", ORIGINAL, ""),
        ),
        fees=((FEE, "Phí thẩm định cấp chứng chỉ hành nghề", 150_000),),
        unit="Phòng Quản lý xây dựng",
        result="Chứng chỉ hành nghề hoạt động xây dựng",
    ),
    _province(
        "2.001610",
        "Đăng ký thành lập công ty trách nhiệm hữu hạn hai thành viên trở lên",
        "Thành lập và hoạt động của doanh nghiệp",
        "03",
        S.FULL,
        "3",
        COMPANY,
        (
            (
                "Giấy đề nghị đăng ký doanh nghiệp",
                ORIGINAL,
                "Phụ lục I-3 (Thông tư 01/2021/TT-BKHĐT)",
            ),
            ("Điều lệ công ty", ORIGINAL, ""),
            ("Danh sách thành viên", ORIGINAL, "Phụ lục I-6"),
            ("Giấy tờ pháp lý của cá nhân, tổ chức là thành viên", COPY, ""),
        ),
        fees=(
            (CHARGE, "Lệ phí đăng ký doanh nghiệp", 50_000),
            (FEE, "Phí công bố nội dung đăng ký doanh nghiệp", 100_000),
        ),
        unit="Phòng Đăng ký kinh doanh",
        result="Giấy chứng nhận đăng ký doanh nghiệp",
    ),
    _province(
        "2.002040",
        "Đăng ký thay đổi địa chỉ trụ sở chính của doanh nghiệp",
        "Thành lập và hoạt động của doanh nghiệp",
        "03",
        S.FULL,
        "3",
        COMPANY,
        (
            (
                "Thông báo thay đổi nội dung đăng ký doanh nghiệp",
                ORIGINAL,
                "Phụ lục II-1 (Thông tư 01/2021/TT-BKHĐT)",
            ),
            ("Nghị quyết, quyết định về việc thay đổi địa chỉ trụ sở chính", COPY, ""),
        ),
        fees=(
            (CHARGE, "Lệ phí đăng ký thay đổi", 50_000),
            (FEE, "Phí công bố nội dung thay đổi", 100_000),
        ),
        unit="Phòng Đăng ký kinh doanh",
        result="Giấy chứng nhận đăng ký doanh nghiệp (thay đổi)",
    ),
    _province(
        "1.001827",
        "Cấp mới giấy phép hành nghề khám bệnh, chữa bệnh",
        "Khám bệnh, chữa bệnh",
        "08",
        S.PARTIAL,
        "20",
        "Luật Khám bệnh, chữa bệnh năm 2023; Nghị định số 96/2023/NĐ-CP; Thông tư số 59/2023/TT-BTC",
        (
            (
                "Đơn đề nghị cấp mới giấy phép hành nghề",
                ORIGINAL,
                "Mẫu 01 Phụ lục I (Nghị định 96/2023/NĐ-CP)",
            ),
            ("Văn bằng chuyên môn", CERTIFIED, ""),
            ("Giấy chứng nhận đủ sức khỏe hành nghề", ORIGINAL, ""),
            ("Giấy xác nhận quá trình thực hành", ORIGINAL, ""),
        ),
        fees=((FEE, "Phí thẩm định cấp giấy phép hành nghề", 360_000),),
        unit="Phòng Nghiệp vụ Y",
        result="Giấy phép hành nghề khám bệnh, chữa bệnh",
    ),
    _province(
        "1.002425",
        "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
        "An toàn thực phẩm",
        "08",
        S.PARTIAL,
        "20",
        "Luật An toàn thực phẩm năm 2010; Nghị định số 15/2018/NĐ-CP; Thông tư số 67/2021/TT-BTC",
        (
            (
                "Đơn đề nghị cấp Giấy chứng nhận",
                ORIGINAL,
                "Mẫu số 01 (Thông tư 43/2018/TT-BCT)",
            ),
            ("Bản thuyết minh về cơ sở vật chất, trang thiết bị", ORIGINAL, ""),
            (
                "Giấy xác nhận đủ sức khỏe của chủ cơ sở và người trực tiếp sản xuất",
                COPY,
                "",
            ),
        ),
        fees=((FEE, "Phí thẩm định cơ sở sản xuất thực phẩm", 500_000),),
        unit="Chi cục An toàn vệ sinh thực phẩm",
        result="Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
    ),
    _province(
        "2.001914",
        "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc",
        "Hệ thống văn bằng, chứng chỉ",
        "09",
        S.FULL,
        "3",
        "Nghị định số 23/2015/NĐ-CP; Thông tư số 21/2019/TT-BGDĐT",
        (
            ("Đơn đề nghị cấp bản sao văn bằng, chứng chỉ từ sổ gốc", ORIGINAL, ""),
            ID_PAPER,
        ),
        unit="Phòng Quản lý chất lượng",
        result="Bản sao văn bằng, chứng chỉ từ sổ gốc",
    ),
    _province(
        "2.000633",
        "Cấp Giấy phép sản xuất rượu thủ công nhằm mục đích kinh doanh",
        "Lưu thông hàng hóa trong nước",
        "11",
        S.PARTIAL,
        "10",
        "Luật Phòng, chống tác hại của rượu, bia năm 2019; Nghị định số 105/2017/NĐ-CP",
        (
            (
                "Đơn đề nghị cấp Giấy phép sản xuất rượu thủ công",
                ORIGINAL,
                "Mẫu số 01 (Nghị định 105/2017/NĐ-CP)",
            ),
            ("Giấy chứng nhận đăng ký doanh nghiệp hoặc hộ kinh doanh", COPY, ""),
            ("Bản công bố sản phẩm rượu", COPY, ""),
        ),
        fees=((FEE, "Phí thẩm định điều kiện kinh doanh", 1_200_000),),
        unit="Phòng Quản lý thương mại",
        result="Giấy phép sản xuất rượu thủ công nhằm mục đích kinh doanh",
    ),
    _province(
        "1.001029",
        "Cấp Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke",
        "Văn hóa",
        "10",
        S.PARTIAL,
        "5",
        "Nghị định số 54/2019/NĐ-CP; Thông tư số 01/2021/TT-BTC",
        (
            (
                "Đơn đề nghị cấp giấy phép",
                ORIGINAL,
                "Mẫu số 01 (Nghị định 54/2019/NĐ-CP)",
            ),
            ("Giấy chứng nhận đủ điều kiện về phòng cháy và chữa cháy", COPY, ""),
        ),
        fees=((FEE, "Phí thẩm định cấp giấy phép kinh doanh karaoke", 4_000_000),),
        unit="Phòng Quản lý văn hóa",
        result="Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke",
    ),
    _province(
        "1.010727",
        "Cấp giấy phép môi trường thuộc thẩm quyền của Ủy ban nhân dân cấp tỉnh",
        "Môi trường",
        "06",
        S.PARTIAL,
        "30",
        "Luật Bảo vệ môi trường năm 2020; Nghị định số 08/2022/NĐ-CP",
        (
            (
                "Văn bản đề nghị cấp giấy phép môi trường",
                ORIGINAL,
                "Mẫu số 01 Phụ lục XIII (Nghị định 08/2022/NĐ-CP)",
            ),
            ("Báo cáo đề xuất cấp giấy phép môi trường", ORIGINAL, ""),
        ),
        fees=((FEE, "Phí thẩm định cấp giấy phép môi trường", 15_000_000),),
        unit="Chi cục Bảo vệ môi trường",
        result="Giấy phép môi trường",
    ),
    _province(
        "1.000459",
        "Cấp giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam",
        "Việc làm",
        "02",
        S.FULL,
        "10",
        "Bộ luật Lao động năm 2019; Nghị định số 152/2020/NĐ-CP; Nghị định số 70/2023/NĐ-CP",
        (
            ("Văn bản đề nghị cấp giấy phép lao động", ORIGINAL, "Mẫu số 11/PLI"),
            ("Giấy chứng nhận sức khỏe", ORIGINAL, ""),
            ("Phiếu lý lịch tư pháp", ORIGINAL, ""),
            ("Hộ chiếu", CERTIFIED, ""),
        ),
        fees=((CHARGE, "Lệ phí cấp giấy phép lao động", 600_000),),
        unit="Phòng Lao động - Việc làm",
        result="Giấy phép lao động",
    ),
]


def steps(demo: Demo) -> list[services.StepSpec]:
    """Receive, handle (with partners), sign, return: adding up to the time."""
    days = Decimal(demo.days)
    one_stop, handler = "Bộ phận Một cửa", demo.unit
    leader = (
        "Lãnh đạo cơ quan"
        if demo.level == L.PROVINCE
        else "Lãnh đạo Ủy ban nhân dân xã"
    )
    if days <= 1:
        unit, total = DurationUnit.HOURS, days * 8
        receive, sign, give = Decimal("0.5"), Decimal(1), Decimal("0.5")
    else:
        unit, total = DurationUnit.DAYS, days
        receive = sign = give = Decimal("0.5")
    work = total - receive - sign - give
    half = Decimal("0.5")
    # Each partner gets an equal share rounded down to a half; the agency's
    # own handler the rest, so the steps add up to the procedure's time.
    each = max(
        half,
        (work / (len(demo.partners) + 1) / half).to_integral_value(ROUND_FLOOR) * half,
    )
    plan = [
        services.StepSpec(
            "Tiếp nhận, kiểm tra hồ sơ", one_stop, "one_stop_officer", receive, unit
        )
    ]
    plan.append(
        services.StepSpec(
            "Thẩm định, giải quyết hồ sơ",
            handler,
            "specialist",
            work - each * len(demo.partners),
            unit,
        )
    )
    plan += [
        services.StepSpec(
            "Phối hợp giải quyết (liên thông)",
            partner,
            "specialist",
            each,
            unit,
            inter_agency=True,
        )
        for partner in demo.partners
    ]
    plan.append(
        services.StepSpec("Ký, phê duyệt kết quả", leader, "leader", sign, unit)
    )
    plan.append(
        services.StepSpec("Trả kết quả", one_stop, "one_stop_officer", give, unit)
    )
    return plan


def load_catalog(units: dict[str, OrgUnit]) -> int:
    """Save the demo procedures not yet in the catalog; how many were new."""
    known = procedure_codes()
    made = 0
    for demo in PROCEDURES:
        if demo.code in known:
            continue
        services.save_procedure(
            services.ProcedureSpec(
                code=demo.code,
                name=demo.name,
                field=demo.field,
                level=demo.level,
                agency=units[demo.agency] if demo.agency else None,
                service_level=demo.service,
                processing_days=Decimal(demo.days),
                legal_basis=demo.legal,
                result=demo.result,
                documents=[
                    # "… (nếu có)" and "… (nếu …)" are asked for only when they apply.
                    services.DocumentSpec(
                        name, kind, required="(nếu" not in name, form_name=form
                    )
                    for name, kind, form in demo.documents
                ],
                fees=[services.FeeSpec(k, d, a) for k, d, a in demo.fees],
                steps=steps(demo),
            )
        )
        made += 1
    return made
