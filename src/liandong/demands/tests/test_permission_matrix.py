"""Permission matrix of the demands app: one row per page route and API operation of this app
(the completeness test in core/tests/test_permission_matrix.py collects these tables).

The fixture demand is a courier wage demand supervised by union A and routed to the authority
(a partner of union A; the liaison works there) with an association co-handling. Enterprise A's
union is not a party to it, and union B is outside union A's subtree: both get 404.
"""

import io
import itertools
import json
from typing import Any

import pytest
from django.core.cache import cache
from PIL import Image

from liandong.core.tests.client import BrowserClient
from liandong.core.tests.matrix import (
    PRINCIPALS,
    Case,
    Request,
    check_outcome,
    client_as,
    outcomes,
    over_operations,
    over_pages,
    run_api_row,
    run_page_post_row,
    run_page_row,
)
from liandong.demands.models import Demand, DemandPhoto, State
from liandong.demands.tests.factories import make_demand

PAGE_TABLE: dict[str, tuple[str, str]] = {
    # route (Django pattern)                      method  anon  worker admin staff staffB liaison ent  judge prov
    "demands/": ("GET", "login 403   200   200   200    200     200   403   200"),
    "demands/new/": ("GET", "login 403   200   200   200    403     403   403   200"),
    "demands/stats/": ("GET", "login 403   200   200   200    200     200   403   200"),
    "demands/stats.xlsx": ("GET", "login 403   200   200   200    200     200   403   200"),
    "demands/settings/": ("GET", "login 403   200   403   403    403     403   403   200"),
    "demands/<int:pk>/": ("GET", "login 403   200   200   404    200     404   403   200"),
    "demands/<int:pk>/act/": ("POST", "login 403  200   200   404    200     404   403   200"),
    "demands/<int:pk>/reveal/": ("POST", "login 403  200   200   404    200     404   403   200"),
    "demands/<int:pk>/photos/<int:photo_id>/": (
        "GET",
        "login 403   200   200   404    200     404   403   200",
    ),
    "demands/triage/": ("GET", "login 403   200   200   200    403     403   403   200"),
    # A demand waiting in union A's queue (not the fixture demand), sent without a category.
    "demands/triage/<int:pk>/": ("POST", "login 403  200   200   404    403     403   403   200"),
    "demands/classifier/": ("GET", "login 403   200   403   403    403     403   403   200"),
    "demands/submit/": ("GET", "200   200   200   200   200    200     200   200   200"),
    "demands/track/": ("GET", "200   200   200   200   200    200     200   200   200"),
    "demands/track/rate/": ("POST", "200  200   200   200   200    200     200   200   200"),
    # Without the code and the form's token of a demand this browser submitted: no such demand.
    "demands/submit/text-code/": ("POST", "404 404   404   404   404    404     404   404   404"),
}
PAGE_POST_TABLE: dict[str, str] = {
    # the POST of a page whose GET row is in PAGE_TABLE  anon  worker admin staff staffB liaison ent  judge prov
    "demands/new/": "login 403   done  done  done   403     403   403   done",
    "demands/settings/": "login 403   done  403   403    403     403   403   done",
    "demands/classifier/": "login 403   done  403   403    403     403   403   done",
    # The public pages: a new demand is acknowledged on the page, a lookup answers on the page.
    "demands/submit/": "200   200   200   200   200    200     200   200   200",
    "demands/track/": "200   200   200   200   200    200     200   200   200",
}
API_TABLE: dict[tuple[str, str], str] = {
    # (method, OpenAPI path)                                     anon worker admin staff staffB liaison ent judge prov
    ("GET", "/api/v1/demands/"): "401 403  200   200   200    200     200  403   200",
    ("POST", "/api/v1/demands/"): "401 403  200   200   200    403     403  403   200",
    ("GET", "/api/v1/demands/stats"): "401 403  200   200   200    200     200  403   200",
    ("GET", "/api/v1/demands/stats/export"): "401 403  200   200   200    200     200  403   200",
    ("GET", "/api/v1/demands/{demand_id}"): "401 403  200   200   404    200     404  403   200",
    (
        "POST",
        "/api/v1/demands/{demand_id}/reveal",
    ): "401 403  200   200   404    200     404  403   200",
    (
        "POST",
        "/api/v1/demands/{demand_id}/actions",
    ): "401 403  422   422   404    422     404  403   422",
    ("POST", "/api/v1/public/demands"): "200 200  200   200   200    200     200  200   200",
    ("GET", "/api/v1/public/demands/{code}"): "200 200  200   200   200    200     200  200   200",
    (
        "POST",
        "/api/v1/public/demands/suggest-category",
    ): "200 200  200   200   200    200     200  200   200",
    (
        "POST",
        "/api/v1/public/demands/{code}/rating",
    ): "422 422  422   422   422    422     422  422   422",
}
PUBLIC_OPERATIONS = {
    "public_demands_submit",
    "public_demands_track",
    "public_demands_rate",
    "public_demands_suggest_category",
}
# The reveal answer carries the full mobile; the intake inputs carry it too (the worker's own
# number, sent by the worker or the hotline operator), and no answer but the reveal uses them.
UNMASKED_SCHEMAS = {"DemandMobileOut", "PublicDemandIn", "StaffDemandIn"}
REVEAL_OPERATIONS = {"demands_reveal"}
REVEAL_ROUTES = {"demands/<int:pk>/reveal/", ("POST", "/api/v1/demands/{demand_id}/reveal")}

pytestmark = pytest.mark.usefixtures("no_pii_in_logs")
_mobiles = itertools.count(13700000001)


def png() -> bytes:
    stream = io.BytesIO()
    Image.new("RGB", (16, 16), (30, 90, 160)).save(stream, format="PNG")
    return stream.getvalue()


@pytest.fixture
def demand(world: Any, rules: Any) -> Demand:
    cache.clear()  # rate-limit counters from earlier tests
    demand = make_demand(mobile="13919319999", photos=[png()])
    assert demand.body == world.authority
    return demand


def page_url(route: str, demand: Demand) -> str:
    photo = DemandPhoto.objects.filter(demand=demand).values_list("pk", flat=True).first()
    return "/" + route.replace("<int:pk>", str(demand.pk)).replace("<int:photo_id>", str(photo))


def api_url(path: str, demand: Demand) -> str:
    url = path.replace("{demand_id}", str(demand.pk)).replace("{code}", demand.code)
    if path == "/api/v1/public/demands/{code}":
        url += f"?mobile_tail={demand.mobile_tail}"
    return url


def intake(**changes: Any) -> dict[str, Any]:
    return {
        "description": "快递网点拖欠派费两个月。",
        "industry": "快递",
        "city": "兰州",
        "mobile": str(next(_mobiles)),
        "consent": True,
        **changes,
    }


def awaiting(demand: Demand) -> Demand:
    """A demand of the same union waiting in its 待分类 queue."""
    waiting = make_demand(mobile=str(next(_mobiles)), description="我想问个事情，麻烦回个电话。")
    Demand.objects.filter(pk=waiting.pk).update(
        awaiting_category=True, state=State.ACCEPTED, body=None, union=demand.union
    )
    return waiting


def page_request(route: str, demand: Demand) -> Request:
    url = page_url(route, demand)
    if route == "demands/triage/<int:pk>/":
        waiting = awaiting(demand)
        url = f"/demands/triage/{waiting.pk}/"
        return lambda case: case.send(url, {"category": ""})
    if route == "demands/<int:pk>/act/":
        return lambda case: case.send(url, {"action": "accept", "note": ""})
    return lambda case: case.send(url, {"purpose": "回访"})


def api_request(operation: tuple[str, str], demand: Demand) -> Request:
    method, path = operation
    url = api_url(path, demand)

    def request(case: Case) -> Any:
        if path.endswith("/actions"):
            return case.send(url, {"action": "accept", "note": ""})
        if path.endswith("/rating"):
            return case.send(url, {"mobile_tail": demand.mobile_tail, "rating": "satisfied"})
        if path in ("/api/v1/demands/", "/api/v1/public/demands") and method == "POST":
            data = intake(channel="hotline") if path == "/api/v1/demands/" else intake()
            return case.client.post(
                url, json.dumps(data), content_type="application/json", **case.headers
            )
        if path.endswith("/suggest-category"):
            return case.send(url, {"description": "网点两个月没发工资"})
        return case.send(url, {"purpose": "回访"})

    return request


def checks(key: Any, demand: Demand) -> dict[str, Any]:
    """Nothing in the matrix changes a demand; a reveal writes one mobile_viewed row when
    answered, and only a reveal's answer is not scanned for numbers."""

    def state() -> str:
        return Demand.objects.get(pk=demand.pk).state

    if key in REVEAL_ROUTES:
        return {"unchanged": state, "audited": "demands.mobile_viewed", "may_show_pii": True}
    return {"unchanged": state}


@over_pages(PAGE_TABLE)
def test_page(route: str, world: Any, demand: Demand) -> None:
    request = page_request(route, demand)
    run_page_row(PAGE_TABLE, route, world, request, **checks(route, demand))


def page_post(route: str, demand: Demand) -> dict[str, Any]:
    """What the POST row of ``route`` sends: who is shown the form and what is typed into it
    (a new mobile for each intake: the per-number limit is not what the row is about)."""

    def intake_values(principal: str) -> dict[str, str]:
        return {
            "category": "wages",
            "description": "快递网点拖欠派费两个月。",
            "industry": "快递",
            "mobile": str(next(_mobiles)),
        }

    rows: dict[str, dict[str, Any]] = {
        "demands/new/": {"values": intake_values, "ticked": lambda: {"consent": "on"}},
        "demands/settings/": {
            "values": {"form": "limit", "category": "wages", "urgency": "normal"},
        },
        # Roll back to the model shipped with the software.
        "demands/classifier/": {"values": {"version": "0"}},
        "demands/submit/": {
            "shown_to": "anonymous",
            "values": intake_values,
            "ticked": lambda: {"consent": "on"},
        },
        "demands/track/": {
            "shown_to": "anonymous",
            "values": {"code": demand.code, "mobile_tail": demand.mobile_tail},
        },
    }
    return rows[route]


@pytest.mark.parametrize("route", list(PAGE_POST_TABLE))
def test_page_post(route: str, world: Any, demand: Demand) -> None:
    """The write a page's form sends, with its real fields and each principal's CSRF token;
    a refused one changes no row of the database."""
    url = page_url(route, demand)
    before = Demand.objects.count()
    run_page_post_row(
        PAGE_POST_TABLE, route, world, url, **page_post(route, demand), **checks(route, demand)
    )
    if route == "demands/submit/":  # the 200 is the acknowledgement, not the form again
        assert Demand.objects.count() == before + len(PRINCIPALS)


@over_operations(API_TABLE)
def test_api(
    operation: tuple[str, str], auth: str, world: Any, demand: Demand, api_token: Any
) -> None:
    request = api_request(operation, demand)
    run_api_row(API_TABLE, operation, auth, world, api_token, request, **checks(operation, demand))


def test_the_matrix_can_fail(world: Any, demand: Demand) -> None:
    """A wrong expectation is reported: the other union's staff do not see the demand."""
    client, _ = client_as("other_union_staff", world)
    with pytest.raises(AssertionError):
        check_outcome(
            client.get(f"/demands/{demand.pk}/"),
            "200",
            principal="other_union_staff",
            world=world,
            is_api=False,
        )


# ---------------------------------------------------------------------------------------------
# Cross-tenant: union B's records are 404 for union A and never in its lists, and the reverse.


def test_other_union_gets_404_and_empty_lists(world: Any, rules: Any, api_token: Any) -> None:
    from liandong.demands.services import demand_assign

    b_demand = make_demand(
        mobile="13919310201", category="rest", description="每天工作十四个小时。", industry="网约车"
    )
    b_demand = demand_assign(actor=None, demand=b_demand, body=world.enterprise_b)
    a_demand = make_demand(mobile="13919310202")
    staff_a, _ = client_as("union_staff", world)
    staff_b, _ = client_as("other_union_staff", world)
    # union A supervises both (its rule matched), so give B's demand to union B entirely:
    Demand.objects.filter(pk=b_demand.pk).update(union=world.union_b)
    assert staff_a.get(f"/demands/{b_demand.pk}/").status_code == 404
    assert staff_a.get(f"/api/v1/demands/{b_demand.pk}").status_code == 404
    assert staff_a.get("/api/v1/demands/99999999").status_code == 404
    codes = {i["code"] for i in staff_a.get("/api/v1/demands/").json()["items"]}
    assert b_demand.code not in codes
    assert a_demand.code in codes
    codes_b = {i["code"] for i in staff_b.get("/api/v1/demands/").json()["items"]}
    assert codes_b == {b_demand.code}
    assert staff_b.get(f"/demands/{a_demand.pk}/").status_code == 404
    page = staff_a.get("/demands/").content.decode()
    assert b_demand.code not in page
    assert a_demand.code in page
    # a denied write changes nothing
    response = staff_b.post(
        f"/api/v1/demands/{a_demand.pk}/actions",
        {"action": "reject", "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert Demand.objects.get(pk=a_demand.pk).state == State.DISPATCHED


def test_staff_of_a_body_see_only_what_was_routed_to_them(world: Any, rules: Any) -> None:
    to_authority = make_demand(mobile="13919310211")
    to_enterprise = make_demand(
        mobile="13919310212", category="rest", description="每天工作十四个小时没有休息。"
    )
    liaison, _ = client_as("liaison", world)
    enterprise, _ = client_as("enterprise_union", world)
    assert liaison.get(f"/demands/{to_enterprise.pk}/").status_code == 404
    assert enterprise.get(f"/demands/{to_authority.pk}/").status_code == 404
    assert enterprise.get(f"/demands/{to_enterprise.pk}/").status_code == 200
    assert {i["code"] for i in enterprise.get("/api/v1/demands/").json()["items"]} == {
        to_enterprise.code
    }
    # the enterprise union is not the handler of the co-handled demand's mobile either
    assert (
        enterprise.post(
            f"/api/v1/demands/{to_authority.pk}/reveal", {}, content_type="application/json"
        ).status_code
        == 404
    )


def test_a_co_handling_body_sees_the_demand_but_may_not_act_or_unmask(
    world: Any, rules: Any
) -> None:
    from liandong.accounts.models import Role
    from liandong.accounts.tests.factories import UserFactory
    from liandong.organizations.models import Organization

    demand = make_demand(mobile="13919310221")
    association = Organization.objects.get(code="W-ASSOC")
    user = UserFactory(username="assoc", role=Role.LIAISON, organization=association)

    client = BrowserClient()
    client.force_login(user)
    assert client.get(f"/api/v1/demands/{demand.pk}").status_code == 200
    assert (
        client.post(
            f"/api/v1/demands/{demand.pk}/reveal", {}, content_type="application/json"
        ).status_code
        == 403
    )
    response = client.post(
        f"/api/v1/demands/{demand.pk}/actions",
        {"action": "accept", "note": "好"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Demand.objects.get(pk=demand.pk).state == State.DISPATCHED


def test_every_principal_is_covered() -> None:
    for _, row in PAGE_TABLE.values():
        assert len(outcomes(row)) == len(PRINCIPALS)
