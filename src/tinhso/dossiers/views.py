"""Catalog pages: the public search and procedure page, and the
administrators' import and export. Thin: forms in, selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tinhso.core.errors import DomainError, NotFound
from tinhso.core.pagination import CappedPaginator
from tinhso.dossiers import catalog_table
from tinhso.dossiers.forms import CatalogImportForm, CatalogSearchForm
from tinhso.dossiers.policies import can_manage_catalog
from tinhso.dossiers.selectors import catalog as selectors
from tinhso.dossiers.services import catalog as services

PER_PAGE = 20


@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    form = CatalogSearchForm(request.GET)
    filters = form.filters()
    procedures = selectors.search_procedures(
        filters.get("q", ""),
        level=filters.get("level", ""),
        field=filters.get("field", ""),
        service_level=filters.get("service_level", ""),
    )
    page = CappedPaginator(procedures, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "searching": any(filters.values()),
    }
    return render(request, "dossiers/catalog/list.html", context)


@require_GET
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        procedure = selectors.get_procedure(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "dossiers/catalog/detail.html", {"procedure": procedure})


def _require_manager(request: HttpRequest) -> None:
    if not can_manage_catalog(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def catalog_admin(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = CatalogImportForm()
    problems: list[str] = []
    if request.method == "POST":
        form = CatalogImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = services.import_catalog(upload.read(), upload.name or "")
            except DomainError as exc:
                problems = list(exc.extra.get("problems", [])) or [exc.message]
                form.add_error("file", exc.message)
            else:
                messages.success(
                    request,
                    _(
                        "Đã nạp danh mục: %(created)s thủ tục mới, %(updated)s thủ tục "
                        "cập nhật, %(fields)s lĩnh vực mới."
                    )
                    % {
                        "created": report.created,
                        "updated": report.updated,
                        "fields": report.fields_created,
                    },
                )
                return redirect("dossiers:catalog_admin")
    context = {
        "form": form,
        "problems": problems,
        "total": selectors.published_procedures().count(),
    }
    status = 400 if problems or form.errors else 200
    return render(request, "dossiers/catalog/admin.html", context, status=status)


@login_required
@require_GET
def catalog_export(request: HttpRequest, kind: str) -> HttpResponse:
    _require_manager(request)
    if kind not in (catalog_table.XLSX, catalog_table.CSV):
        raise Http404
    content = selectors.export_catalog(kind)
    response = HttpResponse(content, content_type=catalog_table.CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="danh-muc-thu-tuc.{kind}"'
    return response
