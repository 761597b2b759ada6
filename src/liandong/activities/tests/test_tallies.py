"""An activity's tallies (报名人数, 已占名额, 签到人数), kept by the services as applications come,
are drawn, withdraw, move up and sign in, equal a count of its applications at every step; and
the year's figures read them (the dashboard no longer counts 100,000 applications)."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from liandong.activities.models import (
    HOLDING_PLACE,
    Activity,
    ActivityKind,
    Application,
    ApplicationStatus,
    Expense,
    Selection,
)
from liandong.activities.selectors import activity_figures, period_figures
from liandong.activities.services import (
    activity_back_enter,
    activity_draw,
    application_check_in,
    application_submit,
    application_withdraw,
    tallies_recount,
)
from liandong.activities.tests.factories import close_window, make_activity
from liandong.workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

COUNTED = {
    "applicants": Count("id", filter=~Q(status=ApplicationStatus.WITHDRAWN)),
    "places_taken": Count("id", filter=Q(status__in=HOLDING_PLACE)),
    "checked_in": Count("id", filter=Q(status__in=HOLDING_PLACE, checked_in_at__isnull=False)),
}


def kept_and_counted(activity: Activity) -> tuple[dict[str, int], dict[str, int]]:
    kept = Activity.objects.values(*COUNTED).get(pk=activity.pk)
    return kept, Application.objects.filter(activity=activity).aggregate(**COUNTED)


def assert_tallies(activity: Activity, **expected: int) -> None:
    kept, counted = kept_and_counted(activity)
    assert kept == counted
    assert {k: kept[k] for k in expected} == expected


def members(world: Any, n: int) -> list[Any]:
    return [
        WorkerFactory(employer=world.outlet_a, joined_union_on=date(2020, 1, 1)) for _ in range(n)
    ]


def test_first_come_applications_withdrawals_and_check_ins(world) -> None:
    activity = make_activity(world.union_a, total_places=3, starts_on=timezone.localdate())
    people = members(world, 4)
    applications = [
        application_submit(actor=None, activity=activity, worker=worker) for worker in people[:3]
    ]
    assert_tallies(activity, applicants=3, places_taken=3, checked_in=0)
    application_check_in(actor=None, application=applications[0])
    application_check_in(actor=None, application=applications[1])
    assert_tallies(activity, applicants=3, places_taken=3, checked_in=2)
    # a signed-in participant withdrawn by the organizer (an upheld objection) leaves every tally
    Activity.objects.filter(pk=activity.pk).update(starts_on=timezone.localdate() + timedelta(1))
    application_withdraw(actor=None, application=applications[0], reason="异议成立")
    assert_tallies(activity, applicants=2, places_taken=2, checked_in=1)
    application_submit(actor=None, activity=activity, worker=people[3])
    assert_tallies(activity, applicants=3, places_taken=3, checked_in=1)


def test_a_lottery_draw_and_the_waiting_list_moving_up(world) -> None:
    activity = make_activity(world.union_a, total_places=2, selection=Selection.LOTTERY)
    for worker in members(world, 5):
        application_submit(actor=None, activity=activity, worker=worker)
    assert_tallies(activity, applicants=5, places_taken=0)
    activity = activity_draw(actor=None, activity=close_window(activity))
    assert_tallies(activity, applicants=5, places_taken=2)
    first = Application.objects.get(pk=activity.draw_order[0][0])
    application_withdraw(actor=None, application=first, reason="临时出车")
    assert_tallies(activity, applicants=4, places_taken=2)  # the next one moved up
    waiting = Application.objects.get(pk=activity.draw_order[4][0])
    application_withdraw(actor=None, application=waiting, reason="不去了")
    assert_tallies(activity, applicants=3, places_taken=2)


def test_a_back_entered_activity_counts_its_participants_present(world) -> None:
    held = timezone.localdate() - timedelta(days=30)
    activity = activity_back_enter(
        actor=None,
        organizer=world.union_a,
        title="暑期送清凉",
        kind=ActivityKind.HOLIDAY_CARE,
        starts_on=held,
        ends_on=held,
        participants=members(world, 3),
    )
    assert_tallies(activity, applicants=3, places_taken=3, checked_in=3)


def test_the_figures_read_the_tallies_and_a_recount_restores_them(world) -> None:
    activity = make_activity(world.union_a, total_places=5, starts_on=timezone.localdate())
    for worker in members(world, 2):
        application = application_submit(actor=None, activity=activity, worker=worker)
    application_check_in(actor=None, application=application)
    activity.refresh_from_db()
    figures = activity_figures(activity)
    assert (figures.applicants, figures.selected, figures.checked_in) == (2, 2, 1)
    year = period_figures(
        Activity.objects.filter(pk=activity.pk),
        Expense.objects.none(),
        year=activity.starts_on.year,
    )
    total = year["total"]
    assert (total.applicants, total.selected, total.checked_in) == (2, 2, 1)
    # rows written around the services (the bench's generator): counted again on demand
    Activity.objects.filter(pk=activity.pk).update(applicants=0, places_taken=0, checked_in=0)
    assert tallies_recount(Activity.objects.filter(pk=activity.pk)) == 1
    assert_tallies(activity, applicants=2, places_taken=2, checked_in=1)
