"""Pages: refusals are shown in Chinese and change nothing; the writes go through."""

from datetime import date, time, timedelta
from decimal import Decimal

from django.utils import timezone

from liandong.activities.models import Application, Booking, BudgetLine, Expense, Selection
from liandong.activities.services import application_submit, budget_line_create, home_create
from liandong.activities.tests.factories import close_window, make_activity


def test_a_refused_application_shows_the_reason(world, login) -> None:
    activity = make_activity(world.union_a, members_only=True)
    client = login(world.users["worker_a"])
    page = client.get(f"/activities/{activity.pk}/").content.decode()
    assert "本活动仅限工会会员报名，您还不是工会会员" in page
    response = client.post(f"/activities/{activity.pk}/apply/", follow=True)
    assert "报名未成功：本活动仅限工会会员报名" in response.content.decode()
    assert Application.objects.count() == 0


def test_lottery_draw_and_notice_from_the_page(world, login) -> None:
    activity = make_activity(world.union_a, selection=Selection.LOTTERY, total_places=1)
    application_submit(actor=None, activity=activity, worker=world.worker_a)
    client = login(world.users["staff_a"])
    response = client.post(f"/activities/{activity.pk}/draw/", follow=True)
    assert "报名尚未截止，不能开签" in response.content.decode()
    close_window(activity)
    response = client.post(f"/activities/{activity.pk}/draw/", follow=True)
    assert "已开签" in response.content.decode()
    response = client.post(
        f"/activities/{activity.pk}/notice/",
        {"days": 5, "objection_channel": "0931-8416520"},
        follow=True,
    )
    assert "公示已发布" in response.content.decode()
    public = client.get(f"/activities/public/{activity.pk}/").content.decode()
    assert "王*" in public
    assert "0931-8416520" in public


def test_booking_page_refuses_an_overlap_with_a_message(world, login) -> None:
    home = home_create(
        actor=None,
        name="尖山街职工之家",
        owners=[world.union_a],
        opens_at=time(9),
        closes_at=time(21),
    )
    client = login(world.users["staff_a"])
    day = (timezone.localdate() + timedelta(days=2)).isoformat()
    data = {
        "owner": world.union_a.pk,
        "day": day,
        "starts": "10:00",
        "ends": "12:00",
        "purpose": "义诊",
        "people": 20,
    }
    assert client.post(f"/activities/homes/{home.pk}/", data).status_code == 302
    response = client.post(
        f"/activities/homes/{home.pk}/", {**data, "starts": "11:00", "ends": "13:00"}
    )
    assert response.status_code == 200
    assert "该时段已被预约（10:00–12:00）" in response.content.decode()
    assert Booking.objects.count() == 1


def test_funds_page_over_budget_needs_the_admin_reason(world, login) -> None:
    line = budget_line_create(
        actor=None,
        owner=world.union_a,
        year=2026,
        source="special_fund",
        name="微疗养专项资金",
        amount=Decimal("1000"),
        override_ceiling=Decimal("1000"),
    )
    data = {
        "budget_line": line.pk,
        "kind": "expense",
        "amount": "1500",
        "spent_on": date(2026, 5, 1).isoformat(),
    }
    staff = login(world.users["staff_a"])
    response = staff.post("/activities/funds/", data)
    assert "超出预算科目余额 1,000.00 元" in response.content.decode()
    assert BudgetLine.objects.get().spent == 0
    admin = login(world.users["admin_a"])
    assert (
        admin.post("/activities/funds/", {**data, "override_reason": "市总追加"}).status_code == 302
    )
    # The override waits for a second union admin (the province's, over union A).
    assert BudgetLine.objects.get().spent == 0
    page = admin.get("/activities/funds/").content.decode()
    assert "超预算：市总追加" in page
    assert "待审批的超预算支出" in page
    pending = Expense.objects.get(status="pending")
    second = login(world.users["province_admin"])
    decided = second.post(
        f"/activities/funds/expenses/{pending.pk}/decide/", {"decision": "approve", "note": ""}
    )
    assert decided.status_code == 302
    assert BudgetLine.objects.get().spent == Decimal("1500")
