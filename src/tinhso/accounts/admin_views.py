"""Administration pages: the org tree and user accounts."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tinhso.accounts import policies


@login_required
def orgtree(request: HttpRequest) -> HttpResponse:
    if not policies.can_view_orgtree(request.user):
        raise PermissionDenied
    return render(request, "accounts/orgtree.html", {})


@login_required
def users(request: HttpRequest) -> HttpResponse:
    if not policies.can_administer_users(request.user):
        raise PermissionDenied
    return render(request, "accounts/users.html", {})
