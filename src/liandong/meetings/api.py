"""The joint meeting system's API: the same permissions and services as the pages. Another
body's record answers 404; a member body that may see but not manage answers 403; a broken
rule answers 422 naming the field."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Path, Query, Router

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.accounts.permissions import acts_for_organization
from liandong.core.paging import page_by_id
from liandong.core.schemas import InputSchema
from liandong.meetings import permissions as perms
from liandong.meetings import selectors, services
from liandong.meetings.models import ActionItem, Mechanism, Meeting, PlanTarget
from liandong.meetings.schemas import (
    ActionItemDetailOut,
    ActionItemPage,
    AgendaIn,
    AgendaItemOut,
    BackEntryMeetingIn,
    BackEntryProgressIn,
    MechanismDetailOut,
    MechanismIn,
    MechanismPage,
    MeetingDetailOut,
    MeetingIn,
    MeetingPage,
    ProgressIn,
    ResolutionIn,
    SummaryOut,
    TransitionIn,
)
from liandong.organizations.models import Organization
from liandong.organizations.permissions import organizations_visible_to

router = Router(tags=["联席会议"])


def mechanism_item(m: Mechanism) -> dict[str, Any]:
    return {
        "id": m.pk,
        "name": m.name,
        "industry": m.industry,
        "convening_union_id": m.convening_union_id,
        "convening_union_name": m.convening_union.name,
        "collaboration_mode": m.collaboration_mode,
        "collaboration_mode_label": m.mode_label,
        "status": m.status,
        "description": m.description,
    }


def figures_item(f: selectors.YearFigures) -> dict[str, Any]:
    return {
        "year": f.year,
        "meetings_held": f.meetings_held,
        "meetings_upcoming": f.meetings_upcoming,
        "items_total": f.items_total,
        "items_done": f.items_done,
        "items_open": f.items_open,
        "items_overdue": f.items_overdue,
        "items_cancelled": f.items_cancelled,
        "completion_rate": f.completion_rate,
        "targets_total": f.targets_total,
        "targets_met": f.targets_met,
        "plan_status": f.plan.status if f.plan else "none",
    }


def meeting_item(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.pk,
        "mechanism_id": m.mechanism_id,
        "title": m.title,
        "topic": m.topic,
        "starts_at": m.starts_at,
        "duration_minutes": m.duration_minutes,
        "location": m.location,
        "online_url": m.online_url,
        "host_body_id": m.host_body_id,
        "host_body_name": m.host_body.name,
        "status": m.status,
        "status_label": m.get_status_display(),
        "cancel_reason": m.cancel_reason,
        "held_on": m.held_on,
        "back_entered": m.back_entered,
    }


def action_item(i: ActionItem, *, today: Any = None) -> dict[str, Any]:
    return {
        "id": i.pk,
        "mechanism_id": i.mechanism_id,
        "meeting_id": i.meeting_id,
        "number": i.number,
        "resolution": i.resolution,
        "lead_body_id": i.lead_body_id,
        "lead_body_name": i.lead_body.name,
        "deadline": i.deadline,
        "expected_output": i.expected_output,
        "status": i.status,
        "status_label": i.get_status_display(),
        "progress": i.progress,
        "overdue": i.is_overdue_on(today or timezone.localdate()),
        "cancel_reason": i.cancel_reason,
        "completed_on": i.completed_on,
        "back_entered": i.back_entered,
    }


def _body(pk: int | None, field: str) -> Organization | None:
    """A body by id; the services check that it is a member of the mechanism."""
    if pk is None:
        return None
    found = Organization.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: "所选单位不存在。"}, code="unknown")
    return found


def _manage(request: AuthenticatedHttpRequest, mechanism: Mechanism) -> None:
    if not perms.can_manage_mechanism(request.user, mechanism):
        raise PermissionDenied


def _require_staff(request: AuthenticatedHttpRequest) -> None:
    if not perms.can_use_meetings(request.user):
        raise PermissionDenied


class PageQuery(InputSchema):
    cursor: int | None = None
    limit: int = 20


class ItemQuery(PageQuery):
    mechanism: int | None = None
    state: str = ""
    mine: bool = False


# -- mechanisms ---------------------------------------------------------------------------------


@router.get("/mechanisms", response=MechanismPage, operation_id="meetings_list_mechanisms")
def list_mechanisms(request: AuthenticatedHttpRequest, query: Query[PageQuery]) -> dict:
    """Mechanisms the caller manages or whose member body they belong to, newest first."""
    _require_staff(request)
    page = page_by_id(
        perms.mechanisms_visible_to(request.user), cursor=query.cursor, size=query.limit
    )
    return {"items": [mechanism_item(m) for m in page.items], "next_cursor": page.next_cursor}


@router.post("/mechanisms", response=MechanismDetailOut, operation_id="meetings_create_mechanism")
def create_mechanism(request: AuthenticatedHttpRequest, payload: MechanismIn) -> dict:
    if not perms.can_create_mechanism(request.user):
        raise PermissionDenied
    union = perms.convening_unions_for(request.user).filter(pk=payload.convening_union_id).first()
    if union is None:
        raise ValidationError(
            {"convening_union_id": "召集工会须是您所在工会或其下级工会。"}, code="convener"
        )
    visible = organizations_visible_to(request.user)
    members = list(visible.filter(pk__in=payload.member_ids))
    if len(members) != len(set(payload.member_ids)):
        raise ValidationError(
            {"member_ids": "成员单位不存在或不在您的工作范围内。"}, code="members"
        )
    mechanism = services.mechanism_create(
        actor=request.user,
        name=payload.name,
        industry=payload.industry,
        convening_union=union,
        collaboration_mode=payload.collaboration_mode,
        custom_mode=payload.custom_mode,
        description=payload.description,
        members=members,
    )
    return get_mechanism(request, mechanism.pk)


@router.get(
    "/mechanisms/{int:mechanism_id}",
    response=MechanismDetailOut,
    operation_id="meetings_get_mechanism",
)
def get_mechanism(
    request: AuthenticatedHttpRequest, mechanism_id: int, year: int | None = None
) -> dict:
    mechanism = get_object_or_404(perms.mechanisms_visible_to(request.user), pk=mechanism_id)
    year = (
        year
        if year and selectors.FIRST_YEAR <= year <= selectors.LAST_YEAR
        else timezone.localdate().year
    )
    members = mechanism.members.select_related("organization")
    return {
        **mechanism_item(mechanism),
        "members": [
            {
                "organization_id": m.organization_id,
                "organization_name": m.organization.name,
                "role": m.role,
                "role_label": m.get_role_display(),
                "liaison_name": m.liaison_name,
                "liaison_title": m.liaison_title,
            }
            for m in members
        ],
        "year": figures_item(selectors.year_figures(mechanism, year)),
        "can_manage": perms.can_manage_mechanism(request.user, mechanism),
    }


@router.get(
    "/mechanisms/{int:mechanism_id}/summary/{int:year}",
    response=SummaryOut,
    operation_id="meetings_get_summary",
)
def get_summary(
    request: AuthenticatedHttpRequest,
    mechanism_id: int,
    year: int = Path(..., ge=selectors.FIRST_YEAR, le=selectors.LAST_YEAR),
) -> dict:
    """The year-end summary's figures, each traceable (targets, bodies, meetings)."""
    mechanism = get_object_or_404(perms.mechanisms_visible_to(request.user), pk=mechanism_id)
    context = selectors.summary_context(mechanism, year)
    return {
        "mechanism_id": mechanism.pk,
        "year": year,
        "figures": figures_item(context["figures"]),
        "meetings": [meeting_item(m) for m in context["meetings"]],
        "targets": [
            {
                "id": t.pk,
                "title": t.title,
                "lead_body_id": t.lead_body_id,
                "target_value": t.target_value,
                "achieved_value": t.achieved_value,
                "unit": t.unit,
                "met": t.is_met,
            }
            for t in context["targets"]
        ],
        "bodies": [
            {
                "organization_id": b.organization_id,
                "name": b.name,
                "total": b.total,
                "done": b.done,
                "open": b.open,
                "overdue": b.overdue,
                "completion_rate": b.completion_rate,
            }
            for b in context["bodies"]
        ],
        "other_figures": [
            {"section": f.section, "label": f.label, "value": f.value, "unit": f.unit, "url": f.url}
            for f in context["other_figures"]
        ],
    }


# -- meetings -----------------------------------------------------------------------------------


@router.get(
    "/mechanisms/{int:mechanism_id}/meetings",
    response=MeetingPage,
    operation_id="meetings_list_meetings",
)
def list_meetings(
    request: AuthenticatedHttpRequest, mechanism_id: int, query: Query[PageQuery]
) -> dict:
    mechanism = get_object_or_404(perms.mechanisms_visible_to(request.user), pk=mechanism_id)
    meetings = Meeting.objects.filter(mechanism=mechanism).select_related("host_body")
    page = page_by_id(meetings, cursor=query.cursor, size=query.limit)
    return {"items": [meeting_item(m) for m in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/mechanisms/{int:mechanism_id}/meetings",
    response=MeetingDetailOut,
    operation_id="meetings_schedule_meeting",
)
def schedule_meeting(
    request: AuthenticatedHttpRequest, mechanism_id: int, payload: MeetingIn
) -> dict:
    mechanism = get_object_or_404(perms.mechanisms_visible_to(request.user), pk=mechanism_id)
    _manage(request, mechanism)
    data = payload.dict()
    host = _body(data.pop("host_body_id"), "host_body_id")
    meeting = services.meeting_schedule(
        actor=request.user, mechanism=mechanism, host_body=host, **data
    )
    return get_meeting(request, meeting.pk)


@router.get(
    "/meetings/{int:meeting_id}", response=MeetingDetailOut, operation_id="meetings_get_meeting"
)
def get_meeting(request: AuthenticatedHttpRequest, meeting_id: int) -> dict:
    meeting = get_object_or_404(perms.meetings_visible_to(request.user), pk=meeting_id)
    return {
        **meeting_item(meeting),
        "agenda": [AgendaItemOut.from_orm(a).dict() for a in meeting.agenda_items.all()],
        "attendances": [
            {
                "organization_id": a.organization_id,
                "organization_name": a.organization.name,
                "present": a.present,
                "attendees": a.attendees,
            }
            for a in meeting.attendances.select_related("organization")
        ],
        "minutes": meeting.minutes if perms.can_view_minutes(request.user, meeting) else None,
        "action_item_ids": list(
            meeting.action_items.order_by("number").values_list("pk", flat=True)
        ),
    }


@router.post(
    "/meetings/{int:meeting_id}/transition",
    response=MeetingDetailOut,
    operation_id="meetings_transition_meeting",
)
def transition_meeting(
    request: AuthenticatedHttpRequest, meeting_id: int, payload: TransitionIn
) -> dict:
    """notify (筹备中/已通知 → 已通知, sends the invitations), hold (→ 已召开), publish (→ 纪要已发布;
    ``minutes`` saves the text first), cancel (→ 已取消, ``reason`` required)."""
    meeting = get_object_or_404(perms.meetings_visible_to(request.user), pk=meeting_id)
    _manage(request, meeting.mechanism)
    if payload.action == "notify":
        services.meeting_notify(actor=request.user, meeting=meeting)
    elif payload.action == "hold":
        services.meeting_mark_held(actor=request.user, meeting=meeting)
    elif payload.action == "publish":
        if payload.minutes is not None:
            services.meeting_save_minutes(
                actor=request.user, meeting=meeting, minutes=payload.minutes
            )
        if meeting.back_entered:  # 补录: published without mailing anyone
            services.back_entry_minutes_publish(actor=request.user, meeting=meeting)
        else:
            services.meeting_publish_minutes(actor=request.user, meeting=meeting)
    else:
        services.meeting_cancel(actor=request.user, meeting=meeting, reason=payload.reason)
    return get_meeting(request, meeting.pk)


@router.post(
    "/meetings/{int:meeting_id}/agenda",
    response=AgendaItemOut,
    operation_id="meetings_add_agenda_item",
)
def add_agenda_item(request: AuthenticatedHttpRequest, meeting_id: int, payload: AgendaIn) -> Any:
    """A typed item (``title``), or a candidate offered by the apps (``candidate_key``);
    adding the same candidate twice returns the item already there."""
    meeting = get_object_or_404(perms.meetings_visible_to(request.user), pk=meeting_id)
    _manage(request, meeting.mechanism)
    if payload.candidate_key:
        candidate = next(
            (
                c
                for c in services.agenda_candidates_for(meeting.mechanism)
                if c.key == payload.candidate_key
            ),
            None,
        )
        if candidate is None:
            raise ValidationError({"candidate_key": "该候选议题不存在。"}, code="candidate")
        item, _ = services.agenda_item_add(
            actor=request.user,
            meeting=meeting,
            title=candidate.title,
            kind=candidate.kind,
            source_key=candidate.key,
            source_url=candidate.url,
            note=candidate.note,
        )
    else:
        item, _ = services.agenda_item_add(
            actor=request.user, meeting=meeting, title=payload.title, note=payload.note
        )
    return item


@router.post(
    "/meetings/{int:meeting_id}/resolutions",
    response=ActionItemDetailOut,
    operation_id="meetings_record_resolution",
)
def record_resolution(
    request: AuthenticatedHttpRequest, meeting_id: int, payload: ResolutionIn
) -> dict:
    meeting = get_object_or_404(perms.meetings_visible_to(request.user), pk=meeting_id)
    _manage(request, meeting.mechanism)
    co_bodies = list(Organization.objects.filter(pk__in=payload.co_body_ids))
    if len(co_bodies) != len(set(payload.co_body_ids)):
        raise ValidationError({"co_body_ids": "配合单位不存在。"}, code="unknown")
    target = None
    if payload.target_id is not None:
        target = PlanTarget.objects.filter(
            pk=payload.target_id, plan__mechanism=meeting.mechanism
        ).first()
        if target is None:
            raise ValidationError({"target_id": "对应年度目标不属于本机制。"}, code="target")
    # 补录: a back-entered meeting's resolutions are back-entered items (no notices).
    record = (
        services.back_entry_resolution_record
        if meeting.back_entered
        else services.resolution_record
    )
    item = record(
        actor=request.user,
        meeting=meeting,
        resolution=payload.resolution,
        lead_body=_body(payload.lead_body_id, "lead_body_id"),
        co_bodies=co_bodies,
        deadline=payload.deadline,
        expected_output=payload.expected_output,
        target=target,
    )
    return get_action_item(request, item.pk)


# -- action items -------------------------------------------------------------------------------


@router.get("/action-items", response=ActionItemPage, operation_id="meetings_list_action_items")
def list_action_items(request: AuthenticatedHttpRequest, query: Query[ItemQuery]) -> dict:
    """Action items of the mechanisms the caller sees; ``state``: open, overdue, done, cancelled;
    ``mine``: only those the caller's body leads."""
    _require_staff(request)
    items = perms.action_items_visible_to(request.user)
    today = timezone.localdate()
    if query.mechanism is not None:
        items = items.filter(mechanism_id=query.mechanism)
    if query.mine:
        items = items.filter(lead_body_id=request.user.organization_id)
    if query.state == "open":
        items = items.filter(status__in=ActionItem.OPEN)
    elif query.state == "overdue":
        items = items.filter(status__in=ActionItem.OPEN, deadline__lt=today)
    elif query.state in {"done", "cancelled", "todo", "in_progress"}:
        items = items.filter(status=query.state)
    elif query.state:
        raise ValidationError(
            {"state": "状态应为 open、overdue、done、cancelled 之一。"}, code="state"
        )
    page = page_by_id(items, cursor=query.cursor, size=query.limit)
    return {
        "items": [action_item(i, today=today) for i in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/action-items/{int:item_id}",
    response=ActionItemDetailOut,
    operation_id="meetings_get_action_item",
)
def get_action_item(request: AuthenticatedHttpRequest, item_id: int) -> dict:
    item = get_object_or_404(perms.action_items_visible_to(request.user), pk=item_id)
    return {
        **action_item(item),
        "co_body_ids": sorted(item.co_bodies.values_list("pk", flat=True)),
        "reports": [
            {
                "id": r.pk,
                "percent": r.percent,
                "text": r.text,
                "reason": r.reason,
                "organization_id": r.organization_id,
                "created_at": r.created_at,
            }
            for r in item.reports.all()
        ],
        "can_report": perms.can_report_progress(request.user, item),
    }


@router.post(
    "/action-items/{int:item_id}/progress",
    response=ActionItemDetailOut,
    operation_id="meetings_report_progress",
)
def report_progress(request: AuthenticatedHttpRequest, item_id: int, payload: ProgressIn) -> dict:
    """A progress report by the lead body (or the managing union): percentage and text;
    going back needs a ``reason``; 100 completes the item."""
    item = get_object_or_404(perms.action_items_visible_to(request.user), pk=item_id)
    leads = (
        acts_for_organization(request.user) and request.user.organization_id == item.lead_body_id
    )
    if not (leads or perms.can_manage_mechanism(request.user, item.mechanism)):
        raise PermissionDenied
    services.action_item_report(
        actor=request.user,
        item=item,
        percent=payload.percent,
        text=payload.text,
        reason=payload.reason,
    )
    return get_action_item(request, item.pk)


# -- 补录 -----------------------------------------------------------------------------------------


def _bodies(ids: list[int], field: str) -> list[Organization]:
    found = list(Organization.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({field: "所选单位不存在。"}, code="unknown")
    return found


@router.post(
    "/mechanisms/{int:mechanism_id}/back-entries",
    response=MeetingDetailOut,
    operation_id="meetings_back_enter_meeting",
)
def back_enter_meeting(
    request: AuthenticatedHttpRequest, mechanism_id: int, payload: BackEntryMeetingIn
) -> dict:
    """补录会议: a meeting held before the platform, with its attendance, minutes and
    resolutions (each with its real deadline and dated progress). Sends nothing. Dates in the
    future or more than two years back are refused (422 naming the field)."""
    mechanism = get_object_or_404(perms.mechanisms_visible_to(request.user), pk=mechanism_id)
    if not perms.can_back_enter(request.user, mechanism):
        raise PermissionDenied
    targets = {t.pk: t for t in PlanTarget.objects.filter(plan__mechanism=mechanism)}
    resolutions = []
    for index, r in enumerate(payload.resolutions):
        if r.target_id is not None and r.target_id not in targets:
            raise ValidationError(
                {f"resolutions[{index}].target_id": "对应年度目标不属于本机制。"}, code="target"
            )
        resolutions.append(
            {
                "resolution": r.resolution,
                "lead_body": _body(r.lead_body_id, f"resolutions[{index}].lead_body_id"),
                "co_bodies": _bodies(r.co_body_ids, f"resolutions[{index}].co_body_ids"),
                "deadline": r.deadline,
                "expected_output": r.expected_output,
                "target": targets.get(r.target_id) if r.target_id is not None else None,
                "progress": [p.dict() for p in r.progress],
            }
        )
    meeting = services.meeting_back_enter(
        actor=request.user,
        mechanism=mechanism,
        title=payload.title,
        topic=payload.topic,
        held_on=payload.held_on,
        start_time=payload.start_time,
        duration_minutes=payload.duration_minutes,
        location=payload.location,
        online_url=payload.online_url,
        host_body=_body(payload.host_body_id, "host_body_id"),
        present_bodies=_bodies(payload.present_body_ids, "present_body_ids"),
        minutes=payload.minutes,
        resolutions=resolutions,
        publish=payload.publish,
    )
    return get_meeting(request, meeting.pk)


@router.post(
    "/action-items/{int:item_id}/back-progress",
    response=ActionItemDetailOut,
    operation_id="meetings_back_enter_progress",
)
def back_enter_progress(
    request: AuthenticatedHttpRequest, item_id: int, payload: BackEntryProgressIn
) -> dict:
    """补录进展: a dated progress report of a back-entered item, by who manages the mechanism;
    100 completes the item on ``reported_on``."""
    item = get_object_or_404(perms.action_items_visible_to(request.user), pk=item_id)
    if not perms.can_back_enter(request.user, item.mechanism):
        raise PermissionDenied
    services.back_entry_progress_report(
        actor=request.user,
        item=item,
        percent=payload.percent,
        text=payload.text,
        reason=payload.reason,
        reported_on=payload.reported_on,
    )
    return get_action_item(request, item.pk)
