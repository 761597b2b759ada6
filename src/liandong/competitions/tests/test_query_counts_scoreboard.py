"""The statements the public scoreboard sends, exactly: rebuilt (cold) and from the
per-process cache (the hall's screens ask every 5 seconds)."""

import pytest

from liandong.competitions.models import ContestStatus
from liandong.competitions.tests.factories import contest_setup
from liandong.competitions.tests.test_services import score_all
from liandong.core.tests.client import BrowserClient

pytestmark = pytest.mark.django_db


def test_scoreboard_cold_and_cached(world, django_assert_num_queries) -> None:
    setup = contest_setup(world, status=ContestStatus.IN_PROGRESS)
    score_all(setup, {0: ("90", "90"), 1: ("80", "85"), 2: ("85", "80")})
    url = f"/competitions/{setup.contest.pk}/scoreboard/?partial=1"
    anonymous = BrowserClient()
    # The contest, its rounds, the board's version (count and latest submission of the round's
    # sheets); then the board: the rounds again (current round), judge assignments, segments,
    # the judges' organizations, the round's entries with their workers and units, the sheets.
    with django_assert_num_queries(9):
        cold = anonymous.get(url)
    assert "90.00" in cold.content.decode()
    # The contest, its rounds, the board's version: unchanged, the cached HTML is sent.
    with django_assert_num_queries(3):
        cached = anonymous.get(url)
    assert cached.content == cold.content
