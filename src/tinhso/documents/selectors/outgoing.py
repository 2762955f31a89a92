"""Reads of outgoing documents, always through the user's visibility.

Who sees an outgoing document:

- those involved in it: its drafter, its signer, the official it waits on,
  everyone who acted on it or had it forwarded to them;
- the leaders and clerks of its agency (roles over a subtree reach below);
- the reviewers of the agency's chain, unless it is secret;
- once issued and not secret, anyone holding a role in the agency, as
  with the incoming register.
"""

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from tinhso.accounts.models import Role, User
from tinhso.accounts.policies import is_official
from tinhso.accounts.selectors import (
    active_officials,
    role_holders,
    role_scope,
    roles_in,
)
from tinhso.core import search
from tinhso.core.errors import NotFound
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.documents.constants import (
    AGENCY_KINDS,
    OUTGOING_SCOPE,
    OutgoingStatus,
    Secrecy,
)
from tinhso.documents.models import (
    AgencyProfile,
    DraftVersion,
    OutgoingDocument,
    ReviewAction,
    ReviewStep,
)
from tinhso.documents.policies import outgoing as policies

ISSUED_STATUSES = (OutgoingStatus.ISSUED, OutgoingStatus.REVOKED)


def visible_outgoing(user: Any) -> QuerySet[OutgoingDocument]:
    if not is_official(user) or not user.is_active:
        return OutgoingDocument.objects.none()
    acted = ReviewAction.objects.filter(document=OuterRef("pk")).filter(
        Q(actor=user) | Q(to_user=user)
    )
    in_chain = ReviewStep.objects.filter(agency=OuterRef("agency"), reviewer=user)
    involved = (
        Q(drafter=user) | Q(signer=user) | Q(current_reviewer=user) | Exists(acted)
    )
    managers = role_scope(user, role=Role.LEADER, unit_field="agency") | role_scope(
        user, role=Role.CLERK, unit_field="agency"
    )
    open_ = Q(secrecy=Secrecy.NORMAL)
    members = role_scope(user, unit_field="agency") & Q(status__in=ISSUED_STATUSES)
    return (
        OutgoingDocument.objects.filter(
            involved | managers | (open_ & (Exists(in_chain) | members))
        )
        .select_related(
            "agency",
            "drafting_unit",
            "drafter",
            "signer",
            "current_reviewer",
            "signed_file",
            "issued_file",
        )
        .order_by("-created_at", "-pk")
    )


def get_outgoing_for(user: Any, document_id: object) -> OutgoingDocument:
    """One document ``user`` may see; any other id is simply not found."""
    document = None
    if str(document_id).isdigit():
        document = visible_outgoing(user).filter(pk=int(str(document_id))).first()
    if document is None:
        raise NotFound("outgoing_not_found", _("Không tìm thấy văn bản đi."))
    return document


def my_drafts(user: Any) -> QuerySet[OutgoingDocument]:
    return visible_outgoing(user).filter(drafter=user)


def waiting_for(user: Any) -> QuerySet[OutgoingDocument]:
    """What waits on ``user``: reviews, signatures, issues, returned drafts."""
    if not is_official(user) or not user.is_active:
        return OutgoingDocument.objects.none()
    clerk_of = role_scope(user, role=Role.CLERK, unit_field="agency")
    return visible_outgoing(user).filter(
        Q(status=OutgoingStatus.IN_REVIEW, current_reviewer=user)
        | Q(status=OutgoingStatus.APPROVED, signer=user)
        | (Q(status=OutgoingStatus.SIGNED) & clerk_of)
        | Q(status=OutgoingStatus.RETURNED, drafter=user)
    )


def search_issued(
    user: Any,
    query: str = "",
    *,
    agency: OrgUnit | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    doc_type: str = "",
    secrecy: str = "",
    secret_series: bool | None = None,
) -> QuerySet[OutgoingDocument]:
    """Issued documents ``user`` may see, newest number first.

    ``query`` matches the number and symbol, type, subject and PDF text,
    with or without diacritics; the dates bound the issue date.
    ``secret_series`` keeps the secret register (True) or the ordinary one
    (False); None keeps both.
    """
    documents = visible_outgoing(user).filter(status__in=ISSUED_STATUSES)
    if agency is not None:
        documents = documents.filter(agency=agency)
    if date_from is not None:
        documents = documents.filter(issued_date__gte=date_from)
    if date_to is not None:
        documents = documents.filter(issued_date__lte=date_to)
    if doc_type:
        documents = documents.filter(doc_type=doc_type)
    if secrecy:
        documents = documents.filter(secrecy=secrecy)
    if secret_series is not None:
        documents = documents.filter(secret_series=secret_series)
    if query.strip():
        documents = search.filter_queryset(documents, OUTGOING_SCOPE, query)
    return documents.order_by("-issued_at", "-pk")


def versions_of(document: OutgoingDocument) -> QuerySet[DraftVersion]:
    return document.versions.select_related(
        "source_file", "pdf_file", "created_by"
    ).order_by("number")


def latest_version(document: OutgoingDocument) -> DraftVersion | None:
    return (
        document.versions.select_related("source_file", "pdf_file")
        .order_by("-number")
        .first()
    )


def get_version(document: OutgoingDocument, number: object) -> DraftVersion:
    version = None
    if str(number).isdigit():
        version = versions_of(document).filter(number=int(str(number))).first()
    if version is None:
        raise NotFound("outgoing_version_not_found", _("Không có phiên bản này."))
    return version


def history_of(document: OutgoingDocument) -> QuerySet[ReviewAction]:
    return document.review_actions.select_related(
        "actor", "to_user", "version"
    ).order_by("created_at", "pk")


def review_chain(agency: OrgUnit) -> QuerySet[ReviewStep]:
    return ReviewStep.objects.filter(agency=agency).select_related("reviewer")


def agency_units(agency: OrgUnit) -> list[OrgUnit]:
    """The agency and its departments (and theirs), not the agencies below it."""
    units = [agency]
    frontier = [agency.pk]
    while frontier:
        children = list(
            OrgUnit.objects.filter(
                parent_id__in=frontier, kind=OrgUnitKind.DEPARTMENT, legacy=False
            )
        )
        units.extend(children)
        frontier = [unit.pk for unit in children]
    return units


def departments_of(agency: OrgUnit) -> list[OrgUnit]:
    return sorted(agency_units(agency)[1:], key=lambda unit: unit.path)


def agency_officials(agency: OrgUnit) -> QuerySet[User]:
    """Active officials working in the agency or its departments."""
    ids = [unit.pk for unit in agency_units(agency)]
    holders = roles_in(ids).values("user_id")
    return (
        active_officials()
        .filter(Q(org_unit_id__in=ids) | Q(pk__in=holders))
        .order_by("full_name", "username")
    )


def agency_leaders(agency: OrgUnit) -> QuerySet[User]:
    """Who may sign for the agency: its active leaders."""
    holders = role_holders(Role.LEADER).filter(org_unit=agency).values("user_id")
    return active_officials().filter(pk__in=holders).order_by("full_name", "username")


def drafting_agencies(user: Any) -> list[OrgUnit]:
    """Agencies in which ``user`` may draft outgoing documents."""
    if not is_official(user) or not user.is_active:
        return []
    found: dict[int, OrgUnit] = {}
    for assignment in user.roles.select_related("org_unit", "org_unit__parent"):
        if assignment.role not in policies.DRAFTING_ROLES:
            continue
        agency = policies.agency_of(assignment.org_unit)
        if agency is not None:
            found[agency.pk] = agency
    return sorted(found.values(), key=lambda unit: unit.path)


def chain_agencies(user: Any) -> QuerySet[OrgUnit]:
    """Agencies whose review chain ``user`` may set."""
    if not is_official(user) or not user.is_active:
        return OrgUnit.objects.none()
    scope = role_scope(user, role=Role.ADMINISTRATOR) | role_scope(
        user, role=Role.LEADER
    )
    return OrgUnit.objects.filter(scope, kind__in=AGENCY_KINDS, legacy=False).order_by(
        "path"
    )


def get_agency(agency_id: object) -> OrgUnit:
    agency = None
    if str(agency_id).isdigit():
        agency = OrgUnit.objects.filter(
            pk=int(str(agency_id)), kind__in=AGENCY_KINDS, legacy=False
        ).first()
    if agency is None:
        raise NotFound("agency_not_found", _("Không tìm thấy cơ quan."))
    return agency


def profile_of(unit: OrgUnit | None) -> AgencyProfile | None:
    if unit is None:
        return None
    return AgencyProfile.objects.filter(agency=unit).first()
