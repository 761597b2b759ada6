"""The dashboard's figures: one function per chart, each a thin shape over the owning app's
selector (the demands rollup, the meetings year figures, the activities and democracy figures,
the organization coverage), so that a figure here is the same number as on its module page.

A chart is a table first (``columns`` and ``rows``, each row linking to the records behind it)
that the browser also draws; the xlsx export and the JSON API send the same table.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone

from liandong.activities.models import Activity, ActivityKind, BudgetLine
from liandong.activities.selectors import period_figures, served_by_kind_and_month
from liandong.competitions.selectors import contests_of_year, entrants_by_body
from liandong.core.extensions import Figure, hooks
from liandong.core.fanout import gather
from liandong.core.memo import once, one_computation
from liandong.demands.models import DemandRollup, Industry
from liandong.demands.selectors import StatsFilters, demand_stats
from liandong.democracy.selectors import figures_for, figures_url
from liandong.meetings.models import ActionItem, AnnualPlan, Mechanism, PlanTarget
from liandong.meetings.selectors import (
    items_by_body,
    items_of_year,
    loop_status,
    year_figures,
    year_figures_by_mechanism,
)
from liandong.organizations.models import Organization, subtree_q
from liandong.organizations.selectors import (
    coverage_by_industry,
    coverage_total,
    percent,
    unions_founded_by_month,
)

MONTH_LABELS = [f"{m}月" for m in range(1, 13)]
KIND_LABELS = {value: str(label) for value, label in ActivityKind.choices}
# A chart by body shows the first 30 (most entrants, most breaches); the xlsx has the same rows.
CHART_BODIES = 30


@dataclass
class ReportFilters:
    year: int
    start: date | None = None  # a date range inside the year narrows the demand figures
    end: date | None = None
    industry: str = ""

    @property
    def first(self) -> date:
        return self.start or date(self.year, 1, 1)

    @property
    def last(self) -> date:
        return self.end or date(self.year, 12, 31)


@dataclass
class Row:
    label: str
    values: list[float | int | str | None]
    url: str = ""


@dataclass
class Chart:
    key: str
    title: str
    section: str
    kind: str  # "bar" (grouped), "hbar" (horizontal), "line" (by month), "pie", "stack"
    columns: list[str]  # the first names the row labels
    rows: list[Row] = field(default_factory=list)
    unit: str = ""
    note: str = ""
    plotted: list[int] | None = None  # indices into values drawn (default: all)

    @property
    def script_id(self) -> str:
        return f"chart-data-{self.key}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "section": self.section,
            "kind": self.kind,
            "columns": self.columns,
            "rows": [{"label": r.label, "values": r.values, "url": r.url} for r in self.rows],
            "unit": self.unit,
            "note": self.note,
            "plotted": self.plotted
            if self.plotted is not None
            else list(range(len(self.columns) - 1)),
        }


class Links:
    """Where a figure's records live; empty for viewers who see aggregates only."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        # A chart of 200 bodies links 200 times to the same page with another query: the
        # path is resolved once per page (reverse costs ~0.1 ms, 25 ms a dashboard).
        self._paths: dict[tuple[str, tuple[Any, ...]], str] = {}

    def __call__(self, name: str, query: dict[str, Any] | None = None, args: Any = None) -> str:
        if not self.enabled:
            return ""
        key = (name, tuple(args or ()))
        url = self._paths.get(key)
        if url is None:
            url = self._paths[key] = reverse(name, args=args)
        return url + ("?" + urlencode(query) if query else "")


# --- Headline figures: the year figures every app offers (the year-end summary's) ---------------


def headline_figures(organization: Organization, year: int, *, user: Any) -> list[Figure]:
    """The same figures as the year-end summary, each linked for viewers who may follow it."""
    answers = gather(_year_figure_calls(organization, year))
    return _shown(answers, user)


def _year_figure_calls(organization: Organization, year: int) -> list[Callable[[], Any]]:
    return [
        partial(provider, organization=organization, year=year)
        for provider in hooks("year_figures")
    ]


def _shown(answers: list[list[Figure]], user: Any) -> list[Figure]:
    shown = []
    for figures in answers:
        for figure in figures:
            opens = figure.opens_for is None or figure.opens_for(user)
            shown.append(figure if opens else Figure(**{**figure.__dict__, "url": ""}))
    return shown


# --- Union founding and coverage --------------------------------------------------------------


def coverage(root: Organization, filters: ReportFilters, links: Links) -> Chart:
    """Enterprises with a union, outlets reached, workers and members; by industry."""
    rows_by_industry = once(("by-industry", root.pk), lambda: coverage_by_industry(root=root))
    total = coverage_total(rows_by_industry)
    if filters.industry:
        rows_by_industry = [r for r in rows_by_industry if r["industry"] == filters.industry]
    chart = Chart(
        key="coverage",
        title="建会覆盖（按行业）",
        section="建会覆盖",
        kind="bar",
        columns=["行业", "企业", "已建会企业", "网点", "覆盖网点", "职工", "会员"],
        plotted=[0, 1, 2, 3],
        note=(
            f"全部：企业 {total['enterprises']} 家，已建会 {total['enterprises_with_union']} 家；"
            f"网点 {total['outlets']} 个，覆盖 {total['outlets_reached']} 个"
        ),
    )
    for row in rows_by_industry:
        chart.rows.append(
            Row(
                label=str(row["industry"] or "未填行业"),
                values=[
                    row["enterprises"],
                    row["enterprises_with_union"],
                    row["outlets"],
                    row["outlets_reached"],
                    row["workers"],
                    row["members"],
                ],
                url=links("organizations:organization-detail", args=[root.pk]),
            )
        )
    return chart


def coverage_totals(root: Organization, filters: ReportFilters) -> dict[str, Any]:
    """The coverage cards: the subtree totals (or one industry's row), with rates."""
    if filters.industry:
        rows = [
            r
            for r in once(("by-industry", root.pk), lambda: coverage_by_industry(root=root))
            if r["industry"] == filters.industry
        ] or [dict.fromkeys(["enterprises", "enterprises_with_union", "outlets"], 0)]
        figures: dict[str, Any] = {k: v for k, v in rows[0].items() if k != "industry"}
        figures.setdefault("outlets_reached", 0)
        figures.setdefault("workers", 0)
        figures.setdefault("members", 0)
    else:
        figures = coverage_total(
            once(("by-industry", root.pk), lambda: coverage_by_industry(root=root))
        )
    return {
        **figures,
        "enterprise_rate": percent(figures["enterprises_with_union"], figures["enterprises"]),
        "outlet_rate": percent(figures["outlets_reached"], figures["outlets"]),
        "member_rate": percent(figures["members"], figures["workers"]),
    }


def founding_by_month(root: Organization, filters: ReportFilters, links: Links) -> Chart:
    """Change over the year: enterprises and outlets whose union was founded in each month."""
    months = unions_founded_by_month(root=root, year=filters.year, industry=filters.industry)
    running, cumulative = 0, []
    for value in months:
        running += value
        cumulative.append(running)
    chart = Chart(
        key="founding",
        title=f"{filters.year}年新建会企业和网点（按月）",
        section="建会覆盖",
        kind="line",
        columns=["月份", "当月新建会", "累计新建会"],
        unit="家",
    )
    for i, label in enumerate(MONTH_LABELS):
        chart.rows.append(
            Row(
                label,
                [months[i], cumulative[i]],
                links("organizations:organization-detail", args=[root.pk]),
            )
        )
    return chart


# --- Demands (the rollup behind the statistics page) ------------------------------------------


def _demand_stats(root: Organization, filters: ReportFilters, group_by: str) -> Any:
    """The statistics page's selector for the union's scope (its area rollup rows, not a sum
    over every body's rows), narrowed to the demands filed under the industry if one is set."""
    return demand_stats(
        union=root,
        filters=StatsFilters(
            start=filters.first, end=filters.last, group_by=group_by, industry=filters.industry
        ),
    )


def _stats_url(links: Links, filters: ReportFilters, **extra: Any) -> str:
    query = {"start": filters.first.isoformat(), "end": filters.last.isoformat(), **extra}
    if filters.industry in Industry.values:  # the statistics page offers the demand industries
        query["industry"] = filters.industry
    return links("demands:demand-stats", query)


def demand_rates_by_month(root: Organization, filters: ReportFilters, links: Links) -> Chart:
    """The three rates and the medians by month."""
    total, rows = _demand_stats(root, filters, "month")
    chart = Chart(
        key="demand-rates",
        title="诉求三率（按月）",
        section="职工诉求",
        kind="line",
        columns=["月份", "受理", "响应率%", "解决率%", "满意率%", "响应中位(时)", "办结中位(时)"],
        plotted=[0, 1, 2, 3],
        note=(
            f"合计受理 {total.received} 件；响应率 {_pct(total.response_rate)}，"
            f"解决率 {_pct(total.resolution_rate)}，满意率 {_pct(total.satisfaction_rate)}"
        ),
    )
    for row in rows:
        month: date = row.key
        last = (
            date(month.year + 1, 1, 1)
            if month.month == 12
            else date(month.year, month.month + 1, 1)
        )
        chart.rows.append(
            Row(
                row.label,
                [
                    row.received,
                    row.response_rate,
                    row.resolution_rate,
                    row.satisfaction_rate,
                    row.median_response_hours,
                    row.median_resolution_hours,
                ],
                links(
                    "demands:demand-stats",
                    {
                        "start": month.isoformat(),
                        "end": date.fromordinal(last.toordinal() - 1).isoformat(),
                        "group_by": "category",
                    },
                ),
            )
        )
    return chart


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value}%"


def demand_breaches_by_body(root: Organization, filters: ReportFilters, links: Links) -> Chart:
    total, rows = _demand_stats(root, filters, "body")
    chart = Chart(
        key="demand-breaches",
        title="超时诉求（按责任单位）",
        section="职工诉求",
        kind="hbar",
        columns=["责任单位", "超时", "受理"],
        unit="件",
        note=f"合计超时 {total.counts.get('breached', 0)} 件",
    )
    for row in sorted(rows, key=lambda r: (-r.counts.get("breached", 0), r.label)):
        query = {"breached": "yes"} | ({"body": row.key} if row.key else {})
        chart.rows.append(
            Row(
                row.label,
                [row.counts.get("breached", 0), row.received],
                links("demands:demand-list", query),
            )
        )
    return chart


def demand_top_categories(root: Organization, filters: ReportFilters, links: Links) -> Chart:
    _, rows = _demand_stats(root, filters, "category")
    chart = Chart(
        key="demand-categories",
        title="诉求类别",
        section="职工诉求",
        kind="pie",
        columns=["类别", "受理", "解决率%", "满意率%"],
        plotted=[0],
        unit="件",
    )
    for row in sorted(rows, key=lambda r: (-r.received, r.label)):
        chart.rows.append(
            Row(
                row.label,
                [row.received, row.resolution_rate, row.satisfaction_rate],
                _stats_url(links, filters, category=row.key, group_by="month"),
            )
        )
    return chart


def demand_cities(root: Organization, filters: ReportFilters, links: Links) -> Chart:
    _, rows = _demand_stats(root, filters, "city")
    chart = Chart(
        key="demand-cities",
        title="诉求分布（按城市）",
        section="职工诉求",
        kind="hbar",
        columns=["城市", "受理", "解决率%"],
        plotted=[0],
        unit="件",
    )
    for row in sorted(rows, key=lambda r: (-r.received, r.label)):
        label = row.label or "未填城市"
        chart.rows.append(
            Row(
                label,
                [row.received, row.resolution_rate],
                _stats_url(links, filters, city=row.key, group_by="category"),
            )
        )
    return chart


# --- Joint meetings ----------------------------------------------------------------------------


def mechanisms_of(root: Organization, industry: str = "") -> QuerySet[Mechanism]:
    """Mechanisms convened in the subtree (of one industry, 行业, if given: a mechanism has
    one, and its action items inherit it)."""
    mechanisms = Mechanism.objects.filter(subtree_q(root.path, "convening_union__path"))
    if industry:
        mechanisms = mechanisms.filter(industry=industry)
    return mechanisms.order_by("pk")


def mechanism_loops(root: Organization, filters: ReportFilters, links: Links) -> Chart:
    """Each mechanism convened in the subtree: meetings held, items done and overdue, and the
    closed loop's stages (年初议计划 → 年中抓落实 → 年末促总结)."""
    mechanisms = list(mechanisms_of(root, filters.industry)[:50])
    today = timezone.localdate()
    figures = year_figures_by_mechanism([m.pk for m in mechanisms], filters.year, today=today)
    chart = Chart(
        key="mechanisms",
        title="联席会议机制闭环",
        section="联席会议",
        kind="bar",
        columns=["机制", "召开会议", "议定事项", "已完成", "逾期", "完成率%", "闭环进度"],
        plotted=[0, 1, 2, 3],
    )
    _complete_for_loop(figures, filters.year)
    for mechanism in mechanisms:
        f = figures[mechanism.pk]
        stages = loop_status(f, today=today)
        chart.rows.append(
            Row(
                mechanism.name,
                [
                    f.meetings_held,
                    f.items_total,
                    f.items_done,
                    f.items_overdue,
                    f.completion_rate,
                    " → ".join(f"{s.name}{STAGE_MARKS[s.state]}" for s in stages),
                ],
                links("meetings:summary", args=[mechanism.pk, filters.year]),
            )
        )
    return chart


STAGE_MARKS = {"done": "✓", "active": "…", "pending": "○", "late": "!"}


def _complete_for_loop(figures: dict[int, Any], year: int) -> None:
    """What ``loop_status`` reads beyond the list page's figures (open items, the plan and its
    targets), for every mechanism in three grouped queries rather than ``year_figures`` once
    per mechanism (50 mechanisms: 200 queries)."""
    ids = list(figures)
    for row in (
        ActionItem.objects.filter(mechanism_id__in=ids, year=year, status__in=ActionItem.OPEN)
        .order_by()
        .values("mechanism_id")
        .annotate(n=Count("id"))
    ):
        figures[row["mechanism_id"]].items_open = row["n"]
    plans = {
        plan.mechanism_id: plan
        for plan in AnnualPlan.objects.filter(mechanism_id__in=ids, year=year).select_related(
            "approved_at_meeting"
        )
    }
    targets = dict(
        PlanTarget.objects.filter(plan__in=list(plans.values()))
        .order_by()
        .values("plan_id")
        .annotate(n=Count("id"))
        .values_list("plan_id", "n")
    )
    for mechanism_id, plan in plans.items():
        figures[mechanism_id].plan = plan
        figures[mechanism_id].targets_total = targets.get(plan.pk, 0)


def overdue_by_body(root: Organization, filters: ReportFilters, links: Links) -> Chart:
    """Action items of the year by lead body, most overdue first."""
    items = ActionItem.objects.filter(
        mechanism__in=mechanisms_of(root, filters.industry), year=filters.year
    )
    return _items_chart(items, filters, links, {"year": filters.year})


def _items_chart(
    items: QuerySet[ActionItem], filters: ReportFilters, links: Links, query: dict[str, Any]
) -> Chart:
    chart = Chart(
        key="overdue",
        title="督办事项（按牵头单位）",
        section="联席会议",
        kind="hbar",
        columns=["牵头单位", "逾期", "未完成", "已完成", "合计"],
        plotted=[0, 1, 2],
        unit="项",
    )
    for row in items_by_body(items, today=timezone.localdate()):
        chart.rows.append(
            Row(
                row.name,
                [row.overdue, row.open, row.done, row.total],
                links(
                    "meetings:item-list",
                    {**query, "lead_body": row.organization_id, "state": "overdue"},
                ),
            )
        )
    return chart


# --- Services ----------------------------------------------------------------------------------


def _activities(root: Organization, industry: str = "") -> QuerySet[Activity]:
    """Activities organized in the subtree; with an industry (行业), those whose organizing
    union is of it (an activity inherits its organizer's industry)."""
    activities = Activity.objects.filter(subtree_q(root.path, "organizer__path"))
    return activities.filter(organizer__industry=industry) if industry else activities


def served_by_month(root: Organization, filters: ReportFilters, links: Links) -> Chart:
    by_kind = served_by_kind_and_month(_activities(root, filters.industry), year=filters.year)
    kinds = [k for k in KIND_LABELS if k in by_kind]
    chart = Chart(
        key="served",
        title="服务职工人次（按活动类型、月份）",
        section="服务职工",
        kind="stack",
        columns=["月份", *[KIND_LABELS[k] for k in kinds], "合计"],
        plotted=list(range(len(kinds))),
        unit="人次",
    )
    for i, label in enumerate(MONTH_LABELS):
        values: list[float | int | str | None] = [by_kind[k][i] for k in kinds]
        chart.rows.append(
            Row(
                label,
                [*values, sum(int(v or 0) for v in values)],
                links("activities:figures", {"year": filters.year}),
            )
        )
    return chart


def places_by_kind(root: Organization, filters: ReportFilters, links: Links) -> Chart:
    from liandong.activities.models import Expense

    expenses = Expense.objects.filter(subtree_q(root.path, "budget_line__owner__path"))
    if filters.industry:
        expenses = expenses.filter(budget_line__owner__industry=filters.industry)
    data = period_figures(_activities(root, filters.industry), expenses, year=filters.year)
    chart = Chart(
        key="places",
        title="活动名额（按活动类型）",
        section="服务职工",
        kind="bar",
        columns=["活动类型", "场次", "名额", "报名", "入选", "签到"],
        plotted=[1, 2, 3],
    )
    for row in data["rows"]:
        f = row["figures"]
        chart.rows.append(
            Row(
                row["label"],
                [row["activities"], f.places, f.applicants, f.selected, f.checked_in],
                links("activities:activity-list", {"year": filters.year, "kind": row["kind"]}),
            )
        )
    return chart


def funds_by_line(root: Organization, filters: ReportFilters, links: Links) -> Chart:
    lines = BudgetLine.objects.filter(subtree_q(root.path, "owner__path"), year=filters.year)
    if filters.industry:  # a budget line is its owner's
        lines = lines.filter(owner__industry=filters.industry)
    lines = lines.select_related("owner").order_by("owner__path", "pk")[:100]
    chart = Chart(
        key="funds",
        title="经费支出与预算（按科目）",
        section="服务职工",
        kind="hbar",
        columns=["预算科目", "预算（元）", "已支出（元）", "执行率%"],
        plotted=[0, 1],
        unit="元",
    )
    for line in lines:
        chart.rows.append(
            Row(
                f"{line.name}（{line.owner.short_name or line.owner.name}）",
                [float(line.amount), float(line.spent), percent_decimal(line.spent, line.amount)],
                links("activities:funds"),
            )
        )
    return chart


def percent_decimal(part: Any, whole: Any) -> float | None:
    return round(float(100 * part / whole), 1) if whole else None


# --- Contests ----------------------------------------------------------------------------------


def contests_by_body(root: Organization, filters: ReportFilters, links: Links) -> Chart:
    chart = Chart(
        key="contests",
        title="技能竞赛（按报名单位）",
        section="技能竞赛",
        kind="bar",
        columns=["报名单位", "参赛选手", "晋级决赛", "获奖"],
        unit="人次",
    )
    rows = entrants_by_body(
        contests_of_year(root, filters.year), industry=filters.industry, limit=CHART_BODIES
    )
    for row in rows:
        chart.rows.append(
            Row(
                row["name"],
                [row["entrants"], row["finalists"], row["prizes"]],
                links("competitions:contest-list"),
            )
        )
    return chart


# --- Democratic management ---------------------------------------------------------------------


def democracy(root: Organization, filters: ReportFilters, links: Links) -> list[Chart]:
    f = figures_for(organization=root, year=filters.year, industry=filters.industry)
    url = figures_url(root, filters.year) if links.enabled else ""
    proposals = Chart(
        key="proposals",
        title="职工代表提案（按办理状态）",
        section="民主管理",
        kind="bar",
        columns=["状态", "件数"],
        unit="件",
        note=f"办理满意率 {_pct(f.satisfaction_rate)}",
    )
    for label, value in [
        ("征集", f.collected),
        ("立案", f.accepted),
        ("转意见建议", f.converted),
        ("不予立案", f.rejected),
        ("办复", f.handled),
        ("办结", f.closed),
    ]:
        proposals.rows.append(Row(label, [value], url))
    ratings = Chart(
        key="proposal-ratings",
        title="提案办理评价",
        section="民主管理",
        kind="pie",
        columns=["评价", "件数"],
        unit="件",
    )
    for label, value in [("满意", f.satisfied), ("基本满意", f.basic), ("不满意", f.unsatisfied)]:
        ratings.rows.append(Row(label, [value], url))
    contracts = Chart(
        key="contracts",
        title="集体协商与集体合同",
        section="民主管理",
        kind="bar",
        columns=["项目", "数量"],
        note=f"有效集体合同覆盖职工 {f.workers_covered} 人",
    )
    for label, value in [
        ("开展集体协商（次）", f.negotiations),
        ("签订集体合同（份）", f.contracts),
        ("有效集体合同（份）", f.contracts_in_force),
        ("覆盖企业（家）", f.enterprises_covered),
    ]:
        contracts.rows.append(Row(label, [value], url))
    return [proposals, ratings, contracts]


# --- The dashboard -----------------------------------------------------------------------------


UNION_CHARTS = [
    founding_by_month,
    coverage,
    demand_rates_by_month,
    demand_top_categories,
    demand_breaches_by_body,
    demand_cities,
    mechanism_loops,
    overdue_by_body,
    served_by_month,
    places_by_kind,
    funds_by_line,
    contests_by_body,
    democracy,  # three charts
]


def union_charts(root: Organization, filters: ReportFilters, links: Links) -> list[Chart]:
    return _charts(gather([partial(chart, root, filters, links) for chart in UNION_CHARTS]))


def _charts(answers: list[Chart | list[Chart]]) -> list[Chart]:
    return [c for answer in answers for c in (answer if isinstance(answer, list) else [answer])]


def union_dashboard(
    root: Organization, filters: ReportFilters, *, user: Any, links: Links
) -> dict[str, Any]:
    """Every figure of the page: the headline figures, the coverage cards and the charts are
    independent reads, computed side by side in one gather (``core/fanout.py``)."""
    figure_calls = _year_figure_calls(root, filters.year)
    with one_computation():
        answers = gather(
            [
                *figure_calls,
                partial(coverage_totals, root, filters),
                *[partial(chart, root, filters, links) for chart in UNION_CHARTS],
            ]
        )
    figures = _shown(answers[: len(figure_calls)], user)
    if not links.enabled:
        figures = [Figure(**{**f.__dict__, "url": ""}) for f in figures]
    return {
        "organization": root,
        "filters": filters,
        "coverage": answers[len(figure_calls)],
        "figures": figures,
        "charts": _charts(answers[len(figure_calls) + 1 :]),
        "computed_at": timezone.localtime(),
    }


def union_dashboard_cached(
    root: Organization, filters: ReportFilters, *, user: Any, links: Links
) -> dict[str, Any]:
    """``union_dashboard``, kept for ``LIANDONG_REPORTS_CACHE_SECONDS`` (60) per viewer in the
    process-local cache: a big screen refreshing every minute, or a chair opening the page
    twice, costs the sums once. The figures are at most that old (the page says when they
    were computed)."""
    seconds = getattr(settings, "LIANDONG_REPORTS_CACHE_SECONDS", 60)
    if not seconds:
        return union_dashboard(root, filters, user=user, links=links)
    key = ":".join(
        str(part)
        for part in (
            "reports",
            getattr(user, "pk", 0),
            root.pk,
            filters.year,
            filters.start,
            filters.end,
            filters.industry,
            int(links.enabled),
        )
    )
    cache = caches["local"]
    data = cache.get(key)
    if data is None:
        data = union_dashboard(root, filters, user=user, links=links)
        stored = {
            **data,
            "organization": None,
            "figures": [replace(f, opens_for=None) for f in data["figures"]],
        }
        cache.set(key, stored, seconds)
        return data
    return {**data, "organization": root}


# --- A mechanism's dashboard -------------------------------------------------------------------


def mechanism_demands_by_month(mechanism: Mechanism, filters: ReportFilters, links: Links) -> Chart:
    """Demands routed to the member bodies, by month (the same rollup as the statistics)."""
    rows_qs = DemandRollup.objects.filter(body_id_key__in=list(mechanism.member_organization_ids()))
    total, rows = demand_stats(
        rows=rows_qs,
        filters=StatsFilters(
            start=filters.first, end=filters.last, group_by="month", industry=filters.industry
        ),
    )
    chart = Chart(
        key="mechanism-demands",
        title="成员单位承办诉求（按月）",
        section="职工诉求",
        kind="line",
        columns=["月份", "受理", "响应率%", "解决率%", "满意率%"],
        plotted=[0, 1, 2, 3],
        note=f"合计受理 {total.received} 件",
    )
    for row in rows:
        chart.rows.append(
            Row(
                row.label,
                [row.received, row.response_rate, row.resolution_rate, row.satisfaction_rate],
                _stats_url(links, filters, group_by="body"),
            )
        )
    return chart


def mechanism_dashboard(
    mechanism: Mechanism, filters: ReportFilters, *, links: Links
) -> dict[str, Any]:
    today = timezone.localdate()
    figures = year_figures(mechanism, filters.year, today=today)
    stages = loop_status(figures, today=today)
    items = items_of_year(mechanism, filters.year)
    query = {"mechanism": mechanism.pk, "year": filters.year}
    return {
        "mechanism": mechanism,
        "filters": filters,
        "year_figures": figures,
        "stages": stages,
        "charts": [
            _items_chart(items, filters, links, query),
            mechanism_demands_by_month(mechanism, filters, links),
        ],
        "summary_url": links("meetings:summary", args=[mechanism.pk, filters.year]),
        "items_url": links("meetings:item-list", query),
    }
