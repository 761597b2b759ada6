"""Reads of the joint meeting system: the mechanism's year at a glance, the mid-year review and
the year-end summary. Every figure is an aggregate query over indexed columns (a mechanism has
tens of meetings and a few thousand items at most), and every figure links to the records
behind it."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from liandong.core.documents import Block
from liandong.core.extensions import Figure, hooks
from liandong.meetings.models import ActionItem, AnnualPlan, Mechanism, Meeting, PlanTarget
from liandong.organizations.models import Organization

MONTHS = list(range(1, 13))
OWN_SECTION = "联席会议"
MEETING_TONES = {
    "preparing": "amber",
    "notified": "blue",
    "held": "blue",
    "published": "green",
    "cancelled": "neutral",
}


# The years a plan, review or summary may be asked for; beyond them a date cannot even be
# built (year 0, year 10000), so the views refuse such a year before it gets here.
FIRST_YEAR = 2000
LAST_YEAR = 2100


def year_bounds(year: int) -> tuple[datetime, datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    return (
        datetime.combine(date(year, 1, 1), time.min, tzinfo=zone),
        datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=zone),
    )


def meetings_of_year(mechanism: Mechanism, year: int) -> QuerySet[Meeting]:
    start, end = year_bounds(year)
    return mechanism.meetings.filter(starts_at__gte=start, starts_at__lt=end).select_related(
        "host_body"
    )


def items_of_year(mechanism: Mechanism, year: int) -> QuerySet[ActionItem]:
    return ActionItem.objects.filter(mechanism=mechanism, year=year)


def date_cn(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def item_list_url(mechanism: Mechanism, **filters: Any) -> str:
    return reverse("meetings:item-list") + "?" + urlencode({"mechanism": mechanism.pk, **filters})


@dataclass
class YearFigures:
    year: int
    meetings_held: int = 0
    meetings_upcoming: int = 0
    meetings_cancelled: int = 0
    items_total: int = 0
    items_done: int = 0
    items_open: int = 0
    items_overdue: int = 0
    items_cancelled: int = 0
    targets_total: int = 0
    targets_met: int = 0
    plan: AnnualPlan | None = None
    completion_rate: float | None = None
    topics: list[str] = field(default_factory=list)

    @property
    def targets_note(self) -> str:
        return f"共 {self.targets_total} 项"

    @property
    def upcoming_note(self) -> str:
        return f"{self.meetings_upcoming} 次待召开"


def year_figures(mechanism: Mechanism, year: int, *, today: date | None = None) -> YearFigures:
    """The closed loop's numbers for one year, in four queries."""
    today = today or timezone.localdate()
    figures = YearFigures(year=year)
    meetings = meetings_of_year(mechanism, year).aggregate(
        held=Count("id", filter=Q(status__in=[Meeting.Status.HELD, Meeting.Status.PUBLISHED])),
        upcoming=Count(
            "id", filter=Q(status__in=[Meeting.Status.PREPARING, Meeting.Status.NOTIFIED])
        ),
        cancelled=Count("id", filter=Q(status=Meeting.Status.CANCELLED)),
    )
    figures.meetings_held, figures.meetings_upcoming = meetings["held"], meetings["upcoming"]
    figures.meetings_cancelled = meetings["cancelled"]
    items = items_of_year(mechanism, year).aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(status=ActionItem.Status.DONE)),
        open=Count("id", filter=Q(status__in=ActionItem.OPEN)),
        overdue=Count("id", filter=Q(status__in=ActionItem.OPEN, deadline__lt=today)),
        cancelled=Count("id", filter=Q(status=ActionItem.Status.CANCELLED)),
    )
    figures.items_total, figures.items_done, figures.items_open = (
        items["total"],
        items["done"],
        items["open"],
    )
    figures.items_overdue, figures.items_cancelled = items["overdue"], items["cancelled"]
    figures.completion_rate = rate(
        figures.items_done, figures.items_total - figures.items_cancelled
    )
    figures.plan = (
        AnnualPlan.objects.filter(mechanism=mechanism, year=year)
        .select_related("approved_at_meeting")
        .first()
    )
    if figures.plan is not None:
        targets = PlanTarget.objects.filter(plan=figures.plan).values_list(
            "target_value", "achieved_value"
        )
        figures.targets_total = len(targets)
        figures.targets_met = sum(1 for goal, done in targets if done >= goal)
    return figures


def year_figures_by_mechanism(
    mechanism_ids: list[int], year: int, *, today: date
) -> dict[int, YearFigures]:
    """The list page's figures for many mechanisms in two grouped queries."""
    result = {pk: YearFigures(year=year) for pk in mechanism_ids}
    start, end = year_bounds(year)
    for row in (
        Meeting.objects.filter(
            mechanism_id__in=mechanism_ids,
            starts_at__gte=start,
            starts_at__lt=end,
            status__in=[Meeting.Status.HELD, Meeting.Status.PUBLISHED],
        )
        .order_by()
        .values("mechanism_id")
        .annotate(held=Count("id"))
    ):
        result[row["mechanism_id"]].meetings_held = row["held"]
    for counts in (
        ActionItem.objects.filter(mechanism_id__in=mechanism_ids, year=year)
        .order_by()
        .values("mechanism_id")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(status=ActionItem.Status.DONE)),
            overdue=Count("id", filter=Q(status__in=ActionItem.OPEN, deadline__lt=today)),
            cancelled=Count("id", filter=Q(status=ActionItem.Status.CANCELLED)),
        )
    ):
        figures = result[counts["mechanism_id"]]
        figures.items_total, figures.items_done = counts["total"], counts["done"]
        figures.items_overdue, figures.items_cancelled = counts["overdue"], counts["cancelled"]
        figures.completion_rate = rate(counts["done"], counts["total"] - counts["cancelled"])
    return result


@dataclass
class LoopStage:
    name: str
    state: str  # "done", "active", "pending", "late"
    note: str


STAGE_TONES = {"done": "green", "active": "blue", "pending": "neutral", "late": "red"}


def loop_status(figures: YearFigures, *, today: date) -> list[LoopStage]:
    """年初议计划 → 年中抓落实 → 年末促总结, each with what it rests on."""
    plan = figures.plan
    current = today.year == figures.year
    if plan is not None and plan.status == AnnualPlan.Status.APPROVED:
        first = LoopStage(
            "年初议计划",
            "done",
            f"{date_cn(plan.approved_on)}审议通过，目标 {figures.targets_total} 项",
        )
    elif plan is not None:
        first = LoopStage(
            "年初议计划",
            "late" if current and today.month > 3 else "active",
            f"计划草案，目标 {figures.targets_total} 项，待会议审议",
        )
    else:
        first = LoopStage(
            "年初议计划", "late" if current and today.month > 3 else "pending", "尚未制定年度计划"
        )
    completion = f"{figures.completion_rate}%" if figures.completion_rate is not None else "—"
    overdue = f"，逾期 {figures.items_overdue} 项" if figures.items_overdue else ""
    if figures.year < today.year or (current and today.month >= 12 and figures.items_open == 0):
        middle = LoopStage(
            "年中抓落实",
            "done" if not figures.items_overdue else "late",
            f"督办事项 {figures.items_total} 项，完成率 {completion}{overdue}",
        )
    else:
        middle = LoopStage(
            "年中抓落实",
            "late" if figures.items_overdue else "active" if figures.items_total else "pending",
            f"督办事项 {figures.items_total} 项，完成率 {completion}{overdue}",
        )
    if figures.year < today.year:
        last = LoopStage(
            "年末促总结", "done", f"全年召开会议 {figures.meetings_held} 次，可生成年度工作总结"
        )
    elif current and today.month >= 11:
        last = LoopStage(
            "年末促总结", "active", f"已召开会议 {figures.meetings_held} 次，年度工作总结可随时生成"
        )
    else:
        last = LoopStage("年末促总结", "pending", "年末根据全年数据生成总结")
    return [first, middle, last]


def calendar_months(
    mechanism: Mechanism, year: int, *, plan: AnnualPlan | None = None
) -> list[dict[str, Any]]:
    """Twelve months, each with the meetings held or planned in it."""
    by_month: dict[int, list[dict[str, Any]]] = {month: [] for month in MONTHS}
    labels = dict(Meeting.Status.choices)
    start, end = year_bounds(year)
    rows = (
        mechanism.meetings.filter(starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at")
        .values_list("pk", "title", "topic", "starts_at", "status")
    )
    for pk, title, topic, starts_at, status in rows:
        local = timezone.localtime(starts_at)
        by_month[local.month].append(
            {
                "pk": pk,
                "title": title,
                "label": f"{local.day}日 {(topic or title)[:10]}",
                "status": status,
                "status_label": labels[status],
                "tone": MEETING_TONES.get(status, "neutral"),
            }
        )
    planned: dict[int, list[str]] = {month: [] for month in MONTHS}
    if plan is not None:  # the year's plan, as year_figures() read it
        for item in plan.planned_meetings.all():
            planned[item.month].append(item.topic)
    return [
        {"month": month, "meetings": by_month[month], "planned": planned[month]} for month in MONTHS
    ]


@dataclass
class BodyRow:
    organization_id: int
    name: str
    total: int = 0
    done: int = 0
    open: int = 0
    overdue: int = 0
    cancelled: int = 0
    targets: list[PlanTarget] = field(default_factory=list)

    @property
    def completion_rate(self) -> float | None:
        return rate(self.done, self.total - self.cancelled)


def items_by_body(items: QuerySet[ActionItem], *, today: date) -> list[BodyRow]:
    rows = (
        items.order_by()
        .values("lead_body_id", "lead_body__name")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(status=ActionItem.Status.DONE)),
            open=Count("id", filter=Q(status__in=ActionItem.OPEN)),
            overdue=Count("id", filter=Q(status__in=ActionItem.OPEN, deadline__lt=today)),
            cancelled=Count("id", filter=Q(status=ActionItem.Status.CANCELLED)),
        )
    )
    result = [
        BodyRow(
            organization_id=row["lead_body_id"],
            name=row["lead_body__name"],
            total=row["total"],
            done=row["done"],
            open=row["open"],
            overdue=row["overdue"],
            cancelled=row["cancelled"],
        )
        for row in rows
    ]
    return sorted(result, key=lambda row: (-row.overdue, -row.open, row.name))


def open_items(mechanism: Mechanism, *, limit: int = 30) -> list[ActionItem]:
    return list(
        mechanism.action_items.filter(status__in=ActionItem.OPEN)
        .select_related("lead_body")
        .only("pk", "mechanism", "resolution", "deadline", "progress", "status", "lead_body__name")
        .order_by("deadline", "id")[:limit]
    )


def midyear_review(mechanism: Mechanism, year: int, *, today: date) -> dict[str, Any]:
    """年中抓落实: each target against what was done, per body, overdue items flagged."""
    figures = year_figures(mechanism, year, today=today)
    items = items_of_year(mechanism, year)
    bodies = {row.organization_id: row for row in items_by_body(items, today=today)}
    targets = (
        list(
            PlanTarget.objects.filter(plan=figures.plan)
            .select_related("lead_body")
            .annotate(items=Count("action_items"))
        )
        if figures.plan
        else []
    )
    for target in targets:
        row = bodies.get(target.lead_body_id)
        if row is None:
            row = bodies[target.lead_body_id] = BodyRow(
                organization_id=target.lead_body_id, name=target.lead_body.name
            )
        row.targets.append(target)
    overdue = list(
        items.filter(status__in=ActionItem.OPEN, deadline__lt=today)
        .select_related("lead_body", "meeting")
        .order_by("deadline", "id")[:200]
    )
    return {
        "figures": figures,
        "targets": targets,
        "bodies": list(bodies.values()),
        "overdue": overdue,
        "elapsed": round(
            100
            * (
                today.timetuple().tm_yday
                if today.year == year
                else (365 if today.year > year else 0)
            )
            / 365
        ),
    }


def summary_context(
    mechanism: Mechanism, year: int, *, today: date | None = None
) -> dict[str, Any]:
    """年末促总结: everything the summary page and documents show, from the data."""
    today = today or timezone.localdate()
    figures = year_figures(mechanism, year, today=today)
    meetings = list(
        meetings_of_year(mechanism, year)
        .exclude(status=Meeting.Status.CANCELLED)
        .annotate(
            agenda_count=Count("agenda_items", distinct=True),
            item_count=Count("action_items", distinct=True),
        )
        .order_by("starts_at")
    )
    items = items_of_year(mechanism, year)
    targets = (
        list(PlanTarget.objects.filter(plan=figures.plan).select_related("lead_body"))
        if figures.plan
        else []
    )
    other: list[Figure] = []
    for provider in hooks("year_figures"):
        # Our own figures cover every mechanism of the union; this mechanism's are above.
        other.extend(
            f
            for f in provider(organization=mechanism.convening_union, year=year)
            if f.section != OWN_SECTION
        )
    return {
        "mechanism": mechanism,
        "year": year,
        "figures": figures,
        "meetings": meetings,
        "bodies": items_by_body(items, today=today),
        "targets": targets,
        "unfinished": list(
            items.filter(status__in=ActionItem.OPEN)
            .select_related("lead_body")
            .order_by("deadline", "id")[:200]
        ),
        "unfinished_url": item_list_url(mechanism, year=year, state="open"),
        "done_url": item_list_url(mechanism, year=year, state="done"),
        "all_url": item_list_url(mechanism, year=year),
        "other_figures": other,
        "today": today,
    }


def _members_line(mechanism: Mechanism) -> str:
    names = [m.organization.name for m in mechanism.members.select_related("organization")]
    return "、".join(names)


def summary_blocks(context: dict[str, Any]) -> list[Block]:
    """The year-end summary as document blocks (docx and PDF), generated, never typed."""
    mechanism: Mechanism = context["mechanism"]
    year: int = context["year"]
    f: YearFigures = context["figures"]
    completion = f"{f.completion_rate}%" if f.completion_rate is not None else "—"
    topics = "、".join(dict.fromkeys(m.topic for m in context["meetings"] if m.topic)) or "—"
    blocks = [
        Block("title", f"{mechanism.name}{year}年度工作总结"),
        Block(
            "paragraph",
            (
                f"{year}年，{mechanism.convening_union.name}会同{_members_line(mechanism)}，"
                f"按照“{mechanism.mode_label}”协作模式，落实“年初议计划、年中抓落实、年末促总结”的闭环流程。"
                f"全年召开联席会议 {f.meetings_held} 次，围绕{topics}等议题协商议定事项 {f.items_total} 项，"
                f"已完成 {f.items_done} 项，完成率 {completion}；年度目标 {f.targets_total} 项，"
                f"已完成 {f.targets_met} 项。"
            ),
        ),
        Block("heading", "一、会议召开情况"),
        Block(
            "table",
            rows=[["日期", "会议", "主题", "承办单位", "议题数", "议定事项", "状态"]]
            + [
                [
                    date_cn(m.starts_at),
                    f"{m.title}（补录）" if m.back_entered else m.title,
                    m.topic or "—",
                    m.host_body.name,
                    m.agenda_count,
                    m.item_count,
                    m.get_status_display(),
                ]
                for m in context["meetings"]
            ],
        ),
        Block("heading", "二、议定事项落实情况"),
        Block(
            "paragraph",
            f"议定事项共 {f.items_total} 项：已完成 {f.items_done} 项，推进中或待办 {f.items_open} 项"
            f"（其中逾期 {f.items_overdue} 项），已取消 {f.items_cancelled} 项。",
        ),
        Block(
            "table",
            rows=[["牵头单位", "事项数", "已完成", "未完成", "逾期", "完成率"]]
            + [
                [
                    b.name,
                    b.total,
                    b.done,
                    b.open,
                    b.overdue,
                    f"{b.completion_rate}%" if b.completion_rate is not None else "—",
                ]
                for b in context["bodies"]
            ],
        ),
        Block("heading", "三、年度目标完成情况"),
    ]
    if context["targets"]:
        blocks.append(
            Block(
                "table",
                rows=[["目标任务", "牵头单位", "目标", "完成", "结果"]]
                + [
                    [
                        t.title,
                        t.lead_body.name,
                        f"{t.target_value}{t.unit}",
                        f"{t.achieved_value}{t.unit}",
                        "已完成" if t.is_met else "未完成",
                    ]
                    for t in context["targets"]
                ],
            )
        )
    else:
        blocks.append(Block("paragraph", "本年度未制定目标任务。"))
    blocks.append(Block("heading", "四、服务职工情况"))
    if context["other_figures"]:
        blocks.append(
            Block(
                "table",
                rows=[["类别", "指标", "数值"]]
                + [
                    [fig.section, fig.label, f"{fig.value}{fig.unit}"]
                    for fig in context["other_figures"]
                ],
            )
        )
    else:
        blocks.append(Block("paragraph", "其他模块暂无本年度数据。"))
    blocks.append(Block("heading", "五、尚未完成的督办事项"))
    if context["unfinished"]:
        today = context["today"]
        blocks.append(
            Block(
                "table",
                rows=[["事项", "牵头单位", "完成时限", "进度", "状态"]]
                + [
                    [
                        str(i.resolution)[:80],
                        i.lead_body.name,
                        date_cn(i.deadline),
                        f"{i.progress}%",
                        "逾期" if i.is_overdue_on(today) else i.get_status_display(),
                    ]
                    for i in context["unfinished"]
                ],
            )
        )
        if f.items_open > len(context["unfinished"]):
            blocks.append(
                Block(
                    "paragraph",
                    f"另有 {f.items_open - len(context['unfinished'])} 项，详见平台督办事项清单。",
                )
            )
    else:
        blocks.append(Block("paragraph", "全部督办事项均已办结。"))
    blocks.append(
        Block("paragraph", f"本总结由联动平台根据{date_cn(context['today'])}的数据自动生成。")
    )
    return blocks


def minutes_blocks(meeting: Meeting) -> list[Block]:
    attendances = list(meeting.attendances.select_related("organization"))
    blocks = [
        Block("title", f"{meeting.title}会议纪要"),
        Block("paragraph", f"时间：{date_cn(meeting.starts_at)} {meeting.local_start:%H:%M}"),
        Block("paragraph", f"地点：{meeting.location or '线上'}"),
        Block("paragraph", f"承办单位：{meeting.host_body.name}"),
        Block(
            "paragraph",
            "出席单位："
            + (
                "、".join(
                    f"{a.organization.name}（{a.attendees}）"
                    if a.attendees
                    else a.organization.name
                    for a in attendances
                    if a.present
                )
                or "—"
            ),
        ),
        Block("heading", "会议议题"),
    ]
    blocks += [
        Block("paragraph", f"{i}. {item.title}")
        for i, item in enumerate(meeting.agenda_items.all(), 1)
    ]
    blocks += [Block("heading", "会议纪要"), Block("paragraph", meeting.minutes or "—")]
    items = list(meeting.action_items.select_related("lead_body").prefetch_related("co_bodies"))
    if items:
        blocks += [
            Block("heading", "议定事项"),
            Block(
                "table",
                rows=[["序号", "议定事项", "牵头单位", "配合单位", "完成时限", "预期成果"]]
                + [
                    [
                        i.number,
                        i.resolution,
                        i.lead_body.name,
                        "、".join(b.name for b in i.co_bodies.all()) or "—",
                        date_cn(i.deadline),
                        i.expected_output or "—",
                    ]
                    for i in items
                ],
            ),
        ]
    return blocks


def organizations_by_id(ids: set[int]) -> dict[int, Organization]:
    return {o.pk: o for o in Organization.objects.filter(pk__in=ids)}


# ---------------------------------------------------------------------------------------------
# The 工作台 (workbench app): what is due, by lead body, and the next meetings.


def due_this_week(today: date) -> dict[str, date]:
    """Filter arguments of items due from today to Sunday (the item list's 本周到期)."""
    return {"deadline__gte": today, "deadline__lte": today + timedelta(days=6 - today.weekday())}


@dataclass
class DueRow:
    lead_body_id: int
    lead_body_name: str
    overdue: int
    due_week: int


def items_due_by_lead_body(items: QuerySet[ActionItem], *, today: date) -> list[DueRow]:
    """Open items overdue or due this week, counted per lead body, in one grouped query on
    (status, deadline); the bodies with the most overdue first."""
    week = due_this_week(today)
    rows = (
        items.filter(status__in=ActionItem.OPEN, deadline__lte=week["deadline__lte"])
        .order_by()
        .values("lead_body_id", "lead_body__name")
        .annotate(
            overdue=Count("id", filter=Q(deadline__lt=today)),
            due_week=Count("id", filter=Q(deadline__gte=today)),
        )
    )
    found = [
        DueRow(r["lead_body_id"], r["lead_body__name"], r["overdue"], r["due_week"]) for r in rows
    ]
    return sorted(found, key=lambda r: (-r.overdue, -r.due_week, r.lead_body_name))


def items_led_by(items: QuerySet[ActionItem], organization_id: int) -> list[ActionItem]:
    """A body's open items: overdue first, then by deadline."""
    return list(
        items.filter(lead_body_id=organization_id, status__in=ActionItem.OPEN).order_by(
            "deadline", "id"
        )
    )


def next_meetings(meetings: QuerySet[Meeting], *, now: datetime | None = None) -> list[Meeting]:
    """The next meeting still to be held of each mechanism, soonest first, with its agenda."""
    now = now or timezone.now()
    upcoming = meetings.filter(
        starts_at__gte=now, status__in=[Meeting.Status.PREPARING, Meeting.Status.NOTIFIED]
    ).order_by("starts_at", "id")
    seen: set[int] = set()
    found = []
    for meeting in upcoming.prefetch_related("agenda_items")[:50]:
        if meeting.mechanism_id not in seen:
            seen.add(meeting.mechanism_id)
            found.append(meeting)
    return found
