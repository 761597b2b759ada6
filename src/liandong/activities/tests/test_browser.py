"""Real browser (Debian's chromium) at phone width: a courier signs in, applies for an activity,
and after the list is published reads the public notice with names and ID numbers masked."""

from datetime import date

from liandong.accounts.tests.factories import TEST_PASSWORD
from liandong.activities.models import Activity, Application
from liandong.activities.services import activity_publish_notice
from liandong.activities.tests.factories import close_window, make_activity
from liandong.conftest import BROWSER
from liandong.organizations.tests.factories import EnterpriseFactory, OutletFactory, UnionFactory
from liandong.workers.signin import worker_account_ensure
from liandong.workers.tests.factories import WorkerFactory

pytestmark = BROWSER


def no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px on a phone"


def test_a_courier_applies_on_a_phone_and_sees_the_public_notice(live_server, browser) -> None:
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
    activity = make_activity(
        union, title="兴隆山冬季微疗养", total_places=50, members_only=True, place="榆中县兴隆山"
    )

    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page.goto(f"{live_server.url}/accounts/login/worker/")
    page.fill("input[name=mobile]", "13919310001")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[value=login]")
    page.wait_for_load_state()
    page.click("nav >> .nav-toggle")  # on a phone the menu opens from its 菜单 button
    page.click("nav >> text=活动报名")
    page.wait_for_url("**/activities/")
    no_sideways_scroll(page)
    page.click("text=兴隆山冬季微疗养")
    page.wait_for_url(f"**/activities/{activity.pk}/")
    assert "您符合报名条件" in page.inner_text("main")
    page.click("text=我要报名")
    page.wait_for_url(f"**/activities/{activity.pk}/")
    assert "已报名“兴隆山冬季微疗养”，您已入选。" in page.inner_text(".messages")
    assert page.inner_text("#application-status") == "已入选"
    assert page.locator("img.qr").is_visible()
    no_sideways_scroll(page)
    assert Application.objects.get(activity=activity, worker=worker).status == "selected"

    # The organizer closes the window and publishes the list; the worker follows the link.
    activity = close_window(Activity.objects.get(pk=activity.pk))
    activity_publish_notice(actor=None, activity=activity, days=5, objection_channel="0931-8416520")
    page.reload()
    page.click("text=查看公示")
    page.wait_for_url(f"**/activities/public/{activity.pk}/")
    notice = page.inner_text("main")
    assert "入选名单公示" in notice
    assert "王*国" in notice
    assert "620102********2712" in notice
    assert "0931-8416520" in notice
    assert "王建国" not in page.inner_text("table")
    assert "620102198403152712" not in page.content()
    no_sideways_scroll(page)
