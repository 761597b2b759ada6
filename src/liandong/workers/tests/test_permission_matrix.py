"""Permission matrix of the workers app's own tables: a worker's own pages (the phone home's
reveal, 我要反映 and one of their demands), answered only to the signed-in worker (staff are
sent to their own home, like /workers/me/ sends them); and the honours register (荣誉登记),
recorded by roster staff over the worker's employer, another union's worker a 404. The
roster's other pages keep their rows in core/tests/test_permission_matrix.py."""

from datetime import date
from typing import Any

import pytest
from django.core.cache import cache

from liandong.core.tests.matrix import (
    Case,
    over_operations,
    over_pages,
    run_api_row,
    run_page_post_row,
    run_page_row,
)
from liandong.demands.models import Demand
from liandong.demands.tests.factories import make_demand
from liandong.workers.services import honour_add

PAGE_TABLE: dict[str, tuple[str, str]] = {
    # route (Django pattern)            method  anon  worker admin staff staffB liaison ent  judge prov
    "workers/me/reveal/": ("POST", "login 200   home  home  home   home    home  home  home"),
    "workers/me/demand/": ("GET", "login 200   home  home  home   home    home  home  home"),
    "workers/me/demands/<int:pk>/": (
        "GET",
        "login 200   home  home  home   home    home  home  home",
    ),
    "workers/<int:pk>/honours/new/": (
        "GET",
        "login 403   200   200   404    404     200  404   200",
    ),
    "workers/honours/<int:pk>/delete/": (
        "POST",
        "login 403  302   302   404    404     302  404   302",
    ),
}
PAGE_POST_TABLE: dict[str, str] = {
    # the POST of a page whose GET row is in PAGE_TABLE  anon  worker admin staff staffB liaison ent  judge prov
    "workers/me/demand/": "login done  home  home  home   home    home  home  home",
    "workers/<int:pk>/honours/new/": "login 403   done  done  404    404     done  404   done",
}
API_TABLE: dict[tuple[str, str], str] = {
    # (method, OpenAPI path)                            anon worker admin staff staffB liaison ent judge prov
    (
        "GET",
        "/api/v1/workers/{worker_id}/honours",
    ): "401 200  200   200   404    404     200  404   200",
    (
        "POST",
        "/api/v1/workers/{worker_id}/honours",
    ): "401 403  201   201   404    404     201  404   201",
}

pytestmark = pytest.mark.usefixtures("no_pii_in_logs")

HONOUR_ROUTES = ("workers/<int:pk>/honours/new/", "workers/honours/<int:pk>/delete/")


@pytest.fixture
def demand(world: Any) -> Demand:
    cache.clear()  # rate-limit counters from earlier tests
    return make_demand(mobile="13919310001")  # worker A's own number


def _honour(world: Any) -> int:
    return honour_add(
        actor=None, worker=world.worker_a, category="craftsman", awarded_on=date(2025, 4, 28)
    ).pk


def url_of(route: str, world: Any, demand: Demand) -> str:
    if route == "workers/honours/<int:pk>/delete/":
        pk = _honour(world)  # a fresh honour for each principal to try to delete
    elif route in HONOUR_ROUTES:
        pk = world.worker_a.pk
    else:
        pk = demand.pk
    return "/" + route.replace("<int:pk>", str(pk))


@over_pages(PAGE_TABLE)
def test_page(route: str, world: Any, demand: Demand) -> None:
    checks: dict[str, Any] = {}
    if route == "workers/me/reveal/":  # the worker's own numbers, audited once when shown
        checks = {"audited": "workers.pii_viewed", "may_show_pii": lambda e: e == "200"}

    run_page_row(
        PAGE_TABLE, route, world, lambda case: case.send(url_of(route, world, demand)), **checks
    )


@pytest.mark.parametrize("route", list(PAGE_POST_TABLE))
def test_page_post(route: str, world: Any, demand: Demand) -> None:
    if route in HONOUR_ROUTES:
        run_page_post_row(
            PAGE_POST_TABLE,
            route,
            world,
            url_of(route, world, demand),
            values={"category": "best_courier", "awarded_on": "2025-05-01", "title": "最美快递员"},
        )
        return
    before = Demand.objects.count()
    run_page_post_row(
        PAGE_POST_TABLE,
        route,
        world,
        url_of(route, world, demand),
        shown_to="worker",
        values={"description": "网点连续两个月拖欠派费，请工会帮忙。"},
        ticked=lambda: {"consent": "on"},
    )
    assert Demand.objects.count() == before + 1  # the worker's, and nobody else's


@over_operations(API_TABLE)
def test_api(operation: tuple[str, str], auth: str, world: Any, api_token: Any) -> None:
    def request(case: Case) -> Any:
        url = operation[1].replace("{worker_id}", str(world.worker_a.pk))
        return case.send(url, {"category": "craftsman", "awarded_on": "2025-05-01"})

    run_api_row(API_TABLE, operation, auth, world, api_token, request)
