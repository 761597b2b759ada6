"""Permission matrix of the democracy app: one row per page route and API operation of this app
(the completeness test in core/tests/test_permission_matrix.py collects these tables), run for
every principal, by session and by bearer token. All records asked for lie in union A's subtree
(enterprise A's congress, worker A as its delegate). Then the cross-tenant cases."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from liandong.core.tests.client import BrowserClient
from liandong.core.tests.matrix import (
    PRINCIPALS,
    outcomes,
    over_operations,
    over_pages,
    run_api_row,
    run_page_post_row,
    run_page_row,
)
from liandong.demands.models import DemandThrottle
from liandong.democracy.models import (
    AgendaItem,
    Case,
    Disclosure,
    Negotiation,
    Nomination,
    Proposal,
)
from liandong.democracy.services import (
    agenda_add,
    case_create,
    congress_open,
    disclosure_publish,
    negotiation_create,
    nomination_create,
    nomination_review,
    proposal_answer,
    proposal_decide,
)
from liandong.democracy.tests.factories import (
    CongressSetup,
    congress_setup,
    next_week,
    submitted_proposal,
)

PAGE_TABLE: dict[str, tuple[str, str]] = {
    # route (Django pattern)                          method  anon  worker admin staff staffB liaison ent  judge prov
    "democracy/": ("GET", "login 200   200   200   200    403     200   403   200"),
    "democracy/congresses/<int:pk>/": (
        "GET",
        "login 200   200   200   404    403     200   403   200",
    ),
    "democracy/congresses/<int:pk>/proposals/new/": (
        "GET",
        "login 200   403   403   404    403     403   403   403",
    ),
    "democracy/proposals/": ("GET", "login 200   200   200   200    403     200   403   200"),
    "democracy/proposals/<int:pk>/": (
        "GET",
        "login 200   200   200   404    403     200   403   200",
    ),
    "democracy/library/": ("GET", "login 403   200   200   200    403     200   403   200"),
    "democracy/library/attachments/<int:pk>/": (
        "GET",
        "login 403   200   200   404    403     200   403   200",
    ),
    "democracy/disclosures/": ("GET", "login 200   200   200   200    403     200   403   200"),
    "democracy/disclosures/<int:pk>/": (
        "GET",
        "login 200   200   200   404    403     200   403   200",
    ),
    "democracy/negotiations/": ("GET", "login 403   200   200   200    403     200   403   200"),
    "democracy/negotiations/<int:pk>/": (
        "GET",
        "login 403   200   200   404    403     200   403   200",
    ),
    "democracy/nominations/": ("GET", "login 200   200   200   200    403     200   403   200"),
    "democracy/nominations/<int:pk>/": (
        "GET",
        "login 200   200   200   404    403     200   403   200",
    ),
    "democracy/notices/": ("GET", "200   200   200   200   200    200     200   200   200"),
    "democracy/notices/<int:pk>/": (
        "GET",
        "200   200   200   200   200    200     200   200   200",
    ),
    "democracy/figures/": ("GET", "login 403   200   200   200    403     200   403   200"),
}
PAGE_POST_TABLE: dict[str, str] = {
    # the POST of a page whose GET row is in PAGE_TABLE      anon  worker admin staff staffB liaison ent  judge prov
    # A worker's start page has no congress form: the POST shows it again and writes nothing.
    "democracy/": "login kept  done  done  kept   403     done  403   done",
    "democracy/congresses/<int:pk>/": "login 403   done  done  404    403     done  403   done",
    "democracy/congresses/<int:pk>/proposals/new/": (
        "login done  403   403   404    403     403   403   403"
    ),
    # The proposer (worker A) may not decide on their own proposal: the page says so.
    "democracy/proposals/<int:pk>/": "login kept  done  done  404    403     done  403   done",
    "democracy/library/": "login 403   done  done  kept   403     403   403   done",
    "democracy/disclosures/": "login 403   done  done  kept   403     done  403   done",
    "democracy/negotiations/": "login 403   done  done  kept   403     done  403   done",
    "democracy/negotiations/<int:pk>/": "login 403   done  done  404    403     done  403   done",
    "democracy/nominations/": "login 403   done  done  kept   403     done  403   done",
    # The province union reviewed last, so only it confirms; union A is told so.
    "democracy/nominations/<int:pk>/": "login 403   kept  kept  404    403     403   403   done",
    "democracy/notices/<int:pk>/": "done  done  done  done  done   done    done  done  done",
}
P = "/api/v1/democracy"
PUBLIC = "/api/v1/public/democracy"
API_TABLE: dict[tuple[str, str], str] = {
    # (method, OpenAPI path)                               anon worker admin staff staffB liaison ent judge prov
    ("GET", f"{P}/congresses"): "401 200  200   200   200    403     200  403   200",
    ("GET", f"{P}/proposals"): "401 200  200   200   200    403     200  403   200",
    ("POST", f"{P}/proposals"): "401 200  403   403   403    403     403  403   403",
    ("GET", f"{P}/proposals/{{proposal_id}}"): "401 200  200   200   404    403     200  403   200",
    (
        "POST",
        f"{P}/proposals/{{proposal_id}}/cosign",
    ): "401 200  403   403   404    403     403  403   403",
    (
        "POST",
        f"{P}/proposals/{{proposal_id}}/decision",
    ): "401 403  200   200   404    403     200  403   200",
    (
        "POST",
        f"{P}/proposals/{{proposal_id}}/answer",
    ): "401 403  200   200   404    403     200  403   200",
    (
        "POST",
        f"{P}/proposals/{{proposal_id}}/rating",
    ): "401 200  403   403   404    403     403  403   403",
    (
        "POST",
        f"{P}/agenda-items/{{item_id}}/vote",
    ): "401 403  200   200   404    403     200  403   200",
    ("GET", f"{P}/disclosures"): "401 200  200   200   200    403     200  403   200",
    (
        "POST",
        f"{P}/disclosures/{{disclosure_id}}/read",
    ): "401 200  403   403   404    403     403  403   403",
    ("GET", f"{P}/negotiations"): "401 403  200   200   200    403     200  403   200",
    ("GET", f"{P}/figures"): "401 403  200   200   200    403     200  403   200",
    ("GET", f"{PUBLIC}/notices"): "200 200  200   200   200    200     200  200   200",
    (
        "POST",
        f"{PUBLIC}/notices/{{nomination_id}}/objections",
    ): "200 200  200   200   200    200     200  200   200",
}
PUBLIC_OPERATIONS = {"democracy_list_notices", "democracy_object_notice"}

pytestmark = pytest.mark.usefixtures("no_pii_in_logs")


@dataclass
class Objects:
    setup: CongressSetup
    proposal: Proposal
    disclosure: Disclosure
    negotiation: Negotiation
    case: Case
    nomination: Nomination


@pytest.fixture
def objects(world: Any) -> Objects:
    setup = congress_setup(world, delegates=4)
    congress_open(actor=setup.manager, congress=setup.congress)
    proposal = submitted_proposal(setup, cosigners=2)
    today = timezone.localdate()
    disclosure = disclosure_publish(
        actor=setup.manager,
        enterprise=world.enterprise_a,
        category="wages",
        title="工资调整方案",
        body="一线职工月工资平均增加 300 元。",
        publish_on=today,
    )
    negotiation = negotiation_create(
        actor=setup.manager,
        organization=world.enterprise_a,
        title="工资集体协商",
        union_side="甲快递公司工会",
        employer_side="甲快递公司",
        topics="最低工资",
        started_on=today,
    )
    case = case_create(
        actor=world.users["admin_a"],
        organization=world.union_a,
        title="快递网点职代会案例",
        summary="网点联合召开职代会。",
        tags="职代会、快递",
        files=[SimpleUploadedFile("案例.txt", "案例附件".encode())],
    )
    nomination = nomination_create(
        actor=world.users["enterprise_a"],
        worker=world.worker_a,
        level="province",
        year=today.year,
        deeds="连续三年零投诉。",
    )
    nomination_review(actor=world.users["staff_a"], nomination=nomination, approved=True)
    nomination = nomination_review(
        actor=world.users["province_admin"], nomination=nomination, approved=True
    )
    return Objects(setup, proposal, disclosure, negotiation, case, nomination)


def page_url(route: str, o: Objects) -> str:
    ids = {
        "democracy/congresses/<int:pk>/": o.setup.congress.pk,
        "democracy/congresses/<int:pk>/proposals/new/": o.setup.congress.pk,
        "democracy/proposals/<int:pk>/": o.proposal.pk,
        "democracy/library/attachments/<int:pk>/": o.case.attachments.get().pk,
        "democracy/disclosures/<int:pk>/": o.disclosure.pk,
        "democracy/negotiations/<int:pk>/": o.negotiation.pk,
        "democracy/nominations/<int:pk>/": o.nomination.pk,
        "democracy/notices/<int:pk>/": o.nomination.pk,
    }
    return "/" + route.replace("<int:pk>", str(ids.get(route, "")))


def fresh(o: Objects, stage: str) -> Proposal:
    """A new proposal at ``stage`` for one principal's POST, so that each principal's outcome
    depends on who they are, not on what the one before did."""
    setup = o.setup
    if stage == "cosign":  # proposed by another delegate, so that worker A may co-sign
        from liandong.democracy.services import proposal_submit

        return proposal_submit(
            actor=setup.users[1],
            congress=setup.congress,
            title="食堂延时供餐",
            reasons="夜班",
            measures="延长至 21 点",
            category="welfare",
        )
    proposal = submitted_proposal(setup, cosigners=2)
    if stage in {"answer", "rating"}:
        proposal = proposal_decide(
            actor=setup.manager,
            proposal=proposal,
            decision="accept",
            department="行政部",
            deadline=next_week(),
        )
    if stage == "rating":
        proposal = proposal_answer(actor=setup.manager, proposal=proposal, answer="已办理。")
    return proposal


def api_request(
    operation: tuple[str, str], client: Client, headers: dict[str, str], o: Objects
) -> Any:
    method, path = operation
    DemandThrottle.objects.all().delete()  # the objection channel's per-address limit
    body: dict[str, Any] = {}
    url = path
    if "{proposal_id}" in path:
        stage = path.rsplit("/", 1)[-1]
        proposal = o.proposal if method == "GET" else fresh(o, stage)
        url = path.replace("{proposal_id}", str(proposal.pk))
        body = {
            "decision": {
                "decision": "accept",
                "department": "工会办公室",
                "deadline": str(next_week()),
            },
            "answer": {"answer": "已落实。"},
            "rating": {"rating": "satisfied"},
        }.get(stage, {})
    elif "{item_id}" in path:
        item = agenda_add(actor=o.setup.manager, congress=o.setup.congress, title="审议工资方案")
        url = path.replace("{item_id}", str(item.pk))
        body = {"present": 4, "votes_for": 3, "votes_against": 1, "abstentions": 0}
    elif "{disclosure_id}" in path:
        url = path.replace("{disclosure_id}", str(o.disclosure.pk))
    elif "{nomination_id}" in path:
        url = path.replace("{nomination_id}", str(o.nomination.pk))
        body = {"body": "该同志的获奖情况需要进一步核实，请工会调查。"}
    elif method == "POST":  # submit
        body = {
            "congress": o.setup.congress.pk,
            "title": "增设休息驿站",
            "reasons": "高温",
            "measures": "设驿站",
            "category": "welfare",
        }
    if method == "POST":
        return client.post(url, body, content_type="application/json", **headers)
    return client.get(url, **headers)


@over_pages(PAGE_TABLE)
def test_page(route: str, world: Any, objects: Objects) -> None:
    url = page_url(route, objects)
    run_page_row(PAGE_TABLE, route, world, lambda case: case.client.get(url))


def page_post(route: str, o: Objects, world: Any) -> dict[str, Any]:
    """What the POST row of ``route`` sends: one form of the page (the one its manager uses
    most), on a fresh record for each principal where the write moves it to another stage."""
    terms = iter(range(10, 100))
    years = iter(range(2000, 2100))

    def noticed(principal: str) -> str:
        """A nomination whose public notice has ended, waiting to be confirmed."""
        nomination = nomination_create(
            actor=world.users["enterprise_a"],
            worker=world.worker_a,
            level="province",
            year=next(years),
            deeds="连续三年零投诉。",
        )
        nomination_review(actor=world.users["staff_a"], nomination=nomination, approved=True)
        nomination_review(actor=world.users["province_admin"], nomination=nomination, approved=True)
        Nomination.objects.filter(pk=nomination.pk).update(
            notice_ends_on=timezone.localdate() - timedelta(days=1)
        )
        return f"/democracy/nominations/{nomination.pk}/"

    def one_address_each(principal: str) -> str:
        """Each principal objects as if from an address of their own (the test client's is
        always the same; the per-address limit has its own tests)."""
        DemandThrottle.objects.all().delete()
        return page_url("democracy/notices/<int:pk>/", o)

    rows: dict[str, dict[str, Any]] = {
        "democracy/": {
            "values": lambda principal: {
                "action": "congress",
                "enterprise": str(world.enterprise_a.pk),
                "term": str(next(terms)),
                "session": "1",
                "title": "职工代表大会",
            }
        },
        "democracy/congresses/<int:pk>/": {"values": {"action": "agenda", "title": "审议工资方案"}},
        "democracy/congresses/<int:pk>/proposals/new/": {
            "shown_to": "worker",
            "values": {
                "action": "submit",
                "title": "增设休息驿站",
                "reasons": "高温",
                "measures": "设驿站",
            },
        },
        "democracy/proposals/<int:pk>/": {
            "url": lambda principal: f"/democracy/proposals/{fresh(o, 'decision').pk}/",
            "values": {"action": "decide", "department": "工会办公室", "reason": "可行"},
            "ticked": lambda: {"decision": "accept", "deadline": str(next_week())},
        },
        "democracy/library/": {
            "values": {
                "action": "case",
                "organization": str(world.union_a.pk),
                "title": "网点职代会案例",
                "summary": "网点联合召开职代会。",
            }
        },
        "democracy/disclosures/": {
            "values": {
                "action": "publish",
                "enterprise": str(world.enterprise_a.pk),
                "title": "夏季高温补贴",
                "body": "七至九月每月 300 元。",
            }
        },
        "democracy/negotiations/": {
            "values": {
                "action": "create",
                "organization": str(world.enterprise_a.pk),
                "title": "工资集体协商",
                "union_side": "甲快递公司工会",
                "employer_side": "甲快递公司",
                "topics": "最低工资",
            }
        },
        "democracy/negotiations/<int:pk>/": {
            "values": {"action": "round", "held_on": str(timezone.localdate()), "summary": "首轮"}
        },
        "democracy/nominations/": {
            "values": lambda principal: {
                "action": "create",
                "worker": str(world.worker_a.pk),
                "year": str(next(years)),
                "deeds": "连续三年零投诉。",
            }
        },
        "democracy/nominations/<int:pk>/": {
            "url": noticed,
            "values": {"action": "confirm"},
        },
        "democracy/notices/<int:pk>/": {
            "url": one_address_each,
            "shown_to": "anonymous",
            "values": {"action": "objection", "body": "该同志的获奖情况需要进一步核实。"},
        },
    }
    return rows[route]


@pytest.mark.parametrize("route", list(PAGE_POST_TABLE))
def test_page_post(route: str, world: Any, objects: Objects) -> None:
    """The write a page's form sends, with its real fields and each principal's CSRF token;
    a refused one changes no row of the database."""
    row = page_post(route, objects, world)
    url = row.pop("url", page_url(route, objects))
    run_page_post_row(PAGE_POST_TABLE, route, world, url, **row)


@over_operations(API_TABLE)
def test_api(
    operation: tuple[str, str],
    auth: str,
    world: Any,
    objects: Objects,
    api_token: Callable[..., dict[str, str]],
) -> None:
    run_api_row(
        API_TABLE,
        operation,
        auth,
        world,
        api_token,
        lambda case: api_request(operation, case.client, case.headers, objects),
    )


def test_every_principal_is_in_every_row() -> None:
    for _, row in PAGE_TABLE.values():
        assert len(outcomes(row)) == len(PRINCIPALS)


# --- Cross-tenant: union B's staff ask for union A's records --------------------------------------


def test_other_union_gets_404_like_a_record_that_does_not_exist(
    world: Any, objects: Objects, api_token: Callable[..., dict[str, str]]
) -> None:
    page = BrowserClient()
    page.force_login(world.users["staff_b"])
    missing = 10_000_000
    for route in PAGE_TABLE:
        if "<int:pk>" not in route or route.startswith("democracy/notices/"):
            continue
        theirs = page_url(route, objects)
        nothing = "/" + route.replace("<int:pk>", str(missing))
        assert page.get(theirs).status_code == page.get(nothing).status_code == 404, route
    bearer = api_token(world.users["staff_b"])
    for path in [
        f"{P}/proposals/{objects.proposal.pk}",
        f"{P}/proposals/{objects.proposal.pk}/answer",
    ]:
        theirs = (
            BrowserClient().post(path, {"answer": "x"}, content_type="application/json", **bearer)
            if path.endswith("answer")
            else BrowserClient().get(path, **bearer)
        )
        nothing = BrowserClient().get(f"{P}/proposals/{missing}", **bearer)
        assert (theirs.status_code, theirs.content) == (nothing.status_code, nothing.content)
    objects.proposal.refresh_from_db()
    assert objects.proposal.status == Proposal.Status.COSIGNING
    # B's staff posting an action to A's congress changes nothing.
    before = AgendaItem.objects.count()
    assert (
        page.post(
            f"/democracy/congresses/{objects.setup.congress.pk}/",
            {"action": "agenda", "title": "乙方议程"},
        ).status_code
        == 404
    )
    assert AgendaItem.objects.count() == before


def test_lists_never_carry_the_other_unions_rows(
    world: Any, objects: Objects, api_token: Callable[..., dict[str, str]]
) -> None:
    b = congress_setup(
        world, delegates=2, enterprise=world.enterprise_b, manager=world.users["staff_b"]
    )
    submitted_proposal(b, title="乙方提案")
    disclosure_publish(
        actor=world.users["staff_b"],
        enterprise=world.enterprise_b,
        category="wages",
        title="乙方公开",
        body="乙",
        publish_on=timezone.localdate(),
    )
    bearer = api_token(world.users["admin_a"])
    items = BrowserClient().get(f"{P}/proposals?limit=100", **bearer).json()["items"]
    assert {i["enterprise_id"] for i in items} == {world.enterprise_a.pk}
    titles = {d["title"] for d in BrowserClient().get(f"{P}/disclosures", **bearer).json()}
    assert "乙方公开" not in titles
    assert "工资调整方案" in titles
    page = BrowserClient()
    page.force_login(world.users["admin_a"])
    for url in ["/democracy/", "/democracy/proposals/", "/democracy/disclosures/"]:
        body = page.get(url).content.decode()
        assert "乙方提案" not in body
        assert "乙方公开" not in body
        assert world.enterprise_b.name not in body
    worker = BrowserClient()
    worker.force_login(world.users["worker_a"])
    assert "乙方提案" not in worker.get("/democracy/proposals/").content.decode()
    assert "增设快递员休息驿站" in worker.get("/democracy/proposals/").content.decode()


def test_public_notice_masks_the_name(world: Any, objects: Objects) -> None:
    body = BrowserClient().get(f"/democracy/notices/{objects.nomination.pk}/").content.decode()
    assert "王*" in body
    assert "王甲" not in body
    listed = BrowserClient().get(f"{PUBLIC}/notices").json()
    assert [n["name_masked"] for n in listed] == ["王*"]
    Nomination.objects.filter(pk=objects.nomination.pk).update(
        notice_ends_on=timezone.localdate() - timedelta(1), status=Nomination.Status.CONFIRMED
    )
    assert BrowserClient().get(f"/democracy/notices/{objects.nomination.pk}/").status_code == 404
