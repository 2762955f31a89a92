"""Pages of the incoming register: the list with search, the registration
form, and one document with its signatures, history and handling.

Like ``api/incoming.py``: parse, ask the policy, call a service or selector,
render. Plain forms and links; htmx only swaps the search results.
"""

import importlib
from types import ModuleType
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from tinhso.accounts.models import Role
from tinhso.accounts.selectors import role_scope
from tinhso.core import files
from tinhso.core.errors import DomainError, NotFound
from tinhso.core.models import OrgUnit, StoredFile
from tinhso.core.pagination import CappedPaginator
from tinhso.documents.constants import (
    ACTION_INCOMING_REGISTER,
    AGENCY_KINDS,
    Secrecy,
)
from tinhso.documents.forms import IncomingRegisterForm, IncomingSearchForm
from tinhso.documents.models import IncomingDocument
from tinhso.documents.policies import incoming as policies
from tinhso.documents.selectors import incoming as selectors
from tinhso.documents.services import incoming as services

PER_PAGE = 50
HANDLING_PANEL = "documents/handling/_panel.html"

# What the history calls each audited act on an incoming document.
HISTORY_LABELS = {
    ACTION_INCOMING_REGISTER: gettext_lazy("Vào sổ văn bản đến"),
    services.ACTION_INCOMING_DOWNLOAD: gettext_lazy("Mở tệp của văn bản mật"),
    "documents.incoming.assign": gettext_lazy("Phân công xử lý"),
    "documents.incoming.reassign": gettext_lazy("Phân công tiếp xử lý"),
    "documents.incoming.opinion": gettext_lazy("Ghi ý kiến, tiến độ xử lý"),
    "documents.incoming.done": gettext_lazy("Xong phần việc được giao"),
    "documents.incoming.close": gettext_lazy("Kết thúc xử lý"),
    "documents.incoming.revoke": gettext_lazy("Văn bản bị bên gửi thu hồi"),
    "documents.incoming.replace": gettext_lazy("Văn bản bị thay thế"),
}


def _wants_fragment(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def _document(request: HttpRequest, document_id: int) -> IncomingDocument:
    try:
        return selectors.get_incoming_for(request.user, document_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


# The register a list keeps: Decree 30 numbers documents marked Mật or
# above in a series of their own (services.incoming.incoming_register).
SERIES = {"ordinary": False, "secret": True}
SERIES_CHOICES = [
    ("", gettext_lazy("Cả hai sổ")),
    ("ordinary", gettext_lazy("Sổ văn bản thường")),
    ("secret", gettext_lazy("Sổ văn bản mật")),
]


def _require_register_page(request: HttpRequest) -> None:
    if not policies.can_view_incoming_register(request.user):
        raise PermissionDenied


# The register ---------------------------------------------------------------


@login_required
@require_GET
def incoming_list(request: HttpRequest) -> HttpResponse:
    _require_register_page(request)
    form = IncomingSearchForm(request.GET)
    filters = form.filters()
    series = request.GET.get("series", "")
    series = series if series in SERIES else ""
    listing = selectors.search_incoming(
        request.user, **filters, secret_series=SERIES.get(series)
    )
    page = CappedPaginator(listing, PER_PAGE).get_page(request.GET.get("page"))
    filtering = bool(series) or any(
        value for name, value in filters.items() if name != "query"
    )
    # The secret register's filter, for those who may see a document in it.
    has_secret = selectors.visible_incoming(request.user).filter(secret_series=True)
    context = {
        "form": form,
        "q": filters["query"],
        "page": page,
        "filtering": filtering,
        "series": series,
        "series_choices": SERIES_CHOICES if series or has_secret.exists() else [],
        "can_register": policies.can_register_anywhere(request.user),
    }
    name = "documents/incoming/list.html"
    if _wants_fragment(request):
        name += "#results"
    response = render(request, name, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# Registering -------------------------------------------------------------------


def _clerk_agencies(user: Any) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(
        role_scope(user, role=Role.CLERK), kind__in=AGENCY_KINDS, legacy=False
    ).order_by("path")


def _show_error(form: IncomingRegisterForm, exc: DomainError) -> None:
    """Put the service's refusal next to the field it names, if any."""
    field = str(exc.extra.get("field", ""))
    if exc.code in ("incoming_register_forbidden", "incoming_legacy_agency"):
        field = "agency"
    form.add_error(field if field in form.fields else None, exc.message)


@login_required
def incoming_new(request: HttpRequest) -> HttpResponse:
    if not policies.can_register_anywhere(request.user):
        raise PermissionDenied
    agencies = _clerk_agencies(request.user)
    form = IncomingRegisterForm(
        request.POST or None, request.FILES or None, agencies=agencies
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            document = services.register_incoming(
                agency=data["agency"],
                clerk=request.user,
                file=upload,
                file_name=upload.name,
                number_symbol=data["number_symbol"],
                issued_date=data["issued_date"],
                issuer_name=data["issuer_name"],
                issuer_unit=data["issuer_unit"],
                doc_type=data["doc_type"],
                subject=data["subject"],
                signer_name=data["signer_name"],
                urgency=data["urgency"],
                secrecy=data["secrecy"],
                page_count=data["page_count"],
                received_at=data["received_at"],
                attachments=[(f, f.name) for f in data["attachments"]],
            )
        except DomainError as exc:
            _show_error(form, exc)
        else:
            done = (
                _("Đã vào sổ văn bản mật đến: %(symbol)s, số đến %(number)s/%(year)s.")
                if document.secret_series
                else _("Đã vào sổ văn bản %(symbol)s, số đến %(number)s/%(year)s.")
            )
            messages.success(
                request,
                done
                % {
                    "symbol": document.number_symbol,
                    "number": document.incoming_number,
                    "year": document.year,
                },
            )
            return redirect("documents:incoming_detail", document_id=document.pk)
    # A browser never refills a file input: after a refusal the chosen
    # files are gone, and the clerk must be told so rather than find out.
    chosen = bool(request.FILES)
    return render(
        request,
        "documents/incoming/new.html",
        {"form": form, "files_dropped": chosen and bool(form.errors)},
        status=400 if form.errors else 200,
    )


# One document -----------------------------------------------------------------


def _handling_module() -> ModuleType | None:
    """The handling part's selectors, when that part is installed.

    The detail page shows the handling panel only if both its selector
    (``selectors.handling.panel``) and its template exist.
    """
    try:
        module = importlib.import_module("tinhso.documents.selectors.handling")
        get_template(HANDLING_PANEL)
    except (ImportError, TemplateDoesNotExist):
        return None
    return module if hasattr(module, "panel") else None


def grouped(digest: str, size: int = 8) -> str:
    """A long hex digest in blocks, so it wraps on a phone screen."""
    return " ".join(digest[i : i + size] for i in range(0, len(digest), size))


def _signature_rows(document: IncomingDocument) -> list[dict[str, Any]]:
    rows = []
    for check in document.signatures:
        row = dict(check)
        when = check.get("signing_time")
        row["signing_time"] = parse_datetime(when) if isinstance(when, str) else None
        row["fingerprint"] = grouped(str(check.get("fingerprint", "")))
        rows.append(row)
    return rows


def _history(document: IncomingDocument) -> list[dict[str, Any]]:
    rows = []
    for entry in selectors.history(document):
        label = HISTORY_LABELS.get(entry.action)
        rows.append(
            {
                "at": entry.at,
                "label": label or _("Thao tác khác"),
                "code": "" if label else entry.action,
                "actor": (entry.actor.full_name if entry.actor else "")
                or entry.actor_label,
                "detail": entry.detail,
            }
        )
    return rows


@login_required
@require_GET
def incoming_detail(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _document(request, document_id)
    source = selectors.electronic_source(document)
    context: dict[str, Any] = {
        "document": document,
        "sha256": grouped(document.main_file.sha256),
        "attachments": selectors.attachments_of(document),
        "signatures": _signature_rows(document),
        "history": _history(document),
        "source": source,
        # edXML ids run long without spaces: "<sender>,<date>,<number>".
        "message_id_parts": source.message_id.split(",") if source else [],
        "marked": document.secrecy != Secrecy.NORMAL,
        "handling_template": None,
    }
    handling = _handling_module()
    if handling is not None:
        context["handling_template"] = HANDLING_PANEL
        context["handling_panel"] = handling.panel(request.user, document)
    return render(request, "documents/incoming/detail.html", context)


def _file_response(
    request: HttpRequest, document: IncomingDocument, stored: StoredFile
) -> FileResponse:
    services.record_download(request.user, document, stored)
    # Shown in place only when it is a PDF or an image (core.files.response);
    # documents are not for shared caches, and marked ones for no cache.
    return files.response(
        stored,
        download=request.GET.get("download") == "1",
        no_store=document.secrecy != Secrecy.NORMAL,
    )


@login_required
@require_GET
def incoming_file(request: HttpRequest, document_id: int) -> HttpResponseBase:
    document = _document(request, document_id)
    return _file_response(request, document, document.main_file)


@login_required
@require_GET
def incoming_attachment(
    request: HttpRequest, document_id: int, attachment_id: int
) -> HttpResponseBase:
    try:
        attachment = selectors.get_attachment_for(
            request.user, document_id, attachment_id
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return _file_response(request, attachment.document, attachment.file)


urlpatterns = [
    path("incoming/", incoming_list, name="incoming_list"),
    path("incoming/new/", incoming_new, name="incoming_new"),
    path("incoming/<int:document_id>/", incoming_detail, name="incoming_detail"),
    path("incoming/<int:document_id>/file/", incoming_file, name="incoming_file"),
    path(
        "incoming/<int:document_id>/attachments/<int:attachment_id>/",
        incoming_attachment,
        name="incoming_attachment",
    ),
]
