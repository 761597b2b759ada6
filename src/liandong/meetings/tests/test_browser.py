"""Real browser (Debian's chromium through Playwright): union staff create a meeting, send the
notice, hold it and record a resolution; the lead body's liaison then finds it as an action item."""

from collections.abc import Iterator
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from liandong.accounts.models import Role
from liandong.accounts.tests.factories import TEST_PASSWORD, UserFactory
from liandong.conftest import BROWSER
from liandong.meetings import services
from liandong.meetings.models import ActionItem
from liandong.organizations.models import Organization
from liandong.organizations.tests.factories import OrganizationFactory, UnionFactory

pytestmark = BROWSER


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def ten_in_the_morning() -> Iterator[None]:
    """Today at 10:00 in Beijing, the clock running on: a meeting three minutes away is held
    the same day. Run at 23:58 the meeting would start tomorrow, and a meeting cannot be
    marked held before its day (CI once ran at midnight and failed on exactly that)."""
    ten = timezone.make_aware(datetime.combine(timezone.localdate(), time(10, 0)))
    with time_machine.travel(ten, tick=True):
        yield


def test_a_resolution_becomes_the_lead_bodys_action_item(
    live_server, browser, settings, tmp_path, ten_in_the_morning
) -> None:
    settings.DATA_DIR = tmp_path
    union = UnionFactory(name="甘肃省经贸工会", code="BR-U")
    authority = OrganizationFactory(
        name="甘肃省邮政管理局", code="BR-GOV", kind=Organization.Kind.AUTHORITY
    )
    UserFactory(username="staff", role=Role.UNION_STAFF, organization=union)
    UserFactory(
        username="youzheng", role=Role.LIAISON, organization=authority, email="yz@example.org"
    )
    mechanism = services.mechanism_create(
        actor=None,
        name="甘肃省快递行业联席会议",
        industry="快递",
        convening_union=union,
        collaboration_mode="authority",
        members=[authority],
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    sign_in(page, live_server.url, "staff")

    # Staff see 联席会议 as a menu group (专项行动, 重点企业联系… beside it): the group, then
    # its entry.
    page.click("nav >> text=联席会议")
    page.click("nav a[href='/meetings/']")
    page.click("text=甘肃省快递行业联席会议")
    page.click("text=安排会议")
    starts = timezone.localtime() + timedelta(minutes=3)
    page.fill("input[name=title]", "2026年第三次联席会议")
    page.fill("input[name=topic]", "技能提升")
    page.fill("input[name=starts_at]", starts.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=location]", "省快递协会培训中心")
    page.click("button:has-text('安排会议')")
    page.wait_for_url("**/meetings/meetings/*/")
    assert "筹备中" in page.inner_text(".page-head")

    page.click("button:has-text('发出会议通知')")
    assert "会议通知已发出" in page.inner_text(".messages")
    page.click("button:has-text('标记为已召开')")
    assert "会议尚未到召开日期" not in page.inner_text("main")
    assert page.inner_text(".page-head .tag").startswith("已召开")

    page.fill("textarea[name=resolution]", "“双十一”期间为一线快递员送去慰问")
    page.select_option("select[name=lead_body]", label="甘肃省邮政管理局")
    page.fill("input[name=deadline]", (timezone.localdate() + timedelta(days=10)).isoformat())
    page.fill("input[name=expected_output]", "慰问 2000 人")
    page.click("button:has-text('记录议定事项')")
    assert "作为督办事项交甘肃省邮政管理局牵头办理" in page.inner_text(".messages")
    item = ActionItem.objects.get(mechanism=mechanism)
    assert item.lead_body == authority

    page.click("text=退出")
    sign_in(page, live_server.url, "youzheng")
    page.click("nav >> text=联席会议")  # a group for a liaison too (专项行动 they take part in)
    page.click("nav a[href='/meetings/']")
    page.click("text=甘肃省快递行业联席会议")
    page.wait_for_url(f"**/meetings/{mechanism.pk}/")
    assert "甘肃省邮政管理局" in page.inner_text("main")
    page.click("text=“双十一”期间为一线快递员送去慰问")
    page.wait_for_url(f"**/meetings/items/{item.pk}/")
    assert "报送进展" in page.inner_text("aside")
    page.fill("input[name=percent]", "40")
    page.fill("textarea[name=text]", "慰问品已采购")
    page.click("button:has-text('报送进展')")
    assert "进展已报送" in page.inner_text(".messages")
    item.refresh_from_db()
    assert (item.progress, item.status) == (40, ActionItem.Status.IN_PROGRESS)


def test_meeting_pages_fit_a_phone_screen(live_server, browser, world, mw) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    sign_in(page, live_server.url, world.users["staff_a"].username)
    for path in [
        f"/meetings/{mw.mechanism.pk}/",
        f"/meetings/meetings/{mw.held.pk}/",
        f"/meetings/items/{mw.item.pk}/",
        "/meetings/",
    ]:
        page.goto(live_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
