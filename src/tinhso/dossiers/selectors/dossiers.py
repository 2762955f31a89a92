"""Reads of dossiers, always through the user's visibility."""

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
