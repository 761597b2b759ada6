import ipaddress
import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from liandong.core.audit import request_context


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind our own nginx (LIANDONG_BEHIND_PROXY=1) every request comes
    from 127.0.0.1, so the address nginx puts in X-Forwarded-For is used instead; nginx must
    set that header itself (``proxy_set_header X-Forwarded-For $remote_addr``), never pass on
    the client's."""
    if settings.LIANDONG_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass  # missing or not an address: fall back to the peer
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Give every request an id and remember its client address for the audit log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.headers.get("X-Request-Id", "")[:32] or secrets.token_hex(8)
        ip = client_ip(request)
        token = request_context.set({"ip": ip, "request_id": request_id})
        try:
            response = self.get_response(request)
        finally:
            request_context.reset(token)
        response["X-Request-Id"] = request_id
        return response


# Everything the pages use comes from this server; no inline script or style is allowed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)


class NoStoreMiddleware:
    """Pages and API answers of a logged-in user may show personal data: never cache them.
    Also sets the Content-Security-Policy of every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/static/") and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
