"""Business rules of campaigns (专项行动). Keyword-only, each write in one transaction,
validated with ``full_clean()`` and written to the audit log with what changed.

Claiming a task (揭榜) is first come, first served: one conditional UPDATE
``… WHERE status = 'open' AND claimed_by IS NULL`` takes it, so among bodies that claim at the
same moment exactly one wins and the others are told who did. Staff of the owning union may
release a claim (with a reason), which reopens the task for others."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from liandong.accounts.models import User
from liandong.campaigns import notices
from liandong.campaigns.models import (
    REPORTED_MEASURES,
    Campaign,
    Milestone,
    ProgressEntry,
    Target,
    Task,
    TaskStatus,
)
from liandong.campaigns.selectors import measures
from liandong.core import races
from liandong.core.audit import audit_log, diff, snapshot
from liandong.notifications.services import notify
from liandong.organizations.models import Organization

# The guard of task_claim; switched off only by the concurrency test's control run.
CLAIM_GUARD = True

CAMPAIGN_FIELDS = ["name", "owner", "starts_on", "ends_on", "description", "result"]


def _is_union(organization: Organization) -> bool:
    return organization.kind in {Organization.Kind.UNION, Organization.Kind.UNION_FEDERATION}


@transaction.atomic
def campaign_create(
    *,
    actor: User | None,
    owner: Organization,
    name: str,
    starts_on: date,
    ends_on: date,
    description: str = "",
) -> Campaign:
    if not _is_union(owner):
        raise ValidationError({"owner": "牵头单位必须是工会"}, code="owner")
    campaign = Campaign(
        owner=owner,
        name=name.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        description=description.strip(),
        created_by=actor,
    )
    _check_dates(campaign)
    campaign.full_clean()
    campaign.save()
    audit_log(
        actor=actor,
        action="campaigns.campaign_created",
        target=campaign,
        changes=snapshot(campaign, CAMPAIGN_FIELDS),
    )
    return campaign


def _check_dates(campaign: Campaign) -> None:
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        raise ValidationError({"ends_on": "结束日期不能早于开始日期"}, code="dates")


@transaction.atomic
def campaign_update(
    *,
    actor: User | None,
    campaign: Campaign,
    name: str,
    starts_on: date,
    ends_on: date,
    description: str = "",
    result: str = "",
) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    before = snapshot(campaign, CAMPAIGN_FIELDS)
    campaign.name = name.strip()
    campaign.starts_on = starts_on
    campaign.ends_on = ends_on
    campaign.description = description.strip()
    campaign.result = result.strip()
    _check_dates(campaign)
    campaign.full_clean()
    campaign.save()
    changes = diff(before, snapshot(campaign, CAMPAIGN_FIELDS))
    if changes:
        audit_log(
            actor=actor, action="campaigns.campaign_updated", target=campaign, changes=changes
        )
    return campaign


@transaction.atomic
def target_set(
    *,
    actor: User | None,
    campaign: Campaign,
    organization: Organization,
    measure: str,
    value: int,
) -> Target:
    """Set (or change) the target of ``measure`` for a union of the campaign's subtree."""
    if measure not in measures():
        raise ValidationError({"measure": "请选择有效的指标"}, code="measure")
    if not (_is_union(organization) and organization.path.startswith(campaign.owner.path)):
        raise ValidationError(
            {"organization": "目标只能下达给牵头工会及其下级工会"}, code="organization"
        )
    if value < 1:
        raise ValidationError({"value": "目标值必须大于 0"}, code="value")
    target = Target.objects.filter(
        campaign=campaign, organization=organization, measure=measure
    ).first()
    before = {"value": target.value} if target else {}
    if target is None:
        target = Target(campaign=campaign, organization=organization, measure=measure)
    target.value = value
    target.full_clean()
    target.save()
    audit_log(
        actor=actor,
        action="campaigns.target_set",
        target=campaign,
        changes={
            "organization": organization.pk,
            "measure": measure,
            **diff(before, {"value": value}),
        },
    )
    return target


@transaction.atomic
def target_remove(*, actor: User | None, target: Target) -> None:
    campaign = target.campaign
    changes = {
        "organization": target.organization_id,
        "measure": target.measure,
        "value": [target.value, None],
    }
    target.delete()
    audit_log(actor=actor, action="campaigns.target_removed", target=campaign, changes=changes)


@transaction.atomic
def task_create(
    *,
    actor: User | None,
    campaign: Campaign,
    title: str,
    description: str = "",
    due_on: date | None = None,
) -> Task:
    if due_on is not None and not (campaign.starts_on <= due_on <= campaign.ends_on):
        raise ValidationError({"due_on": "完成期限应在行动期间内"}, code="due_on")
    task = Task(campaign=campaign, title=title.strip(), description=description.strip())
    task.due_on = due_on
    task.full_clean()
    task.save()
    audit_log(
        actor=actor,
        action="campaigns.task_published",
        target=task,
        changes=snapshot(task, ["campaign", "title", "due_on"]),
    )
    return task


@transaction.atomic
def task_claim(*, actor: User, task: Task, organization: Organization) -> Task:
    """``organization`` takes the task up (揭榜), if no body has yet."""
    now = timezone.now()
    if CLAIM_GUARD:
        taken = Task.objects.filter(
            pk=task.pk, status=TaskStatus.OPEN, claimed_by__isnull=True
        ).update(
            status=TaskStatus.CLAIMED,
            claimed_by=organization,
            claimed_by_user=actor,
            claimed_at=now,
            updated_at=now,
        )
    else:  # the control run: read, check, write, as a naive implementation would
        current = Task.objects.get(pk=task.pk)
        taken = 0
        races.window()  # control path only: all threads read before any writes
        if current.claimed_by_id is None:
            current.status = TaskStatus.CLAIMED
            current.claimed_by = organization
            current.claimed_by_user = actor
            current.claimed_at = now
            current.save()
            taken = 1
    task = Task.objects.select_related("campaign", "claimed_by").get(pk=task.pk)
    if not taken:
        holder = task.claimed_by.name if task.claimed_by else "其他单位"
        raise ValidationError({"task": f"该任务已由{holder}揭榜"}, code="claimed")
    audit_log(
        actor=actor,
        action="campaigns.task_claimed",
        target=task,
        changes={"claimed_by": [None, organization.pk], "status": ["open", "claimed"]},
    )
    campaign = task.campaign
    notify(
        notices.TASK_CLAIMED,
        notices.accounts_of(campaign.owner_id).filter(role__in=["union_admin", "union_staff"]),
        context={"campaign": campaign.name, "task": task.title, "body": organization.name},
        event_key=f"campaigns.task_claimed:{task.pk}:{organization.pk}:{now.timestamp()}",
        link=reverse("campaigns:task-detail", args=[task.pk]),
        target=f"campaigns.task:{task.pk}",
        organization_id=campaign.owner_id,
    )
    return task


@transaction.atomic
def task_release(*, actor: User | None, task: Task, reason: str) -> Task:
    """Staff reopen a claimed task (the body withdrew, or cannot deliver)."""
    if not reason.strip():
        raise ValidationError({"reason": "请填写撤销揭榜的原因"}, code="reason")
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.status != TaskStatus.CLAIMED:
        raise ValidationError({"task": "只有已揭榜、未完成的任务可以撤销揭榜"}, code="state")
    previous = task.claimed_by_id
    task.status = TaskStatus.OPEN
    task.claimed_by = None
    task.claimed_by_user = None
    task.claimed_at = None
    task.full_clean()
    task.save()
    audit_log(
        actor=actor,
        action="campaigns.task_released",
        target=task,
        changes={
            "claimed_by": [previous, None],
            "status": ["claimed", "open"],
            "reason": reason.strip(),
        },
    )
    return task


@transaction.atomic
def task_complete(*, actor: User | None, task: Task, result: str, completed_on: date) -> Task:
    if not result.strip():
        raise ValidationError({"result": "请填写完成情况"}, code="result")
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.status != TaskStatus.CLAIMED:
        raise ValidationError({"task": "任务尚未揭榜或已完成"}, code="state")
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": "完成日期不能晚于今天"}, code="future")
    if task.milestones.filter(done_on__isnull=True).exists():
        raise ValidationError({"task": "还有未完成的节点，请先登记节点完成情况"}, code="open")
    task.status = TaskStatus.DONE
    task.result = result.strip()
    task.completed_on = completed_on
    task.full_clean()
    task.save()
    audit_log(
        actor=actor,
        action="campaigns.task_completed",
        target=task,
        changes={"status": ["claimed", "done"], "completed_on": str(completed_on)},
    )
    return task


@transaction.atomic
def milestone_add(*, actor: User | None, task: Task, title: str, due_on: date) -> Milestone:
    if task.status == TaskStatus.DONE:
        raise ValidationError({"task": "任务已完成，不能再添加节点"}, code="state")
    campaign = task.campaign
    if not (campaign.starts_on <= due_on <= campaign.ends_on):
        raise ValidationError({"due_on": "节点期限应在行动期间内"}, code="due_on")
    milestone = Milestone(task=task, title=title.strip(), due_on=due_on)
    milestone.full_clean()
    milestone.save()
    audit_log(
        actor=actor,
        action="campaigns.milestone_added",
        target=task,
        changes={"milestone": milestone.title, "due_on": str(due_on)},
    )
    return milestone


@transaction.atomic
def milestone_done(
    *, actor: User | None, milestone: Milestone, done_on: date, note: str = ""
) -> Milestone:
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.done_on is not None:
        raise ValidationError({"done_on": "该节点已登记完成"}, code="done")
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": "完成日期不能晚于今天"}, code="future")
    milestone.done_on = done_on
    milestone.note = note.strip()
    milestone.full_clean()
    milestone.save()
    audit_log(
        actor=actor,
        action="campaigns.milestone_done",
        target=milestone.task,
        changes={"milestone": milestone.title, "done_on": [None, str(done_on)]},
    )
    return milestone


@transaction.atomic
def progress_report(
    *,
    actor: User | None,
    campaign: Campaign,
    organization: Organization,
    measure: str,
    count: int,
    occurred_on: date,
    evidence: str,
) -> ProgressEntry:
    """A body reports progress on a measure no module records (宣传活动…), with evidence."""
    if measure not in REPORTED_MEASURES:
        raise ValidationError({"measure": "该指标由系统记录自动统计，无需填报"}, code="measure")
    if count < 1:
        raise ValidationError({"count": "数量必须大于 0"}, code="count")
    if not (campaign.starts_on <= occurred_on <= campaign.ends_on):
        raise ValidationError({"occurred_on": "日期应在行动期间内"}, code="occurred_on")
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": "日期不能晚于今天"}, code="future")
    if not evidence.strip():
        raise ValidationError({"evidence": "请填写佐证说明"}, code="evidence")
    entry = ProgressEntry(
        campaign=campaign,
        organization=organization,
        measure=measure,
        count=count,
        occurred_on=occurred_on,
        evidence=evidence.strip(),
        entered_by=actor,
    )
    entry.full_clean()
    entry.save()
    audit_log(
        actor=actor,
        action="campaigns.progress_reported",
        target=campaign,
        changes=snapshot(entry, ["organization", "measure", "count", "occurred_on", "evidence"]),
    )
    return entry


def milestones_remind_overdue(*, dry_run: bool = False, today: date | None = None) -> list[int]:
    """Tell each claiming body once of its task's milestones past due and undone."""
    today = today or timezone.localdate()
    overdue = Milestone.objects.filter(
        done_on__isnull=True,
        due_on__lt=today,
        overdue_notified_on__isnull=True,
        task__status=TaskStatus.CLAIMED,
    ).select_related("task__campaign", "task__claimed_by")
    told = []
    for milestone in overdue[:500]:
        told.append(milestone.pk)
        if dry_run:
            continue
        with transaction.atomic():
            task = milestone.task
            notify(
                notices.MILESTONE_OVERDUE,
                notices.accounts_of(task.claimed_by_id or 0),
                context={
                    "campaign": task.campaign.name,
                    "task": task.title,
                    "milestone": milestone.title,
                    "due": f"{milestone.due_on.year}年{milestone.due_on.month}月{milestone.due_on.day}日",
                },
                event_key=f"campaigns.milestone_overdue:{milestone.pk}",
                link=reverse("campaigns:task-detail", args=[task.pk]),
                target=f"campaigns.task:{task.pk}",
                organization_id=task.claimed_by_id,
            )
            Milestone.objects.filter(pk=milestone.pk).update(overdue_notified_on=today)
            audit_log(
                actor=None,
                action="campaigns.milestone_overdue",
                target=task,
                changes={"milestone": milestone.title, "due_on": str(milestone.due_on)},
            )
    return told
