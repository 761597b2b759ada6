"""The union-wide annual report (年度工作报告): a cover, a chapter per module, the notable
records, the mechanisms' own year-end summaries and an appendix of data sources, as document
blocks that core.documents renders to .docx and PDF.

Every figure comes from the dashboard's selectors (reports.selectors: the same functions, so
the same numbers as the dashboard, the module pages and the API), and every chart is the
dashboard's chart drawn on the server (reports.charts_render). A module that offers figures
through the ``year_figures`` hook gets its own chapter without a change here.

A partner liaison gets the aggregates only: no names of workers, no links to records.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone

from liandong.competitions.models import Entrant
from liandong.competitions.selectors import contests_of_year
from liandong.core.documents import DOCX, Block, docx_render, pdf_render
from liandong.core.extensions import Figure
from liandong.core.formatting import cn_date, grouped, yuan
from liandong.democracy.models import CollectiveContract, Negotiation
from liandong.organizations.models import Organization, subtree_q
from liandong.reports.charts_render import has_data, render_png
from liandong.reports.selectors import Chart, Links, ReportFilters, mechanisms_of, union_dashboard
from liandong.workers.models import MODEL_WORKER_CATEGORIES, Honour, HonourCategory

# The dashboard's sections, in the report's order, with their chapter titles; sections that
# other apps add through ``year_figures`` follow, under their own name.
CHAPTERS = [
    ("建会覆盖", "组织建设与覆盖"),
    ("职工诉求", "职工诉求"),
    ("联席会议", "联席会议"),
    ("服务职工", "服务职工与经费"),
    ("技能竞赛", "技能竞赛"),
    ("民主管理", "民主管理"),
]
NUMERALS = "一二三四五六七八九十"
TABLE_ROWS = 15  # a chart's table in the body; the appendix links to all its rows
LIST_ROWS = 100  # notable records listed per kind


def numeral(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else NUMERALS[tens - 1]) + "十" + (NUMERALS[ones - 1] if ones else "")


# --- Numbers as a Chinese report writes them ---------------------------------------------------


def wan(value: float) -> str:
    """``2000000`` → ``200``, ``1234567`` → ``123.46`` (in 万)."""
    text = f"{value / 10000:,.2f}".rstrip("0").rstrip(".")
    return text


def figure_text(value: float | int | None, unit: str) -> str:
    """A figure as the report prints it: 1,234,567.89 元（约 123.46 万元）; 96.5%; 1,200 人次;
    1,000,000 人（100 万人）."""
    if value is None:
        return "—"
    if unit == "%":
        return f"{float(value):.1f}%"
    if unit == "元":
        text = yuan(value)
        return f"{text}（约 {wan(float(value))} 万元）" if abs(float(value)) >= 100_000 else text
    number = float(value)
    places = 0 if number == int(number) else 1
    text = f"{grouped(value, places)} {unit}".rstrip()
    if abs(number) >= 100_000:
        text += f"（约 {wan(number)} 万{unit}）"
    return text


def cell_text(value: object, column: str) -> str:
    """A chart table's cell: rates with one decimal, money with two, counts grouped."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        return value
    if column.endswith("%"):
        return f"{float(value):.1f}%"  # type: ignore[arg-type]
    if "元" in column:
        return grouped(value, 2)
    number = float(value)  # type: ignore[arg-type]
    return grouped(value, 0 if number == int(number) else 1)


# --- The report --------------------------------------------------------------------------------


@dataclass
class Source:
    """One line of the appendix: what a figure or chart was computed from, and where."""

    name: str
    records: str
    url: str = ""


@dataclass
class AnnualReport:
    organization: Organization
    year: int
    aggregate_only: bool
    blocks: list[Block] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    coverage: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{self.organization.name}{self.year}年度工作报告"


def build_report(
    root: Organization,
    year: int,
    *,
    user: Any,
    links: Links,
    absolute: Callable[[str], str] = lambda url: url,
    today: date | None = None,
) -> AnnualReport:
    """The report of ``root``'s subtree for ``year``, from the dashboard's selectors.
    ``absolute`` turns a path into the address a reader of the file can open."""
    today = today or timezone.localdate()
    filters = ReportFilters(year=year)
    data = union_dashboard(root, filters, user=user, links=links)
    report = AnnualReport(
        organization=root,
        year=year,
        aggregate_only=not links.enabled,
        charts=data["charts"],
        figures=data["figures"],
        coverage=data["coverage"],
    )
    blocks = report.blocks
    blocks.append(
        Block(
            "cover",
            report.title,
            rows=[
                [f"编制单位：{root.name}"],
                [f"统计期间：{cn_date(filters.first)}至{cn_date(filters.last)}"],
                [f"生成日期：{cn_date(today)}"],
                ["本报告由联动平台根据业务记录自动生成"],
            ],
        )
    )
    sections = [s for s, _ in CHAPTERS]
    # Another module's section becomes a chapter when the union used it that year: a chapter
    # of zeros (no campaign, no volunteer team) would say nothing a reader needs.
    extra = list(
        dict.fromkeys(f.section for f in report.figures if f.section not in sections and f.value)
    )
    chapters = [*CHAPTERS, *[(s, s) for s in extra]]
    chapter_no = 1
    blocks += _overview(report, chapter_no, filters)
    figure_no = [0]
    for section, title in chapters:
        chapter_no += 1
        blocks += _chapter(report, chapter_no, section, title, figure_no, absolute)
    chapter_no += 1
    blocks += _notable(report, chapter_no, root, year, links, absolute)
    chapter_no += 1
    blocks += _mechanisms(report, chapter_no, root, year, links, absolute)
    blocks += _appendix(report, absolute)
    return report


def _overview(report: AnnualReport, number: int, filters: ReportFilters) -> list[Block]:
    c = report.coverage
    by_label = {(f.section, f.label): f for f in report.figures}
    parts = [
        f"{report.year}年，{report.organization.name}及所属各级工会共有已建会企业 "
        f"{figure_text(c['enterprises_with_union'], '家')}，建会率 "
        f"{figure_text(c['enterprise_rate'], '%')}；覆盖网点 {figure_text(c['outlets_reached'], '个')}；"
        f"工会会员 {figure_text(c['members'], '人')}，入会率 {figure_text(c['member_rate'], '%')}。"
    ]
    for key in [
        ("职工诉求", "受理职工诉求"),
        ("联席会议", "召开联席会议"),
        ("服务职工", "服务群众人次"),
    ]:
        f = by_label.get(key)
        if f is not None:
            parts.append(f"全年{f.label} {figure_text(f.value, f.unit)}。")
    return [
        Block("chapter", f"{numeral(number)}、总体情况"),
        Block("paragraph", "".join(parts)),
        Block(
            "paragraph",
            "本报告各项数字与数据看板、各业务模块页面同源，统计期间为"
            f"{cn_date(filters.first)}至{cn_date(filters.last)}；数据来源见附录。",
        ),
    ]


def _chapter(
    report: AnnualReport,
    number: int,
    section: str,
    title: str,
    figure_no: list[int],
    absolute: Callable[[str], str],
) -> list[Block]:
    blocks = [Block("chapter", f"{numeral(number)}、{title}")]
    rows: list[list[object]] = [["指标", "数值"]]
    if section == "建会覆盖":
        c = report.coverage
        for label, value, unit in [
            ("企业", c["enterprises"], "家"),
            ("已建会企业", c["enterprises_with_union"], "家"),
            ("企业建会率", c["enterprise_rate"], "%"),
            ("网点", c["outlets"], "个"),
            ("覆盖网点", c["outlets_reached"], "个"),
            ("网点覆盖率", c["outlet_rate"], "%"),
            ("职工", c["workers"], "人"),
            ("工会会员", c["members"], "人"),
            ("入会率", c["member_rate"], "%"),
        ]:
            rows.append([label, figure_text(value, unit)])
        report.sources.append(
            Source(
                "建会覆盖（企业、网点、职工、会员）",
                f"组织机构：{report.organization.name}及下属企业和网点的建会情况、职工和会员人数"
                "（生成报告时的数据）",
                next(
                    (r.url for c in report.charts if c.key == "coverage" for r in c.rows if r.url),
                    "",
                ),
            )
        )
    for f in report.figures:
        if f.section != section:
            continue
        rows.append([f.label, figure_text(f.value, f.unit)])
        report.sources.append(
            Source(
                f"{section}：{f.label}",
                f"{section}模块的年度数据（{report.organization.name}及下属单位，{report.year}年）",
                f.url,
            )
        )
    if len(rows) > 1:
        blocks += [Block("heading", "主要数据"), Block("table", rows=rows)]
    charts = [c for c in report.charts if c.section == section]
    for chart in charts:
        blocks += _chart_blocks(report, chart, figure_no)
    if len(rows) == 1 and not charts:
        blocks.append(Block("paragraph", "本年度暂无数据。"))
    return blocks


def _chart_blocks(report: AnnualReport, chart: Chart, figure_no: list[int]) -> list[Block]:
    blocks = [Block("heading", chart.title)]
    if chart.note:
        blocks.append(Block("paragraph", chart.note + "。"))
    if has_data(chart):
        figure_no[0] += 1
        blocks.append(Block("image", f"图{figure_no[0]}  {chart.title}", image=render_png(chart)))
    if chart.rows:
        shown = chart.rows[:TABLE_ROWS]
        table: list[list[object]] = [list(chart.columns)]
        for row in shown:
            cells = [cell_text(v, chart.columns[i + 1]) for i, v in enumerate(row.values)]
            table.append([row.label, *cells])
        blocks.append(Block("table", rows=table))
        if len(chart.rows) > len(shown):
            blocks.append(
                Block("paragraph", f"（共 {len(chart.rows)} 行，上表列出前 {len(shown)} 行。）")
            )
    else:
        blocks.append(Block("paragraph", "本年度暂无数据。"))
    report.sources.append(
        Source(
            chart.title,
            SOURCES.get(chart.key, "{section}模块的记录").format(
                org=report.organization.name, year=report.year, section=chart.section
            ),
            next((row.url for row in chart.rows if row.url), ""),
        )
    )
    return blocks


SOURCES = {
    "founding": "组织机构：{org}下属企业和网点，按建会日期所在月份统计（{year}年）",
    "coverage": "组织机构：{org}下属企业和网点的建会情况、职工和会员人数，按行业汇总",
    "demand-rates": "职工诉求按月汇总表：{org}下属单位承办、{year}年受理的诉求，按月份",
    "demand-categories": "职工诉求按月汇总表：{year}年受理的诉求，按诉求类别",
    "demand-breaches": "职工诉求按月汇总表：{year}年超过时限的诉求，按责任单位",
    "demand-cities": "职工诉求按月汇总表：{year}年受理的诉求，按城市",
    "mechanisms": "联席会议：{org}及下属工会召集的机制，{year}年的会议、议定事项和闭环进度",
    "overdue": "联席会议督办事项：上述机制{year}年议定事项，按牵头单位（逾期：已过完成时限未完成）",
    "served": "服务活动：{org}及下属单位组织的活动，{year}年服务人次，按活动类型和月份",
    "places": "服务活动：{org}及下属单位{year}年活动的名额、报名、入选、签到，按活动类型",
    "funds": "经费：{org}及下属单位{year}年预算科目、预算额和已支出额",
    "contests": "技能竞赛：{org}及下属单位{year}年组织的竞赛，审核通过的选手，按报名单位",
    "proposals": "民主管理：职代会提案统计（每家企业每年一行），{year}年，按办理状态",
    "proposal-ratings": "民主管理：{year}年提案办理评价",
    "contracts": "民主管理：集体协商（{year}年开始）与集体合同（{year}年签订或有效）",
}


# --- Notable records ---------------------------------------------------------------------------


def honours_of_year(root: Organization, year: int) -> QuerySet[Honour]:
    """Honours awarded in ``year`` to workers employed in ``root``'s subtree."""
    return Honour.objects.filter(
        subtree_q(root.path, "worker__employer__path"), awarded_on__year=year
    )


def prize_winners(root: Organization, year: int) -> QuerySet[Entrant]:
    """Prize winners of the year's published contests (the contests chart's 获奖)."""
    return Entrant.objects.filter(
        contest__in=contests_of_year(root, year),
        status=Entrant.Status.APPROVED,
        contest__published_at__isnull=False,
    ).exclude(prize="")


def negotiations_of_year(root: Organization, year: int) -> QuerySet[Negotiation]:
    return Negotiation.objects.filter(
        subtree_q(root.path, "organization__path"), started_on__year=year
    )


def contracts_of_year(root: Organization, year: int) -> QuerySet[CollectiveContract]:
    return CollectiveContract.objects.filter(
        subtree_q(root.path, "negotiation__organization__path"), signed_on__year=year
    )


def _notable(
    report: AnnualReport,
    number: int,
    root: Organization,
    year: int,
    links: Links,
    absolute: Callable[[str], str],
) -> list[Block]:
    blocks = [Block("chapter", f"{numeral(number)}、先进典型与重要成果")]
    honours = honours_of_year(root, year)
    categories = dict(HonourCategory.choices)
    blocks.append(Block("heading", "劳模和先进人物"))
    counts = {
        row["category"]: row["n"]
        for row in honours.order_by().values("category").annotate(n=Count("id"))
    }
    if not counts:
        blocks.append(Block("paragraph", "本年度无新获荣誉记录。"))
    else:
        models = sum(counts.get(c, 0) for c in MODEL_WORKER_CATEGORIES)
        blocks.append(
            Block(
                "paragraph",
                f"本年度职工新获荣誉 {sum(counts.values())} 项，其中劳动模范 {models} 人次。",
            )
        )
        if report.aggregate_only:
            blocks.append(
                Block(
                    "table",
                    rows=[["荣誉类别", "人次"]]
                    + [[str(categories.get(k, k)), v] for k, v in sorted(counts.items())],
                )
            )
        else:
            listed = list(
                honours.select_related("worker__employer").order_by(
                    "category", "-awarded_on", "id"
                )[:LIST_ROWS]
            )
            blocks.append(
                Block(
                    "table",
                    rows=[["姓名", "工作单位", "荣誉", "授予单位", "授予日期"]]
                    + [
                        [
                            h.worker.name,
                            h.worker.employer.name,
                            h.title,
                            h.awarded_by or "—",
                            cn_date(h.awarded_on),
                        ]
                        for h in listed
                    ],
                )
            )
    report.sources.append(
        Source("劳模和先进人物", f"职工荣誉：{root.name}下属单位职工{year}年获授的荣誉", "")
    )

    winners = prize_winners(root, year)
    blocks.append(Block("heading", "技能竞赛获奖"))
    total = winners.count()
    if not total:
        blocks.append(Block("paragraph", "本年度无已公布的竞赛获奖记录。"))
    elif report.aggregate_only:
        blocks.append(Block("paragraph", f"本年度竞赛获奖 {total} 人次。"))
    else:
        listed_winners = list(
            winners.select_related("contest", "worker", "registered_by").order_by(
                "contest__starts_on", "contest_id", "final_rank", "id"
            )[:LIST_ROWS]
        )
        blocks.append(Block("paragraph", f"本年度竞赛获奖 {total} 人次。"))
        blocks.append(
            Block(
                "table",
                rows=[["竞赛", "姓名", "报名单位", "奖项", "名次"]]
                + [
                    [
                        e.contest.name,
                        e.worker.name,
                        e.registered_by.name,
                        e.prize,
                        e.final_rank or "—",
                    ]
                    for e in listed_winners
                ],
            )
        )
    report.sources.append(
        Source(
            "技能竞赛获奖",
            f"技能竞赛：{root.name}及下属单位{year}年组织、已公布结果的竞赛中获奖的选手",
            absolute(links("competitions:contest-list")),
        )
    )

    blocks.append(Block("heading", "集体协商与集体合同"))
    negotiations = list(
        negotiations_of_year(root, year)
        .select_related("organization")
        .prefetch_related("outcomes")
        .order_by("started_on", "id")[:LIST_ROWS]
    )
    contracts = list(
        contracts_of_year(root, year)
        .select_related("negotiation")
        .order_by("signed_on", "id")[:LIST_ROWS]
    )
    if not negotiations and not contracts:
        blocks.append(Block("paragraph", "本年度无集体协商和集体合同记录。"))
    if negotiations:
        blocks.append(
            Block(
                "table",
                rows=[["集体协商", "单位", "开始日期", "状态", "成果"]]
                + [
                    [
                        n.title,
                        n.organization.name,
                        cn_date(n.started_on),
                        n.get_status_display(),
                        "；".join(
                            f"{o.topic} {'+' if o.change > 0 else ''}"
                            f"{grouped(o.change, 0 if o.change == int(o.change) else 2)} {o.unit}"
                            for o in n.outcomes.all()
                        )
                        or "—",
                    ]
                    for n in negotiations
                ],
            )
        )
    if contracts:
        blocks.append(
            Block(
                "table",
                rows=[["集体合同", "签订日期", "期限", "覆盖企业", "覆盖职工"]]
                + [
                    [
                        c.title,
                        cn_date(c.signed_on),
                        f"{cn_date(c.effective_on)}至{cn_date(c.expires_on)}",
                        figure_text(c.enterprises_covered, "家"),
                        figure_text(c.workers_covered, "人"),
                    ]
                    for c in contracts
                ],
            )
        )
    report.sources.append(
        Source(
            "集体协商与集体合同",
            f"民主管理：{root.name}及下属单位{year}年开始的集体协商、签订的集体合同",
            absolute(links("democracy:negotiation-list")),
        )
    )
    return blocks


# --- The mechanisms' own summaries -------------------------------------------------------------


def _mechanisms(
    report: AnnualReport,
    number: int,
    root: Organization,
    year: int,
    links: Links,
    absolute: Callable[[str], str],
) -> list[Block]:
    blocks = [Block("chapter", f"{numeral(number)}、联席会议机制年度总结")]
    loops = next((c for c in report.charts if c.key == "mechanisms"), None)
    mechanisms = list(mechanisms_of(root)[:50])
    if not mechanisms or loops is None:
        return [*blocks, Block("paragraph", "本年度没有召集联席会议机制。")]
    blocks.append(
        Block(
            "paragraph",
            f"{root.name}及下属工会召集联席会议机制 {len(mechanisms)} 个。"
            "各机制的年度工作总结单独成文，由会议记录生成，可从下列链接打开或下载。",
        )
    )
    for mechanism, row in zip(mechanisms, loops.rows, strict=False):
        held, total, done, overdue, rate, stages = row.values
        blocks.append(Block("heading", mechanism.name))
        blocks.append(
            Block(
                "paragraph",
                f"召开会议 {held} 次，议定事项 {total} 项，已完成 {done} 项，逾期 {overdue} 项，"
                f"完成率 {figure_text(rate, '%')}。闭环进度：{_stages_in_words(str(stages))}。",  # type: ignore[arg-type]
            )
        )
        if links.enabled:
            for label, name in [
                ("年度工作总结（网页）", "meetings:summary"),
                ("年度工作总结（Word）", "meetings:summary-docx"),
                ("年度工作总结（PDF）", "meetings:summary-pdf"),
            ]:
                url = absolute(reverse(name, args=[mechanism.pk, year]))
                blocks.append(Block("paragraph", f"{label}：{url}", url=url))
    report.sources.append(
        Source(
            "联席会议机制年度总结",
            f"联席会议：{root.name}及下属工会召集的机制，各自{year}年度工作总结",
            absolute(loops.rows[0].url) if loops.rows and loops.rows[0].url else "",
        )
    )
    return blocks


STAGE_WORDS = {"✓": "（已完成）", "…": "（进行中）", "○": "（未开始）", "!": "（滞后）"}


def _stages_in_words(stages: str) -> str:
    """The dashboard's marks (年中抓落实!) in words for a document (年中抓落实（滞后）)."""
    for mark, words in STAGE_WORDS.items():
        stages = stages.replace(mark, words)
    return stages


# --- Appendix ----------------------------------------------------------------------------------


def _appendix(report: AnnualReport, absolute: Callable[[str], str]) -> list[Block]:
    rows: list[list[object]] = [["数据项", "来源记录与条件", "链接"]]
    for source in report.sources:
        rows.append([source.name, source.records, absolute(source.url) if source.url else "—"])
    note = (
        "链接打开的是生成报告时各数字背后的记录（需登录）。"
        if not report.aggregate_only
        else "本报告为汇总数字，不含具体记录的链接。"
    )
    return [
        Block("chapter", "附录  数据来源"),
        Block("paragraph", note),
        Block("table", rows=rows),
    ]


# --- Files -------------------------------------------------------------------------------------

FORMATS = {"docx": DOCX, "pdf": "application/pdf"}


def render_file(report: AnnualReport, fmt: str) -> tuple[bytes, str, str]:
    """(content, file name, content type) of the report as .docx or PDF."""
    if fmt == "docx":
        content = docx_render(report.blocks, title=report.title)
    else:
        content = pdf_render(report.blocks, title=report.title, page_numbers=True)
    return content, f"{report.title}.{fmt}", FORMATS[fmt]
