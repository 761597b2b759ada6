"""Who hears of an action item (meetings/notices.py through notifications.notify): the lead
body's accounts when it is assigned, due within 7 days and overdue."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from liandong.meetings import services
from liandong.meetings.models import ActionItem, Reminder
from liandong.notifications.models import Delivery, Message


def _told(kind: str) -> set[str]:
    return set(Message.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_an_assigned_item_tells_the_lead_bodys_accounts(world: Any, mw: Any) -> None:
    # mw.item was recorded by the fixture, led by the authority (the liaison's body)
    assert _told("meetings.item_assigned") == {"liaison"}
    message = Message.objects.get(kind="meetings.item_assigned")
    assert "组织快递员疗休养" in message.title
    assert message.link == f"/meetings/items/{mw.item.pk}/"
    assert message.target == f"meetings.actionitem:{mw.item.pk}"
    assert not message.urgent


def test_reminders_tell_the_lead_body_once_and_overdue_is_urgent(world: Any, mw: Any) -> None:
    today = timezone.localdate()
    ActionItem.objects.filter(pk=mw.item.pk).update(deadline=today + timedelta(days=7))
    assert services.reminders_send() == 1
    assert services.reminders_send() == 0
    soon = Message.objects.get(kind="meetings.item_due_soon")
    assert soon.recipient == world.users["liaison"]
    assert "即将到期" in soon.title
    assert not soon.urgent
    ActionItem.objects.filter(pk=mw.item.pk).update(deadline=today - timedelta(days=1))
    assert services.reminders_send() == 1
    assert services.reminders_send() == 0
    overdue = Message.objects.get(kind="meetings.item_overdue")
    assert overdue.recipient == world.users["liaison"]
    assert overdue.urgent
    assert "20%" in overdue.body
    assert Reminder.objects.count() == 2


def test_a_back_entered_item_tells_no_one(world: Any, mw: Any) -> None:
    Message.objects.all().delete()
    services.meeting_back_enter(
        actor=world.users["admin_a"],
        mechanism=mw.mechanism,
        title="补录的会议",
        location="工会会议室",
        held_on=timezone.localdate() - timedelta(days=40),
        host_body=world.union_a,
        resolutions=[
            {
                "resolution": "补录的议定事项",
                "lead_body": world.authority,
                "deadline": timezone.localdate() - timedelta(days=10),
            }
        ],
    )
    assert services.reminders_send() == 0
    assert not Message.objects.exists()


def test_a_rolled_back_resolution_tells_no_one(world: Any, mw: Any) -> None:
    Message.objects.all().delete()
    Delivery.objects.all().delete()

    def record_then_fail() -> None:
        with transaction.atomic():
            services.resolution_record(
                actor=None,
                meeting=mw.held,
                resolution="回滚的事项",
                lead_body=world.enterprise_a,
                deadline=timezone.localdate() + timedelta(days=5),
            )
            assert _told("meetings.item_assigned") == {"ent_a"}
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        record_then_fail()
    assert not Message.objects.exists()
    assert not Delivery.objects.exists()


def test_the_meeting_page_shows_deliveries_to_its_managers_only(
    world: Any, mw: Any, client: Any
) -> None:
    from django.urls import reverse

    world.users["liaison"].email = "liaison@gov.example"
    world.users["liaison"].save(update_fields=["email"])
    services.meeting_notify(actor=None, meeting=mw.future)
    url = reverse("meetings:meeting-detail", args=[mw.future.pk])
    client.force_login(world.users["staff_a"])  # of the convening union
    page = client.get(url).content.decode()
    assert "消息送达情况" in page
    assert "待发送" in page  # the liaison's email, not yet sent (no commit in the test)
    client.force_login(world.users["liaison"])  # a member body's liaison
    assert "消息送达情况" not in client.get(url).content.decode()
