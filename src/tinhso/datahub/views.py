"""Pages of the data-sharing platform (services, clients and grants,
usage and the access log, datasets) and of the public open data portal.
Thin: forms in, selectors and services."""

import csv
import io
from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhso.core import files, sharing
from tinhso.core.errors import DomainError
from tinhso.core.forms import refuse as _failed
from tinhso.core.models import OrgUnit
from tinhso.core.pagination import CappedPaginator
from tinhso.datahub import dcat, opendata, policies, selectors, services
from tinhso.datahub.accesslog import verify
from tinhso.datahub.forms import (
    ClientForm,
    DatasetForm,
    GrantForm,
    LiveViewForm,
    PortalSearchForm,
    RotateForm,
    ServiceEditForm,
    ServiceForm,
    UploadForm,
)
from tinhso.datahub.models import (
    Client,
    ClientKey,
    DataService,
    Dataset,
    Grant,
    Resource,
)

PER_PAGE = 20
PREVIEW_ROWS = 50
VERIFIED_ON_PAGE = 10_000


def _require_datahub(request: HttpRequest) -> None:
    if not policies.can_use_datahub(request.user):
        raise PermissionDenied


# Data services ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def service_list(request: HttpRequest) -> HttpResponse:
    _require_datahub(request)
    units = policies.managed_units(request.user)
    form = ServiceForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            service = services.create_service(
                request.user,
                code=data["code"],
                name=data["name"],
                description=data["description"],
                owner=data["owner"],
                classification=data["classification"],
                source=data["source"],
            )
        except DomainError as exc:
            _failed(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Đã tạo dịch vụ “%(name)s” (bản nháp); công bố để cấp quyền khai thác."
                )
                % {"name": service.name},
            )
            return redirect("datahub:service_detail", service.code)
    context = {
        "services": selectors.catalog_for(request.user),
        "form": form,
    }
    status = 400 if form.errors else 200
    return render(request, "datahub/services.html", context, status=status)


def _service(request: HttpRequest, code: str) -> DataService:
    service = selectors.catalog_for(request.user).filter(code=code).first()
    if service is None:
        raise Http404(_("Không tìm thấy dịch vụ."))
    return service


@login_required
@require_http_methods(["GET", "POST"])
def service_detail(request: HttpRequest, code: str) -> HttpResponse:
    _require_datahub(request)
    service = _service(request, code)
    manages = policies.can_manage_service(request.user, service)
    grant_form = GrantForm(request.POST or None, service=service)
    edit_form = ServiceEditForm(
        initial={
            "name": service.name,
            "description": service.description,
            "classification": service.classification,
        }
    )
    if request.method == "POST":
        if not manages:
            raise PermissionDenied
        if grant_form.is_valid():
            data = grant_form.cleaned_data
            try:
                services.grant_access(
                    request.user,
                    client=data["client"],
                    service=service,
                    purpose=data["purpose"],
                    fields=data["allowed_fields"],
                    personal_data=data.get("personal_data", False),
                    daily_quota=data["daily_quota"],
                    valid_until=data["valid_until"],
                )
            except DomainError as exc:
                _failed(grant_form, exc)
            else:
                messages.success(
                    request,
                    _("Đã cấp quyền khai thác cho “%(client)s”.")
                    % {"client": data["client"].name},
                )
                return redirect("datahub:service_detail", service.code)
    provider = (
        sharing.providers.get(service.source)
        if service.source in sharing.providers
        else None
    )
    # Who holds the service and what they asked is the owner's to see.
    context = {
        "service": service,
        "provider": provider,
        "manages": manages,
        "grants": selectors.live_grants(service=service) if manages else [],
        "grant_form": grant_form,
        "edit_form": edit_form,
        "usage": (
            selectors.usage(services=DataService.objects.filter(pk=service.pk))
            if manages
            else []
        ),
        "entries": (
            selectors.shown_entries(
                selectors.access_entries(service_codes=[service.code])[:20]
            )
            if manages
            else []
        ),
    }
    status = 400 if grant_form.errors else 200
    return render(request, "datahub/service_detail.html", context, status=status)


@login_required
@require_POST
def service_edit(request: HttpRequest, code: str) -> HttpResponse:
    _require_datahub(request)
    service = _service(request, code)
    form = ServiceEditForm(request.POST)
    if form.is_valid():
        try:
            services.update_service(request.user, service, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã lưu thông tin dịch vụ."))
    else:
        messages.error(request, _("Thông tin dịch vụ chưa hợp lệ; chưa lưu."))
    return redirect("datahub:service_detail", service.code)


@login_required
@require_POST
def service_status(request: HttpRequest, code: str, act: str) -> HttpResponse:
    _require_datahub(request)
    service = _service(request, code)
    try:
        if act == "publish":
            services.publish_service(request.user, service)
            messages.success(request, _("Dịch vụ đã được công bố."))
        elif act == "retire":
            services.retire_service(request.user, service)
            messages.success(
                request, _("Dịch vụ đã ngừng cung cấp; mọi lượt gọi bị từ chối.")
            )
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("datahub:service_detail", service.code)


@login_required
@require_POST
def grant_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    _require_datahub(request)
    grant = (
        Grant.objects.select_related("service__owner", "client")
        .filter(pk=grant_id)
        .first()
    )
    if grant is None:
        raise Http404
    try:
        services.revoke_grant(request.user, grant)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Đã thu hồi quyền của “%(client)s”; lượt gọi tiếp theo bị từ chối.")
            % {"client": grant.client.name},
        )
    return redirect("datahub:service_detail", grant.service.code)


# Client systems ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def client_list(request: HttpRequest) -> HttpResponse:
    _require_datahub(request)
    form = ClientForm(request.POST or None, units=policies.managed_units(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            client = services.register_client(request.user, **form.cleaned_data)
        except DomainError as exc:
            _failed(form, exc)
        else:
            messages.success(
                request,
                _("Đã đăng ký hệ thống “%(name)s”; cấp khóa để hệ thống gọi được.")
                % {"name": client.name},
            )
            return redirect("datahub:client_detail", client.code)
    context = {"clients": selectors.clients_for(request.user), "form": form}
    status = 400 if form.errors else 200
    return render(request, "datahub/clients.html", context, status=status)


def _client(request: HttpRequest, code: str) -> Client:
    client = Client.objects.select_related("unit").filter(code=code).first()
    if client is None or not policies.can_view_client(request.user, client):
        raise Http404(_("Không tìm thấy hệ thống."))
    return client


def _client_page(
    request: HttpRequest, client: Client, *, new_key: str = ""
) -> HttpResponse:
    manages = policies.can_manage_client(request.user, client)
    grants = selectors.live_grants(client=client)
    services_seen = DataService.objects.filter(grants__client=client)
    if not manages:
        # An owner of some services sees this client's use of those only.
        owned = [
            s.pk for s in services_seen if policies.can_manage_service(request.user, s)
        ]
        grants = grants.filter(service__in=owned)
        services_seen = services_seen.filter(pk__in=owned)
    codes = list(services_seen.values_list("code", flat=True))
    entries = selectors.access_entries(client_codes=[client.code])
    if not manages:
        entries = entries.filter(service_code__in=codes)
    context = {
        "client": client,
        "manages": manages,
        "keys": client.keys.all() if manages else [],
        "grants": grants,
        "rotate_form": RotateForm(),
        "usage": selectors.usage(
            clients=Client.objects.filter(pk=client.pk),
            services=None if manages else services_seen,
        ),
        "entries": selectors.shown_entries(entries[:20]),
        # Shown in the answer to the POST that made it, and never again.
        "new_key": new_key,
        "token_url": request.build_absolute_uri("/api/v1/datahub/oauth/token"),
        "gateway_url": request.build_absolute_uri("/api/v1/datahub/gateway/"),
    }
    return render(request, "datahub/client_detail.html", context)


@login_required
@require_GET
def client_detail(request: HttpRequest, code: str) -> HttpResponse:
    _require_datahub(request)
    return _client_page(request, _client(request, code))


@login_required
@require_POST
def client_action(request: HttpRequest, code: str, act: str) -> HttpResponse:
    _require_datahub(request)
    client = _client(request, code)
    try:
        if act == "issue":
            _key, secret = services.issue_key(request.user, client)
            return _client_page(request, client, new_key=secret)
        if act == "rotate":
            form = RotateForm(request.POST)
            if not form.is_valid():
                raise DomainError("invalid_overlap", _("Số giờ phải từ 0 đến 168."))
            _key, secret = services.rotate_key(
                request.user, client, overlap_hours=form.cleaned_data["overlap_hours"]
            )
            return _client_page(request, client, new_key=secret)
        if act in ("suspend", "resume"):
            services.set_suspended(request.user, client, suspended=act == "suspend")
            messages.success(
                request,
                _("Đã tạm dừng hệ thống.")
                if act == "suspend"
                else _("Hệ thống hoạt động lại."),
            )
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("datahub:client_detail", client.code)


@login_required
@require_POST
def key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    _require_datahub(request)
    key = ClientKey.objects.select_related("client__unit").filter(pk=key_id).first()
    if key is None:
        raise Http404
    try:
        services.revoke_key(request.user, key)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Đã thu hồi khóa %(prefix)s…") % {"prefix": key.prefix}
        )
    return redirect("datahub:client_detail", key.client.code)


# Usage and the access log ------------------------------------------------------


@login_required
@require_GET
def usage(request: HttpRequest) -> HttpResponse:
    """Calls to the services ``user``'s units own and by the clients they
    run, and the log's integrity."""
    _require_datahub(request)
    owned = DataService.objects.filter(
        pk__in=[
            s.pk
            for s in selectors.catalog_for(request.user)
            if policies.can_manage_service(request.user, s)
        ]
    )
    run = Client.objects.filter(
        pk__in=[
            c.pk
            for c in selectors.clients_for(request.user)
            if policies.can_manage_client(request.user, c)
        ]
    )
    service_codes = list(owned.values_list("code", flat=True))
    client_codes = list(run.values_list("code", flat=True))
    entries = selectors.access_entries(
        service_codes=service_codes, client_codes=client_codes
    )
    page = CappedPaginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    checked = request.GET.get("verify") == "1"
    context = {
        "by_service": selectors.usage(services=owned),
        "by_client": selectors.usage(clients=run),
        "page": page,
        "entries": selectors.shown_entries(page.object_list),
        "checked": checked,
        # The newest rows only: the whole chain is `tinhso datahub verify-log`.
        "problem": verify(last=VERIFIED_ON_PAGE) if checked else None,
        "verified": VERIFIED_ON_PAGE,
    }
    return render(request, "datahub/usage.html", context)


# Datasets (data officers) ------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def dataset_list(request: HttpRequest) -> HttpResponse:
    _require_datahub(request)
    form = DatasetForm(request.POST or None, units=policies.managed_units(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        publisher = data.pop("publisher")
        try:
            dataset = opendata.create_dataset(request.user, publisher=publisher, **data)
        except DomainError as exc:
            _failed(form, exc)
        else:
            messages.success(
                request,
                _("Đã tạo bộ dữ liệu (bản nháp); thêm tài nguyên rồi công bố."),
            )
            return redirect("datahub:dataset_edit", dataset.name)
    context = {"datasets": selectors.datasets_for(request.user), "form": form}
    status = 400 if form.errors else 200
    return render(request, "datahub/datasets.html", context, status=status)


def _own_dataset(request: HttpRequest, name: str) -> Dataset:
    dataset = selectors.datasets_for(request.user).filter(name=name).first()
    if dataset is None:
        raise Http404(_("Không tìm thấy bộ dữ liệu."))
    return dataset


@login_required
@require_http_methods(["GET", "POST"])
def dataset_edit(request: HttpRequest, name: str) -> HttpResponse:
    _require_datahub(request)
    dataset = _own_dataset(request, name)
    units = policies.managed_units(request.user)
    initial = {
        "title": dataset.title,
        "name": dataset.name,
        "description": dataset.description,
        "publisher": dataset.publisher_id,
        "theme": dataset.theme,
        "keywords": ", ".join(dataset.keywords),
        "licence": dataset.licence,
        "frequency": dataset.frequency,
        "temporal_start": dataset.temporal_start,
        "temporal_end": dataset.temporal_end,
        "spatial": dataset.spatial_id,
        "contact_email": dataset.contact_email,
    }
    what = request.POST.get("what")
    form = DatasetForm(
        request.POST if what == "metadata" else None, initial=initial, units=units
    )
    form.fields["name"].disabled = True
    # The publisher stays as it is (a unit below the officer's, perhaps).
    form.fields["publisher"].disabled = True
    form.fields["publisher"].queryset = OrgUnit.objects.filter(  # type: ignore[attr-defined]
        pk=dataset.publisher_id
    )
    upload_form = UploadForm()
    live_form = LiveViewForm()
    problems: list[str] = []
    if request.method == "POST":
        try:
            if what == "metadata" and form.is_valid():
                data = dict(form.cleaned_data)
                data.pop("publisher")
                data.pop("name")
                opendata.update_dataset(request.user, dataset, **data)
                messages.success(request, _("Đã lưu mô tả bộ dữ liệu."))
                return redirect("datahub:dataset_edit", dataset.name)
            if what == "upload":
                upload_form = UploadForm(request.POST, request.FILES)
                if upload_form.is_valid():
                    upload = upload_form.cleaned_data["file"]
                    resource = opendata.add_file(
                        request.user,
                        dataset,
                        stream=upload,
                        filename=upload.name or "du-lieu.csv",
                        name=upload_form.cleaned_data["name"],
                        description=upload_form.cleaned_data["description"],
                    )
                    messages.success(
                        request,
                        _("Đã thêm “%(name)s”: %(rows)s dòng, %(columns)s cột.")
                        % {
                            "name": resource.name,
                            "rows": resource.row_count,
                            "columns": len(resource.columns),
                        },
                    )
                    return redirect("datahub:dataset_edit", dataset.name)
            if what == "live":
                live_form = LiveViewForm(request.POST)
                if live_form.is_valid():
                    opendata.add_live_view(
                        request.user,
                        dataset,
                        provider=live_form.cleaned_data["provider"],
                        name=live_form.cleaned_data["name"],
                    )
                    messages.success(request, _("Đã thêm dữ liệu trực tuyến."))
                    return redirect("datahub:dataset_edit", dataset.name)
            if what in ("publish", "withdraw"):
                if what == "publish":
                    opendata.publish_dataset(request.user, dataset)
                    messages.success(
                        request, _("Bộ dữ liệu đã được công bố trên cổng dữ liệu mở.")
                    )
                else:
                    opendata.withdraw_dataset(request.user, dataset)
                    messages.success(request, _("Đã thu hồi bộ dữ liệu khỏi cổng."))
                return redirect("datahub:dataset_edit", dataset.name)
            if what == "remove":
                chosen = str(request.POST.get("resource", ""))
                gone = dataset.resources.filter(
                    pk=int(chosen) if chosen.isdigit() else 0
                ).first()
                if gone is not None:
                    opendata.remove_resource(request.user, gone)
                    messages.success(request, _("Đã xóa tài nguyên."))
                return redirect("datahub:dataset_edit", dataset.name)
        except DomainError as exc:
            problems = list(exc.extra.get("problems", []))
            target = {"upload": upload_form, "live": live_form}.get(what or "", form)
            if problems:
                target.add_error(None, exc.message)
            else:
                _failed(target, exc)
    context = {
        "dataset": dataset,
        "form": form,
        "upload_form": upload_form,
        "live_form": live_form,
        "problems": problems,
        "resources": dataset.resources.select_related("file"),
    }
    has_errors = problems or form.errors or upload_form.errors or live_form.errors
    return render(
        request, "datahub/dataset_edit.html", context, status=400 if has_errors else 200
    )


# The public portal -------------------------------------------------------------


@require_GET
def portal(request: HttpRequest) -> HttpResponse:
    publishers = selectors.publishers_with_counts()
    form = PortalSearchForm(
        request.GET,
        publishers=[(selectors.org_name(u), f"{u.name} ({n})") for u, n in publishers],
    )
    filters = (
        form.cleaned_data
        if form.is_valid()
        else {"q": str(request.GET.get("q", ""))[:200]}
    )

    def chosen(name: str) -> list[str]:
        return [filters[name]] if filters.get(name) else []

    datasets = selectors.search_datasets(
        filters.get("q", ""),
        publishers=chosen("organization"),
        themes=chosen("theme"),
        formats=chosen("format"),
    ).prefetch_related("resources")
    page = CappedPaginator(datasets, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "searching": any(filters.values()),
        "publisher_count": len(publishers),
    }
    return render(request, "datahub/portal/list.html", context)


@require_GET
def portal_dataset(request: HttpRequest, name: str) -> HttpResponse:
    dataset = selectors.get_dataset(name)
    if dataset is None:
        raise Http404(_("Không tìm thấy bộ dữ liệu."))
    context = {
        "dataset": dataset,
        "resources": dataset.resources.select_related("file"),
        "org_name": selectors.org_name(dataset.publisher),
    }
    return render(request, "datahub/portal/dataset.html", context)


def _published_resource(resource_id: str) -> Resource:
    resource = selectors.published_resource(str(resource_id))
    if resource is None:
        raise Http404(_("Không tìm thấy tài nguyên."))
    return resource


@require_GET
def resource_preview(request: HttpRequest, resource_id: str) -> HttpResponse:
    resource = _published_resource(resource_id)
    try:
        number = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        number = 1
    q = str(request.GET.get("q", ""))[:200]
    try:
        found = selectors.datastore_search(
            resource, q=q, offset=(number - 1) * PREVIEW_ROWS, limit=PREVIEW_ROWS
        )
        error = ""
    except DomainError as exc:
        found, error = None, exc.message
    columns = [c["id"] for c in found.fields] if found else []
    context = {
        "resource": resource,
        "dataset": resource.dataset,
        "columns": columns,
        "rows": [[r.get(c) for c in columns] for r in found.records] if found else [],
        "total": found.total if found else None,
        "number": number,
        "has_next": bool(found and len(found.records) == PREVIEW_ROWS),
        "q": q,
        "error": error,
    }
    return render(request, "datahub/portal/preview.html", context)


# A live view is downloaded in pages of this many rows, up to LIVE_ROWS.
LIVE_PAGE = 200
LIVE_ROWS = 50_000


@require_GET
def resource_download(request: HttpRequest, resource_id: str) -> HttpResponseBase:
    resource = _published_resource(resource_id)
    if resource.file is not None:
        return files.response(resource.file, download=True)
    names = [c["id"] for c in resource.columns]

    def lines() -> Iterator[str]:
        """The CSV a page of rows at a time, so memory stays flat."""
        out = io.StringIO()
        writer = csv.writer(out)
        out.write("\ufeff")  # Excel opens UTF-8 CSV right with the mark
        writer.writerow(names)
        offset = 0
        while offset < LIVE_ROWS:
            found = selectors.datastore_search(resource, offset=offset, limit=LIVE_PAGE)
            writer.writerows([[r.get(n) for n in names] for r in found.records])
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            if len(found.records) < LIVE_PAGE:
                return
            offset += LIVE_PAGE

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{resource.dataset.name}-{resource.position + 1}.csv"'
    )
    files.protect(response)
    return response


@require_GET
def dcat_catalogue(request: HttpRequest) -> JsonResponse:
    try:
        page = int(request.GET.get("page", 1))
    except ValueError:
        page = 1
    response = JsonResponse(
        dcat.catalogue(request, page),
        content_type="application/ld+json",
        json_dumps_params={"ensure_ascii": False},
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response
