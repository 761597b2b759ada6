"""Permission matrix of the mediation app (see core/tests/matrix.py): one row per page route
and API operation, every principal. The cases belong to union A; union staff and admins of A
and the province handle them; union B's staff get a 404; the others, who may not use
mediation, a 403 on lists and forms and a 404 on a case. A write is tried on a fresh case
(or demand) for each principal, so that each one's outcome is its own."""

from collections.abc import Callable
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
from liandong.demands.tests.factories import make_demand
from liandong.mediation import services
from liandong.mediation.models import Case
from liandong.mediation.tests.conftest import open_case

pytestmark = pytest.mark.usefixtures("no_pii_in_logs", "rules")

LIST = "login 403   200   200   200    403     403   403   200"
VIEW = "login 404   200   200   404    404     404   404   200"
MANAGE_POST = "login 404   302   302   404    404     404   404   302"

PAGE_TABLE: dict[str, tuple[str, str]] = {
    # route                                           method  anon worker admin staff staffB liaison ent judge prov
    "mediation/": ("GET", LIST),
    "mediation/new/": ("GET", LIST),
    "mediation/settings/": ("GET", "login 403   200   403   403    403     403   403   200"),
    "mediation/from-demand/<int:demand_id>/": (
        "POST",
        "login 403   302   302   404    403     403   403   302",
    ),
    "mediation/<int:pk>/": ("GET", VIEW),
    "mediation/<int:pk>/parties/": ("POST", MANAGE_POST),
    "mediation/<int:pk>/reveal/": ("POST", VIEW),
    "mediation/<int:pk>/mediators/": ("POST", MANAGE_POST),
    "mediation/<int:pk>/sessions/": ("POST", MANAGE_POST),
    "mediation/<int:pk>/agreement/": ("POST", MANAGE_POST),
    "mediation/<int:pk>/referral/": ("POST", MANAGE_POST),
    "mediation/<int:pk>/withdrawal/": ("POST", MANAGE_POST),
    "mediation/<int:pk>/extension/": ("POST", MANAGE_POST),
    "mediation/<int:pk>/document/": ("GET", VIEW),
}

PAGE_POST_TABLE: dict[str, str] = {
    # Staff of B may accept cases, but not for union A: the form says so (kept).
    "mediation/new/": "login 403   done  done  kept    403     403   403   done",
    "mediation/settings/": "login 403   done  403   403    403     403   403   done",
}

API_LIST = "401 403  200   200   200    403     403  403   200"
API_VIEW = "401 404  200   200   404    404     404  404   200"
P = "/api/v1/mediation"
API_TABLE: dict[tuple[str, str], str] = {
    # (method, OpenAPI path)                                anon worker admin staff staffB liaison ent judge prov
    ("GET", f"{P}/cases"): API_LIST,
    ("POST", f"{P}/cases"): "401 403  200   200   422    403     403  403   200",
    (
        "POST",
        f"{P}/cases/from-demand/{{demand_id}}",
    ): "401 403  200   200   404    403     403  403   200",
    ("GET", f"{P}/cases/{{case_id}}"): API_VIEW,
    ("POST", f"{P}/cases/{{case_id}}/parties/{{role}}"): API_VIEW,
    ("POST", f"{P}/cases/{{case_id}}/mediators"): API_VIEW,
    ("POST", f"{P}/cases/{{case_id}}/sessions"): API_VIEW,
    ("POST", f"{P}/cases/{{case_id}}/outcome"): API_VIEW,
    ("POST", f"{P}/cases/{{case_id}}/extension"): API_VIEW,
}


def _with_document(world: Any) -> Case:
    case = open_case(world)
    services.session_record(
        actor=None, case=case, held_on=timezone.localdate(), place="调解室", attendees="双方"
    )
    pdf = SimpleUploadedFile("协议书.pdf", b"%PDF-1.4 matrix", content_type="application/pdf")
    return services.case_agree(
        actor=None,
        case=case,
        terms="补发",
        amount=None,
        signed_on=timezone.localdate(),
        document=pdf,
    )


def page_request(route: str, world: Any) -> tuple[str, dict[str, Any]]:
    """The URL (of a fresh case or demand) and the data a POST sends."""
    if route == "mediation/from-demand/<int:demand_id>/":
        return f"/mediation/from-demand/{make_demand().pk}/", {}
    if "<int:pk>" not in route:
        return "/" + route, {}
    case = _with_document(world) if route.endswith("document/") else open_case(world)
    if route.endswith("agreement/"):
        services.session_record(
            actor=None, case=case, held_on=timezone.localdate(), place="调解室", attendees="双方"
        )
    today = timezone.localdate().isoformat()
    data = {
        "mediation/<int:pk>/parties/": {
            "role": "respondent",
            "respondent-kind": "enterprise",
            "respondent-name": "甲快递城关网点",
        },
        "mediation/<int:pk>/reveal/": {"role": "applicant", "reveal_applicant-purpose": "联系"},
        "mediation/<int:pk>/mediators/": {"mediators": [str(world.users["admin_a"].pk)]},
        "mediation/<int:pk>/sessions/": {
            "held_on": today,
            "place": "调解室",
            "attendees": "双方当事人",
        },
        "mediation/<int:pk>/agreement/": {"terms": "补发工资", "amount": "100", "signed_on": today},
        "mediation/<int:pk>/referral/": {"reason": "拒绝调解"},
        "mediation/<int:pk>/withdrawal/": {"reason": "已自行和解"},
        "mediation/<int:pk>/extension/": {"days": "5", "reason": "双方同意"},
    }.get(route, {})
    return "/" + route.replace("<int:pk>", str(case.pk)), data


@over_pages(PAGE_TABLE)
def test_page(route: str, world: Any) -> None:
    def send(case: Any) -> Any:
        url, data = page_request(route, world)
        return case.send(url, data)

    checks: dict[str, Any] = {}
    if route.endswith("reveal/"):
        checks = {
            "may_show_pii": lambda expected: expected == "200",
            "audited": "mediation.pii_viewed",
        }
    run_page_row(PAGE_TABLE, route, world, send, **checks)


def page_post(route: str, world: Any) -> dict[str, Any]:
    if route == "mediation/new/":
        return {
            "url": "/mediation/new/",
            "values": {
                "case_type": "wages",
                "summary": "拖欠工资",
                "applicant_name": "王甲",
                "respondent_name": "甲快递城关网点",
            },
        }
    return {"url": "/mediation/settings/", "values": {"case_type": "injury", "working_days": "20"}}


@pytest.mark.parametrize("route", list(PAGE_POST_TABLE))
def test_page_post(route: str, world: Any) -> None:
    row = page_post(route, world)
    run_page_post_row(PAGE_POST_TABLE, route, world, row.pop("url"), **row)


def api_request(operation: tuple[str, str], world: Any) -> tuple[str, dict[str, Any] | None]:
    method, path = operation
    if "{demand_id}" in path:
        return path.replace("{demand_id}", str(make_demand().pk)), None
    case = open_case(world)
    if path.endswith("/outcome"):
        services.session_record(
            actor=None, case=case, held_on=timezone.localdate(), place="调解室", attendees="双方"
        )
    url = path.replace("{case_id}", str(case.pk)).replace("{role}", "respondent")
    today = timezone.localdate().isoformat()
    bodies: dict[str, dict[str, Any]] = {
        f"{P}/cases": {
            "union_id": world.union_a.pk,
            "case_type": "wages",
            "summary": "拖欠工资",
            "applicant": {"name": "王甲", "mobile": "13919310002"},
            "respondent": {"kind": "enterprise", "name": "甲快递城关网点"},
        },
        f"{P}/cases/{{case_id}}/parties/{{role}}": {"kind": "enterprise", "name": "甲快递"},
        f"{P}/cases/{{case_id}}/mediators": {"mediator_ids": [world.users["admin_a"].pk]},
        f"{P}/cases/{{case_id}}/sessions": {
            "held_on": today,
            "place": "调解室",
            "attendees": "双方",
        },
        f"{P}/cases/{{case_id}}/outcome": {
            "outcome": "agreement",
            "terms": "补发工资",
            "amount": "100.00",
            "signed_on": today,
        },
        f"{P}/cases/{{case_id}}/extension": {"days": 5, "reason": "双方同意"},
    }
    return url, (bodies.get(path) if method == "POST" else None)


@over_operations(API_TABLE)
def test_api(
    operation: tuple[str, str], auth: str, world: Any, api_token: Callable[..., dict[str, str]]
) -> None:
    def send(case: Any) -> Any:
        url, body = api_request(operation, world)
        return case.send(url, body)

    run_api_row(API_TABLE, operation, auth, world, api_token, send)


# The party of a case as the API takes it: full numbers in, masked ones out (PartyOut).
UNMASKED_SCHEMAS = {"MediationPartyIn"}
