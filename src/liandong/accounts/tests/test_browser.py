"""Real browser (Debian's chromium through Playwright), issue 14: a union administrator seats a
new partner body on a mechanism, creates its liaison's account with an invitation shown on
screen, and the liaison opens the link, sets a password and reports progress on the action
item the body leads. Then: a judge created with an organization is kept from that
organization's entrants."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from liandong.accounts.models import Role, User
from liandong.accounts.tests.factories import TEST_PASSWORD, UserFactory
from liandong.competitions import services as contests
from liandong.competitions.models import ContestStatus
from liandong.competitions.services import ScoreInput
from liandong.competitions.tests.factories import contest_setup
from liandong.conftest import BROWSER
from liandong.meetings import services as meetings
from liandong.meetings.models import ActionItem
from liandong.meetings.tests.conftest import held_meeting
from liandong.organizations.models import Organization
from liandong.organizations.services import organization_link_partner
from liandong.organizations.tests.factories import OrganizationFactory, UnionFactory

pytestmark = [*BROWSER, pytest.mark.usefixtures("transactional_db")]
NEW_PASSWORD = "Kuaidi-Xiehui-2026"


def sign_in(page, base: str, username: str, password: str = TEST_PASSWORD) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def create_account_on_screen(page, base: str, **fields: str) -> str:
    """Fill in the new-account form with the link shown on screen; return that link."""
    page.click("nav >> text=系统管理")  # the menu group, then its entry
    page.click("nav >> text=账号管理")
    page.click("text=新建账号")
    page.fill("input[name=username]", fields["username"])
    page.fill("input[name=display_name]", fields["display_name"])
    page.select_option("select[name=role]", label=fields["role"])
    page.select_option("select[name=organization]", label=fields["organization"])
    page.select_option("select[name=channel]", value="show")
    page.click("button:has-text('保存')")
    link = page.input_value("#invitation-link")
    assert link.startswith(f"{base}/accounts/invitation/#")
    return link


def accept(page, link: str) -> None:
    """Open the link, set a password and land signed in."""
    page.click("text=退出")
    page.goto(link)
    assert "#" not in page.url  # the page takes the token out of the address bar
    assert page.input_value("input[name=token]") == link.split("#", 1)[1]
    page.fill("input[name=password1]", NEW_PASSWORD)
    page.fill("input[name=password2]", NEW_PASSWORD)
    page.click("button:has-text('设置密码并登录')")
    page.wait_for_load_state()
    assert "密码已设置" in page.inner_text(".messages")


def test_a_new_partner_bodys_liaison_is_invited_and_reports_progress(
    live_server, browser, settings, tmp_path
) -> None:
    settings.DATA_DIR = tmp_path
    union = UnionFactory(name="甘肃省经贸工会", code="BR-U")
    UserFactory(username="jm_admin", role=Role.UNION_ADMIN, organization=union)
    mechanism = meetings.mechanism_create(
        actor=None,
        name="甘肃省快递行业联席会议",
        industry="快递",
        convening_union=union,
        collaboration_mode="authority",
        members=[],
    )
    # The body joins the union's partners (the organization tree), then the mechanism on screen.
    association = OrganizationFactory(
        name="甘肃省快递协会", code="BR-XH", kind=Organization.Kind.ASSOCIATION
    )
    organization_link_partner(actor=None, union=union, partner=association)

    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    sign_in(page, live_server.url, "jm_admin")
    page.goto(f"{live_server.url}/meetings/{mechanism.pk}/members/")
    page.select_option("select[name=organization]", label="甘肃省快递协会")
    page.click("button:has-text('加入')")
    assert "成员单位已加入" in page.inner_text(".messages")
    assert association.pk in mechanism.member_organization_ids()

    # A resolution of a held meeting that the new body leads.
    meeting = held_meeting(mechanism=mechanism, host=union)
    meetings.resolution_record(
        actor=None,
        meeting=meeting,
        resolution="组织快递员技能培训",
        lead_body=association,
        deadline=timezone.localdate() + timedelta(days=20),
    )
    item = ActionItem.objects.get(mechanism=mechanism)

    link = create_account_on_screen(
        page,
        live_server.url,
        username="xiehui_liaison",
        display_name="何永平",
        role="成员单位联络员",
        organization="甘肃省快递协会",
    )
    liaison = User.objects.get(username="xiehui_liaison")
    assert (liaison.role, liaison.organization) == (Role.LIAISON, association)
    accept(page, link)
    assert "何永平" in page.inner_text("header")

    page.click("nav >> text=联席会议")
    page.click("text=甘肃省快递行业联席会议")
    page.click("text=组织快递员技能培训")
    page.wait_for_url(f"**/meetings/items/{item.pk}/")
    page.fill("input[name=percent]", "30")
    page.fill("textarea[name=text]", "首期培训已报名 60 人")
    page.click("button:has-text('报送进展')")
    assert "进展已报送" in page.inner_text(".messages")
    item.refresh_from_db()
    assert (item.progress, item.status) == (30, ActionItem.Status.IN_PROGRESS)

    # The link is used up: opened again, it is refused in Chinese.
    page.click("text=退出")
    page.goto(link)
    page.fill("input[name=password1]", NEW_PASSWORD)
    page.fill("input[name=password2]", NEW_PASSWORD)
    page.click("button:has-text('设置密码并登录')")
    assert "该链接已使用过" in page.inner_text("main")


def test_a_judge_created_with_an_organization_is_refused_its_entrants(
    live_server, browser, world
) -> None:
    setup = contest_setup(world)  # entrants work at enterprise A's outlet
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    sign_in(page, live_server.url, world.users["admin_a"].username)
    link = create_account_on_screen(
        page,
        live_server.url,
        username="judge_jia",
        display_name="钱评委",
        role="评委",
        organization="甲快递公司",
    )
    judge = User.objects.get(username="judge_jia")
    assert judge.organization == world.enterprise_a
    contests.judge_assign(actor=world.users["admin_a"], segment=setup.practice, judge=judge)
    contests.contest_update(
        actor=world.users["admin_a"], contest=setup.contest, status=ContestStatus.IN_PROGRESS
    )
    accept(page, link)

    page.goto(f"{live_server.url}/")  # a judge lands on 我的评分任务
    page.wait_for_url(f"{live_server.url}/competitions/judging/")
    page.click("text=初赛 · 实操")
    rows = page.locator(".sheet-row")
    assert rows.count() == 3
    assert page.locator(".sheet-row.conflict").count() == 3
    assert page.locator(".sheet-row input").count() == 0
    assert "回避（同单位）" in page.inner_text("main")
    # And the service refuses a score sent anyway.
    with pytest.raises(Exception, match="同一单位"):
        contests.sheets_save(
            actor=judge,
            segment=setup.practice,
            scores=[ScoreInput(order_no=1, score=Decimal("90"))],
        )
