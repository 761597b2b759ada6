"""Every API error is JSON ``{"detail": ...}`` with a 4xx status; nothing escapes as a 500
page. Validation errors name the field they concern, in Chinese: pydantic's English messages
("Field required", "Input should be a valid integer") are replaced by the message of their
error ``type``, with its context values (``string_too_long`` -> "不能超过 20 个字符")."""

import json
import logging
import re
from typing import Any

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

logger = logging.getLogger(__name__)

_DATE = "请输入有效的日期，如 2026-05-01"
_DATETIME = "请输入有效的日期时间，如 2026-05-01 09:30"
_TIME = "请输入有效的时间，如 09:30"
_INTEGER = "请输入整数"
_NUMBER = "请输入数字"
_CHOICE = "不是可选的值"
_INVALID = "输入无效"

# pydantic's error types (https://docs.pydantic.dev/latest/errors/validation_errors/) that the
# product's schemas can raise, each with its message; {name} is filled from the error's ctx.
MESSAGES: dict[str, str] = {
    "missing": "此项为必填项",
    "missing_argument": "此项为必填项",
    "extra_forbidden": "不允许的字段",
    "none_required": "此项应为空",
    "int_parsing": _INTEGER,
    "int_type": _INTEGER,
    "int_from_float": _INTEGER,
    "int_parsing_size": "数值超出范围",
    "float_parsing": _NUMBER,
    "float_type": _NUMBER,
    "finite_number": "请输入有限的数字",
    "decimal_parsing": _NUMBER,
    "decimal_type": _NUMBER,
    "decimal_max_digits": "总位数不能超过 {max_digits} 位",
    "decimal_max_places": "小数位数不能超过 {decimal_places} 位",
    "decimal_whole_digits": "整数部分不能超过 {whole_digits} 位",
    "bool_parsing": "请选择是或否",
    "bool_type": "请选择是或否",
    "date_parsing": _DATE,
    "date_type": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": "请输入日期，不带时间",
    "date_past": "日期须早于今天",
    "date_future": "日期须晚于今天",
    "datetime_parsing": _DATETIME,
    "datetime_type": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "datetime_object_invalid": _DATETIME,
    "datetime_past": "时间须早于现在",
    "datetime_future": "时间须晚于现在",
    "timezone_naive": "时间不能带时区",
    "timezone_aware": "时间须带时区",
    "time_parsing": _TIME,
    "time_type": _TIME,
    "time_delta_parsing": "请输入有效的时长",
    "time_delta_type": "请输入有效的时长",
    "string_type": "请输入文本",
    "string_unicode": "包含无效的字符",
    "string_too_short": "至少需要 {min_length} 个字符",
    "string_too_long": "不能超过 {max_length} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "greater_than": "必须大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "必须小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "multiple_of": "必须是 {multiple_of} 的倍数",
    "literal_error": _CHOICE,
    "enum": _CHOICE,
    "json_invalid": "请求内容无法解析，格式有误",
    "json_type": "请求内容无法解析，格式有误",
    "list_type": "应为列表",
    "tuple_type": "应为列表",
    "set_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "dataclass_type": "应为对象",
    "url_parsing": "请输入有效的网址",
    "url_type": "请输入有效的网址",
    "url_scheme": "网址须以 http:// 或 https:// 开头",
    "uuid_parsing": "格式不正确",
    "uuid_type": "格式不正确",
    "bytes_type": _INVALID,
    "bytes_too_short": "内容过短",
    "bytes_too_long": "内容过长",
    "is_instance_of": _INVALID,
    "union_tag_invalid": _CHOICE,
    "union_tag_not_found": "缺少类型字段",
}
# Messages of HttpErrors that ninja raises itself, in English.
_NINJA_MESSAGES = {
    "Cannot parse request body": "请求内容无法解析，格式有误",
    "CSRF check Failed": "跨站请求校验失败，请刷新页面后重试",
}
_BY_STATUS = {
    400: "请求无效",
    401: "请先登录或提供有效的令牌",
    403: "您没有权限执行此操作",
    404: "未找到",
    405: "不支持该请求方法",
    409: "与当前状态冲突",
    413: "请求内容过大",
    422: _INVALID,
    429: "请求过于频繁，请稍后再试",
}
_CJK = re.compile(r"[\u3400-\u9fff]")


def is_chinese(text: str) -> bool:
    return bool(_CJK.search(text))


def chinese_message(error: dict[str, Any]) -> str:
    """The message for one pydantic error: by its type, else its own if our validator wrote
    it in Chinese (``ValueError("数值超出范围")``), else "输入无效"."""
    ctx = error.get("ctx") or {}
    template = MESSAGES.get(error.get("type", ""))
    if template is not None:
        try:
            return template.format(**ctx)
        except (KeyError, IndexError, ValueError):
            return template.split("{", 1)[0].strip() or _INVALID
    own = str(ctx.get("error") or error.get("msg") or "")
    own = own.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return own if is_chinese(own) else _INVALID


def translated(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ninja's ``[{"type", "loc", "msg", "ctx"}]`` with Chinese messages; a ctx keeps only its
    values (limits, choices), not the English error text it may carry."""
    result = []
    for error in errors:
        item = {**error, "msg": chinese_message(error)}
        ctx = {k: v for k, v in (error.get("ctx") or {}).items() if k != "error"}
        if ctx:
            item["ctx"] = ctx
        else:
            item.pop("ctx", None)
        result.append(item)
    return result


def http_error_message(status: int, message: str) -> str:
    if is_chinese(message):
        return message
    return _NINJA_MESSAGES.get(message) or _BY_STATUS.get(status, "请求无效")


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


class TooManyRequests(HttpError):
    """A 429 that tells the client when to come back (``Retry-After``, in seconds)."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(429, message)
        self.retry_after = retry_after


def install(api: NinjaAPI) -> None:
    def reply(request: HttpRequest, detail: Any, status: int) -> HttpResponse:
        return api.create_response(request, {"detail": detail}, status=status)

    @api.exception_handler(ValidationError)
    def django_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return reply(request, validation_detail(exc), 422)

    @api.exception_handler(NinjaValidationError)
    def schema_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return reply(request, translated(exc.errors), 422)

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
        response = reply(request, http_error_message(exc.status_code, exc.message), exc.status_code)
        if isinstance(exc, TooManyRequests):
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(MultiPartParserError)
    def malformed_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        # e.g. multipart/form-data without a boundary: the client's fault, not ours.
        return reply(request, "上传内容格式有误，无法解析", 400)

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
