"""The funds page's expense form, submitted as a browser submits it (the page's own fields and
CSRF token, CSRF enforced), and the same write refused without a token, on the page and on the
session-authenticated API. The form once lost its token to an ``only`` include (issue 13)."""

import logging
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from liandong.activities.models import BudgetLine, Expense
from liandong.activities.services import budget_line_create
from liandong.core.tests.client import BrowserClient, submit_page_form


@pytest.fixture
def line(world: Any) -> BudgetLine:
    return budget_line_create(
        actor=None,
        owner=world.union_a,
        year=timezone.localdate().year,
        source="special_fund",
        name="微疗养专项资金",
        amount=Decimal("1000"),
    )


def spent() -> tuple[int, list[Decimal]]:
    return Expense.objects.count(), list(BudgetLine.objects.values_list("spent", flat=True))


def test_the_expense_form_posts_with_its_page_token_and_not_without(
    world: Any, line: BudgetLine, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["admin_a"])
    values = {"budget_line": line.pk, "amount": "120", "note": "慰问品"}
    before = spent()
    with caplog.at_level(logging.WARNING, logger="django.security.csrf"):
        refused = submit_page_form(client, "/activities/funds/", values, with_token=False)
    assert refused.status_code == 403
    assert "CSRF token missing" in caplog.text
    assert spent() == before
    response = submit_page_form(client, "/activities/funds/", values)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert spent() == (1, [Decimal("120")])


def test_the_session_api_refuses_a_write_without_the_token(
    world: Any, line: BudgetLine, api_token: Any
) -> None:
    body = {
        "budget_line_id": line.pk,
        "kind": "expense",
        "amount": "50",
        "spent_on": timezone.localdate().isoformat(),
    }
    url = "/api/v1/activities/expenses"
    raw = Client(enforce_csrf_checks=True)
    raw.force_login(world.users["admin_a"])
    raw.get("/activities/funds/")  # the cookie alone is not enough: the token must be sent
    refused = raw.post(url, body, content_type="application/json")
    assert refused.status_code == 403
    assert set(refused.json()) == {"detail"}
    assert spent() == (0, [Decimal("0")])
    # With the cookie's token in X-CSRFToken, as a JS client sends it, the write goes through.
    browser = BrowserClient()
    browser.force_login(world.users["admin_a"])
    assert browser.post(url, body, content_type="application/json").status_code == 201
    # A bearer token is not a cookie: the API's bearer auth needs no CSRF token.
    bearer = Client(enforce_csrf_checks=True)
    assert (
        bearer.post(
            url, body, content_type="application/json", **api_token(world.users["admin_a"])
        ).status_code
        == 201
    )
    assert spent() == (2, [Decimal("100")])
