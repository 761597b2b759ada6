"""Two entries of 14 hours for one person on one day, sent at once from two connections: only
one passes the 24-hour rule. The control run, with the lock switched off
(``services.HOURS_LOCK``), lets both through on PostgreSQL: both read the day's total (0)
before either writes. On SQLite every write transaction takes the database's one write lock as
it begins, so the entries run one after the other and the control cannot fail there."""

import threading
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from liandong.core import races
from liandong.volunteers import services
from liandong.volunteers.models import Hours
from liandong.volunteers.selectors import service_activities
from liandong.volunteers.tests.conftest import volunteer_activity

pytestmark = pytest.mark.django_db(transaction=True)


def both_at_once(world: Any) -> list[str]:
    team = services.team_create(
        actor=None, organization=world.union_a, name="并发队", founded_on=date(2020, 1, 1)
    )
    other = services.team_create(
        actor=None, organization=world.union_a, name="并发二队", founded_on=date(2020, 1, 1)
    )
    first = services.member_add_worker(
        actor=None, team=team, worker=world.worker_a, joined_on=date(2020, 1, 1)
    )
    second = services.member_add_worker(
        actor=None, team=other, worker=world.worker_a, joined_on=date(2020, 1, 1)
    )
    staff = world.users["staff_a"]
    a, b = (volunteer_activity(world.union_a, title) for title in ("甲活动", "乙活动"))
    (act_a,) = service_activities(staff, [a.pk])
    (act_b,) = service_activities(staff, [b.pk])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def record(team_: Any, member: Any, activity: Any) -> None:
        try:
            barrier.wait()
            services.service_record(
                actor=None,
                team=team_,
                activity=activity,
                served_on=activity.ends_on,
                hours={member: Decimal("14")},
            )
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=record, args=(team, first, act_a)),
        threading.Thread(target=record, args=(other, second, act_b)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_one_person_never_gets_more_than_24_hours_a_day(world: Any) -> None:
    assert both_at_once(world) == ["ok", "refused"]
    assert sum(h.hours for h in Hours.objects.all()) == Decimal("14")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serializes writers")
def test_control_without_the_lock_both_pass(world: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "HOURS_LOCK", False)
    with races.all_read_first(2):
        assert both_at_once(world) == ["ok", "ok"]
