"""Exact statement counts of the workers app's hot read paths, for one and for several rows:
the count must not grow with the rows shown. Each request is measured after one warm-up
request, so per-process caches (scope sizes) are in their steady state."""

from typing import Any

import pytest

from liandong.activities.services import application_submit
from liandong.activities.tests.factories import make_activity
from liandong.core.tests.query_counts import ROWS, SIGNED_IN, measure
from liandong.workers.tests.factories import WorkerFactory


@pytest.mark.parametrize("rows", ROWS)
def test_worker_list_page(
    world: Any, login: Any, django_assert_num_queries: Any, rows: int
) -> None:
    WorkerFactory.create_batch(rows - 1, employer=world.outlet_a)
    client = login(world.users["admin_a"])
    # + the organizations offered as a filter (own and children), the page of workers
    # (one query with the employer; the total comes from the cached scope size).
    response = measure(client, "/workers/", SIGNED_IN + 2, django_assert_num_queries)
    assert world.worker_a.name in response.content.decode()


@pytest.mark.parametrize("rows", ROWS)
def test_worker_list_api(world: Any, login: Any, django_assert_num_queries: Any, rows: int) -> None:
    WorkerFactory.create_batch(rows - 1, employer=world.outlet_a)
    client = login(world.users["admin_a"])
    # + the page of workers with the employer (the total comes from the cached scope size).
    response = measure(client, "/api/v1/workers/", SIGNED_IN + 1, django_assert_num_queries)
    assert len(response.json()["items"]) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_worker_detail_page(
    world: Any, login: Any, django_assert_num_queries: Any, rows: int
) -> None:
    for i in range(rows):
        activity = make_activity(world.union_a, title=f"活动{i}", quotas=[(world.enterprise_a, 20)])
        application_submit(actor=None, activity=activity, worker=world.worker_a)
    client = login(world.users["admin_a"])
    # + the worker with the employer, then one query each for their demands, activity
    # applications, contest entries, confirmed honours, congress proposals, the honours
    # register and their volunteer teams.
    response = measure(
        client, f"/workers/{world.worker_a.pk}/", SIGNED_IN + 8, django_assert_num_queries
    )
    assert f"活动{rows - 1}" in response.content.decode()
