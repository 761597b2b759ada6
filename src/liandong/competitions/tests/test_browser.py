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
    tablet.click("nav >> text=评分")
    tablet.click("text=初赛 · 实操")
    inputs = tablet.locator(".sheet-row input")
    assert inputs.count() == 3
    box = inputs.first.bounding_box()
    assert box is not None
    assert box["height"] >= 44  # a finger-sized target
    # A slip first: 105 on a 100-point segment is refused and nothing is saved.
    tablet.fill("input[name=score_1]", "95")
    tablet.fill("input[name=score_2]", "105")
    tablet.fill("input[name=score_3]", "88.5")
    tablet.click("text=提交（提交后锁定）")
    assert "超出范围" in tablet.inner_text(".form-errors")
    assert ScoreSheet.objects.count() == 0
    tablet.fill("input[name=score_2]", "91")
    tablet.click("text=提交（提交后锁定）")
    tablet.wait_for_selector(".message-success")
    assert tablet.locator(".sheet-row.locked").count() == 3
    assert ScoreSheet.objects.filter(status="submitted").count() == 3

    # The scoreboard refreshes itself every 5 seconds: no reload.
    expect(board.locator(".board-progress")).to_have_text("3", timeout=12_000)
    text = board.inner_text("#board")
    assert "57.00" in text  # order no. 1: 95 / 100 × 60
    for entrant in setup.entrants:
        assert entrant.worker.name not in text
