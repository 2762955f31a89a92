"""Checks the community services share."""

from typing import Any

from django.utils.translation import gettext as _

from tinhso.community import policies
from tinhso.core.errors import DomainError, Forbidden
from tinhso.core.models import OrgUnit, OrgUnitKind


def may_manage(actor: Any, commune: OrgUnit) -> None:
    if not policies.can_manage(actor, commune):
        raise Forbidden(
            "not_community_officer",
            _("Chỉ cán bộ phụ trách tổ công nghệ số của %(unit)s làm được việc này.")
            % {"unit": commune.name},
        )


def village_of(commune: OrgUnit, village: OrgUnit | None) -> OrgUnit | None:
    if village is not None and (
        village.kind != OrgUnitKind.VILLAGE or village.parent_id != commune.pk
    ):
        raise DomainError(
            "village_not_in_commune",
            _("Thôn, tổ dân phố không thuộc %(unit)s.") % {"unit": commune.name},
            extra={"field": "village"},
        )
    return village
