"""What the meetings app offers other apps (see core/extensions.py)."""

from typing import TYPE_CHECKING

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from liandong.core.extensions import AgendaCandidate, Figure, LinkedRecord, NavItem
from liandong.core.formatting import cn_date
from liandong.meetings.notices import NOTIFICATION_KINDS as NOTIFICATION_KINDS
from liandong.meetings.permissions import can_use_meetings

if TYPE_CHECKING:  # the models are imported where used, as in the other functions here
    from datetime import date

    from django.contrib.auth.models import AnonymousUser

    from liandong.accounts.models import User
    from liandong.meetings.models import Mechanism
    from liandong.organizations.models import Organization

NAV_ITEMS = [
    NavItem(
        label="联席会议", url_name="meetings:mechanism-list", visible=can_use_meetings, order=10
    )
]


def agenda_candidates(mechanism: "Mechanism") -> list[AgendaCandidate]:
    """Overdue action items of the mechanism: each belongs on the next meeting's agenda."""
    from liandong.meetings.models import ActionItem

    today = timezone.localdate()
    overdue = (
        mechanism.action_items.filter(status__in=ActionItem.OPEN, deadline__lt=today)
        # 补录: an item already overdue when it was entered is history the tick leaves alone.
        .exclude(back_entered=True, deadline__lt=F("back_entered_on"))
        .select_related("lead_body")
        .order_by("deadline", "id")
    )
    return [
        AgendaCandidate(
            key=item.agenda_key,
            kind="action_item",
            title=f"逾期督办事项：{str(item.resolution)[:60]}",
            url=reverse("meetings:item-detail", args=[item.pk]),
            note=f"牵头单位 {item.lead_body.name}，时限 {cn_date(item.deadline)}，进度 {item.progress}%",
        )
        for item in overdue
    ]


def year_figures(organization: "Organization", year: int) -> list[Figure]:
    """Meetings held, resolutions, completion rate and targets met of the mechanisms convened
    in ``organization``'s subtree."""
    from liandong.meetings.models import ActionItem, Mechanism, Meeting, PlanTarget
    from liandong.meetings.selectors import rate, year_bounds
    from liandong.organizations.models import subtree_q

    start, end = year_bounds(year)
    mechanisms = Mechanism.objects.filter(subtree_q(organization.path, "convening_union__path"))
    held = Meeting.objects.filter(
        mechanism__in=mechanisms,
        starts_at__gte=start,
        starts_at__lt=end,
        status__in=[Meeting.Status.HELD, Meeting.Status.PUBLISHED],
    ).count()
    items = ActionItem.objects.filter(mechanism__in=mechanisms, year=year).aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(status=ActionItem.Status.DONE)),
        cancelled=Count("id", filter=Q(status=ActionItem.Status.CANCELLED)),
    )
    targets = list(
        PlanTarget.objects.filter(plan__mechanism__in=mechanisms, plan__year=year).values_list(
            "target_value", "achieved_value"
        )
    )
    url = reverse("meetings:mechanism-list")
    completion = rate(items["done"], items["total"] - items["cancelled"])
    return [
        Figure(section="联席会议", label="召开联席会议", value=held, unit="次", url=url),
        Figure(section="联席会议", label="议定事项", value=items["total"], unit="项", url=url),
        Figure(
            section="联席会议",
            label="议定事项完成率",
            value=completion if completion is not None else 0,
            unit="%",
            url=url,
        ),
        Figure(
            section="联席会议",
            label="年度目标完成",
            value=sum(1 for g, d in targets if d >= g),
            unit="项",
            url=url,
            detail={"of": len(targets)},
        ),
    ]


def action_item_meetings(user: "User | AnonymousUser | None") -> list[tuple[int, str]]:
    """Held meetings (minutes not yet published) of the mechanisms ``user`` manages: where a
    problem found elsewhere (a visit, an agreement's follow-up) can be recorded as a 督办事项."""
    from liandong.meetings.models import Meeting
    from liandong.meetings.permissions import mechanisms_managed_by

    meetings = (
        Meeting.objects.filter(
            mechanism__in=mechanisms_managed_by(user).values("pk"), status=Meeting.Status.HELD
        )
        .select_related("mechanism")
        .order_by("-starts_at", "-id")[:50]
    )
    return [
        (m.pk, f"{m.mechanism.name} · {m.title}（{cn_date(m.held_on or m.local_start.date())}）")
        for m in meetings
    ]


def create_action_item_from(
    *,
    actor: "User",
    meeting_id: int | None,
    resolution: str,
    lead_body: "Organization | None",
    deadline: "date | None",
) -> LinkedRecord:
    """A 督办事项 recorded as a resolution of a held meeting ``actor`` manages, under the
    meetings module's rules (lead body a member, deadline after the meeting) and notices."""
    from django.core.exceptions import ValidationError

    from liandong.meetings.models import Meeting
    from liandong.meetings.permissions import mechanisms_managed_by
    from liandong.meetings.services import resolution_record

    meeting = Meeting.objects.filter(
        pk=meeting_id or 0, mechanism__in=mechanisms_managed_by(actor).values("pk")
    ).first()
    if meeting is None:
        raise ValidationError({"meeting": "请选择您所管理的、已召开的联席会议。"}, code="meeting")
    item = resolution_record(
        actor=actor, meeting=meeting, resolution=resolution, lead_body=lead_body, deadline=deadline
    )
    return LinkedRecord(
        pk=item.pk,
        label=f"督办事项 {meeting.mechanism.name} 第{item.number}项",
        url=reverse("meetings:item-detail", args=[item.pk]),
    )


def mechanism_choices(user: "User | AnonymousUser | None") -> list[tuple[int, str, list[int]]]:
    """Mechanisms visible to ``user``, with their member bodies (a charter's parties)."""
    from liandong.meetings.permissions import mechanisms_visible_to

    return [
        (m.pk, m.name, sorted(m.member_organization_ids()))
        for m in mechanisms_visible_to(user).order_by("name")[:100]
    ]
