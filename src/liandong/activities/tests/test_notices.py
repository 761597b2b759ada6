"""Who hears of an activity's lottery and notice (activities/notices.py through notify)."""

from datetime import date
from typing import Any

import pytest
from django.db import transaction

from liandong.accounts.sms import MemoryBackend
from liandong.activities.models import Application, ApplicationStatus, Selection
from liandong.activities.services import (
    activity_draw,
    activity_publish_notice,
    application_submit,
    application_withdraw,
)
from liandong.activities.tests.factories import close_window, make_activity
from liandong.notifications.models import Delivery, Message
from liandong.workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.usefixtures("no_pii_in_logs")


def _lottery(world: Any, places: int) -> Any:
    return make_activity(world.union_a, selection=Selection.LOTTERY, total_places=places)


def _sms_to(mobile: str) -> list[str]:
    return [text for number, text in MemoryBackend.outbox if number == mobile]


def test_the_draw_tells_each_applicant_their_result(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    activity = _lottery(world, places=1)
    other = WorkerFactory(
        name="赵丙", employer=world.outlet_a, joined_union_on=date(2020, 1, 1), mobile="13919312222"
    )
    application_submit(actor=None, activity=activity, worker=world.worker_a)  # has an account
    application_submit(actor=None, activity=activity, worker=other)  # has none
    with django_capture_on_commit_callbacks(execute=True):
        activity_draw(actor=None, activity=close_window(activity))
    won = Application.objects.get(activity=activity, status=ApplicationStatus.SELECTED)
    account_kind = (
        "activities.selected" if won.worker_id == world.worker_a.pk else ("activities.waitlisted")
    )
    other_kind = ({"activities.selected", "activities.waitlisted"} - {account_kind}).pop()
    # the worker with an account: the inbox, linking to the public notice
    message = Message.objects.get()
    assert message.recipient == world.users["worker_a"]
    assert message.kind == account_kind
    assert activity.title in message.title
    assert message.link == f"/activities/public/{activity.pk}/"
    # the other: one SMS to the roster number, naming the activity and the link, no name
    [text] = _sms_to("13919312222")
    assert activity.title in text
    assert ("已中签" in text) == (other_kind == "activities.selected")
    assert f"/activities/public/{activity.pk}/" in text
    assert "赵丙" not in text
    assert Delivery.objects.filter(kind=other_kind, recipient__isnull=True).count() == 1


def test_a_freed_place_tells_the_promoted_worker(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    activity = _lottery(world, places=1)
    other = WorkerFactory(
        employer=world.outlet_a, joined_union_on=date(2020, 1, 1), mobile="13919313333"
    )
    application_submit(actor=None, activity=activity, worker=world.worker_a)
    application_submit(actor=None, activity=activity, worker=other)
    activity = activity_draw(actor=None, activity=close_window(activity))
    won = Application.objects.get(activity=activity, status=ApplicationStatus.SELECTED)
    MemoryBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        application_withdraw(actor=None, application=won, reason="临时出车")
    if won.worker_id == world.worker_a.pk:  # the other, without an account, is promoted
        assert not Message.objects.filter(kind="activities.promoted").exists()
        [text] = _sms_to("13919313333")
        assert "递补" in text
    else:
        promoted = Message.objects.get(kind="activities.promoted")
        assert promoted.recipient == world.users["worker_a"]
        assert "递补" in promoted.title
        assert _sms_to("13919313333") == []


def test_the_notice_tells_the_organizers_staff(world: Any) -> None:
    activity = _lottery(world, places=1)
    application_submit(actor=None, activity=activity, worker=world.worker_a)
    activity = activity_draw(actor=None, activity=close_window(activity))
    activity_publish_notice(actor=None, activity=activity, days=5, objection_channel="0931-8888888")
    told = set(
        Message.objects.filter(kind="activities.notice_opened").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"admin_a", "staff_a"}  # union A's accounts, not the worker nor union B
    assert "0931-8888888" in Message.objects.filter(kind="activities.notice_opened")[0].body


def test_a_rolled_back_draw_tells_no_one(world: Any) -> None:
    activity = _lottery(world, places=1)
    application_submit(actor=None, activity=activity, worker=world.worker_a)
    activity = close_window(activity)

    def draw_then_fail() -> None:
        with transaction.atomic():
            activity_draw(actor=None, activity=activity)
            assert Message.objects.exists()
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        draw_then_fail()
    assert not Message.objects.exists()
    assert not Delivery.objects.exists()
