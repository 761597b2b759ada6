"""Writes of the joint meeting system. Each one validates, changes, and writes the audit log in
one transaction; a broken rule raises ``ValidationError`` naming the field in Chinese, and then
nothing has changed. State changes are conditional UPDATEs (``… WHERE status = old``), so two
people pressing the same button at once move a meeting or an item only once."""

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from liandong.accounts.models import ORGANIZATION_ROLES, User
from liandong.core.audit import audit_log, diff, snapshot
from liandong.core.backentry import BACK_ENTRY_LABEL, back_entry_date_check
from liandong.core.extensions import AgendaCandidate, hooks
from liandong.meetings import notices
from liandong.meetings.models import (
    ActionItem,
    AgendaItem,
    AnnualPlan,
    Attendance,
    CollaborationMode,
    Mechanism,
    MechanismMember,
    Meeting,
    PlannedMeeting,
    PlanTarget,
    ProgressAttachment,
    ProgressReport,
    Reminder,
)
from liandong.notifications.services import notify
from liandong.organizations.models import Organization

MECHANISM_FIELDS = [
    "name",
    "industry",
    "convening_union",
    "collaboration_mode",
    "custom_mode",
    "status",
    "description",
]
MEETING_FIELDS = [
    "title",
    "topic",
    "starts_at",
    "duration_minutes",
    "location",
    "online_url",
    "host_body",
]
UNION_KINDS = {Organization.Kind.UNION, Organization.Kind.UNION_FEDERATION}

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENTS_PER_REPORT = 5
# Extension → the first bytes a real file of that type starts with.
ATTACHMENT_TYPES = {
    "pdf": ("application/pdf", [b"%PDF"]),
    "jpg": ("image/jpeg", [b"\xff\xd8\xff"]),
    "jpeg": ("image/jpeg", [b"\xff\xd8\xff"]),
    "png": ("image/png", [b"\x89PNG"]),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        [b"PK\x03\x04"],
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", [b"PK\x03\x04"]),
    "doc": ("application/msword", [b"\xd0\xcf\x11\xe0"]),
    "xls": ("application/vnd.ms-excel", [b"\xd0\xcf\x11\xe0"]),
}
REMIND_DAYS_BEFORE = 7


def normalize_text(value: object) -> str:
    """Trimmed, inner runs of white space made single, invisible marks dropped. Not NFKC, which
    would turn Chinese punctuation (，：（）) into ASCII."""
    text = str(value if value is not None else "").replace("\u200b", "").replace("\ufeff", "")
    return re.sub(r"\s+", " ", text).strip()


def _text(
    value: object, field: str, label: str, *, required: bool = True, max_length: int = 0
) -> str:
    text = normalize_text(value)
    if required and not text:
        raise ValidationError({field: f"请填写{label}。"}, code="required")
    if max_length and len(text) > max_length:
        raise ValidationError({field: f"{label}不能超过 {max_length} 个字。"}, code="max_length")
    return text


def _multiline(value: object) -> str:
    return str(value or "").replace("\r\n", "\n").strip()


# -- mechanisms ---------------------------------------------------------------------------------


@transaction.atomic
def mechanism_create(
    *,
    actor: User | None,
    name: str,
    industry: str,
    convening_union: Organization,
    collaboration_mode: str,
    custom_mode: str = "",
    description: str = "",
    members: Sequence[Organization] = (),
) -> Mechanism:
    """Set up a mechanism; the convening union takes the 召集单位 seat."""
    if convening_union.kind not in UNION_KINDS:
        raise ValidationError({"convening_union": "召集单位必须是工会组织。"}, code="convener_kind")
    if collaboration_mode not in CollaborationMode.values:
        raise ValidationError({"collaboration_mode": "请选择协作模式。"}, code="mode")
    if collaboration_mode == CollaborationMode.CUSTOM and not normalize_text(custom_mode):
        raise ValidationError({"custom_mode": "自定义协作模式请填写模式名称。"}, code="custom_mode")
    mechanism = Mechanism(
        name=_text(name, "name", "机制名称", max_length=120),
        industry=_text(industry, "industry", "行业", max_length=40),
        convening_union=convening_union,
        collaboration_mode=collaboration_mode,
        custom_mode=normalize_text(custom_mode)[:120],
        description=_multiline(description),
    )
    mechanism.full_clean()
    mechanism.save()
    MechanismMember.objects.create(
        mechanism=mechanism, organization=convening_union, role=MechanismMember.Role.CONVENER
    )
    audit_log(
        actor=actor,
        action="meetings.mechanism_created",
        target=mechanism,
        changes=diff({}, snapshot(mechanism, MECHANISM_FIELDS)),
    )
    for organization in members:
        if organization.pk != convening_union.pk:
            mechanism_member_add(actor=actor, mechanism=mechanism, organization=organization)
    return mechanism


@transaction.atomic
def mechanism_update(*, actor: User | None, mechanism: Mechanism, **fields: Any) -> Mechanism:
    unknown = set(fields) - (set(MECHANISM_FIELDS) - {"convening_union"})
    if unknown:  # the convening union of a mechanism does not change
        raise ValueError(f"Cannot update {sorted(unknown)}")
    before = snapshot(mechanism, MECHANISM_FIELDS)
    for name in ("name", "industry"):
        if name in fields:
            fields[name] = _text(fields[name], name, {"name": "机制名称", "industry": "行业"}[name])
    if fields.get(
        "collaboration_mode", mechanism.collaboration_mode
    ) == CollaborationMode.CUSTOM and not normalize_text(
        fields.get("custom_mode", mechanism.custom_mode)
    ):
        raise ValidationError({"custom_mode": "自定义协作模式请填写模式名称。"}, code="custom_mode")
    for name, value in fields.items():
        setattr(mechanism, name, value)
    mechanism.full_clean()
    mechanism.save(update_fields=[*fields, "updated_at"])
    changes = diff(before, snapshot(mechanism, MECHANISM_FIELDS))
    if changes:
        audit_log(
            actor=actor, action="meetings.mechanism_updated", target=mechanism, changes=changes
        )
    return mechanism


@transaction.atomic
def mechanism_member_add(
    *,
    actor: User | None,
    mechanism: Mechanism,
    organization: Organization,
    role: str = MechanismMember.Role.MEMBER,
    liaison_name: str = "",
    liaison_title: str = "",
) -> MechanismMember:
    if role not in MechanismMember.Role.values:
        raise ValidationError({"role": "请选择成员角色。"}, code="role")
    if MechanismMember.objects.filter(mechanism=mechanism, organization=organization).exists():
        raise ValidationError(
            {"organization": f"{organization.name}已是本机制的成员单位。"}, code="duplicate"
        )
    member = MechanismMember.objects.create(
        mechanism=mechanism,
        organization=organization,
        role=role,
        liaison_name=normalize_text(liaison_name)[:60],
        liaison_title=normalize_text(liaison_title)[:60],
    )
    audit_log(
        actor=actor,
        action="meetings.member_added",
        target=mechanism,
        changes={
            "organization": [None, organization.pk],
            "role": [None, role],
            "liaison_name": [None, member.liaison_name],
        },
    )
    return member


@transaction.atomic
def mechanism_member_remove(*, actor: User | None, member: MechanismMember) -> None:
    mechanism = member.mechanism
    if member.organization_id == mechanism.convening_union_id:
        raise ValidationError({"organization": "召集工会不能移出本机制。"}, code="convener")
    if mechanism.action_items.filter(
        lead_body_id=member.organization_id, status__in=ActionItem.OPEN
    ).exists():
        raise ValidationError(
            {"organization": "该单位仍牵头办理未完成的督办事项，请先办结或取消后再移出。"},
            code="leads_open_items",
        )
    member.delete()
    audit_log(
        actor=actor,
        action="meetings.member_removed",
        target=mechanism,
        changes={"organization": [member.organization_id, None]},
    )


def _require_member(
    mechanism: Mechanism,
    organization: Organization | None,
    field: str,
    label: str,
    members: set[int] | None = None,
) -> Organization:
    if organization is None:
        raise ValidationError({field: f"请选择{label}。"}, code="required")
    if organization.pk not in (
        members if members is not None else mechanism.member_organization_ids()
    ):
        raise ValidationError(
            {field: f"{organization.name}不是本机制的成员单位，不能作为{label}。"},
            code="not_member",
        )
    return organization


# -- annual plans -------------------------------------------------------------------------------


@transaction.atomic
def plan_ensure(*, actor: User | None, mechanism: Mechanism, year: int) -> AnnualPlan:
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "年度无效。"}, code="year")
    plan, created = AnnualPlan.objects.get_or_create(mechanism=mechanism, year=year)
    if created:
        audit_log(
            actor=actor, action="meetings.plan_created", target=plan, changes={"year": [None, year]}
        )
    return plan


def _plan_editable(plan: AnnualPlan) -> None:
    if plan.status == AnnualPlan.Status.APPROVED:
        raise ValidationError(
            "年度计划已审议通过，不能再修改目标和计划会议。", code="plan_approved"
        )


@transaction.atomic
def plan_update(*, actor: User | None, plan: AnnualPlan, summary: str) -> AnnualPlan:
    _plan_editable(plan)
    before = plan.summary
    plan.summary = _multiline(summary)
    plan.save(update_fields=["summary", "updated_at"])
    if before != plan.summary:
        audit_log(
            actor=actor,
            action="meetings.plan_updated",
            target=plan,
            changes={"summary": [before, plan.summary]},
        )
    return plan


@transaction.atomic
def plan_target_add(
    *,
    actor: User | None,
    plan: AnnualPlan,
    title: str,
    lead_body: Organization | None,
    target_value: int | None,
    unit: str = "项",
    note: str = "",
) -> PlanTarget:
    _plan_editable(plan)
    title = _text(title, "title", "目标任务", max_length=120)
    lead_body = _require_member(plan.mechanism, lead_body, "lead_body", "牵头单位")
    if target_value is None or target_value < 1:
        raise ValidationError({"target_value": "目标数必须是大于 0 的整数。"}, code="target_value")
    target = PlanTarget.objects.create(
        plan=plan,
        title=title,
        lead_body=lead_body,
        target_value=target_value,
        unit=normalize_text(unit)[:10] or "项",
        note=normalize_text(note)[:200],
    )
    audit_log(
        actor=actor,
        action="meetings.target_added",
        target=target,
        changes=diff({}, snapshot(target, ["title", "lead_body", "target_value", "unit"])),
    )
    return target


@transaction.atomic
def plan_target_record(
    *, actor: User | None, target: PlanTarget, achieved_value: int | None, note: str = ""
) -> PlanTarget:
    """What has been done so far against a target (e.g. 38 of 40 people have gone)."""
    if achieved_value is None or achieved_value < 0:
        raise ValidationError(
            {"achieved_value": "已完成数必须是不小于 0 的整数。"}, code="achieved_value"
        )
    before = snapshot(target, ["achieved_value", "note"])
    target.achieved_value = achieved_value
    if note:
        target.note = normalize_text(note)[:200]
    target.save(update_fields=["achieved_value", "note", "updated_at"])
    changes = diff(before, snapshot(target, ["achieved_value", "note"]))
    if changes:
        audit_log(actor=actor, action="meetings.target_recorded", target=target, changes=changes)
    return target


@transaction.atomic
def planned_meeting_add(
    *, actor: User | None, plan: AnnualPlan, month: int | None, topic: str
) -> PlannedMeeting:
    _plan_editable(plan)
    if month is None or not 1 <= month <= 12:
        raise ValidationError({"month": "计划月份应为 1 到 12。"}, code="month")
    planned = PlannedMeeting.objects.create(
        plan=plan, month=month, topic=_text(topic, "topic", "议题方向", max_length=120)
    )
    audit_log(
        actor=actor,
        action="meetings.planned_meeting_added",
        target=plan,
        changes={"month": [None, month], "topic": [None, planned.topic]},
    )
    return planned


@transaction.atomic
def plan_approve(*, actor: User | None, plan: AnnualPlan, meeting: Meeting | None) -> AnnualPlan:
    """年初议计划: the plan is approved at the year's first meeting that was held."""
    if meeting is None or meeting.mechanism_id != plan.mechanism_id:
        raise ValidationError({"meeting": "请选择审议本计划的会议。"}, code="meeting")
    if meeting.status not in {Meeting.Status.HELD, Meeting.Status.PUBLISHED}:
        raise ValidationError(
            {"meeting": "只能在已召开的会议上审议通过年度计划。"}, code="meeting_not_held"
        )
    if meeting.local_start.year != plan.year:
        raise ValidationError(
            {"meeting": f"审议会议应在 {plan.year} 年内召开。"}, code="meeting_year"
        )
    earlier = Meeting.objects.filter(
        mechanism_id=plan.mechanism_id,
        status__in=[Meeting.Status.HELD, Meeting.Status.PUBLISHED],
        starts_at__lt=meeting.starts_at,
        starts_at__year=plan.year,
    ).exists()
    if earlier:
        raise ValidationError(
            {"meeting": "年度计划应在当年第一次召开的会议上审议通过。"}, code="not_first_meeting"
        )
    if not plan.targets.exists():
        raise ValidationError("年度计划还没有目标任务，不能审议通过。", code="no_targets")
    updated = AnnualPlan.objects.filter(pk=plan.pk, status=AnnualPlan.Status.DRAFT).update(
        status=AnnualPlan.Status.APPROVED,
        approved_at_meeting=meeting,
        approved_on=meeting.held_on or meeting.local_start.date(),
        updated_at=timezone.now(),
    )
    if not updated:
        raise ValidationError("年度计划已审议通过。", code="plan_approved")
    plan.refresh_from_db()
    audit_log(
        actor=actor,
        action="meetings.plan_approved",
        target=plan,
        changes={
            "status": [AnnualPlan.Status.DRAFT, AnnualPlan.Status.APPROVED],
            "meeting": [None, meeting.pk],
        },
    )
    return plan


# -- meetings -----------------------------------------------------------------------------------


def _meeting_fields(mechanism: Mechanism, fields: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {
        "title": _text(fields.get("title"), "title", "会议名称", max_length=120),
        "topic": normalize_text(fields.get("topic"))[:120],
        "location": normalize_text(fields.get("location"))[:200],
        "online_url": normalize_text(fields.get("online_url"))[:300],
        "duration_minutes": fields.get("duration_minutes") or 120,
    }
    starts_at = fields.get("starts_at")
    if not isinstance(starts_at, datetime):
        raise ValidationError({"starts_at": "请填写会议时间。"}, code="required")
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    cleaned["starts_at"] = starts_at
    if not 15 <= cleaned["duration_minutes"] <= 24 * 60:
        raise ValidationError(
            {"duration_minutes": "会议时长应在 15 分钟到 24 小时之间。"}, code="duration"
        )
    if not cleaned["location"] and not cleaned["online_url"]:
        raise ValidationError({"location": "请填写会议地点或线上会议链接。"}, code="place")
    if cleaned["online_url"] and not cleaned["online_url"].startswith(("https://", "http://")):
        raise ValidationError({"online_url": "线上会议链接应以 https:// 开头。"}, code="online_url")
    cleaned["host_body"] = _require_member(
        mechanism, fields.get("host_body"), "host_body", "承办单位"
    )
    return cleaned


@transaction.atomic
def meeting_schedule(*, actor: User | None, mechanism: Mechanism, **fields: Any) -> Meeting:
    """A new meeting in 筹备中, with every member body on its invitation list."""
    if mechanism.status != Mechanism.Status.ACTIVE:
        raise ValidationError("机制不在运行中，不能安排会议。", code="mechanism_inactive")
    meeting = Meeting(mechanism=mechanism, **_meeting_fields(mechanism, fields))
    meeting.full_clean()
    meeting.save()
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, organization_id=org_id)
        for org_id in sorted(mechanism.member_organization_ids())
    )
    audit_log(
        actor=actor,
        action="meetings.meeting_scheduled",
        target=meeting,
        changes=diff({}, snapshot(meeting, MEETING_FIELDS)),
    )
    return meeting


@transaction.atomic
def meeting_update(*, actor: User | None, meeting: Meeting, **fields: Any) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting.is_open:
        raise ValidationError("会议已召开或已取消，不能再修改安排。", code="meeting_closed")
    before = snapshot(meeting, MEETING_FIELDS)
    cleaned = _meeting_fields(meeting.mechanism, fields)
    if meeting.status == Meeting.Status.NOTIFIED and cleaned["starts_at"] <= timezone.now():
        raise ValidationError({"starts_at": "已通知的会议只能改到将来的时间。"}, code="past")
    for name, value in cleaned.items():
        setattr(meeting, name, value)
    meeting.full_clean()
    meeting.save(update_fields=[*cleaned, "updated_at"])
    changes = diff(before, snapshot(meeting, MEETING_FIELDS))
    if changes:
        audit_log(actor=actor, action="meetings.meeting_updated", target=meeting, changes=changes)
    return meeting


def _move(meeting: Meeting, allowed: Iterable[str], to: str, message: str, **extra: Any) -> str:
    """The conditional UPDATE of a state change: refused when someone else moved it first.
    Reloads ``meeting`` and returns the status it had before."""
    updated = Meeting.objects.filter(pk=meeting.pk, status__in=list(allowed)).update(
        status=to, updated_at=timezone.now(), **extra
    )
    if not updated:
        raise ValidationError({"status": message}, code="bad_state")
    before = meeting.status
    meeting.refresh_from_db()
    return before


def meeting_recipients(meeting: Meeting) -> list[User]:
    """The accounts of the member bodies (their liaisons, unions and staff)."""
    return list(
        User.objects.filter(
            organization_id__in=meeting.mechanism.member_organization_ids(),
            is_active=True,
            role__in=sorted(ORGANIZATION_ROLES),
        ).order_by("pk")
    )


def meeting_ics(meeting: Meeting, *, cancel: bool = False) -> bytes:
    """The iCalendar invitation (RFC 5545), one VEVENT with a stable UID."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//liandong//joint meetings//ZH")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@liandong")
    event.add("sequence", meeting.invite_sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.starts_at + timedelta(minutes=meeting.duration_minutes))
    event.add("summary", meeting.title)
    event.add("location", meeting.location or meeting.online_url)
    description = [
        f"机制：{meeting.mechanism.name}",
        f"主题：{meeting.topic or '—'}",
        f"承办单位：{meeting.host_body.name}",
    ]
    if meeting.online_url:
        description.append(f"线上会议：{meeting.online_url}")
    agenda = [item.title for item in meeting.agenda_items.all()]
    if agenda:
        description.append("议题：" + "；".join(f"{i}. {t}" for i, t in enumerate(agenda, 1)))
    event.add("description", "\n".join(description))
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()


def _tell_members(meeting: Meeting, kind: str, *, event: str, **context: str) -> int:
    """Every member body's accounts (inbox; email with the .ics as each chose) and group
    robots, in the caller's transaction (notifications.notify). Returns the accounts told."""
    recipients = meeting_recipients(meeting)
    members = sorted(meeting.mechanism.member_organization_ids())
    notify(
        kind,
        recipients,
        context={
            "title": meeting.title,
            "when": _when(meeting),
            "place": (meeting.location or "线上")
            + (f"（线上：{meeting.online_url}）" if meeting.online_url else ""),
            "topic": meeting.topic or "—",
            "host": meeting.host_body.name,
            "mechanism": meeting.mechanism.name,
            **context,
        },
        event_key=f"{kind}:{meeting.pk}:{event}",
        link=notices.meeting_link(meeting.pk),
        target=f"meetings.meeting:{meeting.pk}",
        organizations=members,
        organization_id=meeting.mechanism.convening_union_id,
    )
    return len(recipients)


def _when(meeting: Meeting) -> str:
    start = meeting.local_start
    return f"{start.year}年{start.month}月{start.day}日 {start:%H:%M}"


@transaction.atomic
def meeting_notify(*, actor: User | None, meeting: Meeting) -> int:
    """筹备中 → 已通知: invitations with the .ics file go to the member bodies' accounts. Sending
    again while 已通知 resends the updated invitation (a new iCalendar SEQUENCE)."""
    if meeting.starts_at <= timezone.now():
        raise ValidationError(
            {"starts_at": "会议时间已过，不能发出会议通知。请先修改会议时间。"}, code="past"
        )
    before = _move(
        meeting,
        [Meeting.Status.PREPARING, Meeting.Status.NOTIFIED],
        Meeting.Status.NOTIFIED,
        "会议已召开或已取消，不能发出通知。",
        notified_at=timezone.now(),
    )
    Meeting.objects.filter(pk=meeting.pk).update(invite_sequence=meeting.invite_sequence + 1)
    meeting.invite_sequence += 1
    sent = _tell_members(meeting, notices.NOTICE, event=str(meeting.invite_sequence))
    audit_log(
        actor=actor,
        action="meetings.meeting_notified",
        target=meeting,
        changes={"status": [before, meeting.status], "recipients": [None, sent]},
    )
    return sent


@transaction.atomic
def meeting_mark_held(
    *, actor: User | None, meeting: Meeting, held_on: date | None = None
) -> Meeting:
    held_on = held_on or meeting.local_start.date()
    if meeting.status != Meeting.Status.NOTIFIED:
        raise ValidationError({"status": "只有已通知的会议才能标记为已召开。"}, code="bad_state")
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "会议尚未到召开日期，不能标记为已召开。"}, code="future")
    _move(
        meeting,
        [Meeting.Status.NOTIFIED],
        Meeting.Status.HELD,
        "只有已通知的会议才能标记为已召开。",
        held_on=held_on,
    )
    audit_log(
        actor=actor,
        action="meetings.meeting_held",
        target=meeting,
        changes={
            "status": [Meeting.Status.NOTIFIED, Meeting.Status.HELD],
            "held_on": [None, str(held_on)],
        },
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User | None, meeting: Meeting, reason: str) -> Meeting:
    reason = _text(reason, "cancel_reason", "取消原因", max_length=200)
    before = _move(
        meeting,
        [Meeting.Status.PREPARING, Meeting.Status.NOTIFIED],
        Meeting.Status.CANCELLED,
        "会议已召开或已取消，不能取消。",
        cancel_reason=reason,
    )
    if before == Meeting.Status.NOTIFIED:
        _tell_members(meeting, notices.CANCELLED, event="cancel", reason=reason)
    audit_log(
        actor=actor,
        action="meetings.meeting_cancelled",
        target=meeting,
        changes={
            "status": [before, meeting.status],
            "cancel_reason": [None, reason],
        },
    )
    return meeting


@transaction.atomic
def meeting_record_attendance(
    *, actor: User | None, meeting: Meeting, present: dict[int, str]
) -> Meeting:
    """``present``: organization id → names of who came; bodies not listed were absent."""
    if meeting.status not in {Meeting.Status.HELD, Meeting.Status.NOTIFIED}:
        raise ValidationError("只有已通知或已召开的会议可以登记出席情况。", code="bad_state")
    unknown = set(present) - set(meeting.attendances.values_list("organization_id", flat=True))
    if unknown:
        raise ValidationError({"present": "出席单位必须是本次会议的受邀单位。"}, code="not_invited")
    changes = {}
    for attendance in meeting.attendances.select_for_update():
        attendees = normalize_text(present.get(attendance.organization_id, ""))[:200]
        is_present = attendance.organization_id in present
        if (attendance.present, attendance.attendees) != (is_present, attendees):
            changes[str(attendance.organization_id)] = [
                [attendance.present, attendance.attendees],
                [is_present, attendees],
            ]
            attendance.present, attendance.attendees = is_present, attendees
            attendance.save(update_fields=["present", "attendees", "updated_at"])
    if changes:
        audit_log(
            actor=actor, action="meetings.attendance_recorded", target=meeting, changes=changes
        )
    return meeting


@transaction.atomic
def meeting_save_minutes(*, actor: User | None, meeting: Meeting, minutes: str) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.HELD:
        raise ValidationError(
            {"minutes": "只有已召开且纪要未发布的会议可以编辑纪要。"}, code="bad_state"
        )
    before = meeting.minutes
    meeting.minutes = _multiline(minutes)
    meeting.save(update_fields=["minutes", "updated_at"])
    if before != meeting.minutes:
        audit_log(
            actor=actor,
            action="meetings.minutes_saved",
            target=meeting,
            changes={"minutes_length": [len(before), len(meeting.minutes)]},
        )
    return meeting


@transaction.atomic
def meeting_publish_minutes(*, actor: User | None, meeting: Meeting) -> Meeting:
    """已召开 → 纪要已发布: the member bodies see the minutes and are told by email."""
    meeting.minutes = Meeting.objects.values_list("minutes", flat=True).get(pk=meeting.pk)
    if not meeting.minutes.strip():
        raise ValidationError({"minutes": "请先填写会议纪要再发布。"}, code="no_minutes")
    _move(
        meeting,
        [Meeting.Status.HELD],
        Meeting.Status.PUBLISHED,
        "只有已召开的会议可以发布纪要。",
        minutes_published_at=timezone.now(),
    )
    _tell_members(meeting, notices.MINUTES, event="minutes")
    audit_log(
        actor=actor,
        action="meetings.minutes_published",
        target=meeting,
        changes={"status": [Meeting.Status.HELD, Meeting.Status.PUBLISHED]},
    )
    return meeting


# -- agenda -------------------------------------------------------------------------------------


def agenda_candidates_for(mechanism: Mechanism) -> list[AgendaCandidate]:
    """What every app would put on this mechanism's next agenda (ours: overdue action items)."""
    found: list[AgendaCandidate] = []
    for provider in hooks("agenda_candidates"):
        found.extend(provider(mechanism))
    return found


@transaction.atomic
def agenda_item_add(
    *,
    actor: User | None,
    meeting: Meeting,
    title: str,
    kind: str = "manual",
    source_key: str = "",
    source_url: str = "",
    note: str = "",
    by_tick: bool = False,
) -> tuple[AgendaItem, bool]:
    """Add an agenda item; a candidate already on the agenda (same key) is returned unchanged."""
    if not meeting.is_open:
        raise ValidationError(
            {"title": "会议已召开或已取消，不能再增加议题。"}, code="meeting_closed"
        )
    title = _text(title, "title", "议题", max_length=200)
    if source_key:
        existing = meeting.agenda_items.filter(source_key=source_key).first()
        if existing is not None:
            return existing, False
    position = (meeting.agenda_items.aggregate(top=Max("position"))["top"] or 0) + 1
    try:
        with transaction.atomic():
            item = AgendaItem.objects.create(
                meeting=meeting,
                position=position,
                title=title,
                kind=kind[:20],
                source_key=source_key[:80],
                source_url=source_url[:300],
                note=normalize_text(note)[:300],
                added_by_tick=by_tick,
            )
    except IntegrityError:  # the same candidate, added by someone else a moment ago
        return meeting.agenda_items.get(source_key=source_key), False
    audit_log(
        actor=actor,
        action="meetings.agenda_item_added",
        target=meeting,
        changes={"agenda_item": [None, title], "source_key": [None, source_key]},
    )
    return item, True


@transaction.atomic
def agenda_item_remove(*, actor: User | None, item: AgendaItem) -> None:
    if not item.meeting.is_open:
        raise ValidationError("会议已召开或已取消，不能再调整议题。", code="meeting_closed")
    item.delete()
    audit_log(
        actor=actor,
        action="meetings.agenda_item_removed",
        target=item.meeting,
        changes={"agenda_item": [item.title, None], "source_key": [item.source_key, None]},
    )


# -- resolutions and action items ---------------------------------------------------------------


@transaction.atomic
def resolution_record(
    *,
    actor: User | None,
    meeting: Meeting,
    resolution: str,
    lead_body: Organization | None,
    deadline: date | None,
    co_bodies: Sequence[Organization] = (),
    expected_output: str = "",
    target: PlanTarget | None = None,
) -> ActionItem:
    """An 议定事项 of a held meeting becomes a 督办事项 of its lead body."""
    if meeting.status != Meeting.Status.HELD:
        raise ValidationError(
            {"resolution": "只有已召开、纪要未发布的会议可以记录议定事项。"}, code="bad_state"
        )
    item = _action_item_create(
        actor=actor,
        meeting=meeting,
        resolution=resolution,
        lead_body=lead_body,
        deadline=deadline,
        co_bodies=co_bodies,
        expected_output=expected_output,
        target=target,
        action="meetings.resolution_recorded",
    )
    _tell_lead_body(item, notices.ITEM_ASSIGNED, event="assigned")
    return item


def _action_item_create(
    *,
    actor: User | None,
    meeting: Meeting,
    resolution: str,
    lead_body: Organization | None,
    deadline: date | None,
    co_bodies: Sequence[Organization],
    expected_output: str,
    target: PlanTarget | None,
    action: str,
    **fields: Any,
) -> ActionItem:
    """The rules of a new action item, live or back-entered (``fields`` mark the latter), and
    its creation and audit entry; the callers check the meeting's state and tell whom."""
    resolution = _text(_multiline(resolution), "resolution", "议定事项内容", max_length=1000)
    members = meeting.mechanism.member_organization_ids()
    lead_body = _require_member(meeting.mechanism, lead_body, "lead_body", "牵头单位", members)
    if deadline is None:
        raise ValidationError({"deadline": "请填写完成时限。"}, code="required")
    held_on = meeting.held_on or meeting.local_start.date()
    if deadline < held_on:
        raise ValidationError({"deadline": "完成时限不能早于会议召开日期。"}, code="deadline_past")
    co_bodies = list(co_bodies)
    for body in co_bodies:
        _require_member(meeting.mechanism, body, "co_bodies", "配合单位", members)
    if any(body.pk == lead_body.pk for body in co_bodies):
        raise ValidationError({"co_bodies": "配合单位不能与牵头单位相同。"}, code="co_is_lead")
    if target is not None and target.plan.mechanism_id != meeting.mechanism_id:
        raise ValidationError({"target": "对应年度目标不属于本机制。"}, code="target")
    number = (meeting.action_items.aggregate(top=Max("number"))["top"] or 0) + 1
    item = ActionItem.objects.create(
        mechanism=meeting.mechanism,
        meeting=meeting,
        number=number,
        year=held_on.year,
        resolution=resolution,
        lead_body=lead_body,
        deadline=deadline,
        expected_output=normalize_text(expected_output)[:200],
        target=target,
        **fields,
    )
    if co_bodies:
        item.co_bodies.set(co_bodies)
    audit_log(
        actor=actor,
        action=action,
        target=item,
        changes={
            **diff(
                {},
                snapshot(
                    item,
                    ["resolution", "lead_body", "deadline", "expected_output", "target", "status"],
                ),
            ),
            **(BACK_ENTRY_AUDIT if fields.get("back_entered") else {}),
            "co_bodies": [None, sorted(body.pk for body in co_bodies)],
        },
    )
    return item


def _validate_upload(upload: UploadedFile) -> tuple[str, str, int]:
    """The upload's file name, content type and size, once they are acceptable."""
    name = PurePath(upload.name or "").name[:120]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(
            {
                "attachments": f"附件“{name}”的类型不支持：请上传 PDF、Word、Excel 或图片（JPG、PNG）。"
            },
            code="attachment_type",
        )
    if upload.size is None or upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError({"attachments": f"附件“{name}”超过 10 MB。"}, code="attachment_size")
    if upload.size == 0:
        raise ValidationError({"attachments": f"附件“{name}”是空文件。"}, code="attachment_empty")
    content_type, magics = ATTACHMENT_TYPES[extension]
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in magics):
        raise ValidationError(
            {"attachments": f"附件“{name}”的内容与文件类型不符。"}, code="attachment_content"
        )
    return name, content_type, upload.size


@transaction.atomic
def action_item_report(
    *,
    actor: User | None,
    item: ActionItem,
    percent: int | None,
    text: str,
    reason: str = "",
    attachments: Sequence[UploadedFile] = (),
) -> ProgressReport:
    """A progress report: 待办 → 推进中 at the first step forward, → 已完成 at 100%. Progress
    may go back only with a reason."""
    # transaction.atomic is required since we lock the item: two reports at once are applied
    # one after the other, each against the progress the other left.
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    if not item.is_open:
        raise ValidationError(
            {"percent": "该督办事项已办结或已取消，不能再报送进展。"}, code="closed"
        )
    return _progress_record(
        actor=actor,
        item=item,
        percent=percent,
        text=text,
        reason=reason,
        attachments=attachments,
        completed_on=timezone.localdate(),
        action="meetings.progress_reported",
    )


def _progress_record(
    *,
    actor: User | None,
    item: ActionItem,
    percent: int | None,
    text: str,
    reason: str,
    attachments: Sequence[UploadedFile],
    completed_on: date,
    action: str,
    audit: dict[str, Any] | None = None,
    **fields: Any,
) -> ProgressReport:
    """The rules of a progress report on a locked, open item, live or back-entered (``fields``
    and ``audit`` mark the latter), and its writes: the report, its attachments, the item's
    state (已完成 on ``completed_on`` at 100%) and the audit entry."""
    if percent is None or not 0 <= percent <= 100:
        raise ValidationError({"percent": "进度应为 0 到 100 之间的整数。"}, code="percent_range")
    text = _text(_multiline(text), "text", "进展情况", max_length=2000)
    reason = normalize_text(reason)[:200]
    if percent < item.progress and not reason:
        raise ValidationError(
            {"reason": f"进度从 {item.progress}% 回退到 {percent}%，请说明原因。"},
            code="backwards_without_reason",
        )
    if len(attachments) > ATTACHMENTS_PER_REPORT:
        raise ValidationError(
            {"attachments": f"每次最多上传 {ATTACHMENTS_PER_REPORT} 个附件。"}, code="too_many"
        )
    checked = [(upload, *_validate_upload(upload)) for upload in attachments]
    before = snapshot(item, ["status", "progress", "completed_on"])
    report = ProgressReport.objects.create(
        action_item=item,
        author=_actor_or_none(actor),
        organization_id=getattr(actor, "organization_id", None),
        percent=percent,
        text=text,
        reason=reason,
        **fields,
    )
    for upload, name, content_type, size in checked:
        ProgressAttachment.objects.create(
            report=report, file=upload, original_name=name, size=size, content_type=content_type
        )
    item.progress = percent
    if percent == 100:
        item.status, item.completed_on = ActionItem.Status.DONE, completed_on
    elif percent > 0 or item.status == ActionItem.Status.IN_PROGRESS:
        item.status = ActionItem.Status.IN_PROGRESS
    item.save(update_fields=["progress", "status", "completed_on", "updated_at"])
    audit_log(
        actor=actor,
        action=action,
        target=item,
        changes={
            **diff(before, snapshot(item, ["status", "progress", "completed_on"])),
            **(audit or {}),
            "report": [None, report.pk],
            "attachments": [None, [name for _, name, _, _ in checked]],
        },
    )
    return report


@transaction.atomic
def action_item_cancel(*, actor: User | None, item: ActionItem, reason: str) -> ActionItem:
    reason = _text(reason, "cancel_reason", "取消原因", max_length=200)
    updated = ActionItem.objects.filter(pk=item.pk, status__in=ActionItem.OPEN).update(
        status=ActionItem.Status.CANCELLED, cancel_reason=reason, updated_at=timezone.now()
    )
    if not updated:
        raise ValidationError({"cancel_reason": "该督办事项已办结或已取消。"}, code="closed")
    before = item.status
    item.refresh_from_db()
    audit_log(
        actor=actor,
        action="meetings.action_item_cancelled",
        target=item,
        changes={"status": [before, item.status], "cancel_reason": [None, reason]},
    )
    return item


# -- tick jobs ----------------------------------------------------------------------------------


def lead_body_recipients(item: ActionItem) -> list[User]:
    """The lead body's accounts (its liaison, 联络员, and whoever else works for it)."""
    return list(
        User.objects.filter(
            organization_id=item.lead_body_id, is_active=True, role__in=sorted(ORGANIZATION_ROLES)
        )
        .only("pk", "email", "is_active")
        .order_by("pk")
    )


def _tell_lead_body(
    item: ActionItem,
    kind: str,
    *,
    event: str,
    urgent: bool = False,
    recipients: list[User] | None = None,
) -> int:
    """The lead body's accounts (inbox, email as each chose) and group robots, in the caller's
    transaction. Returns the accounts told."""
    if recipients is None:
        recipients = lead_body_recipients(item)
    resolution = str(item.resolution)
    deadline = item.deadline
    notify(
        kind,
        recipients,
        context={
            "short": resolution[:40],
            "resolution": resolution,
            "mechanism": item.mechanism.name,
            "deadline": f"{deadline.year}年{deadline.month}月{deadline.day}日" if deadline else "—",
            "progress": item.progress,
        },
        event_key=f"{kind}:{item.pk}:{event}",
        link=reverse("meetings:item-detail", args=[item.pk]),
        target=f"meetings.actionitem:{item.pk}",
        urgent=urgent,
        organizations=[item.lead_body_id],
        organization_id=item.mechanism.convening_union_id,
    )
    return len(recipients)


def reminders_send(*, today: date | None = None, dry_run: bool = False) -> int:
    """One reminder per item before its deadline (within REMIND_DAYS_BEFORE days) and one once it
    is overdue, to the lead body's accounts (notifications.notify). The reminder row is claimed
    in the same transaction as the messages; a second run finds the row and sends nothing."""
    today = today or timezone.localdate()

    def reminded(kind: str) -> Exists:
        return Exists(
            Reminder.objects.filter(
                action_item=OuterRef("pk"), kind=kind, deadline=OuterRef("deadline")
            )
        )

    # Only the items still owed a reminder, so that a minute's tick stays one query when
    # nothing is due, however many overdue items have piled up.
    due = (
        ActionItem.objects.filter(
            Q(deadline__lt=today) & ~reminded(Reminder.Kind.OVERDUE)
            | Q(deadline__gte=today, deadline__lte=today + timedelta(days=REMIND_DAYS_BEFORE))
            & ~reminded(Reminder.Kind.DUE_SOON),
            status__in=ActionItem.OPEN,
            mechanism__status=Mechanism.Status.ACTIVE,
        )
        # 补录: a deadline already past when the item was entered is history, not a reminder.
        .exclude(back_entered=True, deadline__lt=F("back_entered_on"))
        .select_related("mechanism", "lead_body")
        .order_by("pk")
    )
    sent = 0
    for item in due.iterator(chunk_size=500):
        kind = Reminder.Kind.OVERDUE if item.deadline < today else Reminder.Kind.DUE_SOON
        sent += 1
        if dry_run:
            continue
        with transaction.atomic():
            recipients = lead_body_recipients(item)
            try:
                with transaction.atomic():
                    Reminder.objects.create(
                        action_item=item,
                        kind=kind,
                        deadline=item.deadline,
                        recipients=len(recipients),
                    )
            except IntegrityError:  # another tick got there first
                sent -= 1
                continue
            # Overdue is urgent: an SMS (for who chose it) does not wait for the morning.
            overdue = kind == Reminder.Kind.OVERDUE
            _tell_lead_body(
                item,
                notices.ITEM_OVERDUE if overdue else notices.ITEM_DUE_SOON,
                event=f"{kind}:{item.deadline:%Y%m%d}",
                urgent=overdue,
                recipients=recipients,
            )
            audit_log(
                actor=None,
                action=f"meetings.reminder_{kind}",
                target=item,
                changes={"recipients": [None, len(recipients)]},
            )
    return sent


def next_draft_meeting(mechanism: Mechanism, *, now: datetime | None = None) -> Meeting | None:
    """The next meeting still being prepared (its agenda is a draft)."""
    now = now or timezone.now()
    return (
        mechanism.meetings.filter(status=Meeting.Status.PREPARING, starts_at__gt=now)
        .order_by("starts_at")
        .first()
    )


def overdue_to_agenda(*, dry_run: bool = False) -> int:
    """Every candidate (overdue action items, escalated demands, proposals…) goes onto the
    next draft agenda of its mechanism, once: the candidate's key is unique per meeting."""
    added = 0
    for mechanism in Mechanism.objects.filter(status=Mechanism.Status.ACTIVE).order_by("pk"):
        meeting = next_draft_meeting(mechanism)
        if meeting is None:
            continue
        present = set(
            meeting.agenda_items.exclude(source_key="").values_list("source_key", flat=True)
        )
        for candidate in agenda_candidates_for(mechanism):
            if candidate.key in present:
                continue
            present.add(candidate.key)
            added += 1
            if not dry_run:
                agenda_item_add(
                    actor=None,
                    meeting=meeting,
                    title=candidate.title,
                    kind=candidate.kind,
                    source_key=candidate.key,
                    source_url=candidate.url,
                    note=candidate.note,
                    by_tick=True,
                )
    return added


# -- 补录: meetings held before the platform ------------------------------------------------------
#
# A union adopting the platform mid-year records the meetings it already held, with their
# attendance, minutes, resolutions and the progress made on them, on the dates they happened.
# These functions never send anything (no invitation, no minutes mail, no reminder) and say 补录
# in the audit log. They stand apart from the live workflow's functions on purpose: those send
# notices, and a later notice wired into them must not reach a record of the past.

BACK_ENTRY_AUDIT = {"back_entered": [None, BACK_ENTRY_LABEL]}


def _actor_or_none(actor: User | None) -> User | None:
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def meeting_back_enter(
    *,
    actor: User | None,
    mechanism: Mechanism,
    title: str,
    held_on: date | None,
    host_body: Organization | None,
    topic: str = "",
    start_time: time | None = None,
    duration_minutes: int | None = None,
    location: str = "",
    online_url: str = "",
    present_bodies: Sequence[Organization] = (),
    minutes: str = "",
    resolutions: Sequence[dict[str, Any]] = (),
    publish: bool = False,
    today: date | None = None,
) -> Meeting:
    """Record a meeting already held: straight to 已召开 (纪要已发布 with ``publish``), the
    member bodies invited and ``present_bodies`` marked present, the minutes, and each of
    ``resolutions`` (the keyword arguments of ``back_entry_resolution_record``) as a
    back-entered action item. The date must be a past one within the back-entry window."""
    if mechanism.status == Mechanism.Status.CLOSED:
        raise ValidationError("机制已撤销，不能补录会议。", code="mechanism_closed")
    today = today or timezone.localdate()
    held_on = back_entry_date_check(held_on, field="held_on", label="召开日期", today=today)
    starts_at = timezone.make_aware(datetime.combine(held_on, start_time or time(9, 0)))
    cleaned = _meeting_fields(
        mechanism,
        {
            "title": title,
            "topic": topic,
            "starts_at": starts_at,
            "duration_minutes": duration_minutes,
            "location": location,
            "online_url": online_url,
            "host_body": host_body,
        },
    )
    if cleaned["starts_at"] > timezone.now():
        raise ValidationError({"start_time": "补录的会议开始时间不能晚于现在。"}, code="future")
    members = mechanism.member_organization_ids()
    present = {
        _require_member(mechanism, body, "present_bodies", "参会单位", members).pk
        for body in present_bodies
    }
    meeting = Meeting(
        mechanism=mechanism,
        status=Meeting.Status.HELD,
        held_on=held_on,
        minutes=_multiline(minutes),
        back_entered=True,
        back_entered_by=_actor_or_none(actor),
        back_entered_at=timezone.now(),
        **cleaned,
    )
    meeting.full_clean()
    meeting.save()
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, organization_id=org_id, present=org_id in present)
        for org_id in sorted(members)
    )
    audit_log(
        actor=actor,
        action="meetings.meeting_back_entered",
        target=meeting,
        changes={
            **diff({}, snapshot(meeting, MEETING_FIELDS)),
            **BACK_ENTRY_AUDIT,
            "status": [None, Meeting.Status.HELD],
            "held_on": [None, str(held_on)],
            "present": [None, sorted(present)],
            "minutes_length": [None, len(meeting.minutes)],
        },
    )
    for index, fields in enumerate(resolutions):
        try:
            back_entry_resolution_record(actor=actor, meeting=meeting, today=today, **fields)
        except ValidationError as error:
            if hasattr(error, "error_dict"):  # name the resolution the message is about
                raise ValidationError(
                    {
                        f"resolutions[{index}].{field}": messages
                        for field, messages in error.message_dict.items()
                    }
                ) from error
            raise
    if publish:
        back_entry_minutes_publish(actor=actor, meeting=meeting)
    return meeting


@transaction.atomic
def back_entry_resolution_record(
    *,
    actor: User | None,
    meeting: Meeting,
    resolution: str,
    lead_body: Organization | None,
    deadline: date | None,
    co_bodies: Sequence[Organization] = (),
    expected_output: str = "",
    target: PlanTarget | None = None,
    progress: Sequence[dict[str, Any]] = (),
    today: date | None = None,
) -> ActionItem:
    """An 议定事项 of a back-entered meeting, with its real deadline (past or not) and, in
    ``progress``, the reports made on it (``reported_on``, ``percent``, ``text``, ``reason``),
    oldest first. No reminder is ever sent for a deadline that had passed before it was entered."""
    if not meeting.back_entered:
        raise ValidationError(
            {"resolution": "只有补录的会议可以补录议定事项。"}, code="not_back_entered"
        )
    if meeting.status != Meeting.Status.HELD:
        raise ValidationError({"resolution": "纪要已发布，不能再补录议定事项。"}, code="bad_state")
    today = today or timezone.localdate()
    item = _action_item_create(
        actor=actor,
        meeting=meeting,
        resolution=resolution,
        lead_body=lead_body,
        deadline=deadline,
        co_bodies=co_bodies,
        expected_output=expected_output,
        target=target,
        action="meetings.resolution_back_entered",
        back_entered=True,
        back_entered_on=today,
    )
    for index, entry in enumerate(progress):
        try:
            back_entry_progress_report(actor=actor, item=item, today=today, **entry)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                raise ValidationError(
                    {
                        f"progress[{index}].{field}": messages
                        for field, messages in error.message_dict.items()
                    }
                ) from error
            raise
        item.refresh_from_db()
    return item


@transaction.atomic
def back_entry_progress_report(
    *,
    actor: User | None,
    item: ActionItem,
    percent: int | None,
    text: str,
    reported_on: date | None,
    reason: str = "",
    attachments: Sequence[UploadedFile] = (),
    today: date | None = None,
) -> ProgressReport:
    """A progress report of a back-entered item, dated on the day it was made: not in the
    future, not before the meeting, not before the previous report. 100% completes the item
    on that day, so its completion date is the real one."""
    item = ActionItem.objects.select_for_update().select_related("meeting").get(pk=item.pk)
    if not item.back_entered:
        raise ValidationError(
            {"reported_on": "只有补录的督办事项可以补录过去日期的进展。"}, code="not_back_entered"
        )
    if not item.is_open:
        raise ValidationError(
            {"percent": "该督办事项已办结或已取消，不能再报送进展。"}, code="closed"
        )
    held_on = item.meeting.held_on or item.meeting.local_start.date()
    last = item.reports.order_by("-created_at", "-id").first()
    last_on = (last.reported_on or timezone.localdate(last.created_at)) if last else None
    reported_on = back_entry_date_check(
        reported_on,
        field="reported_on",
        label="进展日期",
        today=today,
        not_before=held_on,
        not_before_label="会议召开日期",
    )
    if last_on is not None and reported_on < last_on:
        raise ValidationError(
            {
                "reported_on": f"进展日期不能早于上一次进展（{last_on.year}年{last_on.month}月{last_on.day}日）。"
            },
            code="back_entry_order",
        )
    return _progress_record(
        actor=actor,
        item=item,
        percent=percent,
        text=text,
        reason=reason,
        attachments=attachments,
        completed_on=reported_on,
        action="meetings.progress_back_entered",
        audit={**BACK_ENTRY_AUDIT, "reported_on": [None, str(reported_on)]},
        back_entered=True,
        reported_on=reported_on,
    )


@transaction.atomic
def back_entry_minutes_publish(*, actor: User | None, meeting: Meeting) -> Meeting:
    """已召开 → 纪要已发布 for a back-entered meeting: the members see the minutes on the
    platform; nobody is mailed about a meeting of the past."""
    if not meeting.back_entered:
        raise ValidationError(
            {"minutes": "只有补录的会议可以不发通知直接发布纪要。"}, code="not_back_entered"
        )
    meeting.minutes = Meeting.objects.values_list("minutes", flat=True).get(pk=meeting.pk)
    if not meeting.minutes.strip():
        raise ValidationError({"minutes": "请先填写会议纪要再发布。"}, code="no_minutes")
    _move(
        meeting,
        [Meeting.Status.HELD],
        Meeting.Status.PUBLISHED,
        "只有已召开的会议可以发布纪要。",
        minutes_published_at=timezone.now(),
    )
    audit_log(
        actor=actor,
        action="meetings.minutes_published",
        target=meeting,
        changes={
            "status": [Meeting.Status.HELD, Meeting.Status.PUBLISHED],
            **BACK_ENTRY_AUDIT,
            "notice": [None, "补录会议，不发通知"],
        },
    )
    return meeting
