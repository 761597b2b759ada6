"""Real browser: a judge scores on a tablet-width page, and the public scoreboard open in
another window picks the new sheets up by itself."""

import pytest
from playwright.sync_api import expect

from liandong.accounts.tests.factories import TEST_PASSWORD
from liandong.competitions.models import ContestStatus, ScoreSheet
from liandong.competitions.tests.factories import contest_setup
from liandong.conftest import BROWSER

pytestmark = [*BROWSER, pytest.mark.usefixtures("transactional_db")]


def test_a_judge_scores_on_a_tablet_and_the_scoreboard_updates(live_server, browser, world) -> None:
    setup = contest_setup(world, status=ContestStatus.IN_PROGRESS)
    board = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    board.goto(f"{live_server.url}/competitions/{setup.contest.pk}/scoreboard/")
    assert board.inner_text(".board-progress") == "0"
    assert "评分中" in board.inner_text("#board")

    tablet = browser.new_page(
        viewport={"width": 820, "height": 1180}, locale="zh-CN", has_touch=True
    )
    tablet.goto(f"{live_server.url}/accounts/login/")
    tablet.fill("input[name=username]", "judge_x")
    tablet.fill("input[name=password]", TEST_PASSWORD)
    tablet.click("button[type=submit]")
    tablet.wait_for_url(f"{live_server.url}/competitions/judging/")  # a judge lands on it
    tablet.click("text=初赛 · 实操")
    inputs = tablet.locator(".sheet-row input")
    assert inputs.count() == 3
    box = inputs.first.bounding_box()
    assert box is not None
    assert box["height"] >= 44  # a finger-sized target
    # Slips first: each score is checked as it is typed, and every slip is marked.
    tablet.fill("input[name=score_1]", "95")
    tablet.fill("input[name=score_2]", "105")
    tablet.fill("input[name=score_3]", "88.555")
    expect(tablet.locator(".sheet-row.invalid")).to_have_count(2)
    assert "超出范围（0–100 分）" in tablet.inner_text(".sheet-row:has(#score_2) .state")
    assert "最多保留两位小数" in tablet.inner_text(".sheet-row:has(#score_3) .state")
    assert tablet.get_attribute("#score_1", "aria-invalid") is None
    tablet.click("text=提交并锁定")
    summary = tablet.locator("#sheet-live-errors")
    expect(summary).to_be_visible()
    assert "有 2 个分数需要更正" in summary.inner_text()
    assert not tablet.locator("#sheet-confirm").is_visible()
    assert ScoreSheet.objects.count() == 0
    # An empty score is refused on submit-and-lock too.
    tablet.fill("input[name=score_2]", "")
    tablet.fill("input[name=score_3]", "88.5")
    tablet.click("text=提交并锁定")
    assert "2 号选手：请填写分数后再提交" in summary.inner_text()
    tablet.fill("input[name=score_2]", "91")
    expect(tablet.locator(".sheet-row.invalid")).to_have_count(0)
    # The confirmation says how many scores will lock; 返回修改 changes nothing.
    tablet.click("text=提交并锁定")
    dialog = tablet.locator("#sheet-confirm")
    expect(dialog).to_be_visible()
    assert "将提交并锁定 3 个分数" in dialog.inner_text()
    dialog.locator("text=返回修改").click()
    expect(dialog).to_be_hidden()
    assert ScoreSheet.objects.count() == 0
    tablet.click("text=提交并锁定")
    dialog.locator("text=确认提交").click()
    tablet.wait_for_selector(".message-success")
    assert tablet.locator(".sheet-row.locked").count() == 3
    assert ScoreSheet.objects.filter(status="submitted").count() == 3

    # The scoreboard refreshes itself every 5 seconds: no reload.
    expect(board.locator(".board-progress")).to_have_text("3", timeout=12_000)
    text = board.inner_text("#board")
    assert "57.00" in text  # order no. 1: 95 / 100 × 60
    for entrant in setup.entrants:
        assert entrant.worker.name not in text
