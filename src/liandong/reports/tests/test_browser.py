"""Real browser: union A's chair opens the dashboard, sees the charts drawn by ECharts with their
tables one tap away, changes the year, follows a figure to the records behind it, and opens
the big screen at 1920x1080, which fills in from the API without reloading. Screenshots go to
$LIANDONG_SCREENSHOTS (default /tmp/liandong-screens) to be looked at."""

import os
import tempfile
from datetime import date
from pathlib import Path

from django.utils import timezone

from liandong.conftest import BROWSER
from liandong.demands.rollups import add_counts
from liandong.meetings.tests.test_browser import sign_in

pytestmark = BROWSER

SHOTS = Path(
    os.environ.get("LIANDONG_SCREENSHOTS") or Path(tempfile.gettempdir()) / "liandong-screens"
)


def test_dashboard_year_records_and_big_screen(live_server, browser, world) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    year = timezone.localdate().year
    for month, received in [(1, 4), (3, 6), (5, 2)]:
        add_counts(
            month=date(year, month, 1),
            body_id=world.enterprise_a.pk,
            category="wages",
            city="兰州",
            received=received,
            response_due=received,
            responded_on_time=received - 1,
            resolution_due=received,
            resolved=received - 1,
            rated=2,
            satisfied=2,
            breached=1,
        )
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    sign_in(page, live_server.url, world.users["admin_a"].username)
    page.click("nav >> text=数据看板")
    assert "数据看板 · 甲产业工会" in page.inner_text("h1")
    # ECharts drew the demand chart (a canvas) and its table is one tap away.
    page.wait_for_selector("[data-chart=demand-rates] canvas")
    table = page.locator("#chart-demand-rates details")
    table.locator("summary").click()
    assert f"{year}年3月" in table.inner_text()
    assert "受理职工诉求" in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "reports-dashboard-1280.png"), full_page=True)

    # Another year: no demands then; the figure shows 0 and the table is empty.
    page.fill("input[name=year]", str(year - 1))
    page.click("form[aria-label=看板条件] button[type=submit]")
    page.wait_for_load_state()
    assert f"{year - 1}年" in page.inner_text(".page-head")
    assert page.locator("#chart-demand-rates .empty-note").count() == 1
    page.go_back()
    page.wait_for_selector("[data-chart=demand-rates] canvas")

    # Follow a figure to its records: the demand statistics of the same year, same total.
    page.click(".stat-link:has-text('受理职工诉求')")
    page.wait_for_load_state()
    assert page.url.startswith(f"{live_server.url}/demands/stats/")
    assert "12" in page.inner_text(".rates")

    # The big screen: dark, 1920 wide, filled from the API without a reload.
    screen = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    screen.context.add_cookies(page.context.cookies())
    screen.goto(f"{live_server.url}/reports/screen/?refresh=2")
    screen.wait_for_selector("body[data-loaded='1']")
    screen.wait_for_selector("[data-screen-chart=demand-rates] canvas")
    assert "受理职工诉求" in screen.inner_text("#screen-figures")
    background = screen.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(11, 21, 38)"
    assert screen.evaluate("document.documentElement.scrollWidth") <= 1920
    screen.screenshot(path=str(SHOTS / "reports-screen-1920.png"))
    # It refreshes in place: a second load arrives and the page was never reloaded.
    screen.evaluate("window.__stay = 1")
    loads = int(screen.evaluate("document.body.getAttribute('data-loaded')"))
    for _ in range(40):  # the refresh is every 2 s here
        screen.wait_for_timeout(250)
        if int(screen.evaluate("document.body.getAttribute('data-loaded')")) > loads:
            break
    assert int(screen.evaluate("document.body.getAttribute('data-loaded')")) > loads
    assert screen.evaluate("window.__stay") == 1

    # A phone: the page fits 390 px.
    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    phone.context.add_cookies(page.context.cookies())
    phone.goto(f"{live_server.url}/reports/")
    phone.wait_for_selector("[data-chart=demand-rates] canvas")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(SHOTS / "reports-dashboard-390.png"), full_page=True)
