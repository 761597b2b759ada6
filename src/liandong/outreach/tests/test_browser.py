"""Real browser (Debian's chromium through Playwright): a leader's visit whose problem becomes
a demand with one click; an agreement with an external party, its document and a follow-up
action item."""

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from liandong.accounts.tests.factories import TEST_PASSWORD
from liandong.conftest import BROWSER
from liandong.demands.models import Channel, Demand
from liandong.meetings import services as meetings
from liandong.meetings.models import ActionItem
from liandong.meetings.tests.conftest import held_meeting
from liandong.outreach import services
from liandong.outreach.models import Agreement, Visit

pytestmark = BROWSER


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_a_visits_problem_becomes_a_demand_with_one_click(
    live_server: Any, browser: Any, settings: Any, tmp_path: Path, world: Any
) -> None:
    settings.DATA_DIR = tmp_path
    staff = world.users["staff_a"]
    key = services.key_enterprise_add(
        actor=None, union=world.union_a, enterprise=world.enterprise_a, leader=staff
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    sign_in(page, live_server.url, staff.username)
    page.goto(f"{live_server.url}/outreach/")
    page.click(f"text={world.enterprise_a.name}")
    page.click("text=登记走访")
    page.fill("input[name=visitors]", "王建国、刘海燕")
    page.fill("textarea[name=findings]", "企业生产经营正常，新入职一线职工均已入会。")
    page.fill("textarea[name=problem]", "外包保洁人员反映十月加班费未足额发放，涉及约三十人。")
    page.click("button:has-text('登记')")
    page.wait_for_load_state()
    assert "走访已登记" in page.content()
    visit = Visit.objects.get(key_enterprise=key)

    page.select_option("select[name=category]", "wages")
    page.fill("#to-demand input[name=contact_name]", "企业工会干事")
    page.fill("#to-demand input[name=mobile]", "13906311234")
    page.check("input[name=consent]")
    page.click("button:has-text('转为诉求')")
    page.wait_for_load_state()

    visit.refresh_from_db()
    demand = Demand.objects.get(pk=visit.demand_id)
    assert demand.channel == Channel.VISIT
    assert "加班费未足额发放" in demand.description
    link = page.locator(f"a:has-text('{demand.code}')")
    assert link.count() == 1
    # The form is gone: the same problem cannot become a second demand.
    assert page.locator("#to-demand").count() == 0
    # The full mobile number is not on the page.
    assert "13906311234" not in page.content()
    link.click()
    page.wait_for_load_state()
    assert f"/demands/{demand.pk}/" in page.url


def test_an_agreement_with_an_external_party_and_a_follow_up_item(
    live_server: Any, browser: Any, settings: Any, tmp_path: Path, world: Any
) -> None:
    settings.DATA_DIR = tmp_path
    staff = world.users["staff_a"]
    mechanism = meetings.mechanism_create(
        actor=None,
        name="甲快递行业联席会议",
        industry="快递",
        convening_union=world.union_a,
        collaboration_mode="authority",
        members=[world.authority, world.enterprise_a],
    )
    held = held_meeting(mechanism=mechanism, host=world.union_a)
    document = tmp_path / "框架协议.pdf"
    document.write_bytes(b"%PDF-1.4\n% framework agreement\n")
    today = timezone.localdate()

    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    sign_in(page, live_server.url, staff.username)
    page.goto(f"{live_server.url}/outreach/agreements/")
    page.click("text=登记协议")
    page.fill("input[name=title]", "甲工会与老挝万象市工会联合会框架协议")
    page.select_option("select[name=kind]", "framework")
    page.fill("input[name=signed_on]", (today - timedelta(days=10)).isoformat())
    page.fill("input[name=expires_on]", (today + timedelta(days=3 * 365)).isoformat())
    page.select_option("select[name=parties]", [str(world.union_a.pk)])
    page.fill("textarea[name=external_parties]", "老挝万象市工会联合会｜老挝｜宋萨")
    page.fill("textarea[name=terms]", "启动“一带一路”共建项目示范性劳动和技能竞赛。")
    page.set_input_files("input[name=document]", str(document))
    page.click("button:has-text('登记')")
    page.wait_for_load_state()
    assert "协议已登记" in page.content()
    agreement = Agreement.objects.get()
    assert page.locator("text=平台外单位（老挝）").count() == 1

    page.fill("textarea[name=resolution]", "举办中老口语技能巡回赛万象站")
    page.select_option("select[name=meeting]", str(held.pk))
    page.select_option("select[name=lead_body]", str(world.enterprise_a.pk))
    page.fill("input[name=deadline]", (today + timedelta(days=60)).isoformat())
    page.click("button:has-text('交办')")
    page.wait_for_load_state()
    assert "跟进事项已交办" in page.content()
    item = ActionItem.objects.get(meeting=held)
    assert agreement.follow_ups.get().action_item_id == item.pk
    page.click("a:has-text('举办中老口语技能巡回赛万象站')")
    page.wait_for_load_state()
    assert f"/meetings/items/{item.pk}/" in page.url

    # The document is served to staff of union A, and not to union B's.
    with page.expect_download() as download:
        page.goto(f"{live_server.url}/outreach/agreements/{agreement.pk}/")
        page.click("a:has-text('框架协议.pdf')")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    other = browser.new_page()
    sign_in(other, live_server.url, world.users["staff_b"].username)
    response = other.goto(f"{live_server.url}/outreach/agreements/{agreement.pk}/document/")
    assert response is not None
    assert response.status == 404
