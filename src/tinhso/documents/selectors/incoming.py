"""Reads of the document registers, always through the user's visibility."""

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from tinhso.accounts.policies import is_official
from tinhso.accounts.selectors import role_scope
from tinhso.core import search
from tinhso.core.errors import NotFound
from tinhso.documents.constants import INCOMING_SCOPE
from tinhso.documents.models import IncomingDocument


def _agency_condition(user: Any) -> Q | None:
    """Agencies whose registers ``user`` may read: any role held there.

    A role over a subtree (a province leader, say) reaches every agency below.
    """
    if not is_official(user) or not user.is_active:
        return None
    return role_scope(user, unit_field="agency")


def visible_incoming(user: Any) -> QuerySet[IncomingDocument]:
    condition = _agency_condition(user)
    if condition is None:
        return IncomingDocument.objects.none()
    return (
        IncomingDocument.objects.filter(condition)
        .select_related("agency", "main_file")
        .order_by("-received_at", "-pk")
    )


def get_incoming_for(user: Any, document_id: object) -> IncomingDocument:
    """One document ``user`` may see; any other id is simply not found."""
    document = None
    if str(document_id).isdigit():
        document = visible_incoming(user).filter(pk=int(str(document_id))).first()
    if document is None:
        raise NotFound("incoming_not_found", _("Không tìm thấy văn bản đến."))
    return document


def search_incoming(
    user: Any,
    query: str = "",
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    doc_type: str = "",
    secrecy: str = "",
) -> QuerySet[IncomingDocument]:
    """Visible documents matching ``query`` (metadata and PDF text).

    The date range is on the day the document was received, both ends included.
    """
    documents = visible_incoming(user)
    if date_from is not None:
        documents = documents.filter(received_at__date__gte=date_from)
    if date_to is not None:
        documents = documents.filter(received_at__date__lte=date_to)
    if doc_type:
        documents = documents.filter(doc_type=doc_type)
    if secrecy:
        documents = documents.filter(secrecy=secrecy)
    if query.strip():
        documents = search.filter_queryset(documents, INCOMING_SCOPE, query)
    return documents
