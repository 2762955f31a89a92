"""Pages for outgoing documents (see tinhso.documents.urls).

Like the API: parse, ask the policy, call a service or selector, render.
Every act is a plain form posted to its own URL, answered with a redirect
to the document (its message shown there); a refusal by policy is a 403,
a document the user may not see a 404.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tinhso.accounts.models import User
from tinhso.core import files
from tinhso.core.errors import DomainError, Forbidden, NotFound
from tinhso.core.models import OrgUnit, StoredFile
from tinhso.documents.constants import DocumentType, OutgoingStatus, Secrecy, Urgency
from tinhso.documents.models import OutgoingDocument
from tinhso.documents.policies import outgoing as policies
from tinhso.documents.selectors import outgoing as selectors
from tinhso.documents.services import outgoing as services
from tinhso.pki import selectors as pki_selectors

PER_PAGE = 50
TABS = ("waiting", "mine", "issued")
# The register the issued tab keeps: Decree 30 numbers documents marked Mật
# or above in a series of their own (services.outgoing.outgoing_register).
SERIES = {"ordinary": False, "secret": True}
SERIES_CHOICES = [
    ("", gettext_lazy("Cả hai sổ")),
    ("ordinary", gettext_lazy("Sổ văn bản thường")),
    ("secret", gettext_lazy("Sổ văn bản mật")),
]
CHAIN_SPARE_ROWS = 2

# Which form field a service's refusal belongs next to.
FIELD_OF_ERROR = {
    "outgoing_bad_type": "doc_type",
    "outgoing_subject_required": "subject",
    "outgoing_bad_urgency": "urgency",
    "outgoing_bad_secrecy": "secrecy",
    "outgoing_signer_required": "signer",
    "outgoing_bad_signer": "signer",
    "outgoing_bad_drafting_unit": "drafting_unit",
    "outgoing_field_too_long": "signer_position",
}


class DraftForm(forms.Form):
    # Công văn is what agencies write most; the form starts there.
    doc_type = forms.ChoiceField(
        label=gettext_lazy("Loại văn bản"),
        choices=DocumentType.choices,
        initial=DocumentType.OFFICIAL_LETTER,
    )
    subject = forms.CharField(
        label=gettext_lazy("Trích yếu"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    urgency = forms.ChoiceField(
        label=gettext_lazy("Độ khẩn"), choices=Urgency.choices, initial=Urgency.NORMAL
    )
    secrecy = forms.ChoiceField(
        label=gettext_lazy("Độ mật"), choices=Secrecy.choices, initial=Secrecy.NORMAL
    )
    signer = forms.ModelChoiceField(
        label=gettext_lazy("Người ký"), queryset=User.objects.none()
    )
    signer_position = forms.CharField(
        label=gettext_lazy("Chức vụ người ký"),
        required=False,
        max_length=150,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Như sẽ in trên văn bản, mỗi dòng một dòng, ví dụ “KT. GIÁM ĐỐC” rồi "
            "“PHÓ GIÁM ĐỐC”."
        ),
    )
    recipients_note = forms.CharField(
        label=gettext_lazy("Nơi nhận"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    drafting_unit = forms.ModelChoiceField(
        label=gettext_lazy("Đơn vị soạn thảo"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=gettext_lazy("Đơn vị công tác của tôi"),
    )
    file = forms.FileField(
        label=gettext_lazy("Tệp dự thảo (DOCX hoặc PDF)"),
        help_text=gettext_lazy(
            "Tệp DOCX được chuyển sang PDF để duyệt và ký; bản gốc vẫn được giữ."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.pdf"}),
    )
    note = forms.CharField(
        label=gettext_lazy("Ghi chú cho phiên bản"), required=False, max_length=500
    )

    def __init__(self, *args: Any, agency: OrgUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        signer = self.fields["signer"]
        unit = self.fields["drafting_unit"]
        assert isinstance(signer, forms.ModelChoiceField)
        assert isinstance(unit, forms.ModelChoiceField)
        signer.queryset = selectors.agency_leaders(agency)
        unit.queryset = OrgUnit.objects.filter(
            pk__in=[u.pk for u in selectors.departments_of(agency)]
        ).order_by("path")


class VersionForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp dự thảo mới (DOCX hoặc PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.pdf"}),
    )
    note = forms.CharField(
        label=gettext_lazy("Đã sửa gì"), required=False, max_length=500
    )


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Ý kiến"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class ForwardForm(CommentForm):
    to_user = forms.ModelChoiceField(
        label=gettext_lazy("Chuyển cho"), queryset=User.objects.none()
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = candidates


class ChainForm(forms.Form):
    """One row (step name, reviewer) per step; empty rows are dropped."""

    def __init__(self, *args: Any, officials: Any, rows: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for i in range(rows):
            self.fields[f"label_{i}"] = forms.CharField(
                label=gettext_lazy("Tên bước"), required=False, max_length=100
            )
            self.fields[f"reviewer_{i}"] = forms.ModelChoiceField(
                label=gettext_lazy("Người duyệt"), queryset=officials, required=False
            )

    def row_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"label_{i}"], self[f"reviewer_{i}"]) for i in range(self.rows)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(self.rows):
            label, reviewer = data.get(f"label_{i}"), data.get(f"reviewer_{i}")
            if label and not reviewer:
                self.add_error(f"reviewer_{i}", _("Hãy chọn người duyệt cho bước này."))
            if reviewer and not label:
                self.add_error(f"label_{i}", _("Hãy đặt tên cho bước này."))
        return data

    def steps(self) -> list[tuple[str, Any]]:
        data = self.cleaned_data
        return [
            (data[f"label_{i}"], data[f"reviewer_{i}"])
            for i in range(self.rows)
            if data.get(f"label_{i}") and data.get(f"reviewer_{i}")
        ]


def _detail_url(document: OutgoingDocument) -> str:
    return reverse("documents:outgoing_detail", kwargs={"document_id": document.pk})


def _show_error(form: forms.Form, exc: DomainError) -> None:
    name = FIELD_OF_ERROR.get(exc.code)
    form.add_error(name if name in form.fields else None, exc.message)


# Lists ------------------------------------------------------------------


@login_required
@require_GET
def outgoing_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    tab = request.GET.get("tab", "waiting")
    if tab not in TABS:
        tab = "waiting"
    q = request.GET.get("q", "").strip()[:200]
    doc_type = request.GET.get("doc_type", "")
    if doc_type not in DocumentType.values:
        doc_type = ""
    series = request.GET.get("series", "")
    series = series if series in SERIES else ""
    series_choices: list[tuple[str, Any]] = []
    if tab == "waiting":
        listing = selectors.waiting_for(user)
    elif tab == "mine":
        listing = selectors.my_drafts(user)
    else:
        listing = selectors.search_issued(
            user, q, doc_type=doc_type, secret_series=SERIES.get(series)
        )
        # The secret register's filter, for those who may see a number in it.
        if series or selectors.search_issued(user, secret_series=True).exists():
            series_choices = SERIES_CHOICES
    page = Paginator(listing, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "documents/outgoing/list.html",
        {
            "tab": tab,
            "q": q,
            "doc_type": doc_type,
            "series": series,
            "series_choices": series_choices,
            "page": page,
            "types": DocumentType.choices,
            "can_draft": bool(selectors.drafting_agencies(user)),
            "can_configure": selectors.chain_agencies(user).exists(),
            "waiting_count": selectors.waiting_for(user).count(),
        },
    )


# Drafting -----------------------------------------------------------------


def _drafting_agency(request: HttpRequest) -> tuple[OrgUnit, list[OrgUnit]]:
    agencies = selectors.drafting_agencies(request.user)
    if not agencies:
        raise PermissionDenied
    wanted = request.GET.get("agency") or request.POST.get("agency")
    chosen = next((a for a in agencies if str(a.pk) == wanted), agencies[0])
    return chosen, agencies


@login_required
def outgoing_new(request: HttpRequest) -> HttpResponse:
    agency, agencies = _drafting_agency(request)
    form = DraftForm(request.POST or None, request.FILES or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            document = services.create_draft(
                agency=agency,
                drafter=request.user,
                fields=services.DraftFields(
                    doc_type=data["doc_type"],
                    subject=data["subject"],
                    signer=data["signer"],
                    signer_position=data["signer_position"],
                    urgency=data["urgency"],
                    secrecy=data["secrecy"],
                    recipients_note=data["recipients_note"],
                    drafting_unit=data["drafting_unit"],
                ),
                file=upload,
                file_name=upload.name,
                note=data["note"],
            )
        except Forbidden as exc:
            raise PermissionDenied from exc
        except DomainError as exc:
            _show_error(form, exc)
        else:
            messages.success(request, _("Đã lưu dự thảo, phiên bản 1."))
            return redirect(_detail_url(document))
    return render(
        request,
        "documents/outgoing/new.html",
        {"form": form, "agency": agency, "agencies": agencies},
        status=400 if form.errors else 200,
    )


# Detail -------------------------------------------------------------------


def _current_pdf(
    document: OutgoingDocument, latest: Any
) -> tuple[str, StoredFile] | None:
    if document.issued_file is not None:
        return "issued", document.issued_file
    if document.signed_file is not None:
        return "signed", document.signed_file
    if latest is not None:
        return f"v{latest.number}", latest.pdf_file
    return None


@login_required
@require_GET
def outgoing_detail(request: HttpRequest, document_id: int) -> HttpResponse:
    user: Any = request.user
    document = _visible(request, document_id)
    versions = list(selectors.versions_of(document))
    latest = versions[-1] if versions else None
    steps = list(selectors.review_chain(document.agency))
    can_review = policies.can_review(user, document)
    candidates = selectors.agency_officials(document.agency).exclude(pk=user.pk)
    context = {
        "document": document,
        "version_rows": [
            (
                version,
                _file_url(document, f"v{version.number}"),
                _file_url(document, f"v{version.number}-source")
                if version.source_file_id != version.pdf_file_id
                else None,
            )
            for version in versions
        ],
        "latest": latest,
        "current_pdf": _current_pdf(document, latest),
        "history": list(selectors.history_of(document)),
        "steps": steps,
        "attachments": list(document.attachments.select_related("file")),
        "can_edit": policies.can_edit_draft(user, document),
        "can_submit": policies.can_submit(user, document),
        "can_review": can_review,
        "can_return": policies.can_return(user, document),
        "can_sign": policies.can_sign(user, document),
        "can_issue": policies.can_issue(user, document),
        "has_certificate": pki_selectors.certificate_of(user) is not None,
        "has_seal": pki_selectors.certificate_of(document.agency) is not None,
        "version_form": VersionForm(),
        "submit_form": CommentForm(prefix="submit"),
        "approve_form": CommentForm(prefix="approve"),
        "forward_form": (
            ForwardForm(candidates=candidates, prefix="forward") if can_review else None
        ),
        "statuses": OutgoingStatus,
    }
    return render(request, "documents/outgoing/detail.html", context)


def _file_url(document: OutgoingDocument, which: str) -> str:
    return reverse(
        "documents:outgoing_file", kwargs={"document_id": document.pk, "which": which}
    )


def _visible(request: HttpRequest, document_id: int) -> OutgoingDocument:
    try:
        return selectors.get_outgoing_for(request.user, document_id)
    except NotFound as exc:
        raise Http404 from exc


def _act(
    request: HttpRequest,
    document: OutgoingDocument,
    act: Callable[[], Any],
    done: str | Callable[[], str],
) -> HttpResponse:
    """Run a service act; a policy refusal is a 403, other refusals a message."""
    try:
        act()
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done if isinstance(done, str) else done())
    return redirect(_detail_url(document))


def _comment(request: HttpRequest, prefix: str) -> str:
    form = CommentForm(request.POST, prefix=prefix)
    return form.cleaned_data["comment"] if form.is_valid() else ""


@login_required
@require_POST
def outgoing_submit(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _visible(request, document_id)
    return _act(
        request,
        document,
        lambda: services.submit(
            document, request.user, comment=_comment(request, "submit")
        ),
        _("Đã trình dự thảo."),
    )


@login_required
@require_POST
def outgoing_approve(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _visible(request, document_id)
    return _act(
        request,
        document,
        lambda: services.approve(
            document, request.user, comment=_comment(request, "approve")
        ),
        _("Đã đồng ý, chuyển bước tiếp theo."),
    )


@login_required
@require_POST
def outgoing_return(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _visible(request, document_id)
    return _act(
        request,
        document,
        lambda: services.return_draft(
            document, request.user, comment=_comment(request, "return")
        ),
        _("Đã trả lại dự thảo cho người soạn thảo."),
    )


@login_required
@require_POST
def outgoing_forward(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _visible(request, document_id)
    if not policies.can_review(request.user, document):
        raise PermissionDenied
    form = ForwardForm(
        request.POST,
        candidates=selectors.agency_officials(document.agency),
        prefix="forward",
    )
    if not form.is_valid():
        messages.error(request, _("Hãy chọn cán bộ để chuyển tiếp."))
        return redirect(_detail_url(document))
    return _act(
        request,
        document,
        lambda: services.forward(
            document,
            request.user,
            to_user=form.cleaned_data["to_user"],
            comment=form.cleaned_data["comment"],
        ),
        _("Đã chuyển tiếp dự thảo."),
    )


@login_required
@require_POST
def outgoing_upload(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _visible(request, document_id)
    form = VersionForm(request.POST, request.FILES)
    if not form.is_valid():
        if not policies.can_edit_draft(request.user, document):
            raise PermissionDenied
        messages.error(request, _("Hãy chọn tệp dự thảo mới."))
        return redirect(_detail_url(document))
    upload = form.cleaned_data["file"]
    return _act(
        request,
        document,
        lambda: services.upload_version(
            document,
            request.user,
            file=upload,
            file_name=upload.name,
            note=form.cleaned_data["note"],
        ),
        _("Đã lưu phiên bản mới của dự thảo."),
    )


@login_required
@require_POST
def outgoing_sign(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _visible(request, document_id)
    return _act(
        request,
        document,
        lambda: services.sign_outgoing(document, request.user),
        _("Đã ký số văn bản."),
    )


@login_required
@require_POST
def outgoing_issue(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _visible(request, document_id)
    return _act(
        request,
        document,
        lambda: services.issue_outgoing(document, request.user),
        lambda: (
            (
                _("Đã cấp số %(symbol)s trong sổ văn bản mật và phát hành văn bản.")
                if document.secret_series
                else _("Đã cấp số %(symbol)s và phát hành văn bản.")
            )
            % {"symbol": document.number_symbol}
        ),
    )


@login_required
@require_GET
def outgoing_file(
    request: HttpRequest, document_id: int, which: str
) -> HttpResponseBase:
    """A version's PDF ("v2") or upload ("v2-source"), the signed or issued PDF."""
    document = _visible(request, document_id)
    stored: StoredFile | None
    if which == "signed":
        stored = document.signed_file
    elif which == "issued":
        stored = document.issued_file
    elif which.startswith("v"):
        number, _sep, part = which[1:].partition("-")
        if part not in ("", "source"):
            raise Http404
        try:
            version = selectors.get_version(document, number)
        except NotFound as exc:
            raise Http404 from exc
        stored = version.source_file if part == "source" else version.pdf_file
    else:
        raise Http404
    if stored is None:
        raise Http404
    # "?inline=1" shows a PDF in place (core.files.response); drafts are
    # kept out of every cache.
    return files.response(
        stored, download=request.GET.get("inline") != "1", no_store=True
    )


# Review chain -------------------------------------------------------------


@login_required
def review_chain(request: HttpRequest) -> HttpResponse:
    agencies = list(selectors.chain_agencies(request.user))
    if not agencies:
        raise PermissionDenied
    wanted = request.GET.get("agency") or request.POST.get("agency")
    agency = next((a for a in agencies if str(a.pk) == wanted), agencies[0])
    if not policies.can_configure_chain(request.user, agency):
        raise PermissionDenied
    steps = list(selectors.review_chain(agency))
    officials = selectors.agency_officials(agency)
    rows = len(steps) + CHAIN_SPARE_ROWS
    if request.method == "POST":
        rows = max(rows, int(request.POST.get("rows", rows) or rows))
        rows = min(rows, services.MAX_REVIEW_STEPS + CHAIN_SPARE_ROWS)
        form = ChainForm(request.POST, officials=officials, rows=rows)
        if form.is_valid():
            try:
                services.set_review_chain(agency, request.user, form.steps())
            except Forbidden as exc:
                raise PermissionDenied from exc
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Đã lưu quy trình trình duyệt."))
                url = reverse("documents:review_chain")
                return redirect(f"{url}?{urlencode({'agency': agency.pk})}")
    else:
        initial: dict[str, Any] = {}
        for i, step in enumerate(steps):
            initial[f"label_{i}"] = step.label
            initial[f"reviewer_{i}"] = step.reviewer
        form = ChainForm(initial=initial, officials=officials, rows=rows)
    return render(
        request,
        "documents/outgoing/review_chain.html",
        {
            "agency": agency,
            "agencies": agencies if len(agencies) > 1 else [],
            "steps": steps,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


urlpatterns: list[URLPattern] = [
    path("outgoing/", outgoing_list, name="outgoing_list"),
    path("outgoing/new/", outgoing_new, name="outgoing_new"),
    path("outgoing/review-chain/", review_chain, name="review_chain"),
    path("outgoing/<int:document_id>/", outgoing_detail, name="outgoing_detail"),
    path("outgoing/<int:document_id>/submit/", outgoing_submit, name="outgoing_submit"),
    path(
        "outgoing/<int:document_id>/approve/",
        outgoing_approve,
        name="outgoing_approve",
    ),
    path("outgoing/<int:document_id>/return/", outgoing_return, name="outgoing_return"),
    path(
        "outgoing/<int:document_id>/forward/",
        outgoing_forward,
        name="outgoing_forward",
    ),
    path(
        "outgoing/<int:document_id>/versions/",
        outgoing_upload,
        name="outgoing_upload",
    ),
    path("outgoing/<int:document_id>/sign/", outgoing_sign, name="outgoing_sign"),
    path("outgoing/<int:document_id>/issue/", outgoing_issue, name="outgoing_issue"),
    path(
        "outgoing/<int:document_id>/files/<str:which>/",
        outgoing_file,
        name="outgoing_file",
    ),
]
