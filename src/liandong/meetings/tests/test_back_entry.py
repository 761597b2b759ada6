"""补录: meetings held before the platform, recorded afterwards with their attendance, minutes,
resolutions and dated progress. Every rule at the service level, the real forms with CSRF, the
API, the tick jobs (nothing is ever sent) and the year-end summary that counts them."""

from datetime import time, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from liandong.core.backentry import back_entry_floor
from liandong.core.models import AuditLog
from liandong.core.tests.client import BrowserClient, submit_page_form
from liandong.meetings import hooks, selectors, services
from liandong.meetings.models import ActionItem, Meeting, ProgressReport, Reminder
from liandong.meetings.tests.test_services import refused, with_email

TODAY = timezone.localdate


def back_enter(world: Any, mw: Any, **overrides: Any) -> Meeting:
    fields: dict[str, Any] = {
        "actor": world.users["staff_a"],
        "mechanism": mw.mechanism,
        "title": "2026年第一次联席会议（补录）",
        "topic": "权益保障",
        "held_on": TODAY() - timedelta(days=30),
        "host_body": world.union_a,
        "location": "工会会议室",
        "present_bodies": [world.union_a, world.authority],
        "minutes": "会议研究了快递员疗休养安排。",
        **overrides,
    }
    return services.meeting_back_enter(**fields)


# -- the meeting ----------------------------------------------------------------------------------


def test_a_back_entered_meeting_is_held_marked_audited_and_sends_nothing(
    world: Any, mw: Any
) -> None:
    with_email(world)
    mail.outbox.clear()
    meeting = back_enter(world, mw, start_time=time(14, 30))
    assert meeting.status == Meeting.Status.HELD
    assert meeting.back_entered
    assert meeting.back_entered_by == world.users["staff_a"]
    assert meeting.back_entered_at is not None
    assert meeting.held_on == TODAY() - timedelta(days=30)
    assert meeting.local_start.time() == time(14, 30)
    assert meeting.notified_at is None
    assert meeting.invite_sequence == 0
    assert meeting.minutes == "会议研究了快递员疗休养安排。"
    present = dict(meeting.attendances.values_list("organization_id", "present"))
    assert present == {
        world.union_a.pk: True,
        world.authority.pk: True,
        world.enterprise_a.pk: False,
    }
    entry = AuditLog.objects.get(action="meetings.meeting_back_entered")
    assert entry.target_id == str(meeting.pk)
    assert entry.changes["back_entered"] == [None, "补录"]
    assert mail.outbox == []


def test_publishing_a_back_entered_meeting_mails_nobody(world: Any, mw: Any) -> None:
    with_email(world)
    meeting = back_enter(world, mw)
    mail.outbox.clear()
    services.back_entry_minutes_publish(actor=world.users["staff_a"], meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PUBLISHED
    assert mail.outbox == []
    entry = AuditLog.objects.filter(action="meetings.minutes_published").latest("pk")
    assert entry.changes["back_entered"] == [None, "补录"]
    # The live workflow's meeting is not published this way.
    refused(
        lambda: services.back_entry_minutes_publish(actor=None, meeting=mw.held), "minutes", "补录"
    )


@pytest.mark.parametrize(
    ("days_ago", "text"),
    [(-1, "补录的召开日期不能晚于今天"), (731, "最多补录两年内的记录")],
)
def test_dates_in_the_future_or_beyond_two_years_are_refused(
    world: Any, mw: Any, days_ago: int, text: str
) -> None:
    before = Meeting.objects.count()
    refused(
        lambda: back_enter(world, mw, held_on=TODAY() - timedelta(days=days_ago)), "held_on", text
    )
    assert Meeting.objects.count() == before


def test_the_floor_itself_and_today_earlier_in_the_day_are_accepted(world: Any, mw: Any) -> None:
    assert back_enter(world, mw, held_on=back_entry_floor()).held_on == back_entry_floor()
    assert back_enter(world, mw, held_on=TODAY(), start_time=time(0, 0)).held_on == TODAY()


def test_a_start_later_today_is_refused(world: Any, mw: Any) -> None:
    later = (timezone.localtime() + timedelta(minutes=5)).time()
    if timezone.localtime().date() != (timezone.localtime() + timedelta(minutes=5)).date():
        pytest.skip("too close to midnight")
    refused(lambda: back_enter(world, mw, held_on=TODAY(), start_time=later), "start_time")


def test_attending_bodies_and_host_must_be_members(world: Any, mw: Any) -> None:
    refused(
        lambda: back_enter(world, mw, present_bodies=[world.union_b]),
        "present_bodies",
        "不是本机制的成员单位",
    )
    refused(lambda: back_enter(world, mw, host_body=world.union_b), "host_body")
    refused(lambda: back_enter(world, mw, location=""), "location")
    refused(lambda: back_enter(world, mw, title=" "), "title")


def test_a_closed_mechanism_takes_no_back_entry(world: Any, mw: Any) -> None:
    services.mechanism_update(actor=None, mechanism=mw.mechanism, status="closed")
    refused(lambda: back_enter(world, mw), None, "机制已撤销")


# -- resolutions and progress --------------------------------------------------------------------


def test_resolutions_with_real_deadlines_and_dated_progress(world: Any, mw: Any) -> None:
    held_on = TODAY() - timedelta(days=90)
    meeting = back_enter(
        world,
        mw,
        held_on=held_on,
        resolutions=[
            {
                "resolution": "组织快递员疗休养",
                "lead_body": world.authority,
                "deadline": held_on + timedelta(days=30),
                "target": mw.target,
                "progress": [
                    {
                        "reported_on": held_on + timedelta(days=10),
                        "percent": 40,
                        "text": "名额分配",
                    },
                    {"reported_on": held_on + timedelta(days=25), "percent": 100, "text": "已成行"},
                ],
            },
            {
                "resolution": "走访头部快递企业",
                "lead_body": world.enterprise_a,
                "co_bodies": [world.authority],
                "deadline": held_on + timedelta(days=40),
            },
        ],
    )
    done, late = meeting.action_items.order_by("number")
    assert (done.status, done.progress, done.completed_on) == (
        ActionItem.Status.DONE,
        100,
        held_on + timedelta(days=25),
    )
    assert done.back_entered
    assert done.back_entered_on == TODAY()
    assert done.year == held_on.year
    reports = ProgressReport.objects.filter(action_item=done).order_by("reported_on")
    assert [(r.reported_on, r.back_entered) for r in reports] == [
        (held_on + timedelta(days=10), True),
        (held_on + timedelta(days=25), True),
    ]
    # Still open past its deadline: overdue, truthfully, and nobody is told.
    assert late.is_open
    assert late.is_overdue
    assert AuditLog.objects.filter(action="meetings.resolution_back_entered").count() == 2
    assert AuditLog.objects.filter(action="meetings.progress_back_entered").count() == 2


def test_a_broken_resolution_names_itself_and_nothing_is_kept(world: Any, mw: Any) -> None:
    before = Meeting.objects.count(), ActionItem.objects.count()
    error = refused(
        lambda: back_enter(
            world,
            mw,
            resolutions=[
                {"resolution": "一", "lead_body": world.authority, "deadline": TODAY()},
                {
                    "resolution": "二",
                    "lead_body": world.authority,
                    "deadline": TODAY() - timedelta(days=365),
                },
            ],
        ),
        "resolutions[1].deadline",
        "完成时限不能早于会议召开日期",
    )
    assert error
    assert (Meeting.objects.count(), ActionItem.objects.count()) == before


@pytest.mark.parametrize(
    ("offset", "field", "text"),
    [
        (-31, "reported_on", "进展日期不能早于会议召开日期"),
        (31, "reported_on", "补录的进展日期不能晚于今天"),
    ],
)
def test_progress_dates_stay_between_the_meeting_and_today(
    world: Any, mw: Any, offset: int, field: str, text: str
) -> None:
    meeting = back_enter(
        world,
        mw,
        resolutions=[{"resolution": "事项", "lead_body": world.authority, "deadline": TODAY()}],
    )
    item = meeting.action_items.get()
    refused(
        lambda: services.back_entry_progress_report(
            actor=None,
            item=item,
            percent=50,
            text="进展",
            reported_on=meeting.held_on + timedelta(days=30 + offset),
        ),
        field,
        text,
    )
    assert not item.reports.exists()


def test_progress_is_entered_in_order_and_going_back_needs_a_reason(world: Any, mw: Any) -> None:
    meeting = back_enter(
        world,
        mw,
        resolutions=[{"resolution": "事项", "lead_body": world.authority, "deadline": TODAY()}],
    )
    item = meeting.action_items.get()
    services.back_entry_progress_report(
        actor=None, item=item, percent=60, text="推进", reported_on=TODAY() - timedelta(days=5)
    )
    refused(
        lambda: services.back_entry_progress_report(
            actor=None, item=item, percent=70, text="更早", reported_on=TODAY() - timedelta(days=6)
        ),
        "reported_on",
        "不能早于上一次进展",
    )
    refused(
        lambda: services.back_entry_progress_report(
            actor=None, item=item, percent=30, text="回退", reported_on=TODAY()
        ),
        "reason",
    )


def test_only_back_entered_records_take_back_entry(world: Any, mw: Any) -> None:
    refused(
        lambda: services.back_entry_progress_report(
            actor=None, item=mw.item, percent=50, text="x", reported_on=TODAY()
        ),
        "reported_on",
        "只有补录的督办事项",
    )
    refused(
        lambda: services.back_entry_resolution_record(
            actor=None, meeting=mw.held, resolution="x", lead_body=world.authority, deadline=TODAY()
        ),
        "resolution",
        "只有补录的会议",
    )


# -- tick jobs: nothing is sent about the past ----------------------------------------------------


def test_the_tick_sends_no_reminder_for_a_deadline_already_past_when_entered(
    world: Any, mw: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with_email(world)
    ActionItem.objects.filter(pk=mw.item.pk).update(status=ActionItem.Status.DONE)
    meeting = back_enter(
        world,
        mw,
        resolutions=[
            {
                "resolution": "早已逾期",
                "lead_body": world.authority,
                "deadline": TODAY() - timedelta(days=10),
            },
            {
                "resolution": "即将到期",
                "lead_body": world.authority,
                "deadline": TODAY() + timedelta(days=3),
            },
        ],
    )
    past, soon = meeting.action_items.order_by("number")
    mail.outbox.clear()
    assert past.is_overdue  # recorded truthfully
    with django_capture_on_commit_callbacks(execute=True):  # the mail goes after commit
        assert services.reminders_send() == 1  # only the live one, due in three days
    assert list(Reminder.objects.values_list("action_item_id", flat=True)) == [soon.pk]
    assert len(mail.outbox) == 1
    assert "即将到期" in mail.outbox[0].subject
    assert services.reminders_send(today=TODAY() + timedelta(days=1)) == 0
    keys = {c.key for c in hooks.agenda_candidates(mw.mechanism)}
    assert past.agenda_key not in keys
    # The control: the same item entered live would be reminded and put on the agenda.
    ActionItem.objects.filter(pk=past.pk).update(back_entered=False)
    assert services.reminders_send(dry_run=True) == 1
    assert past.agenda_key in {c.key for c in hooks.agenda_candidates(mw.mechanism)}


# -- the year-end summary counts them -------------------------------------------------------------


def test_the_year_end_summary_counts_a_back_entered_meeting_and_its_items(
    world: Any, mw: Any, client: BrowserClient
) -> None:
    held_on = TODAY() - timedelta(days=20)
    year = held_on.year
    before = selectors.year_figures(mw.mechanism, year)
    back_enter(
        world,
        mw,
        held_on=held_on,
        resolutions=[
            {
                "resolution": "补录的已完成事项",
                "lead_body": world.authority,
                "deadline": held_on + timedelta(days=5),
                "progress": [
                    {"reported_on": held_on + timedelta(days=3), "percent": 100, "text": "完成"}
                ],
            }
        ],
    )
    after = selectors.year_figures(mw.mechanism, year)
    assert after.meetings_held == before.meetings_held + 1
    assert after.items_total == before.items_total + 1
    assert after.items_done == before.items_done + 1
    union = {f.label: f.value for f in hooks.year_figures(world.union_a, year)}
    assert union["召开联席会议"] == after.meetings_held
    client.force_login(world.users["admin_a"])
    page = client.get(f"/meetings/{mw.mechanism.pk}/summary/{year}/").content.decode()
    assert "2026年第一次联席会议（补录）" in page
    assert ">补录</span>" in page
    docx = client.get(f"/meetings/{mw.mechanism.pk}/summary/{year}/summary.docx")
    assert docx.status_code == 200


# -- the pages, with the real forms and CSRF -----------------------------------------------------


def csrf_client(world: Any, key: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[key])
    return client


def test_staff_back_enter_a_meeting_its_resolution_progress_and_publish_on_the_pages(
    world: Any, mw: Any
) -> None:
    with_email(world)
    mail.outbox.clear()
    client = csrf_client(world, "staff_a")
    detail = client.get(f"/meetings/{mw.mechanism.pk}/").content.decode()
    assert f"/meetings/{mw.mechanism.pk}/meetings/back-entry/" in detail
    held_on = TODAY() - timedelta(days=50)
    response = submit_page_form(
        client,
        f"/meetings/{mw.mechanism.pk}/meetings/back-entry/",
        {
            "title": "页面补录的会议",
            "held_on": held_on.isoformat(),
            "location": "会议室",
            "present_bodies": world.authority.pk,
            "minutes": "页面补录的纪要",
        },
    )
    meeting = Meeting.objects.get(title="页面补录的会议")
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/meetings/{meeting.pk}/"
    assert meeting.back_entered
    assert meeting.status == Meeting.Status.HELD
    page = client.get(response["Location"]).content.decode()
    assert ">补录</span>" in page
    assert "未发送会议通知" in page
    response = submit_page_form(
        client,
        f"/meetings/meetings/{meeting.pk}/",
        {
            "resolution": "页面补录的议定事项",
            "lead_body": world.authority.pk,
            "co_bodies": world.enterprise_a.pk,
            "deadline": (held_on + timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    item = meeting.action_items.get()
    assert item.back_entered
    response = submit_page_form(
        client,
        f"/meetings/items/{item.pk}/",
        {"reported_on": (held_on + timedelta(days=8)).isoformat(), "percent": 100, "text": "办结"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.completed_on) == (ActionItem.Status.DONE, held_on + timedelta(days=8))
    item_page = client.get(f"/meetings/items/{item.pk}/").content.decode()
    assert ">补录</span>" in item_page
    publish = client.get(f"/meetings/meetings/{meeting.pk}/")
    assert f"/meetings/meetings/{meeting.pk}/publish/" in publish.content.decode()
    token = client.cookies["csrftoken"].value
    response = client.post(
        f"/meetings/meetings/{meeting.pk}/publish/", {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PUBLISHED
    assert mail.outbox == []


def test_the_form_refuses_a_future_date_in_chinese_and_changes_nothing(world: Any, mw: Any) -> None:
    client = csrf_client(world, "admin_a")
    before = Meeting.objects.count(), AuditLog.objects.count()
    response = submit_page_form(
        client,
        f"/meetings/{mw.mechanism.pk}/meetings/back-entry/",
        {
            "title": "未来的会议",
            "held_on": (TODAY() + timedelta(days=3)).isoformat(),
            "location": "会议室",
        },
    )
    assert response.status_code == 200
    assert "补录的召开日期不能晚于今天" in response.content.decode()
    assert (Meeting.objects.count(), AuditLog.objects.count()) == before


def test_a_liaison_may_see_but_not_back_enter(world: Any, mw: Any) -> None:
    client = BrowserClient()
    client.force_login(world.users["liaison"])
    assert client.get(f"/meetings/{mw.mechanism.pk}/meetings/back-entry/").status_code == 403
    assert "补录会议" not in client.get(f"/meetings/{mw.mechanism.pk}/").content.decode()
    item = back_enter(
        world,
        mw,
        resolutions=[{"resolution": "事项", "lead_body": world.authority, "deadline": TODAY()}],
    ).action_items.get()
    # The lead body's liaison reports today's progress the ordinary way (no date field).
    page = client.get(f"/meetings/items/{item.pk}/").content.decode()
    assert 'name="percent"' in page
    assert 'name="reported_on"' not in page


# -- the API ------------------------------------------------------------------------------------


P = "/api/v1/meetings"


def test_the_api_back_enters_a_whole_meeting_in_one_call(
    world: Any, mw: Any, api_token: Any
) -> None:
    with_email(world)
    mail.outbox.clear()
    held_on = TODAY() - timedelta(days=100)
    response = BrowserClient().post(
        f"{P}/mechanisms/{mw.mechanism.pk}/back-entries",
        {
            "title": "API 补录会议",
            "held_on": held_on.isoformat(),
            "location": "会议室",
            "host_body_id": world.union_a.pk,
            "present_body_ids": [world.authority.pk],
            "minutes": "纪要",
            "publish": True,
            "resolutions": [
                {
                    "resolution": "API 补录事项",
                    "lead_body_id": world.authority.pk,
                    "deadline": (held_on + timedelta(days=30)).isoformat(),
                    "progress": [
                        {
                            "reported_on": (held_on + timedelta(days=20)).isoformat(),
                            "percent": 100,
                            "text": "完成",
                        }
                    ],
                }
            ],
        },
        content_type="application/json",
        **api_token(world.users["admin_a"]),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["back_entered"] is True
    assert body["status"] == Meeting.Status.PUBLISHED
    item = ActionItem.objects.get(pk=body["action_item_ids"][0])
    assert item.completed_on == held_on + timedelta(days=20)
    assert mail.outbox == []


def test_the_api_names_the_field_of_a_refused_date(world: Any, mw: Any, api_token: Any) -> None:
    bearer = api_token(world.users["admin_a"])
    before = Meeting.objects.count()
    response = BrowserClient().post(
        f"{P}/mechanisms/{mw.mechanism.pk}/back-entries",
        {
            "title": "未来",
            "held_on": (TODAY() + timedelta(days=1)).isoformat(),
            "location": "会议室",
            "host_body_id": world.union_a.pk,
        },
        content_type="application/json",
        **bearer,
    )
    assert response.status_code == 422
    assert "held_on" in str(response.json())
    assert "不能晚于今天" in str(response.json())
    item = back_enter(
        world,
        mw,
        resolutions=[{"resolution": "事项", "lead_body": world.authority, "deadline": TODAY()}],
    ).action_items.get()
    response = BrowserClient().post(
        f"{P}/action-items/{item.pk}/back-progress",
        {"reported_on": (TODAY() + timedelta(days=2)).isoformat(), "percent": 10, "text": "x"},
        content_type="application/json",
        **bearer,
    )
    assert response.status_code == 422
    assert "reported_on" in str(response.json())
    assert Meeting.objects.count() == before + 1
    assert not item.reports.exists()
