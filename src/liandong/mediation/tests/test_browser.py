"""Real browser: union staff open a mediation case from a courier's wage demand with one click
on the demand's page, record a session and the agreement, and see the outcome on the demand's
timeline. Set LIANDONG_SCREENSHOTS=<dir> to keep screenshots."""

import os
from pathlib import Path
from typing import Any

from django.utils import timezone

from liandong.accounts.models import Role
from liandong.accounts.tests.factories import TEST_PASSWORD, UserFactory
from liandong.conftest import BROWSER
from liandong.demands import config
from liandong.demands.services import routing_rule_create
from liandong.demands.tests.factories import make_demand
from liandong.mediation.models import Case, State
from liandong.organizations.tests.factories import OrganizationFactory, UnionFactory

pytestmark = BROWSER
SHOTS = os.environ.get("LIANDONG_SCREENSHOTS", "")


def shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_a_demand_mediated_to_agreement_shows_on_its_timeline(live_server, browser) -> None:
    config.clear()
    union = UnionFactory(name="甘肃省经贸工会", code="B-JM")
    authority = OrganizationFactory(name="甘肃省邮政管理局", code="B-YZ", kind="authority")
    routing_rule_create(actor=None, union=union, body=authority, industry="快递")
    UserFactory(
        username="mediator", role=Role.UNION_STAFF, organization=union, display_name="马春燕"
    )
    demand = make_demand(
        submitter_name="王师傅",
        mobile="13919312345",
        employer_name="中通城关东岗网点",
        description="网点拖欠十月份派费和工资共八千六百元。",
    )

    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "mediator")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/demands/{demand.pk}/")
    shot(page, "demand-before")
    page.click("text=转入劳动争议调解")
    page.wait_for_url("**/mediation/*/")
    case = Case.objects.get(demand_id=demand.pk)
    main = page.inner_text("main")
    assert case.code in main
    assert "王师傅" in main
    assert "中通城关东岗网点" in main
    assert "139****2345" in main
    assert "13919312345" not in page.content()
    assert page.inner_text("#mediators") == "马春燕"

    today = timezone.localdate().isoformat()
    page.fill("#session-form input[name=held_on]", today)
    page.fill("#session-form input[name=place]", "职工服务站调解室")
    page.fill("#session-form input[name=attendees]", "王师傅、网点负责人、调解员")
    page.click("#session-form button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#case-state") == "调解中"
    assert "职工服务站调解室" in page.inner_text("#sessions")

    page.click("#action-agreement summary")
    page.fill("#action-agreement textarea[name=terms]", "网点于 3 日内补发派费和工资 8,600 元。")
    page.fill("#action-agreement input[name=amount]", "8600")
    page.fill("#action-agreement input[name=signed_on]", today)
    page.set_input_files(
        "#action-agreement input[name=document]",
        files=[{"name": "协议书.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 x"}],
    )
    page.click("#action-agreement button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#case-state") == "达成调解协议"
    assert "8,600.00 元" in page.inner_text("#outcome")
    shot(page, "case-agreed")
    case.refresh_from_db()
    assert case.state == State.AGREED
    assert case.agreement_document_name == "协议书.pdf"

    page.click(f"text={demand.code}")
    page.wait_for_url(f"**/demands/{demand.pk}/")
    timeline = page.inner_text(".timeline")
    assert f"转入劳动争议调解 {case.code}" in timeline
    assert "调解结果：达成调解协议" in timeline
    assert "协议金额 8,600.00 元" in timeline
    assert f"查看调解案件 {case.code}" in page.inner_text("main")
    shot(page, "demand-after")
