"""Pages of campaigns. Thin: scope from permissions, rules in services. A refusal shows the
service's Chinese message on the form and changes nothing."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from liandong.accounts.permissions import acts_for_organization
from liandong.campaigns import forms as f
from liandong.campaigns import permissions as perms
from liandong.campaigns import selectors, services
from liandong.campaigns.models import Campaign, Task
from liandong.core.forms import form_add_service_error
from liandong.organizations.models import Organization


def _attempt(
    request: HttpRequest, form: Any, action: Callable[[dict[str, Any]], Any], success: str
) -> bool:
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as error:
        form_add_service_error(form, error)
        return False
    messages.success(request, success)
    return True


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return get_object_or_404(
        perms.campaigns_visible_to(request.user).select_related("owner"), pk=pk
    )


def _managed(request: HttpRequest, pk: int) -> Campaign:
    campaign = _campaign(request, pk)
    if not perms.can_manage(request.user, campaign):
        raise PermissionDenied
    return campaign


def _task(request: HttpRequest, pk: int) -> Task:
    return get_object_or_404(
        perms.tasks_visible_to(request.user).select_related(
            "campaign__owner", "claimed_by", "claimed_by_user"
        ),
        pk=pk,
    )


@login_required
def campaign_list_view(request: HttpRequest) -> HttpResponse:
    if not perms.may_open_campaigns(request.user):
        raise PermissionDenied
    campaigns = perms.campaigns_visible_to(request.user).select_related("owner")
    year = request.GET.get("year", "")
    if year.isdigit() and 2000 <= int(year) <= 2100:
        campaigns = campaigns.filter(starts_on__year__lte=int(year), ends_on__year__gte=int(year))
    else:
        year = ""
    today = timezone.localdate()
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "campaigns": campaigns[:200],
            "year": year,
            "today": today,
            "can_create": perms.can_create_campaign(request.user),
        },
    )


@login_required
def campaign_create_view(request: HttpRequest) -> HttpResponse:
    if not perms.can_create_campaign(request.user):
        raise PermissionDenied
    form = f.CampaignForm(request.POST or None, owners=perms.owners_for(request.user))
    created: list[Campaign] = []
    if request.method == "POST" and _attempt(
        request,
        form,
        lambda d: created.append(
            services.campaign_create(
                actor=request.user,  # type: ignore[arg-type]
                owner=d["owner"],
                name=d["name"],
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
                description=d["description"],
            )
        ),
        "专项行动已创建，请下达目标、发布揭榜任务",
    ):
        return redirect("campaigns:campaign-targets", created[0].pk)
    return render(request, "campaigns/form.html", {"form": form, "title": "新建专项行动"})


@login_required
def campaign_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    rows = selectors.progress(campaign)
    tasks = list(campaign.tasks.select_related("claimed_by"))
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "rows": rows,
            "chart": selectors.chart(campaign, rows),
            "chart_id": f"chart-data-campaign-{campaign.pk}",
            "tasks": tasks,
            "entries": campaign.entries.select_related("organization")[:10],
            "can_manage": perms.can_manage(request.user, campaign),
            "can_report": perms.can_report(request.user, campaign),
            "today": timezone.localdate(),
        },
    )


@login_required
def campaign_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed(request, pk)
    fields = ["name", "starts_on", "ends_on", "description", "result"]
    form = f.CampaignEditForm(
        request.POST or None, initial={k: getattr(campaign, k) for k in fields}
    )
    if request.method == "POST" and _attempt(
        request,
        form,
        lambda d: services.campaign_update(
            actor=request.user,  # type: ignore[arg-type]
            campaign=campaign,
            **d,
        ),
        "已保存",
    ):
        return redirect("campaigns:campaign-detail", campaign.pk)
    return render(
        request,
        "campaigns/form.html",
        {"form": form, "title": f"修改 · {campaign.name}", "campaign": campaign},
    )


@login_required
def campaign_targets_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed(request, pk)
    form = f.TargetForm(
        request.POST if request.POST.get("action") != "remove" else None,
        organizations=perms.target_organizations(campaign),
    )
    if request.method == "POST" and request.POST.get("action") == "remove":
        target = get_object_or_404(campaign.targets, pk=request.POST.get("target") or 0)
        services.target_remove(actor=request.user, target=target)  # type: ignore[arg-type]
        messages.success(request, "目标已删除")
        return redirect("campaigns:campaign-targets", campaign.pk)
    if request.method == "POST" and _attempt(
        request,
        form,
        lambda d: services.target_set(
            actor=request.user,  # type: ignore[arg-type]
            campaign=campaign,
            organization=d["organization"],
            measure=d["measure"],
            value=d["value"],
        ),
        "目标已下达",
    ):
        return redirect("campaigns:campaign-targets", campaign.pk)
    return render(
        request,
        "campaigns/targets.html",
        {"campaign": campaign, "form": form, "rows": selectors.progress(campaign)},
    )


@login_required
def campaign_tasks_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    manage = perms.can_manage(request.user, campaign)
    form = f.TaskForm(request.POST or None) if manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if _attempt(
            request,
            form,
            lambda d: services.task_create(
                actor=request.user,  # type: ignore[arg-type]
                campaign=campaign,
                **d,
            ),
            "任务已发布到榜单",
        ):
            return redirect("campaigns:campaign-tasks", campaign.pk)
    tasks = list(campaign.tasks.select_related("claimed_by").prefetch_related("milestones"))
    return render(
        request,
        "campaigns/tasks.html",
        {
            "campaign": campaign,
            "tasks": tasks,
            "form": form,
            "participant": perms.is_participant(request.user, campaign),
            "can_manage": manage,
            "today": timezone.localdate(),
        },
    )


@login_required
def task_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    campaign = task.campaign
    work = perms.can_work_on_task(request.user, task)
    manage = perms.can_manage(request.user, campaign)
    action = request.POST.get("action", "")
    posted = request.POST if request.method == "POST" else None
    milestone_form = f.MilestoneForm(posted if action == "milestone" else None)
    done_form = f.MilestoneDoneForm(posted if action == "done" else None)
    complete_form = f.CompleteForm(
        posted if action == "complete" else None, initial={"completed_on": timezone.localdate()}
    )
    release_form = f.ReleaseForm(posted if action == "release" else None)
    if request.method == "POST":
        actor = request.user
        ok = False
        if action == "milestone" and work:
            ok = _attempt(
                request,
                milestone_form,
                lambda d: services.milestone_add(actor=actor, task=task, **d),  # type: ignore[arg-type]
                "节点已添加",
            )
        elif action == "done" and work:

            def mark(d: dict[str, Any]) -> None:
                milestone = get_object_or_404(task.milestones, pk=d["milestone"])
                services.milestone_done(
                    actor=actor,  # type: ignore[arg-type]
                    milestone=milestone,
                    done_on=d["done_on"],
                    note=d["note"],
                )

            ok = _attempt(request, done_form, mark, "节点已登记完成")
        elif action == "complete" and work:
            ok = _attempt(
                request,
                complete_form,
                lambda d: services.task_complete(actor=actor, task=task, **d),  # type: ignore[arg-type]
                "任务已登记完成",
            )
        elif action == "release" and manage:
            ok = _attempt(
                request,
                release_form,
                lambda d: services.task_release(actor=actor, task=task, **d),  # type: ignore[arg-type]
                "已撤销揭榜，任务重新开放",
            )
        else:
            raise PermissionDenied
        if ok:
            return redirect("campaigns:task-detail", task.pk)
    milestones = list(task.milestones.all())
    return render(
        request,
        "campaigns/task_detail.html",
        {
            "task": task,
            "campaign": campaign,
            "milestones": milestones,
            "work": work and task.status != "done",
            "manage": manage,
            "can_claim": perms.can_claim(request.user, task),
            "milestone_form": milestone_form,
            "done_form": done_form,
            "complete_form": complete_form,
            "release_form": release_form,
            "today": timezone.localdate(),
        },
    )


@login_required
def task_claim_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    error = ""
    if request.method == "POST":
        if not perms.is_participant(request.user, task.campaign) or not acts_for_organization(
            request.user
        ):
            raise PermissionDenied
        try:
            services.task_claim(
                actor=request.user, task=task, organization=request.user.organization
            )
        except ValidationError as refused:
            error = refused.messages[0]
        else:
            messages.success(request, "揭榜成功，请为任务添加节点安排")
            return redirect("campaigns:task-detail", task.pk)
        task.refresh_from_db()
    return render(
        request,
        "campaigns/task_claim.html",
        {
            "task": task,
            "campaign": task.campaign,
            "can_claim": perms.can_claim(request.user, task),
            "error": error,
        },
    )


@login_required
def campaign_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    report = perms.can_report(request.user, campaign)
    organizations = perms.reporting_organizations(request.user, campaign)
    form = (
        f.ProgressForm(
            request.POST or None,
            organizations=organizations,
            initial={"occurred_on": timezone.localdate()},
        )
        if report
        else None
    )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if _attempt(
            request,
            form,
            lambda d: services.progress_report(
                actor=request.user,  # type: ignore[arg-type]
                campaign=campaign,
                **d,
            ),
            "进展已填报",
        ):
            return redirect("campaigns:campaign-progress", campaign.pk)
    entries = campaign.entries.select_related("organization", "entered_by")
    return render(
        request,
        "campaigns/progress.html",
        {
            "campaign": campaign,
            "form": form,
            "entries": entries[:300],
            "labels": selectors.measures(),
            "can_manage": perms.can_manage(request.user, campaign),
        },
    )


@login_required
def campaign_records_view(request: HttpRequest, pk: int, org: int, measure: str) -> HttpResponse:
    """The records a progress row counts, each linking to its page."""
    campaign = _campaign(request, pk)
    target = campaign.targets.filter(organization_id=org, measure=measure).first()
    known = selectors.measures().get(measure)
    if target is None or known is None:
        raise Http404
    organization: Organization = target.organization
    rows = selectors.records(campaign, organization, measure)
    return render(
        request,
        "campaigns/records.html",
        {
            "campaign": campaign,
            "organization": organization,
            "measure": known,
            "target": target,
            "rows": rows,
            "links": perms.opens_counted_records(request.user, organization),
            "actual": selectors.actual_for(campaign, organization, measure),
        },
    )
