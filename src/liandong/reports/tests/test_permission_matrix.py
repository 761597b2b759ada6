"""Permission matrix of the reports app: union staff open the dashboard of their subtree (union
B's staff their own union's), a partner liaison that of union A (whose partner its body is) as
aggregates, everyone else is refused. Union A's mechanism (the authority and enterprise A
members) is a 404 for union B. Then the cross-tenant cases."""

from collections.abc import Callable
from typing import Any

import pytest

from liandong.core.tests.client import BrowserClient
from liandong.core.tests.matrix import over_operations, over_pages, run_api_row, run_page_row
from liandong.meetings import services as meeting_services
from liandong.meetings.models import Mechanism

pytestmark = pytest.mark.usefixtures("no_pii_in_logs")

UNION_GET = "login 403   200   200   200    200     403   403   200"
MECHANISM_GET = "login 403   200   200   404    200     403   403   200"

PAGE_TABLE: dict[str, tuple[str, str]] = {
    # route                               method  anon worker admin staff staffB liaison ent judge prov
    "reports/": ("GET", UNION_GET),
    "reports/screen/": ("GET", UNION_GET),
    "reports/export/<slug:key>.xlsx": ("GET", UNION_GET),
    "reports/mechanisms/<int:pk>/": ("GET", MECHANISM_GET),
    "reports/annual/": ("GET", UNION_GET),
}
PAGE_POST_TABLE: dict[str, str] = {}  # the pages have GET filter forms only
R = "/api/v1/reports"
API_TABLE: dict[tuple[str, str], str] = {
    # (method, OpenAPI path)                      anon worker admin staff staffB liaison ent judge prov
    ("GET", f"{R}/dashboard"): "401 403  200   200   200    200     403  403   200",
    (
        "GET",
        f"{R}/mechanisms/{{mechanism_id}}",
    ): "401 403  200   200   404    200     403  403   200",
    ("GET", f"{R}/annual"): "401 403  200   200   200    200     403  403   200",
}
# The annual report's file, for the principal's own (or first partner) union.
API_QUERY = {f"{R}/annual": "?year=2026&format=docx"}


@pytest.fixture
def mechanism(world: Any) -> Mechanism:
    return meeting_services.mechanism_create(
        actor=None,
        name="甲快递行业联席会议",
        industry="快递",
        convening_union=world.union_a,
        collaboration_mode="authority",
        members=[world.authority, world.enterprise_a],
    )


def page_url(route: str, mechanism: Mechanism) -> str:
    return "/" + route.replace("<int:pk>", str(mechanism.pk)).replace("<slug:key>", "demand-rates")


@over_pages(PAGE_TABLE)
def test_page(route: str, world: Any, mechanism: Mechanism) -> None:
    url = page_url(route, mechanism)
    run_page_row(PAGE_TABLE, route, world, lambda case: case.client.get(url))


@over_operations(API_TABLE)
def test_api(
    operation: tuple[str, str],
    auth: str,
    world: Any,
    mechanism: Mechanism,
    api_token: Callable[..., dict[str, str]],
) -> None:
    url = operation[1].replace("{mechanism_id}", str(mechanism.pk)) + API_QUERY.get(
        operation[1], ""
    )
    run_api_row(
        API_TABLE,
        operation,
        auth,
        world,
        api_token,
        lambda case: case.client.get(url, **case.headers),
    )


# --- Cross-tenant ---------------------------------------------------------------------------------


def test_another_unions_dashboard_is_a_404_like_one_that_does_not_exist(
    world: Any, mechanism: Mechanism, api_token: Callable[..., dict[str, str]]
) -> None:
    page = BrowserClient()
    page.force_login(world.users["staff_b"])
    for url in ["/reports/?org={}", "/reports/screen/?org={}", "/reports/export/funds.xlsx?org={}"]:
        theirs = page.get(url.format(world.union_a.pk))
        nothing = page.get(url.format(10_000_000))
        assert theirs.status_code == nothing.status_code == 404, url
    assert page.get(f"/reports/mechanisms/{mechanism.pk}/").status_code == 404
    bearer = api_token(world.users["staff_b"])
    theirs = BrowserClient().get(f"{R}/dashboard?org={world.union_a.pk}", **bearer)
    nothing = BrowserClient().get(f"{R}/dashboard?org=10000000", **bearer)
    assert (theirs.status_code, theirs.content) == (nothing.status_code, nothing.content)
    assert theirs.status_code == 404
    own = BrowserClient().get(f"{R}/dashboard", **bearer).json()
    assert own["organization_id"] == world.union_b.pk


def test_a_union_opens_a_region_of_its_subtree_but_not_above(world: Any) -> None:
    page = BrowserClient()
    page.force_login(world.users["province_admin"])
    assert page.get(f"/reports/?org={world.union_a.pk}").status_code == 200
    page.force_login(world.users["admin_a"])
    assert page.get(f"/reports/?org={world.province.pk}").status_code == 404


def test_the_liaison_sees_its_partner_union_as_aggregates(world: Any) -> None:
    page = BrowserClient()
    page.force_login(world.users["liaison"])
    body = page.get("/reports/").content.decode().split("<main", 1)[1]
    assert world.union_a.name in body
    assert "汇总数字" in body
    assert 'href="/demands/' not in body
    assert 'href="/meetings/' not in body
    assert 'href="/reports/export/' in body  # the tables themselves are exported
    assert page.get(f"/reports/?org={world.union_b.pk}").status_code == 404
    data = page.get(f"{R}/dashboard").json()
    assert all(not row["url"] for chart in data["charts"] for row in chart["rows"])


def test_bad_filters_are_named_and_change_nothing(world: Any) -> None:
    page = BrowserClient()
    page.force_login(world.users["admin_a"])
    response = page.get("/reports/?year=abc&start=2026-05-01&end=2026-02-01")
    assert response.status_code == 200
    assert "截止日期不能早于起始日期" in response.content.decode()
    api = page.get(f"{R}/dashboard?start=2026-05-01&end=2026-02-01")
    assert api.status_code == 422
    assert "end" in str(api.json()["detail"])
    assert page.get(f"{R}/dashboard?year=99999").status_code == 422
    assert page.get("/reports/export/nothing.xlsx").status_code == 404
    assert page.get("/reports/?org=abc").status_code == 404
