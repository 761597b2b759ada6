"""The test client every test uses: CSRF enforced, as in production, and a token obtained the
way a browser page or a JS client obtains it.

Django's plain ``Client()`` skips the CSRF check altogether, which let nine forms whose include
dropped the token pass the suite while a real browser got 403 (issue 13). ``BrowserClient``
enforces the check and, before an unsafe request (POST, PUT, PATCH, DELETE), holds the
``csrftoken`` cookie, fetching the login page when it has none (as a browser that opens the
site first does), and sends its value in ``X-CSRFToken``, as a JS client does. A request that
carries ``Authorization: Bearer`` gets no token: the API's bearer authentication is exempt by
design (a token is not a cookie a browser sends on its own). A request that sets its own
``X-CSRFToken`` (or passes ``csrf=False``) is sent as given.

What this client does not prove is that a page's form carries its token; the form tests in
core/tests/test_csrf.py submit forms with the token found in the page, with a plain enforcing
client, and the crawl does that for every form."""

from typing import Any

from django.conf import settings
from django.test import Client

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
LOGIN_PAGE = "/accounts/login/"


class BrowserClient(Client):
    def __init__(self, **defaults: Any) -> None:
        defaults.setdefault("enforce_csrf_checks", True)
        super().__init__(**defaults)

    def csrf_token(self) -> str:
        """The ``csrftoken`` cookie's value, fetched with a GET of the login page if needed."""
        cookie = self.cookies.get(settings.CSRF_COOKIE_NAME)
        if cookie is None or not cookie.value:
            response = self.get(LOGIN_PAGE)
            assert response.status_code == 200, response.status_code
            cookie = self.cookies.get(settings.CSRF_COOKIE_NAME)
            assert cookie is not None, "the login page set no CSRF cookie"
        return cookie.value

    def generic(
        self,
        method: str,
        path: str,
        data: Any = "",
        content_type: str | None = "application/octet-stream",
        secure: bool = False,
        *,
        headers: dict[str, Any] | None = None,
        query_params: Any = None,
        **extra: Any,
    ) -> Any:
        if (
            method.upper() in UNSAFE
            and extra.pop("csrf", True)
            and self._needs_token(headers, extra)
        ):
            extra["HTTP_X_CSRFTOKEN"] = self.csrf_token()
            if secure and "HTTP_REFERER" not in extra and "HTTP_ORIGIN" not in extra:
                # A browser sends its page's origin with a POST; Django checks it on HTTPS.
                host = extra.get("HTTP_HOST") or self.defaults.get("HTTP_HOST", "testserver")
                extra["HTTP_ORIGIN"] = f"https://{host}"
        return super().generic(
            method,
            path,
            data,
            content_type,
            secure,
            headers=headers,
            query_params=query_params,
            **extra,
        )

    def _needs_token(self, headers: dict[str, Any] | None, extra: dict[str, Any]) -> bool:
        given = {key.lower(): value for key, value in (headers or {}).items()}
        if "HTTP_X_CSRFTOKEN" in extra or "x-csrftoken" in given:
            return False
        authorization = (
            extra.get("HTTP_AUTHORIZATION")
            or given.get("authorization")
            or self.defaults.get("HTTP_AUTHORIZATION")
            or ""
        )
        return not str(authorization).lower().startswith("bearer ")
