"""Real browser: a worker submits a demand on a phone-width page without logging in, is given a
tracking code, follows it up with the code and the mobile's last four digits, and, once the
body has resolved it, rates it on the same page."""

import re

from liandong.conftest import BROWSER
from liandong.demands import config
from liandong.demands.models import Demand, State
from liandong.demands.services import demand_accept, demand_resolve, routing_rule_create
from liandong.organizations.tests.factories import OrganizationFactory, UnionFactory

pytestmark = BROWSER

PHONE = {"width": 390, "height": 844}


def test_phone_intake_follow_up_and_rating(live_server, browser) -> None:
    config.clear()
    union = UnionFactory(name="甘肃省经贸工会", code="B-JM")
    authority = OrganizationFactory(name="甘肃省邮政管理局", code="B-YZ", kind="authority")
    routing_rule_create(actor=None, union=union, body=authority, category="wages", industry="快递")

    page = browser.new_page(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}/demands/submit/")
    assert "提交职工诉求" in page.inner_text("h1")
    # The form fits the phone: no horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.fill(
        "textarea[name=description]", "中通城关东岗网点拖欠十月份派费三千二百元，站长说总部没结算。"
    )
    page.select_option("select[name=industry]", "快递")
    page.fill("input[name=employer_name]", "中通快递兰州分公司")
    page.fill("input[name=mobile]", "13919312345")
    page.click("button[type=submit]")
    # Consent is required: the page says so and nothing is stored.
    assert "请阅读并同意个人信息处理说明" in page.inner_text("form")
    assert Demand.objects.count() == 0

    page.check("input[name=consent]")
    page.click("button[type=submit]")
    page.wait_for_selector("#tracking-code")
    code = page.inner_text("#tracking-code").strip()
    assert re.fullmatch(r"SQ[0-9A-Z]{8}", code)
    assert "甘肃省邮政管理局" in page.inner_text("main")
    demand = Demand.objects.get(code=code)
    assert demand.category == "wages"  # suggested from the text
    assert demand.state == State.DISPATCHED

    # Follow up: a wrong tail is refused, the right one shows the timeline without names.
    page.click("a.button")
    page.fill("input[name=code]", code)
    page.fill("input[name=mobile_tail]", "0000")
    page.click("button[type=submit]")
    assert "查询码或手机号后四位不正确" in page.inner_text("form")
    page.fill("input[name=mobile_tail]", "2345")
    page.click("button[type=submit]")
    page.wait_for_selector("#timeline")
    assert page.inner_text("#state") == "已派单"
    assert "13919312345" not in page.content()

    demand = demand_accept(actor=None, demand=demand, note="已联系网点核实派费结算情况。")
    demand_resolve(actor=None, demand=demand, note="网点已补发十月份派费 3,200 元。")
    page.goto(f"{live_server.url}/demands/track/?code={code}")
    page.fill("input[name=mobile_tail]", "2345")
    page.click("button[type=submit]")
    page.wait_for_selector("#timeline")
    assert page.inner_text("#state") == "已办结"
    timeline = page.inner_text("#timeline")
    assert "开始办理" in timeline
    assert "办结" in timeline
    assert "补发十月份派费" in page.inner_text("main")

    page.check("input[name=rating][value=satisfied]")
    page.fill("textarea[name=comment]", "感谢工会，办得很快！")
    page.click("text=提交评价")
    page.wait_for_selector("#timeline")
    assert page.inner_text("#state") == "已评价"
    assert Demand.objects.get(code=code).rating == "satisfied"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_form_suggests_a_category_as_the_worker_types(live_server, browser) -> None:
    """The hint appears while typing, one tap takes it, the worker may still change it, and the
    receipt names the category used."""
    config.clear()
    UnionFactory(name="甘肃省经贸工会", code="B-JM2")
    page = browser.new_page(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}/demands/submit/")
    assert page.is_hidden("#category-hint")
    page.locator("textarea[name=description]").press_sequentially("送外卖被车撞了腿骨折住院")
    page.wait_for_selector("#category-hint:not([hidden])")
    assert "您反映的问题可能属于：职业伤害" in page.inner_text("#category-hint")
    box = page.locator("#category-hint-take").bounding_box()
    assert box is not None
    assert box["height"] >= 44
    page.click("#category-hint-take")
    assert page.input_value("select[name=category]") == "injury"
    assert "已选择类别：职业伤害" in page.inner_text("#category-hint")
    # The worker knows better: another category, and the hint offers its guess again.
    page.select_option("select[name=category]", "rights")
    assert page.is_visible("#category-hint-take")
    page.select_option("select[name=industry]", "即时配送")
    page.fill("input[name=city]", "兰州")
    page.fill("input[name=mobile]", "13919312346")
    page.check("input[name=consent]")
    page.click("form button[type=submit]:not(#category-hint-take)")
    page.wait_for_selector("#tracking-code")
    assert "诉求类别：权益维护" in page.inner_text("#receipt-category")
    assert Demand.objects.get().category == "rights"
