from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views import defaults

from liandong.accounts.permissions import (
    acts_for_organization,
    audit_entries_visible_to,
    can_browse_audit_log,
    is_worker,
)
from liandong.core.paging import page_by_id


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if is_worker(request.user):
        return redirect("workers:me")
    if acts_for_organization(request.user):
        return redirect("organizations:organization-detail", pk=request.user.organization_id)
    return render(request, "core/no_role.html")


@login_required
def audit_log_list(request: HttpRequest) -> HttpResponse:
    if not can_browse_audit_log(request.user):
        raise PermissionDenied
    entries = audit_entries_visible_to(request.user)
    # PostgreSQL text holds no NUL: a query string with one would be a 500, not "no match".
    action = request.GET.get("action", "").replace("\x00", "").strip()
    if action:
        entries = entries.filter(action=action)
    target = request.GET.get("target", "").replace("\x00", "").strip()
    if target:
        target_type, _, target_id = target.partition(":")
        entries = entries.filter(target_type=target_type, target_id=target_id)
    try:
        cursor = int(request.GET["cursor"]) if request.GET.get("cursor") else None
    except ValueError:
        cursor = None
    page = page_by_id(entries, cursor=cursor, size=50)
    return render(
        request, "core/audit_list.html", {"page": page, "action": action, "target": target}
    )


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Under /api/ even a URL that matches no route (``/api/v1/workers/abc``) answers in JSON."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": "未找到"}, status=404, json_dumps_params={"ensure_ascii": False}
        )
    return defaults.page_not_found(request, exception)
