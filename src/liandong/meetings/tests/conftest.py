"""Fixtures of the meetings tests: a mechanism of union A with the authority (a partner
liaison's body) and enterprise A as members, in every state a page can show."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from liandong.meetings import services
from liandong.meetings.models import (
    ActionItem,
    AnnualPlan,
    Mechanism,
    Meeting,
    PlanTarget,
    ProgressAttachment,
)

PDF = b"%PDF-1.4\n% test\n"


@dataclass
class MeetingWorld:
    mechanism: Mechanism
    plan: AnnualPlan
    target: PlanTarget
    future: Meeting  # 筹备中, in ten days
    held: Meeting  # 已召开 three days ago, minutes drafted
    published: Meeting  # 纪要已发布
    item: ActionItem  # led by the authority, due in a month
    attachment: ProgressAttachment


def held_meeting(
    *, mechanism: Mechanism, host: Any, days_ago: int = 3, title: str = "已召开的会议"
) -> Meeting:
    """A meeting that was notified and then held in the past (notices go out only for the future,
    so the history is written back)."""
    meeting = services.meeting_schedule(
        actor=None,
        mechanism=mechanism,
        title=title,
        topic="权益保障",
        starts_at=timezone.now() + timedelta(days=1),
        location="工会会议室",
        host_body=host,
    )
    Meeting.objects.filter(pk=meeting.pk).update(
        status=Meeting.Status.NOTIFIED, starts_at=timezone.now() - timedelta(days=days_ago)
    )
    meeting.refresh_from_db()
    return services.meeting_mark_held(actor=None, meeting=meeting)


def build(world: Any) -> MeetingWorld:
    mechanism = services.mechanism_create(
        actor=None,
        name="甲快递行业联席会议",
        industry="快递",
        convening_union=world.union_a,
        collaboration_mode="authority",
        members=[world.authority, world.enterprise_a],
    )
    year = timezone.localdate().year
    plan = services.plan_ensure(actor=None, mechanism=mechanism, year=year)
    target = services.plan_target_add(
        actor=None, plan=plan, title="疗休养", lead_body=world.authority, target_value=40, unit="人"
    )
    future = services.meeting_schedule(
        actor=None,
        mechanism=mechanism,
        title="下次联席会议",
        topic="技能提升",
        starts_at=timezone.now() + timedelta(days=10),
        location="工会会议室",
        host_body=world.union_a,
    )
    held = held_meeting(mechanism=mechanism, host=world.union_a)
    services.meeting_save_minutes(
        actor=None, meeting=held, minutes="会议纪要草稿：研究了疗休养安排。"
    )
    published = held_meeting(
        mechanism=mechanism, host=world.authority, days_ago=30, title="已发布纪要的会议"
    )
    services.meeting_save_minutes(actor=None, meeting=published, minutes="已发布的纪要正文")
    services.meeting_publish_minutes(actor=None, meeting=published)
    item = services.resolution_record(
        actor=None,
        meeting=held,
        resolution="组织快递员疗休养",
        lead_body=world.authority,
        deadline=timezone.localdate() + timedelta(days=30),
        target=target,
    )
    report = services.action_item_report(
        actor=world.users["liaison"],
        item=item,
        percent=20,
        text="名额已分配",
        attachments=[SimpleUploadedFile("方案.pdf", PDF, "application/pdf")],
    )
    item.refresh_from_db()
    return MeetingWorld(
        mechanism,
        plan,
        target,
        future,
        held,
        published.__class__.objects.get(pk=published.pk),
        item,
        report.attachments.get(),
    )


@pytest.fixture
def mw(world: Any, settings: Any, tmp_path: Any) -> MeetingWorld:
    settings.DATA_DIR = tmp_path
    return build(world)


def back_entered_item(world: Any, mechanism: Mechanism) -> ActionItem:
    """补录: an open item (due in two months) of a meeting held 40 days ago, back-entered."""
    meeting = services.meeting_back_enter(
        actor=None,
        mechanism=mechanism,
        title="补录的会议",
        held_on=timezone.localdate() - timedelta(days=40),
        host_body=world.union_a,
        location="工会会议室",
        present_bodies=[world.union_a, world.authority],
        minutes="补录的纪要",
        resolutions=[
            {
                "resolution": "补录的议定事项",
                "lead_body": world.authority,
                "deadline": timezone.localdate() + timedelta(days=60),
            }
        ],
    )
    return meeting.action_items.get()
