from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Query, Router, Schema

from liandong.accounts.permissions import audit_entries_visible_to, can_browse_audit_log
from liandong.core.paging import page_by_id
from liandong.core.schemas import InputSchema

router = Router(tags=["audit"])


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


@router.get("/", response=AuditPage, url_name="audit-list", operation_id="audit_list")
def list_audit_entries(request: HttpRequest, query: Query[AuditQuery]) -> dict:
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
