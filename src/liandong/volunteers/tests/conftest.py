"""A volunteer team of 甲产业工会 (union A of the ``world``) with a worker and an outside
volunteer, and a volunteer activity of union A held over the last three days."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from liandong.activities.models import ActivityKind, Selection
from liandong.activities.tests.factories import make_activity
from liandong.core.extensions import ServiceActivity
from liandong.volunteers import services
from liandong.volunteers.models import Member, Team
from liandong.volunteers.selectors import service_activities


@dataclass
class Vol:
    team: Team
    team_b: Team
    worker_member: Member
    outside: Member
    activity: ServiceActivity
    activity_b: ServiceActivity
    today: date


def volunteer_activity(organizer: Any, title: str) -> Any:
    today = timezone.localdate()
    return make_activity(
        organizer,
        title=title,
        kind=ActivityKind.VOLUNTEER,
        selection=Selection.OPEN,
        total_places=0,
        starts_on=today - timedelta(days=2),
        ends_on=today,
        applications_open_at=None,
        applications_close_at=None,
    )


@pytest.fixture
def vol(world: Any) -> Vol:
    today = timezone.localdate()
    staff = world.users["staff_a"]
    team = services.team_create(
        actor=staff,
        organization=world.union_a,
        name="甲产业工会职工志愿服务队",
        founded_on=date(2014, 1, 1),
        skills="新能源电池维护、应急处置",
        service_mode="服务+培训",
    )
    team_b = services.team_create(
        actor=world.users["staff_b"],
        organization=world.union_b,
        name="乙产业工会志愿服务队",
        founded_on=date(2020, 1, 1),
    )
    worker_member = services.member_add_worker(
        actor=staff, team=team, worker=world.worker_a, joined_on=date(2015, 1, 1)
    )
    outside = services.member_add_outside(
        actor=staff, team=team, name="周立新", mobile="13801100301", joined_on=date(2019, 5, 1)
    )
    act = volunteer_activity(world.union_a, "甲产业工会志愿服务大篷车")
    act_b = volunteer_activity(world.union_b, "乙产业工会义诊")
    (found,) = service_activities(staff, [act.pk])
    (found_b,) = service_activities(world.users["staff_b"], [act_b.pk])
    return Vol(team, team_b, worker_member, outside, found, found_b, today)
