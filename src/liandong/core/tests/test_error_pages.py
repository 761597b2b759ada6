"""The 400, 403, 404, 500 and CSRF-failure pages are Chinese, inside the product's layout, with
a way back; under /api/ they are JSON ``{"detail": ...}`` in Chinese. A 403 or 404 logs one
line; a 500 logs its traceback."""

import json
import logging
import re
from typing import Any

import pytest
from django.test import Client, RequestFactory

from liandong.core.views import csrf_failure, server_error

pytestmark = pytest.mark.urls("liandong.core.tests.error_urls")

ENGLISH_DEFAULTS = [
    "Not Found",
    "Forbidden",
    "Bad Request",
    "Server Error",
    "CSRF verification failed",
    "The requested resource",
    "Internal Server Error",
]


def client(**kwargs: Any) -> Client:
    return Client(raise_request_exception=False, **kwargs)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def assert_chinese_page(response: Any, status: int, heading: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert heading in html
    assert 'class="topbar"' in html  # the product's layout (base.html)
    assert ">返回首页</a>" in html
    assert ">返回上一页</a>" in html
    for english in ENGLISH_DEFAULTS:
        assert english not in html, english
    assert not re.findall(r"[A-Za-z]{3,}", visible_text(html)), visible_text(html)
    return html


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/test-errors/bad/", 400, "请求无效"),
        ("/test-errors/refused/", 403, "无权访问"),
        ("/no-such-page/", 404, "页面不存在"),
        ("/test-errors/boom/", 500, "服务器出错"),
    ],
)
def test_error_pages_are_chinese_with_a_way_back(
    db: None, path: str, status: int, heading: str
) -> None:
    assert_chinese_page(client().get(path), status, heading)


def test_a_page_that_does_not_exist_for_a_signed_in_user(world: Any) -> None:
    c = client()
    c.force_login(world.users["staff_a"])
    html = c.get("/workers/999999999/").content.decode()
    assert "页面不存在" in html
    assert 'class="mainnav"' in html  # the menu of the signed-in user
    assert "No Worker matches" not in html


def test_back_leads_to_the_referring_page_of_this_site_only(db: None) -> None:
    html = client().get("/no-such-page/", HTTP_REFERER="http://testserver/demands/").content
    assert b'href="http://testserver/demands/">' in html
    html = client().get("/no-such-page/", HTTP_REFERER="https://evil.example/").content
    assert b"evil.example" not in html


def test_a_403_shows_its_reason_when_it_has_one(db: None) -> None:
    html = assert_chinese_page(client().get("/test-errors/refused-why/"), 403, "无权访问")
    assert "只有本单位管理员可以查看" in html


def test_a_404_shows_a_chinese_reason_never_an_english_one(world: Any) -> None:
    c = client()
    c.force_login(world.users["province_admin"])
    html = c.get("/meetings/1/summary/10000/").content.decode()
    assert "页面不存在" in html


def test_csrf_failure_page(world: Any) -> None:
    response = client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"username": "staff_a", "password": "x"}
    )
    html = assert_chinese_page(response, 403, "提交未成功")
    assert "刷新页面" in html


def test_the_500_page_needs_no_database() -> None:
    """Without the ``db`` fixture any query raises, as it would with the database down."""
    request = RequestFactory().get("/workers/")
    response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "服务器出错" in html
    assert ">返回首页</a>" in html


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/test-errors/bad/", 400),
        ("/api/test-errors/refused/", 403),
        ("/api/v1/no-such-thing", 404),
        ("/api/test-errors/boom/", 500),
    ],
)
def test_api_errors_are_chinese_json(db: None, path: str, status: int) -> None:
    response = client().get(path)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail"}
    assert re.search(r"[\u4e00-\u9fff]", body["detail"]), body


def test_api_csrf_failures_are_chinese_json(world: Any) -> None:
    request = RequestFactory().post("/api/v1/demands/")
    response = csrf_failure(request, reason="CSRF token missing.")
    assert response.status_code == 403
    assert "刷新页面" in json.loads(response.content)["detail"]
    # A browser session without the token, refused by the API's own check.
    c = client(enforce_csrf_checks=True)
    c.force_login(world.users["province_admin"])
    response = c.post(
        f"/api/v1/workers/{world.worker_a.pk}/reveal", {}, content_type="application/json"
    )
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert re.search(r"[\u4e00-\u9fff]", detail), detail
    assert "CSRF" not in detail


@pytest.mark.parametrize(
    ("path", "status"), [("/no-such-page/", 404), ("/test-errors/refused/", 403)]
)
def test_a_client_error_logs_one_line(
    db: None, caplog: pytest.LogCaptureFixture, path: str, status: int
) -> None:
    caplog.set_level(logging.INFO)
    client().get(path)
    records = [r for r in caplog.records if r.name == "django.request"]
    assert [(r.levelname, r.status_code) for r in records] == [("WARNING", status)]
    assert path in records[0].getMessage()
    assert "Traceback" not in caplog.text
    assert len(caplog.text.strip().splitlines()) == 1, caplog.text


def test_a_server_error_logs_its_traceback(db: None, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    client().get("/test-errors/boom/")
    records = [r for r in caplog.records if r.name == "django.request"]
    assert [r.levelname for r in records] == ["ERROR"]
    assert records[0].exc_info is not None
    assert "Traceback" in caplog.text
    assert "RuntimeError: boom" in caplog.text


def test_the_500_page_falls_back_to_plain_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """Even when the layout cannot be rendered (static files not collected), a Chinese page."""

    def broken(*args: Any, **kwargs: Any) -> str:
        raise ValueError("Missing staticfiles manifest entry")

    monkeypatch.setattr("liandong.core.views.loader.render_to_string", broken)
    response = server_error(RequestFactory().get("/workers/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "服务器出错" in html
    assert ">返回首页</a>" in html
