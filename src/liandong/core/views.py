"""The health check and the error views (400, 403, 404, 500, CSRF failure): Chinese pages in the
product's layout with a way back, or under /api/ the API's JSON ``{"detail": ...}``."""

import logging

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme

from liandong.core.api_errors import is_chinese

logger = logging.getLogger(__name__)

CSRF_MESSAGE = "页面已过期或请求来源无法验证，请刷新页面后重新提交"


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _json(detail: str, status: int) -> JsonResponse:
    return JsonResponse(
        {"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _back(request: HttpRequest) -> str:
    """Where 返回上一页 leads: the referring page of this site, else the home page (pages
    allow no inline script, so ``history.back()`` is not available)."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except Exception:  # a 400 may be the answer to a host that is not allowed
        host = ""
    if referer and host and url_has_allowed_host_and_scheme(referer, allowed_hosts={host}):
        return referer
    return reverse("accounts:home")


def _message(exception: Exception | None) -> str:
    """The exception's own text when it was written for a person (Chinese), never Django's
    English internals ("No Worker matches the given query.")."""
    message = exception.args[0] if exception is not None and exception.args else ""
    return message if isinstance(message, str) and is_chinese(message) else ""


def _page(
    request: HttpRequest, template: str, status: int, exception: Exception | None = None
) -> HttpResponse:
    return render(
        request,
        template,
        {"back_url": _back(request), "message": _message(exception)},
        status=status,
    )


# What the 400 and 500 pages fall back to when even the layout cannot be rendered (static
# files not collected, a broken template): the same words, no stylesheet.
PLAIN_PAGE = (
    '<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8"><title>{title} · 联动</title>'
    '</head><body><h1>{title}</h1><p>{text}</p><p><a href="/">返回首页</a> '
    '<a href="{back}">返回上一页</a></p></body></html>'
)


def _standalone(template: str, back_url: str, title: str, text: str) -> str:
    """A page rendered without the request's context processors (no session, no query)."""
    try:
        return loader.render_to_string(template, {"back_url": back_url})
    except Exception:
        logger.exception("The error page %s could not be rendered", template)
        return PLAIN_PAGE.format(title=title, text=text, back=escape(back_url))


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _json("请求无效", 400)
    # No context processors: the request may be one Django refuses to read (a host that is
    # not allowed), and the menu needs its session.
    return HttpResponse(
        _standalone("400.html", _back(request), "请求无效", "服务器无法处理这个请求。"), status=400
    )


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _json(_message(exception) or "您没有权限执行此操作", 403)
    return _page(request, "403.html", 403, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Under /api/ even a URL that matches no route (``/api/v1/workers/abc``) answers in JSON."""
    if _is_api(request):
        return _json("未找到", 404)
    return _page(request, "404.html", 404, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without context processors or a database query, so that it shows even when
    the database is what failed."""
    if _is_api(request):
        return _json("服务器内部错误，请稍后重试", 500)
    text = "服务器处理请求时出错，请稍后重试。"
    return HttpResponse(_standalone("500.html", _back(request), "服务器出错", text), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: Django's reason (English, for developers) goes to the log only."""
    if _is_api(request):
        return _json(CSRF_MESSAGE, 403)
    return render(
        request,
        "csrf_failure.html",
        {"back_url": _back(request), "message": CSRF_MESSAGE},
        status=403,
    )
