"""Editing an activity and its quotas, creating and editing shared homes, cancelling bookings,
and money shown with thousands separators: services, API and pages."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from liandong.activities.models import Activity, ActivityStatus, Booking, Home, Quota, Selection
from liandong.activities.selectors import home_usage
from liandong.activities.services import (
    activity_draw,
    activity_update,
    application_submit,
    booking_cancel,
    booking_create,
    budget_line_create,
    expense_record,
    home_create,
    home_update,
)
from liandong.activities.templatetags.activities_format import money
from liandong.activities.tests.factories import close_window, make_activity, quota_rows
from liandong.core.models import AuditLog
from liandong.core.tests.client import BrowserClient
from liandong.workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.usefixtures("no_pii_in_logs")


def code_of(error: pytest.ExceptionInfo) -> str:
    return next(iter(error.value.error_dict.values()))[0].code


def fields_of(error: pytest.ExceptionInfo) -> set[str]:
    return set(error.value.error_dict)


def at(day, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def take_places(activity: Activity, employer, n: int) -> None:
    for _ in range(n):
        application_submit(actor=None, activity=activity, worker=WorkerFactory(employer=employer))


# -- editing an activity ------------------------------------------------------------------------------


def test_edit_changes_fields_and_quotas_and_audits_a_diff(world) -> None:
    activity = make_activity(world.union_a, total_places=40, quotas=[(world.enterprise_a, 20)])
    activity_update(
        actor=world.users["staff_a"],
        activity=activity,
        title="甘南草原疗休养（第二批）",
        total_places=30,
        place="合作市—夏河县",
        co_organizers=[world.authority],
        quotas=[(world.enterprise_a, 25)],
    )
    activity.refresh_from_db()
    assert (activity.title, activity.total_places, activity.place) == (
        "甘南草原疗休养（第二批）",
        30,
        "合作市—夏河县",
    )
    assert Quota.objects.get(activity=activity).places == 25
    assert list(activity.co_organizers.all()) == [world.authority]
    entry = AuditLog.objects.get(action="activities.updated", target_id=str(activity.pk))
    assert entry.changes["total_places"] == [40, 30]
    assert entry.changes["title"] == ["甘南草原疗休养", "甘南草原疗休养（第二批）"]
    assert entry.changes["quotas"] == [{"甲快递公司": 20}, {"甲快递公司": 25}]
    assert entry.changes["co_organizers"] == [[], ["省邮政管理局"]]
    assert "place" in entry.changes
    assert "kind" not in entry.changes


def test_total_places_cannot_drop_below_places_taken(world) -> None:
    activity = make_activity(world.union_a, total_places=10)
    take_places(activity, world.outlet_a, 4)
    with pytest.raises(ValidationError) as error:
        activity_update(actor=None, activity=activity, total_places=3, title="改了名字")
    assert fields_of(error) == {"total_places"}
    assert "已有 4 个名额被占用" in error.value.messages[0]
    activity.refresh_from_db()
    assert (activity.total_places, activity.title) == (10, "甘南草原疗休养")
    activity_update(actor=None, activity=activity, total_places=4)
    activity.refresh_from_db()
    assert activity.total_places == 4
    with pytest.raises(ValidationError):
        application_submit(
            actor=None, activity=activity, worker=WorkerFactory(employer=world.outlet_a)
        )
    assert activity.applications.count() == 4


def test_a_quota_cannot_drop_below_what_its_body_holds_nor_be_removed(world) -> None:
    activity = make_activity(world.union_a, total_places=20, quotas=[(world.enterprise_a, 10)])
    take_places(activity, world.outlet_a, 3)
    with pytest.raises(ValidationError) as error:
        activity_update(actor=None, activity=activity, quotas=[(world.enterprise_a, 2)])
    assert fields_of(error) == {"quotas"}
    assert "甲快递公司已占用 3 个名额，名额不能少于 3" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        activity_update(actor=None, activity=activity, quotas=[])
    assert "不能取消其名额分配" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        activity_update(actor=None, activity=activity, quotas=[(world.enterprise_a, 21)])
    assert "各单位名额之和超过了总名额" in error.value.messages[0]
    assert Quota.objects.get(activity=activity).places == 10
    activity_update(actor=None, activity=activity, quotas=[(world.enterprise_a, 3)])
    assert Quota.objects.get(activity=activity).places == 3
    with pytest.raises(ValidationError) as error:
        application_submit(
            actor=None, activity=activity, worker=WorkerFactory(employer=world.outlet_a)
        )
    assert code_of(error) == "quota_full"


def test_a_quota_without_places_taken_can_be_removed_and_one_added(world) -> None:
    activity = make_activity(world.union_a, total_places=20, quotas=[(world.enterprise_a, 10)])
    activity_update(actor=None, activity=activity, quotas=[(world.union_a, 12)])
    assert [(q.body_id, q.places) for q in Quota.objects.filter(activity=activity)] == [
        (world.union_a.pk, 12)
    ]


def test_the_window_and_priority_rules_of_a_committed_lottery_are_fixed(world) -> None:
    activity = make_activity(world.union_a, selection=Selection.LOTTERY, priority_rules=["member"])
    assert activity.seed_commitment
    later = activity.applications_close_at + timedelta(days=2)
    with pytest.raises(ValidationError) as error:
        activity_update(actor=None, activity=activity, applications_close_at=later)
    assert fields_of(error) == {"applications_close_at"}
    assert "随机种子已承诺，不能更改报名时间" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        activity_update(actor=None, activity=activity, priority_rules=["never_recuperated"])
    assert "不能更改优先序" in error.value.messages[0]
    # The same instant in another zone is no change; other fields may still change.
    same = timezone.localtime(activity.applications_close_at)
    activity_update(actor=None, activity=activity, applications_close_at=same, place="敦煌—瓜州")
    activity.refresh_from_db()
    assert activity.place == "敦煌—瓜州"


def test_a_draft_lottery_may_still_move_its_window_and_selection(world) -> None:
    activity = make_activity(world.union_a, selection=Selection.FIRST_COME, publish=False)
    activity_update(
        actor=None,
        activity=activity,
        selection=Selection.LOTTERY,
        applications_close_at=activity.applications_close_at + timedelta(days=1),
    )
    activity.refresh_from_db()
    assert activity.selection == Selection.LOTTERY


def test_the_selection_method_is_fixed_once_published(world) -> None:
    activity = make_activity(world.union_a)
    with pytest.raises(ValidationError) as error:
        activity_update(actor=None, activity=activity, selection=Selection.LOTTERY)
    assert fields_of(error) == {"selection"}


def test_no_edit_after_the_draw(world) -> None:
    activity = make_activity(world.union_a, selection=Selection.LOTTERY)
    application_submit(actor=None, activity=activity, worker=world.worker_a)
    activity_draw(actor=None, activity=close_window(activity))
    with pytest.raises(ValidationError) as error:
        activity_update(actor=None, activity=activity, place="别处")
    assert code_of(error) == "not_editable"
    assert "已开签，不能再修改" in error.value.messages[0]
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DRAWN
    assert activity.place != "别处"
    assert not AuditLog.objects.filter(action="activities.updated").exists()


# -- shared workers' homes ------------------------------------------------------------------------------


@pytest.fixture
def home(world) -> Home:
    return home_create(
        actor=None,
        name="解放南路商圈职工之家",
        owners=[world.union_a, world.enterprise_a],
        opens_at=time(9),
        closes_at=time(21),
        facilities="休息区、饮水",
        capacity=40,
    )


def test_home_create_refuses_bad_input_and_saves_nothing(world) -> None:
    with pytest.raises(ValidationError) as error:
        home_create(
            actor=None,
            name=" ",
            owners=[],
            opens_at=time(21),
            closes_at=time(9),
            open_weekdays="89",
        )
    assert fields_of(error) == {"name", "owners", "closes_at", "open_weekdays"}
    assert Home.objects.count() == 0


def test_home_update_changes_hours_owners_and_audits_a_diff(world, home) -> None:
    home_update(
        actor=world.users["admin_a"],
        home=home,
        opens_at=time(8),
        capacity=60,
        facilities="休息区、饮水、充电",
        open_weekdays="54321",
        owners=[world.union_a],
    )
    home.refresh_from_db()
    assert (home.opens_at, home.capacity, home.open_weekdays) == (time(8), 60, "12345")
    assert list(home.owners.all()) == [world.union_a]
    entry = AuditLog.objects.get(action="activities.home_updated")
    assert entry.changes["capacity"] == [40, 60]
    assert entry.changes["owners"] == [["甲产业工会", "甲快递公司"], ["甲产业工会"]]
    with pytest.raises(ValidationError) as error:
        home_update(actor=None, home=home, closes_at=time(7))
    assert fields_of(error) == {"closes_at"}
    home.refresh_from_db()
    assert home.closes_at == time(21)


def test_an_owner_with_upcoming_bookings_cannot_be_removed(world, home) -> None:
    day = timezone.localdate() + timedelta(days=4)
    booking = booking_create(
        actor=None,
        home=home,
        owner=world.enterprise_a,
        starts_at=at(day, 10),
        ends_at=at(day, 11),
        purpose="技能培训",
    )
    with pytest.raises(ValidationError) as error:
        home_update(actor=None, home=home, owners=[world.union_a])
    assert "甲快递公司还有未结束的预约" in error.value.messages[0]
    assert home.owners.count() == 2
    booking_cancel(actor=None, booking=booking, reason="改期")
    home_update(actor=None, home=home, owners=[world.union_a])
    assert home.owners.count() == 1


def test_cancelling_frees_the_slot_and_usage_counts_it_apart(world, home) -> None:
    day = timezone.localdate() + timedelta(days=3)
    booking = booking_create(
        actor=None,
        home=home,
        owner=world.union_a,
        starts_at=at(day, 9),
        ends_at=at(day, 11),
        purpose="骑手义诊",
        people=30,
    )
    with pytest.raises(ValidationError) as error:
        booking_cancel(actor=None, booking=booking, reason="  ")
    assert fields_of(error) == {"reason"}
    booking.refresh_from_db()
    assert not booking.cancelled
    booking_cancel(actor=world.users["staff_a"], booking=booking, reason="医疗队改期")
    booking.refresh_from_db()
    assert (booking.cancelled, booking.cancel_reason, booking.cancelled_by) == (
        True,
        "医疗队改期",
        world.users["staff_a"],
    )
    assert booking.cancelled_at is not None
    entry = AuditLog.objects.get(action="activities.booking_cancelled")
    assert entry.changes["reason"] == "医疗队改期"
    with pytest.raises(ValidationError) as error:
        booking_cancel(actor=None, booking=booking, reason="再取消一次")
    assert code_of(error) == "cancelled"
    # The slot is free again.
    booking_create(
        actor=None,
        home=home,
        owner=world.enterprise_a,
        starts_at=at(day, 9),
        ends_at=at(day, 10),
        purpose="技能培训",
        people=12,
    )
    usage = {row["owner"]: row for row in home_usage(home)}
    assert usage["甲产业工会"] == {
        "owner": "甲产业工会",
        "bookings": 0,
        "hours": 0.0,
        "people": 0,
        "cancelled": 1,
    }
    assert usage["甲快递公司"] == {
        "owner": "甲快递公司",
        "bookings": 1,
        "hours": 1.0,
        "people": 12,
        "cancelled": 0,
    }


def test_a_past_booking_cannot_be_cancelled(world, home) -> None:
    day = timezone.localdate() + timedelta(days=1)
    booking = booking_create(
        actor=None,
        home=home,
        owner=world.union_a,
        starts_at=at(day, 9),
        ends_at=at(day, 10),
        purpose="座谈",
    )
    Booking.objects.filter(pk=booking.pk).update(
        starts_at=at(day - timedelta(days=3), 9), ends_at=at(day - timedelta(days=3), 10)
    )
    booking.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        booking_cancel(actor=None, booking=booking, reason="忘了")
    assert code_of(error) == "past"


# -- API ----------------------------------------------------------------------------------------------


def test_api_patch_activity_and_its_refusals(world, api_token) -> None:
    activity = make_activity(world.union_a, total_places=10, quotas=[(world.enterprise_a, 5)])
    take_places(activity, world.outlet_a, 2)
    staff = api_token(world.users["staff_a"])
    url = f"/api/v1/activities/{activity.pk}"
    response = BrowserClient().patch(
        url,
        {
            "total_places": 8,
            "min_age": 18,
            "quotas": [{"body_id": world.enterprise_a.pk, "places": 4}],
        },
        content_type="application/json",
        **staff,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total_places"] == 8
    assert body["quotas"][0]["places"] == 4
    response = BrowserClient().patch(
        url, {"total_places": 1}, content_type="application/json", **staff
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "total_places"]
    assert "总名额不能少于 2" in response.json()["detail"][0]["msg"]
    response = BrowserClient().patch(
        url,
        {"quotas": [{"body_id": world.enterprise_b.pk, "places": 1}]},
        content_type="application/json",
        **staff,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "quotas"]
    activity.refresh_from_db()
    assert activity.total_places == 8
    assert activity.min_age == 18
    response = BrowserClient().patch(
        url, {"min_age": None}, content_type="application/json", **staff
    )
    activity.refresh_from_db()
    assert response.status_code == 200
    assert activity.min_age is None


def test_api_homes_create_edit_detail_and_cancel(world, api_token) -> None:
    staff = api_token(world.users["staff_a"])
    response = BrowserClient().post(
        "/api/v1/activities/homes/",
        {
            "name": "梅江街职工之家",
            "owner_ids": [world.union_a.pk, world.enterprise_a.pk],
            "opens_at": "09:00",
            "closes_at": "21:00",
            "open_weekdays": "12345",
            "capacity": 30,
            "facilities": "休息区、微波炉",
        },
        content_type="application/json",
        **staff,
    )
    assert response.status_code == 201, response.content
    home_id = response.json()["id"]
    assert response.json()["owners"] == ["甲产业工会", "甲快递公司"]
    response = BrowserClient().post(
        "/api/v1/activities/homes/",
        {
            "name": "越权",
            "owner_ids": [world.union_b.pk],
            "opens_at": "09:00",
            "closes_at": "21:00",
        },
        content_type="application/json",
        **staff,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "owner_ids"]
    response = BrowserClient().patch(
        f"/api/v1/activities/homes/{home_id}",
        {"closes_at": "08:00"},
        content_type="application/json",
        **staff,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "closes_at"]
    response = BrowserClient().patch(
        f"/api/v1/activities/homes/{home_id}",
        {"capacity": 50},
        content_type="application/json",
        **staff,
    )
    assert response.status_code == 200
    assert response.json()["capacity"] == 50
    day = timezone.localdate() + timedelta(days=7)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    slot = {
        "owner_id": world.union_a.pk,
        "purpose": "义诊",
        "people": 10,
        "starts_at": f"{day}T10:00:00+08:00",
        "ends_at": f"{day}T11:00:00+08:00",
    }
    booking_id = (
        BrowserClient()
        .post(
            f"/api/v1/activities/homes/{home_id}/bookings",
            slot,
            content_type="application/json",
            **staff,
        )
        .json()["id"]
    )
    url = f"/api/v1/activities/bookings/{booking_id}/cancel"
    enterprise = api_token(world.users["enterprise_a"])
    assert (
        BrowserClient()
        .post(url, {"reason": "不去了"}, content_type="application/json", **enterprise)
        .status_code
        == 403
    )
    response = BrowserClient().post(url, {"reason": ""}, content_type="application/json", **staff)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "reason"
    response = BrowserClient().post(
        url, {"reason": "义诊改到下周"}, content_type="application/json", **staff
    )
    assert response.status_code == 200
    assert response.json()["cancelled"] is True
    assert response.json()["cancel_reason"] == "义诊改到下周"
    assert (
        BrowserClient()
        .post(url, {"reason": "又一次"}, content_type="application/json", **staff)
        .status_code
        == 422
    )
    detail = BrowserClient().get(f"/api/v1/activities/homes/{home_id}", **staff).json()
    assert detail["upcoming"] == []
    assert {u["owner"]: u["cancelled"] for u in detail["usage"]} == {
        "甲产业工会": 1,
        "甲快递公司": 0,
    }
    staff_b = api_token(world.users["staff_b"])
    assert BrowserClient().get(f"/api/v1/activities/homes/{home_id}", **staff_b).status_code == 404
    assert (
        BrowserClient()
        .post(url, {"reason": "x"}, content_type="application/json", **staff_b)
        .status_code
        == 404
    )
    # The slot is free again.
    assert (
        BrowserClient()
        .post(
            f"/api/v1/activities/homes/{home_id}/bookings",
            slot,
            content_type="application/json",
            **staff,
        )
        .status_code
        == 201
    )


def test_public_notice_api_lives_under_public(world) -> None:
    activity = make_activity(world.union_a, selection=Selection.LOTTERY)
    response = BrowserClient().get(f"/api/v1/public/activities/{activity.pk}")
    assert response.status_code == 200
    assert response.json()["seed_commitment"] == activity.seed_commitment
    assert BrowserClient().get(f"/api/v1/activities/public/{activity.pk}").status_code in {401, 404}


# -- pages --------------------------------------------------------------------------------------------


def test_edit_page_shows_current_values_and_refuses_with_a_message(world, login) -> None:
    activity = make_activity(world.union_a, total_places=10, quotas=[(world.enterprise_a, 5)])
    take_places(activity, world.outlet_a, 3)
    client = login(world.users["staff_a"])
    page = client.get(f"/activities/{activity.pk}/edit/").content.decode()
    # The allocation shows as a row: the unit chosen by name, its places filled in.
    assert f'<option value="{world.enterprise_a.pk}" selected>甲快递公司</option>' in page
    assert 'name="quota-0-places" value="5"' in page
    assert "修改活动" in page
    assert (
        f'href="/activities/{activity.pk}/edit/"'
        in client.get(f"/activities/{activity.pk}/").content.decode()
    )
    start = timezone.localdate() + timedelta(days=30)
    open_at = timezone.localtime(activity.applications_open_at).strftime("%Y-%m-%dT%H:%M")
    close_at = timezone.localtime(activity.applications_close_at).strftime("%Y-%m-%dT%H:%M")
    data = {
        "title": "甘南草原疗休养",
        "kind": "recuperation",
        "starts_on": start,
        "ends_on": start + timedelta(days=5),
        "selection": "first_come",
        "total_places": 2,
        "applications_open_at": open_at,
        "applications_close_at": close_at,
        "no_recuperation_years": 0,
        "min_years_registered": 0,
        **quota_rows((world.enterprise_a.pk, 5)),
    }
    response = client.post(f"/activities/{activity.pk}/edit/", data)
    assert response.status_code == 200
    assert "已有 3 个名额被占用，总名额不能少于 3" in response.content.decode()
    response = client.post(
        f"/activities/{activity.pk}/edit/",
        {**data, "total_places": 12, **quota_rows((world.enterprise_a.pk, 2))},
    )
    assert "甲快递公司已占用 3 个名额，名额不能少于 3" in response.content.decode()
    activity.refresh_from_db()
    assert activity.total_places == 10
    response = client.post(
        f"/activities/{activity.pk}/edit/",
        {**data, "total_places": 12, **quota_rows((world.enterprise_a.pk, 6))},
        follow=True,
    )
    assert "活动已修改" in response.content.decode()
    activity.refresh_from_db()
    assert activity.total_places == 12
    assert activity.quotas.get().places == 6


def test_home_pages_create_edit_and_cancel(world, login) -> None:
    client = login(world.users["staff_a"])
    assert "新建职工之家" in client.get("/activities/homes/").content.decode()
    data = {
        "name": "尖山街职工之家",
        "owners": [world.union_a.pk],
        "opens_at": "09:00",
        "closes_at": "21:00",
        "open_weekdays": ["1", "2", "3", "4", "5", "6", "7"],
        "capacity": 25,
        "facilities": "休息区",
    }
    response = client.post("/activities/homes/new/", {**data, "owners": []})
    assert "请至少选择一个共建单位" in response.content.decode()
    response = client.post("/activities/homes/new/", {**data, "owners": [world.union_b.pk]})
    assert response.status_code == 200
    assert Home.objects.count() == 0
    response = client.post("/activities/homes/new/", data)
    home = Home.objects.get()
    assert response.status_code == 302
    response = client.post(f"/activities/homes/{home.pk}/edit/", {**data, "closes_at": "08:00"})
    assert "关闭时间必须晚于开放时间" in response.content.decode()
    client.post(f"/activities/homes/{home.pk}/edit/", {**data, "capacity": 35})
    home.refresh_from_db()
    assert home.capacity == 35
    day = timezone.localdate() + timedelta(days=2)
    booking = booking_create(
        actor=world.users["staff_a"],
        home=home,
        owner=world.union_a,
        starts_at=at(day, 10),
        ends_at=at(day, 12),
        purpose="义诊",
        people=20,
    )
    page = client.get(f"/activities/homes/{home.pk}/").content.decode()
    assert f"/activities/homes/bookings/{booking.pk}/cancel/" in page
    response = client.post(
        f"/activities/homes/bookings/{booking.pk}/cancel/", {"reason": ""}, follow=True
    )
    assert "请填写取消原因" in response.content.decode()
    response = client.post(
        f"/activities/homes/bookings/{booking.pk}/cancel/", {"reason": "下雨改期"}, follow=True
    )
    page = response.content.decode()
    assert "预约已取消，该时段可重新预约" in page
    assert "下雨改期" in page
    booking.refresh_from_db()
    assert booking.cancelled


def test_money_has_thousands_separators(world, login) -> None:
    assert money(Decimal("1968000")) == "1,968,000"
    assert money(Decimal("3000000.5"), 2) == "3,000,000.50"
    assert money(None) == ""
    line = budget_line_create(
        actor=None,
        owner=world.union_a,
        year=timezone.localdate().year,
        source="union_funds",
        name="疗休养经费",
        amount=Decimal("2000000"),
    )
    activity = make_activity(
        world.union_a, starts_on=timezone.localdate(), ends_on=timezone.localdate()
    )
    expense_record(
        actor=None,
        budget_line=line,
        kind="expense",
        amount=Decimal("1968000"),
        spent_on=timezone.localdate(),
        activity=activity,
    )
    client = login(world.users["admin_a"])
    assert "1,968,000" in client.get("/activities/figures/").content.decode()
    assert "1,968,000" in client.get(f"/activities/{activity.pk}/").content.decode()
    funds = client.get("/activities/funds/").content.decode()
    assert "2,000,000.00" in funds
    assert "32,000.00" in funds


def test_edit_page_keeps_the_window_of_a_committed_lottery(world, login) -> None:
    activity = make_activity(world.union_a, selection=Selection.LOTTERY, priority_rules=["member"])
    client = login(world.users["admin_a"])
    form = client.get(f"/activities/{activity.pk}/edit/").context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v is not None and v is not False}
    data["co_organizers"] = []
    data.update(quota_rows())  # the 名额分配 rows' management form, as the page sends it
    data["place"] = "敦煌—瓜州—玉门"
    response = client.post(f"/activities/{activity.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    activity.refresh_from_db()
    assert activity.place == "敦煌—瓜州—玉门"
    later = timezone.localtime(activity.applications_close_at + timedelta(days=1)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    response = client.post(
        f"/activities/{activity.pk}/edit/", {**data, "applications_close_at": later}
    )
    assert "随机种子已承诺，不能更改报名时间" in response.content.decode()


def test_api_refuses_ids_beyond_bigint_and_times_with_a_zone(world, api_token) -> None:
    staff = api_token(world.users["staff_a"])
    body = {
        "name": "驿站",
        "owner_ids": [-18845347144893673472],
        "opens_at": "09:00",
        "closes_at": "21:00",
    }
    response = BrowserClient().post(
        "/api/v1/activities/homes/", body, content_type="application/json", **staff
    )
    assert response.status_code == 422
    response = BrowserClient().post(
        "/api/v1/activities/homes/",
        {**body, "owner_ids": [world.union_a.pk], "opens_at": "16:17:11Z"},
        content_type="application/json",
        **staff,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "opens_at"
    activity = make_activity(world.union_a)
    response = BrowserClient().patch(
        f"/api/v1/activities/{activity.pk}",
        {"priority_rules": ["a\x00b"], "co_organizer_ids": [2**70]},
        content_type="application/json",
        **staff,
    )
    assert response.status_code == 422
    assert Home.objects.count() == 0


def test_quota_rows_name_the_row_keep_what_was_typed_and_remove_a_row(world, login) -> None:
    """名额分配 is rows of (unit by name, places): a refused save names each bad row and keeps
    every valid value; a unit outside the scope is refused; ticking 删除 drops a row."""
    activity = make_activity(
        world.union_a, total_places=10, quotas=[(world.enterprise_a, 5), (world.outlet_a, 2)]
    )
    client = login(world.users["staff_a"])
    page = client.get(f"/activities/{activity.pk}/edit/").content.decode()
    assert "甲快递公司" in page
    assert "W-EA" not in page
    assert page.count('class="quota-row"') == 2 + 3 + 1  # held rows, three blank, the template
    start = timezone.localdate() + timedelta(days=30)
    data = {
        "title": "甘南草原疗休养",
        "kind": "recuperation",
        "starts_on": start,
        "ends_on": start + timedelta(days=5),
        "selection": "first_come",
        "total_places": 10,
        "applications_open_at": timezone.localtime(activity.applications_open_at).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "applications_close_at": timezone.localtime(activity.applications_close_at).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "no_recuperation_years": 0,
        "min_years_registered": 0,
    }
    bad = client.post(
        f"/activities/{activity.pk}/edit/",
        {
            **data,
            **quota_rows(
                (world.enterprise_a.pk, 4),
                (world.enterprise_a.pk, 1),
                (world.outlet_a.pk, ""),
                ("", 3),
                (world.enterprise_b.pk, 1),
            ),
        },
    ).content.decode()
    assert "第 3 行：请填写" in bad
    assert "第 4 行：请选择单位" in bad
    assert "第 5 行：所选单位不存在或不在您的范围内" in bad
    assert 'name="quota-0-places" value="4"' in bad  # the valid row keeps what was typed
    assert 'name="quota-3-places" value="3"' in bad
    assert sorted(activity.quotas.values_list("places", flat=True)) == [2, 5]
    duplicate = client.post(
        f"/activities/{activity.pk}/edit/",
        {**data, **quota_rows((world.enterprise_a.pk, 4), (world.enterprise_a.pk, 1))},
    ).content.decode()
    assert "第 2 行：甲快递公司与第 1 行重复" in duplicate
    assert sorted(activity.quotas.values_list("places", flat=True)) == [2, 5]
    saved = client.post(
        f"/activities/{activity.pk}/edit/",
        {
            **data,
            **quota_rows((world.enterprise_a.pk, 6), (world.outlet_a.pk, 2), delete=(1,)),
        },
    )
    assert saved.status_code == 302
    assert [(q.body_id, q.places) for q in activity.quotas.all()] == [(world.enterprise_a.pk, 6)]


def test_merchant_edit_and_stop_partnership_then_it_cannot_be_chosen(world, login) -> None:
    """A manager corrects a merchant and stops the partnership (both audited); a merchant no
    longer partnered is not offered for spending and the service refuses it; resuming works."""
    from decimal import Decimal

    from liandong.activities.models import Merchant
    from liandong.activities.services import budget_line_create, expense_record, merchant_create
    from liandong.core.models import AuditLog

    merchant = merchant_create(actor=None, owner=world.union_a, name="昆山镇米厂", products="大米")
    line = budget_line_create(
        actor=None,
        owner=world.union_a,
        year=timezone.localdate().year,
        source="union_funds",
        name="特产消费",
        amount=Decimal("10000"),
    )
    client = login(world.users["admin_a"])
    assert (
        f"/activities/merchants/{merchant.pk}/edit/"
        in client.get("/activities/merchants/").content.decode()
    )
    bad = client.post(
        f"/activities/merchants/{merchant.pk}/edit/", {"name": "", "products": "大米"}
    )
    assert bad.status_code == 200
    assert "商户名称" in bad.content.decode()
    saved = client.post(
        f"/activities/merchants/{merchant.pk}/edit/",
        {"name": "昆山镇米厂", "town": "昆山镇", "products": "大米、香油"},
    )
    assert saved.status_code == 302
    merchant.refresh_from_db()
    assert merchant.products == "大米、香油"
    entry = AuditLog.objects.get(action="activities.merchant_updated")
    assert entry.changes["products"] == ["大米", "大米、香油"]
    assert "昆山镇米厂（大米、香油）" in client.get("/activities/funds/").content.decode()
    client.post(f"/activities/merchants/{merchant.pk}/active/", {"active": "0"})
    merchant.refresh_from_db()
    assert merchant.active is False
    assert AuditLog.objects.filter(action="activities.merchant_deactivated").count() == 1
    assert "昆山镇米厂（大米、香油）" not in client.get("/activities/funds/").content.decode()
    with pytest.raises(ValidationError) as refused:
        expense_record(
            actor=None,
            budget_line=line,
            kind="local_product",
            amount=Decimal("100"),
            spent_on=timezone.localdate(),
            local_merchant=Merchant.objects.get(pk=merchant.pk),
        )
    assert "停止合作" in str(refused.value)
    client.post(f"/activities/merchants/{merchant.pk}/active/", {"active": "1"})
    merchant.refresh_from_db()
    assert merchant.active is True
    # Staff of another union get a 404, as for a merchant that does not exist.
    other = login(world.users["staff_b"])
    assert other.get(f"/activities/merchants/{merchant.pk}/edit/").status_code == 404


def test_api_patch_names_a_partner_unit_the_caller_may_see(world, api_token) -> None:
    """PATCH ``partner_unit_id``: a unit the caller may see (else 422 naming the field, nothing
    changed); the service's own refusals (agreement period) name it too; null removes it."""
    from liandong.activities.services import partner_unit_create

    activity = make_activity(world.union_a)

    def unit(owner, name, ends_in_days=365):
        return partner_unit_create(
            actor=None,
            owner=owner,
            name=name,
            agreement_starts_on=timezone.localdate(),
            agreement_ends_on=timezone.localdate() + timedelta(days=ends_in_days),
            routes="疗养+山水线",
        )

    own, other, lapsed = (
        unit(world.union_a, "红庙山庄"),
        unit(world.union_b, "乙山庄"),
        unit(world.union_a, "旧山庄", ends_in_days=1),
    )
    staff = api_token(world.users["staff_a"])
    url = f"/api/v1/activities/{activity.pk}"

    def patch(body):
        return BrowserClient().patch(url, body, content_type="application/json", **staff)

    for refused in (other, lapsed):
        response = patch({"partner_unit_id": refused.pk})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", "partner_unit_id"]
        activity.refresh_from_db()
        assert activity.partner_unit_id is None
    response = patch({"partner_unit_id": own.pk, "route": "疗养+山水线"})
    assert response.status_code == 200, response.content
    assert response.json()["partner_unit_id"] == own.pk
    activity.refresh_from_db()
    assert (activity.partner_unit_id, activity.route) == (own.pk, "疗养+山水线")
    assert patch({"partner_unit_id": None}).json()["partner_unit_id"] is None
