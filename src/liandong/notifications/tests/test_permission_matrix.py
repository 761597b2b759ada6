"""Permission matrix of the notifications app: every account has its own inbox and choices and
reaches no one else's message (404, as for one that does not exist); only union admins see and
resend the failed deliveries of their subtree. The message belongs to union A's staff; the
failed delivery was sent for union A."""

from collections.abc import Callable
from typing import Any

import pytest

from liandong.core.tests.matrix import (
    over_operations,
    over_pages,
    run_api_row,
    run_page_post_row,
    run_page_row,
)
from liandong.notifications import services
from liandong.notifications.models import Delivery, Message, WebhookEndpoint

pytestmark = pytest.mark.usefixtures("no_pii_in_logs")

EVERYONE = "login 200   200   200   200    200     200   200   200"
EVERYONE_POST = "login done  done  done  done   done    done  done  done"
OWNER_ONLY = "login 404   404   done  404    404     404   404   404"
ADMINS_GET = "login 403   200   403   403    403     403   403   200"
ADMINS_POST = "login 403   done  403   403    403     403   403   done"
# a union admin manages its own organization's robots; the province's admin: not union A's
OWN_ADMIN_POST = "login 403   done  403   403    403     403   403   404"

PAGE_TABLE: dict[str, tuple[str, str]] = {
    # route                                    method  anon worker admin staff staffB liaison ent judge prov
    "notifications/": ("GET", EVERYONE),
    "notifications/<int:pk>/": ("GET", OWNER_ONLY),
    "notifications/<int:pk>/read/": ("POST", OWNER_ONLY),
    "notifications/read-all/": ("POST", EVERYONE_POST),
    "notifications/preferences/": ("GET", EVERYONE),
    "notifications/deliveries/": ("GET", ADMINS_GET),
    "notifications/deliveries/<int:pk>/retry/": ("POST", ADMINS_POST),
    "notifications/webhooks/": ("GET", ADMINS_GET),
    "notifications/webhooks/<int:pk>/disable/": ("POST", OWN_ADMIN_POST),
    "notifications/webhooks/<int:pk>/enable/": ("POST", OWN_ADMIN_POST),
}
PAGE_POST_TABLE: dict[str, str] = {
    # the POST of a page whose GET row is in PAGE_TABLE  anon worker admin staff staffB liaison ent judge prov
    "notifications/preferences/": EVERYONE_POST,
    # each admin adds a robot to its own organization
    "notifications/webhooks/": ADMINS_POST,
}
PAGE_POST_VALUES: dict[str, dict[str, str]] = {
    "notifications/webhooks/": {
        "name": "联络员工作群",
        "url": "https://robot.example.invalid/send",
    },
}
A = "/api/v1/notifications"
API_TABLE: dict[tuple[str, str], str] = {
    # (method, OpenAPI path)                      anon worker admin staff staffB liaison ent judge prov
    ("GET", f"{A}/"): "401 200  200   200   200    200     200  200   200",
    ("POST", f"{A}/{{message_id}}/read"): "401 404  404   200   404    404     404  404   404",
    ("POST", f"{A}/read-all"): "401 200  200   200   200    200     200  200   200",
    # the SMS gateway's delivery reports: only with the configured token (none here), for anyone
    ("POST", "/api/v1/public/sms-reports/{token}"): "404 404 404 404 404 404 404 404 404",
}
PUBLIC_OPERATIONS = {"public_sms_reports"}


@pytest.fixture
def scene(world: Any) -> dict[str, Any]:
    services.notify(
        "notifications.test",
        [world.users["staff_a"]],
        context={"note": "矩阵"},
        event_key="matrix",
        link="/notifications/",
    )
    delivery = Delivery.objects.create(
        event_key="matrix",
        kind="notifications.test",
        channel="email",
        recipient_key=f"user:{world.users['staff_a'].pk}",
        recipient=world.users["staff_a"],
        organization=world.union_a,
        subject="矩阵",
        body="矩阵",
        status="failed",
        attempts=6,
        last_error="SMTP 拒收",
        next_attempt_at="2026-01-01T00:00:00Z",
    )
    endpoint = WebhookEndpoint.objects.create(
        organization=world.union_a,
        name="甲工会工作群",
        url="https://robot.example.invalid/a",
    )
    return {
        "message": Message.objects.get(event_key="matrix"),
        "delivery": delivery,
        "endpoint": endpoint,
    }


def url_of(route: str, scene: dict[str, Any]) -> str:
    if "webhooks/" in route:
        pk = scene["endpoint"].pk
    else:
        pk = scene["delivery"].pk if "deliveries/" in route else scene["message"].pk
    return "/" + route.replace("<int:pk>", str(pk))


@over_pages(PAGE_TABLE)
def test_page(route: str, world: Any, scene: dict[str, Any]) -> None:
    url = url_of(route, scene)
    run_page_row(PAGE_TABLE, route, world, lambda case: case.send(url))


@pytest.mark.parametrize("route", list(PAGE_POST_TABLE))
def test_page_post(route: str, world: Any, scene: dict[str, Any]) -> None:
    run_page_post_row(
        PAGE_POST_TABLE, route, world, "/" + route, values=PAGE_POST_VALUES.get(route)
    )


@over_operations(API_TABLE)
def test_api(
    operation: tuple[str, str],
    auth: str,
    world: Any,
    scene: dict[str, Any],
    api_token: Callable[..., dict[str, str]],
) -> None:
    url = operation[1].replace("{message_id}", str(scene["message"].pk)).replace("{token}", "x")
    run_api_row(API_TABLE, operation, auth, world, api_token, lambda case: case.send(url))
