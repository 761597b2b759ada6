"""补录: activities held before the platform, recorded afterwards with their participants, so
that the year's figures cover the whole year. Every rule at the service level, the real form
with CSRF, and the API."""

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from liandong.activities import hooks, services
from liandong.activities.models import Activity, ActivityStatus, Application, ApplicationStatus
from liandong.core.models import AuditLog
from liandong.core.tests.client import BrowserClient, submit_page_form
from liandong.workers.permissions import workers_visible_to
from liandong.workers.tests.factories import WorkerFactory

TODAY = timezone.localdate


def back_enter(world: Any, **overrides: Any) -> Activity:
    fields: dict[str, Any] = {
        "actor": world.users["staff_a"],
        "organizer": world.union_a,
        "title": "甘南疗休养（补录）",
        "kind": "recuperation",
        "starts_on": TODAY() - timedelta(days=40),
        "ends_on": TODAY() - timedelta(days=35),
        "participants": [world.worker_a],
        **overrides,
    }
    return services.activity_back_enter(**fields)


def refused(call: Any, field: str, text: str = "") -> None:
    before = Activity.objects.count(), Application.objects.count(), AuditLog.objects.count()
    with pytest.raises(ValidationError) as caught:
        call()
    assert field in caught.value.message_dict, caught.value
    assert text in " ".join(caught.value.messages)
    assert (
        Activity.objects.count(),
        Application.objects.count(),
        AuditLog.objects.count(),
    ) == before


def test_a_back_entered_activity_is_confirmed_with_its_participants_and_audited(world: Any) -> None:
    mail.outbox.clear()
    activity = back_enter(world)
    assert activity.back_entered
    assert activity.back_entered_at is not None
    assert activity.created_by == world.users["staff_a"]
    assert activity.status == ActivityStatus.CONFIRMED
    assert (activity.total_places, activity.places_taken) == (1, 1)
    application = activity.applications.get()
    assert application.worker == world.worker_a
    assert application.status == ApplicationStatus.CONFIRMED
    assert application.checked_in_at is not None
    assert timezone.localtime(application.checked_in_at).date() == activity.starts_on
    entry = AuditLog.objects.get(action="activities.back_entered")
    assert entry.changes["back_entered"] == [None, "补录"]
    assert entry.changes["participants"] == 1
    assert mail.outbox == []


def test_the_years_figures_count_a_back_entered_activity(world: Any) -> None:
    year = (TODAY() - timedelta(days=40)).year
    before = {f.label: f.value for f in hooks.year_figures(world.union_a, year)}
    back_enter(world)
    back_enter(world, title="爱心义剪（补录）", kind="charity", participants=[], people_served=300)
    after = {f.label: f.value for f in hooks.year_figures(world.union_a, year)}
    assert after["服务活动场次"] == before["服务活动场次"] + 2
    assert after["疗休养人次"] == before["疗休养人次"] + 1
    assert after["参加活动人数"] == before["参加活动人数"] + 1
    assert after["服务群众人次"] == before["服务群众人次"] + 301


@pytest.mark.parametrize(
    ("starts", "ends", "field", "text"),
    [
        (-3, -1, "starts_on", "补录的开始日期不能晚于今天"),
        (5, -1, "ends_on", "补录的结束日期不能晚于今天"),
        (800, 790, "starts_on", "最多补录两年内的记录"),
        (5, 10, "ends_on", "结束日期不能早于开始日期"),
    ],
)
def test_dates_must_lie_in_the_past_window(
    world: Any, starts: int, ends: int, field: str, text: str
) -> None:
    refused(
        lambda: back_enter(
            world,
            starts_on=TODAY() - timedelta(days=starts),
            ends_on=TODAY() - timedelta(days=ends),
        ),
        field,
        text,
    )


def test_participants_are_in_the_organizers_scope_and_someone_took_part(world: Any) -> None:
    refused(lambda: back_enter(world, participants=[world.worker_b]), "participants", "李乙")
    refused(lambda: back_enter(world, participants=[]), "participants", "服务人次")
    refused(lambda: back_enter(world, title=" "), "title")


def test_participants_are_found_by_number_or_roster_id_number_within_scope(world: Any) -> None:
    other = WorkerFactory(name="赵丙", employer=world.outlet_a)
    scope = workers_visible_to(world.users["staff_a"])
    found = services.participants_resolve(
        scope=scope, lines=f"{other.pk}\n620102198403152712\n\n{other.pk}"
    )
    assert {w.pk for w in found} == {other.pk, world.worker_a.pk}
    with pytest.raises(ValidationError) as caught:
        services.participants_resolve(scope=scope, lines=f"{world.worker_b.pk}")
    assert "不在您的范围内" in caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:
        services.participants_resolve(scope=scope, lines="张三")
    assert "不是职工编号或有效的身份证号" in caught.value.messages[0]


# -- the page, with the real form and CSRF ------------------------------------------------------


def test_staff_back_enter_an_activity_on_the_page(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["staff_a"])
    assert "/activities/back-entry/" in client.get("/activities/").content.decode()
    day = TODAY() - timedelta(days=20)
    response = submit_page_form(
        client,
        "/activities/back-entry/",
        {
            "title": "页面补录的疗休养",
            "kind": "recuperation",
            "starts_on": day.isoformat(),
            "ends_on": day.isoformat(),
            "participants": "620102198403152712",
        },
    )
    activity = Activity.objects.get(title="页面补录的疗休养")
    assert response.status_code == 302
    assert response["Location"] == f"/activities/{activity.pk}/"
    assert activity.back_entered
    assert list(activity.applications.values_list("worker_id", flat=True)) == [world.worker_a.pk]
    page = client.get(response["Location"]).content.decode()
    assert ">补录</span>" in page


def test_the_page_refuses_a_future_date_and_an_unknown_worker_in_chinese(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["admin_a"])
    before = Activity.objects.count()
    response = submit_page_form(
        client,
        "/activities/back-entry/",
        {
            "title": "未来的活动",
            "kind": "charity",
            "starts_on": (TODAY() + timedelta(days=2)).isoformat(),
            "ends_on": (TODAY() + timedelta(days=2)).isoformat(),
            "people_served": "10",
        },
    )
    assert response.status_code == 200
    assert "补录的开始日期不能晚于今天" in response.content.decode()
    response = submit_page_form(
        client,
        "/activities/back-entry/",
        {
            "title": "乙方职工",
            "kind": "charity",
            "starts_on": TODAY().isoformat(),
            "ends_on": TODAY().isoformat(),
            "participants": str(world.worker_b.pk),
        },
    )
    assert response.status_code == 200
    assert "不在您的范围内" in response.content.decode()
    assert Activity.objects.count() == before


def test_a_liaison_cannot_back_enter(world: Any) -> None:
    client = BrowserClient()
    client.force_login(world.users["liaison"])
    assert client.get("/activities/back-entry/").status_code == 403


# -- the API ------------------------------------------------------------------------------------


def test_the_api_back_enters_an_activity_and_names_a_refused_field(
    world: Any, api_token: Any
) -> None:
    bearer = api_token(world.users["admin_a"])
    day = (TODAY() - timedelta(days=10)).isoformat()
    response = BrowserClient().post(
        "/api/v1/activities/back-entries",
        {
            "title": "API 补录疗休养",
            "kind": "recuperation",
            "starts_on": day,
            "ends_on": day,
            "participant_ids": [world.worker_a.pk],
        },
        content_type="application/json",
        **bearer,
    )
    assert response.status_code == 201, response.content
    assert response.json()["back_entered"] is True
    assert response.json()["places_taken"] == 1
    response = BrowserClient().post(
        "/api/v1/activities/back-entries",
        {
            "title": "API 未来",
            "kind": "charity",
            "starts_on": (TODAY() + timedelta(days=1)).isoformat(),
            "ends_on": (TODAY() + timedelta(days=1)).isoformat(),
            "people_served": 5,
        },
        content_type="application/json",
        **bearer,
    )
    assert response.status_code == 422
    assert "starts_on" in str(response.json())
    response = BrowserClient().post(
        "/api/v1/activities/back-entries",
        {
            "title": "乙方职工",
            "kind": "charity",
            "starts_on": day,
            "ends_on": day,
            "participant_ids": [world.worker_b.pk],
        },
        content_type="application/json",
        **bearer,
    )
    assert response.status_code == 422
    assert "participant_ids" in str(response.json())
    assert "不在您的范围内" in str(response.json())
    assert Activity.objects.filter(back_entered=True).count() == 1
