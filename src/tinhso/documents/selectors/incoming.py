"""Reads of the incoming register, always through the user's visibility."""

import datetime as dt
import re
from functools import partial
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import Role, RoleAssignment
from tinhso.accounts.policies import is_official
from tinhso.accounts.selectors import role_scope, roles_of
from tinhso.core import search
from tinhso.core.errors import NotFound
from tinhso.core.models import AuditEntry, OrgUnit
from tinhso.core.text import words
from tinhso.documents.constants import AGENCY_KINDS, INCOMING_SCOPE, Secrecy
from tinhso.documents.models import (
    Attachment,
    Handling,
    InboundMessage,
    IncomingDocument,
)

# The issuing body alone, so "issuer" filters on it and not on the subject.
INCOMING_ISSUER_SCOPE = "documents.incoming.issuer"

# A number and symbol inside a query: "12/QĐ-UBND", "05/2025/QĐ-UBND",
# "123/UBND-VP", or the start of one ("12/QĐ"). The part after the last
# slash holds a letter, so dates ("15/3/2025") stay plain words. Spaces
# around / and - are squeezed first: people type "12 / QĐ - UBND" too.
_SYMBOL_IN_QUERY = re.compile(r"\d+(?:/\d+)*/(?=[^\s/]*[^\W\d_])[^\s/]+")
_SYMBOL_SPACES = re.compile(r"\s*([/-])\s*")


def symbol_token(number_symbol: str) -> str:
    """One search word standing for a whole number and symbol.

    The search index keeps letters and digits only, so "12/QĐ-UBND" would
    otherwise be three words found anywhere in the text ("12", "qd",
    "ubnd"). Indexed as "12qdubnd" next to them, a look-up by symbol finds
    that document and not one that merely holds the three words.
    Leading zeros go ("05/QĐ-UBND" is also typed "5/QĐ-UBND"), and so do
    diacritics ("12/QD-UBND" finds it too).
    """
    return "".join(
        str(int(word)) if word.isdigit() else word for word in words(number_symbol)
    )


def search_query(query: str) -> str:
    """``query`` with every number and symbol in it turned into its token."""
    squeezed = _SYMBOL_SPACES.sub(r"\1", query)
    return _SYMBOL_IN_QUERY.sub(lambda m: " " + symbol_token(m.group()) + " ", squeezed)


# Beyond this many agencies a user sees, reading each agency's words apart
# stops paying (one more list to merge for each): a province leader's search
# reads the words of the whole province.
MAX_SEARCH_AGENCIES = 8
# A one-letter last word is no prefix yet (core.search.query_terms).
SEARCH_MIN_PREFIX = 2
# Listed rather than "not normal", so the index on (clerk, secrecy, agency)
# is read by seeks, not through every document a busy clerk registered.
SECRET = [s for s in Secrecy if s != Secrecy.NORMAL]


def search_partitions(
    user: Any, assignments: list[RoleAssignment] | None = None
) -> list[int] | None:
    """The agencies whose search partitions hold every document ``user`` may see.

    Documents are indexed in their agency's partition (services.incoming).
    Whatever ``visible_incoming`` lets a user see is at an agency their
    roles cover, was assigned to them or a unit they lead, or is a secret
    document they registered; so these agencies lose nothing, and a search
    reads only their words. None when the user's roles cover too many
    agencies for that to help. ``assignments``: the user's roles, when the
    caller has read them already.
    """
    if assignments is None:
        assignments = list(roles_of(user))
    # A role held at one unit covers that unit alone: no query needed.
    subtrees = [a for a in assignments if a.include_subtree]
    units = {
        a.org_unit_id
        for a in assignments
        if not a.include_subtree and a.org_unit.kind in AGENCY_KINDS
    }
    if subtrees:
        covered = OrgUnit.objects.filter(
            role_scope(user, assignments=subtrees), kind__in=AGENCY_KINDS
        )
        units |= set(covered.values_list("pk", flat=True)[: MAX_SEARCH_AGENCIES + 1])
    if len(units) > MAX_SEARCH_AGENCIES:
        return None
    # One query for both; order_by(): the models' default orderings would
    # join the DISTINCT, one row per document instead of per agency.
    handled = (
        _handlings(user, assignments)
        .order_by()
        .values_list("document__agency_id", flat=True)
    )
    registered = (
        IncomingDocument.objects.filter(registered_by=user, secrecy__in=SECRET)
        .order_by()
        .values_list("agency_id", flat=True)
    )
    return sorted(units | set(handled.union(registered).order_by()))


def _handlings(user: Any, assignments: list[RoleAssignment]) -> QuerySet[Handling]:
    """Assignments of documents to ``user`` or to a unit they lead."""
    led = role_scope(user, role=Role.LEADER, unit_field="unit", assignments=assignments)
    return Handling.objects.filter(Q(user=user) | led)


def _assigned_condition(user: Any, assignments: list[RoleAssignment]) -> Q:
    """Documents assigned to ``user``, or to a unit they lead (Handling rows).

    An uncorrelated ``pk IN (…)``: the database runs it once, not per row.
    """
    return Q(pk__in=_handlings(user, assignments).values("document_id"))


def visible_incoming(
    user: Any, assignments: list[RoleAssignment] | None = None
) -> QuerySet[IncomingDocument]:
    """Incoming documents ``user`` may see.

    - Normal documents (secrecy "normal"): anyone holding a role at the
      receiving agency, or over it (a role held over a subtree reaches
      every agency below), and anyone it was assigned to. A role held at a
      department inside the agency is not a role at the agency: such
      people see what they or the units they lead were assigned.
    - Documents marked Mật, Tối mật or Tuyệt mật: only the agency's clerks
      (who keep the register), the agency's leaders (leader role held at
      the agency or over it), the clerk who registered it, and the people
      it was assigned to — directly, or through a unit they lead. Other
      role holders of the agency do not see them, nor find them by search.

    Nobody of another agency sees a document that was not sent to it (an
    incoming document belongs to the one agency that received it), unless
    it was assigned to them.

    A new way of seeing a document must reach ``search_partitions`` too, or
    searches will not find what the register shows.
    """
    if not is_official(user) or not user.is_active:
        return IncomingDocument.objects.none()
    if assignments is None:
        assignments = list(roles_of(user))
    scope = partial(role_scope, user, unit_field="agency", assignments=assignments)
    normal = Q(secrecy=Secrecy.NORMAL) & scope()
    marked = scope(role=Role.CLERK) | scope(role=Role.LEADER) | Q(registered_by=user)
    condition = normal | (~Q(secrecy=Secrecy.NORMAL) & marked)
    condition |= _assigned_condition(user, assignments)
    return (
        IncomingDocument.objects.filter(condition)
        .select_related("agency", "main_file")
        .order_by("-received_at", "-pk")
    )


def _id(value: object) -> int | None:
    text = str(value)
    # isdigit() alone lets "²" through, which int() refuses.
    return int(text) if text.isascii() and text.isdigit() else None


def get_incoming_for(user: Any, document_id: object) -> IncomingDocument:
    """One document ``user`` may see; any other id is simply not found."""
    document = None
    pk = _id(document_id)
    if pk is not None:
        document = (
            visible_incoming(user)
            .select_related("issuer_unit", "registered_by", "closed_by")
            .filter(pk=pk)
            .first()
        )
    if document is None:
        raise NotFound("incoming_not_found", _("Không tìm thấy văn bản đến."))
    return document


def get_attachment_for(
    user: Any, document_id: object, attachment_id: object
) -> Attachment:
    """An attachment of a document ``user`` may see; NotFound otherwise."""
    document = get_incoming_for(user, document_id)
    attachment = None
    pk = _id(attachment_id)
    if pk is not None:
        attachment = document.attachments.select_related("file").filter(pk=pk).first()
    if attachment is None:
        raise NotFound(
            "incoming_attachment_not_found", _("Không tìm thấy tệp đính kèm.")
        )
    attachment.document = document
    return attachment


def attachments_of(document: IncomingDocument) -> list[Attachment]:
    """The attachments of ``document``, with their files.

    The caller has already fetched ``document`` through ``get_incoming_for``.
    """
    return list(document.attachments.select_related("file"))


def electronic_source(document: IncomingDocument) -> InboundMessage | None:
    """The electronic message ``document`` was registered from, if any.

    With the sending dispatch and its status receipts when it came from
    another agency on the platform. The caller has already fetched
    ``document`` through ``get_incoming_for``.
    """
    return (
        InboundMessage.objects.filter(incoming=document)
        .select_related("dispatch", "sender_unit")
        .prefetch_related("dispatch__receipts")
        .first()
    )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def search_incoming(
    user: Any,
    query: str = "",
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    doc_type: str = "",
    secrecy: str = "",
    status: str = "",
    urgency: str = "",
    issuer: str = "",
    issuer_unit: OrgUnit | int | None = None,
    secret_series: bool | None = None,
) -> QuerySet[IncomingDocument]:
    """Visible documents matching ``query`` (metadata and PDF text) and filters.

    The query may hold numbers and symbols ("12/QĐ-UBND", "12/QD-UBND");
    with or without diacritics finds the same documents. The date range is
    on the day the document was received, both ends included. ``issuer``
    matches words of the issuing body's name; ``issuer_unit`` the issuing
    agency when it is on the platform. ``secret_series`` keeps the secret
    register (True) or the ordinary one (False); None keeps both.
    """
    assignments = list(roles_of(user)) if is_official(user) else []
    documents = visible_incoming(user, assignments)
    # Bounds as instants, not a date of the column: the index stays usable.
    if date_from is not None:
        documents = documents.filter(received_at__gte=_day_start(date_from))
    if date_to is not None:
        documents = documents.filter(
            received_at__lt=_day_start(date_to + dt.timedelta(days=1))
        )
    if doc_type:
        documents = documents.filter(doc_type=doc_type)
    if secrecy:
        documents = documents.filter(secrecy=secrecy)
    if secret_series is not None:
        documents = documents.filter(secret_series=secret_series)
    if status:
        documents = documents.filter(status=status)
    if urgency:
        documents = documents.filter(urgency=urgency)
    if issuer_unit is not None:
        documents = documents.filter(issuer_unit=issuer_unit)
    if issuer.strip():
        documents = search.filter_queryset(documents, INCOMING_ISSUER_SCOPE, issuer)
    if query.strip():
        # Newest registered first: the index is read in that order and the
        # walk stops at the page asked for.
        documents = search.filter_queryset(
            documents,
            INCOMING_SCOPE,
            search_query(query),
            partitions=search_partitions(user, assignments),
            newest_first=True,
            min_prefix=SEARCH_MIN_PREFIX,
        )
    return documents


def history(document: IncomingDocument) -> QuerySet[AuditEntry]:
    """The audit log rows about ``document``, oldest first.

    The caller has already fetched ``document`` through ``get_incoming_for``.
    """
    return (
        AuditEntry.objects.filter(
            object_type=IncomingDocument._meta.label_lower,
            object_id=str(document.pk),
        )
        .select_related("actor")
        .order_by("seq")
    )
