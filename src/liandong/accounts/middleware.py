import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse


class SessionIdleTimeoutMiddleware:
    """End a session after LIANDONG_SESSION_IDLE_SECONDS without a request (ASVS 7.3.1)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get("last_seen", now)
            if now - last > settings.LIANDONG_SESSION_IDLE_SECONDS:
                logout(request)
            elif now - last > 60 or "last_seen" not in request.session:
                # Written at most once a minute, to spare the session store.
                request.session["last_seen"] = now
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session and "last_seen" not in session:
            # The request that signed in: the idle clock starts now, not at the next request.
            request.session["last_seen"] = int(time.time())
        return response
