"""The demo province's document set-up: symbols, a review chain, certificates.

Made through the documents and pki services, as an administrator would, so
a draft can travel from the provincial office to a commune on first start.
"""

from tinhso.accounts.models import User
from tinhso.core.models import OrgUnit
from tinhso.documents.models import AgencyProfile
from tinhso.documents.selectors.outgoing import review_chain
from tinhso.documents.services.outgoing import set_review_chain
from tinhso.documents.services.profiles import set_agency_profile
from tinhso.pki import selectors as pki_selectors
from tinhso.pki import services as pki

# Symbols of the provincial agencies in AGENCIES, as they sign documents.
AGENCY_SYMBOLS: dict[str, str] = {
    "01": "VPUBND",
    "02": "SNV",
    "03": "STC",
    "04": "STP",
    "05": "SXD",
    "06": "SNNMT",
    "07": "SKHCN",
    "08": "SYT",
    "09": "SGDĐT",
    "10": "SVHTTDL",
    "11": "SCT",
    "12": "TTr",
    "13": "TTPVHCC",
}
DIVISION_WORDS = ("Tỉnh ", "Thành phố ", "Phường ", "Xã ", "Đặc khu ")


def place_of(unit: OrgUnit) -> str:
    """The place name a unit's documents are dated at: "Tuyên Quang", "Hà Giang 1"."""
    name = unit.name
    for word in DIVISION_WORDS:
        name = name.removeprefix(word)
    return name


def load_documents(
    *,
    admin: User,
    province: OrgUnit,
    units: dict[str, OrgUnit],
    communes: list[OrgUnit],
) -> dict[str, int]:
    """Profiles for every demo agency and commune, the office's review chain,
    and certificates (demo CA) for every leader and the unit they lead.
    Returns counts of what was created; running again creates nothing."""
    created = {"profile": 0, "review_step": 0, "certificate": 0}
    province_place = place_of(province)
    wanted = [(province, "UBND", province_place)]
    wanted += [(units[n], s, province_place) for n, s in AGENCY_SYMBOLS.items()]
    wanted += [(commune, "UBND", place_of(commune)) for commune in communes]
    have = set(AgencyProfile.objects.values_list("agency_id", flat=True))
    for agency, symbol, place in wanted:
        if agency.pk not in have:
            set_agency_profile(agency, admin, symbol=symbol, place_name=place)
            created["profile"] += 1

    office = units["01"]
    if not review_chain(office).exists():
        reviewer = User.objects.get(username="truongphong")
        set_review_chain(office, admin, [("Trưởng phòng Tổng hợp", reviewer)])
        created["review_step"] += 1

    pki.create_demo_root(actor=admin)
    for assignment in pki_selectors.leaders():
        for owner in (assignment.user, assignment.org_unit):
            if pki_selectors.certificate_of(owner) is None:
                pki.issue_demo_certificate(owner)
                created["certificate"] += 1
    return created
