"""Pages of account management (union administrators), invitations and one's own profile.
The rules live in services; every page asks permissions who may see what."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from liandong.accounts import services
from liandong.accounts.forms import (
    ROLE_CHOICES,
    AccountForm,
    InvitationAcceptForm,
    InviteForm,
    MobileChangeForm,
    ProfileForm,
    organization_choices,
)
from liandong.accounts.models import AuthenticatedHttpRequest, Invitation, Role, User
from liandong.accounts.permissions import (
    accounts_visible_to,
    can_manage_accounts,
    is_active_user,
)
from liandong.core.forms import form_add_service_error
from liandong.core.paging import page_by_id


def _require_manager(request: AuthenticatedHttpRequest) -> None:
    if not can_manage_accounts(request.user):
        raise PermissionDenied


def _account(request: AuthenticatedHttpRequest, pk: int) -> User:
    """An account the administrator manages; another union's is a 404."""
    _require_manager(request)
    return get_object_or_404(
        accounts_visible_to(request.user).select_related("organization"), pk=pk
    )


def _clean_text(request: HttpRequest, name: str) -> str:
    # PostgreSQL text holds no NUL: a query string with one would be a 500, not "no match".
    return request.GET.get(name, "").replace("\x00", "").strip()[:100]


def filtered_accounts(request: AuthenticatedHttpRequest) -> tuple[QuerySet[User], dict[str, str]]:
    accounts = accounts_visible_to(request.user)
    filters = {name: _clean_text(request, name) for name in ("q", "role", "organization", "active")}
    if filters["q"]:
        q = filters["q"]
        accounts = accounts.filter(
            Q(username__icontains=q) | Q(display_name__icontains=q) | Q(title__icontains=q)
        )
    if filters["role"] in dict(ROLE_CHOICES):
        accounts = accounts.filter(role=filters["role"])
    if filters["organization"].isdigit():
        accounts = accounts.filter(organization_id=int(filters["organization"]))
    if filters["active"] in ("1", "0"):
        accounts = accounts.filter(is_active=filters["active"] == "1")
    return accounts, filters


@login_required
def account_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_manager(request)
    accounts, filters = filtered_accounts(request)
    try:
        cursor = int(request.GET["cursor"]) if request.GET.get("cursor") else None
    except ValueError:
        cursor = None
    page = page_by_id(accounts.select_related("organization"), cursor=cursor, size=20)
    query = urlencode({k: v for k, v in filters.items() if v})
    return render(
        request,
        "accounts/account_list.html",
        {
            "page": page,
            "filters": filters,
            "query": query,
            "roles": ROLE_CHOICES,
            "organizations": organization_choices(request.user),
        },
    )


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _invitation_result(
    request: AuthenticatedHttpRequest, account: User, shown: str | None, done: str
) -> HttpResponse:
    """A link to be passed on is shown on this answer only (never stored, never in a URL);
    a sent one is reported on the account's page."""
    if shown is not None:
        return render(
            request, "accounts/invitation_shown.html", {"account": account, "link": shown}
        )
    messages.success(request, done)
    return redirect("accounts:account-detail", account.pk)


@login_required
def account_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_manager(request)
    form = AccountForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # no account is left behind when its link cannot go
                account, shown = _create_and_invite(request, data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            return _invitation_result(request, account, shown, "账号已创建，邀请链接已发送。")
    return render(
        request, "accounts/account_form.html", {"form": form, "title": "新建账号", "account": None}
    )


def _create_and_invite(
    request: AuthenticatedHttpRequest, data: dict[str, Any]
) -> tuple[User, str | None]:
    account = services.account_create(
        actor=request.user,
        username=data["username"],
        display_name=data["display_name"],
        title=data["title"],
        role=data["role"],
        organization=data["organization"],
        email=data["email"],
        mobile=data["mobile"],
        is_leader=data["is_leader"],
    )
    _, shown = services.invitation_issue(
        actor=request.user,
        account=account,
        channel=data["channel"],
        base_url=_base_url(request),
    )
    return account, shown


@login_required
def account_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    return render(
        request,
        "accounts/account_detail.html",
        {
            "account": account,
            "invitations": account.invitations.select_related("created_by")[:10],
            "invite_form": InviteForm(initial={"channel": Invitation.Channel.SHOW}),
            "has_password": account.has_usable_password(),
            "is_self": account.pk == request.user.pk,
        },
    )


@login_required
def account_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    initial = {
        "display_name": account.display_name,
        "title": account.title,
        "role": account.role,
        "organization": account.organization_id,
        "is_leader": account.is_leader,
        "email": account.email,
    }
    form = AccountForm(request.POST or None, actor=request.user, account=account, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.account_update(
                actor=request.user,
                account=account,
                display_name=data["display_name"],
                title=data["title"],
                role=data["role"],
                organization=data["organization"],
                email=data["email"],
                mobile=data["mobile"] or None,
                is_leader=data["is_leader"],
            )
        except ValidationError as error:
            account.refresh_from_db()
            form_add_service_error(form, error)
        else:
            messages.success(request, "账号已保存。")
            return redirect("accounts:account-detail", account.pk)
    return render(
        request,
        "accounts/account_form.html",
        {"form": form, "title": f"编辑账号：{account}", "account": account},
    )


def _flash_error(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
@require_POST
def account_disable(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    try:
        services.account_disable(actor=request.user, account=account)
    except ValidationError as error:
        _flash_error(request, error)
    else:
        messages.success(request, f"账号 {account.username} 已停用，其登录状态和接口令牌已失效。")
    return redirect("accounts:account-detail", account.pk)


@login_required
@require_POST
def account_enable(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    try:
        services.account_enable(actor=request.user, account=account)
    except ValidationError as error:
        _flash_error(request, error)
    else:
        messages.success(request, f"账号 {account.username} 已重新启用。")
    return redirect("accounts:account-detail", account.pk)


@login_required
@require_POST
def account_invite(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A new link (the earlier ones revoked): an invitation for an account that has never set
    a password, a password reset for one that has."""
    account = _account(request, pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择发送方式")
        return redirect("accounts:account-detail", account.pk)
    purpose = (
        Invitation.Purpose.RESET if account.has_usable_password() else Invitation.Purpose.INVITE
    )
    try:
        _, shown = services.invitation_issue(
            actor=request.user,
            account=account,
            channel=form.cleaned_data["channel"],
            base_url=_base_url(request),
            purpose=purpose,
        )
    except ValidationError as error:
        _flash_error(request, error)
        return redirect("accounts:account-detail", account.pk)
    return _invitation_result(request, account, shown, "新的链接已发送，之前的链接已作废。")


@login_required
@require_POST
def account_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    try:
        services.invitation_revoke(actor=request.user, account=account)
    except ValidationError as error:
        _flash_error(request, error)
    else:
        messages.success(request, "邀请链接已作废。")
    return redirect("accounts:account-detail", account.pk)


def invitation_accept(request: HttpRequest) -> HttpResponse:
    """The page an invitation link opens. The token follows "#" in the link, so the browser
    never sends it in the address; a script copies it into the form, which posts it."""
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.invitation_redeem(
                token=form.cleaned_data["token"], password=form.cleaned_data["password1"]
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            login(request, account, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"密码已设置，欢迎使用。您的用户名是 {account.username}。")
            return redirect("accounts:home")
    return render(request, "accounts/invitation_accept.html", {"form": form})


def _require_own_profile(request: AuthenticatedHttpRequest) -> None:
    # A worker's name and mobile are the roster's (workers:me); staff keep their own here.
    if not is_active_user(request.user) or request.user.role == Role.WORKER:
        raise PermissionDenied


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_own_profile(request)
    user = request.user
    form = ProfileForm(
        request.POST or None,
        initial={"display_name": user.display_name, "title": user.title, "email": user.email},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(user=user, **form.cleaned_data)
        except ValidationError as error:
            user.refresh_from_db()
            form_add_service_error(form, error)
        else:
            messages.success(request, "个人资料已保存。")
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "account": user})


@login_required
def profile_mobile(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Change one's mobile: "send" a code to the new number, then "confirm" with it."""
    _require_own_profile(request)
    form = MobileChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("action") == "send":
                masked = services.profile_mobile_code_send(user=request.user, mobile=data["mobile"])
                messages.success(request, f"验证码已发送到 {masked}，10 分钟内有效。")
            else:
                services.profile_mobile_confirm(
                    user=request.user, mobile=data["mobile"], code=data["code"]
                )
                messages.success(request, "手机号已更换。")
                return redirect("accounts:profile")
        except ValidationError as error:
            form_add_service_error(form, error)
    return render(request, "accounts/profile_mobile.html", {"form": form})
