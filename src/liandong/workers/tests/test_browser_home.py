"""Real browser (Debian's chromium): a worker signs in on a phone, lands on their home, raises
a demand from it (the form already filled in from the roster) and finds it in 我的诉求 without
typing a code; the home's tap targets, text sizes and width hold at 390 px. Set
LIANDONG_SCREENSHOTS=<dir> to keep screenshots of each page at 390 and 1280 px."""

import os
from datetime import date
from pathlib import Path
from typing import Any

from django.utils import timezone

from liandong.accounts.models import Role
from liandong.accounts.tests.factories import TEST_PASSWORD, UserFactory
from liandong.activities.tests.factories import make_activity
from liandong.conftest import BROWSER
from liandong.demands.models import Demand
from liandong.democracy.services import disclosure_publish
from liandong.organizations.tests.factories import EnterpriseFactory, OutletFactory, UnionFactory
from liandong.workers.signin import worker_account_ensure
from liandong.workers.tests.factories import WorkerFactory

pytestmark = BROWSER
SHOTS = os.environ.get("LIANDONG_SCREENSHOTS", "")


def shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def fits_a_phone(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px on a phone"
    # Every tap target of the page's own part is at least 44 x 44 px.
    small = page.evaluate(
        """() => [...document.querySelectorAll(
            '.wh .button, .wh a.wh-row, .wh .wh-more, .wh button, .wh input:not([type=hidden]), .wh select, .wh textarea')]
          .filter(e => e.offsetParent !== null)
          .map(e => [e.outerHTML.slice(0, 60), e.getBoundingClientRect()])
          .filter(([_, r]) => r.height < 44 || r.width < 44)
          .map(([h, r]) => `${h} ${Math.round(r.width)}x${Math.round(r.height)}`)"""
    )
    small = [s for s in small if 'type="checkbox"' not in s and 'type="radio"' not in s]
    assert small == [], small
    # Body text is at least 14 px.
    tiny = page.evaluate(
        """() => [...document.querySelectorAll('.wh *')]
          .filter(e => e.offsetParent !== null && [...e.childNodes].some(
              n => n.nodeType === 3 && n.textContent.trim()))
          .filter(e => parseFloat(getComputedStyle(e).fontSize) < 14)
          .map(e => e.outerHTML.slice(0, 60))"""
    )
    assert tiny == [], tiny


def luminance(rgb: str) -> float:
    values = [int(v) / 255 for v in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in values]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(fg: str, bg: str) -> float:
    a, b = sorted([luminance(fg), luminance(bg)], reverse=True)
    return (a + 0.05) / (b + 0.05)


def test_a_worker_raises_a_demand_from_the_home_and_follows_it(live_server, browser) -> None:
    union = UnionFactory(name="甘肃省经贸工会", code="B-JM")
    enterprise = EnterpriseFactory(name="中通快递兰州分公司", code="B-ZTO", parent=union)
    outlet = OutletFactory(name="中通城关东岗网点", code="B-ZTO-01", parent=enterprise)
    worker = WorkerFactory(
        name="王建国",
        employer=outlet,
        id_number="620102198403152712",
        mobile="13919310001",
        joined_union_on=date(2025, 3, 18),
    )
    user = worker_account_ensure(worker=worker)
    user.set_password(TEST_PASSWORD)
    user.save(update_fields=["password"])
    make_activity(union, title="兴隆山冬季微疗养", total_places=50, place="榆中县兴隆山")
    make_activity(union, title="会员专享体检", total_places=20, members_only=True)
    make_activity(union, title="货车司机安全培训", total_places=30, target_worker_types=["trucker"])
    admin = UserFactory(username="jm_admin", role=Role.UNION_ADMIN, organization=union)
    disclosure_publish(
        actor=admin,
        enterprise=enterprise,
        category="wages",
        title="2027年派费调整方案",
        body="经职代会审议通过。",
        publish_on=timezone.localdate(),
    )

    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page.goto(f"{live_server.url}/accounts/login/worker/")
    page.fill("input[name=mobile]", "13919310001")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[value=login]")
    page.wait_for_url("**/workers/me/")
    main = page.inner_text("main")
    for card in [
        "我要反映",
        "我的诉求",
        "活动报名",
        "我的服务",
        "厂务公开",
        "我的消息",
        "我的信息",
    ]:
        assert card in main
    assert "139****0001" in main
    assert "13919310001" not in page.content()
    assert "本活动面向货车司机" in main  # an ineligible one says why
    assert page.locator("#activities button", has_text="报名").count() == 2
    fits_a_phone(page)
    muted = page.locator(".wh .muted").first
    color = muted.evaluate("e => getComputedStyle(e).color")
    assert contrast(color, "rgb(255, 255, 255)") >= 4.5, color
    shot(page, "phone-home")

    page.click(".wh-raise a.button")
    page.wait_for_url("**/workers/me/demand/")
    assert page.input_value("input[name=name]") == "王建国"
    assert page.input_value("input[name=employer_name]") == "中通城关东岗网点"
    assert page.input_value("select[name=industry]") == "快递"
    assert page.locator("input[name=mobile]").count() == 0
    fits_a_phone(page)
    shot(page, "phone-demand-form")
    page.fill("textarea[name=description]", "站点已经两个月没有结算派费，站长说总部没打款。")
    page.check("input[name=consent]")
    page.click("button:has-text('提交诉求')")
    page.wait_for_url("**/workers/me/demands/*/")
    demand = Demand.objects.get()
    assert demand.mobile_masked == "139****0001"
    assert "诉求已提交" in page.inner_text(".messages")
    assert page.inner_text("#state") in {"已受理", "已派单"}
    fits_a_phone(page)
    shot(page, "phone-demand")

    page.click("text=返回我的首页")
    page.wait_for_url("**/workers/me/")
    mine = page.inner_text("#my-demands")
    assert "工资报酬" in mine or demand.get_category_display() in mine
    assert demand.code in mine
    page.click(f"#my-demands a[href='/workers/me/demands/{demand.pk}/']")
    page.wait_for_url(f"**/workers/me/demands/{demand.pk}/")
    page.go_back()

    page.click("text=显示完整号码")
    page.wait_for_load_state()
    assert page.inner_text("#own-mobile") == "13919310001"
    assert page.inner_text("#own-id") == "620102198403152712"
    shot(page, "phone-home-revealed")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/workers/me/")
    shot(page, "desktop-home")
    page.goto(f"{live_server.url}/workers/me/demand/")
    shot(page, "desktop-demand-form")
    page.goto(f"{live_server.url}/workers/me/demands/{demand.pk}/")
    shot(page, "desktop-demand")


def test_a_worker_signs_up_from_the_home_and_sees_it_confirmed_there(live_server, browser) -> None:
    union = UnionFactory(name="甘肃省经贸工会", code="B-JM")
    outlet = OutletFactory(
        name="中通城关东岗网点",
        code="B-ZTO-01",
        parent=EnterpriseFactory(name="中通快递兰州分公司", code="B-ZTO", parent=union),
    )
    worker = WorkerFactory(name="王建国", employer=outlet, mobile="13919310001")
    user = worker_account_ensure(worker=worker)
    user.set_password(TEST_PASSWORD)
    user.save(update_fields=["password"])
    make_activity(union, title="兴隆山冬季微疗养", total_places=50, place="榆中县兴隆山")

    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page.goto(f"{live_server.url}/accounts/login/worker/")
    page.fill("input[name=mobile]", "13919310001")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[value=login]")
    page.wait_for_url("**/workers/me/")
    page.click("#activities button:has-text('报名')")
    page.wait_for_url("**/workers/me/")
    assert "已报名“兴隆山冬季微疗养”" in page.inner_text(".messages")
    card = page.inner_text("#activities")
    assert "已报名" in card
    assert page.locator("#activities button", has_text="报名").count() == 0
    fits_a_phone(page)
    shot(page, "phone-home-signed-up")
