from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.security import HttpBearer

from liandong.accounts.models import User
from liandong.accounts.permissions import audit_entries_visible_to, can_browse_audit_log
from liandong.accounts.services import api_token_issue, api_token_user, login_check
from liandong.core.paging import page_by_id
from liandong.core.schemas import InputSchema

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
    entries = audit_entries_visible_to(request.user)
    if query.action:
        entries = entries.filter(action=query.action)
    if query.target_type:
        entries = entries.filter(target_type=query.target_type)
    if query.target_id:
        entries = entries.filter(target_id=query.target_id)
    page = page_by_id(entries, cursor=query.cursor, size=query.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}
