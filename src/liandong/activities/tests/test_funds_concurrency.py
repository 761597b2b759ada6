"""Expenses racing for a budget line's last remainder, from real concurrent clients (each
thread its own database connection): never more is spent than the line holds. ``spent`` moves
only by one conditional UPDATE (``spent <= amount - x``). The control run switches that guard
off (``SPEND_GUARD``): the unguarded path reads ``spent``, checks, then writes, so on
PostgreSQL requests that read the same remainder all pass (more accepted than the line holds,
and the written total no longer matches the entries). On SQLite every transaction takes the
one write lock when it begins, so the control cannot fail there (see test_concurrency)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from liandong.activities import services
from liandong.activities.models import BudgetLine, Expense, ExpenseKind, FundSource
from liandong.activities.tests.test_concurrency import run_together
from liandong.core import races

pytestmark = pytest.mark.django_db(transaction=True)

ENTRIES = 24
EACH = Decimal("100")


def _race_for_the_last_300(world):
    line = services.budget_line_create(
        actor=None,
        owner=world.union_a,
        year=2026,
        source=FundSource.UNION_FUNDS,
        name="疗休养经费",
        amount=Decimal("1000"),
    )
    services.expense_record(
        actor=None,
        budget_line=line,
        kind=ExpenseKind.EXPENSE,
        amount=Decimal("700"),
        spent_on=date(2026, 5, 1),
    )
    jobs = [
        lambda: services.expense_record(
            actor=None,
            budget_line=line,
            kind=ExpenseKind.EXPENSE,
            amount=EACH,
            spent_on=date(2026, 5, 2),
        )
        for _ in range(ENTRIES)
    ]
    return line, run_together(jobs, n_threads=ENTRIES)


def test_expenses_racing_for_the_last_remainder_never_overspend(world) -> None:
    assert services.SPEND_GUARD
    line, outcomes = _race_for_the_last_300(world)
    assert len(outcomes) == ENTRIES
    assert outcomes.count("ok") == 3, outcomes
    assert all(o == "ok" or o.startswith("超出预算科目余额") for o in outcomes)
    line.refresh_from_db()
    assert line.spent == Decimal("1000")
    assert Expense.objects.filter(budget_line=line).aggregate(t=Sum("amount"))["t"] == Decimal(
        "1000"
    )


def test_control_unguarded_spending_overspends_on_postgresql(world, monkeypatch) -> None:
    monkeypatch.setattr(services, "SPEND_GUARD", False)
    with races.all_read_first(ENTRIES):
        line, outcomes = _race_for_the_last_300(world)
    accepted = outcomes.count("ok")
    entries = Expense.objects.filter(budget_line=line).aggregate(t=Sum("amount"))["t"]
    if connection.vendor == "sqlite":
        assert accepted == 3
        assert entries == Decimal("1000")
        return
    # Requests that read the same remainder all passed: the entries exceed the line.
    assert accepted > 3, outcomes
    assert entries > BudgetLine.objects.get(pk=line.pk).amount
