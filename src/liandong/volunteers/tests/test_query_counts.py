"""Exact statement counts of the volunteers app's hot read paths (the team list with its
figures, a team's page, a training's page, and their API), for one and for several rows: the
count must not grow with the rows shown."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from liandong.core.tests.query_counts import ROWS, SIGNED_IN, measure
from liandong.volunteers import services
from liandong.volunteers.models import Service, Team, Training
from liandong.volunteers.selectors import service_activities
from liandong.volunteers.tests.conftest import volunteer_activity
from liandong.workers.tests.factories import WorkerFactory


@pytest.fixture
def staff(world: Any, login: Any) -> Any:
    return login(world.users["staff_a"])


def team(world: Any, name: str) -> Team:
    return services.team_create(
        actor=world.users["staff_a"],
        organization=world.union_a,
        name=name,
        founded_on=date(2014, 1, 1),
        skills="应急处置、电池维护",
        service_mode="服务+培训",
    )


def served(world: Any, target: Team, rows: int, tag: str = "") -> Training:
    """``rows`` of each: worker and outside members, services (one activity each) with their
    hours, honours, and trainings that all of them attended. Returns the last training."""
    staff = world.users["staff_a"]
    today = timezone.localdate()
    members = []
    for i, worker in enumerate(WorkerFactory.create_batch(rows, employer=world.outlet_a)):
        members.append(
            services.member_add_worker(
                actor=staff, team=target, worker=worker, joined_on=date(2015, 1, 1)
            )
        )
        members.append(
            services.member_add_outside(
                actor=staff,
                team=target,
                name=f"志愿者{tag}{i}",
                mobile=f"1380110{tag or '0'}{i:03d}",
                joined_on=date(2019, 5, 1),
            )
        )
    training = None
    for i in range(rows):
        act = volunteer_activity(world.union_a, f"志愿服务{tag}{i}")
        (found,) = service_activities(staff, [act.pk])
        services.service_record(
            actor=staff,
            team=target,
            activity=found,
            served_on=today,
            people_served=10,
            hours={members[2 * i]: Decimal("3"), members[2 * i + 1]: Decimal("2.5")},
        )
        services.honour_add(actor=staff, team=target, title=f"授旗{i}", awarded_on=date(2020, 1, 1))
        training = services.training_create(
            actor=staff, team=target, title=f"培训{i}", held_on=today - timedelta(days=1)
        )
        services.attendance_set(actor=staff, training=training, members=members)
    assert training is not None
    return training


def teams(world: Any, rows: int) -> list[Team]:
    found = []
    for i in range(rows):
        found.append(team(world, f"志愿服务队{i}"))
        served(world, found[-1], 1, tag=str(i))
    return found


@pytest.mark.parametrize("rows", ROWS)
def test_team_list_page(world: Any, staff: Any, django_assert_num_queries: Any, rows: int) -> None:
    teams(world, rows)
    # + the teams with their sponsors; the columns, one grouped query each (members, services,
    # hours); the figures over the visible teams (the teams with their members, services,
    # hours, trainings with their attendance).
    response = measure(staff, "/volunteers/", SIGNED_IN + 8, django_assert_num_queries)
    assert "志愿服务队0" in response.content.decode()


@pytest.mark.parametrize("rows", ROWS)
def test_team_detail_page(
    world: Any, staff: Any, django_assert_num_queries: Any, rows: int
) -> None:
    target = team(world, "志愿服务队")
    served(world, target, rows)
    # + the team with its sponsor; the members with their workers; the hours by member; the
    # services; their activities' links (one, through the hook); the figures (the team with
    # its members, services, hours, trainings with their attendance); the honours; the
    # trainings.
    response = measure(
        staff, f"/volunteers/{target.pk}/", SIGNED_IN + 11, django_assert_num_queries
    )
    assert "授旗0" in response.content.decode()


@pytest.mark.parametrize("rows", ROWS)
def test_training_page(world: Any, staff: Any, django_assert_num_queries: Any, rows: int) -> None:
    target = team(world, "志愿服务队")
    training = served(world, target, rows)
    # + the training with its team and sponsor; the ticked attendance; the attendees; the
    # form's members on the roll that day.
    response = measure(
        staff, f"/volunteers/trainings/{training.pk}/", SIGNED_IN + 4, django_assert_num_queries
    )
    assert f"签到（{2 * rows} 人）" in response.content.decode()


@pytest.mark.parametrize("rows", ROWS)
def test_teams_api(world: Any, staff: Any, django_assert_num_queries: Any, rows: int) -> None:
    teams(world, rows)
    # + one page of teams with their sponsors.
    response = measure(staff, "/api/v1/volunteers/teams", SIGNED_IN + 1, django_assert_num_queries)
    assert len(response.json()["items"]) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_team_api(world: Any, staff: Any, django_assert_num_queries: Any, rows: int) -> None:
    target = team(world, "志愿服务队")
    served(world, target, rows)
    # + the team with its sponsor; the hours by member; the figures (the team with its
    # members, services, hours, trainings with their attendance); the members; the honours;
    # the trainings and their attendance.
    response = measure(
        staff, f"/api/v1/volunteers/teams/{target.pk}", SIGNED_IN + 10, django_assert_num_queries
    )
    assert len(response.json()["members"]) == 2 * rows
    assert response.json()["figures"]["hours"] == f"{Decimal('5.5') * rows:.1f}"


@pytest.mark.parametrize("rows", ROWS)
def test_services_api(world: Any, staff: Any, django_assert_num_queries: Any, rows: int) -> None:
    target = team(world, "志愿服务队")
    served(world, target, rows)
    response = measure(
        staff,
        f"/api/v1/volunteers/teams/{target.pk}/services",
        # + the team; its services; their hours with the members (one prefetch).
        SIGNED_IN + 3,
        django_assert_num_queries,
    )
    assert len(response.json()) == rows
    assert [len(s["hours"]) for s in response.json()] == [2] * rows


@pytest.mark.parametrize("rows", ROWS)
def test_year_figures(world: Any, django_assert_num_queries: Any, rows: int) -> None:
    """The dashboard's hook for union A, whose teams have members, services with hours and
    trainings with attendance this year."""
    from liandong.volunteers.hooks import year_figures

    teams(world, rows)
    year = Service.objects.latest("served_on").served_on.year  # the services' "today"
    # The teams with their members; the services; their hours; the trainings with their
    # attendance (before: six, the teams, members and attendance each apart).
    with django_assert_num_queries(4):
        figures = {f.label: f.value for f in year_figures(world.union_a, year)}
    assert figures["志愿服务人次"] == 10 * rows
