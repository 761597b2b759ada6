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

from liandong.core.models import AuditLog
from liandong.core.tests.matrix import (
    PRINCIPALS,
    assert_no_pii,
    check_outcome,
    client_as,
    outcomes,
    response_bytes,
    run_row,
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
    "demands/submit/": ("GET", "200   200   200   200   200    200     200   200   200"),
    "demands/track/": ("GET", "200   200   200   200   200    200     200   200   200"),
    "demands/track/rate/": ("POST", "200  200   200   200   200    200     200   200   200"),
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
        "/api/v1/public/demands/{code}/rating",
    ): "422 422  422   422   422    422     422  422   422",
}
PUBLIC_OPERATIONS = {"public_demands_submit", "public_demands_track", "public_demands_rate"}
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


def page_case(route: str, principal: str, world: Any, demand: Demand) -> None:
    method, row = PAGE_TABLE[route]
    expected = outcomes(row)[principal]
    client, _ = client_as(principal, world)
    url = page_url(route, demand)
    views_before = AuditLog.objects.filter(action="demands.mobile_viewed").count()
    state_before = Demand.objects.get(pk=demand.pk).state
    if route == "demands/<int:pk>/act/":
        response = client.post(url, {"action": "accept", "note": ""})
    elif method == "POST":
        response = client.post(url, {"purpose": "回访"})
    else:
        response = client.get(url)
    check_outcome(response, expected, principal=principal, world=world, is_api=False)
    assert (
        Demand.objects.get(pk=demand.pk).state == state_before
    )  # nothing in the matrix changes a demand
    if route in REVEAL_ROUTES:
        viewed = AuditLog.objects.filter(action="demands.mobile_viewed").count() - views_before
        assert viewed == (1 if expected == "200" else 0), f"{viewed} mobile_viewed rows"
    else:
        assert_no_pii(response_bytes(response), f"{method} {url} as {principal}")


def api_case(
    operation: tuple[str, str],
    principal: str,
    auth: str,
    world: Any,
    demand: Demand,
    api_token: Any,
) -> None:
    method, path = operation
    expected = outcomes(API_TABLE[operation])[principal]
    client, headers = client_as(principal, world, auth=auth, api_token=api_token)
    url = api_url(path, demand)
    views_before = AuditLog.objects.filter(action="demands.mobile_viewed").count()
    if path.endswith("/actions"):
        response = client.post(
            url, {"action": "accept", "note": ""}, content_type="application/json", **headers
        )
    elif path.endswith("/rating"):
        response = client.post(
            url,
            {"mobile_tail": demand.mobile_tail, "rating": "satisfied"},
            content_type="application/json",
            **headers,
        )
    elif path in ("/api/v1/demands/", "/api/v1/public/demands") and method == "POST":
        data = intake(channel="hotline") if path == "/api/v1/demands/" else intake()
        response = client.post(url, json.dumps(data), content_type="application/json", **headers)
    elif method == "POST":
        response = client.post(url, {"purpose": "回访"}, content_type="application/json", **headers)
    else:
        response = client.get(url, **headers)
    check_outcome(response, expected, principal=principal, world=world, is_api=True)
    if operation in REVEAL_ROUTES:
        viewed = AuditLog.objects.filter(action="demands.mobile_viewed").count() - views_before
        assert viewed == (1 if expected == "200" else 0), f"{viewed} mobile_viewed rows"
    else:
        assert_no_pii(response_bytes(response), f"{method} {url} as {principal} ({auth})")


@pytest.mark.parametrize("route", list(PAGE_TABLE))
def test_page(route: str, world: Any, demand: Demand) -> None:
    run_row(lambda principal: page_case(route, principal, world, demand))


@pytest.mark.parametrize("auth", ["session", "bearer"])
@pytest.mark.parametrize("operation", list(API_TABLE))
def test_api(
    operation: tuple[str, str], auth: str, world: Any, demand: Demand, api_token: Any
) -> None:
    run_row(lambda principal: api_case(operation, principal, auth, world, demand, api_token))


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
    from django.test import Client

    client = Client()
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
