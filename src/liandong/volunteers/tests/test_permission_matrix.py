"""Permission matrix of the volunteers app: one row per page route and API operation, run for
every principal (pages by session; the API by session and bearer). The team is 甲产业工会's:
its staff and admins and the province admin manage it; everyone else finds no such team (404),
and the list is for accounts that act for an organization. Outcomes: core/tests/matrix.py."""

from collections.abc import Callable
from datetime import timedelta
from itertools import count
from typing import Any

import pytest

from liandong.core.tests.client import BrowserClient
from liandong.core.tests.matrix import (
    over_operations,
    over_pages,
    run_api_row,
    run_page_post_row,
    run_page_row,
)
from liandong.volunteers import services
from liandong.volunteers.models import Member, Team, Training

pytestmark = pytest.mark.usefixtures("no_pii_in_logs")

LIST_GET = "login 403   200   200   200    200     200   403   200"
VIEW_GET = "login 404   200   200   404    404     404   404   200"
MANAGE_POST = "login 404   done  done  404    404     404   404   done"
REVEAL_POST = "login 404   200   200   404    404     404   404   200"

PAGE_TABLE: dict[str, tuple[str, str]] = {
    # route                                             method  anon worker admin staff staffB liaison ent judge prov
    "volunteers/": ("GET", LIST_GET),
    "volunteers/new/": ("GET", "login 403   200   200   200    403     403   403   200"),
    "volunteers/<int:pk>/": ("GET", VIEW_GET),
    "volunteers/<int:pk>/edit/": ("GET", VIEW_GET),
    "volunteers/<int:pk>/members/new/": ("GET", VIEW_GET),
    "volunteers/<int:pk>/honours/new/": ("GET", VIEW_GET),
    "volunteers/<int:pk>/services/new/": ("GET", VIEW_GET),
    "volunteers/<int:pk>/trainings/new/": ("GET", VIEW_GET),
    "volunteers/members/<int:pk>/remove/": ("POST", MANAGE_POST),
    "volunteers/members/<int:pk>/reveal/": ("POST", REVEAL_POST),
    "volunteers/trainings/<int:pk>/": ("GET", VIEW_GET),
}

MANAGE_DONE = "login 404   done  done  404    404     404   404   done"
PAGE_POST_TABLE: dict[str, str] = {
    # Staff of B may set up teams, but not under union A: the form says so (kept).
    "volunteers/new/": "login 403   done  done  kept    403     403   403   done",
    "volunteers/<int:pk>/edit/": MANAGE_DONE,
    "volunteers/<int:pk>/members/new/": MANAGE_DONE,
    "volunteers/<int:pk>/honours/new/": MANAGE_DONE,
    "volunteers/<int:pk>/services/new/": MANAGE_DONE,
    "volunteers/<int:pk>/trainings/new/": MANAGE_DONE,
    "volunteers/trainings/<int:pk>/": MANAGE_DONE,
}

API_LIST = "401 403  200   200   200    200     200  403   200"
API_VIEW = "401 404  200   200   404    404     404  404   200"
API_CREATE = "401 404  201   201   404    404     404  404   201"
P = "/api/v1/volunteers"
API_TABLE: dict[tuple[str, str], str] = {
    # (method, OpenAPI path)                          anon worker admin staff staffB liaison ent judge prov
    ("GET", f"{P}/teams"): API_LIST,
    # Staff of B may create teams, but not under union A (422 names the field).
    ("POST", f"{P}/teams"): "401 403  201   201   422    403     403  403   201",
    ("GET", f"{P}/teams/{{team_id}}"): API_VIEW,
    ("PATCH", f"{P}/teams/{{team_id}}"): API_VIEW,
    ("POST", f"{P}/teams/{{team_id}}/members"): API_CREATE,
    ("POST", f"{P}/members/{{member_id}}/remove"): API_VIEW,
    ("POST", f"{P}/members/{{member_id}}/reveal"): API_VIEW,
    ("POST", f"{P}/teams/{{team_id}}/honours"): API_CREATE,
    ("GET", f"{P}/teams/{{team_id}}/services"): API_VIEW,
    ("POST", f"{P}/teams/{{team_id}}/services"): API_CREATE,
    ("POST", f"{P}/teams/{{team_id}}/trainings"): API_CREATE,
    ("POST", f"{P}/trainings/{{training_id}}/attendance"): API_VIEW,
}

# The reveal answers with the full mobile; the member input carries an outside volunteer's.
UNMASKED_SCHEMAS = {"VolunteerMobileOut", "VolunteerMemberIn"}
REVEAL_OPERATIONS = {"volunteers_reveal_member"}
REVEAL_ROUTES = {
    "volunteers/members/<int:pk>/reveal/",
    ("POST", f"{P}/members/{{member_id}}/reveal"),
}

_mobiles = count(13801109000)
DAY_OF = {"union_admin": 2, "union_staff": 1, "province_admin": 0}


@pytest.fixture
def training(vol: Any) -> Training:
    return services.training_create(
        actor=None, team=vol.team, title="矩阵培训", held_on=vol.today - timedelta(days=1)
    )


def fresh_member(team: Team) -> Member:
    return services.member_add_outside(
        actor=None,
        team=team,
        name="矩阵队员",
        mobile=str(next(_mobiles)),
        joined_on=team.founded_on,
    )


def checks(key: Any) -> dict[str, Any]:
    if key in REVEAL_ROUTES:
        return {"audited": "volunteers.mobile_viewed", "may_show_pii": True}
    return {}


def page_url(route: str, vol: Any, training: Training) -> str:
    pk = {
        "volunteers/members/<int:pk>/remove/": vol.outside.pk,
        "volunteers/members/<int:pk>/reveal/": vol.outside.pk,
        "volunteers/trainings/<int:pk>/": training.pk,
    }.get(route, vol.team.pk)
    return "/" + route.replace("<int:pk>", str(pk))


@over_pages(PAGE_TABLE)
def test_page(route: str, world: Any, vol: Any, training: Training) -> None:
    url = page_url(route, vol, training)

    def request(case: Any) -> Any:
        if route.endswith("/remove/"):  # a member of its own for each principal
            return case.send(f"/volunteers/members/{fresh_member(vol.team).pk}/remove/")
        return case.send(url, {"purpose": "联系志愿者"} if route.endswith("/reveal/") else None)

    run_page_row(PAGE_TABLE, route, world, request, **checks(route))


@pytest.mark.parametrize("route", list(PAGE_POST_TABLE))
def test_page_post(route: str, world: Any, vol: Any, training: Training) -> None:
    """The write a page's form sends, with its real fields and each principal's CSRF token."""
    today = vol.today
    url: Any = page_url(route, vol, training)
    values: Any = {}
    if route == "volunteers/new/":
        values = lambda principal: {  # noqa: E731
            "name": f"矩阵服务队{principal}",
            "organization": str(world.union_a.pk),
            "founded_on": "2020-01-01",
        }
    elif route.endswith("/edit/"):
        values = {"service_mode": "服务+培训+宣讲"}
    elif route.endswith("/members/new/"):
        values = lambda principal: {  # noqa: E731
            "kind": "outside",
            "name": "新队员",
            "mobile": str(next(_mobiles)),
            "joined_on": today.isoformat(),
        }
    elif route.endswith("/honours/new/"):
        values = {"title": "授旗", "awarded_on": today.isoformat()}
    elif route.endswith("/services/new/"):

        def fresh_url(principal: str) -> str:
            return f"/volunteers/{vol.team.pk}/services/new/"

        def service_values(principal: str) -> dict[str, Any]:
            day = today - timedelta(days=DAY_OF.get(principal, 0))
            return {
                "activity": str(vol.activity.id),
                "served_on": day.isoformat(),
                "people_served": "30",
                f"hours_{vol.worker_member.pk}": "2",
            }

        url, values = fresh_url, service_values
    elif route.endswith("/trainings/new/"):
        values = {"title": "充电规范培训", "held_on": today.isoformat(), "hours": "2"}
    elif route.startswith("volunteers/trainings/"):
        values = {"members": [str(vol.worker_member.pk)]}
    run_page_post_row(PAGE_POST_TABLE, route, world, url, values=values)


def api_body(path: str, principal: str, world: Any, vol: Any) -> dict[str, Any]:
    today = vol.today
    day = today - timedelta(days=DAY_OF.get(principal, 0))
    return {
        f"{P}/teams": {
            "name": f"矩阵服务队{principal}",
            "organization_id": world.union_a.pk,
            "founded_on": "2020-01-01",
        },
        f"{P}/teams/{{team_id}}": {"service_mode": "服务+培训"},
        f"{P}/teams/{{team_id}}/members": {
            "name": "矩阵队员",
            "mobile": str(next(_mobiles)),
            "joined_on": today.isoformat(),
        },
        f"{P}/members/{{member_id}}/remove": {},
        f"{P}/members/{{member_id}}/reveal": {"purpose": "联系"},
        f"{P}/teams/{{team_id}}/honours": {"title": "授旗", "awarded_on": today.isoformat()},
        f"{P}/teams/{{team_id}}/services": {
            "activity_id": vol.activity.id,
            "served_on": day.isoformat(),
            "people_served": 20,
            "hours": [{"member_id": vol.worker_member.pk, "hours": "3"}],
        },
        f"{P}/teams/{{team_id}}/trainings": {"title": "矩阵培训", "held_on": today.isoformat()},
        f"{P}/trainings/{{training_id}}/attendance": {"member_ids": [vol.worker_member.pk]},
    }.get(path, {})


@over_operations(API_TABLE)
def test_api(
    operation: tuple[str, str],
    auth: str,
    world: Any,
    vol: Any,
    training: Training,
    api_token: Callable[..., dict[str, str]],
) -> None:
    method, path = operation

    def request(case: Any) -> Any:
        member = fresh_member(vol.team) if path.endswith("/remove") else vol.outside
        url = (
            path.replace("{team_id}", str(vol.team.pk))
            .replace("{member_id}", str(member.pk))
            .replace("{training_id}", str(training.pk))
        )
        body = api_body(path, case.principal, world, vol) if method != "GET" else None
        return case.send(url, body)

    run_api_row(API_TABLE, operation, auth, world, api_token, request, **checks(operation))


def test_other_union_gets_404_like_a_record_that_does_not_exist(
    world: Any, vol: Any, training: Training, api_token: Callable[..., dict[str, str]]
) -> None:
    page = BrowserClient()
    page.force_login(world.users["staff_b"])
    missing = 10_000_000
    for pattern, pk in [
        ("/volunteers/{}/", vol.team.pk),
        ("/volunteers/{}/services/new/", vol.team.pk),
        ("/volunteers/trainings/{}/", training.pk),
    ]:
        assert page.get(pattern.format(pk)).status_code == 404
        assert page.get(pattern.format(missing)).status_code == 404
    bearer = api_token(world.users["staff_b"])
    a = BrowserClient().get(f"{P}/teams/{vol.team.pk}", **bearer)
    b = BrowserClient().get(f"{P}/teams/{missing}", **bearer)
    assert (a.status_code, a.content) == (b.status_code, b.content)
    names = {t["name"] for t in BrowserClient().get(f"{P}/teams", **bearer).json()["items"]}
    assert names == {vol.team_b.name}
