"""Believable Vietnamese incoming documents and search queries for the bench.

Everything is drawn from a seeded ``random.Random``, so the same seed gives
the same corpus and the same queries. Place names are the province's real
communes (current and former, from the ``vietnam-provinces`` package);
agencies, people, villages, numbers and amounts are made up but shaped like
the real ones (Decree 30/2020/NĐ-CP number and symbol, subject, signer).
"""

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass

from vietnam_provinces import Province, ProvinceCode, Ward
from vietnam_provinces.legacy import District as LegacyDistrict
from vietnam_provinces.legacy import Ward as LegacyWard

from tinhso.documents.constants import ABBREVIATIONS, DocumentType, Secrecy, Urgency

PROVINCE_CODE = 8
PROVINCE = "tỉnh Tuyên Quang"

# (issuing body, its part of a symbol, weight): who sends a province's
# agencies their documents, most often the province's own People's Committee.
ISSUERS: list[tuple[str, str, float]] = [
    ("Ủy ban nhân dân tỉnh Tuyên Quang", "UBND", 30),
    ("Văn phòng Ủy ban nhân dân tỉnh Tuyên Quang", "VPUBND", 8),
    ("Hội đồng nhân dân tỉnh Tuyên Quang", "HĐND", 3),
    ("Sở Nội vụ tỉnh Tuyên Quang", "SNV", 5),
    ("Sở Tài chính tỉnh Tuyên Quang", "STC", 6),
    ("Sở Tư pháp tỉnh Tuyên Quang", "STP", 2),
    ("Sở Xây dựng tỉnh Tuyên Quang", "SXD", 3),
    ("Sở Nông nghiệp và Môi trường tỉnh Tuyên Quang", "SNNMT", 4),
    ("Sở Khoa học và Công nghệ tỉnh Tuyên Quang", "SKHCN", 3),
    ("Sở Y tế tỉnh Tuyên Quang", "SYT", 3),
    ("Sở Giáo dục và Đào tạo tỉnh Tuyên Quang", "SGDĐT", 3),
    ("Sở Văn hóa, Thể thao và Du lịch tỉnh Tuyên Quang", "SVHTTDL", 2),
    ("Sở Công Thương tỉnh Tuyên Quang", "SCT", 2),
    ("Thanh tra tỉnh Tuyên Quang", "TTT", 1),
    ("Công an tỉnh Tuyên Quang", "CAT", 2),
    ("Bộ Chỉ huy quân sự tỉnh Tuyên Quang", "BCH", 1),
    ("Bảo hiểm xã hội tỉnh Tuyên Quang", "BHXH", 1),
    ("Kho bạc Nhà nước khu vực VIII", "KBNN", 1),
    ("Văn phòng Chính phủ", "VPCP", 2),
    ("Thủ tướng Chính phủ", "TTg", 1),
    ("Bộ Nội vụ", "BNV", 1),
    ("Bộ Tài chính", "BTC", 1),
    ("Bộ Khoa học và Công nghệ", "BKHCN", 1),
    ("Bộ Y tế", "BYT", 0.7),
    ("Bộ Giáo dục và Đào tạo", "BGDĐT", 0.7),
    ("Bộ Nông nghiệp và Môi trường", "BNNMT", 0.7),
    ("Bộ Công an", "BCA", 0.4),
    ("Bộ Xây dựng", "BXD", 0.4),
]
# Every commune's People's Committee also writes, a little each.
COMMUNE_ISSUER_WEIGHT = 0.15

# About how many of each type a busy issuer (weight 10 and up) numbers a year.
YEARLY_NUMBERS: dict[str, int] = {
    DocumentType.OFFICIAL_LETTER: 6000,
    DocumentType.DECISION: 3000,
    DocumentType.REPORT: 900,
    DocumentType.NOTICE: 900,
    DocumentType.PLAN: 600,
    DocumentType.INVITATION: 500,
}

# Drafting units in a công văn symbol ("123/UBND-KGVX").
DRAFTING_UNITS = [
    "VP",
    "TH",
    "KT",
    "NC",
    "KGVX",
    "TCBC",
    "QLNS",
    "HCTC",
    "KHTC",
    "NV",
    "VX",
    "CĐS",
    "QLĐĐ",
    "TTra",
]

TYPE_WEIGHTS: dict[str, float] = {
    DocumentType.OFFICIAL_LETTER: 40,
    DocumentType.DECISION: 14,
    DocumentType.REPORT: 8,
    DocumentType.NOTICE: 8,
    DocumentType.PLAN: 7,
    DocumentType.INVITATION: 6,
    DocumentType.SUBMISSION: 3,
    DocumentType.GUIDANCE: 2,
    DocumentType.MINUTES: 2,
    DocumentType.TELEGRAM: 1,
    DocumentType.PROGRAMME: 1,
    DocumentType.RESOLUTION: 1,
    DocumentType.DIRECTIVE: 1,
    DocumentType.SCHEME: 0.5,
    DocumentType.REGULATION: 0.5,
    DocumentType.RULES: 0.5,
    DocumentType.CONTRACT: 0.4,
}
for _type in DocumentType.values:
    TYPE_WEIGHTS.setdefault(_type, 0.1)

TOPICS = [
    "chuyển đổi số",
    "cải cách hành chính",
    "xây dựng nông thôn mới",
    "phòng, chống thiên tai và tìm kiếm cứu nạn",
    "giảm nghèo bền vững",
    "phòng cháy, chữa cháy rừng",
    "tiêm chủng mở rộng",
    "tuyển sinh vào lớp 10 trung học phổ thông",
    "quản lý đất đai",
    "bồi thường, hỗ trợ, tái định cư",
    "giải phóng mặt bằng dự án đường cao tốc Tuyên Quang – Hà Giang",
    "Chương trình mục tiêu quốc gia phát triển kinh tế – xã hội vùng đồng bào dân tộc thiểu số và miền núi",
    "thu ngân sách nhà nước",
    "giải ngân vốn đầu tư công",
    "sắp xếp đơn vị hành chính cấp xã",
    "vận hành chính quyền địa phương hai cấp",
    "Đề án 06 về phát triển ứng dụng dữ liệu dân cư",
    "dịch vụ công trực tuyến toàn trình",
    "sử dụng chữ ký số",
    "bảo đảm an toàn thông tin mạng",
    "bảo hiểm xã hội tự nguyện",
    "phát triển du lịch cộng đồng",
    "bảo tồn Công viên địa chất toàn cầu UNESCO Cao nguyên đá Đồng Văn",
    "trồng rừng và bảo vệ rừng",
    "phòng, chống dịch tả lợn châu Phi",
    "phát triển cây chè Shan tuyết",
    "tiêu thụ cam sành Hàm Yên",
    "tổ chức Tết Nguyên đán",
    "xóa nhà tạm, nhà dột nát",
    "kiểm tra công tác văn thư, lưu trữ",
    "tuyển dụng công chức",
    "đánh giá, xếp loại chất lượng cán bộ, công chức, viên chức",
    "phòng, chống tham nhũng, tiêu cực",
    "tiếp công dân, giải quyết khiếu nại, tố cáo",
    "bảo đảm trật tự, an toàn giao thông",
    "phòng, chống ma túy",
    "nước sạch và vệ sinh môi trường nông thôn",
    "kiên cố hóa trường lớp học",
    "khám sức khỏe định kỳ cho người cao tuổi",
    "hỗ trợ sản xuất nông nghiệp",
    "cấp giấy chứng nhận quyền sử dụng đất",
    "quyết toán vốn đầu tư dự án hoàn thành",
    "thực hành tiết kiệm, chống lãng phí",
    "thi đua, khen thưởng",
    "bầu cử đại biểu Quốc hội và đại biểu Hội đồng nhân dân các cấp",
    "quản lý khai thác khoáng sản",
    "sửa chữa đường giao thông nông thôn",
    "hỗ trợ hộ nghèo về nhà ở",
    "lễ hội Khèn Mông",
    "phát triển sản phẩm OCOP",
]
ACTIONS = [
    "triển khai thực hiện",
    "tăng cường",
    "hướng dẫn thực hiện",
    "báo cáo kết quả",
    "đề nghị cung cấp thông tin về",
    "tổ chức",
    "đôn đốc thực hiện",
    "rà soát, tổng hợp",
    "góp ý dự thảo văn bản về",
    "tham mưu",
    "kiểm tra việc thực hiện",
    "bổ sung kinh phí thực hiện",
    "chấn chỉnh",
    "tiếp tục đẩy mạnh",
    "phối hợp thực hiện",
]
DECISION_ACTIONS = [
    "phê duyệt Kế hoạch",
    "thành lập Ban Chỉ đạo",
    "kiện toàn Tổ công tác",
    "giao chỉ tiêu",
    "điều chỉnh dự toán",
    "phê duyệt danh mục dự án",
    "ban hành Quy chế",
    "phân bổ kinh phí",
    "công nhận kết quả",
    "khen thưởng thành tích",
]
MEETINGS = [
    "hội nghị trực tuyến",
    "buổi làm việc",
    "hội nghị sơ kết",
    "hội nghị tổng kết",
    "lớp tập huấn",
    "phiên họp thường kỳ",
]
PERIODS = [
    "năm {year}",
    "6 tháng đầu năm {year}",
    "quý {quarter} năm {year}",
    "tháng {month} năm {year}",
    "giai đoạn 2021–2025",
    "giai đoạn 2026–2030",
]
ROMAN = ["I", "II", "III", "IV"]
SURNAMES = [
    ("Nguyễn", 20),
    ("Trần", 6),
    ("Lê", 6),
    ("Phạm", 4),
    ("Hoàng", 5),
    ("Vũ", 3),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Ngô", 1),
    ("Dương", 1),
    ("Lý", 1.5),
    ("Ma", 2),
    ("Sùng", 1.5),
    ("Giàng", 1.5),
    ("Vàng", 1.5),
    ("Lò", 1),
    ("Triệu", 1),
    ("Bàn", 1),
    ("Nông", 1.5),
    ("Hà", 1.5),
    ("Sầm", 0.5),
    ("Mua", 0.5),
    ("Thào", 0.8),
    ("Lù", 0.5),
    ("Chảo", 0.5),
    ("Hầu", 0.4),
    ("Quan", 0.4),
]
MIDDLE_NAMES = [
    "Văn",
    "Thị",
    "Đức",
    "Minh",
    "Quang",
    "Thu",
    "Ngọc",
    "Mí",
    "Seo",
    "Thanh",
    "Hữu",
    "Kim",
    "Xuân",
]
GIVEN_NAMES = [
    "An",
    "Bình",
    "Chiến",
    "Dũng",
    "Hà",
    "Hải",
    "Hùng",
    "Lan",
    "Mai",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Thắng",
    "Tuấn",
    "Vân",
    "Xuân",
    "Páo",
    "Chứ",
    "Mỷ",
    "Dìn",
    "Sính",
    "Già",
    "Khánh",
    "Thảo",
    "Huyền",
    "Thủy",
    "Cường",
    "Lộc",
    "Nghĩa",
    "Quyết",
    "Trọng",
    "Yến",
    "Hoa",
    "Nhung",
    "Toản",
    "Dế",
    "Sủ",
    "Lềnh",
    "Pằng",
]
TITLES = [
    "Chủ tịch",
    "Phó Chủ tịch",
    "Giám đốc",
    "Phó Giám đốc",
    "Chánh Văn phòng",
    "Trưởng phòng",
    "Chuyên viên",
]
# Village words in the north-eastern highlands; joined in pairs they give
# believable and mostly rare village names ("Thôn Khuổi Phầy").
VILLAGE_SYLLABLES = [
    "Khuổi",
    "Nặm",
    "Lùng",
    "Tả",
    "Pải",
    "Thài",
    "Phìn",
    "Sủng",
    "Lũng",
    "Nà",
    "Bản",
    "Pác",
    "Cốc",
    "Phiêng",
    "Mỏ",
    "Chè",
    "Sì",
    "Mào",
    "Hồng",
    "Tiến",
    "Kẹm",
    "Vai",
    "Phầy",
    "Lủng",
    "Châu",
    "Thấu",
    "My",
    "Đâng",
    "Cáy",
    "Pìn",
    "Ván",
    "Chải",
]


@dataclass(frozen=True)
class Document:
    """One generated incoming document's metadata, body text and receipt."""

    agency_index: int
    received_at: dt.datetime
    number_symbol: str
    issued_date: dt.date
    issuer_name: str
    doc_type: str
    subject: str
    signer_name: str
    urgency: str
    secrecy: str
    page_count: int
    body: str


def _weighted[T](items: Sequence[tuple[T, float]]) -> tuple[list[T], list[float]]:
    values = [item for item, _ in items]
    cumulative: list[float] = []
    total = 0.0
    for _, weight in items:
        total += weight
        cumulative.append(total)
    return values, cumulative


def commune_names() -> list[str]:
    """Today's communes of the province and the former ones merged into it."""
    province = Province.from_code(ProvinceCode(PROVINCE_CODE))
    current = sorted(w.name for w in Ward.iter_by_province(province.code))
    districts = {
        d.code
        for p in province.get_legacy_sources()
        for d in LegacyDistrict.iter_by_province(p.code)
    }
    former = sorted(
        {w.name for w in LegacyWard.iter_all() if w.district_code in districts}
    )
    return current + [name for name in former if name not in set(current)]


class Generator:
    """Seeded maker of documents for ``agencies`` receiving agencies."""

    def __init__(
        self,
        seed: int,
        agency_weights: Sequence[float],
        start: dt.datetime,
        end: dt.datetime,
        n: int,
    ) -> None:
        self.rng = random.Random(seed)
        names = commune_names()
        province = Province.from_code(ProvinceCode(PROVINCE_CODE))
        self.current_communes = sorted(
            w.name for w in Ward.iter_by_province(province.code)
        )
        self.communes = names
        issuers = [((name, symbol, weight), weight) for name, symbol, weight in ISSUERS]
        issuers += [
            (
                (f"Ủy ban nhân dân {_lower_first(c)}", "UBND", COMMUNE_ISSUER_WEIGHT),
                COMMUNE_ISSUER_WEIGHT,
            )
            for c in self.current_communes
        ]
        self.issuers, self.issuer_cum = _weighted(issuers)
        self.types, self.type_cum = _weighted(list(TYPE_WEIGHTS.items()))
        self.surnames, self.surname_cum = _weighted(SURNAMES)
        self.agency_cum = _weighted([(i, w) for i, w in enumerate(agency_weights)])[1]
        # Zipf-like: a few villages come up often, most rarely.
        villages = sorted(
            {f"{a} {b}" for a in VILLAGE_SYLLABLES for b in VILLAGE_SYLLABLES if a != b}
        )
        self.rng.shuffle(villages)
        self.villages = villages
        self.village_cum = _weighted(
            [(v, 1 / (rank + 1)) for rank, v in enumerate(villages)]
        )[1]
        self.commune_cum = _weighted(
            [(c, 1 / (rank + 1) ** 0.7) for rank, c in enumerate(names)]
        )[1]
        self.start = start
        self.step = (end - start) / max(n, 1)

    # -- small parts ------------------------------------------------------

    def person(self) -> str:
        rng = self.rng
        surname = rng.choices(self.surnames, cum_weights=self.surname_cum)[0]
        return f"{surname} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"

    def village(self) -> str:
        return self.rng.choices(self.villages, cum_weights=self.village_cum)[0]

    def commune(self) -> str:
        return self.rng.choices(self.communes, cum_weights=self.commune_cum)[0]

    def period(self, year: int) -> str:
        rng = self.rng
        return rng.choice(PERIODS).format(
            year=year, quarter=rng.choice(ROMAN), month=rng.randint(1, 12)
        )

    def scope(self, year: int) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.35:
            return f"trên địa bàn {PROVINCE} {self.period(year)}"
        if roll < 0.7:
            return f"trên địa bàn {_lower_first(self.commune())}"
        if roll < 0.85:
            return f"tại thôn {self.village()}, {_lower_first(self.commune())}"
        return self.period(year)

    def amount(self) -> str:
        millions = self.rng.randint(5, 90_000)
        return f"{millions:,}.000.000".replace(",", ".")

    def day(self, year: int) -> str:
        rng = self.rng
        return (
            f"ngày {rng.randint(1, 28):02d} tháng {rng.randint(1, 12):02d} năm {year}"
        )

    def number_symbol(
        self, doc_type: str, symbol: str, weight: float, day: dt.date
    ) -> str:
        # Numbers run from 1 each year in step with the days, up to what such
        # an issuer sends in a year; one document reaches several agencies,
        # so the same number and symbol recurs across registers.
        cap = max(40, int(YEARLY_NUMBERS.get(doc_type, 600) * min(1.0, weight / 10)))
        share = day.timetuple().tm_yday / 366
        number = max(1, int(share * cap) + self.rng.randint(-15, 15))
        year = day.year
        abbreviation = ABBREVIATIONS[doc_type]
        if not abbreviation:
            return f"{number}/{symbol}-{self.rng.choice(DRAFTING_UNITS)}"
        if doc_type in (DocumentType.RESOLUTION, DocumentType.DECISION) and (
            self.rng.random() < 0.1
        ):
            # Legal normative documents carry the year: "05/2025/QĐ-UBND".
            return f"{number}/{year}/{abbreviation}-{symbol}"
        return f"{number}/{abbreviation}-{symbol}"

    # -- whole parts ------------------------------------------------------

    def subject(self, doc_type: str, year: int) -> str:
        rng = self.rng
        topic = rng.choice(TOPICS)
        scope = self.scope(year)
        match doc_type:
            case DocumentType.OFFICIAL_LETTER:
                return f"V/v {rng.choice(ACTIONS)} {topic} {scope}"
            case DocumentType.DECISION:
                return f"Về việc {rng.choice(DECISION_ACTIONS)} {topic} {scope}"
            case DocumentType.PLAN | DocumentType.PROGRAMME:
                return f"Triển khai thực hiện {topic} {scope}"
            case DocumentType.REPORT:
                return f"Kết quả thực hiện {topic} {self.period(year)}"
            case DocumentType.INVITATION:
                return f"Mời dự {rng.choice(MEETINGS)} về {topic}"
            case DocumentType.NOTICE:
                return (
                    f"Kết luận của đồng chí {rng.choice(TITLES)} {self.person()} "
                    f"tại {rng.choice(MEETINGS)} về {topic}"
                )
            case DocumentType.SUBMISSION:
                return f"Đề nghị phê duyệt {topic} {scope}"
            case _:
                return f"Về {topic} {scope}"

    def body(self, issuer: str, year: int, signer: str) -> str:
        rng = self.rng
        other, other_symbol, _ = rng.choices(self.issuers, cum_weights=self.issuer_cum)[
            0
        ]
        sentences = [
            f"Thực hiện Công văn số {rng.randint(1, 3000)}/{other_symbol}-"
            f"{rng.choice(DRAFTING_UNITS)} {self.day(year)} của {other} về việc "
            f"{rng.choice(ACTIONS)} {rng.choice(TOPICS)}, {issuer} đề nghị các cơ "
            f"quan, đơn vị {rng.choice(ACTIONS)} {rng.choice(TOPICS)} "
            f"{self.scope(year)}.",
        ]
        extra = [
            f"Tổng kinh phí thực hiện là {self.amount()} đồng, từ nguồn ngân sách "
            f"{rng.choice(['tỉnh', 'trung ương', 'cấp xã', 'sự nghiệp'])} năm {year}.",
            f"Giao Ủy ban nhân dân {_lower_first(self.commune())} chủ trì, phối hợp "
            f"với các đơn vị liên quan tổ chức thực hiện, báo cáo kết quả trước "
            f"{self.day(year)}.",
            f"Đến nay, toàn {_lower_first(self.commune())} đã có {rng.randint(3, 900)} "
            f"hộ gia đình tại thôn {self.village()} và thôn {self.village()} được hỗ "
            f"trợ, đạt {rng.randint(40, 100)}% kế hoạch.",
            f"Đồng chí {self.person()}, {rng.choice(TITLES).lower()}, là đầu mối liên "
            f"hệ, số điện thoại 0{rng.randint(200_000_000, 999_999_999)}.",
            f"Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, đề nghị phản ánh "
            f"về {other} để được hướng dẫn.",
            f"Căn cứ Nghị định số {rng.randint(10, 180)}/{rng.randint(2018, year)}/"
            f"NĐ-CP của Chính phủ quy định chi tiết về {rng.choice(TOPICS)}.",
        ]
        sentences += rng.sample(extra, k=rng.randint(2, 4))
        sentences.append(f"Người ký: {signer}.")
        return " ".join(sentences)

    def document(self, i: int) -> Document:
        rng = self.rng
        received_at = (
            self.start + self.step * i + dt.timedelta(seconds=rng.randint(0, 600))
        )
        year = received_at.year
        issuer, symbol, weight = rng.choices(self.issuers, cum_weights=self.issuer_cum)[
            0
        ]
        doc_type = rng.choices(self.types, cum_weights=self.type_cum)[0]
        issued_date = received_at.date() - dt.timedelta(days=rng.randint(0, 6))
        signer = self.person()
        roll = rng.random()
        return Document(
            agency_index=rng.choices(
                range(len(self.agency_cum)), cum_weights=self.agency_cum
            )[0],
            received_at=received_at,
            number_symbol=self.number_symbol(doc_type, symbol, weight, issued_date),
            issued_date=issued_date,
            issuer_name=issuer,
            doc_type=doc_type,
            subject=self.subject(doc_type, year),
            signer_name=signer,
            urgency=Urgency.NORMAL
            if roll < 0.85
            else rng.choice([Urgency.URGENT, Urgency.VERY_URGENT, Urgency.FLASH]),
            # All of normal secrecy: who sees a secret one is a rule of ours
            # the peers' engines know nothing of, so their counts would differ.
            secrecy=Secrecy.NORMAL,
            page_count=rng.randint(1, 12),
            body=self.body(issuer, year, signer),
        )


def _lower_first(name: str) -> str:
    # "Xã Đồng Văn" → "xã Đồng Văn", as it reads inside a sentence.
    return name[:1].lower() + name[1:]


def _strip_marks(text: str) -> str:
    # The user typing without diacritics: "Đồng Văn" → "Dong Van".
    import unicodedata

    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", bare)


@dataclass(frozen=True)
class Query:
    kind: str
    text: str


COMMON = [
    "quyết định",
    "kế hoạch",
    "ủy ban nhân dân",
    "UBND",
    "báo cáo",
    "triển khai",
    "thông báo",
    "công văn",
    "chuyển đổi số",
    "ngân sách",
    "hộ gia đình",
    "đề nghị",
]
ABSENT = [
    "tàu vũ trụ",
    "blockchain lượng tử",
    "sân bay quốc tế",
    "xyzzy",
    "tàu điện ngầm",
    "bóng chày",
    "cá heo",
    "robot",
    "pizza",
    "kangaroo",
]


def queries(
    seed: int,
    generator: Generator,
    number_symbols: Sequence[str],
    people: Sequence[str],
    rare: Sequence[str],
    count: int = 200,
) -> list[Query]:
    """``count`` varied queries over the corpus, in a fixed shuffled order.

    ``number_symbols``, ``people`` and ``rare`` words (found in one or a
    few documents: phone numbers) are drawn from the generated rows, so
    look-ups hit something; the rest from the generator's vocabulary.
    """
    rng = random.Random(seed)
    out: list[Query] = []

    def both(kind: str, text: str, *, lower: bool = True) -> None:
        bare = _strip_marks(text)
        out.append(Query(f"{kind}, diacritics", text))
        out.append(Query(f"{kind}, no diacritics", bare.lower() if lower else bare))

    for text in rng.sample(COMMON, 10):
        both("common word", text)
    # Place names, from the least frequent villages and former communes.
    # Their syllables are common words each, so they still match many.
    for village in rng.sample(generator.villages[-300:], 4):
        both("place name", village)
    for commune in rng.sample(generator.communes[-200:], 4):
        both("place name", commune.split(" ", 1)[1])
    for word in rare[:14]:
        out.append(Query("rare word", word))
    for _ in range(25):
        topic = rng.choice(TOPICS).replace(",", "")
        words = topic.split()
        start = rng.randint(0, max(0, len(words) - 3))
        phrase = " ".join(words[start : start + rng.randint(2, 4)])
        place = rng.choice(generator.current_communes).split(" ", 1)[1]
        both("multi-word", f"{phrase} {place}" if rng.random() < 0.4 else phrase)
    for number_symbol in number_symbols[:25]:
        both("number/symbol", number_symbol, lower=False)
    for person in people[:10]:
        both("person", person)
    for _ in range(20):
        topic = _strip_marks(rng.choice(TOPICS)).lower().replace(",", "")
        words = topic.split()
        cut = rng.randint(1, min(3, len(words)))
        head = " ".join(words[:cut])
        tail = words[cut] if cut < len(words) else words[-1]
        out.append(Query("type-ahead", f"{head} {tail[: max(1, len(tail) // 2)]}"))
    for text in ABSENT[:10]:
        out.append(Query("no match", text))
    assert len(out) >= count, len(out)
    out = out[:count]
    rng.shuffle(out)
    return out
