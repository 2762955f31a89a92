"""Pages of the document exchange: dispatching an issued document and following
its receipts, the electronic inbox with registration and refusal, take-back and
revoke, and edXML import and download.

Like ``api/exchange.py``: parse, look up through a selector (an unseen object
is a 404), call a service, render. Plain forms and links, no script needed.
"""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tinhso.core import files
from tinhso.core.errors import DomainError, Forbidden, NotFound
from tinhso.core.models import OrgUnit
from tinhso.documents.constants import (
    BusinessType,
    Channel,
    DispatchStatus,
    DocumentType,
    InboundStatus,
    OutgoingStatus,
    Secrecy,
    Urgency,
)
from tinhso.documents.models import Dispatch, InboundMessage, OutgoingDocument
from tinhso.documents.policies import exchange as policies
from tinhso.documents.selectors import exchange as selectors
from tinhso.documents.services import exchange as services
from tinhso.documents.services import transports

PER_PAGE = 50
TAB_LABELS = {
    "pending": gettext_lazy("Chờ vào sổ"),
    "registered": gettext_lazy("Đã vào sổ"),
    "rejected": gettext_lazy("Đã từ chối"),
    "taken_back": gettext_lazy("Bên gửi đã lấy lại"),
}


# Forms ---------------------------------------------------------------------


class DispatchForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Cơ quan, đơn vị trong hệ thống"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    external = forms.CharField(
        label=gettext_lazy("Cơ quan ngoài hệ thống (gửi gói tin edXML)"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "Mỗi dòng một nơi nhận: mã định danh | tên cơ quan, ví dụ "
            "000.00.12.H22 | Sở Nội vụ tỉnh Hà Tĩnh."
        ),
    )

    def __init__(self, *args: Any, candidates: list[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["units"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = OrgUnit.objects.filter(pk__in=[u.pk for u in candidates])
        # Ordered as the tree lists them, not by the database's collation.
        field.choices = [(unit.pk, unit.name) for unit in candidates]

    def clean_external(self) -> list[tuple[str, str]]:
        rows = []
        for number, line in enumerate(self.cleaned_data["external"].splitlines(), 1):
            if not line.strip():
                continue
            for separator in ("|", "\t", ";"):
                if separator in line:
                    code, _sep, name = line.partition(separator)
                    break
            else:
                code, name = line, ""
            if not code.strip():
                raise forms.ValidationError(
                    _("Dòng %(n)s thiếu mã định danh cơ quan.") % {"n": number}
                )
            rows.append((code.strip(), name.strip()))
        return rows


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Lý do"),
        max_length=services.REASON_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Gói tin edXML"),
        help_text=gettext_lazy("Tệp .xml hoặc .edxml nhận từ cơ quan khác."),
    )


# Helpers -------------------------------------------------------------------


def _not_found(exc: NotFound) -> Http404:
    return Http404(exc.message)


def _issued(request: HttpRequest, document_id: int) -> OutgoingDocument:
    try:
        return selectors.get_issued_for(request.user, document_id)
    except NotFound as exc:
        raise _not_found(exc) from exc


def _inbound(request: HttpRequest, message_id: int) -> InboundMessage:
    try:
        return selectors.get_inbound_for(request.user, message_id)
    except NotFound as exc:
        raise _not_found(exc) from exc


def _dispatch(request: HttpRequest, dispatch_id: int) -> Dispatch:
    try:
        return selectors.get_dispatch_for(request.user, dispatch_id)
    except NotFound as exc:
        raise _not_found(exc) from exc


def _refused(request: HttpRequest, exc: DomainError) -> None:
    if isinstance(exc, Forbidden):
        raise PermissionDenied(exc.message) from exc
    messages.error(request, exc.message)


def _dispatches_url(document: OutgoingDocument) -> str:
    return reverse("documents:outgoing_dispatches", args=[document.pk])


def _inbound_url(message: InboundMessage) -> str:
    return reverse("documents:inbound_detail", args=[message.pk])


# Sender's pages --------------------------------------------------------------


@login_required
def outgoing_dispatch(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _issued(request, document_id)
    if not policies.can_dispatch(request.user, document.agency):
        raise PermissionDenied
    q = request.GET.get("q", "").strip()[:100]
    candidates = selectors.recipient_candidates(document.agency, q)
    already = {
        d.recipient_unit_id
        for d in selectors.dispatches_of(document)
        if d.recipient_unit_id is not None
        and d.business_type in selectors.DOCUMENT_TYPES
        and d.status not in selectors.CLOSED
    }
    form = DispatchForm(request.POST or None, candidates=candidates)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                made = services.dispatch_outgoing(
                    document,
                    clerk=request.user,
                    units=list(form.cleaned_data["units"]),
                    external=form.cleaned_data["external"],
                )
            except DomainError as exc:
                if isinstance(exc, Forbidden):
                    raise PermissionDenied(exc.message) from exc
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("Đã gửi văn bản %(number)s tới %(n)s nơi nhận.")
                    % {"number": document.number_symbol, "n": len(made)},
                )
                return redirect(_dispatches_url(document))
        status = 400
    return render(
        request,
        "documents/exchange/dispatch_form.html",
        {
            "document": document,
            "form": form,
            "q": q,
            "already": already,
            "secret": document.secrecy != Secrecy.NORMAL,
            "issued": document.status == OutgoingStatus.ISSUED,
        },
        status=status,
    )


@login_required
@require_GET
def outgoing_dispatches(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _issued(request, document_id)
    can_send = policies.can_dispatch(request.user, document.agency)
    rows = [
        {
            "dispatch": d,
            "can_take_back": can_send
            and d.business_type in selectors.DOCUMENT_TYPES
            and d.status not in (*selectors.CLOSED, DispatchStatus.TAKE_BACK_REQUESTED),
        }
        for d in selectors.dispatches_of(document)
    ]
    return render(
        request,
        "documents/exchange/dispatches.html",
        {
            "document": document,
            "rows": rows,
            "can_send": can_send and document.status == OutgoingStatus.ISSUED,
            "secret": document.secrecy != Secrecy.NORMAL,
            "revoke_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def dispatch_take_back(request: HttpRequest, dispatch_id: int) -> HttpResponse:
    dispatch = _dispatch(request, dispatch_id)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        done = services.take_back(
            dispatch, clerk=request.user, reason=form.cleaned_data.get("reason", "")
        )
    except DomainError as exc:
        _refused(request, exc)
    else:
        if done.status == DispatchStatus.TAKEN_BACK:
            messages.success(
                request,
                _("Đã lấy lại văn bản gửi %(name)s.") % {"name": done.recipient_name},
            )
        else:
            messages.success(
                request,
                _(
                    "Đã đề nghị %(name)s cho lấy lại văn bản; chờ văn thư bên nhận trả lời."
                )
                % {"name": done.recipient_name},
            )
    return redirect(_dispatches_url(dispatch.document))


@login_required
@require_POST
def outgoing_revoke(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _issued(request, document_id)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.revoke_outgoing(
            document, clerk=request.user, reason=form.cleaned_data.get("reason", "")
        )
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("Đã thu hồi văn bản %(number)s; các nơi nhận đã được báo.")
            % {"number": document.number_symbol},
        )
    return redirect(_dispatches_url(document))


@login_required
@require_GET
def dispatch_edxml(request: HttpRequest, dispatch_id: int) -> HttpResponse:
    dispatch = _dispatch(request, dispatch_id)
    try:
        package = services.export_package(dispatch)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_dispatches_url(dispatch.document))
    response = HttpResponse(package, content_type="application/xml; charset=utf-8")
    name = transports.safe_name(dispatch.message_id)
    response["Content-Disposition"] = f'attachment; filename="{name}.xml"'
    files.protect(response)
    patch_cache_control(response, private=True)
    return response


# Recipient's pages -------------------------------------------------------------


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    if not policies.can_open_inbox(request.user):
        raise PermissionDenied
    tab = request.GET.get("tab", "pending")
    if tab not in selectors.INBOX_TABS:
        tab = "pending"
    listing = selectors.inbox(request.user, tab)
    page = Paginator(listing, PER_PAGE).get_page(request.GET.get("page"))
    counts = selectors.inbox_counts(request.user)
    tabs = [
        {"code": code, "label": label, "count": counts[code]}
        for code, label in TAB_LABELS.items()
    ]
    return render(
        request,
        "documents/exchange/inbox.html",
        {"tab": tab, "tabs": tabs, "page": page},
    )


def _detail_context(request: HttpRequest, message: InboundMessage) -> dict[str, Any]:
    try:
        signatures = selectors.signature_checks(message)
    except DomainError as exc:
        signatures = []
        messages.warning(request, exc.message)
    replaced = None
    replaces = message.metadata.get("replaces")
    if replaces:
        replaced = (
            selectors.visible_inbound(request.user)
            .filter(
                agency=message.agency,
                message_id=replaces,
                business_type__in=selectors.DOCUMENT_TYPES,
            )
            .first()
        )
    meta = message.metadata
    doc_type = str(meta.get("doc_type", ""))
    urgency = str(meta.get("urgency") or Urgency.NORMAL)
    try:
        issued = dt.date.fromisoformat(str(meta.get("issued_date")))
    except ValueError:
        issued = None
    pending = message.status == InboundStatus.PENDING
    is_notice = message.business_type == BusinessType.REVOKE
    return {
        "message": message,
        "meta": meta,
        "doc_type_label": (
            DocumentType(doc_type).label if doc_type in DocumentType.values else ""
        ),
        "urgency_label": (
            Urgency(urgency).label if urgency in Urgency.values else urgency
        ),
        "issued_date": issued,
        "signatures": signatures,
        "checked_at": timezone.now(),
        "attachments": list(message.attachments.all()),
        "notices": list(selectors.related_notices(message)),
        "replaced": replaced,
        "can_act": pending and not is_notice,
        "is_notice": is_notice,
        "take_back_requested": selectors.take_back_requested(message),
        "reject_form": ReasonForm(),
        "answer_form": ReasonForm(),
        "receipts": (list(message.dispatch.receipts.all()) if message.dispatch else []),
    }


@login_required
@require_GET
def inbound_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    message = _inbound(request, message_id)
    return render(
        request,
        "documents/exchange/inbound_detail.html",
        _detail_context(request, message),
    )


@login_required
@require_POST
def inbound_register(request: HttpRequest, message_id: int) -> HttpResponse:
    message = _inbound(request, message_id)
    try:
        document = services.register_inbound(message, clerk=request.user)
    except DomainError as exc:
        _refused(request, exc)
        return redirect(_inbound_url(message))
    messages.success(
        request,
        _("Đã vào sổ văn bản đến, số đến %(number)s/%(year)s.")
        % {"number": document.incoming_number, "year": document.year},
    )
    return redirect(_inbound_url(message))


@login_required
@require_POST
def inbound_reject(request: HttpRequest, message_id: int) -> HttpResponse:
    message = _inbound(request, message_id)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.reject_inbound(
            message, clerk=request.user, reason=form.cleaned_data.get("reason", "")
        )
    except DomainError as exc:
        _refused(request, exc)
        return redirect(_inbound_url(message))
    messages.success(request, _("Đã từ chối nhận văn bản; bên gửi đã được báo."))
    return redirect(reverse("documents:inbox"))


@login_required
@require_POST
def inbound_take_back_answer(request: HttpRequest, message_id: int) -> HttpResponse:
    message = _inbound(request, message_id)
    answer = request.POST.get("answer")
    if answer not in ("accept", "refuse"):
        messages.error(request, _("Hãy chọn đồng ý hoặc không đồng ý."))
        return redirect(_inbound_url(message))
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.answer_take_back(
            message,
            clerk=request.user,
            accept=answer == "accept",
            note=form.cleaned_data.get("reason", ""),
        )
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("Đã đồng ý cho bên gửi lấy lại văn bản.")
            if answer == "accept"
            else _("Đã báo bên gửi: không đồng ý cho lấy lại."),
        )
    return redirect(_inbound_url(message))


def _serve(request: HttpRequest, stored: Any) -> FileResponse:
    # Shown in place only when it is a PDF or an image (core.files.response).
    return files.response(stored, download=request.GET.get("download") == "1")


@login_required
@require_GET
def inbound_file(request: HttpRequest, message_id: int) -> HttpResponseBase:
    return _serve(request, _inbound(request, message_id).main_file)


@login_required
@require_GET
def inbound_attachment(
    request: HttpRequest, message_id: int, file_id: int
) -> HttpResponseBase:
    message = _inbound(request, message_id)
    stored = message.attachments.filter(pk=file_id).first()
    if stored is None:
        raise Http404
    return _serve(request, stored)


@login_required
@require_GET
def inbound_package(request: HttpRequest, message_id: int) -> HttpResponseBase:
    message = _inbound(request, message_id)
    if message.package_file is None or message.channel != Channel.EDXML:
        raise Http404
    return files.response(
        message.package_file,
        download=True,
        filename=f"{transports.safe_name(message.message_id)}.xml",
    )


@login_required
def edxml_import(request: HttpRequest) -> HttpResponse:
    if not policies.can_open_inbox(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = services.import_edxml(upload.read(), actor=request.user)
            except DomainError as exc:
                if isinstance(exc, Forbidden):
                    raise PermissionDenied(exc.message) from exc
                form.add_error("file", exc.message)
            else:
                return _after_import(request, result)
        status = 400 if form.errors else 200
    return render(
        request, "documents/exchange/edxml_import.html", {"form": form}, status=status
    )


def _after_import(request: HttpRequest, result: services.ImportResult) -> HttpResponse:
    if result.kind == "status":
        messages.success(
            request,
            _("Đã nhận trạng thái “%(status)s” của văn bản.")
            % {"status": result.status},
        )
        if result.dispatch is not None:
            return redirect(_dispatches_url(result.dispatch.document))
        if result.messages:
            return redirect(_inbound_url(result.messages[0]))
        return redirect(reverse("documents:inbox"))
    if result.created:
        messages.success(request, _("Đã nhận gói tin; văn bản đang chờ vào sổ."))
    else:
        messages.info(request, _("Gói tin này đã được nhận trước đó."))
    return redirect(_inbound_url(result.messages[0]))


urlpatterns = [
    path(
        "outgoing/<int:document_id>/dispatch/",
        outgoing_dispatch,
        name="outgoing_dispatch",
    ),
    path(
        "outgoing/<int:document_id>/dispatches/",
        outgoing_dispatches,
        name="outgoing_dispatches",
    ),
    path("outgoing/<int:document_id>/revoke/", outgoing_revoke, name="outgoing_revoke"),
    path(
        "dispatches/<int:dispatch_id>/take-back/",
        dispatch_take_back,
        name="dispatch_take_back",
    ),
    path("dispatches/<int:dispatch_id>/edxml/", dispatch_edxml, name="dispatch_edxml"),
    path("inbox/", inbox, name="inbox"),
    path("inbox/<int:message_id>/", inbound_detail, name="inbound_detail"),
    path("inbox/<int:message_id>/register/", inbound_register, name="inbound_register"),
    path("inbox/<int:message_id>/reject/", inbound_reject, name="inbound_reject"),
    path(
        "inbox/<int:message_id>/take-back/",
        inbound_take_back_answer,
        name="inbound_take_back_answer",
    ),
    path("inbox/<int:message_id>/file/", inbound_file, name="inbound_file"),
    path(
        "inbox/<int:message_id>/files/<int:file_id>/",
        inbound_attachment,
        name="inbound_attachment",
    ),
    path("inbox/<int:message_id>/edxml/", inbound_package, name="inbound_package"),
    path("edxml/import/", edxml_import, name="edxml_import"),
]
