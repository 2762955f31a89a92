import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from tinhso.core.modules import visible_modules


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    roles = list(user.roles.select_related("org_unit").order_by("org_unit__path"))
    return render(
        request,
        "core/home.html",
        {
            "modules": [m for m in visible_modules(user) if m.code != "home"],
            "roles": roles,
        },
    )


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is up and answering."""
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_storage() -> None:
    name = default_storage.save(f"readyz/{uuid.uuid4().hex}", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as handle:
            if handle.read() != b"ok":
                raise OSError("storage returned other bytes")
    finally:
        default_storage.delete(name)


def _check_tasks() -> dict[str, Any]:
    from django.conf import settings

    backend = settings.TASKS["default"]["BACKEND"]
    if backend != "django_tasks_db.DatabaseBackend":
        return {"backend": backend}
    from django_tasks_db.models import DBTaskResult

    return {"backend": "database", "ready": DBTaskResult.objects.ready().count()}


@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """Database, file storage and task queue all answer."""
    checks: dict[str, Any] = {}
    healthy = True
    for name, check in (
        ("database", _check_database),
        ("storage", _check_storage),
        ("tasks", _check_tasks),
    ):
        try:
            result = check()
            checks[name] = {"status": "ok", **(result or {})}
        except Exception as exc:
            healthy = False
            checks[name] = {"status": "error", "error": type(exc).__name__}
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks},
        status=200 if healthy else 503,
    )


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"status": 403}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"status": 404}, status=404)
