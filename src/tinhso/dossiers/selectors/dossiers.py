"""Reads of dossiers: through the user's visibility, or, for the public
look-up, by code together with the applicant's phone or ID number."""

import re
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from tinhso.accounts.models import Role
from tinhso.accounts.policies import is_official
from tinhso.accounts.selectors import role_scope
from tinhso.core.errors import NotFound
from tinhso.core.models import OrgUnit
from tinhso.dossiers.models import Dossier


def visible_dossiers(user: Any) -> QuerySet[Dossier]:
    """Dossiers ``user`` may see.

    Officials: those received at a unit their roles cover (a role over a
    subtree reaches every unit below). Citizens and businesses: their own.
    Nobody else's dossier shows, even to someone who knows its code.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Dossier.objects.none()
    condition = Q(applicant=user)
    if is_official(user):
        condition |= role_scope(user, unit_field="agency")
    return (
        Dossier.objects.filter(condition)
        .select_related("procedure", "agency", "received_by")
        .order_by("-received_at", "-pk")
    )


def get_dossier_for(user: Any, code: object) -> Dossier:
    dossier = visible_dossiers(user).filter(code=str(code)).first()
    if dossier is None:
        raise NotFound("dossier_not_found", _("Không tìm thấy hồ sơ."))
    return dossier


def counters_of(user: Any) -> QuerySet[OrgUnit]:
    """Units where ``user`` receives dossiers as a one-stop officer."""
    return OrgUnit.objects.filter(
        role_scope(user, role=Role.ONE_STOP_OFFICER), legacy=False
    ).order_by("depth", "name")


def _contact(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value).replace("+84", "0", 1)


def look_up(code: str, contact: str) -> Dossier | None:
    """The dossier with ``code`` whose applicant gave ``contact`` (phone or
    ID number); None for a wrong code or a wrong contact alike, so the
    answer never tells whether a code exists."""
    given = _contact(contact)
    if not given:
        return None
    dossier = (
        Dossier.objects.select_related("procedure", "agency")
        .filter(code=code.strip().upper())
        .first()
    )
    if dossier is None:
        return None
    if given not in (dossier.applicant_phone, dossier.applicant_id_number):
        return None
    return dossier


def masked_name(name: str) -> str:
    """ "Nguyễn Thị Mai Hương" → "Nguyễn T. M. H.": enough to recognise, not to read."""
    first, *rest = name.split()
    return " ".join([first, *(f"{part[0]}." for part in rest)])
