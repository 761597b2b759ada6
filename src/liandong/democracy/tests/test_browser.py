"""Real browser (Debian's chromium via Playwright) against a live server: a delegate submits a
proposal, two delegates co-sign, the committee accepts it, the department's answer is recorded,
and the proposer rates it."""

from datetime import timedelta

from django.utils import timezone

from liandong.accounts.models import Role
from liandong.accounts.tests.factories import TEST_PASSWORD, UserFactory
from liandong.conftest import BROWSER
from liandong.democracy.models import Proposal
from liandong.democracy.services import congress_create, delegate_add
from liandong.organizations.tests.factories import EnterpriseFactory, OutletFactory, UnionFactory
from liandong.workers.tests.factories import WorkerFactory

pytestmark = BROWSER


def signed_in(browser, live_server, username: str, width: int = 1280):
    page = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/democracy/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/democracy/")
    return page


def test_a_proposal_from_submission_to_rating(live_server, browser) -> None:
    union = UnionFactory(name="威海市总工会", code="BR-U")
    enterprise = EnterpriseFactory(
        name="威海光威集团有限责任公司", code="BR-E", parent=union, short_name="光威集团"
    )
    outlet = OutletFactory(name="碳纤维车间", code="BR-O", parent=enterprise)
    manager = UserFactory(username="gw_union", role=Role.ENTERPRISE_UNION, organization=enterprise)
    congress = congress_create(
        actor=manager,
        enterprise=enterprise,
        term=5,
        session=3,
        title="光威集团五届三次职代会",
        held_on=timezone.localdate(),
        cosign_threshold=2,
    )
    for i, name in enumerate(["于海涛", "杜琳", "邹策"]):
        worker = WorkerFactory(name=name, employer=outlet)
        worker.user = UserFactory(username=f"delegate{i}", role=Role.WORKER, display_name=name)
        worker.save(update_fields=["user"])
        delegate_add(actor=manager, congress=congress, worker=worker, constituency="第一代表团")

    proposer = signed_in(browser, live_server, "delegate0")
    proposer.click("text=提交提案")
    proposer.fill("input[name=title]", "增设一线职工午间休息区")
    proposer.select_option("select[name=category]", label="生活福利")
    proposer.fill("textarea[name=reasons]", "车间距宿舍远，午间无处休息。")
    proposer.fill("textarea[name=measures]", "在车间东侧设休息区，配躺椅和饮水设施。")
    proposer.click("button:has-text('提交提案')")
    proposer.wait_for_url("**/democracy/proposals/*/")
    assert "提案已提交" in proposer.inner_text(".messages")
    url = proposer.url
    assert proposer.locator("button:has-text('附议')").count() == 0  # not one's own

    for username in ["delegate1", "delegate2"]:
        cosigner = signed_in(browser, live_server, username)
        cosigner.goto(url)
        cosigner.click("button:has-text('附议')")
        assert "您已附议该提案" in cosigner.inner_text(".messages")
        assert cosigner.locator("button:has-text('附议')").count() == 0  # not twice
    assert Proposal.objects.get().cosign_count == 2

    committee = signed_in(browser, live_server, "gw_union")
    committee.goto(url)
    assert "附议代表（2/2）" in committee.inner_text("aside")
    committee.check("input[name=decision][value=accept]")
    committee.fill("input[name=department]", "行政部")
    committee.fill("input[name=deadline]", (timezone.localdate() + timedelta(days=30)).isoformat())
    committee.click("button:has-text('记录审查结论')")
    assert "审查结论已记录" in committee.inner_text(".messages")
    committee.fill("textarea[name=answer]", "休息区已于本月建成，配备躺椅 20 张和直饮水机。")
    committee.click("button:has-text('记录答复')")
    assert "等待提案人评价" in committee.inner_text(".messages")

    proposer.goto(url)
    proposer.check("input[name=rating][value=satisfied]")
    proposer.click("button:has-text('提交评价')")
    assert "感谢您的评价" in proposer.inner_text(".messages")
    assert "已办结" in proposer.inner_text("h1 + div")
    proposal = Proposal.objects.get()
    assert (proposal.status, proposal.rating, proposal.department.name) == (
        "closed",
        "satisfied",
        "行政部",
    )


def test_a_refused_action_shows_why_on_the_page(live_server, browser) -> None:
    union = UnionFactory(code="BR2-U")
    enterprise = EnterpriseFactory(code="BR2-E", parent=union)
    manager = UserFactory(username="ent_union", role=Role.ENTERPRISE_UNION, organization=enterprise)
    congress = congress_create(
        actor=manager,
        enterprise=enterprise,
        term=1,
        session=1,
        title="一届一次职代会",
        held_on=timezone.localdate(),
        cosign_threshold=2,
    )
    worker = WorkerFactory(employer=enterprise)
    worker.user = UserFactory(username="d0", role=Role.WORKER)
    worker.save(update_fields=["user"])
    delegate = delegate_add(actor=manager, congress=congress, worker=worker, constituency="一")
    proposal = Proposal.objects.create(
        congress=congress,
        enterprise=enterprise,
        proposer=delegate,
        number=1,
        title="t",
        reasons="r",
        measures="m",
        category="other",
    )
    page = signed_in(browser, live_server, "ent_union", width=390)
    page.goto(f"{live_server.url}/democracy/proposals/{proposal.pk}/")
    page.check("input[name=decision][value=reject]")
    page.fill("textarea[name=reason]", "不属于职代会职权")
    page.click("button:has-text('记录审查结论')")
    assert "附议代表 0 人，不足 2 人，不能审查" in page.inner_text("[role=alert]")
    assert Proposal.objects.get().status == "cosigning"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the proposal page scrolls sideways by {overflow}px on a phone"
