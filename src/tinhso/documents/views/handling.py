"""Pages for handling incoming documents: my work, backlog, and the acts.

Like ``api/handling.py``: parse, ask the policy, call a service or selector,
render. Plain forms and links; after an act the user goes back to the
document's page (or to "my work" while that page does not exist).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from tinhso.core.errors import DomainError, Forbidden, NotFound
from tinhso.core.models import OrgUnit
from tinhso.documents.constants import HandlingRole, HandlingStatus, IncomingStatus
from tinhso.documents.models import Handling, IncomingDocument
from tinhso.documents.policies import exchange as exchange_policies
from tinhso.documents.policies import handling as policies
from tinhso.documents.selectors import exchange as exchange_selectors
from tinhso.documents.selectors import handling as selectors
from tinhso.documents.selectors import outgoing as outgoing_selectors
from tinhso.documents.services import handling as services

PER_PAGE = 50
# Outgoing drafts listed on "my work"; the rest are one click away.
OUTGOING_SHOWN = 20


def document_url(document_id: int) -> str:
    """The document's own page, or its handling page until that page exists."""
    try:
        return reverse("documents:incoming_detail", kwargs={"document_id": document_id})
    except NoReverseMatch:
        return reverse(
            "documents:incoming_handling", kwargs={"document_id": document_id}
        )


def after_action_url(document_id: int) -> str:
    """Where an act sends the user: the document's page, else "my work"."""
    try:
        return reverse("documents:incoming_detail", kwargs={"document_id": document_id})
    except NoReverseMatch:
        return reverse("documents:my_work")


def _domain_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refusals that escape a view become the platform's 403 and 404 pages."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapped


# Forms -----------------------------------------------------------------------


class HandlersForm(forms.Form):
    """The people and units chosen, by key ("user:12", "unit:5")."""

    lead = forms.ChoiceField(label=gettext_lazy("Xử lý chính"), required=False)
    co = forms.MultipleChoiceField(label=gettext_lazy("Phối hợp"), required=False)
    info = forms.MultipleChoiceField(label=gettext_lazy("Nhận để biết"), required=False)
    deadline = forms.DateField(
        label=gettext_lazy("Hạn xử lý"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    instruction = forms.CharField(
        label=gettext_lazy("Ý kiến chỉ đạo"),
        required=False,
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        candidates: list[selectors.Candidate],
        lead_required: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [(c.key, c.name) for c in candidates]
        self.candidates = candidates
        self.lead_required = lead_required
        for name in ("lead", "co", "info"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices

    def clean_lead(self) -> str:
        lead: str = self.cleaned_data.get("lead") or ""
        data: Any = self.data
        if len(data.getlist("lead")) > 1 or (self.lead_required and not lead):
            raise forms.ValidationError(
                _("Cần chọn đúng một người hoặc đơn vị xử lý chính.")
            )
        return lead

    def chosen(self) -> dict[str, Any]:
        """Keys as the candidate table shows them checked."""
        source: Any = self.data if self.is_bound else self.initial
        if self.is_bound:
            return {
                "lead": source.get("lead", ""),
                "co": set(source.getlist("co")),
                "info": set(source.getlist("info")),
            }
        return {
            "lead": source.get("lead", ""),
            "co": set(source.get("co", ())),
            "info": set(source.get("info", ())),
        }

    def handlers(self) -> dict[str, Any]:
        """The service's keyword arguments for the people and units chosen."""
        data = self.cleaned_data
        lead = data["lead"]
        found = selectors.resolve_handlers(
            ([lead] if lead else []) + list(data["co"]) + list(data["info"])
        )
        offset = 1 if lead else 0
        return {
            "lead": found[0] if lead else None,
            "co": found[offset : offset + len(data["co"])],
            "info": found[offset + len(data["co"]) :],
            "deadline": data["deadline"],
            "instruction": data["instruction"],
        }


class OpinionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Ý kiến xử lý"),
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    progress = forms.IntegerField(
        label=gettext_lazy("Tiến độ (%)"),
        required=False,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    handling = forms.ChoiceField(label=gettext_lazy("Phần việc"), required=False)

    def __init__(
        self, *args: Any, targets: list[selectors.Node], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["handling"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (
                str(node.handling.pk),
                f"{node.handling.get_role_display()} — {node.handler_name}",
            )
            for node in targets
        ]


class NoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Kết quả xử lý"),
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self, *args: Any, label: str = "", required: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].required = required
        if label:
            self.fields["note"].label = label


# Lists -------------------------------------------------------------------------


@login_required
@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    if not policies.has_work(request.user):
        raise PermissionDenied
    items = selectors.my_work(request.user)
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    rows = [(item, document_url(item.document.pk)) for item in page.object_list]
    # Drafts to review, sign or issue, and electronic documents to register,
    # wait on the same person: one list of work, whatever kind it is.
    outgoing = list(
        outgoing_selectors.waiting_for(request.user)
        .select_related("drafter", "agency")
        .order_by("updated_at")[:OUTGOING_SHOWN]
    )
    inbox_pending = (
        exchange_selectors.inbox_counts(request.user)["pending"]
        if exchange_policies.can_open_inbox(request.user)
        else 0
    )
    return render(
        request,
        "documents/handling/my_work.html",
        {
            "page": page,
            "rows": rows,
            "overdue": sum(1 for item in items if item.overdue),
            "near_due": sum(1 for item in items if item.near_due),
            "total": len(items),
            "perms_backlog": policies.can_view_backlog(request.user),
            "outgoing": outgoing,
            "inbox_pending": inbox_pending,
        },
    )


@login_required
@require_GET
def backlog(request: HttpRequest) -> HttpResponse:
    if not policies.can_view_backlog(request.user):
        raise PermissionDenied
    result = selectors.backlog(request.user, state=request.GET.get("state", ""))
    page = Paginator(result.documents, PER_PAGE).get_page(request.GET.get("page"))
    rows = [(document, document_url(document.pk)) for document in page.object_list]
    return render(
        request,
        "documents/handling/backlog.html",
        {"backlog": result, "page": page, "rows": rows},
    )


# One document --------------------------------------------------------------------


def _panel_page(
    request: HttpRequest,
    document: IncomingDocument,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    context = {
        "document": document,
        "document_url": document_url(document.pk),
        **context,
    }
    return render(request, template, context, status=status)


@login_required
@require_GET
@_domain_errors
def handling_page(request: HttpRequest, document_id: int) -> HttpResponse:
    """The document's handling on a page of its own."""
    document = selectors.get_document_for(request.user, document_id)
    return _panel_page(
        request,
        document,
        "documents/handling/handling.html",
        {"handling": selectors.panel(request.user, document)},
    )


def _show(form: forms.Form, exc: DomainError) -> None:
    field = {
        "handling_deadline_past": "deadline",
        "handling_deadline_after_parent": "deadline",
        "handling_lead_required": "lead",
        "handling_bad_progress": "progress",
    }.get(exc.code)
    form.add_error(field if field in form.fields else None, exc.message)


def _applied(form: forms.Form, act: Callable[[], object]) -> bool:
    """Run a service act for a valid form. A refusal other than Forbidden
    (which stays a 403) is shown on the form, and nothing is done."""
    try:
        act()
    except Forbidden:
        raise
    except DomainError as exc:
        _show(form, exc)
        return False
    return True


def _initial_handlers(document: IncomingDocument) -> dict[str, Any]:
    """The current assignment, so a change starts from it."""
    rows = [
        row
        for row in selectors.rows_of(document)
        if row.parent_id is None and row.status == HandlingStatus.OPEN
    ]
    key = services.row_key
    initial: dict[str, Any] = {
        "lead": next((key(r) for r in rows if r.role == HandlingRole.LEAD), ""),
        "co": [key(r) for r in rows if r.role == HandlingRole.CO],
        "info": [key(r) for r in rows if r.role == HandlingRole.INFO],
        "deadline": document.deadline,
    }
    lead = next((r for r in rows if r.role == HandlingRole.LEAD), None)
    if lead is not None:
        initial["instruction"] = lead.instruction
    return initial


@login_required
@require_http_methods(["GET", "POST"])
@_domain_errors
def assign(request: HttpRequest, document_id: int) -> HttpResponse:
    document = selectors.get_document_for(request.user, document_id)
    if not policies.can_assign(request.user, document):
        raise PermissionDenied
    assigned = document.status != IncomingStatus.REGISTERED
    candidates = selectors.candidates(document.agency)
    form = HandlersForm(
        request.POST or None,
        candidates=candidates,
        lead_required=True,
        initial=_initial_handlers(document) if assigned else {},
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _applied(
            form, lambda: services.assign(document, request.user, **form.handlers())
        )
    ):
        messages.success(
            request,
            _("Đã thay đổi phân công xử lý.")
            if assigned
            else _("Đã phân công xử lý văn bản."),
        )
        return redirect(after_action_url(document.pk))
    return _panel_page(
        request,
        document,
        "documents/handling/assign.html",
        {
            "form": form,
            "chosen": form.chosen(),
            "candidates": candidates,
            "assigned": assigned,
            "today": timezone.localdate().isoformat(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@_domain_errors
def reassign(request: HttpRequest, handling_id: int) -> HttpResponse:
    row = selectors.get_handling_for(request.user, handling_id)
    document = row.document
    if not policies.can_reassign(request.user, row, document):
        raise PermissionDenied
    own_unit: OrgUnit | None = row.unit
    if own_unit is None and row.user is not None:
        own_unit = row.user.org_unit
    candidates = (
        selectors.candidates(own_unit, exclude=request.user) if own_unit else []
    )
    form = HandlersForm(
        request.POST or None,
        candidates=candidates,
        lead_required=False,
        initial={"deadline": row.deadline},
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _applied(
            form, lambda: services.reassign(row, request.user, **form.handlers())
        )
    ):
        messages.success(request, _("Đã phân công tiếp phần việc."))
        return redirect(after_action_url(document.pk))
    return _panel_page(
        request,
        document,
        "documents/handling/assign.html",
        {
            "form": form,
            "chosen": form.chosen(),
            "candidates": candidates,
            "part": row,
            "part_name": selectors.handler_label(row),
            "own_unit": own_unit,
        },
        status=400 if form.errors else 200,
    )


def _targets(request: HttpRequest, document: IncomingDocument) -> list[selectors.Node]:
    return list(selectors.panel(request.user, document)["opinion_targets"])


@login_required
@require_http_methods(["GET", "POST"])
@_domain_errors
def opinion(request: HttpRequest, document_id: int) -> HttpResponse:
    document = selectors.get_document_for(request.user, document_id)
    targets = _targets(request, document)
    if not targets:
        raise PermissionDenied
    form = OpinionForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen: Handling | None = next(
            (n.handling for n in targets if str(n.handling.pk) == data["handling"]),
            None,
        )
        if _applied(
            form,
            lambda: services.record_opinion(
                document,
                request.user,
                text=data["text"],
                progress=data["progress"],
                handling=chosen,
            ),
        ):
            messages.success(request, _("Đã ghi ý kiến xử lý."))
            return redirect(after_action_url(document.pk))
    return _panel_page(
        request,
        document,
        "documents/handling/opinion.html",
        {"form": form, "targets": targets},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@_domain_errors
def close(request: HttpRequest, document_id: int) -> HttpResponse:
    document = selectors.get_document_for(request.user, document_id)
    if not policies.can_close(request.user, document, selectors.rows_of(document)):
        raise PermissionDenied
    form = NoteForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _applied(
            form,
            lambda: services.close(
                document, request.user, note=form.cleaned_data["note"]
            ),
        )
    ):
        messages.success(request, _("Đã hoàn thành xử lý văn bản."))
        return redirect(after_action_url(document.pk))
    return _panel_page(
        request,
        document,
        "documents/handling/close.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@_domain_errors
def done(request: HttpRequest, handling_id: int) -> HttpResponse:
    row = selectors.get_handling_for(request.user, handling_id)
    document = row.document
    rows = {r.pk: r for r in selectors.rows_of(document)}
    if not policies.can_mark_done(request.user, row, document, rows):
        raise PermissionDenied
    reading = row.role == HandlingRole.INFO
    form = NoteForm(
        request.POST or None,
        required=False,
        label=_("Ghi chú") if reading else _("Kết quả phần việc"),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _applied(
            form,
            lambda: services.mark_done(
                row, request.user, note=form.cleaned_data["note"]
            ),
        )
    ):
        messages.success(
            request,
            _("Đã đánh dấu đã đọc.") if reading else _("Đã xong phần việc phối hợp."),
        )
        return redirect(after_action_url(document.pk))
    return _panel_page(
        request,
        document,
        "documents/handling/done.html",
        {
            "form": form,
            "part": row,
            "part_name": selectors.handler_label(row),
            "reading": reading,
        },
        status=400 if form.errors else 200,
    )


urlpatterns: list[URLPattern] = [
    path("my-work/", my_work, name="my_work"),
    path("backlog/", backlog, name="backlog"),
    path(
        "incoming/<int:document_id>/handling/", handling_page, name="incoming_handling"
    ),
    path("incoming/<int:document_id>/assign/", assign, name="incoming_assign"),
    path("incoming/<int:document_id>/opinion/", opinion, name="incoming_opinion"),
    path("incoming/<int:document_id>/close/", close, name="incoming_close"),
    path("handlings/<int:handling_id>/reassign/", reassign, name="handling_reassign"),
    path("handlings/<int:handling_id>/done/", done, name="handling_done"),
]
