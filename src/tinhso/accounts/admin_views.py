"""Administration pages: the org tree and officials' accounts.

Like ``api.py``: parse, ask the policy, call a service or selector, render.
Every page works with plain links and forms; htmx only swaps fragments (live
search, expanding a tree node) rendered from the same templates.
"""

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from tinhso.accounts import policies, selectors, services
from tinhso.accounts.forms import (
    UNIT_CANDIDATES,
    NewPasswordForm,
    OfficialCreateForm,
    OfficialEditForm,
    OrgTreeQueryForm,
    OrgUnitCreateForm,
    OrgUnitEditForm,
    RoleGrantForm,
    units_matching,
)
from tinhso.accounts.models import Role, RoleAssignment, TOTPDevice, User
from tinhso.core import selectors as core_selectors
from tinhso.core import services as core_services
from tinhso.core.errors import DomainError
from tinhso.core.models import OrgUnit, OrgUnitKind
from tinhso.core.text import fold

USERS_PER_PAGE = 50
SEARCH_RESULTS = 50

# Which form field a service's error belongs next to.
FIELD_OF_ERROR = {
    "username_invalid": "username",
    "username_taken": "username",
    "full_name_required": "full_name",
    "password_weak": "password",
    "phone_invalid": "phone",
    "email_invalid": "email",
    "orgunit_code_taken": "code",
    "orgunit_bad_kind": "kind",
    "orgunit_bad_parent": "kind",
}


def _wants_fragment(request: HttpRequest) -> bool:
    # A history restore after a cache miss asks for the whole page again.
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def _render(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    fragment: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page, or only ``fragment`` of it when htmx asks."""
    name = (
        f"{template}#{fragment}" if fragment and _wants_fragment(request) else template
    )
    response = render(request, name, context, status=status)
    # The same URL answers with a page or a fragment: caches must tell apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _show_error(form: Form, exc: DomainError) -> None:
    """Put a service's refusal next to the field it concerns."""
    name = FIELD_OF_ERROR.get(exc.code)
    form.add_error(name if name in form.fields else None, exc.message)


# Org tree -----------------------------------------------------------------


@dataclass
class Node:
    """One unit as the tree shows it."""

    unit: OrgUnit
    child_count: int
    current: list[OrgUnit] = field(default_factory=list)
    children: list["Node"] = field(default_factory=list)
    is_open: bool = False


KIND_ORDER: dict[str, int] = {kind.value: n for n, kind in enumerate(OrgUnitKind)}


def _tree_order(unit: OrgUnit) -> tuple[bool, int, str]:
    # Sorted here, not by the database, whose collation would put "Đ" after
    # "Z" on SQLite; lists of children are small.
    return (unit.legacy, KIND_ORDER.get(unit.kind, 99), fold(unit.name))


def _nodes(units: QuerySet[OrgUnit], *, legacy: bool) -> list[Node]:
    counted = Q() if legacy else Q(children__legacy=False)
    rows = sorted(
        units.annotate(child_count=Count("children", filter=counted)),
        key=_tree_order,
    )
    return [
        Node(
            unit=unit,
            child_count=unit.child_count,
            current=core_selectors.resolve_current(unit) if unit.legacy else [],
        )
        for unit in rows
    ]


def _children(unit: OrgUnit, *, legacy: bool) -> list[Node]:
    units = OrgUnit.objects.filter(parent=unit)
    return _nodes(units if legacy else units.filter(legacy=False), legacy=legacy)


def _get_unit(unit_id: int) -> OrgUnit:
    unit = OrgUnit.objects.select_related("parent").filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return unit


def _orgtree_url(unit: OrgUnit | None = None, *, legacy: bool = False) -> str:
    params: dict[str, Any] = {}
    if unit is not None:
        params["unit"] = unit.pk
    if legacy:
        params["legacy"] = "on"
    url = reverse("accounts:orgtree")
    return f"{url}?{urlencode(params)}" if params else url


def _orgtree_context(
    request: HttpRequest,
    *,
    query: OrgTreeQueryForm,
    q: str,
    legacy: bool,
    unit: OrgUnit | None,
    add_form: OrgUnitCreateForm | None = None,
    edit_form: OrgUnitEditForm | None = None,
) -> dict[str, Any]:
    user = request.user
    context: dict[str, Any] = {
        "query": query,
        "q": q,
        "legacy": legacy,
        "unit": unit,
        "legacy_qs": "&legacy=on" if legacy else "",
    }
    if q:
        found = core_selectors.search_orgunits(q, include_legacy=legacy)
        results = list(
            found.select_related("parent").order_by("legacy", "depth", "name")[
                : SEARCH_RESULTS + 1
            ]
        )
        context["results"] = [
            Node(
                unit=u,
                child_count=0,
                current=core_selectors.resolve_current(u) if u.legacy else [],
            )
            for u in results[:SEARCH_RESULTS]
        ]
        context["more_results"] = len(results) > SEARCH_RESULTS
        return context
    if unit is None:
        roots = OrgUnit.objects.filter(parent__isnull=True)
        context["nodes"] = _nodes(
            roots if legacy else roots.filter(legacy=False), legacy=legacy
        )
    else:
        context["crumbs"] = core_selectors.ancestors(unit)[:-1]
        context["nodes"] = _children(unit, legacy=legacy)
        if unit.legacy:
            context["current"] = core_selectors.resolve_current(unit)
        elif legacy:
            context["predecessors"] = list(unit.predecessors.order_by("name"))
    if policies.can_manage_orgunit(user, unit):
        if unit is not None:
            context["edit_form"] = edit_form or OrgUnitEditForm(
                initial={"code": unit.code, "name": unit.name}
            )
        form = add_form or OrgUnitCreateForm(parent=unit)
        # No form where the tree allows no kind of child (under a village).
        context["add_form"] = form if form.has_kinds else None
    return context


@login_required
@require_GET
def orgtree(request: HttpRequest) -> HttpResponse:
    if not policies.can_view_orgtree(request.user):
        raise PermissionDenied
    query = OrgTreeQueryForm(request.GET)
    # Malformed parameters are dropped rather than refused: this is a
    # browsing page and a stale bookmark should still open.
    query.is_valid()
    data = query.cleaned_data
    q = (data.get("q") or "").strip()
    legacy = bool(data.get("legacy"))
    unit = _get_unit(data["unit"]) if data.get("unit") else None
    if unit is not None and unit.legacy:
        legacy = True
    context = _orgtree_context(request, query=query, q=q, legacy=legacy, unit=unit)
    return _render(request, "accounts/orgtree.html", context, fragment="fragment")


@login_required
@require_GET
def orgtree_node(request: HttpRequest, unit_id: int) -> HttpResponse:
    """One tree node, opened (with its children) or closed; for htmx."""
    if not policies.can_view_orgtree(request.user):
        raise PermissionDenied
    unit = _get_unit(unit_id)
    legacy = request.GET.get("legacy") == "on" or unit.legacy
    if not _wants_fragment(request):
        # Without htmx the node's own page shows the same children.
        return redirect(_orgtree_url(unit, legacy=legacy))
    node = _nodes(OrgUnit.objects.filter(pk=unit.pk), legacy=legacy)[0]
    if request.GET.get("open") == "1":
        node.is_open = True
        node.children = _children(unit, legacy=legacy)
    response = render(
        request,
        "accounts/_orgtree_node.html",
        {"node": node, "legacy_qs": "&legacy=on" if legacy else ""},
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def orgunit_add(request: HttpRequest, parent_id: int | None = None) -> HttpResponse:
    parent = _get_unit(parent_id) if parent_id is not None else None
    if not policies.can_manage_orgunit(request.user, parent):
        raise PermissionDenied
    form = OrgUnitCreateForm(request.POST, parent=parent)
    if form.is_valid():
        try:
            unit = core_services.create_orgunit(
                kind=form.cleaned_data["kind"],
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                parent=parent,
            )
        except DomainError as exc:
            _show_error(form, exc)
        else:
            messages.success(
                request,
                _("Đã thêm đơn vị %(name)s (mã %(code)s).")
                % {"name": unit.name, "code": unit.code},
            )
            return redirect(_orgtree_url(parent))
    context = _orgtree_context(
        request,
        query=OrgTreeQueryForm(),
        q="",
        legacy=False,
        unit=parent,
        add_form=form,
    )
    return render(request, "accounts/orgtree.html", context, status=400)


@login_required
@require_POST
def orgunit_edit(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _get_unit(unit_id)
    if not policies.can_manage_orgunit(request.user, unit):
        raise PermissionDenied
    form = OrgUnitEditForm(request.POST)
    if form.is_valid():
        try:
            unit = core_services.update_orgunit(
                unit, name=form.cleaned_data["name"], code=form.cleaned_data["code"]
            )
        except DomainError as exc:
            _show_error(form, exc)
        else:
            messages.success(
                request, _("Đã lưu đơn vị %(name)s.") % {"name": unit.name}
            )
            return redirect(_orgtree_url(unit))
    context = _orgtree_context(
        request, query=OrgTreeQueryForm(), q="", legacy=False, unit=unit, edit_form=form
    )
    return render(request, "accounts/orgtree.html", context, status=400)


# Users --------------------------------------------------------------------


def _require_user_admin(request: HttpRequest) -> None:
    if not policies.can_administer_users(request.user):
        raise PermissionDenied


@login_required
@require_GET
def users(request: HttpRequest) -> HttpResponse:
    _require_user_admin(request)
    q = request.GET.get("q", "").strip()[:100]
    two_factor = TOTPDevice.objects.filter(
        user=OuterRef("pk"), confirmed_at__isnull=False
    )
    listing = (
        selectors.visible_users(request.user, q)
        .annotate(two_factor=Exists(two_factor))
        .prefetch_related(
            Prefetch(
                "roles",
                queryset=RoleAssignment.objects.select_related("org_unit").order_by(
                    "org_unit__path", "role"
                ),
            )
        )
    )
    page = Paginator(listing, USERS_PER_PAGE).get_page(request.GET.get("page"))
    return _render(
        request,
        "accounts/users.html",
        {"q": q, "page": page},
        fragment="results",
    )


@login_required
@require_GET
def unit_options(request: HttpRequest) -> HttpResponse:
    """Radio buttons for units matching a search, for the unit picker (htmx)."""
    _require_user_admin(request)
    prefix = request.GET.get("prefix", "")
    if prefix not in ("", "info", "role"):
        raise Http404
    name = f"{prefix}-org_unit" if prefix else "org_unit"
    q = request.GET.get(f"{prefix}-unit_q" if prefix else "unit_q", "").strip()[:100]
    candidates: list[OrgUnit] = []
    if q:
        candidates = units_matching(
            selectors.administered_units(request.user), q, limit=UNIT_CANDIDATES + 1
        )
    return render(
        request,
        "accounts/_unit_options.html",
        {
            "name": name,
            "candidates": candidates[:UNIT_CANDIDATES],
            "more": len(candidates) > UNIT_CANDIDATES,
            "q": q,
            "selected": "",
        },
    )


@login_required
@sensitive_post_parameters("password")
def user_create(request: HttpRequest) -> HttpResponse:
    _require_user_admin(request)
    units = selectors.administered_units(request.user)
    form = OfficialCreateForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = data["org_unit"]
        if not policies.can_manage_orgunit(request.user, unit):
            raise PermissionDenied
        try:
            user = services.create_official(
                username=data["username"],
                full_name=data["full_name"],
                password=data["password"],
                org_unit=unit,
                email=data["email"],
                phone=data["phone"],
                title=data["title"],
            )
        except DomainError as exc:
            _show_error(form, exc)
        else:
            messages.success(
                request,
                _("Đã tạo tài khoản %(username)s.") % {"username": user.username},
            )
            return redirect("accounts:user_detail", user_id=user.pk)
    return render(
        request,
        "accounts/user_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _detail_context(
    actor: Any,
    target: User,
    forms: dict[str, Form],
    errors: dict[str, str],
) -> dict[str, Any]:
    units = selectors.administered_units(actor)
    can_manage = policies.can_manage_user(actor, target)
    is_self = target.pk == actor.pk
    roles = [
        (
            assignment,
            policies.can_revoke_role(actor, assignment),
        )
        for assignment in selectors.roles_of(target)
    ]
    context: dict[str, Any] = {
        "target": target,
        "can_manage": can_manage,
        "is_self": is_self,
        "roles": roles,
        "two_factor": selectors.has_two_factor(target),
        "errors": errors,
        # Most roles are held where the official works: offer that unit first.
        "grant_form": forms.get("grant")
        or RoleGrantForm(
            units=units,
            initial={"org_unit": target.org_unit}
            if target.org_unit_id is not None
            and units.filter(pk=target.org_unit_id).exists()
            else {},
        ),
    }
    if can_manage:
        context["info_form"] = forms.get("info") or OfficialEditForm(
            units=units,
            initial={
                "full_name": target.full_name,
                "title": target.title,
                "email": target.email,
                "phone": target.phone,
                "org_unit": target.org_unit,
            },
        )
        context["password_form"] = forms.get("password") or NewPasswordForm()
    return context


def _user_action(
    request: HttpRequest, actor: Any, target: User
) -> tuple[HttpResponse | None, dict[str, Form], dict[str, str], int]:
    """Carry out one posted action: a redirect on success, else what to show."""
    action = request.POST.get("action", "")
    units = selectors.administered_units(actor)
    done = redirect("accounts:user_detail", user_id=target.pk)
    manages = ("info", "activate", "deactivate", "password", "totp_reset")
    if action in manages and not policies.can_manage_user(actor, target):
        raise PermissionDenied
    if action == "info":
        info = OfficialEditForm(request.POST, units=units)
        if info.is_valid():
            data = info.cleaned_data
            if not policies.can_manage_orgunit(actor, data["org_unit"]):
                raise PermissionDenied
            try:
                services.update_official(
                    target,
                    full_name=data["full_name"],
                    title=data["title"],
                    email=data["email"],
                    phone=data["phone"],
                    org_unit=data["org_unit"],
                )
            except DomainError as exc:
                _show_error(info, exc)
            else:
                messages.success(request, _("Đã lưu thông tin tài khoản."))
                return done, {}, {}, 200
        return None, {"info": info}, {}, 400
    if action in ("activate", "deactivate"):
        active = action == "activate"
        if target.pk == actor.pk:
            message = _("Không thể tự khóa tài khoản của chính mình.")
            return None, {}, {"status": message}, 400
        if not policies.can_set_active(actor, target):
            raise PermissionDenied
        services.update_official(target, is_active=active)
        messages.success(
            request,
            _("Đã mở khóa tài khoản.") if active else _("Đã khóa tài khoản."),
        )
        return done, {}, {}, 200
    if action == "password":
        password = NewPasswordForm(request.POST)
        if password.is_valid():
            try:
                services.set_password(target, password.cleaned_data["password"])
            except DomainError as exc:
                _show_error(password, exc)
            else:
                messages.success(request, _("Đã đặt mật khẩu mới."))
                return done, {}, {}, 200
        return None, {"password": password}, {}, 400
    if action == "totp_reset":
        services.remove_totp(target)
        messages.success(
            request,
            _("Đã tắt xác thực hai lớp; người dùng sẽ cài lại khi cần."),
        )
        return done, {}, {}, 200
    if action == "grant":
        grant = RoleGrantForm(request.POST, units=units)
        if grant.is_valid():
            data = grant.cleaned_data
            if not policies.can_grant_role(
                actor, data["org_unit"], include_subtree=data["include_subtree"]
            ):
                grant.add_error(
                    "include_subtree",
                    _(
                        "Bạn chỉ được phân vai trò cho cả cấp dưới ở nơi bạn "
                        "quản trị cả cấp dưới."
                    ),
                )
                return None, {"grant": grant}, {}, 403
            try:
                services.assign_role(
                    target,
                    role=data["role"],
                    org_unit=data["org_unit"],
                    include_subtree=data["include_subtree"],
                    granted_by=actor,
                )
            except DomainError as exc:
                _show_error(grant, exc)
            else:
                messages.success(request, _("Đã phân vai trò."))
                return done, {}, {}, 200
        return None, {"grant": grant}, {}, 400
    if action == "revoke":
        role_id = request.POST.get("role", "")
        assignment = (
            RoleAssignment.objects.select_related("org_unit")
            .filter(pk=int(role_id), user=target)
            .first()
            if role_id.isdigit()
            else None
        )
        if assignment is None:
            raise Http404
        if target.pk == actor.pk and assignment.role == Role.ADMINISTRATOR:
            message = _("Không thể tự thu hồi quyền quản trị của chính mình.")
            return None, {}, {"action": message}, 400
        if not policies.can_revoke_role(actor, assignment):
            raise PermissionDenied
        services.revoke_role(assignment)
        messages.success(request, _("Đã thu hồi vai trò."))
        return done, {}, {}, 200
    return None, {}, {"action": _("Thao tác không hợp lệ.")}, 400


@login_required
@sensitive_post_parameters("pw-password")
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    _require_user_admin(request)
    actor = request.user
    try:
        target = selectors.get_user_for(actor, user_id)
    except DomainError:
        raise Http404 from None
    forms: dict[str, Form] = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        response, forms, errors, status = _user_action(request, actor, target)
        if response is not None:
            return response
        target.refresh_from_db()
    return render(
        request,
        "accounts/user_detail.html",
        _detail_context(actor, target, forms, errors),
        status=status,
    )
