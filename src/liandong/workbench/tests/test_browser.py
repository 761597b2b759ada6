"""Real browser (Debian's chromium through Playwright): each person lands on their work. The
liaison reports progress from the 工作台; the judge opens a score sheet from 我的评分任务; a
visitor who is not signed in follows their demand from the front door. Each page is also
shot at 1280 and 390 px (into the test's tmp dir) so that it can be looked at."""

from pathlib import Path
from typing import Any

from liandong.accounts.tests.factories import TEST_PASSWORD
from liandong.competitions.models import ContestStatus
from liandong.competitions.tests.factories import contest_setup
from liandong.conftest import BROWSER
from liandong.demands.services import routing_rule_create
from liandong.demands.tests.factories import make_demand
from liandong.meetings.models import ActionItem
from liandong.meetings.tests.conftest import build

pytestmark = BROWSER


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def shoot(browser: Any, url: str, out: Path, name: str, username: str = "") -> None:
    """The page at desktop and phone width; nothing on the phone scrolls sideways."""
    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        page = context.new_page()
        if username:
            sign_in(page, url, username)
        page.goto(url + "/")
        page.screenshot(path=out / f"{name}-{width}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        context.close()


def test_the_liaison_lands_on_the_workbench_and_reports_progress(
    live_server: Any, browser: Any, world: Any, settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path
    mw = build(world)
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    sign_in(page, live_server.url, "liaison")
    page.wait_for_url("**/workbench/")
    assert "本单位牵头的督办事项" in page.inner_text("main")
    assert mw.item.resolution in page.inner_text("main")
    page.click("a.button:has-text('报送进展')")
    page.wait_for_url(f"**/meetings/items/{mw.item.pk}/#report")
    page.fill("input[name=percent]", "60")
    page.fill("textarea[name=text]", "已完成两批疗休养")
    page.click("#report button[type=submit]")
    assert "进展已报送" in page.inner_text(".messages")
    item = ActionItem.objects.get(pk=mw.item.pk)
    assert item.progress == 60
    shoot(browser, live_server.url, tmp_path, "liaison", "liaison")


def test_the_judge_lands_on_their_tasks_and_opens_a_sheet(
    live_server: Any, browser: Any, world: Any, tmp_path: Path
) -> None:
    setup = contest_setup(world, status=ContestStatus.IN_PROGRESS)
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    sign_in(page, live_server.url, "judge")
    page.wait_for_url("**/competitions/judging/")
    assert "我的评分任务" in page.inner_text("h1")
    assert "尚未分配角色" not in page.content()
    page.click(f"text={setup.preliminary.name} · {setup.theory.name}")
    page.wait_for_url(f"**/competitions/judging/segments/{setup.theory.pk}/")
    assert page.locator("button:has-text('提交')").count() >= 1
    shoot(browser, live_server.url, tmp_path, "judge", "judge")


def test_a_visitor_finds_the_front_door_and_follows_a_demand(
    live_server: Any, browser: Any, world: Any, tmp_path: Path
) -> None:
    routing_rule_create(actor=None, union=world.union_a, body=world.authority, category="wages")
    demand = make_demand(mobile="13919317777")
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page.goto(live_server.url + "/")
    assert page.get_attribute("a[href='tel:12351']", "href") == "tel:12351"
    assert page.locator("a:has-text('我要反映诉求')").get_attribute("href") == "/demands/submit/"
    assert page.locator("a:has-text('职工登录')").get_attribute("href") == "/accounts/login/worker/"
    box = page.locator("a:has-text('查询办理进度')").bounding_box()
    assert box["height"] >= 44
    page.click("a:has-text('查询办理进度')")
    page.fill("input[name=code]", demand.code)
    page.fill("input[name=mobile_tail]", "7777")
    page.click("button:has-text('查询')")
    assert demand.code in page.inner_text("main")
    assert world.authority.name in page.inner_text("main")
    shoot(browser, live_server.url, tmp_path, "front")
