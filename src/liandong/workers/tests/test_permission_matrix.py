"""Permission matrix of a worker's own pages (the phone home's reveal, 我要反映 and one of their
demands); the roster's other pages keep their rows in core's table. Only the signed-in worker
is answered: staff are sent to their own home, like /workers/me/ sends them."""

from typing import Any

import pytest
from django.core.cache import cache

from liandong.core.tests.matrix import (
    over_pages,
    run_page_post_row,
    run_page_row,
)
from liandong.demands.models import Demand
from liandong.demands.tests.factories import make_demand

PAGE_TABLE: dict[str, tuple[str, str]] = {
    # route (Django pattern)            method  anon  worker admin staff staffB liaison ent  judge prov
    "workers/me/reveal/": ("POST", "login 200   home  home  home   home    home  home  home"),
    "workers/me/demand/": ("GET", "login 200   home  home  home   home    home  home  home"),
    "workers/me/demands/<int:pk>/": (
        "GET",
        "login 200   home  home  home   home    home  home  home",
    ),
}
PAGE_POST_TABLE: dict[str, str] = {
    # the POST of a page whose GET row is in PAGE_TABLE  anon  worker admin staff staffB liaison ent  judge prov
    "workers/me/demand/": "login done  home  home  home   home    home  home  home",
}

pytestmark = pytest.mark.usefixtures("no_pii_in_logs")


@pytest.fixture
def demand(world: Any) -> Demand:
    cache.clear()  # rate-limit counters from earlier tests
    return make_demand(mobile="13919310001")  # worker A's own number


def url_of(route: str, demand: Demand) -> str:
    return "/" + route.replace("<int:pk>", str(demand.pk))


@over_pages(PAGE_TABLE)
def test_page(route: str, world: Any, demand: Demand) -> None:
    url = url_of(route, demand)
    checks: dict[str, Any] = {}
    if route == "workers/me/reveal/":  # the worker's own numbers, audited once when shown
        checks = {"audited": "workers.pii_viewed", "may_show_pii": lambda e: e == "200"}
    run_page_row(PAGE_TABLE, route, world, lambda case: case.send(url), **checks)


@pytest.mark.parametrize("route", list(PAGE_POST_TABLE))
def test_page_post(route: str, world: Any, demand: Demand) -> None:
    before = Demand.objects.count()
    run_page_post_row(
        PAGE_POST_TABLE,
        route,
        world,
        url_of(route, demand),
        shown_to="worker",
        values={"description": "网点连续两个月拖欠派费，请工会帮忙。"},
        ticked=lambda: {"consent": "on"},
    )
    assert Demand.objects.count() == before + 1  # the worker's, and nobody else's
