"""The inbox over the API: the signed-in account's own messages, and marking them read."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.core.paging import page_by_id
from liandong.core.schemas import BIGINT_MAX
from liandong.notifications import services
from liandong.notifications.models import Message
from liandong.notifications.permissions import can_use_inbox, messages_visible_to
from liandong.notifications.schemas import InboxQuery, MessagePage, ReadOut
from liandong.notifications.selectors import unread_count

router = Router(tags=["消息"])


def message_item(m: Message) -> dict[str, Any]:
    return {
        "id": m.pk,
        "kind": m.kind,
        "title": m.title,
        "body": m.body,
        "link": m.link,
        "urgent": m.urgent,
        "read": m.read_at is not None,
        "read_at": m.read_at,
        "created_at": m.created_at,
    }


@router.get("/", response=MessagePage, operation_id="notifications_inbox")
def inbox(request: AuthenticatedHttpRequest, query: Query[InboxQuery]) -> dict[str, Any]:
    """My messages, newest first (``unread=true``: only the unread)."""
    if not can_use_inbox(request.user):
        raise PermissionDenied
    messages = messages_visible_to(request.user)
    if query.unread:
        messages = messages.filter(read_at__isnull=True)
    page = page_by_id(messages, cursor=query.cursor, size=query.limit)
    return {
        "items": [message_item(m) for m in page.items],
        "next_cursor": page.next_cursor,
        "unread_count": unread_count(request.user),
    }


@router.post("/{message_id}/read", response=ReadOut, operation_id="notifications_mark_read")
def mark_read(
    request: AuthenticatedHttpRequest, message_id: int = Path(..., ge=1, le=BIGINT_MAX)
) -> dict[str, Any]:
    """Mark one of my messages read (another account's message answers 404)."""
    message = get_object_or_404(messages_visible_to(request.user), pk=message_id)
    marked = services.message_mark_read(user=request.user, message=message)
    return {"marked": int(marked), "unread_count": unread_count(request.user)}


@router.post("/read-all", response=ReadOut, operation_id="notifications_mark_all_read")
def mark_all_read(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    if not can_use_inbox(request.user):
        raise PermissionDenied
    marked = services.messages_mark_all_read(user=request.user)
    return {"marked": marked, "unread_count": 0}
