"""Permission matrix of campaigns. A campaign of union A is managed by union A's staff and the
province above; enterprise A (below) and the liaison's authority (a partner of A) take part:
they see it, claim tasks and report progress for their own body. Union B's staff, workers and
judges get a 404 (pages) or 403 (the list, the API's gate)."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from liandong.campaigns import services
from liandong.campaigns.models import Campaign, Task
from liandong.core.tests.matrix import (
    over_operations,
    over_pages,
    run_api_row,
    run_page_post_row,
    run_page_row,
)

pytestmark = pytest.mark.usefixtures("no_pii_in_logs")

LIST = "login 403   200   200   200    200     200   403   200"
VIEW = "login 404   200   200   404    200     200   404   200"
MANAGE = "login 404   200   200   404    403     403   404   200"
MANAGE_DONE = "login 404   done  done  404    403     403   404   done"

PAGE_TABLE: dict[str, tuple[str, str]] = {
    # route                                    anon worker admin staff staffB liaison ent judge prov
    "campaigns/": ("GET", LIST),
    "campaigns/new/": ("GET", "login 403   200   200   200    403     403   403   200"),
    "campaigns/<int:pk>/": ("GET", VIEW),
    "campaigns/<int:pk>/edit/": ("GET", MANAGE),
    "campaigns/<int:pk>/targets/": ("GET", MANAGE),
    "campaigns/<int:pk>/tasks/": ("GET", VIEW),
    "campaigns/<int:pk>/progress/": ("GET", VIEW),
    "campaigns/<int:pk>/records/<int:org>/<str:measure>/": ("GET", VIEW),
    "campaigns/tasks/<int:pk>/": ("GET", VIEW),
    "campaigns/tasks/<int:pk>/claim/": ("GET", VIEW),
}
PAGE_POST_TABLE: dict[str, str] = {
    # Each union's staff start campaigns for a union of their own subtree.
    "campaigns/new/": "login 403   done  done  done   403     403   403   done",
    "campaigns/<int:pk>/edit/": MANAGE_DONE,
    "campaigns/<int:pk>/targets/": MANAGE_DONE,
    "campaigns/<int:pk>/tasks/": MANAGE_DONE,
    # Participants report for their own body, the managers for any body of the subtree.
    "campaigns/<int:pk>/progress/": "login 404   done  done  404    done    done  404   done",
    # Milestones of a task nobody has claimed yet: the managers only.
    "campaigns/tasks/<int:pk>/": MANAGE_DONE,
    # A fresh open task for each: the bodies taking part claim, the managers do not.
    "campaigns/tasks/<int:pk>/claim/": "login 404   403   403   404    done    done  404   403",
}
C = "/api/v1/campaigns"
API_LIST = "401 403  200   200   200    200     200  403   200"
API_VIEW = "401 403  200   200   404    200     200  403   200"
API_MANAGE = "401 403  200   200   404    403     403  403   200"
API_CREATE = "401 403  201   201   404    403     403  403   201"
API_CLAIMANT = "401 403  200   200   404    200     403  403   200"
API_TABLE: dict[tuple[str, str], str] = {
    ("GET", f"{C}/measures"): API_LIST,
    ("GET", f"{C}/"): API_LIST,
    ("POST", f"{C}/"): "401 403  201   201   201    403     403  403   201",
    ("GET", f"{C}/{{campaign_id}}"): API_VIEW,
    ("PATCH", f"{C}/{{campaign_id}}"): API_MANAGE,
    ("POST", f"{C}/{{campaign_id}}/targets"): API_MANAGE,
    ("GET", f"{C}/{{campaign_id}}/tasks"): API_VIEW,
    ("POST", f"{C}/{{campaign_id}}/tasks"): API_CREATE,
    ("POST", f"{C}/tasks/{{task_id}}/claim"): "401 403  403   403   404    200     200  403   403",
    ("POST", f"{C}/tasks/{{task_id}}/milestones"): API_CREATE,
    # The task is the liaison's authority's: it and the managers record its steps and result.
    ("POST", f"{C}/tasks/{{task_id}}/milestones/{{milestone_id}}/done"): API_CLAIMANT,
    ("POST", f"{C}/tasks/{{task_id}}/complete"): API_CLAIMANT,
    ("POST", f"{C}/{{campaign_id}}/progress"): "401 403  201   201   404    201     201  403   201",
}

OWN_UNION = {"other_union_staff": "union_b", "province_admin": "province"}
OWN_BODY = {"liaison": "authority", "enterprise_union": "enterprise_a"}


@pytest.fixture
def campaign(world: Any) -> Campaign:
    campaign = services.campaign_create(
        actor=None,
        owner=world.union_a,
        name="八项行动",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
    )
    services.target_set(
        actor=None,
        campaign=campaign,
        organization=world.union_a,
        measure="organizations.unions_founded",
        value=57,
    )
    return campaign


def fresh_task(campaign: Campaign) -> Task:
    return services.task_create(actor=None, campaign=campaign, title="规范国企职代会")


def claimed_task(world: Any, campaign: Campaign) -> Task:
    task = fresh_task(campaign)
    return services.task_claim(
        actor=world.users["liaison"], task=task, organization=world.authority
    )


def page_url(route: str, campaign: Campaign, task: Task, world: Any) -> str:
    return "/" + route.replace(
        "<int:pk>", str(task.pk if route.startswith("campaigns/tasks/") else campaign.pk)
    ).replace("<int:org>", str(world.union_a.pk)).replace(
        "<str:measure>", "organizations.unions_founded"
    )


@over_pages(PAGE_TABLE)
def test_page(route: str, world: Any, campaign: Campaign) -> None:
    url = page_url(route, campaign, fresh_task(campaign), world)
    run_page_row(PAGE_TABLE, route, world, lambda case: case.client.get(url))


def _org(world: Any, principal: str, default: str) -> int:
    return getattr(world, OWN_BODY.get(principal, default)).pk


@pytest.mark.parametrize("route", list(PAGE_POST_TABLE))
def test_page_post(route: str, world: Any, campaign: Campaign) -> None:
    """The write a page's form sends, with its real fields and each principal's CSRF token; a
    refused one changes no row of the database."""
    task = fresh_task(campaign)
    url: str | Callable[[str], str] = page_url(route, campaign, task, world)
    shown_to = "union_admin"
    values: dict[str, Any] | Callable[[str], dict[str, Any]] = {}
    if route == "campaigns/new/":
        values = lambda p: {  # noqa: E731
            "owner": str(getattr(world, OWN_UNION.get(p, "union_a")).pk),
            "name": "新行动",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
        }
    elif route.endswith("/edit/"):
        values = {"name": "八项行动（修订）"}
    elif route.endswith("/targets/"):
        values = {
            "organization": str(world.union_a.pk),
            "measure": "reported.publicity",
            "value": "630",
        }
    elif route.endswith("/tasks/"):
        values = {"title": "新任务", "due_on": "2026-10-01"}
    elif route.endswith("/progress/"):
        values = lambda p: {  # noqa: E731
            "organization": str(_org(world, p, "union_a")),
            "measure": "reported.publicity",
            "count": "12",
            "occurred_on": "2026-03-01",
            "evidence": "物流园区宣讲",
        }
    elif route == "campaigns/tasks/<int:pk>/":
        values = {"action": "milestone", "title": "摸底", "due_on": "2026-03-01"}
    elif route.endswith("/claim/"):
        shown_to = "liaison"
        url = lambda p: page_url(route, campaign, fresh_task(campaign), world)  # noqa: E731
    run_page_post_row(PAGE_POST_TABLE, route, world, url, shown_to=shown_to, values=values)


@over_operations(API_TABLE)
def test_api(
    operation: tuple[str, str],
    auth: str,
    world: Any,
    campaign: Campaign,
    api_token: Callable[..., dict[str, str]],
) -> None:
    method, path = operation

    def request(case: Any) -> Any:
        task = fresh_task(campaign)
        if path.endswith("/done") or path.endswith("/complete"):
            task = claimed_task(world, campaign)
        milestone = services.milestone_add(
            actor=None, task=task, title="摸底", due_on=date(2026, 3, 1)
        )
        if path.endswith("/complete"):
            services.milestone_done(actor=None, milestone=milestone, done_on=date(2026, 3, 1))
        url = (
            path.replace("{campaign_id}", str(campaign.pk))
            .replace("{task_id}", str(task.pk))
            .replace("{milestone_id}", str(milestone.pk))
        )
        bodies: dict[str, Any] = {
            f"{C}/": {
                "owner": getattr(world, OWN_UNION.get(case.principal, "union_a")).pk,
                "name": "新行动",
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
            },
            f"{C}/{{campaign_id}}": {"name": "八项行动（修订）"},
            f"{C}/{{campaign_id}}/targets": {
                "organization": world.union_a.pk,
                "measure": "democracy.units_established",
                "value": 47,
            },
            f"{C}/{{campaign_id}}/tasks": {"title": "新任务"},
            f"{C}/tasks/{{task_id}}/milestones": {"title": "节点", "due_on": "2026-05-01"},
            f"{C}/tasks/{{task_id}}/milestones/{{milestone_id}}/done": {"done_on": "2026-03-01"},
            f"{C}/tasks/{{task_id}}/complete": {"completed_on": "2026-04-01", "result": "完成"},
            f"{C}/{{campaign_id}}/progress": {
                "organization": _org(world, case.principal, "union_a"),
                "measure": "reported.publicity",
                "count": 12,
                "occurred_on": "2026-03-01",
                "evidence": "宣讲",
            },
        }
        return case.send(url, bodies.get(path) if method != "GET" else None)

    run_api_row(API_TABLE, operation, auth, world, api_token, request)
