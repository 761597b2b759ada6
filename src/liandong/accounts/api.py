from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.security import HttpBearer

from liandong.accounts import services
from liandong.accounts.models import AuthenticatedHttpRequest, Invitation, User
from liandong.accounts.permissions import (
    accounts_visible_to,
    audit_entries_visible_to,
    can_browse_audit_log,
    can_manage_accounts,
    organizations_managed_by,
)
from liandong.accounts.services import api_token_issue, api_token_user, login_check
from liandong.core.audit import action_label, audit_actor_name, target_type_label
from liandong.core.models import AuditLog
from liandong.core.paging import page_by_id
from liandong.core.schemas import InputSchema
from liandong.organizations.models import Organization

router = Router(tags=["auth"])


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_user(token=token)
        if user is not None:
            request.user = user
        return user


class TokenIn(InputSchema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_at: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    organization_id: int | None
    organization_name: str | None


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 403: dict},
    url_name="token",
    operation_id="auth_token",
)
def token(request: HttpRequest, payload: TokenIn) -> TokenOut:
    """Exchange a username (or a worker's mobile) and password for a bearer token."""
    user = login_check(request=request, username=payload.username, password=payload.password)
    key, record = api_token_issue(user=user)
    return TokenOut(token=key, expires_at=record.expires_at.isoformat())


me_router = Router(tags=["auth"])


@me_router.get("", response=MeOut, url_name="me", operation_id="me")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return MeOut(
        id=user.pk,
        username=user.username,
        display_name=str(user),
        role=user.role,
        role_label=user.role_label,
        organization_id=user.organization_id,
        organization_name=user.organization.name if user.organization is not None else None,
    )


audit_router = Router(tags=["audit"])


class AuditEntryOut(Schema):
    id: int
    created_at: datetime
    actor_repr: str
    action: str
    target_type: str
    target_id: str
    target_repr: str
    changes: dict[str, Any]
    ip_address: str | None
    request_id: str
    actor_name: str = Field(description="操作人姓名（系统操作为“系统”）")
    action_label: str = Field(description="操作的中文名称")
    target_type_label: str = Field(description="对象类型的中文名称")

    @staticmethod
    def resolve_actor_name(entry: AuditLog) -> str:
        return audit_actor_name(entry)

    @staticmethod
    def resolve_action_label(entry: AuditLog) -> str:
        return action_label(entry.action)

    @staticmethod
    def resolve_target_type_label(entry: AuditLog) -> str:
        return target_type_label(entry.target_type) if entry.target_type else ""


class AuditPage(Schema):
    items: list[AuditEntryOut]
    next_cursor: int | None


class AuditQuery(InputSchema):
    action: str = ""
    target_type: str = ""
    target_id: str = ""
    cursor: int | None = None
    limit: int = 50


@audit_router.get("/", response=AuditPage, url_name="audit-list", operation_id="audit_list")
def list_audit_entries(request: HttpRequest, query: Query[AuditQuery]) -> dict[str, object]:
    """The audit log of the caller's subtree (union administrators only)."""
    if not can_browse_audit_log(request.user):
        raise PermissionDenied
    entries = audit_entries_visible_to(request.user).select_related("actor")
    if query.action:
        entries = entries.filter(action=query.action)
    if query.target_type:
        entries = entries.filter(target_type=query.target_type)
    if query.target_id:
        entries = entries.filter(target_id=query.target_id)
    page = page_by_id(entries, cursor=query.cursor, size=query.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


# ---------------------------------------------------------------------------------------------
# Account management (union administrators): the accounts of their subtree and of the partner
# bodies linked to it. Another union's account is a 404, like one that does not exist.

accounts_router = Router(tags=["accounts"])


class AccountOut(Schema):
    id: int
    username: str
    display_name: str
    title: str
    role: str
    role_label: str
    organization_id: int | None
    organization_name: str | None
    is_leader: bool
    email: str
    mobile_masked: str
    is_active: bool
    has_password: bool


class AccountPage(Schema):
    items: list[AccountOut]
    next_cursor: int | None


class AccountCreatedOut(Schema):
    account: AccountOut
    # The one-time link, when the channel is "show": answered this once, stored nowhere.
    invitation_link: str | None


class AccountQuery(InputSchema):
    q: str = ""
    role: str = ""
    organization: int | None = None
    active: bool | None = None
    cursor: int | None = None
    limit: int = 20


class AccountIn(InputSchema):
    username: str = Field(max_length=150)
    display_name: str = Field(max_length=60)
    title: str = Field("", max_length=60)
    role: str
    organization_id: int | None = None
    is_leader: bool = False
    email: str = Field("", max_length=254)
    mobile: str = Field("", max_length=20)
    channel: str = "show"


class AccountPatch(InputSchema):
    display_name: str | None = Field(None, max_length=60)
    title: str | None = Field(None, max_length=60)
    role: str | None = None
    organization_id: int | None = None
    is_leader: bool | None = None
    email: str | None = Field(None, max_length=254)
    mobile: str | None = Field(None, max_length=20)


class InviteIn(InputSchema):
    channel: str = "show"


class InvitationOut(Schema):
    purpose: str
    channel: str
    expires_at: datetime
    invitation_link: str | None


def account_out(account: User) -> dict[str, Any]:
    return {
        "id": account.pk,
        "username": account.username,
        "display_name": account.display_name,
        "title": account.title,
        "role": account.role,
        "role_label": account.role_label,
        "organization_id": account.organization_id,
        "organization_name": account.organization.name if account.organization else None,
        "is_leader": account.is_leader,
        "email": account.email,
        "mobile_masked": account.mobile_masked,
        "is_active": account.is_active,
        "has_password": account.has_usable_password(),
    }


def _require_manager(request: AuthenticatedHttpRequest) -> None:
    if not can_manage_accounts(request.user):
        raise PermissionDenied


def _managed_account(request: AuthenticatedHttpRequest, account_id: int) -> User:
    _require_manager(request)
    return get_object_or_404(
        accounts_visible_to(request.user).select_related("organization"), pk=account_id
    )


def _organization(
    request: AuthenticatedHttpRequest, organization_id: int | None
) -> Organization | None:
    if organization_id is None:
        return None
    found = organizations_managed_by(request.user).filter(pk=organization_id).first()
    if found is None:
        raise ValidationError(
            {"organization_id": "所属组织不存在或不在您的管理范围内"},
            code="organization_out_of_scope",
        )
    return found


@contextmanager
def _api_field_names() -> Iterator[None]:
    """The services name the form's field ``organization``; the API's is ``organization_id``."""
    try:
        yield
    except ValidationError as error:
        if hasattr(error, "error_dict") and "organization" in error.error_dict:
            renamed = {
                ("organization_id" if field == "organization" else field): items
                for field, items in error.error_dict.items()
            }
            raise ValidationError(renamed) from error
        raise


@accounts_router.get("/", response=AccountPage, operation_id="accounts_list")
def list_accounts(
    request: AuthenticatedHttpRequest, query: Query[AccountQuery]
) -> dict[str, object]:
    """Accounts the caller manages, newest first (union administrators only)."""
    _require_manager(request)
    accounts = accounts_visible_to(request.user).select_related("organization")
    if query.q:
        accounts = accounts.filter(
            Q(username__icontains=query.q) | Q(display_name__icontains=query.q)
        )
    if query.role:
        accounts = accounts.filter(role=query.role)
    if query.organization is not None:
        accounts = accounts.filter(organization_id=query.organization)
    if query.active is not None:
        accounts = accounts.filter(is_active=query.active)
    page = page_by_id(accounts, cursor=query.cursor, size=query.limit)
    return {"items": [account_out(a) for a in page.items], "next_cursor": page.next_cursor}


@accounts_router.post("/", response=AccountCreatedOut, operation_id="accounts_create")
def create_account(request: AuthenticatedHttpRequest, payload: AccountIn) -> dict[str, object]:
    """A new account without a password, and its one-time invitation link (72 hours), sent by
    SMS or email or, for the channel "show", answered here once."""
    _require_manager(request)
    with _api_field_names(), transaction.atomic():
        account = services.account_create(
            actor=request.user,
            username=payload.username,
            display_name=payload.display_name,
            title=payload.title,
            role=payload.role,
            organization=_organization(request, payload.organization_id),
            email=payload.email,
            mobile=payload.mobile,
            is_leader=payload.is_leader,
        )
        _, shown = services.invitation_issue(
            actor=request.user,
            account=account,
            channel=payload.channel,
            base_url=request.build_absolute_uri("/"),
        )
    return {"account": account_out(account), "invitation_link": shown}


@accounts_router.get("/{int:account_id}", response=AccountOut, operation_id="accounts_get")
def get_account(request: AuthenticatedHttpRequest, account_id: int) -> dict[str, Any]:
    return account_out(_managed_account(request, account_id))


@accounts_router.patch("/{int:account_id}", response=AccountOut, operation_id="accounts_update")
def update_account(
    request: AuthenticatedHttpRequest, account_id: int, payload: AccountPatch
) -> dict[str, Any]:
    """Change the fields given; the others stay as they are."""
    account = _managed_account(request, account_id)
    given = payload.model_fields_set
    organization = (
        _organization(request, payload.organization_id)
        if "organization_id" in given
        else account.organization
    )
    with _api_field_names():
        services.account_update(
            actor=request.user,
            account=account,
            display_name=payload.display_name
            if payload.display_name is not None
            else account.display_name,
            title=payload.title if payload.title is not None else account.title,
            role=payload.role if payload.role is not None else account.role,
            organization=organization,
            email=payload.email if payload.email is not None else account.email,
            mobile=payload.mobile,
            is_leader=payload.is_leader if payload.is_leader is not None else account.is_leader,
        )
    return account_out(account)


@accounts_router.post(
    "/{int:account_id}/disable", response=AccountOut, operation_id="accounts_disable"
)
def disable_account(request: AuthenticatedHttpRequest, account_id: int) -> dict[str, Any]:
    """Disable: the account's sessions and API tokens end at once."""
    account = _managed_account(request, account_id)
    return account_out(services.account_disable(actor=request.user, account=account))


@accounts_router.post(
    "/{int:account_id}/enable", response=AccountOut, operation_id="accounts_enable"
)
def enable_account(request: AuthenticatedHttpRequest, account_id: int) -> dict[str, Any]:
    account = _managed_account(request, account_id)
    return account_out(services.account_enable(actor=request.user, account=account))


@accounts_router.post(
    "/{int:account_id}/invite", response=InvitationOut, operation_id="accounts_invite"
)
def invite_account(
    request: AuthenticatedHttpRequest, account_id: int, payload: InviteIn
) -> dict[str, Any]:
    """A new one-time link (earlier ones revoked): an invitation, or a password reset for an
    account that has set a password."""
    account = _managed_account(request, account_id)
    purpose = (
        Invitation.Purpose.RESET if account.has_usable_password() else Invitation.Purpose.INVITE
    )
    invitation, shown = services.invitation_issue(
        actor=request.user,
        account=account,
        channel=payload.channel,
        base_url=request.build_absolute_uri("/"),
        purpose=purpose,
    )
    return {
        "purpose": invitation.purpose,
        "channel": invitation.channel,
        "expires_at": invitation.expires_at,
        "invitation_link": shown,
    }


@accounts_router.post(
    "/{int:account_id}/revoke", response=AccountOut, operation_id="accounts_revoke"
)
def revoke_invitations(request: AuthenticatedHttpRequest, account_id: int) -> dict[str, Any]:
    """Revoke the account's unused links."""
    account = _managed_account(request, account_id)
    services.invitation_revoke(actor=request.user, account=account)
    return account_out(account)
