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

from dataclasses import dataclass, field
from html.parser import HTMLParser
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


@dataclass
class PageForm:
    """A POST form as a browser sees it in the page: where it goes and what it sends unless the
    person types something else (hidden inputs, the token, values, selected or first options,
    checked boxes, textarea text). A name sent more than once (several checked boxes, a
    ``<select multiple>``) holds the list of its values, as a browser sends each of them; a
    multiple select with nothing selected sends nothing."""

    action: str
    fields: dict[str, str | list[str]] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)  # every named control, sent or not

    def add(self, name: str, value: str) -> None:
        if name not in self.fields:
            self.fields[name] = value
            return
        held = self.fields[name]
        self.fields[name] = [*held, value] if isinstance(held, list) else [held, value]


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_multiple = False
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = PageForm(a.get("action", "")) if a.get("method") == "post" else None
            if self._form is not None:
                self.forms.append(self._form)
        if self._form is None or (not a.get("name") and tag != "option"):
            return
        fields = self._form.fields
        if a.get("name"):
            self._form.names.add(a["name"])
        if tag == "input" and a.get("type") not in ("submit", "button", "file", "image", "reset"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:  # a box without a value sends "on"
                    self._form.add(a["name"], a.get("value", "on"))
            else:
                self._form.add(a["name"], a.get("value", ""))
        elif tag == "select":
            self._select, self._select_first = a["name"], None
            self._select_multiple = "multiple" in a
        elif tag == "option" and self._select is not None:
            if self._select_first is None:
                self._select_first = a.get("value", "")
            if "selected" in a:
                self._form.add(self._select, a.get("value", ""))
        elif tag == "textarea":
            self._textarea = a["name"]
            fields[a["name"]] = ""

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea is not None:
            text = self._form.fields[self._textarea]
            assert isinstance(text, str)
            self._form.fields[self._textarea] = text + data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._form is not None and self._select is not None:
            if not self._select_multiple:  # a single select sends its first option by default
                self._form.fields.setdefault(self._select, self._select_first or "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def page_forms(html: str) -> list[PageForm]:
    """The POST forms of a page."""
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def submit_page_form(
    client: Client, url: str, values: dict[str, Any], *, with_token: bool = True
) -> Any:
    """Opens ``url`` and submits the POST form that has every field named in ``values`` as a
    browser does: the page's own fields and CSRF token, with ``values`` typed over them. ``client`` must be a plain
    enforcing ``Client`` (a ``BrowserClient`` would add the token itself and hide a form that
    lacks it). ``with_token=False`` leaves the page's token out (the answer must be 403)."""
    assert not isinstance(client, BrowserClient), "a BrowserClient sends the token by itself"
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    forms = [f for f in page_forms(page.content.decode()) if set(values) <= f.names]
    assert forms, f"{url} has no POST form with the fields {sorted(values)}"
    form = forms[0]
    token = form.fields.get("csrfmiddlewaretoken", "")
    assert token, f"the form of {url} carries no CSRF token"
    data = {**form.fields, **{key: str(value) for key, value in values.items()}}
    if not with_token:
        del data["csrfmiddlewaretoken"]
    return client.post(form.action or url, data)
