"""Permission matrix of the outreach app: one row per page route and API operation, each run
for every principal (see core/tests/matrix.py). The records lie in union A's subtree: the key
enterprise A (led by staff A) with a visit that found a problem, an agreement of union A, and
a held meeting of union A's mechanism for action items."""

from collections.abc import Callable
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from liandong.core.tests.matrix import (
    over_operations,
    over_pages,
    run_api_row,
    run_page_post_row,
    run_page_row,
)
from liandong.organizations.tests.factories import EnterpriseFactory
from liandong.outreach.tests.conftest import PDF, problem_visit

pytestmark = pytest.mark.usefixtures("no_pii_in_logs")

# The contact's mobile a visit's problem is passed on with (to the demands module, which seals it).
UNMASKED_SCHEMAS = {"ToDemandIn"}

LIST_GET = "login 403   200   200   200    403     403   403   200"
VIEW_GET = "login 404   200   200   404    404     404   404   200"
# A POST sent empty: its form comes back with the reasons (200) for those who may send it.
VIEW_POST = "login 404   200   200   404    404     404   404   200"

PAGE_TABLE: dict[str, tuple[str, str]] = {
    # route                                    method  anon  worker admin staff staffB liaison ent judge prov
    "outreach/": ("GET", LIST_GET),
    "outreach/new/": ("GET", LIST_GET),
    "outreach/<int:pk>/": ("GET", VIEW_GET),
    "outreach/<int:pk>/visits/new/": ("GET", VIEW_GET),
    "outreach/visits/": ("GET", LIST_GET),
    "outreach/visits/<int:pk>/": ("GET", VIEW_GET),
    "outreach/visits/<int:pk>/demand/": ("POST", VIEW_POST),
    "outreach/visits/<int:pk>/action-item/": ("POST", VIEW_POST),
    "outreach/visits/<int:pk>/close/": ("POST", VIEW_POST),
    "outreach/agreements/": ("GET", LIST_GET),
    "outreach/agreements/new/": ("GET", LIST_GET),
    "outreach/agreements/<int:pk>/": ("GET", VIEW_GET),
    "outreach/agreements/<int:pk>/edit/": ("GET", VIEW_GET),
    "outreach/agreements/<int:pk>/document/": ("GET", VIEW_GET),
}

DONE = "login 404   done  done  404    404     404   404   done"
PAGE_POST_TABLE: dict[str, str] = {
    # the POST of a page whose GET row is in PAGE_TABLE  anon worker admin staff staffB liaison ent judge prov
    # Staff of B may keep key enterprises, but not union A's: the form says so (kept).
    "outreach/new/": "login 403   done  done  kept    403     403   403   done",
    "outreach/<int:pk>/": DONE,
    "outreach/<int:pk>/visits/new/": DONE,
    "outreach/agreements/new/": "login 403   done  done  kept    403     403   403   done",
    "outreach/agreements/<int:pk>/": DONE,
    "outreach/agreements/<int:pk>/edit/": DONE,
}

API_LIST = "401 403  200   200   200    403     403  403   200"
API_VIEW = "401 404  200   200   404    404     404  404   200"
P = "/api/v1/outreach"
API_TABLE: dict[tuple[str, str], str] = {
    # (method, OpenAPI path)                               anon worker admin staff staffB liaison ent judge prov
    ("GET", f"{P}/coverage"): API_LIST,
    ("GET", f"{P}/key-enterprises"): API_LIST,
    # Staff of B may add key enterprises, but not to union A (422 names union_id).
    ("POST", f"{P}/key-enterprises"): "401 403  200   200   422    403     403  403   200",
    ("GET", f"{P}/key-enterprises/{{key_id}}"): API_VIEW,
    ("POST", f"{P}/key-enterprises/{{key_id}}/visits"): API_VIEW,
    ("GET", f"{P}/visits/{{visit_id}}"): API_VIEW,
    ("POST", f"{P}/visits/{{visit_id}}/demand"): API_VIEW,
    ("POST", f"{P}/visits/{{visit_id}}/action-item"): API_VIEW,
    ("GET", f"{P}/agreements"): API_LIST,
    ("POST", f"{P}/agreements"): "401 403  200   200   422    403     403  403   200",
    ("GET", f"{P}/agreements/{{agreement_id}}"): API_VIEW,
    ("PATCH", f"{P}/agreements/{{agreement_id}}"): API_VIEW,
    ("POST", f"{P}/agreements/{{agreement_id}}/document"): API_VIEW,
    ("POST", f"{P}/agreements/{{agreement_id}}/follow-ups"): API_VIEW,
}

SERIAL = count(1)


def fill(route: str, ow: Any) -> str:
    values = {
        "outreach/<int:pk>/": ow.key.pk,
        "outreach/<int:pk>/visits/new/": ow.key.pk,
    }
    if route in values:
        pk = values[route]
    elif route.startswith("outreach/visits/"):
        pk = ow.visit.pk
    else:
        pk = ow.agreement.pk
    return "/" + route.replace("<int:pk>", str(pk))


@over_pages(PAGE_TABLE)
def test_page(route: str, world: Any, ow: Any) -> None:
    url = fill(route, ow)
    run_page_row(PAGE_TABLE, route, world, lambda case: case.send(url, {}))


def page_post(route: str, world: Any, ow: Any) -> dict[str, Any]:
    today = timezone.localdate()

    def fresh_enterprise(principal: str) -> dict[str, Any]:
        enterprise = EnterpriseFactory(
            name=f"矩阵企业{next(SERIAL)}", code=f"MX-{next(SERIAL)}", parent=world.union_a
        )
        return {"union": str(world.union_a.pk), "enterprise": str(enterprise.pk)}

    rows: dict[str, dict[str, Any]] = {
        "outreach/new/": {"url": "/outreach/new/", "values": fresh_enterprise},
        "outreach/<int:pk>/": {"url": fill(route, ow), "values": {"area": "新片区"}},
        "outreach/<int:pk>/visits/new/": {
            "url": fill(route, ow),
            "values": {
                "visited_on": today.isoformat(),
                "visitors": "矩阵走访人",
                "findings": "情况良好",
            },
        },
        "outreach/agreements/new/": {
            "url": "/outreach/agreements/new/",
            "values": {
                "owner": str(world.union_a.pk),
                "title": "矩阵协议",
                "kind": "cooperation",
                "signed_on": (today - timedelta(days=3)).isoformat(),
                "parties": [str(world.union_a.pk), str(world.authority.pk)],
            },
        },
        "outreach/agreements/<int:pk>/": {
            "url": fill(route, ow),
            "values": {
                "resolution": "矩阵跟进事项",
                "meeting": str(ow.held.pk),
                "lead_body": str(world.authority.pk),
                "deadline": (today + timedelta(days=30)).isoformat(),
            },
        },
        "outreach/agreements/<int:pk>/edit/": {
            "url": fill(route, ow),
            "values": {"title": "矩阵协议（修订）"},
        },
    }
    return rows[route]


@pytest.mark.parametrize("route", list(PAGE_POST_TABLE))
def test_page_post(route: str, world: Any, ow: Any) -> None:
    row = page_post(route, world, ow)
    run_page_post_row(PAGE_POST_TABLE, route, world, row.pop("url"), **row)


def api_request(case: Any, operation: tuple[str, str], world: Any, ow: Any) -> Any:
    method, path = operation
    today = timezone.localdate()
    visit = ow.visit
    if path.endswith(("/demand", "/action-item")):
        visit = problem_visit(world, ow.key)  # each principal's own: once per visit
    url = (
        path.replace("{key_id}", str(ow.key.pk))
        .replace("{visit_id}", str(visit.pk))
        .replace("{agreement_id}", str(ow.agreement.pk))
    )
    bodies: dict[str, Any] = {
        f"{P}/key-enterprises": lambda: {
            "union_id": world.union_a.pk,
            "enterprise_id": EnterpriseFactory(
                name=f"接口企业{next(SERIAL)}", code=f"AX-{next(SERIAL)}", parent=world.union_a
            ).pk,
        },
        f"{P}/key-enterprises/{{key_id}}/visits": lambda: {
            "visited_on": today.isoformat(),
            "visitors": "接口走访人",
            "findings": "情况良好",
        },
        f"{P}/visits/{{visit_id}}/demand": lambda: {
            "category": "wages",
            "industry": "其他",
            "mobile": "13800001111",
            "consent": True,
        },
        f"{P}/visits/{{visit_id}}/action-item": lambda: {
            "meeting_id": ow.held.pk,
            "lead_body_id": world.authority.pk,
            "deadline": (today + timedelta(days=30)).isoformat(),
        },
        f"{P}/agreements": lambda: {
            "owner_id": world.union_a.pk,
            "title": "接口协议",
            "kind": "framework",
            "signed_on": (today - timedelta(days=3)).isoformat(),
            "party_ids": [world.union_a.pk],
            "external_parties": [{"name": "老挝万象市工会联合会", "country": "老挝"}],
        },
        f"{P}/agreements/{{agreement_id}}": lambda: {
            "party_ids": [world.union_a.pk, world.authority.pk],
            "terms": "接口修订条款",
        },
        f"{P}/agreements/{{agreement_id}}/follow-ups": lambda: {
            "resolution": "接口跟进事项",
            "meeting_id": ow.held.pk,
            "lead_body_id": world.authority.pk,
            "deadline": (today + timedelta(days=30)).isoformat(),
        },
    }
    if path.endswith("/document"):  # a multipart upload, as a client sends a file
        upload = SimpleUploadedFile("接口协议.pdf", PDF, "application/pdf")
        return case.client.post(url, {"file": upload}, **case.headers)
    return case.send(url, bodies[path]() if method in {"POST", "PATCH"} else None)


@over_operations(API_TABLE)
def test_api(
    operation: tuple[str, str],
    auth: str,
    world: Any,
    ow: Any,
    api_token: Callable[..., dict[str, str]],
) -> None:
    run_api_row(
        API_TABLE,
        operation,
        auth,
        world,
        api_token,
        lambda case: api_request(case, operation, world, ow),
    )


def test_another_unions_records_are_404_like_missing_ones(world: Any, ow: Any) -> None:
    from liandong.core.tests.client import BrowserClient

    client = BrowserClient()
    client.force_login(world.users["staff_b"])
    for url in [
        f"/outreach/{ow.key.pk}/",
        f"/outreach/visits/{ow.visit.pk}/",
        f"/outreach/agreements/{ow.agreement.pk}/",
        f"/outreach/agreements/{ow.agreement.pk}/document/",
    ]:
        assert client.get(url).status_code == 404, url
    assert ow.agreement.title not in client.get("/outreach/agreements/").content.decode()
    assert world.enterprise_a.name not in client.get("/outreach/").content.decode()
