"""Funds administration (经费管理): budget lines created and edited, overrides approved by a
second union admin within a per-line ceiling, expenses reversed or corrected by reversing
entries (both kept); partner recuperation units and merchants; honours in priority rules."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from liandong.activities.models import BudgetLine, Expense, ExpenseKind, FundSource
from liandong.activities.selectors import budget_usage, partner_unit_ratings
from liandong.activities.services import (
    _tiers,
    budget_line_create,
    budget_line_update,
    expense_approve,
    expense_record,
    expense_reject,
    expense_reverse,
    merchant_create,
    partner_unit_create,
)
from liandong.activities.tests.factories import make_activity
from liandong.notifications.models import Message
from liandong.workers.services import honour_add

pytestmark = pytest.mark.django_db


def _line(world, amount="600000", ceiling="0"):
    return budget_line_create(
        actor=None,
        owner=world.union_a,
        year=2026,
        source=FundSource.SPECIAL_FUND,
        name="微疗养专项资金",
        amount=Decimal(amount),
        override_ceiling=Decimal(ceiling),
    )


def _spend(world, line, amount, **extra):
    return expense_record(
        actor=extra.pop("actor", world.users["admin_a"]),
        budget_line=line,
        kind=ExpenseKind.EXPENSE,
        amount=Decimal(amount),
        spent_on=date(2026, 6, 1),
        **extra,
    )


def test_an_override_beyond_the_ceiling_is_refused_and_changes_nothing(world) -> None:
    line = _line(world, ceiling="50000")
    with pytest.raises(ValidationError) as error:
        _spend(world, line, "99999999", may_override=True, override_reason="追加")
    assert error.value.message_dict["amount"][0].startswith("超出该科目的超预算上限")
    assert not Expense.objects.exists()
    assert BudgetLine.objects.get(pk=line.pk).spent == 0


def test_a_line_without_a_ceiling_allows_no_override(world) -> None:
    line = _line(world)
    with pytest.raises(ValidationError):
        _spend(world, line, "600000.01", may_override=True, override_reason="追加")


def test_an_override_waits_for_a_second_admin_who_is_told(world) -> None:
    line = _line(world, ceiling="100000")
    expense = _spend(world, line, "650000", may_override=True, override_reason="市总追加拨款")
    assert expense.status == "pending"
    assert BudgetLine.objects.get(pk=line.pk).spent == 0
    told = Message.objects.filter(kind="activities.override_requested")
    # The province's admin (over union A) is told; the requester is not.
    assert set(told.values_list("recipient__username", flat=True)) == {"province_admin"}
    with pytest.raises(ValidationError) as error:
        expense_approve(actor=world.users["admin_a"], expense=expense)
    assert "另一位工会管理员" in error.value.messages[0]
    expense_approve(actor=world.users["province_admin"], expense=expense, note="同意")
    assert BudgetLine.objects.get(pk=line.pk).spent == Decimal("650000")
    assert Message.objects.filter(
        kind="activities.override_decided", recipient=world.users["admin_a"]
    ).exists()
    with pytest.raises(ValidationError):  # approved once only
        expense_approve(actor=world.users["province_admin"], expense=expense)
    assert BudgetLine.objects.get(pk=line.pk).spent == Decimal("650000")


def test_approval_is_refused_when_the_ceiling_has_been_used_meanwhile(world) -> None:
    line = _line(world, amount="1000", ceiling="500")
    first = _spend(world, line, "1400", may_override=True, override_reason="一")
    second = _spend(world, line, "1400", may_override=True, override_reason="二")
    expense_approve(actor=world.users["province_admin"], expense=first)
    with pytest.raises(ValidationError):
        expense_approve(actor=world.users["province_admin"], expense=second)
    assert Expense.objects.get(pk=second.pk).status == "pending"
    assert BudgetLine.objects.get(pk=line.pk).spent == Decimal("1400")


def test_a_rejection_needs_a_note_and_spends_nothing(world) -> None:
    line = _line(world, ceiling="100000")
    expense = _spend(world, line, "650000", may_override=True, override_reason="追加")
    with pytest.raises(ValidationError):
        expense_reject(actor=world.users["province_admin"], expense=expense)
    expense_reject(actor=world.users["province_admin"], expense=expense, note="预算已用完")
    assert Expense.objects.get(pk=expense.pk).status == "rejected"
    assert BudgetLine.objects.get(pk=line.pk).spent == 0


def test_a_reversal_keeps_both_entries_and_gives_the_money_back(world) -> None:
    line = _line(world)
    expense = _spend(world, line, "1200")
    with pytest.raises(ValidationError):
        expense_reverse(actor=None, expense=expense, reason=" ")
    reversal, correction = expense_reverse(actor=None, expense=expense, reason="重复录入")
    assert correction is None
    assert reversal.amount == Decimal("-1200")
    assert reversal.reverses_id == expense.pk
    assert Expense.objects.get(pk=expense.pk).amount == Decimal("1200")  # never edited
    assert BudgetLine.objects.get(pk=line.pk).spent == 0
    with pytest.raises(ValidationError):
        expense_reverse(actor=None, expense=expense, reason="再冲一次")
    with pytest.raises(ValidationError):
        expense_reverse(actor=None, expense=reversal, reason="冲销冲销")
    usage = budget_usage(BudgetLine.objects.filter(pk=line.pk))[0]
    assert usage.spent == 0
    assert usage.remainder == Decimal("600000")


def test_a_correction_reverses_and_records_the_right_amount(world) -> None:
    line = _line(world)
    expense = _spend(world, line, "12000")
    _reversal, correction = expense_reverse(
        actor=None, expense=expense, reason="金额多录一个零", corrected_amount=Decimal("1200")
    )
    assert correction is not None
    assert correction.corrects_id == expense.pk
    assert Expense.objects.filter(budget_line=line).count() == 3
    assert BudgetLine.objects.get(pk=line.pk).spent == Decimal("1200")


def test_a_line_cannot_be_lowered_below_what_is_spent(world) -> None:
    line = _line(world, amount="1000")
    _spend(world, line, "800")
    with pytest.raises(ValidationError) as error:
        budget_line_update(actor=None, line=line, amount=Decimal("700"))
    assert "已支出 800.00 元" in error.value.messages[0]
    assert BudgetLine.objects.get(pk=line.pk).amount == Decimal("1000")
    budget_line_update(
        actor=None, line=line, amount=Decimal("900"), override_ceiling=Decimal("100")
    )
    line.refresh_from_db()
    assert (line.amount, line.override_ceiling) == (Decimal("900"), Decimal("100"))


def test_a_line_needs_a_name_and_a_positive_amount(world) -> None:
    with pytest.raises(ValidationError) as error:
        budget_line_create(
            actor=None, owner=world.union_a, year=2026, source="union_funds", name=" ", amount=0
        )
    assert set(error.value.message_dict) >= {"name", "amount"}
    assert not BudgetLine.objects.exists()


# -- partner units and merchants ---------------------------------------------------------------


def _unit(world, **fields):
    today = timezone.localdate()
    values = {
        "name": "无为市红庙山庄",
        "agreement_starts_on": today - timedelta(days=30),
        "agreement_ends_on": today + timedelta(days=365),
        "capacity": 40,
        "price_per_person": Decimal("380"),
        "routes": "疗养+山水线\n文化+养生线",
    }
    values.update(fields)
    return partner_unit_create(actor=None, owner=world.union_a, **values)


def test_an_activity_names_a_partner_unit_and_one_of_its_routes(world) -> None:
    unit = _unit(world)
    activity = make_activity(world.union_a, partner_unit=unit, route="疗养+山水线")
    assert activity.partner_unit == unit
    with pytest.raises(ValidationError) as error:
        make_activity(world.union_a, partner_unit=unit, route="不存在的线路")
    assert "route" in error.value.message_dict


def test_an_activity_outside_the_agreement_or_of_another_union_is_refused(world) -> None:
    today = timezone.localdate()
    expired = _unit(world, agreement_ends_on=today + timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        make_activity(world.union_a, partner_unit=expired)
    assert "协议期" in error.value.message_dict["partner_unit"][0]
    other = partner_unit_create(
        actor=None,
        owner=world.union_b,
        name="乙方山庄",
        agreement_starts_on=today,
        agreement_ends_on=today + timedelta(days=400),
    )
    with pytest.raises(ValidationError):
        make_activity(world.union_a, partner_unit=other)


def test_ratings_of_a_unit_come_from_participants_feedback(world) -> None:
    from liandong.activities.models import Application

    unit = _unit(world)
    activity = make_activity(world.union_a, partner_unit=unit)
    Application.objects.create(
        activity=activity, worker=world.worker_a, status="confirmed", rating=4
    )
    Application.objects.create(
        activity=activity, worker=world.worker_b, status="confirmed", rating=5
    )
    assert partner_unit_ratings([unit.pk])[unit.pk] == {"avg": 4.5, "n": 2, "activities": 1}


def test_a_local_product_expense_names_a_registered_merchant(world) -> None:
    merchant = merchant_create(
        actor=None, owner=world.union_a, name="严桥镇香油坊", products="小磨香油", town="严桥镇"
    )
    line = _line(world)
    expense = expense_record(
        actor=None,
        budget_line=line,
        kind=ExpenseKind.LOCAL_PRODUCT,
        amount=Decimal("3000"),
        spent_on=date(2026, 6, 1),
        local_merchant=merchant,
    )
    assert expense.merchant == "严桥镇香油坊"
    assert expense.local_merchant == merchant


# -- honours in priority rules ------------------------------------------------------------------


def test_honours_of_the_register_place_a_worker_in_a_priority_tier(world) -> None:
    activity = make_activity(
        world.union_a, priority_rules=["honour:最美快递员", "honour:劳模", "member"]
    )
    honour_add(
        actor=None,
        worker=world.worker_b,
        category="best_courier",
        awarded_on=date(2025, 5, 1),
    )
    honour_add(
        actor=None,
        worker=world.worker_a,
        category="national_model",
        title="2025年全国劳动模范",
        awarded_on=date(2025, 4, 28),
    )
    rows = [(1, world.worker_a.pk, None, "courier"), (2, world.worker_b.pk, None, "courier")]
    # 全国劳模 counts as 劳模 (second tier); 最美快递员 is the first.
    assert _tiers(activity, rows) == {1: 1, 2: 0}


def test_the_api_creates_an_activity_with_a_partner_unit_and_names_a_bad_one(
    world, api_token
) -> None:
    from liandong.activities.tests.test_api import json_post
    from liandong.core.tests.client import BrowserClient

    unit = _unit(world)
    start = (timezone.localdate() + timedelta(days=20)).isoformat()
    body = {
        "title": "红庙山庄微疗养",
        "kind": "micro_recuperation",
        "starts_on": start,
        "ends_on": start,
        "selection": "open",
        "partner_unit_id": unit.pk,
        "route": "文化+养生线",
    }
    admin = api_token(world.users["admin_a"])
    created = json_post(BrowserClient(), "/api/v1/activities/", body, admin)
    assert created.status_code == 201, created.content
    assert (created.json()["partner_unit_id"], created.json()["route"]) == (unit.pk, "文化+养生线")
    theirs = api_token(world.users["staff_b"])
    refused = json_post(BrowserClient(), "/api/v1/activities/", body, theirs)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"][-1] == "partner_unit_id"
