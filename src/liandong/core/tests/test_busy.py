"""A busy database: public intake retries within its budget, then answers 503 with
Retry-After, never 500. The lock is held by a real second connection to the same database
(the SQLite test database is a file): ``BEGIN IMMEDIATE`` on SQLite, an EXCLUSIVE table lock
on PostgreSQL on the tables written."""

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from django.core.cache import cache
from django.db import OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from liandong.core import busy
from liandong.core.busy import BusyDatabaseMiddleware, is_busy_error, retry_when_busy
from liandong.core.models import AuditLog
from liandong.demands.models import Demand

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/api/v1/public/demands"
BODY = {
    "description": "网点两个月没结算派费，站长一直拖着不给。",
    "industry": "快递",
    "city": "兰州",
    "mobile": "13919316666",
    "consent": True,
    "employer_name": "甲快递城关网点",
}


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


@contextmanager
def write_lock_held(release_after: float | None = None) -> Iterator[None]:
    """Another connection holds the lock a demand submission needs, until the block ends
    or, with ``release_after``, for that many seconds."""
    settings = connection.settings_dict
    released = threading.Event()
    if connection.vendor == "sqlite":
        other: Any = sqlite3.connect(
            settings["NAME"], isolation_level=None, timeout=1, check_same_thread=False
        )
        other.execute("BEGIN IMMEDIATE")  # SQLite's one write lock for the file
    else:
        other = psycopg.connect(
            host=settings["HOST"] or None,
            port=settings["PORT"] or None,
            user=settings["USER"],
            password=settings["PASSWORD"] or None,
            dbname=settings["NAME"],
        )
        tables = f"{Demand._meta.db_table}, {AuditLog._meta.db_table}"
        other.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")  # no INSERT into either

    def release() -> None:
        if not released.is_set():
            released.set()
            other.rollback() if connection.vendor != "sqlite" else other.execute("ROLLBACK")

    timer = threading.Timer(release_after, release) if release_after is not None else None
    if timer:
        timer.start()
    try:
        yield
    finally:
        if timer:
            timer.join()
        release()
        other.close()


def post(client: Client, **headers: str) -> tuple[Any, float]:
    started = time.monotonic()
    response = client.post(URL, json.dumps(BODY), content_type="application/json", **headers)
    return response, time.monotonic() - started


def test_a_lock_held_past_the_budget_is_a_503_with_retry_after_not_a_500(world) -> None:
    client = Client(enforce_csrf_checks=True)
    with write_lock_held():
        response, seconds = post(client)
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == str(busy.RETRY_AFTER)
    assert response.json() == {"detail": busy.BUSY_DETAIL}
    assert busy.RETRY_BUDGET - 0.5 <= seconds < busy.RETRY_BUDGET + 2
    assert Demand.objects.count() == 0
    # Once the lock is gone the same request goes through.
    response, _ = post(client)
    assert response.status_code == 200, response.content
    assert Demand.objects.filter(code=response.json()["code"]).count() == 1


def test_a_lock_released_within_the_budget_is_waited_out(world) -> None:
    with write_lock_held(release_after=0.6):
        response, seconds = post(Client(enforce_csrf_checks=True))
    assert response.status_code == 200, response.content
    assert seconds >= 0.5
    assert Demand.objects.filter(code=response.json()["code"]).count() == 1


def test_the_lock_wait_is_restored_after_the_request(world) -> None:
    def lock_wait() -> str:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA busy_timeout")
            else:
                cursor.execute("SHOW lock_timeout")
            return str(cursor.fetchone()[0])

    before = lock_wait()
    with busy.lock_wait_at_most(connection, 0.3):
        assert lock_wait() in ("300", "300ms")
    assert lock_wait() == before


def _writing_view(calls: list[int]) -> Callable[[HttpRequest], HttpResponse]:
    @retry_when_busy
    def view(request: HttpRequest) -> HttpResponse:
        calls.append(1)
        with transaction.atomic():
            AuditLog.objects.create(action="test.busy", target_type="t", target_id="1")
        return HttpResponse("ok")

    return view


def test_a_page_answers_a_chinese_503_page(world) -> None:
    calls: list[int] = []
    request = RequestFactory().post("/demands/submit/")
    with write_lock_held():
        response = _writing_view(calls)(request)
    assert response.status_code == 503
    assert response["Retry-After"] == str(busy.RETRY_AFTER)
    page = response.content.decode()
    assert "系统繁忙" in page
    assert busy.BUSY_DETAIL in page
    assert 'href="/"' in page
    assert len(calls) >= 1
    assert not AuditLog.objects.filter(action="test.busy").exists()


def test_inside_an_outer_transaction_it_answers_503_at_once(world) -> None:
    calls: list[int] = []

    @retry_when_busy
    def view(request: HttpRequest) -> HttpResponse:
        calls.append(1)
        raise OperationalError("database is locked")

    with transaction.atomic():
        response = view(RequestFactory().get("/"))
    assert (response.status_code, len(calls)) == (503, 1)


def test_other_database_errors_are_not_retried() -> None:
    calls: list[int] = []

    @retry_when_busy
    def view(request: HttpRequest) -> HttpResponse:
        calls.append(1)
        raise OperationalError("no such table: nowhere")

    with pytest.raises(OperationalError):
        view(RequestFactory().get("/"))
    assert len(calls) == 1
    assert not is_busy_error(OperationalError("no such column: x"))
    assert not is_busy_error(ValueError("database is locked"))
    assert is_busy_error(OperationalError("database is locked"))


def test_the_middleware_turns_a_busy_error_of_any_view_into_a_503() -> None:
    middleware = BusyDatabaseMiddleware(lambda request: HttpResponse())
    api = middleware.process_exception(
        RequestFactory().get("/api/v1/workers/"), OperationalError("database is locked")
    )
    assert api.status_code == 503
    assert api["Retry-After"] == str(busy.RETRY_AFTER)
    assert json.loads(api.content) == {"detail": busy.BUSY_DETAIL}
    page = middleware.process_exception(
        RequestFactory().get("/workers/"), OperationalError("database is locked")
    )
    assert page.status_code == 503
    assert "系统繁忙" in page.content.decode()
    other = OperationalError("no such table: x")
    assert middleware.process_exception(RequestFactory().get("/"), other) is None
