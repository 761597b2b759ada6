"""Real browser: a partner liaison opens the demand list, which puts the breached demand first,
and takes the next step with the button that stands on the demand page (no folded disclosure to
open first), at 1280 and 390 px. Set LIANDONG_SCREENSHOTS=<dir> to keep screenshots."""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from liandong.accounts.models import Role
from liandong.accounts.tests.factories import TEST_PASSWORD, UserFactory
from liandong.conftest import BROWSER
from liandong.demands import config
from liandong.demands.models import Demand, State
from liandong.demands.services import routing_rule_create
from liandong.demands.tests.factories import make_demand
from liandong.organizations.tests.factories import OrganizationFactory, UnionFactory

pytestmark = BROWSER
SHOTS = os.environ.get("LIANDONG_SCREENSHOTS", "")


def shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_the_liaison_works_the_most_urgent_demand_first(live_server, browser) -> None:
    config.clear()
    union = UnionFactory(name="甘肃省经贸工会", code="B-JM")
    authority = OrganizationFactory(name="甘肃省邮政管理局", code="B-YZ", kind="authority")
    routing_rule_create(actor=None, union=union, body=authority, industry="快递")
    UserFactory(username="yz", role=Role.LIAISON, organization=authority)
    calm = make_demand(description="网点休息室没有空调，夏天太热，希望改善一下条件。")
    breached = make_demand(description="拖欠十月份派费三千二百元，站长说总部没结算。")
    Demand.objects.filter(pk=breached.pk).update(
        is_breached=True, response_due=timezone.now() - timedelta(days=1)
    )
    assert calm.state == breached.state == State.DISPATCHED

    for width, label in [(1280, "desktop"), (390, "phone")]:
        page = browser.new_page(viewport={"width": width, "height": 900}, locale="zh-CN")
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "yz")
        page.fill("input[name=password]", TEST_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/demands/")
        first = page.locator("table tbody tr").first.inner_text()
        assert breached.code in first
        assert "超时" in first
        shot(page, f"{label}-staff-demand-list")
        page.click(f"text={calm.code if label == 'phone' else breached.code}")
        page.wait_for_url("**/demands/*/")
        button = page.locator("#action-accept button[type=submit]")
        assert button.is_visible()  # no disclosure to open first
        assert button.inner_text() == "开始办理"
        assert page.locator("#action-transfer button[type=submit]").is_visible()
        box = button.bounding_box()
        assert box is not None
        assert box["height"] >= 44
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        shot(page, f"{label}-staff-demand-detail")
        page.fill("#action-accept textarea[name=note]", "已联系网点核实。")
        button.click()
        page.wait_for_load_state()
        assert "已开始办理" in page.inner_text(".messages")
        page.close()
    assert Demand.objects.get(pk=breached.pk).state == State.IN_PROGRESS
    assert Demand.objects.get(pk=calm.pk).state == State.IN_PROGRESS
