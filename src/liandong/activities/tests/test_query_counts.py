"""Exact statement counts of the activities app's hot read paths (the list, an activity, the
public notice API), for one and for several rows: the count must not grow with the rows."""

from typing import Any

import pytest

from liandong.activities.models import Selection
from liandong.activities.services import activity_draw, application_submit
from liandong.activities.tests.factories import close_window, make_activity
from liandong.core.tests.client import BrowserClient
from liandong.core.tests.query_counts import ROWS, SIGNED_IN, measure
from liandong.workers.tests.factories import WorkerFactory


@pytest.fixture
def admin(world: Any, login: Any) -> Any:
    return login(world.users["admin_a"])


def activity(world: Any, **fields: Any) -> Any:
    return make_activity(
        world.union_a, co_organizers=[world.authority], quotas=[(world.enterprise_a, 20)], **fields
    )


def applicants(world: Any, activity: Any, rows: int) -> None:
    for worker in [world.worker_a, *WorkerFactory.create_batch(rows - 1, employer=world.outlet_a)]:
        application_submit(actor=None, activity=activity, worker=worker)


@pytest.mark.parametrize("rows", ROWS)
def test_activity_list_page(
    world: Any, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    for i in range(rows):
        activity(world, title=f"活动{i}")
    # + the page of activities (organizer and counts in one query).
    response = measure(admin, "/activities/", SIGNED_IN + 1, django_assert_num_queries)
    assert "活动0" in response.content.decode()


@pytest.mark.parametrize("rows", ROWS)
def test_activity_detail_page(
    world: Any, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    """An activity with ``rows`` applications."""
    target = activity(world)
    applicants(world, target, rows)
    # + the activity; its quotas, sub-venues and co-organizers (three prefetches); the
    # selected and the other applications; one application count (applicants, places and
    # sign-ins are the activity's own tallies); the rating average; service entries, their
    # totals by venue; the expense total; the delivery status (its outbox rows, its inbox
    # counts).
    measure(admin, f"/activities/{target.pk}/", SIGNED_IN + 13, django_assert_num_queries)


@pytest.mark.parametrize("rows", ROWS)
def test_public_notice_api(world: Any, django_assert_num_queries: Any, rows: int) -> None:
    """A drawn lottery with ``rows`` applicants, asked for without signing in."""
    target = activity(world, selection=Selection.LOTTERY)
    applicants(world, target, rows)
    activity_draw(actor=None, activity=close_window(target))
    url = f"/api/v1/public/activities/{target.pk}"
    # No sign-in: the activity with its organizer, the ranked applications, the quotas.
    response = measure(BrowserClient(), url, 3, django_assert_num_queries)
    assert response.json()["id"] == target.pk
