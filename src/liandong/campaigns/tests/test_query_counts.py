"""Exact statement counts of the campaigns app's hot read paths (the list, a campaign with its
progress table, its task board and progress reports, a task, and their API), for one and for
several rows: the count must not grow with the rows shown."""

from datetime import date
from typing import Any

import pytest

from liandong.campaigns import services
from liandong.campaigns.models import REPORTED_MEASURES, Campaign, Task
from liandong.campaigns.tests.conftest import YEAR
from liandong.core.tests.query_counts import ROWS, SIGNED_IN, measure

COUNTED = "organizations.unions_founded"


@pytest.fixture
def staff(world: Any, login: Any) -> Any:
    return login(world.users["staff_a"])


def campaign(world: Any, name: str = "八项行动") -> Campaign:
    return services.campaign_create(
        actor=world.users["staff_a"],
        owner=world.union_a,
        name=name,
        starts_on=date(YEAR, 1, 1),
        ends_on=date(YEAR, 12, 31),
    )


def tasks(world: Any, target: Campaign, rows: int) -> list[Task]:
    """``rows`` tasks, each claimed by the enterprise union, with a milestone, one done."""
    found = []
    for i in range(rows):
        task = services.task_create(
            actor=world.users["staff_a"],
            campaign=target,
            title=f"揭榜任务{i}",
            due_on=date(YEAR, 11, 30),
        )
        task = services.task_claim(
            actor=world.users["enterprise_a"], task=task, organization=world.enterprise_a
        )
        services.milestone_add(
            actor=world.users["staff_a"], task=task, title=f"节点{i}", due_on=date(YEAR, 6, 30)
        )
        found.append(task)
    return found


def progress(world: Any, target: Campaign, rows: int) -> None:
    """One counted target of union A and ``rows`` reported ones, each with ``rows`` entries
    from the enterprise union (in union A's subtree)."""
    staff = world.users["staff_a"]
    services.target_set(
        actor=staff, campaign=target, organization=world.union_a, measure=COUNTED, value=5
    )
    for key in list(REPORTED_MEASURES)[:rows]:
        services.target_set(
            actor=staff, campaign=target, organization=world.union_a, measure=key, value=100
        )
        for i in range(rows):
            services.progress_report(
                actor=staff,
                campaign=target,
                organization=world.enterprise_a,
                measure=key,
                count=10,
                occurred_on=date(YEAR, 3, 1 + i),
                evidence=f"佐证{i}",
            )


@pytest.mark.parametrize("rows", ROWS)
def test_campaign_list_page(
    world: Any, staff: Any, django_assert_num_queries: Any, rows: int
) -> None:
    for i in range(rows):
        campaign(world, f"专项行动{i}")
    # + the campaigns with their owners.
    response = measure(staff, "/campaigns/", SIGNED_IN + 1, django_assert_num_queries)
    assert "专项行动0" in response.content.decode()


@pytest.mark.parametrize("rows", ROWS)
def test_campaign_detail_page(
    world: Any, staff: Any, django_assert_num_queries: Any, rows: int
) -> None:
    target = campaign(world)
    tasks(world, target, rows)
    progress(world, target, rows)
    # + the campaign with its owner; the targets with their unions; the counted target's count
    # (through its hook); the reported targets' entries, one grouped sum; the tasks with
    # their claimants.
    response = measure(staff, f"/campaigns/{target.pk}/", SIGNED_IN + 5, django_assert_num_queries)
    assert "揭榜任务0" in response.content.decode()


@pytest.mark.parametrize("rows", ROWS)
def test_task_board_page(world: Any, staff: Any, django_assert_num_queries: Any, rows: int) -> None:
    target = campaign(world)
    tasks(world, target, rows)
    # + the campaign with its owner; the tasks with their claimants; their milestones.
    response = measure(
        staff, f"/campaigns/{target.pk}/tasks/", SIGNED_IN + 3, django_assert_num_queries
    )
    assert f"揭榜任务{rows - 1}" in response.content.decode()


@pytest.mark.parametrize("rows", ROWS)
def test_progress_page(world: Any, staff: Any, django_assert_num_queries: Any, rows: int) -> None:
    target = campaign(world)
    progress(world, target, rows)
    # + the campaign with its owner; the entries with their bodies and authors; the form's
    # bodies.
    response = measure(
        staff, f"/campaigns/{target.pk}/progress/", SIGNED_IN + 3, django_assert_num_queries
    )
    assert f"佐证{rows - 1}" in response.content.decode()


@pytest.mark.parametrize("rows", ROWS)
def test_task_page(world: Any, staff: Any, django_assert_num_queries: Any, rows: int) -> None:
    target = campaign(world)
    (task,) = tasks(world, target, 1)
    for i in range(rows - 1):
        services.milestone_add(
            actor=world.users["staff_a"], task=task, title=f"节点+{i}", due_on=date(YEAR, 7, 1)
        )
    # + the task with its campaign, owner and claimant; its milestones.
    response = measure(
        staff, f"/campaigns/tasks/{task.pk}/", SIGNED_IN + 2, django_assert_num_queries
    )
    assert response.content.decode().count("<tr><td>节点") == rows


@pytest.mark.parametrize("rows", ROWS)
def test_campaigns_api(world: Any, staff: Any, django_assert_num_queries: Any, rows: int) -> None:
    for i in range(rows):
        campaign(world, f"专项行动{i}")
    # + the campaigns with their owners.
    response = measure(staff, "/api/v1/campaigns/", SIGNED_IN + 1, django_assert_num_queries)
    assert len(response.json()) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_campaign_api(world: Any, staff: Any, django_assert_num_queries: Any, rows: int) -> None:
    target = campaign(world)
    progress(world, target, rows)
    # + the campaign with its owner; the targets with their unions; the counted target's
    # count; the reported targets' entries, one grouped sum.
    response = measure(
        staff, f"/api/v1/campaigns/{target.pk}", SIGNED_IN + 4, django_assert_num_queries
    )
    actual = {r["measure"]: r["actual"] for r in response.json()["progress"]}
    assert actual == {COUNTED: 0, **dict.fromkeys(list(REPORTED_MEASURES)[:rows], 10 * rows)}


@pytest.mark.parametrize("rows", ROWS)
def test_tasks_api(world: Any, staff: Any, django_assert_num_queries: Any, rows: int) -> None:
    target = campaign(world)
    tasks(world, target, rows)
    # + the campaign with its owner; the tasks with their claimants; their milestones.
    response = measure(
        staff, f"/api/v1/campaigns/{target.pk}/tasks", SIGNED_IN + 3, django_assert_num_queries
    )
    assert [len(t["milestones"]) for t in response.json()] == [1] * rows


@pytest.mark.parametrize("rows", ROWS)
def test_year_figures(world: Any, django_assert_num_queries: Any, rows: int) -> None:
    """The dashboard's hook for union A, whose campaign has claimed tasks with milestones and
    hand-reported publicity."""
    from liandong.campaigns.hooks import year_figures

    target = campaign(world)
    tasks(world, target, rows)
    progress(world, target, rows)
    # The campaigns with their progress entries; the tasks with their milestones (before:
    # four, the campaigns, tasks, milestones and entries each apart).
    with django_assert_num_queries(2):
        figures = {f.label: f.value for f in year_figures(world.union_a, YEAR)}
    assert figures["开展专项行动"] == 1
    assert figures["任务被揭榜"] == rows
    assert figures["开展宣传活动"] == 10 * rows
