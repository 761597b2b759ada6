"""The statements the demands hot paths send, exactly (docs/demands.md "What an intake costs"
states the intake's). A change to a count must be a decision: update the number and the list
of statements beside it."""

import json

import pytest

from liandong.demands.services import demand_submit
from liandong.demands.tests.factories import make_demand

pytestmark = pytest.mark.django_db


def _intake(**overrides):
    fields = {
        "channel": "api",
        "description": "网点两个月没结算派费，站长一直拖着不给。",
        "industry": "快递",
        "city": "兰州",
        "mobile": "13919316666",
        "consent": True,
    }
    return demand_submit(**{**fields, **overrides})


def test_demand_submit(world, rules, django_assert_num_queries) -> None:
    _intake(mobile="13919316660")  # configuration copy loaded (config.py), as in service
    # SELECT of the same mobile's recent demands (duplicates), INSERT of the demand, INSERT of
    # the co-handling body, INSERT of the two timeline rows, INSERT of the routed body's notice
    # (notifications.notify_later: the worker tells its accounts), UPSERT of the two rollup
    # rows, UPSERT of the two industry rollup rows, UPSERT of the two body rollup rows, SELECT
    # of the body's path and UPSERT of its area rollup rows (the dashboard's rollups,
    # docs/reports.md), INSERT of the audit entry.
    with django_assert_num_queries(11):
        _intake()


def test_public_intake(client, world, rules, django_assert_num_queries) -> None:
    body = {
        "description": "网点两个月没结算派费，站长一直拖着不给。",
        "industry": "快递",
        "city": "兰州",
        "mobile": "13919316666",
        "consent": True,
    }
    url = "/api/v1/public/demands"
    client.post(url, {**body, "mobile": "13919316660"}, content_type="application/json")
    # SAVEPOINT (the request's transaction, inside the test's), UPSERT of the rate-limit
    # counters, the 11 statements of demand_submit, RELEASE SAVEPOINT. (Outside a test it is
    # BEGIN ... COMMIT: 14 statements, SQLite logging its BEGIN IMMEDIATE.)
    with django_assert_num_queries(14):
        response = client.post(
            url, json.dumps(body, ensure_ascii=False), content_type="application/json"
        )
    assert response.status_code == 200


def test_staff_list_and_detail(client, world, rules, django_assert_num_queries) -> None:
    demands = [make_demand(mobile=f"139193100{n:02d}") for n in range(5)]
    client.force_login(world.users["staff_a"])
    client.get("/demands/")
    # The session, the user, the user's organization; the page of demands in the user's scope
    # (one SELECT with its bodies joined), the bodies of the filter form; the header's unread
    # count.
    with django_assert_num_queries(6):
        response = client.get("/demands/")
    assert all(d.code in response.content.decode() for d in demands)
    assert response.status_code == 200
    # The session, the user, the user's organization; the demand in the user's scope, two
    # EXISTS checks of it in that scope (the permission checks of the actions), its co-handling
    # bodies, its photos' ids, the bodies visible to the user for the transfer and assign forms
    # (two SELECTs), the timeline with its bodies and actors; the delivery status (its outbox
    # rows with their recipients and robots, the count of its inbox messages read); the
    # header's unread count; the mediation module's two (the case opened from this demand, for
    # its 转入劳动争议调解 button, and the cases' entries on the timeline).
    with django_assert_num_queries(16):
        response = client.get(f"/demands/{demands[0].pk}/")
    assert response.status_code == 200
