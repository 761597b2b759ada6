"""The campaigns API: campaigns with their progress (target against counted or reported
actuals), targets, the task board (publish, claim 揭榜, milestones, completion) and progress
reports. Same scoping as the pages (campaigns.permissions)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Router

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.accounts.permissions import acts_for_organization
from liandong.campaigns import permissions as perms
from liandong.campaigns import selectors, services
from liandong.campaigns.models import Campaign, Task
from liandong.campaigns.schemas import (
    CampaignDetailOut,
    CampaignIn,
    CampaignMeasureOut,
    CampaignMilestoneDoneIn,
    CampaignMilestoneIn,
    CampaignOut,
    CampaignPatch,
    CampaignProgressEntryOut,
    CampaignProgressIn,
    CampaignTargetIn,
    CampaignTaskCompleteIn,
    CampaignTaskIn,
    CampaignTaskOut,
)

router = Router(tags=["专项行动"])


def _open(request: AuthenticatedHttpRequest) -> None:
    if not perms.may_open_campaigns(request.user):
        raise PermissionDenied


def _campaign(request: AuthenticatedHttpRequest, campaign_id: int) -> Campaign:
    _open(request)
    return get_object_or_404(
        perms.campaigns_visible_to(request.user).select_related("owner"), pk=campaign_id
    )


def _managed(request: AuthenticatedHttpRequest, campaign_id: int) -> Campaign:
    campaign = _campaign(request, campaign_id)
    if not perms.can_manage(request.user, campaign):
        raise PermissionDenied("只有牵头工会及其上级工会的工作人员可以操作")
    return campaign


def _task(request: AuthenticatedHttpRequest, task_id: int) -> Task:
    _open(request)
    return get_object_or_404(
        perms.tasks_visible_to(request.user).select_related("campaign__owner", "claimed_by"),
        pk=task_id,
    )


def _campaign_out(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.pk,
        "name": c.name,
        "owner_id": c.owner_id,
        "owner_name": c.owner.name,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "description": c.description,
        "result": c.result,
    }


def _detail(c: Campaign) -> dict[str, Any]:
    return {
        **_campaign_out(c),
        "progress": [
            {
                "target_id": r.target.pk,
                "organization_id": r.target.organization_id,
                "organization_name": r.target.organization.name,
                "measure": r.target.measure,
                "measure_label": r.measure.label if r.measure else r.target.measure,
                "counted": bool(r.measure and r.measure.counted),
                "target": r.target.value,
                "actual": r.actual,
                "percent": r.percent,
                "records_url": r.records_url,
            }
            for r in selectors.progress(c)
        ],
    }


def _task_out(t: Task) -> dict[str, Any]:
    return {
        "id": t.pk,
        "campaign_id": t.campaign_id,
        "title": t.title,
        "description": t.description,
        "due_on": t.due_on,
        "status": t.status,
        "claimed_by_id": t.claimed_by_id,
        "claimed_by_name": t.claimed_by.name if t.claimed_by else "",
        "claimed_at": t.claimed_at,
        "result": t.result,
        "completed_on": t.completed_on,
        "milestones": [
            {"id": m.pk, "title": m.title, "due_on": m.due_on, "done_on": m.done_on, "note": m.note}
            for m in t.milestones.all()
        ],
    }


@router.get("/measures", response=list[CampaignMeasureOut], operation_id="campaigns_list_measures")
def list_measures(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    """What a target may measure: counted from the product's records, or reported by hand."""
    _open(request)
    return [
        {"key": m.key, "label": m.label, "unit": m.unit, "counted": m.counted is not None}
        for m in selectors.measures().values()
    ]


@router.get("", response=list[CampaignOut], operation_id="campaigns_list")
def list_campaigns(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    _open(request)
    visible = perms.campaigns_visible_to(request.user).select_related("owner")
    return [_campaign_out(c) for c in visible[:200]]


@router.post("", response={201: CampaignDetailOut}, operation_id="campaigns_create")
def create_campaign(
    request: AuthenticatedHttpRequest, payload: CampaignIn
) -> tuple[int, dict[str, Any]]:
    if not perms.can_create_campaign(request.user):
        raise PermissionDenied("只有工会工作人员可以新建专项行动")
    owner = get_object_or_404(perms.owners_for(request.user), pk=payload.owner)
    campaign = services.campaign_create(
        actor=request.user,
        owner=owner,
        name=payload.name,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        description=payload.description,
    )
    return 201, _detail(campaign)


@router.get("/{campaign_id}", response=CampaignDetailOut, operation_id="campaigns_get")
def get_campaign(request: AuthenticatedHttpRequest, campaign_id: int) -> dict[str, Any]:
    """The campaign with its progress table: per target, the actual counted from records."""
    return _detail(_campaign(request, campaign_id))


@router.patch("/{campaign_id}", response=CampaignDetailOut, operation_id="campaigns_update")
def update_campaign(
    request: AuthenticatedHttpRequest, campaign_id: int, payload: CampaignPatch
) -> dict[str, Any]:
    campaign = _managed(request, campaign_id)
    given = payload.dict(exclude_unset=True)
    fields = ["name", "starts_on", "ends_on", "description", "result"]
    values = {k: given[k] if given.get(k) is not None else getattr(campaign, k) for k in fields}
    campaign = services.campaign_update(actor=request.user, campaign=campaign, **values)
    return _detail(campaign)


@router.post(
    "/{campaign_id}/targets", response=CampaignDetailOut, operation_id="campaigns_set_target"
)
def set_target(
    request: AuthenticatedHttpRequest, campaign_id: int, payload: CampaignTargetIn
) -> dict[str, Any]:
    campaign = _managed(request, campaign_id)
    organization = get_object_or_404(perms.target_organizations(campaign), pk=payload.organization)
    services.target_set(
        actor=request.user,
        campaign=campaign,
        organization=organization,
        measure=payload.measure,
        value=payload.value,
    )
    return _detail(campaign)


@router.get(
    "/{campaign_id}/tasks", response=list[CampaignTaskOut], operation_id="campaigns_list_tasks"
)
def list_tasks(request: AuthenticatedHttpRequest, campaign_id: int) -> list[dict[str, Any]]:
    campaign = _campaign(request, campaign_id)
    tasks = campaign.tasks.select_related("claimed_by").prefetch_related("milestones")
    return [_task_out(t) for t in tasks]


@router.post(
    "/{campaign_id}/tasks", response={201: CampaignTaskOut}, operation_id="campaigns_publish_task"
)
def publish_task(
    request: AuthenticatedHttpRequest, campaign_id: int, payload: CampaignTaskIn
) -> tuple[int, dict[str, Any]]:
    campaign = _managed(request, campaign_id)
    task = services.task_create(
        actor=request.user,
        campaign=campaign,
        title=payload.title,
        description=payload.description,
        due_on=payload.due_on,
    )
    return 201, _task_out(task)


@router.post(
    "/tasks/{task_id}/claim", response=CampaignTaskOut, operation_id="campaigns_claim_task"
)
def claim_task(request: AuthenticatedHttpRequest, task_id: int) -> dict[str, Any]:
    """The caller's body takes the task up (揭榜): first come, first served."""
    task = _task(request, task_id)
    if not (
        perms.is_participant(request.user, task.campaign) and acts_for_organization(request.user)
    ):
        raise PermissionDenied("只有参与行动的下级单位和成员单位可以揭榜")
    task = services.task_claim(
        actor=request.user, task=task, organization=request.user.organization
    )
    return _task_out(task)


def _workable(request: AuthenticatedHttpRequest, task_id: int) -> Task:
    task = _task(request, task_id)
    if not perms.can_work_on_task(request.user, task):
        raise PermissionDenied("只有揭榜单位和牵头工会可以操作")
    return task


@router.post(
    "/tasks/{task_id}/milestones",
    response={201: CampaignTaskOut},
    operation_id="campaigns_add_milestone",
)
def add_milestone(
    request: AuthenticatedHttpRequest, task_id: int, payload: CampaignMilestoneIn
) -> tuple[int, dict[str, Any]]:
    task = _workable(request, task_id)
    services.milestone_add(
        actor=request.user, task=task, title=payload.title, due_on=payload.due_on
    )
    return 201, _task_out(task)


@router.post(
    "/tasks/{task_id}/milestones/{milestone_id}/done",
    response=CampaignTaskOut,
    operation_id="campaigns_milestone_done",
)
def milestone_done(
    request: AuthenticatedHttpRequest,
    task_id: int,
    milestone_id: int,
    payload: CampaignMilestoneDoneIn,
) -> dict[str, Any]:
    task = _workable(request, task_id)
    milestone = get_object_or_404(task.milestones, pk=milestone_id)
    services.milestone_done(
        actor=request.user, milestone=milestone, done_on=payload.done_on, note=payload.note
    )
    return _task_out(task)


@router.post(
    "/tasks/{task_id}/complete", response=CampaignTaskOut, operation_id="campaigns_complete_task"
)
def complete_task(
    request: AuthenticatedHttpRequest, task_id: int, payload: CampaignTaskCompleteIn
) -> dict[str, Any]:
    task = _workable(request, task_id)
    task = services.task_complete(
        actor=request.user, task=task, result=payload.result, completed_on=payload.completed_on
    )
    return _task_out(task)


@router.post(
    "/{campaign_id}/progress",
    response={201: CampaignProgressEntryOut},
    operation_id="campaigns_report_progress",
)
def report_progress(
    request: AuthenticatedHttpRequest, campaign_id: int, payload: CampaignProgressIn
) -> tuple[int, dict[str, Any]]:
    """A hand-reported count (宣传活动…) with its evidence, for the caller's body (staff of the
    owning union: any body of its subtree)."""
    campaign = _campaign(request, campaign_id)
    if not perms.can_report(request.user, campaign):
        raise PermissionDenied
    organization = get_object_or_404(
        perms.reporting_organizations(request.user, campaign), pk=payload.organization
    )
    entry = services.progress_report(
        actor=request.user,
        campaign=campaign,
        organization=organization,
        measure=payload.measure,
        count=payload.count,
        occurred_on=payload.occurred_on,
        evidence=payload.evidence,
    )
    return 201, {
        "id": entry.pk,
        "organization_id": entry.organization_id,
        "measure": entry.measure,
        "count": entry.count,
        "occurred_on": entry.occurred_on,
        "evidence": entry.evidence,
    }
