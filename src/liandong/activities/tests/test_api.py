"""The API: applying, the verifiable lottery recomputed from the public data only, figures,
funds and bookings; errors are JSON 4xx naming the field in Chinese."""

import hashlib
import hmac
from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from liandong.activities.models import (
    Activity,
    ActivityKind,
    Application,
    ExpenseKind,
    FundSource,
    Selection,
)
from liandong.activities.services import (
    activity_draw,
    application_submit,
    budget_line_create,
    expense_record,
    home_create,
)
from liandong.activities.tests.factories import close_window, make_activity, quota_rows
from liandong.core.tests.client import BrowserClient
from liandong.core.tests.matrix import assert_no_pii, response_bytes
from liandong.organizations.tests.factories import OutletFactory
from liandong.workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.usefixtures("no_pii_in_logs")


def json_post(client, url, data, headers):
    return client.post(url, data, content_type="application/json", **headers)


def test_a_worker_applies_and_a_second_try_names_the_field(world, api_token) -> None:
    activity = make_activity(world.union_a, total_places=40)
    headers = api_token(world.users["worker_a"])
    response = json_post(BrowserClient(), f"/api/v1/activities/{activity.pk}/apply", {}, headers)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "selected"
    again = json_post(BrowserClient(), f"/api/v1/activities/{activity.pk}/apply", {}, headers)
    assert again.status_code == 422
    assert again.json()["detail"] == [
        {"loc": ["body", "activity"], "msg": "您已报过名，不能重复报名", "type": "duplicate"}
    ]
    assert Activity.objects.get(pk=activity.pk).places_taken == 1


def test_creating_an_activity_through_the_api(world, api_token) -> None:
    headers = api_token(world.users["staff_a"])
    now = timezone.now()
    body = {
        "title": "甘南草原疗休养",
        "kind": "recuperation",
        "starts_on": "2026-06-10",
        "ends_on": "2026-06-15",
        "total_places": 40,
        "selection": "lottery",
        "applications_open_at": now.isoformat(),
        "applications_close_at": (now + timedelta(days=3)).isoformat(),
        "members_only": True,
        "priority_rules": ["honour:劳模", "never_recuperated"],
        "co_organizer_ids": [world.authority.pk],
        "quotas": [{"body_id": world.enterprise_a.pk, "places": 30}],
        "publish": True,
    }
    response = json_post(BrowserClient(), "/api/v1/activities/", body, headers)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "open"
    assert len(data["seed_commitment"]) == 64
    assert data["seed"] == ""
    assert data["quotas"] == [
        {"body_id": world.enterprise_a.pk, "body_name": "甲快递公司", "places": 30, "taken": 0}
    ]
    over = json_post(
        BrowserClient(),
        "/api/v1/activities/",
        {**body, "quotas": [{"body_id": world.enterprise_a.pk, "places": 41}]},
        headers,
    )
    assert over.status_code == 422
    assert over.json()["detail"][0]["loc"] == ["body", "quotas"]
    foreign = json_post(
        BrowserClient(),
        "/api/v1/activities/",
        {**body, "quotas": [{"body_id": world.enterprise_b.pk, "places": 1}]},
        headers,
    )
    assert foreign.status_code == 422
    assert "名额单位" in foreign.json()["detail"][0]["msg"]
    assert Activity.objects.count() == 1


def recompute(public: dict) -> tuple[list[int], set[int]]:
    """The draw, recomputed by an outsider from the public notice alone."""
    seed = public["seed"]
    assert hashlib.sha256(seed.encode()).hexdigest() == public["seed_commitment"]
    applicants = public["applicants"]

    def key(entry):
        return (
            entry["tier"],
            hmac.new(seed.encode(), str(entry["application_id"]).encode(), "sha256").hexdigest(),
        )

    ranked = sorted(applicants, key=key)
    left = dict(public["quotas"])
    places = public["total_places"]
    selected = set()
    for entry in ranked:
        if places == 0:
            break
        if left:
            if left.get(entry["body"], 0) <= 0:
                continue
            left[entry["body"]] -= 1
        selected.add(entry["application_id"])
        places -= 1
    return [e["application_id"] for e in ranked], selected


def test_anyone_can_recompute_the_draw_from_the_public_notice(world) -> None:
    second_outlet = OutletFactory(name="甲快递七里河网点", code="W-OA2", parent=world.enterprise_a)
    activity = make_activity(
        world.union_a,
        selection=Selection.LOTTERY,
        total_places=10,
        priority_rules=["member"],
        quotas=[(world.outlet_a, 4), (second_outlet, 5)],
    )
    for i in range(30):
        worker = WorkerFactory(
            employer=world.outlet_a if i % 2 else second_outlet,
            joined_union_on=date(2021, 1, 1) if i % 3 == 0 else None,
        )
        application_submit(actor=None, activity=activity, worker=worker)
    before = BrowserClient().get(f"/api/v1/public/activities/{activity.pk}").json()
    assert before["seed"] == ""
    assert before["applicants"] == []
    assert len(before["seed_commitment"]) == 64
    activity_draw(actor=None, activity=close_window(activity))

    response = BrowserClient().get(f"/api/v1/public/activities/{activity.pk}")
    assert response.status_code == 200
    assert_no_pii(response_bytes(response), "the public notice")
    public = response.json()
    ranked, selected = recompute(public)
    assert ranked == [e["application_id"] for e in public["applicants"]]
    assert selected == {e["application_id"] for e in public["selected"]}
    assert len(selected) == 9  # the quotas (4 + 5) cap the 10 places
    assert {e["application_id"] for e in public["waitlist"]} == set(ranked) - selected
    members_first = [e["tier"] for e in public["applicants"]]
    assert members_first == sorted(members_first)
    assert all(
        "*" in e["name"] and "********" in e["id_number_masked"] for e in public["applicants"]
    )


def test_a_draft_has_no_public_notice(world) -> None:
    draft = make_activity(world.union_a, publish=False)
    assert BrowserClient().get(f"/api/v1/public/activities/{draft.pk}").status_code == 404
    assert BrowserClient().get(f"/activities/public/{draft.pk}/").status_code == 404


def test_check_in_by_token_and_feedback(world, api_token) -> None:
    activity = make_activity(world.union_a, starts_on=timezone.localdate())
    application = application_submit(actor=None, activity=activity, worker=world.worker_a)
    staff_b = api_token(world.users["staff_b"])
    assert (
        json_post(
            BrowserClient(),
            "/api/v1/activities/checkin",
            {"token": application.checkin_token},
            staff_b,
        ).status_code
        == 422
    )  # another union cannot check in A's participants
    staff = api_token(world.users["staff_a"])
    response = json_post(
        BrowserClient(), "/api/v1/activities/checkin", {"token": application.checkin_token}, staff
    )
    assert response.status_code == 200
    assert response.json()["checked_in_at"]
    assert (
        json_post(BrowserClient(), "/api/v1/activities/checkin", {"token": "x" * 32}, staff).json()[
            "detail"
        ][0]["msg"]
        == "签到码无效"
    )
    worker = api_token(world.users["worker_a"])
    rated = json_post(
        BrowserClient(),
        f"/api/v1/activities/applications/{application.pk}/feedback",
        {"rating": 5},
        worker,
    )
    assert rated.status_code == 200
    assert rated.json()["rating"] == 5


def test_figures_and_export(world, api_token) -> None:
    activity = make_activity(
        world.union_a, starts_on=date(2026, 6, 10), ends_on=date(2026, 6, 15), total_places=40
    )
    application_submit(actor=None, activity=activity, worker=world.worker_a)
    line = budget_line_create(
        actor=None,
        owner=world.union_a,
        year=2026,
        source=FundSource.UNION_FUNDS,
        name="疗休养经费",
        amount=200000,
    )
    expense_record(
        actor=None,
        budget_line=line,
        kind=ExpenseKind.EXPENSE,
        amount=96000,
        spent_on=date(2026, 6, 16),
        activity=activity,
    )
    make_activity(
        world.union_b,
        title="乙方活动",
        starts_on=date(2026, 7, 1),
        ends_on=date(2026, 7, 1),
        total_places=99,
    )
    headers = api_token(world.users["staff_a"])
    data = BrowserClient().get("/api/v1/activities/figures?year=2026", **headers).json()
    assert (data["activities"], data["places"], data["selected"]) == (1, 40, 1)
    assert float(data["expenses"]) == 96000
    assert data["rows"][0]["label"] == "疗休养"
    export = BrowserClient().get("/api/v1/activities/figures/export?year=2026", **headers)
    assert export.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[2][:3] == ("疗休养", 1, 40)
    assert rows[3][0] == "合计"
    assert rows[3][7] == 96000
    assert BrowserClient().get("/api/v1/activities/figures?year=1", **headers).status_code == 422


def test_over_budget_expense_via_api_needs_admin_and_reason(world, api_token) -> None:
    line = budget_line_create(
        actor=None,
        owner=world.union_a,
        year=2026,
        source=FundSource.SPECIAL_FUND,
        name="微疗养专项资金",
        amount=500000,
        override_ceiling=150000,
    )
    body = {
        "budget_line_id": line.pk,
        "kind": "expense",
        "amount": "600000.00",
        "spent_on": "2026-05-01",
    }
    staff = api_token(world.users["staff_a"])
    refused = json_post(
        BrowserClient(), "/api/v1/activities/expenses", {**body, "override_reason": "追加"}, staff
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "amount"]
    admin = api_token(world.users["admin_a"])
    assert json_post(BrowserClient(), "/api/v1/activities/expenses", body, admin).status_code == 422
    done = json_post(
        BrowserClient(),
        "/api/v1/activities/expenses",
        {**body, "override_reason": "市总追加拨款"},
        admin,
    )
    # An admin's override waits for a second admin; nothing is spent yet.
    assert done.status_code == 201
    assert done.json()["status"] == "pending"
    assert float(done.json()["remainder"]) == 500000
    # The requester may not approve it; the province's admin (over union A) may.
    own = json_post(
        BrowserClient(), f"/api/v1/activities/expenses/{done.json()['id']}/approve", {}, admin
    )
    assert own.status_code == 422
    second = api_token(world.users["province_admin"])
    approved = json_post(
        BrowserClient(), f"/api/v1/activities/expenses/{done.json()['id']}/approve", {}, second
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "recorded"
    assert float(approved.json()["remainder"]) == -100000
    # Beyond the ceiling (a 99,999,999 元 override against the line) is refused outright.
    huge = json_post(
        BrowserClient(),
        "/api/v1/activities/expenses",
        {**body, "amount": "99999999.00", "override_reason": "误填"},
        admin,
    )
    assert huge.status_code == 422
    assert "超预算上限" in huge.json()["detail"][0]["msg"]


def test_booking_via_api_refuses_overlaps(world, api_token) -> None:
    home = home_create(
        actor=None,
        name="梅江街职工之家",
        owners=[world.union_a],
        opens_at=time(9),
        closes_at=time(21),
    )
    headers = api_token(world.users["staff_a"])
    day = (timezone.localdate() + timedelta(days=2)).isoformat()
    body = {
        "owner_id": world.union_a.pk,
        "starts_at": f"{day}T10:00:00+08:00",
        "ends_at": f"{day}T12:00:00+08:00",
        "purpose": "新就业形态劳动者义诊",
        "people": 30,
    }
    assert (
        json_post(
            BrowserClient(), f"/api/v1/activities/homes/{home.pk}/bookings", body, headers
        ).status_code
        == 201
    )
    clash = json_post(
        BrowserClient(),
        f"/api/v1/activities/homes/{home.pk}/bookings",
        {**body, "starts_at": f"{day}T11:00:00+08:00", "ends_at": f"{day}T13:00:00+08:00"},
        headers,
    )
    assert clash.status_code == 422
    assert clash.json()["detail"][0]["loc"] == ["body", "starts_at"]
    assert "已被预约" in clash.json()["detail"][0]["msg"]


def test_open_events_record_people_served_per_sub_venue(world, api_token) -> None:
    activity = make_activity(
        world.union_a,
        title="爱心义剪",
        kind=ActivityKind.CHARITY,
        selection=Selection.OPEN,
        total_places=0,
        applications_open_at=None,
        applications_close_at=None,
        sub_venues=["城关区社区", "建筑工地"],
    )
    venue = activity.sub_venues.first()
    headers = api_token(world.users["staff_a"])
    response = json_post(
        BrowserClient(),
        f"/api/v1/activities/{activity.pk}/served",
        {"people": 160, "served_on": "2026-04-20", "sub_venue_id": venue.pk},
        headers,
    )
    assert response.status_code == 201
    bad = json_post(
        BrowserClient(),
        f"/api/v1/activities/{activity.pk}/served",
        {"people": 0, "served_on": "2026-04-20"},
        headers,
    )
    assert bad.status_code == 422
    assert Application.objects.count() == 0


def test_staff_create_an_activity_on_the_page_and_errors_name_the_field(world, login) -> None:
    client = login(world.users["staff_a"])
    assert "协办单位" in client.get("/activities/new/").content.decode()
    data = {
        "title": "甘南草原疗休养",
        "kind": "recuperation",
        "organizer": world.union_a.pk,
        "starts_on": "2027-06-08",
        "ends_on": "2027-06-13",
        "selection": "lottery",
        "total_places": 40,
        "applications_open_at": "2027-05-01T09:00",
        "applications_close_at": "2027-05-20T18:00",
        "no_recuperation_years": 3,
        "min_years_registered": 0,
        **quota_rows((world.enterprise_a.pk, 50)),
        "co_organizers": [world.authority.pk],
        "target_worker_types": ["courier"],
    }
    response = client.post("/activities/new/", data)
    assert response.status_code == 200
    assert "各单位名额之和超过了总名额" in response.content.decode()
    assert Activity.objects.count() == 0
    response = client.post("/activities/new/", {**data, **quota_rows((world.enterprise_b.pk, 5))})
    assert "不存在或不在您的范围内" in response.content.decode()
    response = client.post("/activities/new/", {**data, **quota_rows((world.enterprise_a.pk, 30))})
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.status == "draft"
    assert list(activity.co_organizers.all()) == [world.authority]
    assert client.post(f"/activities/{activity.pk}/publish/").status_code == 302
    activity.refresh_from_db()
    assert activity.status == "open"
    assert len(activity.seed_commitment) == 64
