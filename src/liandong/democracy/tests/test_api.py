"""The API: the proposal flow, errors as JSON naming the field, figures, the public notice."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from liandong.core.tests.client import BrowserClient
from liandong.democracy.models import AgendaItem, Nomination, Objection, Proposal
from liandong.democracy.services import (
    agenda_add,
    congress_open,
)
from liandong.democracy.tests.factories import congress_setup, next_week, nomination_on_notice

pytestmark = pytest.mark.django_db
P = "/api/v1/democracy"
PUBLIC = "/api/v1/public/democracy"


def post(client: Client, url: str, body: dict, headers: dict) -> tuple[int, dict]:
    response = client.post(url, body, content_type="application/json", **headers)
    return response.status_code, response.json()


def test_the_proposal_flow_over_the_api(world, api_token) -> None:
    setup = congress_setup(world, delegates=4)
    client = BrowserClient()
    proposer = api_token(world.users["worker_a"])
    status, body = post(
        client,
        f"{P}/proposals",
        {
            "congress": setup.congress.pk,
            "title": "增设驿站",
            "reasons": "高温",
            "measures": "设驿站",
            "category": "welfare",
        },
        proposer,
    )
    assert status == 200
    pid = body["id"]
    assert (body["number"], body["status"], body["proposer_name"]) == (1, "cosigning", "王甲")
    status, body = post(client, f"{P}/proposals/{pid}/cosign", {}, proposer)
    assert status == 422
    assert body["detail"][0]["loc"] == ["body", "proposal"]
    assert body["detail"][0]["msg"] == "不能附议自己的提案"
    manager = api_token(setup.manager)
    status, body = post(
        client,
        f"{P}/proposals/{pid}/decision",
        {"decision": "accept", "department": "行政部", "deadline": str(next_week())},
        manager,
    )
    assert status == 422
    assert "不足 2 人" in body["detail"][0]["msg"]
    for user in setup.users[1:3]:
        assert post(client, f"{P}/proposals/{pid}/cosign", {}, api_token(user))[0] == 200
    status, body = post(client, f"{P}/proposals/{pid}/decision", {"decision": "reject"}, manager)
    assert (status, body["detail"][0]["loc"]) == (422, ["body", "reason"])
    status, body = post(
        client,
        f"{P}/proposals/{pid}/decision",
        {"decision": "accept", "department": "行政部", "deadline": str(next_week())},
        manager,
    )
    assert (status, body["status"], body["department"]) == (200, "accepted", "行政部")
    assert post(client, f"{P}/proposals/{pid}/answer", {"answer": "已建成。"}, manager)[0] == 200
    status, body = post(client, f"{P}/proposals/{pid}/rating", {"rating": "excellent"}, proposer)
    assert status == 422
    status, body = post(client, f"{P}/proposals/{pid}/rating", {"rating": "satisfied"}, proposer)
    assert (status, body["status"], body["rating"]) == (200, "closed", "satisfied")
    detail = client.get(f"{P}/proposals/{pid}", **proposer).json()
    assert detail["reasons"] == "高温"
    listed = client.get(f"{P}/proposals?status=closed", **manager).json()
    assert [p["id"] for p in listed["items"]] == [pid]
    figures = client.get(f"{P}/figures?organization={world.enterprise_a.pk}", **manager).json()
    assert (
        figures["proposals_collected"],
        figures["proposals_closed"],
        figures["satisfaction_rate"],
    ) == (1, 1, 100.0)
    assert figures["url"].startswith("/democracy/figures/")


def test_proposal_list_pages_with_a_cursor(world, api_token) -> None:
    setup = congress_setup(world, delegates=2)
    for i in range(5):
        Proposal.objects.create(
            congress=setup.congress,
            enterprise=world.enterprise_a,
            proposer=setup.delegates[0],
            number=i + 1,
            title=f"提案{i}",
            reasons="r",
            measures="m",
            category="other",
        )
    headers = api_token(world.users["staff_a"])
    first = BrowserClient().get(f"{P}/proposals?limit=3", **headers).json()
    second = (
        BrowserClient()
        .get(f"{P}/proposals?limit=3&cursor={first['next_cursor']}", **headers)
        .json()
    )
    assert len(first["items"]) == 3
    assert len(second["items"]) == 2
    assert second["next_cursor"] is None
    assert (
        BrowserClient()
        .get(f"{P}/proposals?organization={world.enterprise_b.pk}", **headers)
        .status_code
        == 404
    )


def test_vote_over_the_api_refuses_without_quorum(world, api_token) -> None:
    setup = congress_setup(world, delegates=6)
    item = agenda_add(actor=setup.manager, congress=setup.congress, title="议程")
    congress_open(actor=setup.manager, congress=setup.congress)
    headers = api_token(setup.manager)
    status, body = post(
        BrowserClient(),
        f"{P}/agenda-items/{item.pk}/vote",
        {"present": 3, "votes_for": 3, "votes_against": 0, "abstentions": 0},
        headers,
    )
    assert status == 422
    assert body["detail"][0]["loc"] == ["body", "present"]
    assert AgendaItem.objects.get().result == "pending"
    status, body = post(
        BrowserClient(),
        f"{P}/agenda-items/{item.pk}/vote",
        {"present": 6, "votes_for": 4, "votes_against": 2, "abstentions": 0},
        headers,
    )
    assert (status, body["result"], body["delegates_total"]) == (200, "passed", 6)


def test_public_notice_and_objection_without_login(world) -> None:
    nomination = nomination_on_notice(world)
    client = BrowserClient()
    notices = client.get(f"{PUBLIC}/notices").json()
    assert notices[0]["name_masked"] == "王*"
    assert "王甲" not in str(notices)
    status, body = post(
        client, f"{PUBLIC}/notices/{nomination.pk}/objections", {"body": "太短"}, {}
    )
    assert (status, body["detail"][0]["loc"]) == (422, ["body", "body"])
    status, body = post(
        client,
        f"{PUBLIC}/notices/{nomination.pk}/objections",
        {"body": "该同志的获奖情况与事实不符，请核实。", "contact": "13800138000"},
        {},
    )
    assert (status, body["contact_masked"]) == (200, "138****8000")
    assert Objection.objects.count() == 1
    for _ in range(6):
        status, body = post(
            client,
            f"{PUBLIC}/notices/{nomination.pk}/objections",
            {"body": "重复提交的异议内容足够长了吗？"},
            {},
        )
    # Over the limit: 429 with Retry-After (the hour's count ends within the hour), as every
    # rate limit of the public API answers (issue 13: it was a 422).
    assert status == 429
    assert "过于频繁" in body["detail"]
    assert Objection.objects.count() == 5
    refused = client.post(
        f"{PUBLIC}/notices/{nomination.pk}/objections",
        {"body": "重复提交的异议内容足够长了吗？"},
        content_type="application/json",
    )
    assert refused.status_code == 429
    assert 3500 <= int(refused["Retry-After"]) <= 3600
    assert Objection.objects.count() == 5
    Nomination.objects.filter(pk=nomination.pk).update(
        notice_ends_on=timezone.localdate() - timedelta(days=1), status=Nomination.Status.CONFIRMED
    )
    assert client.get(f"{PUBLIC}/notices").json() == []
    assert (
        post(client, f"{PUBLIC}/notices/{nomination.pk}/objections", {"body": "x" * 20}, {})[0]
        == 404
    )


def test_bad_input_is_a_422_never_a_500(world, api_token) -> None:
    setup = congress_setup(world, delegates=2)
    headers = api_token(world.users["worker_a"])
    for body in [
        {
            "congress": setup.congress.pk,
            "title": "t\x00",
            "reasons": "r",
            "measures": "m",
            "category": "x",
        },
        {"congress": 2**70, "title": "t", "reasons": "r", "measures": "m", "category": "welfare"},
        {
            "congress": setup.congress.pk,
            "title": "t" * 121,
            "reasons": "r",
            "measures": "m",
            "category": "welfare",
        },
    ]:
        response = BrowserClient().post(
            f"{P}/proposals", body, content_type="application/json", **headers
        )
        assert response.status_code == 422, response.content
    assert Proposal.objects.count() == 0


def test_proposal_list_query_count_does_not_grow_with_rows(world) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    setup = congress_setup(world, delegates=2)
    client = BrowserClient()
    client.force_login(world.users["staff_a"])
    client.get(f"{P}/proposals")  # the session's first request also writes the session
    counts = []
    for rows in [1, 20]:
        Proposal.objects.filter(congress=setup.congress).delete()
        Proposal.objects.bulk_create(
            [
                Proposal(
                    congress=setup.congress,
                    enterprise=world.enterprise_a,
                    proposer=setup.delegates[0],
                    number=i + 1,
                    title=f"提案{i}",
                    reasons="r",
                    measures="m",
                    category="other",
                )
                for i in range(rows)
            ]
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{P}/proposals")
        assert len(response.json()["items"]) == rows
        counts.append(len(queries))
    assert counts[0] == counts[1]
