"""Permission matrix of the workers app's honours register (荣誉登记): the other worker pages'
rows live in core/tests/test_permission_matrix.py. Honours are recorded by roster staff over
the worker's employer; another union's worker is a 404."""

from datetime import date
from typing import Any

import pytest

from liandong.core.tests.matrix import (
    Case,
    over_operations,
    over_pages,
    run_api_row,
    run_page_post_row,
    run_page_row,
)
from liandong.workers.services import honour_add

PAGE_TABLE: dict[str, tuple[str, str]] = {
    # route                                   method  anon  worker admin staff staffB liaison ent judge prov
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


def _honour(world: Any) -> int:
    return honour_add(
        actor=None, worker=world.worker_a, category="craftsman", awarded_on=date(2025, 4, 28)
    ).pk


@over_pages(PAGE_TABLE)
def test_page(route: str, world: Any) -> None:
    def request(case: Case) -> Any:
        pk = _honour(world) if "delete" in route else world.worker_a.pk
        return case.send("/" + route.replace("<int:pk>", str(pk)), {})

    run_page_row(PAGE_TABLE, route, world, request)


@pytest.mark.parametrize("route", list(PAGE_POST_TABLE))
def test_page_post(route: str, world: Any) -> None:
    run_page_post_row(
        PAGE_POST_TABLE,
        route,
        world,
        f"/workers/{world.worker_a.pk}/honours/new/",
        values={"category": "best_courier", "awarded_on": "2025-05-01", "title": "最美快递员"},
    )


@over_operations(API_TABLE)
def test_api(operation: tuple[str, str], auth: str, world: Any, api_token: Any) -> None:
    def request(case: Case) -> Any:
        url = operation[1].replace("{worker_id}", str(world.worker_a.pk))
        return case.send(url, {"category": "craftsman", "awarded_on": "2025-05-01"})

    run_api_row(API_TABLE, operation, auth, world, api_token, request)
