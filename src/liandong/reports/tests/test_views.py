"""The dashboard pages as a union's staff sees them: each chart's xlsx holds the chart's table,
the mechanism dashboard shows the same figures as the meetings app, the figure format."""

import io
from datetime import date, timedelta
from typing import Any

import openpyxl
from django.utils import timezone
from django.utils.html import escape, json_script

from liandong.core.tests.client import BrowserClient
from liandong.demands.rollups import add_counts
from liandong.meetings.models import ActionItem
from liandong.meetings.selectors import year_figures
from liandong.meetings.tests.conftest import build
from liandong.reports.selectors import Chart, Row
from liandong.reports.templatetags.reports import chart_data, chart_rows, figure


def test_a_charts_workbook_is_its_table(world: Any) -> None:
    year = timezone.localdate().year
    add_counts(
        month=date(year, 2, 1),
        body_id=world.enterprise_a.pk,
        category="wages",
        city="兰州",
        received=7,
        rated=4,
        satisfied=3,
    )
    client = BrowserClient()
    client.force_login(world.users["staff_a"])
    response = client.get(f"/reports/export/demand-categories.xlsx?year={year}")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == f"{world.union_a.name} {year}年"
    assert rows[2] == ("类别", "受理", "解决率%", "满意率%")
    assert rows[3] == ("工资报酬", 7, "—", 75.0)
    page = client.get(f"/reports/?year={year}").content.decode()
    assert 'id="chart-data-demand-categories"' in page
    assert "<summary>查看数据表</summary>" in page


def test_the_mechanism_dashboard_shows_the_meetings_figures(
    world: Any, settings: Any, tmp_path: Any
) -> None:
    settings.DATA_DIR = tmp_path
    mw = build(world)
    ActionItem.objects.filter(pk=mw.item.pk).update(
        deadline=timezone.localdate() - timedelta(days=1)
    )
    year = timezone.localdate().year
    expected = year_figures(mw.mechanism, year)
    assert (expected.meetings_held, expected.items_total, expected.items_overdue) == (2, 1, 1)
    client = BrowserClient()
    client.force_login(world.users["staff_a"])
    page = client.get(f"/reports/mechanisms/{mw.mechanism.pk}/?year={year}").content.decode()
    main = page.split("<main", 1)[1]
    assert (
        '<div class="stat-value">2<small>次</small></div><div class="stat-label">召开联席会议'
        in main
    )
    assert "年初议计划" in main
    assert world.authority.name in main  # the overdue item's lead body, in the table
    assert f"/meetings/items/?mechanism={mw.mechanism.pk}&amp;year={year}" in main
    api = client.get(f"/api/v1/reports/mechanisms/{mw.mechanism.pk}?year={year}").json()
    assert (api["meetings_held"], api["items_total"], api["items_overdue"]) == (2, 1, 1)
    overdue = next(c for c in api["charts"] if c["key"] == "overdue")
    assert overdue["rows"][0]["values"][0] == 1
    dashboard = client.get("/reports/").content.decode()
    assert f"/reports/mechanisms/{mw.mechanism.pk}/" in dashboard


def test_figures_print_as_a_chinese_report_expects() -> None:
    assert figure(3200000) == "3,200,000"
    assert figure(75.0) == "75"
    assert figure(75.46) == "75.5"
    assert figure(None) == "—"
    assert figure("快递") == "快递"


def test_a_charts_table_and_data_are_escaped_as_djangos_own_tags_would() -> None:
    """The data table's rows and the chart's JSON, written in one pass, escape what a name
    could carry, exactly as the template tags and ``json_script`` they replace."""
    hostile = '甲</script><b onclick="x">&\'乙'
    chart = Chart(
        key="k",
        title="t",
        section="s",
        kind="bar",
        columns=["单位", "件数"],
        rows=[Row(hostile, [1234, 75.46, None], url="/demands/?a=1&b=<2>"), Row("乙", [0])],
    )
    assert str(chart_data(chart)) == str(json_script(chart.as_dict(), chart.script_id))
    rows = str(chart_rows(chart))
    label = escape(hostile)
    assert rows == (
        f'<tr><th scope="row"><a href="/demands/?a=1&amp;b=&lt;2&gt;">{label}</a></th>'
        '<td class="num">1,234</td><td class="num">75.5</td><td class="num">—</td></tr>\n'
        '<tr><th scope="row">乙</th><td class="num">0</td></tr>'
    )
    assert "<b " not in rows
    assert "</script>" not in str(chart_data(chart))[:-9]


def test_the_mechanisms_closed_loop_is_the_meetings_pages(
    world: Any, settings: Any, tmp_path: Any
) -> None:
    """The dashboard's loop stages, read in grouped queries, say what the mechanism's own
    year figures (meetings.selectors.year_figures, one mechanism at a time) say."""
    from liandong.meetings.selectors import loop_status
    from liandong.reports.selectors import STAGE_MARKS, Links, ReportFilters, mechanism_loops

    settings.DATA_DIR = tmp_path
    mw = build(world)
    ActionItem.objects.filter(pk=mw.item.pk).update(
        deadline=timezone.localdate() - timedelta(days=1)
    )
    year = timezone.localdate().year
    today = timezone.localdate()
    stages = loop_status(year_figures(mw.mechanism, year, today=today), today=today)
    expected = " → ".join(f"{s.name}{STAGE_MARKS[s.state]}" for s in stages)
    chart = mechanism_loops(world.union_a, ReportFilters(year=year), Links(True))
    assert [row.values[-1] for row in chart.rows] == [expected]
    assert [row.values[3] for row in chart.rows] == [1]  # the overdue item
    other = mechanism_loops(world.union_a, ReportFilters(year=year, industry="网约车"), Links(True))
    assert other.rows == []  # the mechanism is of 快递
