"""Full mobile and ID numbers never travel in a URL (README: they go by POST), so no access
log keeps them: a typed ``?q=<full number>`` is refused (page: the empty search form and a
message; API: 422 naming ``q``), and the product's own search leaves none in any log line.

The log test runs a real HTTP server in a thread, whose access log is the request line as a
server writes it (logged to ``django.server``, as ``runserver`` does), and searches the way a
browser does: the form's POST, then the redirect it answers."""

import logging
import re
import threading
import time
from collections.abc import Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
import requests
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import connections

from liandong.accounts.tests.factories import TEST_PASSWORD
from liandong.core.tests.client import BrowserClient
from liandong.core.tests.matrix import assert_no_pii
from liandong.workers.api import NUMBER_IN_URL_MESSAGE as API_MESSAGE
from liandong.workers.views import NUMBER_IN_URL_MESSAGE as PAGE_MESSAGE

MOBILE = "13919310001"  # world.worker_a's
ID_NUMBER = "620102198403152712"


def test_page_refuses_a_full_number_in_the_url_without_repeating_it(world: Any, login) -> None:
    client = login(world.users["staff_a"])
    for q in (MOBILE, "139 1931 0001", ID_NUMBER):
        response = client.get("/workers/", {"q": q, "member": "no", "cursor": "5"})
        assert response.status_code == 302
        assert response["Location"] == "/workers/?member=no"  # the other filters stay
        page = client.get(response["Location"])
        body = page.content
        assert PAGE_MESSAGE in body.decode()
        assert_no_pii(body, f"the list answering ?q={q}")
        assert not page.context["form"].data.get("q")
        export = client.get("/workers/export.xlsx", {"q": q})
        assert export.status_code == 302
        assert export["Location"] == "/workers/"
    # A name or a mobile's last four digits still go by GET, as before.
    assert client.get("/workers/", {"q": "1931"}).status_code == 200
    assert client.get("/workers/", {"q": "王"}).status_code == 200


def test_api_refuses_a_full_number_in_the_url_and_points_to_search(world, api_token) -> None:
    bearer = api_token(world.users["staff_a"])
    client = BrowserClient()
    for path in ("/api/v1/workers/", "/api/v1/workers/export"):
        for q in (MOBILE, ID_NUMBER, ID_NUMBER.lower()):
            response = client.get(path, {"q": q}, **bearer)
            assert response.status_code == 422, (path, response.content)
            [error] = response.json()["detail"]
            assert error["loc"] == ["query", "q"]
            assert error["msg"] == API_MESSAGE
            assert "POST /api/v1/workers/search" in error["msg"]
            assert_no_pii(response.content, f"{path}?q={q}")
    found = client.post(
        "/api/v1/workers/search", {"q": MOBILE}, content_type="application/json", **bearer
    )
    assert [item["id"] for item in found.json()["items"]] == [world.worker_a.pk]
    assert client.get("/api/v1/workers/", {"q": "0001"}, **bearer).status_code == 200


class AccessLogHandler(WSGIRequestHandler):
    """An access log as servers write it: one line per request, with its full request line."""

    def log_message(self, format: str, *args: Any) -> None:
        logging.getLogger("django.server").info(format, *args)


@pytest.fixture
def server(transactional_db: None, settings: Any) -> Iterator[str]:
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    httpd: WSGIServer = make_server(
        "127.0.0.1", 0, get_wsgi_application(), handler_class=AccessLogHandler
    )

    def serve() -> None:
        try:
            httpd.serve_forever()
        finally:
            connections.close_all()  # the server thread's own connections

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=10)
    httpd.server_close()


def _wait_for_access_lines(caplog: pytest.LogCaptureFixture, count: int) -> None:
    """A server logs a request once it has answered it: wait (briefly) for the last line."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if len([r for r in caplog.records if r.name == "django.server"]) >= count:
            return
        time.sleep(0.01)
    raise AssertionError(f"fewer than {count} access log lines")


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url)
    assert page.status_code == 200, page.status_code
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert match, "the page has a CSRF token"
    return match.group(1)


def test_no_access_log_line_holds_a_full_number(
    world: Any, server: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    staff = BrowserClient()
    staff.force_login(world.users["staff_a"])
    browser = requests.Session()
    browser.cookies.set(
        settings.SESSION_COOKIE_NAME, staff.cookies[settings.SESSION_COOKIE_NAME].value
    )
    # The search as a browser makes it: the form's POST and the redirect it answers.
    token = _csrf(browser, f"{server}/workers/")
    page = browser.post(
        f"{server}/workers/",
        {"csrfmiddlewaretoken": token, "q": MOBILE},
        headers={"Referer": f"{server}/workers/"},
    )
    assert page.status_code == 200
    assert "王甲" in page.text
    # The API's search, by POST.
    bearer = {
        "Authorization": "Bearer "
        + requests.post(
            f"{server}/api/v1/auth/token",
            json={"username": "staff_a", "password": TEST_PASSWORD},
            timeout=30,
        ).json()["token"]
    }
    found = requests.post(
        f"{server}/api/v1/workers/search", json={"q": ID_NUMBER}, headers=bearer, timeout=30
    )
    assert [item["id"] for item in found.json()["items"]] == [world.worker_a.pk]
    _wait_for_access_lines(caplog, 5)  # the five requests above
    for record in caplog.records:
        assert_no_pii(record.getMessage().encode(), f"log line {record.getMessage()!r}")

    # Typed into the address bar: that one request line is logged before the product sees it
    # (the control: the access log does record query strings); its answers repeat it nowhere.
    caplog.clear()
    typed = browser.get(f"{server}/workers/?q={MOBILE}")
    assert typed.status_code == 200
    assert PAGE_MESSAGE in typed.text
    assert_no_pii(typed.content, "the answer to a typed number")
    refused = requests.get(f"{server}/api/v1/workers/?q={ID_NUMBER}", headers=bearer, timeout=30)
    assert refused.status_code == 422
    _wait_for_access_lines(caplog, 3)  # the typed one, its redirect, the API's
    lines = [r.getMessage() for r in caplog.records]
    assert [line for line in lines if MOBILE in line or ID_NUMBER in line] == [
        line for line in lines if "GET /workers/?q=" in line or "GET /api/v1/workers/?q=" in line
    ]
    assert len([line for line in lines if "?q=" in line]) == 2
