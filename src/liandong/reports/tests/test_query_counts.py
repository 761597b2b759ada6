"""Exact statement counts of the union dashboard (page and API), computed fresh, for one and for
several activities, applications and contest entrants: the count must not grow with the
records (every figure is one grouped query over the subtree, and the democracy figures the
headline and the charts both show are computed once)."""

from typing import Any

import pytest
from django.utils import timezone

from liandong.activities.services import application_submit
from liandong.activities.tests.factories import make_activity
from liandong.core.tests.query_counts import ROWS, SIGNED_IN, measure
from liandong.workers.tests.factories import WorkerFactory

# The statements of one freshly computed dashboard beyond the session's: about two per figure
# and chart (headline figures of ten apps, fifteen charts); the page also reads its filters'
# choices and the menu's. The partners outside the union's subtree, which each demand figure
# adds to its area rows, are asked once per dashboard (45 -> 42). Training's delegates are
# its rollup rows, read apart from the sessions held (42 -> 43).
DASHBOARD = 43
# The page's own: the regions offered (their ids, then the unions, read once: ListedChoices),
# the industries, the mechanisms' links.
PAGE = 4


def records(world: Any, rows: int) -> None:
    start = timezone.localdate()
    for i in range(rows):
        activity = make_activity(world.union_a, title=f"活动{i}", starts_on=start)
        for worker in WorkerFactory.create_batch(rows, employer=world.outlet_a):
            application_submit(actor=None, activity=activity, worker=worker)


@pytest.mark.parametrize("rows", ROWS)
def test_dashboard_page(world: Any, login: Any, django_assert_num_queries: Any, rows: int) -> None:
    records(world, rows)
    client = login(world.users["admin_a"])
    year = timezone.localdate().year
    url = f"/reports/?year={year}"
    measure(client, url, SIGNED_IN + DASHBOARD + PAGE, django_assert_num_queries)


@pytest.mark.parametrize("rows", ROWS)
def test_dashboard_api(world: Any, login: Any, django_assert_num_queries: Any, rows: int) -> None:
    records(world, rows)
    client = login(world.users["admin_a"])
    year = timezone.localdate().year
    url = f"/api/v1/reports/dashboard?year={year}"
    measure(client, url, SIGNED_IN + DASHBOARD, django_assert_num_queries)
