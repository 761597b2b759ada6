"""Reads of the 工作台. Each figure is one query through the owning app's selectors and
permissions (the same scope as the module page it links to), on indexed columns: a desk is
opened many times a day by every member of staff."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from liandong.accounts.models import User
from liandong.accounts.permissions import maintains_rosters
from liandong.activities import permissions as activity_perms
from liandong.activities.models import ActivityStatus
from liandong.activities.selectors import NOTICE_ENDING_DAYS, public_notices
from liandong.competitions.models import Contest
from liandong.competitions.selectors import public_contests
from liandong.core.models import AuditLog
from liandong.demands.models import Demand, last_day
from liandong.demands.permissions import can_use_demands
from liandong.demands.selectors import (
    demands_near_limit,
    demands_of_body_by_deadline,
)
from liandong.democracy.models import Nomination
from liandong.democracy.permissions import (
    is_democracy_staff,
    nominations_visible_to,
    public_nominations,
)
from liandong.democracy.selectors import proposals_awaiting_review
from liandong.meetings import permissions as meeting_perms
from liandong.meetings.models import ActionItem, Meeting
from liandong.meetings.selectors import DueRow, items_due_by_lead_body, items_led_by, next_meetings
from liandong.workers.selectors import imports_with_rejections

if TYPE_CHECKING:
    from liandong.accounts.models import StaffUser


def _url(name: str, **query: object) -> str:
    return reverse(name) + ("?" + urlencode(query) if query else "")


@dataclass
class Tile:
    """One count on the desk and the filtered list it opens."""

    label: str
    value: int
    url: str
    note: str = ""
    urgent: bool = False  # shown in red while not zero


@dataclass
class BodyDue(DueRow):
    overdue_url: str = ""
    week_url: str = ""


@dataclass
class RecentRecord:
    when: datetime
    action: str
    label: str
    url: str


@dataclass
class UnionDesk:
    tiles: list[Tile] = field(default_factory=list)
    bodies: list[BodyDue] = field(default_factory=list)
    next_meeting: Meeting | None = None
    recent: list[RecentRecord] = field(default_factory=list)


def _notice_tile(label: str, counts: dict[str, int], url: str) -> Tile:
    return Tile(
        label=label,
        value=counts["ending"],
        url=url,
        note=f"{NOTICE_ENDING_DAYS} 天内截止 · 公示中共 {counts['total']} 项",
        urgent=True,
    )


def union_desk(user: User, *, now: datetime | None = None) -> UnionDesk:
    """The union staff's desk: what needs them now, each a count linking to its list."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    soon = today + timedelta(days=NOTICE_ENDING_DAYS)
    desk = UnionDesk()
    if can_use_demands(user):
        desk.tiles.append(
            Tile(
                "诉求临近或超过时限",
                demands_near_limit(user, now=now).count(),
                _url("demands:demand-list", view="limit"),
                note="两天内到期或已超时",
                urgent=True,
            )
        )
    items = meeting_perms.action_items_visible_to(user)
    for row in items_due_by_lead_body(items, today=today):
        base = {"lead_body": row.lead_body_id}
        desk.bodies.append(
            BodyDue(
                **row.__dict__,
                overdue_url=_url("meetings:item-list", **base, state="overdue"),
                week_url=_url("meetings:item-list", **base, state="week"),
            )
        )
    overdue = sum(b.overdue for b in desk.bodies)
    week = sum(b.due_week for b in desk.bodies)
    desk.tiles.append(
        Tile(
            "督办事项逾期",
            overdue,
            _url("meetings:item-list", state="overdue"),
            note=f"本周另有 {week} 项到期",
            urgent=True,
        )
    )
    if maintains_rosters(user):
        desk.tiles.append(
            Tile(
                "名册导入有拒绝行",
                imports_with_rejections(user).count(),
                _url("workers:roster-import", rejected=1),
                note="核对错误报告后重新导入",
            )
        )
    if is_democracy_staff(user):
        desk.tiles.append(
            Tile(
                "提案待审查",
                proposals_awaiting_review(user).count(),
                _url("democracy:proposal-list", status="cosigning"),
                note="征集附议中，待提案委员会审查",
            )
        )
    ending = Count("id", filter=Q(notice_ends_on__lte=soon))
    activity_counts = (
        activity_perms.activities_visible_to(user)
        .filter(status=ActivityStatus.NOTICE)
        .aggregate(total=Count("id"), ending=ending)
    )
    desk.tiles.append(
        _notice_tile(
            "活动公示将截止",
            activity_counts,
            _url("activities:activity-list", status=ActivityStatus.NOTICE),
        )
    )
    if is_democracy_staff(user):
        nomination_counts = (
            nominations_visible_to(user)
            .filter(status=Nomination.Status.NOTICE)
            .aggregate(total=Count("id"), ending=ending)
        )
        desk.tiles.append(
            _notice_tile(
                "劳模公示将截止",
                nomination_counts,
                _url("democracy:nomination-list", status=Nomination.Status.NOTICE),
            )
        )
    meetings = next_meetings(meeting_perms.meetings_visible_to(user), now=now)
    desk.next_meeting = meetings[0] if meetings else None
    desk.recent = recent_records(user)
    return desk


# What a record of the audit log opens: (app_label.model) -> URL name taking its pk.
RECORD_PAGES = {
    "demands.demand": "demands:demand-detail",
    "meetings.mechanism": "meetings:mechanism-detail",
    "meetings.meeting": "meetings:meeting-detail",
    "meetings.actionitem": "meetings:item-detail",
    "workers.worker": "workers:worker-detail",
    "workers.rosterimport": "workers:roster-import-detail",
    "activities.activity": "activities:activity-detail",
    "competitions.contest": "competitions:contest-detail",
    "democracy.proposal": "democracy:proposal-detail",
    "democracy.nomination": "democracy:nomination-detail",
    "democracy.congress": "democracy:congress-detail",
    "organizations.organization": "organizations:organization-detail",
}


def recent_records(user: User, *, limit: int = 8) -> list[RecentRecord]:
    """The records this person last worked on (their own audit entries, newest first, one per
    record), each linking to its page. One query on the audit log's actor index."""
    entries = AuditLog.objects.filter(actor=user).exclude(target_id="").order_by("-id")[:40]
    seen: set[tuple[str, str]] = set()
    found = []
    for entry in entries:
        key = (entry.target_type, entry.target_id)
        name = RECORD_PAGES.get(entry.target_type)
        if key in seen or name is None or not entry.target_id.isdigit():
            continue
        seen.add(key)
        try:
            url = reverse(name, args=[int(entry.target_id)])
        except NoReverseMatch:  # pragma: no cover - every name above takes one pk
            continue
        found.append(RecentRecord(entry.created_at, entry.action, entry.target_repr, url))
        if len(found) == limit:
            break
    return found


@dataclass
class DemandRow:
    demand: Demand
    limit_label: str  # the limit that runs now: 首次响应 or 办结
    limit_day: date


@dataclass
class BodyDesk:
    items: list[ActionItem]
    overdue: int
    demands: list[DemandRow]
    meetings: list[Meeting]
    today: date


def body_desk(user: "StaffUser", *, now: datetime | None = None) -> BodyDesk:
    """A member body's desk (a partner liaison, an enterprise union): the items their body
    leads (overdue first), the demands routed to it by limit, the next meeting of each of
    their mechanisms with its agenda."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    items = items_led_by(meeting_perms.action_items_visible_to(user), user.organization_id)
    return BodyDesk(
        items=items,
        overdue=sum(1 for item in items if item.is_overdue_on(today)),
        demands=[
            DemandRow(
                demand,
                "首次响应时限" if demand.responded_at is None else "办结时限",
                last_day(
                    demand.response_due if demand.responded_at is None else demand.resolution_due
                ),
            )
            for demand in demands_of_body_by_deadline(user)
        ],
        meetings=next_meetings(meeting_perms.meetings_visible_to(user), now=now),
        today=today,
    )


@dataclass
class FrontDoor:
    activity_notices: list
    nominations: list[Nomination]
    live: list[Contest]
    published: list[Contest]


def front_door(*, today: date | None = None) -> FrontDoor:
    """What anyone may see: public notices of activities and model-worker nominations, live
    scoreboards and published contest results (the public pages of those apps)."""
    live, published = public_contests()
    return FrontDoor(
        activity_notices=list(public_notices(today=today)[:6]),
        nominations=list(
            public_nominations()
            .select_related("nominated_by")
            .order_by("notice_ends_on", "-id")[:6]
        ),
        live=live,
        published=published,
    )
