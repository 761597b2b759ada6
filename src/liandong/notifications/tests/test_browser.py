"""Real browser, issue 15's path end to end: a worker submits a demand on the public phone page;
the partner body's liaison finds it in their inbox (the badge in the header), opens it and
answers on the demand's page; the worker, signed in on their phone, finds the answer in their
inbox, and the SMS file holds it with the tracking code and no demand text."""

import re

from liandong.accounts.models import Role
from liandong.accounts.tests.factories import TEST_PASSWORD, UserFactory
from liandong.conftest import BROWSER
from liandong.demands import config
from liandong.demands.models import Demand
from liandong.demands.services import routing_rule_create
from liandong.notifications.models import Delivery, Message
from liandong.notifications.services import expand_pending
from liandong.organizations.models import Organization
from liandong.organizations.tests.factories import (
    EnterpriseFactory,
    OrganizationFactory,
    OutletFactory,
    UnionFactory,
)
from liandong.workers.tests.factories import WorkerFactory

pytestmark = BROWSER

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
MOBILE = "13919312345"
STORY = "中通城关东岗网点拖欠十月份派费三千二百元，站长说总部没结算。"


def sign_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_a_demand_reaches_the_liaison_and_the_answer_reaches_the_worker(
    live_server, browser, settings, tmp_path
) -> None:
    settings.LIANDONG_SMS_BACKEND = "liandong.accounts.sms.FileBackend"
    settings.LIANDONG_SMS_FILE = tmp_path / "sms-outbox.log"
    config.clear()
    union = UnionFactory(name="甘肃省经贸工会", code="N-JM", level=Organization.Level.PROVINCE)
    authority = OrganizationFactory(name="甘肃省邮政管理局", code="N-YZ", kind="authority")
    routing_rule_create(actor=None, union=union, body=authority, category="wages", industry="快递")
    UserFactory(username="yz_liaison", role=Role.LIAISON, organization=authority)
    outlet = OutletFactory(code="N-OUT", parent=EnterpriseFactory(code="N-ENT", parent=union))
    worker_account = UserFactory(username="w_wang", role=Role.WORKER)
    worker = WorkerFactory(name="王建国", employer=outlet, mobile=MOBILE)
    worker.user = worker_account
    worker.save(update_fields=["user"])

    # The worker submits on the public phone page, without signing in.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    worker_page = phone.new_page()
    worker_page.goto(f"{live_server.url}/demands/submit/")
    worker_page.fill("textarea[name=description]", STORY)
    worker_page.select_option("select[name=industry]", "快递")
    worker_page.fill("input[name=mobile]", MOBILE)
    worker_page.check("input[name=consent]")
    worker_page.click("button[type=submit]")
    worker_page.wait_for_selector("#tracking-code")
    code = worker_page.inner_text("#tracking-code").strip()
    demand = Demand.objects.get(code=code)
    assert demand.body == authority

    # The intake wrote one row; the worker process expands it moments later (this is the
    # function its loop calls every two seconds).
    assert expand_pending() == 1

    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    liaison_page = desk.new_page()
    sign_in(liaison_page, live_server.url, "yz_liaison")
    assert liaison_page.inner_text("a.inbox-link .badge") == "1"
    liaison_page.click("a.inbox-link")
    liaison_page.click(f"table a:has-text('{code}')")
    liaison_page.wait_for_load_state()
    assert f"/demands/{demand.pk}/" in liaison_page.url
    assert not liaison_page.query_selector("a.inbox-link .badge")  # opened, so read

    # The liaison takes it up, then answers, on the demand's page (the next steps are visible).
    liaison_page.fill("#action-accept textarea[name=note]", "已受理，正在核实。")
    liaison_page.click("#action-accept button[type=submit]")
    liaison_page.wait_for_load_state()
    liaison_page.fill("#action-reply textarea[name=note]", "已约谈网点负责人，本周内补发派费。")
    liaison_page.click("#action-reply button[type=submit]")
    liaison_page.wait_for_load_state()
    assert "已答复" in liaison_page.inner_text("main")

    # The worker signs in on the phone and finds the answer in the inbox.
    worker_page.goto(f"{live_server.url}/accounts/login/worker/")
    worker_page.fill("input[name=mobile]", MOBILE)
    worker_page.fill("input[name=password]", TEST_PASSWORD)
    worker_page.click("button[name=action][value=login]")
    worker_page.wait_for_load_state()
    assert worker_page.inner_text("a.inbox-link .badge") == "2"  # taken up, then answered
    worker_page.click("a.inbox-link")
    inbox = worker_page.inner_text("main")
    assert code in inbox
    assert "本周内补发派费" in inbox
    assert Message.objects.filter(recipient=worker_account).count() == 2

    # ... and by SMS, with the tracking code and the link, never the demand's text.
    sent = settings.LIANDONG_SMS_FILE.read_text(encoding="utf-8")
    lines = [row for row in sent.splitlines() if MOBILE in row]
    assert len(lines) == 2
    for line in lines:
        assert code in line
        assert STORY[:6] not in line
        assert re.search(r"/demands/track/\?code=" + code, line)
    assert Delivery.objects.filter(channel="sms", status="sent").count() == 2
    phone.close()
    desk.close()
