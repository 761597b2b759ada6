from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from liandong.accounts.forms import AuditFilterForm, SetPasswordForm, StaffLoginForm
from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.accounts.permissions import (
    acts_for_organization,
    audit_actors_for,
    audit_entries_visible_to,
    can_browse_audit_log,
    is_worker,
)
from liandong.accounts.services import login_check, session_record
from liandong.core.audit import (
    AuditRow,
    action_label,
    audit_actor_name,
    audit_log,
    audit_references,
    audit_target_types,
    audit_vocabulary,
    change_lines,
    day_start,
    target_links,
    target_type_label,
)
from liandong.core.paging import page_by_id


def home(request: HttpRequest) -> HttpResponse:
    """``/``: each person lands on their work. The public front door for people not signed
    in; a worker's own page; the 工作台 for union staff and partner liaisons; 我的评分任务 for
    a judge; an enterprise union's organization page."""
    # Imported here: the pages live in the apps above accounts (workbench, competitions).
    from liandong.competitions.permissions import is_judge
    from liandong.workbench.permissions import lands_on_workbench
    from liandong.workbench.views import front_door

    user = request.user
    if not user.is_authenticated:
        return front_door(request)
    if is_worker(user):
        return redirect("workers:me")
    if lands_on_workbench(user):
        return redirect("workbench:home")
    if is_judge(user):
        return redirect("competitions:judging")
    if acts_for_organization(user):
        return redirect("organizations:organization-detail", pk=user.organization_id)
    return render(request, "accounts/no_role.html")


@login_required
def audit_log_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The audit log of the admin's subtree, read as a record: Chinese action names, people's
    names, the object as a link when the viewer may open it, changes as 字段：旧值 → 新值;
    filtered by person, object type, action and dates chosen from lists."""
    if not can_browse_audit_log(request.user):
        raise PermissionDenied
    entries = audit_entries_visible_to(request.user).select_related("actor")
    vocabulary = audit_vocabulary()
    form = AuditFilterForm(
        request.GET or None,
        actors=audit_actors_for(request.user),
        actions=vocabulary.actions,
        target_types=audit_target_types(),
        app_names=vocabulary.apps,
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["actor"] is not None:
            entries = entries.filter(actor=data["actor"])
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["target_type"]:
            entries = entries.filter(target_type=data["target_type"])
        if data["date_from"]:
            entries = entries.filter(created_at__gte=day_start(data["date_from"]))
        if data["date_to"]:
            entries = entries.filter(created_at__lt=day_start(data["date_to"] + timedelta(days=1)))
    # Links from other pages name one record (``?target=workers.worker:12``) or an action code
    # outside the lists; PostgreSQL text holds no NUL: one would be a 500, not "no match".
    action = request.GET.get("action", "").replace("\x00", "").strip()
    if action and action not in vocabulary.actions:
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
    links = target_links(request.user, page.items)
    refs = audit_references(request.user, page.items)
    rows = [
        AuditRow(
            entry=entry,
            actor=audit_actor_name(entry),
            action=action_label(entry.action),
            labelled=entry.action in vocabulary.actions,
            target_type=target_type_label(entry.target_type) if entry.target_type else "",
            link=links.get((entry.target_type, entry.target_id), ""),
            changes=change_lines(entry.target_type, entry.changes, refs),
        )
        for entry in page.items
    ]
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "accounts/audit_list.html",
        {"page": page, "rows": rows, "form": form, "query": query.urlencode()},
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def staff_login(request: HttpRequest) -> HttpResponse:
    form = StaffLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = login_check(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
        else:
            login(request, user)  # authenticate() recorded which backend accepted the user
            return redirect(_next_url(request))
    return render(
        request, "accounts/login.html", {"form": form, "next": _next_url(request)}, status=200
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_log(actor=request.user, action="accounts.logged_out", target=request.user)
    logout(request)
    return redirect("accounts:login")


@login_required
def password_set(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SetPasswordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        request.user.set_password(form.cleaned_data["password1"])
        request.user.save(update_fields=["password"])
        update_session_auth_hash(request, request.user)
        # The session got a new key: record it, so that disabling the account ends it too.
        session_record(user=request.user, session_key=request.session.session_key)
        audit_log(actor=request.user, action="accounts.password_set", target=request.user)
        messages.success(request, "密码已设置。下次可以用手机号和密码登录。")
        return redirect("accounts:home")
    return render(request, "accounts/password_set.html", {"form": form})
