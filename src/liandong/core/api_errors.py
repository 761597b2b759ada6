"""Every API error is JSON ``{"detail": ...}`` with a 4xx status; nothing escapes as a 500
page. Validation errors name the field they concern."""

import json
import logging
from typing import Any

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError,
)
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

logger = logging.getLogger(__name__)


def validation_detail(error: ValidationError) -> list[dict[str, Any]]:
    """``[{"loc": ["body", field], "msg": ..., "type": code}]``, like ninja's own 422s."""
    if hasattr(error, "error_dict"):
        return [
            {"loc": ["body", field], "msg": item.messages[0], "type": item.code or "invalid"}
            for field, items in error.error_dict.items()
            for item in items
        ]
    return [
        {"loc": ["body"], "msg": message, "type": error.code or "invalid"}
        for message in error.messages
    ]


def install(api: NinjaAPI) -> None:
    def reply(request: HttpRequest, detail: Any, status: int) -> HttpResponse:
        return api.create_response(request, {"detail": detail}, status=status)

    @api.exception_handler(ValidationError)
    def django_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return reply(request, validation_detail(exc), 422)

    @api.exception_handler(NinjaValidationError)
    def schema_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return reply(request, exc.errors, 422)

    @api.exception_handler(PermissionDenied)
    def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return reply(request, str(exc) or "您没有权限执行此操作", 403)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return reply(request, "未找到", 404)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return reply(request, "请先登录或提供有效的令牌", 401)

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        # What Django answers outside the API too (400), e.g. a body over
        # DATA_UPLOAD_MAX_MEMORY_SIZE (413 here, which says what to change).
        if isinstance(exc, RequestDataTooBig):
            return reply(request, "请求内容过大", 413)
        return reply(request, "请求无效", 400)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return reply(request, exc.message, exc.status_code)

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Logged with its traceback; the client learns only that the request failed.
        logger.exception("Unhandled API error on %s", request.path)
        return reply(request, "服务器内部错误，请稍后重试", 500)


class Utf8JSONRenderer(JSONRenderer):
    """Chinese text as UTF-8, not as \\u escapes: smaller and readable in logs and curl."""

    json_dumps_params = {"ensure_ascii": False}


def prevalidated(data: dict) -> HttpResponse:
    """A 200 JSON answer for data the view built field by field for its declared response
    schema (plain str/int/date/bool values): ninja would otherwise validate it a second time,
    which on a 20-row list costs as much as the query. Only for such hand-built dicts."""
    return HttpResponse(
        json.dumps(data, cls=NinjaJSONEncoder, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
