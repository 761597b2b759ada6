"""Real concurrent clients, each thread with its own database connection: places are never
oversold, quotas likewise, and overlapping bookings never both succeed. Runs on SQLite and on
PostgreSQL (the suite runs on both).

Each guard has a control run with the guard switched off (``CLAIM_GUARD``, ``BOOKING_LOCK`` in
activities.services), proving the test can fail: on PostgreSQL the unguarded claim reads the
counter, then adds one, so requests that read 39 of 40 at the same moment all take a place
(oversell), and the unlocked booking lets overlapping requests all pass the overlap check
(double booking). On SQLite the controls cannot fail: every transaction takes the database's
one write lock when it begins (``transaction_mode`` IMMEDIATE), so each request's read and
write happen under that lock, one request after the other; there the controls show the
unguarded paths give the same exact counts.

The tables' CHECK constraints (``activity_never_oversold``, ``quota_never_oversold``) are the
last line: on PostgreSQL the unguarded claims that read a free place and then add one past the
total are refused by them with an IntegrityError (a 500 to the user), so the control counts the
requests that passed the check: more than the places offered."""

import threading
from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.utils import timezone

from liandong.activities import services
from liandong.activities.models import Activity, Application, Booking, Quota
from liandong.activities.services import application_submit, booking_create, home_create
from liandong.activities.tests.factories import make_activity
from liandong.core import races
from liandong.workers.models import Worker
from liandong.workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db(transaction=True)

OVERSOLD = "IntegrityError"


def run_together(jobs, n_threads):
    """Run ``jobs`` (callables) from ``n_threads`` threads released at once by a barrier."""
    barrier = threading.Barrier(n_threads)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(chunk):
        try:
            barrier.wait()
            for job in chunk:
                try:
                    job()
                    result = "ok"
                except ValidationError as error:
                    result = error.messages[0]
                except IntegrityError:  # a CHECK constraint caught an oversell: a 500
                    result = OVERSOLD
                with lock:
                    outcomes.append(result)
        finally:
            connection.close()

    chunks = [jobs[i::n_threads] for i in range(n_threads)]
    threads = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def applicants(employer, n):
    first = WorkerFactory(employer=employer, joined_union_on=date(2020, 1, 1))
    return [first] + [
        WorkerFactory(employer=employer, joined_union_on=date(2020, 1, 1)) for _ in range(n - 1)
    ]


def _applications_for_40_places(world):
    activity = make_activity(world.union_a, total_places=40)
    workers = applicants(world.outlet_a, 200)
    jobs = [
        lambda w=w: application_submit(actor=None, activity=activity, worker=w) for w in workers
    ]
    return activity, run_together(jobs, n_threads=200)


def test_200_concurrent_applications_for_40_places_accept_exactly_40(world) -> None:
    assert services.CLAIM_GUARD
    activity, outcomes = _applications_for_40_places(world)
    assert len(outcomes) == 200
    assert outcomes.count("ok") == 40
    assert set(outcomes) == {"ok", "名额已满"}
    assert Application.objects.filter(activity=activity, status="selected").count() == 40
    assert Activity.objects.get(pk=activity.pk).places_taken == 40


def test_control_unguarded_claims_oversell_on_postgresql(world, monkeypatch) -> None:
    monkeypatch.setattr(services, "CLAIM_GUARD", False)
    with races.all_read_first(200):
        activity, outcomes = _applications_for_40_places(world)
    accepted, oversold = outcomes.count("ok"), outcomes.count(OVERSOLD)
    assert len(outcomes) == 200
    assert Activity.objects.get(pk=activity.pk).places_taken == accepted == 40
    if connection.vendor == "sqlite":
        # One writer at a time (see the module's docstring): no oversell is possible.
        assert oversold == 0
        return
    # More requests passed the check than there were places; the constraint refused the rest.
    assert accepted + oversold > 40, outcomes


def _applications_under_a_quota_of_7(world):
    activity = make_activity(world.union_a, total_places=30, quotas=[(world.outlet_a, 7)])
    workers = applicants(world.outlet_a, 60)
    jobs = [
        lambda w=w: application_submit(actor=None, activity=activity, worker=w) for w in workers
    ]
    return activity, run_together(jobs, n_threads=30)


def test_concurrent_applications_never_pass_a_body_quota(world) -> None:
    assert services.CLAIM_GUARD
    activity, outcomes = _applications_under_a_quota_of_7(world)
    assert outcomes.count("ok") == 7
    assert Quota.objects.get(activity=activity).taken == 7
    assert Activity.objects.get(pk=activity.pk).places_taken == 7


def test_control_unguarded_claims_pass_a_body_quota_on_postgresql(world, monkeypatch) -> None:
    monkeypatch.setattr(services, "CLAIM_GUARD", False)
    # 30 threads meet in the first round; in the second, all are refused before the window
    with races.all_read_first(30, timeout=5):
        activity, outcomes = _applications_under_a_quota_of_7(world)
    accepted, oversold = outcomes.count("ok"), outcomes.count(OVERSOLD)
    assert len(outcomes) == 60
    assert Quota.objects.get(activity=activity).taken == accepted == 7
    if connection.vendor == "sqlite":
        assert oversold == 0  # one writer at a time (see the module's docstring)
        return
    assert accepted + oversold > 7, outcomes  # passed the check; the constraint refused the rest


def test_the_same_worker_applying_from_many_tabs_gets_one_place(world) -> None:
    activity = make_activity(world.union_a, total_places=40)
    worker = Worker.objects.get(pk=world.worker_a.pk)
    outcomes = run_together(
        [lambda: application_submit(actor=None, activity=activity, worker=worker)] * 20, 20
    )
    assert outcomes.count("ok") == 1
    assert Activity.objects.get(pk=activity.pk).places_taken == 1


def _overlapping_bookings(world):
    home = home_create(
        actor=None,
        name="尖山街职工之家",
        owners=[world.union_a],
        opens_at=time(8),
        closes_at=time(22),
    )
    day = timezone.localdate() + timedelta(days=2)
    tz = timezone.get_current_timezone()
    jobs = []
    for i in range(20):  # every slot overlaps 10:00–11:00
        start = timezone.datetime.combine(day, time(9, 30 + i), tzinfo=tz)
        jobs.append(
            lambda s=start: booking_create(
                actor=None,
                home=home,
                owner=world.union_a,
                starts_at=s,
                ends_at=s + timedelta(hours=1),
                purpose="培训",
            )
        )
    return home, run_together(jobs, n_threads=20)


def test_concurrent_overlapping_bookings_only_one_wins(world) -> None:
    assert services.BOOKING_LOCK
    home, outcomes = _overlapping_bookings(world)
    assert outcomes.count("ok") == 1
    assert Booking.objects.filter(home=home).count() == 1


def test_control_unlocked_bookings_double_book_on_postgresql(world, monkeypatch) -> None:
    monkeypatch.setattr(services, "BOOKING_LOCK", False)
    with races.all_read_first(20):
        home, outcomes = _overlapping_bookings(world)
    booked = Booking.objects.filter(home=home).count()
    assert outcomes.count("ok") == booked
    if connection.vendor == "sqlite":
        assert booked == 1  # one writer at a time (see the module's docstring)
        return
    assert booked > 1  # overlapping bookings both made: double booked


def test_lowering_places_while_applications_arrive_never_leaves_more_taken_than_offered(
    world,
) -> None:
    """An edit lowering the total races 30 applications: whichever order the database chooses,
    the places taken never pass the total, and an edit below the places taken is refused."""
    from liandong.activities.services import activity_update

    activity = make_activity(world.union_a, total_places=20)
    workers = applicants(world.outlet_a, 30)
    edits: list[str] = []

    def lower() -> None:
        try:
            activity_update(actor=None, activity=activity, total_places=10)
            edits.append("ok")
        except ValidationError as error:
            edits.append(error.messages[0])
            raise

    jobs = [
        lambda w=w: application_submit(actor=None, activity=activity, worker=w) for w in workers
    ]
    outcomes = run_together([*jobs[:15], lower, *jobs[15:]], n_threads=31)
    activity.refresh_from_db()
    accepted = Application.objects.filter(activity=activity).count()
    assert activity.places_taken == accepted
    assert accepted <= activity.total_places
    assert len(outcomes) == 31
    if edits == ["ok"]:
        assert activity.total_places == 10
        assert accepted == 10
    else:
        assert activity.total_places == 20
        assert "总名额不能少于" in edits[0]
        assert accepted == 20


def test_lowering_a_quota_while_its_workers_apply_and_withdraw_never_deadlocks_or_oversells(
    world,
) -> None:
    """Claims, releases and the edit lock the quota row before the activity row: no cycle, so
    no deadlock on PostgreSQL, and the quota's places taken never pass its places."""
    from liandong.activities.services import activity_update, application_withdraw

    activity = make_activity(world.union_a, total_places=30, quotas=[(world.enterprise_a, 20)])
    early = applicants(world.outlet_a, 6)
    held = [application_submit(actor=None, activity=activity, worker=w) for w in early]
    workers = applicants(world.outlet_a, 24)
    edits: list[str] = []

    def lower() -> None:
        try:
            activity_update(
                actor=None, activity=activity, total_places=25, quotas=[(world.enterprise_a, 12)]
            )
            edits.append("ok")
        except ValidationError as error:
            edits.append(error.messages[0])
            raise

    jobs = [
        lambda w=w: application_submit(actor=None, activity=activity, worker=w) for w in workers
    ]
    jobs += [
        lambda a=a: application_withdraw(actor=None, application=a, reason="临时有事")
        for a in held[:3]
    ]
    outcomes = run_together([*jobs[:12], lower, *jobs[12:]], n_threads=28)
    assert len(outcomes) == 28
    assert not [o for o in outcomes if "deadlock" in o.lower()]
    activity.refresh_from_db()
    quota = Quota.objects.get(activity=activity)
    holding = Application.objects.filter(
        activity=activity, status__in=["selected", "confirmed"]
    ).count()
    assert quota.taken == holding == activity.places_taken
    assert quota.taken <= quota.places
    assert quota.places == (12 if edits == ["ok"] else 20)
