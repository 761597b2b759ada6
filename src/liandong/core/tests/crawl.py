"""The crawl's machinery (used by test_crawl.py): sign a role in through the real login form,
follow the links it is shown breadth-first, then submit every form the pages hold with the
page's own CSRF token and plausible values, and collect every fault instead of stopping at
the first.

Everything goes through a test client that enforces CSRF and follows no redirect, so a form
that loses its token is refused here exactly as a browser's submission would be."""

import logging
import re
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from liandong.accounts.demo import DEMO_PASSWORD

HOST = "testserver"
# Django's own English error texts (django/views/defaults.py, django/views/csrf.py).
ENGLISH_ERROR_TEXTS = [
    "CSRF verification failed",
    "<h1>Forbidden",
    "<h1>Not Found</h1>",
    "<h1>Bad Request (400)</h1>",
    "<h1>Server Error (500)</h1>",
    "The requested resource was not found on this server",
]
# Links the crawl does not follow: signing out ends the role's session; static files are not
# pages.
SKIP_PATHS = ("/accounts/logout/", "/static/", "/media/")
PLAUSIBLE_TEXT = "测试内容"


@dataclass
class Form:
    page: str
    index: int  # among the page's <form> elements, in document order
    action: str
    method: str
    fields: list[tuple[str, str]]
    has_required_file: bool
    has_file: bool


@dataclass
class Fault:
    role: str
    kind: str
    method: str
    url: str
    status: int
    detail: str = ""

    def __str__(self) -> str:
        detail = f"  {self.detail}" if self.detail else ""
        return f"{self.role}: {self.kind} {self.method} {self.url} -> {self.status}{detail}"


@dataclass
class Result:
    role: str
    pages: int = 0
    downloads: int = 0
    forms: int = 0
    forms_skipped: list[str] = field(default_factory=list)
    redirects: int = 0
    faults: list[Fault] = field(default_factory=list)
    english_pages: list[Fault] = field(default_factory=list)
    refused_forms: list[Fault] = field(default_factory=list)
    seconds: float = 0.0


class _PageParser(HTMLParser):
    """Links (``<a href>``) and forms with the values a browser would send untouched."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v if v is not None else "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {
                "action": a.get("action", ""),
                "method": a.get("method", "get").lower(),
                "enctype": a.get("enctype", ""),
                "controls": [],
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "button"):
            default_type = "submit" if tag == "button" else "text"
            self._form["controls"].append({**a, "tag": tag, "type": a.get("type", default_type)})
        elif tag == "select":
            self._select = {**a, "tag": "select", "options": []}
            self._form["controls"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = {**a, "text": ""}
            self._select["options"].append(self._option)
        elif tag == "textarea":
            self._textarea = {**a, "tag": "textarea", "text": ""}
            self._form["controls"].append(self._textarea)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option["text"] += data
        elif self._textarea is not None:
            self._textarea["text"] += data


def plausible(control: dict) -> str:
    """A value a person might type into an empty required field."""
    kind = control.get("type", "text")
    name = control.get("name", "")
    today = timezone.localdate()
    if kind == "date":
        return today.isoformat()
    if kind == "datetime-local":
        return f"{today.isoformat()}T09:00"
    if kind == "time":
        return "09:00"
    if kind == "month":
        return today.strftime("%Y-%m")
    if kind == "number":
        low = control.get("min", "")
        return low if low and float(low) > 1 else "1"
    if kind == "email":
        return "test@example.cn"
    if kind == "tel" or "mobile" in name or "phone" in name:
        return "13912345678"
    if kind == "url":
        return "https://example.cn/"
    if "id_number" in name:
        return "620102198403152712"
    if "year" in name:
        return str(today.year)
    return PLAUSIBLE_TEXT


def form_values(controls: list[dict]) -> tuple[list[tuple[str, str]], bool, bool]:
    """(name, value) pairs as a browser would send them after a person filled the required
    fields and clicked the first submit button; and whether the form has a (required) file."""
    values: list[tuple[str, str]] = []
    radios_done: set[str] = set()
    clicked = False
    has_file = required_file = False
    radio_groups: dict[str, list[dict]] = {}
    for c in controls:
        if c.get("type") == "radio" and c.get("name"):
            radio_groups.setdefault(c["name"], []).append(c)
    for c in controls:
        name = c.get("name")
        kind = c.get("type", "")
        if "disabled" in c:
            continue
        if c["tag"] in ("input", "button") and kind in ("submit", "image"):
            if not clicked:
                clicked = True
                if name:
                    values.append((name, c.get("value", "")))
            continue
        if kind in ("button", "reset") or not name:
            continue
        if kind == "file":
            has_file = True
            required_file = required_file or "required" in c
            continue
        if kind == "radio":
            if name in radios_done:
                continue
            radios_done.add(name)
            group = radio_groups[name]
            chosen = next((r for r in group if "checked" in r), group[0])
            values.append((name, chosen.get("value", "on")))
        elif kind == "checkbox":
            if "checked" in c or "required" in c:
                values.append((name, c.get("value", "on")))
        elif c["tag"] == "select":
            options = [o for o in c["options"] if "disabled" not in o]
            selected = [o for o in options if "selected" in o]
            if not selected and options:
                filled = [o for o in options if o.get("value", o["text"].strip())]
                selected = [filled[0] if filled and "required" in c else options[0]]
                if "multiple" in c and "required" not in c:
                    selected = []
            for o in selected if "multiple" in c else selected[:1]:
                values.append((name, o.get("value", o["text"].strip())))
        elif c["tag"] == "textarea":
            text = c["text"].removeprefix("\n")
            values.append((name, text or (PLAUSIBLE_TEXT if "required" in c else "")))
        else:
            value = c.get("value", "")
            if not value and "required" in c and kind != "hidden":
                value = plausible(c)
            values.append((name, value))
    return values, has_file, required_file


def parse(page: str, body: str) -> tuple[list[str], list[Form]]:
    parser = _PageParser()
    parser.feed(body)
    links = [urljoin(page, href) for href in parser.links]
    forms = []
    for index, f in enumerate(parser.forms):
        values, has_file, required_file = form_values(f["controls"])
        forms.append(
            Form(
                page=page,
                index=index,
                action=urljoin(page, f["action"]) if f["action"] else page,
                method="post" if f["method"] == "post" else "get",
                fields=values,
                has_required_file=required_file,
                has_file=has_file,
            )
        )
    return links, forms


def local(url: str) -> str | None:
    """The path and query of a link on this host that the crawl may follow, else None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "") or parts.netloc not in (HOST, ""):
        return None
    path = parts.path or "/"
    if path.startswith(SKIP_PATHS):
        return None
    return f"{path}?{parts.query}" if parts.query else path


def shape(url: str) -> str:
    """URLs that differ only in ids or query values have one shape: the crawl visits a few
    of each (``per_shape``), so that one list of 500 workers does not use up the budget."""
    parts = urlsplit(url)
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"\d+", "#", parts.path) + ("?" + "&".join(keys) if keys else "")


def english_error_text(body: str) -> str | None:
    """The first of Django's default English error texts in ``body``, if any."""
    return next((text for text in ENGLISH_ERROR_TEXTS if text in body), None)


class _CsrfRefusals(logging.Handler):
    """Counts CsrfViewMiddleware's refusals (logged to ``django.security.csrf``), which tells a
    CSRF failure from any other 403 whatever the failure page looks like."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@contextmanager
def csrf_refusals() -> Iterator[_CsrfRefusals]:
    handler = _CsrfRefusals()
    logger = logging.getLogger("django.security.csrf")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def token_of(body: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert match, "no CSRF token on the login page"
    return match.group(1)


def sign_in(client: Client, login: str) -> None:
    """Through the real login form: staff by username on /accounts/login/, workers by mobile
    and password on the worker sign-in page."""
    worker = login.isdigit()
    url = "/accounts/login/worker/" if worker else "/accounts/login/"
    page = client.get(url)
    assert page.status_code == 200, (login, page.status_code)
    data = {"csrfmiddlewaretoken": token_of(page.content.decode())}
    if worker:
        data |= {"mobile": login, "password": DEMO_PASSWORD, "action": "login"}
    else:
        data |= {"username": login, "password": DEMO_PASSWORD, "next": "/"}
    response = client.post(url, data)
    assert response.status_code == 302, (login, response.status_code)
    assert "_auth_user_id" in client.session, login


@dataclass
class Crawler:
    role: str
    client: Client
    max_pages: int = 150
    per_shape: int = 3
    forms_per_shape: int = 2
    check_english: bool = False
    result: Result = field(init=False)
    forms: list[Form] = field(init=False, default_factory=list)
    # The HTML pages that answered 200, in the order visited (the browser tests open them).
    visited: list[str] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.result = Result(self.role)

    def judge(self, method: str, url: str, response: HttpResponse, refusals: int) -> bool:
        """Record what is wrong with ``response``; True if it is a page worth parsing."""
        status = response.status_code
        body = response.content.decode(errors="replace") if _is_html(response) else ""
        if status >= 500:
            exc = getattr(response, "exc_info", None)
            detail = f"{exc[0].__name__}: {exc[1]}" if exc else ""
            self.result.faults.append(Fault(self.role, "server error", method, url, status, detail))
        if status == 403 and (refusals or "CSRF verification failed" in body):
            self.result.faults.append(Fault(self.role, "CSRF failure", method, url, status))
        english = english_error_text(body) if status >= 400 else None
        if english:
            fault = Fault(self.role, "English error page", method, url, status, english)
            self.result.english_pages.append(fault)
            if self.check_english:
                self.result.faults.append(fault)
        if 300 <= status < 400:
            self.result.redirects += 1
        return status == 200 and bool(body)

    def request(self, method: str, url: str, data: object = None) -> tuple[HttpResponse, int]:
        with csrf_refusals() as refusals:
            response = self.client.get(url) if method == "GET" else self.client.post(url, data)
        return response, refusals.count

    def crawl(self, seeds: list[str], *, submit: bool = True) -> Result:
        """GET the pages breadth-first from ``seeds``, then (``submit``) send their forms."""
        started = time.monotonic()
        queue: deque[str] = deque(seeds)
        seen: set[str] = set(seeds)
        found_on: dict[str, str] = {}
        shapes: dict[str, int] = {}
        while queue and self.result.pages + self.result.downloads < self.max_pages:
            url = queue.popleft()
            response, refusals = self.request("GET", url)
            status = response.status_code
            if not _is_html(response):
                self.result.downloads += 1
            else:
                self.result.pages += 1
            if status in (403, 404) and url not in seeds:
                detail = f"(linked from {found_on.get(url)})"
                fault = Fault(self.role, "link refused", "GET", url, status, detail)
                self.result.faults.append(fault)
            if not self.judge("GET", url, response, refusals):
                targets = [response["Location"]] if response.has_header("Location") else []
                links: list[str] = targets
                page_forms: list[Form] = []
            else:
                links, page_forms = parse(url, response.content.decode())
                self.visited.append(url)
            self.forms += page_forms
            for link in links:
                path = local(urljoin(url, link))
                if path is None or path in seen:
                    continue
                key = shape(path)
                if shapes.get(key, 0) >= self.per_shape:
                    continue
                shapes[key] = shapes.get(key, 0) + 1
                seen.add(path)
                found_on[path] = url
                queue.append(path)
        if submit:
            self.submit(self.forms)
        self.result.seconds = time.monotonic() - started
        return self.result

    def submit(self, forms: list[Form]) -> None:
        """Every form once per (action shape, method, field names), a few of each shape."""
        done: set[tuple[str, str, tuple[str, ...]]] = set()
        shapes: dict[str, int] = {}
        for form in forms:
            path = local(form.action)
            if path is None:
                continue
            names = tuple(sorted({name for name, _ in form.fields}))
            key = (shape(path), form.method, names)
            if key in done or shapes.get(key[0] + form.method, 0) >= self.forms_per_shape:
                continue
            done.add(key)
            shapes[key[0] + form.method] = shapes.get(key[0] + form.method, 0) + 1
            if form.has_required_file:
                self.result.forms_skipped.append(f"{form.method.upper()} {path} (file)")
                continue
            self.result.forms += 1
            if form.method == "get":
                query = urlencode(form.fields)
                url = f"{urlsplit(path).path}?{query}" if query else urlsplit(path).path
                response, refusals = self.request("GET", url)
                self.judge("GET", url, response, refusals)
            else:
                response, refusals = self.request("POST", path, _multidict(form.fields))
                self.judge("POST", path, response, refusals)
                if response.status_code in (403, 404):
                    fault = Fault(self.role, "form refused", "POST", path, response.status_code)
                    self.result.refused_forms.append(fault)
                target = response.get("Location", "") if response.status_code == 302 else ""
                target_path = local(urljoin(path, target)) if target else None
                if target_path is not None:
                    response, refusals = self.request("GET", target_path)
                    self.judge("GET", target_path, response, refusals)


def _multidict(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return data


def _is_html(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("text/html") and not getattr(
        response, "streaming", False
    )
