"""The statements the lottery draw sends, exactly (whatever the number of applicants)."""

from datetime import date

import pytest

from liandong.activities.models import Application, ApplicationStatus, Selection
from liandong.activities.services import activity_draw, application_submit
from liandong.activities.tests.factories import close_window, make_activity
from liandong.workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("applicants", [3, 12])
def test_the_draw(world, django_assert_num_queries, applicants) -> None:
    activity = make_activity(
        world.union_a, selection=Selection.LOTTERY, total_places=2, quotas=[(world.outlet_a, 2)]
    )
    for _ in range(applicants):
        worker = WorkerFactory(employer=world.outlet_a, joined_union_on=date(2020, 1, 1))
        application_submit(actor=None, activity=activity, worker=worker)
    activity = close_window(activity)
    # SAVEPOINT (the draw's transaction, inside the test's), the activity, the conditional
    # UPDATE open -> drawn, the applicants with their workers, the quotas, one executemany
    # UPDATE of the selected applications (logged once), an UPDATE per quota, the UPDATE of
    # places and draw order, the audit entry, the results' SMS (one bulk INSERT of deliveries
    # for the selected, one for the waiting list: none of them has an account), RELEASE
    # SAVEPOINT.
    with django_assert_num_queries(12):
        activity_draw(actor=world.users["admin_a"], activity=activity)
    selected = Application.objects.filter(activity=activity, status=ApplicationStatus.SELECTED)
    assert selected.count() == 2
