"""Pages of the community digital technology teams: a member's quick log
of help (made for a phone), the teams and their members, the XLSX import,
training with attendance lists, and the overview of coverage and totals."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tinhso.community import policies, selectors
from tinhso.community.forms import (
    AccountForm,
    AttendanceForm,
    CourseForm,
    HelpForm,
    ImportForm,
    MemberForm,
    SessionForm,
    TeamForm,
)
from tinhso.community.models import Attendance, Member, Session, Team
from tinhso.community.services import helps, imports, teams, training
from tinhso.core.errors import DomainError
from tinhso.core.forms import refuse as _failed
from tinhso.core.forms import status_of as _status

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _id(value: str | None) -> int:
    if not value or not value.isdigit():
        raise Http404
    return int(value)


@login_required
@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    """A member logs help; an official overseeing teams goes to the overview."""
    mine = list(policies.memberships(request.user))
    if not mine:
        if policies.oversees_any(request.user):
            return redirect("community:overview")
        raise PermissionDenied
    chosen = next(
        (m for m in mine if str(m.pk) == request.POST.get("member", "")), mine[0]
    )
    form = HelpForm(request.POST or None, team=chosen.team)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = helps.log(
                request.user,
                helps.Given(
                    kind=data["kind"],
                    household=data["household"],
                    helped_on=data["helped_on"],
                    village=data["village"],
                    people=data["people"],
                    personal_id=data["personal_id"],
                    note=data["note"],
                ),
                chosen,
            )
        except DomainError as exc:
            _failed(form, exc)
        else:
            messages.success(
                request,
                _("Đã ghi nhận: %(kind)s cho %(who)s.")
                % {"kind": made.get_kind_display(), "who": made.household},
            )
            return redirect("community:home")
    context = {
        "form": form,
        "member": chosen,
        "memberships": mine,
        "recent": selectors.helps_of_member(chosen)[:10],
        "leads": policies.leads(request.user, chosen.team),
    }
    return render(request, "community/home.html", context, status=_status(form))


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    first, last = today.replace(month=1, day=1), today
    try:
        if request.GET.get("tu"):
            first = dt.date.fromisoformat(request.GET["tu"])
        if request.GET.get("den"):
            last = dt.date.fromisoformat(request.GET["den"])
    except ValueError:
        messages.warning(request, _("Ngày không hợp lệ; đang xem từ đầu năm."))
        return today.replace(month=1, day=1), today
    return (first, last) if first <= last else (last, first)


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    if not policies.oversees_any(request.user):
        raise PermissionDenied
    first, last = _period(request)
    communes = selectors.overseen_communes(request.user)
    context = {
        "coverage": selectors.coverage(communes, first, last),
        "trained": selectors.trained(communes, first, last),
        "first": first,
        "last": last,
        "can_manage": selectors.managed_communes(request.user).exists(),
    }
    return render(request, "community/overview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def team_list(request: HttpRequest) -> HttpResponse:
    if not policies.oversees_any(request.user):
        raise PermissionDenied
    managed = selectors.managed_communes(request.user)
    form = TeamForm(request.POST or None, communes=managed)
    if request.method == "POST" and form.is_valid():
        try:
            made = teams.save_team(request.user, form.save(commit=False))
        except DomainError as exc:
            _failed(form, exc)
        else:
            messages.success(request, _("Đã lập %(name)s.") % {"name": made.name})
            return redirect("community:team", made.pk)
    context = {
        "teams": selectors.teams_in(selectors.overseen_communes(request.user)),
        "form": form if managed.exists() else None,
    }
    return render(request, "community/teams.html", context, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_object_or_404(Team.objects.select_related("commune", "village"), pk=pk)
    if not policies.can_see_team(request.user, team):
        raise Http404
    manage = policies.can_manage(request.user, team.commune)
    adding = MemberForm(request.POST if "add" in request.POST else None)
    linking = AccountForm(request.POST if "link" in request.POST else None)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        try:
            if "add" in request.POST and adding.is_valid():
                member = adding.save(commit=False)
                member.team = team
                teams.save_member(request.user, member)
                messages.success(
                    request, _("Đã thêm %(name)s vào tổ.") % {"name": member.full_name}
                )
                return redirect("community:team", team.pk)
            if "link" in request.POST and linking.is_valid():
                member = get_object_or_404(
                    Member, pk=_id(request.POST.get("member")), team=team
                )
                teams.link_account(
                    request.user, member, linking.cleaned_data["username"]
                )
                messages.success(
                    request,
                    _("%(name)s đã có thể đăng nhập để ghi nhận hỗ trợ.")
                    % {"name": member.full_name},
                )
                return redirect("community:team", team.pk)
            if "leave" in request.POST:
                member = get_object_or_404(
                    Member, pk=_id(request.POST.get("leave")), team=team
                )
                teams.leave(request.user, member)
                messages.success(
                    request,
                    _("%(name)s đã thôi tham gia tổ.") % {"name": member.full_name},
                )
                return redirect("community:team", team.pk)
        except DomainError as exc:
            target = linking if "link" in request.POST else adding
            _failed(target, exc)
    page = Paginator(selectors.helps_of_team(team), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "team": team,
        "members": selectors.active_members(team),
        "page": page,
        "manage": manage,
        "adding": adding,
        "linking": linking,
    }
    return render(
        request, "community/team.html", context, status=_status(adding, linking)
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_import(request: HttpRequest) -> HttpResponse:
    managed = selectors.managed_communes(request.user)
    if not managed.exists():
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, communes=managed)
    faults: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            done = imports.import_members(
                request.user,
                form.cleaned_data["commune"],
                form.cleaned_data["file"].read(),
            )
        except imports.ImportRefused as exc:
            faults = exc.faults
            form.add_error(None, exc.message)
        except DomainError as exc:
            _failed(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Đã nhập danh sách: %(created)d thành viên mới, %(updated)d cập "
                    "nhật, %(teams)d tổ mới lập."
                )
                % {
                    "created": done.created,
                    "updated": done.updated,
                    "teams": len(done.teams_created),
                },
            )
            return redirect("community:teams")
    context = {"form": form, "faults": faults}
    return render(request, "community/import.html", context, status=_status(form))


@login_required
@require_GET
def member_template(request: HttpRequest) -> HttpResponse:
    if not policies.can_use(request.user):
        raise PermissionDenied
    response = HttpResponse(imports.template(), content_type=XLSX)
    response["Content-Disposition"] = (
        'attachment; filename="mau-thanh-vien-to-cnscd.xlsx"'
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def training_list(request: HttpRequest) -> HttpResponse:
    if not policies.oversees_any(request.user):
        raise PermissionDenied
    managed = selectors.managed_communes(request.user)
    course_form = CourseForm(request.POST if "new_course" in request.POST else None)
    session_form = SessionForm(
        request.POST if "new_session" in request.POST else None, communes=managed
    )
    if request.method == "POST":
        try:
            if "new_course" in request.POST and course_form.is_valid():
                course = course_form.save(commit=False)
                organiser = request.user.org_unit or managed.first()  # type: ignore[union-attr]
                if organiser is None:
                    raise PermissionDenied
                course.organiser = organiser
                training.save_course(request.user, course)
                messages.success(
                    request, _("Đã mở khóa %(name)s.") % {"name": course.name}
                )
                return redirect("community:training")
            if "new_session" in request.POST and session_form.is_valid():
                session = training.save_session(
                    request.user, session_form.save(commit=False)
                )
                messages.success(request, _("Đã lên lịch buổi tập huấn."))
                return redirect("community:session", session.pk)
        except DomainError as exc:
            _failed(course_form if "new_course" in request.POST else session_form, exc)
    sessions = selectors.sessions_in(selectors.overseen_communes(request.user))[:50]
    context = {
        "courses": selectors.courses()[:100],
        "sessions": sessions,
        "course_form": course_form if managed.exists() else None,
        "session_form": session_form if managed.exists() else None,
    }
    return render(
        request,
        "community/training.html",
        context,
        status=_status(course_form, session_form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(
        Session.objects.select_related("course", "commune"), pk=pk
    )
    if not policies.can_oversee(request.user, session.commune):
        raise Http404
    manage = policies.can_manage(request.user, session.commune)
    form = AttendanceForm(request.POST if "add" in request.POST else None)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        try:
            if "add" in request.POST and form.is_valid():
                attendee = form.save(commit=False)
                attendee.session = session
                training.add_attendee(request.user, attendee)
                messages.success(
                    request, _("Đã điểm danh %(name)s.") % {"name": attendee.full_name}
                )
                return redirect("community:session", session.pk)
            if "remove" in request.POST:
                gone = get_object_or_404(
                    Attendance, pk=_id(request.POST.get("remove")), session=session
                )
                training.remove_attendee(request.user, gone)
                messages.success(request, _("Đã bỏ khỏi danh sách."))
                return redirect("community:session", session.pk)
        except DomainError as exc:
            _failed(form, exc)
    context = {
        "session": session,
        "attendees": session.attendees.all(),
        "form": form,
        "manage": manage,
    }
    return render(request, "community/session.html", context, status=_status(form))
