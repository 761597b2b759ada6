"""Every rule of issue 3, at the service level: the change happens, is audited, and a broken
rule is refused with a Chinese message naming the field, changing nothing."""

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from liandong.core.models import AuditLog
from liandong.meetings import services
from liandong.meetings.models import (
    ActionItem,
    AgendaItem,
    AnnualPlan,
    MechanismMember,
    Meeting,
    ProgressReport,
    Reminder,
)
from liandong.meetings.tests.conftest import PDF, held_meeting
from liandong.organizations.tests.factories import OrganizationFactory

TODAY = timezone.localdate


def refused(call: Any, field: str | None = None, text: str = "") -> ValidationError:
    """Run ``call``; it must raise, name ``field`` and change neither the audit log nor any mail."""
    audit, sent = AuditLog.objects.count(), len(mail.outbox)
    with pytest.raises(ValidationError) as caught:
        call()
    error = caught.value
    if field is not None:
        assert field in error.message_dict, error
    assert text in " ".join(error.messages)
    assert AuditLog.objects.count() == audit
    assert len(mail.outbox) == sent
    return error


def with_email(world: Any) -> None:
    for key, address in [
        ("liaison", "liaison@gov.example"),
        ("enterprise_a", "ent@ea.example"),
        ("staff_b", "b@b.example"),
    ]:
        world.users[key].email = address
        world.users[key].save(update_fields=["email"])


# -- mechanisms ---------------------------------------------------------------------------------


def test_a_mechanism_seats_its_convener_and_members(world: Any, mw: Any) -> None:
    assert mw.mechanism.member_organization_ids() == {
        world.union_a.pk,
        world.authority.pk,
        world.enterprise_a.pk,
    }
    convener = mw.mechanism.members.get(organization=world.union_a)
    assert convener.role == MechanismMember.Role.CONVENER
    assert (
        AuditLog.objects.filter(
            action="meetings.mechanism_created", target_id=str(mw.mechanism.pk)
        ).count()
        == 1
    )
    assert (
        AuditLog.objects.filter(
            action="meetings.member_added", target_id=str(mw.mechanism.pk)
        ).count()
        == 2
    )


def test_the_convener_must_be_a_union_and_a_custom_mode_needs_a_name(world: Any) -> None:
    refused(
        lambda: services.mechanism_create(
            actor=None,
            name="x",
            industry="快递",
            convening_union=world.authority,
            collaboration_mode="authority",
        ),
        "convening_union",
        "工会",
    )
    refused(
        lambda: services.mechanism_create(
            actor=None,
            name="x",
            industry="快递",
            convening_union=world.union_a,
            collaboration_mode="custom",
        ),
        "custom_mode",
    )
    refused(
        lambda: services.mechanism_create(
            actor=None,
            name="  ",
            industry="快递",
            convening_union=world.union_a,
            collaboration_mode="authority",
        ),
        "name",
        "机制名称",
    )


def test_a_member_is_seated_once_and_the_convener_or_a_lead_body_stays(world: Any, mw: Any) -> None:
    refused(
        lambda: services.mechanism_member_add(
            actor=None, mechanism=mw.mechanism, organization=world.authority
        ),
        "organization",
        "已是",
    )
    convener = mw.mechanism.members.get(organization=world.union_a)
    refused(
        lambda: services.mechanism_member_remove(actor=None, member=convener),
        "organization",
        "召集",
    )
    authority = mw.mechanism.members.get(organization=world.authority)
    refused(
        lambda: services.mechanism_member_remove(actor=None, member=authority),
        "organization",
        "督办事项",
    )
    enterprise = mw.mechanism.members.get(organization=world.enterprise_a)
    services.mechanism_member_remove(actor=None, member=enterprise)
    assert world.enterprise_a.pk not in mw.mechanism.member_organization_ids()


def test_chinese_punctuation_is_kept(world: Any) -> None:
    mechanism = services.mechanism_create(
        actor=None,
        name="甘肃省（快递）联席会议：试点",
        industry="快递",
        convening_union=world.union_a,
        collaboration_mode="authority",
    )
    assert mechanism.name == "甘肃省（快递）联席会议：试点"


# -- annual plan --------------------------------------------------------------------------------


def test_a_target_needs_a_member_lead_body_and_a_positive_number(world: Any, mw: Any) -> None:
    outsider = OrganizationFactory(name="外单位", kind="association")
    refused(
        lambda: services.plan_target_add(
            actor=None, plan=mw.plan, title="新建工会", lead_body=outsider, target_value=9
        ),
        "lead_body",
        "不是本机制的成员单位",
    )
    refused(
        lambda: services.plan_target_add(
            actor=None, plan=mw.plan, title="新建工会", lead_body=None, target_value=9
        ),
        "lead_body",
    )
    refused(
        lambda: services.plan_target_add(
            actor=None, plan=mw.plan, title="新建工会", lead_body=world.union_a, target_value=0
        ),
        "target_value",
    )
    target = services.plan_target_add(
        actor=None,
        plan=mw.plan,
        title="新建工会",
        lead_body=world.union_a,
        target_value=9,
        unit="家",
    )
    assert str(target) == "新建工会 9家"


def test_the_plan_is_approved_at_the_years_first_held_meeting(world: Any, mw: Any) -> None:
    refused(
        lambda: services.plan_approve(actor=None, plan=mw.plan, meeting=mw.future),
        "meeting",
        "已召开",
    )
    # mw.published (30 days ago) was held before mw.held (3 days ago).
    if mw.published.local_start.year == mw.held.local_start.year == mw.plan.year:
        refused(
            lambda: services.plan_approve(actor=None, plan=mw.plan, meeting=mw.held),
            "meeting",
            "第一次",
        )
    first = mw.published if mw.published.local_start.year == mw.plan.year else mw.held
    services.plan_approve(actor=None, plan=mw.plan, meeting=first)
    mw.plan.refresh_from_db()
    assert mw.plan.status == AnnualPlan.Status.APPROVED
    assert mw.plan.approved_at_meeting == first
    refused(
        lambda: services.plan_target_add(
            actor=None, plan=mw.plan, title="x", lead_body=world.union_a, target_value=1
        ),
        None,
        "已审议通过",
    )
    refused(
        lambda: services.plan_approve(actor=None, plan=mw.plan, meeting=first), None, "已审议通过"
    )


def test_a_plan_without_targets_is_not_approved(world: Any, mw: Any) -> None:
    plan = services.plan_ensure(
        actor=None, mechanism=mw.mechanism, year=mw.published.local_start.year + 1
    )
    meeting = held_meeting(mechanism=mw.mechanism, host=world.union_a, days_ago=1)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=meeting.starts_at.replace(year=plan.year)
    )
    meeting.refresh_from_db()
    refused(lambda: services.plan_approve(actor=None, plan=plan, meeting=meeting), None, "目标任务")


# -- meetings -----------------------------------------------------------------------------------


def test_scheduling_needs_a_member_host_and_a_place(world: Any, mw: Any) -> None:
    when = timezone.now() + timedelta(days=3)
    refused(
        lambda: services.meeting_schedule(
            actor=None,
            mechanism=mw.mechanism,
            title="会",
            starts_at=when,
            location="会议室",
            host_body=world.union_b,
        ),
        "host_body",
        "成员单位",
    )
    refused(
        lambda: services.meeting_schedule(
            actor=None, mechanism=mw.mechanism, title="会", starts_at=when, host_body=world.union_a
        ),
        "location",
        "地点",
    )
    meeting = services.meeting_schedule(
        actor=None,
        mechanism=mw.mechanism,
        title="会",
        starts_at=when,
        online_url="https://meet.example/abc",
        host_body=world.authority,
    )
    assert meeting.status == Meeting.Status.PREPARING
    assert (
        set(meeting.attendances.values_list("organization_id", flat=True))
        == mw.mechanism.member_organization_ids()
    )


def test_a_meeting_in_the_past_is_not_notified(world: Any, mw: Any) -> None:
    Meeting.objects.filter(pk=mw.future.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    mw.future.refresh_from_db()
    refused(
        lambda: services.meeting_notify(actor=None, meeting=mw.future), "starts_at", "会议时间已过"
    )
    mw.future.refresh_from_db()
    assert mw.future.status == Meeting.Status.PREPARING


def test_the_notice_goes_by_email_with_an_icalendar_invitation(
    world: Any, mw: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from icalendar import Calendar

    from liandong.notifications.models import Message

    with_email(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.meeting_notify(actor=world.users["staff_a"], meeting=mw.future)
    # the member bodies' accounts: the liaison, enterprise A and union A's admin and staff
    # (the convener is a member); staff of B is no member
    assert sent == 4
    assert set(Message.objects.values_list("recipient__username", flat=True)) == {
        "liaison",
        "ent_a",
        "admin_a",
        "staff_a",
    }
    assert mw.future.status == Meeting.Status.NOTIFIED
    # an email each to the accounts with an address, after the commit
    assert sorted(m.to[0] for m in mail.outbox) == ["ent@ea.example", "liaison@gov.example"]
    message = next(m for m in mail.outbox if m.to == ["liaison@gov.example"])
    assert "下次联席会议" in message.subject
    name, content, mimetype = message.attachments[0]
    assert name.endswith(".ics")
    assert mimetype.startswith("text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["summary"]) == "下次联席会议"
    assert event["uid"] == f"meeting-{mw.future.pk}@liandong"
    assert event.decoded("dtstart") == mw.future.starts_at.replace(microsecond=0)
    # Sending again is an update of the same event.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_notify(actor=None, meeting=mw.future)
    again = Calendar.from_ical(mail.outbox[0].attachments[0][1]).walk("VEVENT")[0]
    assert again["uid"] == event["uid"]
    assert int(again["sequence"]) == int(event["sequence"]) + 1
    assert (
        AuditLog.objects.filter(
            action="meetings.meeting_notified", target_id=str(mw.future.pk)
        ).count()
        == 2
    )


def test_the_states_run_in_order(world: Any, mw: Any) -> None:
    refused(lambda: services.meeting_mark_held(actor=None, meeting=mw.future), "status", "已通知")
    refused(lambda: services.meeting_publish_minutes(actor=None, meeting=mw.future), "minutes")
    services.meeting_save_minutes(actor=None, meeting=mw.held, minutes="")
    refused(
        lambda: services.meeting_publish_minutes(actor=None, meeting=mw.held), "minutes", "纪要"
    )
    services.meeting_save_minutes(actor=None, meeting=mw.held, minutes="纪要正文")
    services.meeting_publish_minutes(actor=None, meeting=mw.held)
    assert Meeting.objects.get(pk=mw.held.pk).status == Meeting.Status.PUBLISHED
    refused(
        lambda: services.meeting_save_minutes(actor=None, meeting=mw.held, minutes="改"), "minutes"
    )
    refused(lambda: services.meeting_cancel(actor=None, meeting=mw.held, reason="晚了"), "status")


def test_a_future_notified_meeting_is_not_held_yet(world: Any, mw: Any) -> None:
    services.meeting_notify(actor=None, meeting=mw.future)
    refused(lambda: services.meeting_mark_held(actor=None, meeting=mw.future), "held_on", "尚未到")


def test_cancelling_needs_a_reason_and_tells_the_invitees(
    world: Any, mw: Any, django_capture_on_commit_callbacks: Any
) -> None:
    refused(
        lambda: services.meeting_cancel(actor=None, meeting=mw.future, reason=" "), "cancel_reason"
    )
    with_email(world)
    services.meeting_notify(actor=None, meeting=mw.future)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(actor=None, meeting=mw.future, reason="与省总会议冲突")
    assert mw.future.status == Meeting.Status.CANCELLED
    assert mw.future.cancel_reason == "与省总会议冲突"
    assert "取消" in mail.outbox[0].subject
    assert "METHOD:CANCEL" in str(mail.outbox[0].attachments[0][1])


def test_a_stale_page_cannot_move_a_meeting_twice(world: Any, mw: Any) -> None:
    """Two people at once: the second conditional UPDATE finds the state changed and refuses."""
    stale = Meeting.objects.get(pk=mw.future.pk)
    services.meeting_cancel(actor=None, meeting=mw.future, reason="取消")
    refused(lambda: services.meeting_notify(actor=None, meeting=stale), "status")
    assert Meeting.objects.get(pk=mw.future.pk).status == Meeting.Status.CANCELLED


def test_attendance_records_who_came(world: Any, mw: Any) -> None:
    services.meeting_record_attendance(
        actor=None, meeting=mw.held, present={world.authority.pk: "孙立新"}
    )
    rows = {a.organization_id: (a.present, a.attendees) for a in mw.held.attendances.all()}
    assert rows[world.authority.pk] == (True, "孙立新")
    assert rows[world.union_a.pk] == (False, "")
    refused(
        lambda: services.meeting_record_attendance(
            actor=None, meeting=mw.held, present={world.union_b.pk: ""}
        ),
        "present",
    )


def test_an_agenda_candidate_is_added_once(world: Any, mw: Any) -> None:
    first, created = services.agenda_item_add(
        actor=None, meeting=mw.future, title="诉求", kind="demand", source_key="demands.demand:7"
    )
    again, created_again = services.agenda_item_add(
        actor=None, meeting=mw.future, title="诉求", kind="demand", source_key="demands.demand:7"
    )
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert AgendaItem.objects.filter(meeting=mw.future, source_key="demands.demand:7").count() == 1
    refused(
        lambda: services.agenda_item_add(actor=None, meeting=mw.held, title="晚到的议题"), "title"
    )


# -- resolutions and action items ---------------------------------------------------------------


def test_a_resolution_needs_a_member_lead_body_and_a_deadline(world: Any, mw: Any) -> None:
    deadline = TODAY() + timedelta(days=10)
    record = services.resolution_record
    refused(
        lambda: record(
            actor=None, meeting=mw.held, resolution="x", lead_body=None, deadline=deadline
        ),
        "lead_body",
        "牵头单位",
    )
    refused(
        lambda: record(
            actor=None, meeting=mw.held, resolution="x", lead_body=world.authority, deadline=None
        ),
        "deadline",
        "完成时限",
    )
    refused(
        lambda: record(
            actor=None, meeting=mw.held, resolution="x", lead_body=world.union_b, deadline=deadline
        ),
        "lead_body",
        "不是本机制的成员单位",
    )
    refused(
        lambda: record(
            actor=None,
            meeting=mw.held,
            resolution="x",
            lead_body=world.authority,
            deadline=deadline,
            co_bodies=[world.authority],
        ),
        "co_bodies",
    )
    refused(
        lambda: record(
            actor=None,
            meeting=mw.held,
            resolution="x",
            lead_body=world.authority,
            deadline=TODAY() - timedelta(days=30),
        ),
        "deadline",
        "早于",
    )
    refused(
        lambda: record(
            actor=None,
            meeting=mw.future,
            resolution="x",
            lead_body=world.authority,
            deadline=deadline,
        ),
        "resolution",
    )
    item = record(
        actor=None,
        meeting=mw.held,
        resolution="推动集中建会",
        lead_body=world.enterprise_a,
        co_bodies=[world.authority],
        deadline=deadline,
        expected_output="9 家建会",
    )
    assert item.status == ActionItem.Status.TODO
    assert item.number == 2
    assert list(item.co_bodies.all()) == [world.authority]


def test_progress_moves_the_item_and_is_audited(world: Any, mw: Any) -> None:
    liaison = world.users["liaison"]
    services.action_item_report(actor=liaison, item=mw.item, percent=60, text="已完成一半")
    mw.item.refresh_from_db()
    assert (mw.item.status, mw.item.progress) == (ActionItem.Status.IN_PROGRESS, 60)
    entry = AuditLog.objects.filter(
        action="meetings.progress_reported", target_id=str(mw.item.pk)
    ).first()
    assert entry.changes["progress"] == [20, 60]
    assert entry.actor == liaison
    services.action_item_report(actor=liaison, item=mw.item, percent=100, text="全部完成")
    mw.item.refresh_from_db()
    assert (mw.item.status, mw.item.completed_on) == (ActionItem.Status.DONE, TODAY())
    refused(
        lambda: services.action_item_report(actor=liaison, item=mw.item, percent=100, text="再报"),
        "percent",
        "已办结",
    )


def test_progress_over_100_or_backwards_without_a_reason_is_refused(world: Any, mw: Any) -> None:
    report = services.action_item_report
    refused(
        lambda: report(actor=None, item=mw.item, percent=101, text="超了"), "percent", "0 到 100"
    )
    refused(lambda: report(actor=None, item=mw.item, percent=-1, text="负的"), "percent")
    refused(lambda: report(actor=None, item=mw.item, percent=10, text="回退"), "reason", "回退")
    refused(lambda: report(actor=None, item=mw.item, percent=30, text=" "), "text")
    assert ActionItem.objects.get(pk=mw.item.pk).progress == 20
    report(actor=None, item=mw.item, percent=10, text="回退", reason="场地取消，重新安排")
    assert ActionItem.objects.get(pk=mw.item.pk).progress == 10


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("恶意.exe", b"MZ\x90\x00", "类型不支持"),
        ("假图片.png", b"not a png at all", "不符"),
        ("空.pdf", b"", "空文件"),
    ],
)
def test_attachments_are_checked(
    world: Any, mw: Any, name: str, content: bytes, message: str
) -> None:
    upload = SimpleUploadedFile(name, content)
    refused(
        lambda: services.action_item_report(
            actor=None, item=mw.item, percent=30, text="附件", attachments=[upload]
        ),
        "attachments",
        message,
    )
    assert ProgressReport.objects.filter(action_item=mw.item).count() == 1


def test_a_large_attachment_is_refused(
    world: Any, mw: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "ATTACHMENT_MAX_BYTES", 10)
    upload = SimpleUploadedFile("大.pdf", PDF + b"x" * 20)
    refused(
        lambda: services.action_item_report(
            actor=None, item=mw.item, percent=30, text="附件", attachments=[upload]
        ),
        "attachments",
        "10 MB",
    )


def test_attachments_are_stored_under_the_data_dir(world: Any, mw: Any, settings: Any) -> None:
    path = mw.attachment.file.path
    assert path.startswith(str(settings.DATA_DIR / "uploads" / "meetings"))
    with mw.attachment.file.open("rb") as handle:
        assert handle.read() == PDF


def test_overdue_is_derived_from_the_deadline(world: Any, mw: Any) -> None:
    assert not mw.item.is_overdue
    ActionItem.objects.filter(pk=mw.item.pk).update(deadline=TODAY() - timedelta(days=1))
    mw.item.refresh_from_db()
    assert mw.item.is_overdue
    assert mw.item.status == ActionItem.Status.IN_PROGRESS
    services.action_item_report(actor=None, item=mw.item, percent=100, text="完成")
    mw.item.refresh_from_db()
    assert not mw.item.is_overdue


def test_cancelling_an_item_needs_a_reason(world: Any, mw: Any) -> None:
    refused(
        lambda: services.action_item_cancel(actor=None, item=mw.item, reason=""), "cancel_reason"
    )
    services.action_item_cancel(actor=None, item=mw.item, reason="政策调整，不再实施")
    assert mw.item.status == ActionItem.Status.CANCELLED
    refused(
        lambda: services.action_item_cancel(actor=None, item=mw.item, reason="再次"),
        "cancel_reason",
    )


# -- tick ---------------------------------------------------------------------------------------


def test_reminders_go_once_before_the_deadline_and_once_when_overdue(
    world: Any, mw: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with_email(world)
    mail.outbox.clear()

    def send(**kwargs: Any) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return services.reminders_send(**kwargs)

    assert send() == 0  # due in 30 days: not yet
    ActionItem.objects.filter(pk=mw.item.pk).update(deadline=TODAY() + timedelta(days=3))
    assert send(dry_run=True) == 1
    assert mail.outbox == []
    assert not Reminder.objects.exists()
    assert send() == 1
    assert send() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["liaison@gov.example"]
    assert "即将到期" in mail.outbox[0].subject
    assert Reminder.objects.get().recipients == 1
    ActionItem.objects.filter(pk=mw.item.pk).update(deadline=TODAY() - timedelta(days=1))
    assert send() == 1
    assert send() == 0
    assert len(mail.outbox) == 2
    assert "已逾期" in mail.outbox[1].subject
    # A done item is not chased.
    ActionItem.objects.filter(pk=mw.item.pk).update(status=ActionItem.Status.DONE, deadline=TODAY())
    assert services.reminders_send() == 0


def test_overdue_items_go_onto_the_next_draft_agenda_once(world: Any, mw: Any) -> None:
    assert services.overdue_to_agenda() == 0
    ActionItem.objects.filter(pk=mw.item.pk).update(deadline=TODAY() - timedelta(days=2))
    later = services.meeting_schedule(
        actor=None,
        mechanism=mw.mechanism,
        title="再下次",
        location="会议室",
        starts_at=timezone.now() + timedelta(days=40),
        host_body=world.union_a,
    )
    assert services.overdue_to_agenda(dry_run=True) == 1
    assert not AgendaItem.objects.filter(kind="action_item").exists()
    assert services.overdue_to_agenda() == 1
    assert services.overdue_to_agenda() == 0
    items = AgendaItem.objects.filter(kind="action_item")
    assert [(i.meeting_id, i.source_key, i.added_by_tick) for i in items] == [
        (mw.future.pk, f"meetings.actionitem:{mw.item.pk}", True)
    ]
    assert not later.agenda_items.exists()


def test_the_tick_command_is_idempotent(world: Any, mw: Any) -> None:
    from django.core.management import call_command

    with_email(world)
    ActionItem.objects.filter(pk=mw.item.pk).update(deadline=TODAY() - timedelta(days=2))
    out = io.StringIO()
    call_command("tick", stdout=out)
    assert "督办提醒 1 条" in out.getvalue()
    assert "列入下次会议议题 1 项" in out.getvalue()
    state = (
        len(mail.outbox),
        AgendaItem.objects.count(),
        Reminder.objects.count(),
        AuditLog.objects.count(),
    )
    out = io.StringIO()
    call_command("tick", stdout=out)
    assert "督办提醒 0 条" in out.getvalue()
    assert "列入下次会议议题 0 项" in out.getvalue()
    assert (
        len(mail.outbox),
        AgendaItem.objects.count(),
        Reminder.objects.count(),
        AuditLog.objects.count(),
    ) == state
