"""The inbox over the API: the signed-in account's own messages, and marking them read; and,
public, the address where the SMS gateway reports what it delivered."""

import hmac
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
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
public_router = Router(tags=["消息（短信网关回执）"])


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


@public_router.post(
    "/{token}", auth=None, response=dict[str, int | str], operation_id="public_sms_reports"
)
def sms_reports(request: HttpRequest, token: str) -> dict[str, int | str]:
    """短信网关的状态报告（回执）：地址中的令牌为 LIANDONG_SMS_REPORT_TOKEN。请求体为一条回执
    （JSON 对象）、回执数组，或把数组放在 reports/data/records 中的对象；每条回执以网关受理时返回的
    消息编号（BizId、biz_id、sid、msgid 等）对应一条短信，success 或 report_status/stat/status
    说明是否送达。"""
    expected = settings.LIANDONG_SMS_REPORT_TOKEN
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Http404
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        raise ValidationError({"reports": "请求体不是有效的 JSON"}, code="invalid") from None
    if isinstance(body, dict):
        wrapped = next((body[k] for k in ("reports", "data", "records") if k in body), None)
        body = wrapped if isinstance(wrapped, list) else [body]
    if not isinstance(body, list):
        raise ValidationError({"reports": "回执应为 JSON 对象或数组"}, code="invalid")
    counts = services.sms_reports_record(body)
    return {"code": 0, "msg": "成功", **counts}
