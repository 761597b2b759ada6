"""Real browser (Debian's chromium via Playwright) against a live server: union staff start a
campaign and set a target, publish a task; a partner body's liaison claims it (揭榜); the
progress table counts the union founded in the period and opens the record behind it."""

from datetime import date

from django.utils import timezone

from liandong.accounts.models import Role
from liandong.accounts.tests.factories import TEST_PASSWORD, UserFactory
from liandong.campaigns.models import Task
from liandong.conftest import BROWSER
from liandong.organizations.models import Organization
from liandong.organizations.services import organization_create, organization_link_partner

pytestmark = BROWSER


def signed_in(browser, live_server, username: str, width: int = 1280):
    page = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/campaigns/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/campaigns/")
    return page


def test_staff_set_a_target_a_liaison_claims_a_task_progress_counts_records(
    live_server, browser
) -> None:
    today = timezone.localdate()
    weihai = organization_create(
        actor=None, name="威海市总工会", code="BR-WH", kind=Organization.Kind.UNION
    )
    organization_create(
        actor=None,
        name="威海顺达物流有限公司",
        code="BR-SD",
        kind=Organization.Kind.ENTERPRISE,
        parent=weihai,
        union_status=Organization.UnionStatus.FOUNDED,
        union_founded_on=date(today.year, 1, 1),
    )
    guozi = organization_create(
        actor=None, name="威海市国资委", code="BR-GZ", kind=Organization.Kind.AUTHORITY
    )
    organization_link_partner(actor=None, union=weihai, partner=guozi)
    UserFactory(username="wh_staff", role=Role.UNION_STAFF, organization=weihai)
    UserFactory(username="gz_liaison", role=Role.LIAISON, organization=guozi)

    staff = signed_in(browser, live_server, "wh_staff")
    staff.click("text=新建专项行动")
    staff.select_option("select[name=owner]", label="威海市总工会")
    staff.fill("input[name=name]", "企业民主管理八项行动")
    staff.fill("input[name=starts_on]", f"{today.year}-01-01")
    staff.fill("input[name=ends_on]", f"{today.year}-12-31")
    staff.click("button:has-text('保存')")
    staff.wait_for_url("**/campaigns/*/targets/")
    staff.select_option("select[name=organization]", label="威海市总工会")
    staff.select_option("select[name=measure]", value="organizations.unions_founded")
    staff.fill("input[name=value]", "57")
    staff.click("button:has-text('保存目标')")
    assert "目标已下达" in staff.inner_text(".messages")
    staff.click("nav.campaign-nav >> text=揭榜任务")
    staff.fill("input[name=title]", "推动国企规范职代会机制")
    staff.click("button:has-text('发布到榜单')")
    assert "任务已发布到榜单" in staff.inner_text(".messages")

    liaison = signed_in(browser, live_server, "gz_liaison")
    liaison.click("text=企业民主管理八项行动")
    liaison.click("nav.campaign-nav >> text=揭榜任务")
    liaison.click("a.button:has-text('揭榜')")
    liaison.click("button:has-text('确认揭榜')")
    liaison.wait_for_url("**/campaigns/tasks/*/")
    assert "揭榜成功" in liaison.inner_text(".messages")
    assert "威海市国资委" in liaison.inner_text("main")
    assert Task.objects.get().claimed_by == guozi

    staff.click("nav.campaign-nav >> text=进度")
    row = staff.locator("tr", has_text="新建基层工会")
    assert "57" in row.inner_text()
    assert "1.8%" in row.inner_text()
    staff.wait_for_selector("[data-chart] canvas")  # the ECharts chart is drawn
    row.locator("a").click()
    staff.click("text=威海顺达物流有限公司")
    staff.wait_for_url("**/organizations/*/")
    assert "威海顺达物流有限公司" in staff.inner_text("h1")
