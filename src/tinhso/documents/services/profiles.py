"""An agency's document profile: the symbol and place name its documents carry."""

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tinhso.core import audit
from tinhso.core.errors import DomainError, Forbidden
from tinhso.core.models import OrgUnit
from tinhso.core.text import nfc
from tinhso.documents.models import AgencyProfile
from tinhso.documents.policies.outgoing import can_configure_chain

# Letters (Vietnamese capitals included, "QyĐ"-style lower case allowed) and
# digits, as a symbol appears inside "12/QĐ-UBND".
SYMBOL_RE = re.compile(r"^[A-Za-zĐđ0-9]+$")


@transaction.atomic
def set_agency_profile(
    agency: OrgUnit, actor: Any, *, symbol: str, place_name: str
) -> AgencyProfile:
    """Set the symbol ("SNV") and place name ("Tuyên Quang") of ``agency``."""
    if not can_configure_chain(actor, agency):
        raise Forbidden(
            "agency_profile_forbidden",
            _(
                "Chỉ quản trị hệ thống hoặc lãnh đạo của %(agency)s được sửa thông tin này."
            )
            % {"agency": agency.name},
        )
    symbol = nfc(symbol).replace(" ", "")
    place_name = nfc(place_name)
    if not symbol or not SYMBOL_RE.match(symbol) or len(symbol) > 32:
        raise DomainError(
            "agency_symbol_invalid",
            _(
                "Ký hiệu cơ quan chỉ gồm chữ và số, không dấu cách, tối đa 32 ký tự "
                "(ví dụ UBND, SNV)."
            ),
        )
    if not place_name or len(place_name) > 64:
        raise DomainError(
            "agency_place_invalid",
            _("Cần nhập địa danh (tối đa 64 ký tự), ví dụ Tuyên Quang."),
        )
    profile, _created = AgencyProfile.objects.update_or_create(
        agency=agency, defaults={"symbol": symbol, "place_name": place_name}
    )
    audit.record(
        "documents.agency_profile.set",
        obj=profile,
        actor=actor,
        detail={"agency": agency.pk, "symbol": symbol, "place_name": place_name},
    )
    return profile
