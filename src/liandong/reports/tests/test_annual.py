"""The union-wide annual report (年度工作报告): the .docx read back with python-docx and the PDF
with pypdf, checked for the cover, a chapter per module (and one for a module that only offers
``year_figures``), figures equal to the dashboard selectors' values, the embedded charts and
font, the notable records, the mechanisms' summary links and the appendix; scoping (a liaison
gets aggregates, another union a 404) and bad years named in Chinese and in the API's 422."""

import io
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from liandong.activities.models import Activity, ActivityKind, BudgetLine, ServiceEntry
from liandong.competitions.models import Entrant
from liandong.competitions.tests.factories import contest_setup
from liandong.core.extensions import Figure
from liandong.core.tests.client import BrowserClient
from liandong.demands.rollups import write_counts
from liandong.democracy.models import CollectiveContract, Negotiation, NegotiationOutcome
from liandong.meetings import services as meeting_services
from liandong.reports import selectors
from liandong.reports.annual import build_report, figure_text, numeral
from liandong.reports.charts_render import has_data
from liandong.reports.selectors import Links, ReportFilters, union_dashboard
from liandong.workers.models import Honour, HonourCategory

YEAR = 2026
CHAPTERS = [
    "总体情况",
    "组织建设与覆盖",
    "职工诉求",
    "联席会议",
    "服务职工与经费",
    "技能竞赛",
    "民主管理",
    "先进典型与重要成果",
    "联席会议机制年度总结",
]


@pytest.fixture
def records(world: Any) -> Any:
    # 1,234 demands of 兰州 handled by 甲快递公司, as the rollups hold them (by body, by industry
    # and by every organization above the body), without the demand rows themselves.
    write_counts(
        [
            (
                (date(YEAR, 3, 1), world.enterprise_a.pk, "wages", "", "兰州"),
                {
                    "received": 1234,
                    "response_due": 1000,
                    "responded_on_time": 987,
                    "resolution_due": 1000,
                    "resolved": 900,
                    "rated": 10,
                    "satisfied": 9,
                    "breached": 13,
                },
            )
        ]
    )
    caravan = Activity.objects.create(
        title="爱心义剪",
        kind=ActivityKind.VOLUNTEER,
        organizer=world.union_a,
        starts_on=date(YEAR, 5, 10),
        ends_on=date(YEAR, 5, 10),
    )
    ServiceEntry.objects.create(activity=caravan, served_on=date(YEAR, 5, 10), people=312)
    line = BudgetLine.objects.create(
        owner=world.union_a, year=YEAR, source="union_funds", name="疗休养经费", amount=2_000_000
    )
    BudgetLine.objects.filter(pk=line.pk).update(spent=Decimal("1234567.89"))
    Honour.objects.create(
        worker=world.worker_a,
        category=HonourCategory.PROVINCIAL_MODEL,
        title="甘肃省劳动模范",
        awarded_by="甘肃省人民政府",
        awarded_on=date(YEAR, 4, 28),
    )
    Honour.objects.create(  # union B's worker: never in union A's report
        worker=world.worker_b,
        category=HonourCategory.CITY_MODEL,
        title="天水市劳动模范",
        awarded_on=date(YEAR, 4, 28),
    )
    negotiation = Negotiation.objects.create(
        organization=world.union_a,
        title="快递行业工资集体协商",
        industry_wide=True,
        union_side="甲产业工会",
        employer_side="快递协会",
        topics="最低工资、计件单价",
        status=Negotiation.Status.CONCLUDED,
        started_on=date(YEAR, 3, 1),
    )
    NegotiationOutcome.objects.create(negotiation=negotiation, topic="行业最低工资标准", change=340)
    CollectiveContract.objects.create(
        negotiation=negotiation,
        title="快递行业工资专项集体合同",
        signed_on=date(YEAR, 6, 1),
        effective_on=date(YEAR, 7, 1),
        expires_on=date(YEAR + 3, 6, 30),
        enterprises_covered=9,
        workers_covered=2100,
    )
    setup = contest_setup(world)
    Entrant.objects.filter(contest=setup.contest).update(status=Entrant.Status.APPROVED)
    Entrant.objects.filter(pk=setup.entrants[0].pk).update(prize="一等奖", final_rank=1)
    type(setup.contest).objects.filter(pk=setup.contest.pk).update(published_at=timezone.now())
    mechanism = meeting_services.mechanism_create(
        actor=None,
        name="甲快递行业联席会议",
        industry="快递",
        convening_union=world.union_a,
        collaboration_mode="authority",
        members=[world.authority, world.enterprise_a],
    )
    return {"mechanism": mechanism, "winner": setup.entrants[0]}


def dashboard(world: Any) -> dict[str, Any]:
    return union_dashboard(
        world.union_a, ReportFilters(year=YEAR), user=world.users["admin_a"], links=Links(True)
    )


def figure_value(data: dict[str, Any], label: str) -> Any:
    (found,) = [f for f in data["figures"] if f.label == label]
    return found.value


def download(world: Any, user: str, fmt: str, **query: Any) -> Any:
    page = BrowserClient()
    page.force_login(world.users[user])
    params = "&".join(f"{k}={v}" for k, v in {"year": YEAR, "format": fmt, **query}.items())
    return page.get(f"/reports/annual/?{params}")


def expected_strings(world: Any) -> list[str]:
    """Figures as the report must print them, from the dashboard's selectors."""
    data = dashboard(world)
    funds = next(c for c in data["charts"] if c.key == "funds")
    spent = funds.rows[0].values[1]
    return [
        figure_text(figure_value(data, "受理职工诉求"), "件"),
        figure_text(figure_value(data, "服务群众人次"), "人次"),
        figure_text(data["coverage"]["enterprises_with_union"], "家"),
        f"{spent:,.2f}",  # the funds table's cell
    ]


def test_report_formatting() -> None:
    assert figure_text(1234567.89, "元") == "1,234,567.89 元（约 123.46 万元）"
    assert figure_text(2_000_000, "元") == "2,000,000.00 元（约 200 万元）"
    assert figure_text(301300, "元") == "301,300.00 元（约 30.13 万元）"
    assert figure_text(99.0, "元") == "99.00 元"
    assert figure_text(96.55, "%") == "96.5%" or figure_text(96.55, "%") == "96.6%"
    assert figure_text(80, "%") == "80.0%"
    assert figure_text(1234, "件") == "1,234 件"
    assert figure_text(1_000_000, "人") == "1,000,000 人（约 100 万人）"
    assert figure_text(None, "%") == "—"
    assert [numeral(n) for n in (1, 9, 10, 11, 12, 20)] == [
        "一",
        "九",
        "十",
        "十一",
        "十二",
        "二十",
    ]


def test_docx_has_cover_chapters_selector_figures_charts_and_sources(
    world: Any, records: Any
) -> None:
    response = download(world, "admin_a", "docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    assert document.core_properties.title == f"甲产业工会{YEAR}年度工作报告"
    titles = [p.text for p in document.paragraphs if p.style.name == "Title"]
    assert titles == [f"甲产业工会{YEAR}年度工作报告"]
    chapters = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [re.sub(r"^[一二三四五六七八九十]+、", "", c) for c in chapters[:-1]] == CHAPTERS
    assert chapters[-1] == "附录  数据来源"
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    for expected in expected_strings(world):
        assert expected in text + cells, expected
    assert f"统计期间：{YEAR}年1月1日至{YEAR}年12月31日" in text
    # A picture per chart that has data, each drawn from the dashboard's chart.
    drawn = [c for c in dashboard(world)["charts"] if has_data(c)]
    assert len(drawn) >= 5
    assert len(document.inline_shapes) == len(drawn)
    for shape in document.inline_shapes:
        blob = document.part.related_parts[
            shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        ].blob
        assert blob.startswith(b"\x89PNG")
    # Notable records: union A's model worker, the prize winner, the negotiation's +340 元.
    assert "甘肃省劳动模范" in cells
    assert "王甲" in cells
    assert "天水市劳动模范" not in cells
    assert "李乙" not in cells
    assert records["winner"].worker.name in cells
    assert "一等奖" in cells
    assert "行业最低工资标准 +340 元" in cells
    assert "快递行业工资专项集体合同" in cells
    assert "2,100 人" in cells
    # The mechanism's own summary documents, as links a reader of the file can open.
    pk = records["mechanism"].pk
    targets = {
        rel.target_ref for rel in document.part.rels.values() if rel.reltype.endswith("hyperlink")
    }
    assert f"http://testserver/meetings/{pk}/summary/{YEAR}/summary.docx" in targets
    assert f"http://testserver/meetings/{pk}/summary/{YEAR}/summary.pdf" in targets
    # The appendix names the records of each figure, with the link behind it.
    appendix = document.tables[-1]
    assert [c.text for c in appendix.rows[0].cells] == ["数据项", "来源记录与条件", "链接"]
    sources = {row.cells[0].text: row.cells[2].text for row in appendix.rows[1:]}
    assert sources["职工诉求：受理职工诉求"].startswith("http://testserver/demands/stats/")
    assert sources["诉求三率（按月）"].startswith("http://testserver/demands/stats/")


def test_pdf_text_figures_charts_and_embedded_font(world: Any, records: Any) -> None:
    response = download(world, "admin_a", "pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = re.sub(r"\s+", "", text)
    assert f"甲产业工会{YEAR}年度工作报告" in flat
    for chapter in CHAPTERS:
        assert chapter in flat, chapter
    assert "附录数据来源" in flat
    for expected in expected_strings(world):
        assert re.sub(r"\s+", "", expected) in flat, expected
    assert "第2页" in flat
    images = sum(len(page.images) for page in reader.pages)
    assert images == len([c for c in dashboard(world)["charts"] if has_data(c)])
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts") or [font]:
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor and "/FontFile2" in descriptor.get_object():
                    fonts.add(str(font["/BaseFont"]))
    # The CJK TrueType font, embedded as a subset (``ABCDEF+Name``) by reportlab.
    assert fonts
    assert all(re.match(r"^/[A-Z]{6}\+", name) for name in fonts), fonts


def test_a_module_offering_year_figures_gets_its_own_chapter(
    world: Any, records: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = selectors.hooks

    def with_volunteers(name: str) -> list[Any]:
        providers = list(original(name))
        if name == "year_figures":
            providers.append(
                lambda organization, year: [
                    Figure("志愿服务", "志愿服务时长", 12345.5, "小时", "/volunteers/")
                ]
            )
        return providers

    monkeypatch.setattr(selectors, "hooks", with_volunteers)
    report = build_report(world.union_a, YEAR, user=world.users["admin_a"], links=Links(True))
    chapters = [b.text for b in report.blocks if b.kind == "chapter"]
    assert "八、志愿服务" in chapters
    at = chapters.index("八、志愿服务")
    assert chapters[at + 1] == "九、先进典型与重要成果"
    tables = [b.rows for b in report.blocks if b.kind == "table"]
    assert any(["志愿服务时长", "12,345.5 小时"] in rows for rows in tables)


def test_the_liaison_gets_aggregates_without_names_or_links(world: Any, records: Any) -> None:
    response = download(world, "liaison", "docx", org=world.union_a.pk)
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert "王甲" not in text
    assert records["winner"].worker.name not in text
    assert "本年度竞赛获奖 1 人次" in text
    assert "http://" not in text
    assert not [r for r in document.part.rels.values() if r.reltype.endswith("hyperlink")]
    # The same numbers as union staff get.
    for expected in expected_strings(world)[:3]:
        assert expected in text


def test_scope_and_bad_years(world: Any, records: Any, api_token: Any) -> None:
    assert download(world, "staff_b", "pdf", org=world.union_a.pk).status_code == 404
    assert download(world, "enterprise_a", "pdf").status_code == 403
    assert download(world, "province_admin", "docx", org=world.union_a.pk).status_code == 200
    later = download(world, "admin_a", "pdf", year=timezone.localdate().year + 1)
    assert later.status_code == 200
    assert "年度：年度不能晚于今年" in later.content.decode()
    bad = download(world, "admin_a", "pdf", year="abc")
    assert bad.status_code == 200
    assert "年度：" in bad.content.decode()
    chooser = BrowserClient()
    chooser.force_login(world.users["admin_a"])
    page = chooser.get("/reports/annual/").content.decode()
    assert "下载 Word" in page
    assert "下载 PDF" in page
    assert 'action="/reports/annual/"' in chooser.get("/reports/").content.decode()

    api = "/api/v1/reports/annual"
    bearer = api_token(world.users["admin_a"])
    ok = BrowserClient().get(f"{api}?year={YEAR}&format=pdf", **bearer)
    assert ok.status_code == 200
    assert ok.content.startswith(b"%PDF")
    word = BrowserClient().get(f"{api}?year={YEAR}&format=docx", **bearer)
    assert word.status_code == 200
    assert word.content.startswith(b"PK")
    for year in ["abc", "1999", str(timezone.localdate().year + 1)]:
        wrong = BrowserClient().get(f"{api}?year={year}", **bearer)
        assert wrong.status_code == 422, year
        assert "year" in str(wrong.json()["detail"]), year
    assert BrowserClient().get(f"{api}", **bearer).status_code == 422
    other = api_token(world.users["staff_b"])
    theirs = BrowserClient().get(f"{api}?year={YEAR}&org={world.union_a.pk}", **other)
    nothing = BrowserClient().get(f"{api}?year={YEAR}&org=10000000", **other)
    assert theirs.status_code == nothing.status_code == 404
    assert theirs.content == nothing.content
