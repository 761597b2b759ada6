"""Pages of the joint meeting system. Thin: every page asks permissions.py who may see or do
what, and services.py does the work; a refused rule comes back as a Chinese message and nothing
changes."""

import mimetypes
from dataclasses import replace
from typing import Any
from urllib.parse import quote, urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.core.documents import DOCX, docx_render, pdf_render
from liandong.core.forms import form_add_service_error
from liandong.core.paging import page_by_id
from liandong.meetings import permissions as perms
from liandong.meetings import selectors, services
from liandong.meetings.forms import (
    AgendaForm,
    BackEntryMeetingForm,
    BackEntryProgressForm,
    CancelForm,
    ItemFilterForm,
    MechanismForm,
    MeetingForm,
    MemberForm,
    MinutesForm,
    PlanApproveForm,
    PlannedMeetingForm,
    PlanSummaryForm,
    ProgressForm,
    ResolutionForm,
    TargetForm,
    TargetRecordForm,
)
from liandong.meetings.models import (
    ActionItem,
    AnnualPlan,
    Mechanism,
    MechanismMember,
    Meeting,
    PlanTarget,
)
from liandong.organizations.models import Organization
from liandong.organizations.permissions import organizations_visible_to

STATUS_TONES: dict[str, str] = {
    Meeting.Status.PREPARING: "amber",
    Meeting.Status.NOTIFIED: "blue",
    Meeting.Status.HELD: "blue",
    Meeting.Status.PUBLISHED: "green",
    Meeting.Status.CANCELLED: "neutral",
    ActionItem.Status.TODO: "amber",
    ActionItem.Status.IN_PROGRESS: "blue",
    ActionItem.Status.DONE: "green",
    ActionItem.Status.CANCELLED: "neutral",
}
PARTNER_KINDS = [
    Organization.Kind.AUTHORITY,
    Organization.Kind.ASSOCIATION,
    Organization.Kind.UNION,
    Organization.Kind.UNION_FEDERATION,
    Organization.Kind.ENTERPRISE,
]


def _flash_error(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return (
        year if selectors.FIRST_YEAR <= year <= selectors.LAST_YEAR else timezone.localdate().year
    )


def _check_year(year: int) -> None:
    """A year in a page's path that no plan can have: a 404 that says why."""
    if not selectors.FIRST_YEAR <= year <= selectors.LAST_YEAR:
        raise Http404(f"年份须在 {selectors.FIRST_YEAR} 至 {selectors.LAST_YEAR} 年之间")


def _mechanism(request: HttpRequest, pk: int, *, manage: bool = False) -> Mechanism:
    mechanism = get_object_or_404(perms.mechanisms_visible_to(request.user), pk=pk)
    if manage and not perms.can_manage_mechanism(request.user, mechanism):
        raise PermissionDenied
    return mechanism


def _meeting(request: HttpRequest, pk: int, *, manage: bool = False) -> Meeting:
    meeting = get_object_or_404(perms.meetings_visible_to(request.user), pk=pk)
    if manage and not perms.can_manage_mechanism(request.user, meeting.mechanism):
        raise PermissionDenied
    return meeting


def _item(request: HttpRequest, pk: int) -> ActionItem:
    return get_object_or_404(perms.action_items_visible_to(request.user), pk=pk)


def _member_bodies(mechanism: Mechanism) -> QuerySet[Organization]:
    return Organization.objects.filter(pk__in=mechanism.member_organization_ids()).order_by(
        "kind", "name"
    )


def _addable_bodies(request: HttpRequest) -> QuerySet[Organization]:
    """Bodies a manager may seat: partner bodies and unions the organization tree lets them see,
    and enterprises (龙头企业) near the top of their subtree; outlets and the thousands of small
    enterprises deeper down are left out of the drop-down."""
    if not perms.can_use_meetings(request.user):  # the callers let managers only this far
        raise PermissionDenied
    near = Q(kind=Organization.Kind.ENTERPRISE, depth__lte=request.user.organization.depth + 2)
    return (
        organizations_visible_to(request.user)
        .filter(Q(kind__in=[k for k in PARTNER_KINDS if k != Organization.Kind.ENTERPRISE]) | near)
        .order_by("kind", "name")
    )


def _require_staff(request: HttpRequest) -> None:
    if not perms.can_use_meetings(request.user):
        raise PermissionDenied


# -- mechanisms ---------------------------------------------------------------------------------


@login_required
def mechanism_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff(request)
    year = timezone.localdate().year
    mechanisms = list(
        perms.mechanisms_visible_to(request.user)
        .annotate(member_count=Count("members", distinct=True))
        .order_by("name", "pk")[:200]
    )
    figures = selectors.year_figures_by_mechanism(
        [m.pk for m in mechanisms], year, today=timezone.localdate()
    )
    rows = [(m, figures[m.pk]) for m in mechanisms]
    return render(
        request,
        "meetings/mechanism_list.html",
        {
            "rows": rows,
            "year": year,
            "can_create": perms.can_create_mechanism(request.user),
        },
    )


@login_required
def mechanism_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not perms.can_create_mechanism(request.user):
        raise PermissionDenied
    form = MechanismForm(
        request.POST or None,
        unions=perms.convening_unions_for(request.user),
        bodies=_addable_bodies(request),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            mechanism = services.mechanism_create(
                actor=request.user,
                name=data["name"],
                industry=data["industry"],
                convening_union=data["convening_union"],
                collaboration_mode=data["collaboration_mode"],
                custom_mode=data["custom_mode"],
                description=data["description"],
                members=list(data["members"]),
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "联席会议机制已建立。")
            return redirect("meetings:mechanism-detail", mechanism.pk)
    return render(
        request,
        "meetings/form_page.html",
        {
            "form": form,
            "title": "建立联席会议机制",
            "back": reverse("meetings:mechanism-list"),
            "back_label": "联席会议",
            "submit_label": "建立机制",
        },
    )


@login_required
def mechanism_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mechanism = _mechanism(request, pk, manage=True)
    initial = {
        name: getattr(mechanism, name)
        for name in [
            "name",
            "industry",
            "collaboration_mode",
            "custom_mode",
            "status",
            "description",
        ]
    }
    form = MechanismForm(
        request.POST or None,
        initial=initial,
        unions=Organization.objects.none(),
        bodies=Organization.objects.none(),
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.mechanism_update(actor=request.user, mechanism=mechanism, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "机制信息已保存。")
            return redirect("meetings:mechanism-detail", mechanism.pk)
    return render(
        request,
        "meetings/form_page.html",
        {
            "form": form,
            "title": f"编辑：{mechanism.name}",
            "back": reverse("meetings:mechanism-detail", args=[pk]),
            "back_label": mechanism.name,
        },
    )


@login_required
def mechanism_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The mechanism at a glance: the year's calendar, open items by body, the closed loop."""
    mechanism = _mechanism(request, pk)
    year = _year(request)
    today = timezone.localdate()
    figures = selectors.year_figures(mechanism, year, today=today)
    members = list(mechanism.members.select_related("organization"))
    return render(
        request,
        "meetings/mechanism_detail.html",
        {
            "mechanism": mechanism,
            "year": year,
            "figures": figures,
            "today": today,
            "stages": [
                (stage, selectors.STAGE_TONES[stage.state])
                for stage in selectors.loop_status(figures, today=today)
            ],
            "months": selectors.calendar_months(mechanism, year, plan=figures.plan),
            "bodies": selectors.items_by_body(
                mechanism.action_items.filter(status__in=ActionItem.OPEN), today=today
            ),
            "open_items": selectors.open_items(mechanism, limit=15),
            "members": members,
            "can_manage": perms.can_manage_mechanism(request.user, mechanism),
            "can_back_enter": perms.can_back_enter(request.user, mechanism),
            "items_url": selectors.item_list_url(mechanism),
            "years": [year - 1, year, year + 1],
        },
    )


@login_required
def mechanism_members(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mechanism = _mechanism(request, pk)
    can_manage = perms.can_manage_mechanism(request.user, mechanism)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    seated = mechanism.member_organization_ids()
    form = (
        MemberForm(request.POST or None, bodies=_addable_bodies(request).exclude(pk__in=seated))
        if can_manage
        else None
    )
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.mechanism_member_add(
                actor=request.user, mechanism=mechanism, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "成员单位已加入。")
            return redirect("meetings:mechanism-members", pk)
    return render(
        request,
        "meetings/mechanism_members.html",
        {
            "mechanism": mechanism,
            "members": mechanism.members.select_related("organization"),
            "form": form,
            "can_manage": can_manage,
        },
    )


@login_required
@require_POST
def mechanism_member_remove(
    request: AuthenticatedHttpRequest, pk: int, member_id: int
) -> HttpResponse:
    mechanism = _mechanism(request, pk, manage=True)
    member = get_object_or_404(MechanismMember, mechanism=mechanism, pk=member_id)
    try:
        services.mechanism_member_remove(actor=request.user, member=member)
    except ValidationError as error:
        _flash_error(request, error)
    else:
        messages.success(request, f"{member.organization.name}已移出本机制。")
    return redirect("meetings:mechanism-members", pk)


# -- annual plan, review, summary ---------------------------------------------------------------


@login_required
def plan_detail(request: AuthenticatedHttpRequest, pk: int, year: int) -> HttpResponse:
    mechanism = _mechanism(request, pk)
    can_manage = perms.can_manage_mechanism(request.user, mechanism)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    _check_year(year)
    plan = AnnualPlan.objects.filter(mechanism=mechanism, year=year).first()
    bodies = _member_bodies(mechanism)
    which = request.POST.get("form", "") if request.method == "POST" else ""
    summary_form = PlanSummaryForm(
        request.POST if which == "summary" else None,
        initial={"summary": plan.summary if plan else ""},
    )
    target_form = TargetForm(request.POST if which == "target" else None, bodies=bodies)
    planned_form = PlannedMeetingForm(request.POST if which == "planned" else None)
    held = mechanism.meetings.filter(
        status__in=[Meeting.Status.HELD, Meeting.Status.PUBLISHED], starts_at__year=year
    )
    approve_form = PlanApproveForm(meetings=held)
    chosen = {"summary": summary_form, "target": target_form, "planned": planned_form}.get(which)
    if chosen is not None and chosen.is_valid():
        try:
            plan = plan or services.plan_ensure(actor=request.user, mechanism=mechanism, year=year)
            if which == "summary":
                services.plan_update(actor=request.user, plan=plan, **chosen.cleaned_data)
            elif which == "target":
                services.plan_target_add(actor=request.user, plan=plan, **chosen.cleaned_data)
            else:
                services.planned_meeting_add(actor=request.user, plan=plan, **chosen.cleaned_data)
        except ValidationError as error:
            form_add_service_error(chosen, error)
        else:
            messages.success(request, "年度计划已保存。")
            return redirect("meetings:plan-detail", pk, year)
    return render(
        request,
        "meetings/plan_detail.html",
        {
            "mechanism": mechanism,
            "year": year,
            "plan": plan,
            "can_manage": can_manage,
            "editable": can_manage and (plan is None or plan.status == AnnualPlan.Status.DRAFT),
            "targets": plan.targets.select_related("lead_body") if plan else [],
            "planned": plan.planned_meetings.all() if plan else [],
            "summary_form": summary_form,
            "target_form": target_form,
            "planned_form": planned_form,
            "approve_form": approve_form,
            "record_form": TargetRecordForm(),
        },
    )


@login_required
@require_POST
def plan_approve(request: AuthenticatedHttpRequest, pk: int, year: int) -> HttpResponse:
    mechanism = _mechanism(request, pk, manage=True)
    plan = AnnualPlan.objects.filter(mechanism=mechanism, year=year).first()
    if plan is None:
        messages.error(request, "尚未制定本年度计划。")
        return redirect("meetings:plan-detail", pk, year)
    form = PlanApproveForm(request.POST, meetings=mechanism.meetings.all())
    try:
        if not form.is_valid():
            raise ValidationError({"meeting": "请选择审议本计划的会议。"})
        services.plan_approve(actor=request.user, plan=plan, meeting=form.cleaned_data["meeting"])
    except ValidationError as error:
        _flash_error(request, error)
    else:
        messages.success(request, "年度计划已审议通过。")
    return redirect("meetings:plan-detail", pk, year)


@login_required
@require_POST
def target_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(
        PlanTarget.objects.select_related("plan__mechanism__convening_union"),
        pk=pk,
        plan__mechanism__in=perms.mechanisms_visible_to(request.user).values("pk"),
    )
    if not perms.can_manage_mechanism(request.user, target.plan.mechanism):
        raise PermissionDenied
    form = TargetRecordForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"achieved_value": "已完成数必须是不小于 0 的整数。"})
        services.plan_target_record(actor=request.user, target=target, **form.cleaned_data)
    except ValidationError as error:
        _flash_error(request, error)
    else:
        messages.success(request, f"“{target.title}”完成情况已更新。")
    return redirect("meetings:plan-detail", target.plan.mechanism_id, target.plan.year)


@login_required
def midyear_review(request: AuthenticatedHttpRequest, pk: int, year: int) -> HttpResponse:
    mechanism = _mechanism(request, pk)
    _check_year(year)
    today = timezone.localdate()
    return render(
        request,
        "meetings/review.html",
        {
            "mechanism": mechanism,
            "year": year,
            "today": today,
            **selectors.midyear_review(mechanism, year, today=today),
            "overdue_url": selectors.item_list_url(mechanism, year=year, state="overdue"),
        },
    )


@login_required
def summary_page(request: AuthenticatedHttpRequest, pk: int, year: int) -> HttpResponse:
    mechanism = _mechanism(request, pk)
    _check_year(year)
    context = selectors.summary_context(mechanism, year)
    # Other modules' figures link to their pages only for a viewer who may open them.
    context["other_figures"] = [
        f if f.opens_for is None or f.opens_for(request.user) else replace(f, url="")
        for f in context["other_figures"]
    ]
    return render(request, "meetings/summary.html", context)


@login_required
def summary_docx(request: AuthenticatedHttpRequest, pk: int, year: int) -> HttpResponse:
    mechanism = _mechanism(request, pk)
    _check_year(year)
    title = f"{mechanism.name}{year}年度工作总结"
    content = docx_render(
        selectors.summary_blocks(selectors.summary_context(mechanism, year)), title=title
    )
    return _attachment(content, f"{title}.docx", DOCX)


@login_required
def summary_pdf(request: AuthenticatedHttpRequest, pk: int, year: int) -> HttpResponse:
    mechanism = _mechanism(request, pk)
    _check_year(year)
    title = f"{mechanism.name}{year}年度工作总结"
    content = pdf_render(
        selectors.summary_blocks(selectors.summary_context(mechanism, year)), title=title
    )
    return _attachment(content, f"{title}.pdf", "application/pdf")


# -- meetings -----------------------------------------------------------------------------------


def _meeting_fields(form: MeetingForm) -> dict[str, Any]:
    return dict(form.cleaned_data)


@login_required
def meeting_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mechanism = _mechanism(request, pk, manage=True)
    form = MeetingForm(
        request.POST or None,
        bodies=_member_bodies(mechanism),
        initial={"host_body": mechanism.convening_union_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_schedule(
                actor=request.user, mechanism=mechanism, **_meeting_fields(form)
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "会议已安排，状态为筹备中。")
            return redirect("meetings:meeting-detail", meeting.pk)
    return render(
        request,
        "meetings/form_page.html",
        {
            "form": form,
            "title": "安排会议",
            "back": reverse("meetings:mechanism-detail", args=[pk]),
            "back_label": mechanism.name,
            "submit_label": "安排会议",
        },
    )


@login_required
def meeting_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    initial = {name: getattr(meeting, name) for name in services.MEETING_FIELDS}
    initial["starts_at"] = meeting.local_start
    form = MeetingForm(
        request.POST or None, initial=initial, bodies=_member_bodies(meeting.mechanism)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(actor=request.user, meeting=meeting, **_meeting_fields(form))
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "会议安排已保存。")
            return redirect("meetings:meeting-detail", meeting.pk)
    return render(
        request,
        "meetings/form_page.html",
        {
            "form": form,
            "title": f"修改会议安排：{meeting.title}",
            "back": reverse("meetings:meeting-detail", args=[pk]),
            "back_label": meeting.title,
        },
    )


@login_required
def meeting_detail(
    request: AuthenticatedHttpRequest, pk: int, *, forms_: dict[str, forms.Form] | None = None
) -> HttpResponse:
    meeting = _meeting(request, pk)
    can_manage = perms.can_manage_mechanism(request.user, meeting.mechanism)
    bodies = _member_bodies(meeting.mechanism)
    targets = PlanTarget.objects.filter(
        plan__mechanism=meeting.mechanism, plan__year=meeting.local_start.year
    )
    present_keys = set(
        meeting.agenda_items.exclude(source_key="").values_list("source_key", flat=True)
    )
    candidates = (
        [c for c in services.agenda_candidates_for(meeting.mechanism) if c.key not in present_keys]
        if can_manage and meeting.is_open
        else []
    )
    forms_ = forms_ or {}
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "mechanism": meeting.mechanism,
            "can_manage": can_manage,
            "tone": STATUS_TONES.get(meeting.status, "neutral"),
            "agenda": meeting.agenda_items.all(),
            "attendances": meeting.attendances.select_related("organization"),
            "items": meeting.action_items.select_related("lead_body")
            .prefetch_related("co_bodies")
            .order_by("number"),
            "show_minutes": perms.can_view_minutes(request.user, meeting),
            "candidates": candidates,
            "agenda_form": forms_.get("agenda", AgendaForm()),
            "cancel_form": forms_.get("cancel", CancelForm()),
            "resolution_form": forms_.get(
                "resolution", ResolutionForm(bodies=bodies, targets=targets)
            ),
            "can_notify": can_manage and meeting.is_open,
            "can_hold": can_manage and meeting.status == Meeting.Status.NOTIFIED,
            "can_record": can_manage and meeting.status == Meeting.Status.HELD,
            "today": timezone.localdate(),
            "delivery_target": f"meetings.meeting:{meeting.pk}",
        },
    )


def _back_to_meeting(meeting: Meeting) -> HttpResponse:
    return redirect("meetings:meeting-detail", meeting.pk)


@login_required
@require_POST
def meeting_notify(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    try:
        sent = services.meeting_notify(actor=request.user, meeting=meeting)
    except ValidationError as error:
        _flash_error(request, error)
    else:
        messages.success(
            request, f"会议通知已发出（{sent} 个账号收到站内消息，留有邮箱的另收邮件和日历邀请）。"
        )
    return _back_to_meeting(meeting)


@login_required
def meeting_ics(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    return _attachment(
        services.meeting_ics(meeting, cancel=meeting.status == Meeting.Status.CANCELLED),
        f"meeting-{meeting.pk}.ics",
        "text/calendar; charset=utf-8",
    )


@login_required
@require_POST
def meeting_agenda_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    key = request.POST.get("candidate", "")
    try:
        if key:
            candidate = next(
                (c for c in services.agenda_candidates_for(meeting.mechanism) if c.key == key), None
            )
            if candidate is None:
                raise ValidationError("该候选议题已不存在。")
            services.agenda_item_add(
                actor=request.user,
                meeting=meeting,
                title=candidate.title,
                kind=candidate.kind,
                source_key=candidate.key,
                source_url=candidate.url,
                note=candidate.note,
            )
        else:
            form = AgendaForm(request.POST)
            if not form.is_valid():
                return meeting_detail(request, pk, forms_={"agenda": form})
            services.agenda_item_add(actor=request.user, meeting=meeting, **form.cleaned_data)
    except ValidationError as error:
        _flash_error(request, error)
    else:
        messages.success(request, "议题已列入会议议程。")
    return _back_to_meeting(meeting)


@login_required
@require_POST
def meeting_attendance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    present: dict[int, str] = {}
    for value in request.POST.getlist("present"):
        if value.isdigit():
            present[int(value)] = request.POST.get(f"attendees_{value}", "")
    try:
        services.meeting_record_attendance(actor=request.user, meeting=meeting, present=present)
    except ValidationError as error:
        _flash_error(request, error)
    else:
        messages.success(request, "出席情况已保存。")
    return _back_to_meeting(meeting)


@login_required
@require_POST
def meeting_hold(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    try:
        services.meeting_mark_held(actor=request.user, meeting=meeting)
    except ValidationError as error:
        _flash_error(request, error)
    else:
        messages.success(request, "会议已标记为已召开。请登记出席情况、议定事项和会议纪要。")
    return _back_to_meeting(meeting)


@login_required
def meeting_minutes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    form = MinutesForm(request.POST or None, initial={"minutes": meeting.minutes})
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_save_minutes(
                actor=request.user, meeting=meeting, minutes=form.cleaned_data["minutes"]
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "会议纪要已保存。")
            return _back_to_meeting(meeting)
    return render(
        request,
        "meetings/form_page.html",
        {
            "form": form,
            "title": f"会议纪要：{meeting.title}",
            "back": reverse("meetings:meeting-detail", args=[pk]),
            "back_label": meeting.title,
            "wide": True,
        },
    )


@login_required
@require_POST
def meeting_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    # 补录: a meeting of the past is published without mailing anyone.
    publish = (
        services.back_entry_minutes_publish
        if meeting.back_entered
        else services.meeting_publish_minutes
    )
    try:
        publish(actor=request.user, meeting=meeting)
    except ValidationError as error:
        _flash_error(request, error)
    else:
        messages.success(request, "会议纪要已发布，成员单位可以查看。")
    return _back_to_meeting(meeting)


@login_required
@require_POST
def meeting_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return meeting_detail(request, pk, forms_={"cancel": form})
    try:
        services.meeting_cancel(
            actor=request.user, meeting=meeting, reason=form.cleaned_data["cancel_reason"]
        )
    except ValidationError as error:
        _flash_error(request, error)
    else:
        messages.success(request, "会议已取消。")
    return _back_to_meeting(meeting)


@login_required
@require_POST
def meeting_resolution(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    targets = PlanTarget.objects.filter(plan__mechanism=meeting.mechanism)
    form = ResolutionForm(request.POST, bodies=_member_bodies(meeting.mechanism), targets=targets)
    if form.is_valid():
        # 补录: a back-entered meeting's resolutions are back-entered items (no notices).
        record = (
            services.back_entry_resolution_record
            if meeting.back_entered
            else services.resolution_record
        )
        try:
            item = record(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(
                request, f"议定事项已记录，作为督办事项交{item.lead_body.name}牵头办理。"
            )
            return _back_to_meeting(meeting)
    return meeting_detail(request, pk, forms_={"resolution": form})


@login_required
def minutes_docx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    if not perms.can_view_minutes(request.user, meeting):
        raise Http404
    content = docx_render(selectors.minutes_blocks(meeting), title=f"{meeting.title}会议纪要")
    return _attachment(content, f"{meeting.title}会议纪要.docx", DOCX)


# -- action items -------------------------------------------------------------------------------


@login_required
def item_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff(request)
    form = ItemFilterForm(request.GET or None)
    items = perms.action_items_visible_to(request.user)
    data = form.cleaned_data if form.is_valid() else {}
    mechanism = None
    today = timezone.localdate()
    if data.get("mechanism"):
        mechanism = get_object_or_404(
            perms.mechanisms_visible_to(request.user), pk=data["mechanism"]
        )
        items = items.filter(mechanism=mechanism)
    if data.get("year"):
        items = items.filter(year=data["year"])
    if data.get("lead_body"):
        items = items.filter(lead_body_id=data["lead_body"])
    if data.get("mine"):
        items = items.filter(lead_body_id=request.user.organization_id)
    state = data.get("state") or ""
    if state == "open":
        items = items.filter(status__in=ActionItem.OPEN)
    elif state == "overdue":
        items = items.filter(status__in=ActionItem.OPEN, deadline__lt=today)
    elif state == "week":
        items = items.filter(status__in=ActionItem.OPEN, **selectors.due_this_week(today))
    elif state in {"done", "cancelled"}:
        items = items.filter(status=state)
    try:
        cursor = int(request.GET["cursor"]) if request.GET.get("cursor") else None
    except ValueError:
        cursor = None
    page = page_by_id(items, cursor=cursor, size=50)
    query = {k: v for k, v in request.GET.items() if k != "cursor" and v}
    return render(
        request,
        "meetings/item_list.html",
        {
            "form": form,
            "page": page,
            "mechanism": mechanism,
            "today": today,
            "state": state,
            "next_query": urlencode({**query, "cursor": page.next_cursor})
            if page.next_cursor
            else "",
            "tones": STATUS_TONES,
        },
    )


@login_required
def item_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    can_report = perms.can_report_progress(request.user, item)
    if request.method == "POST" and not can_report:
        raise PermissionDenied
    # 补录: a back-entered item's progress is dated on the day it really happened.
    back = item.back_entered and perms.can_back_enter(request.user, item.mechanism)
    form_class = BackEntryProgressForm if back else ProgressForm
    form = form_class(
        request.POST or None, request.FILES or None, initial={"percent": item.progress}
    )
    report = services.back_entry_progress_report if back else services.action_item_report
    if request.method == "POST" and form.is_valid():
        try:
            report(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "进展已报送。")
            return redirect("meetings:item-detail", item.pk)
    return render(
        request,
        "meetings/item_detail.html",
        {
            "item": item,
            "mechanism": item.mechanism,
            "form": form,
            "can_report": can_report,
            "can_cancel": perms.can_cancel_action_item(request.user, item),
            "cancel_form": CancelForm(),
            "reports": item.reports.select_related("author", "organization").prefetch_related(
                "attachments"
            ),
            "co_bodies": item.co_bodies.all(),
            "tone": STATUS_TONES.get(item.status, "neutral"),
            "overdue": item.is_overdue,
            "delivery_target": f"meetings.actionitem:{item.pk}",
            "show_deliveries": perms.can_manage_mechanism(request.user, item.mechanism),
        },
    )


@login_required
@require_POST
def item_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    if not perms.can_manage_mechanism(request.user, item.mechanism):
        raise PermissionDenied
    form = CancelForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"cancel_reason": "请填写取消原因。"})
        services.action_item_cancel(
            actor=request.user, item=item, reason=form.cleaned_data["cancel_reason"]
        )
    except ValidationError as error:
        _flash_error(request, error)
    else:
        messages.success(request, "督办事项已取消。")
    return redirect("meetings:item-detail", item.pk)


@login_required
def attachment_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """Only through this view, after the permission check; never a public URL."""
    attachment = get_object_or_404(perms.attachments_visible_to(request.user), pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = (
        attachment.content_type
        or mimetypes.guess_type(attachment.original_name)[0]
        or "application/octet-stream"
    )
    return FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=content_type
    )


# -- 补录 -----------------------------------------------------------------------------------------


@login_required
def meeting_back_entry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """补录会议: a meeting held before the platform, recorded as held with its attendance and
    minutes; its resolutions and their progress are then added on the meeting's page."""
    mechanism = _mechanism(request, pk)
    if not perms.can_back_enter(request.user, mechanism):
        raise PermissionDenied
    bodies = _member_bodies(mechanism)
    form = BackEntryMeetingForm(
        request.POST or None,
        bodies=bodies,
        initial={"host_body": mechanism.convening_union_id, "present_bodies": list(bodies)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_back_enter(
                actor=request.user, mechanism=mechanism, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(
                request,
                "会议已补录为已召开（未发送任何通知）。请在本页补录议定事项，再发布纪要。",
            )
            return redirect("meetings:meeting-detail", meeting.pk)
    return render(
        request,
        "meetings/form_page.html",
        {
            "form": form,
            "title": "补录会议",
            "intro": "登记使用平台之前已经召开的会议：会议直接记为已召开，不发送会议通知；"
            "议定事项及其进展可按实际日期补录，计入年度工作总结。",
            "back": reverse("meetings:mechanism-detail", args=[pk]),
            "back_label": mechanism.name,
            "submit_label": "补录会议",
        },
    )
