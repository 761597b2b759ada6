"""Exact statement counts of the competitions app's hot pages (the contest list, a contest, an
entrant's score explanation), for one and for several rows: the count must not grow with the
rows. The scoreboard is measured elsewhere."""

from datetime import date
from typing import Any

import pytest

from liandong.competitions import services
from liandong.competitions.models import ContestStatus
from liandong.competitions.tests.factories import contest_setup
from liandong.competitions.tests.test_services import score_all
from liandong.core.tests.query_counts import ROWS, SIGNED_IN, measure
from liandong.workers.tests.factories import WorkerFactory


@pytest.fixture
def admin(world: Any, login: Any) -> Any:
    return login(world.users["admin_a"])


@pytest.mark.parametrize("rows", ROWS)
def test_contest_list_page(
    world: Any, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    for i in range(rows):
        services.contest_create(
            actor=None,
            organization=world.union_a,
            name=f"快递员职业技能竞赛{i}",
            level="city",
            profession="快递员",
            hosts="甲产业工会",
            undertakers="甲快递公司",
            starts_on=date(2026, 11, 28),
            status=ContestStatus.REGISTRATION,
        )
    # + the page of contests (with organization and entrant counts, one query).
    response = measure(admin, "/competitions/", SIGNED_IN + 1, django_assert_num_queries)
    assert "快递员职业技能竞赛0" in response.content.decode()


@pytest.mark.parametrize("rows", ROWS)
def test_contest_detail_page(
    world: Any, admin: Any, django_assert_num_queries: Any, rows: int
) -> None:
    """The set-up contest (three entrants) with ``rows - 1`` more entrants."""
    setup = contest_setup(world)
    for worker in WorkerFactory.create_batch(rows - 1, employer=world.outlet_a):
        services.entrant_register(
            actor=None, contest=setup.contest, worker=worker, registered_by=world.union_a
        )
    # + the contest; rounds, segments, judge assignments and the judges (prefetches); the
    # entrant count; segment sheet counts; the entries of each of the two rounds; the
    # contests for the nav; pending entrants; the entrants; prize tiers; teams; the delivery
    # status (its outbox rows, its inbox counts).
    measure(admin, f"/competitions/{setup.contest.pk}/", SIGNED_IN + 16, django_assert_num_queries)


@pytest.mark.parametrize("judges", [("chief",), ("chief", "x")])
def test_entrant_explanation_page(
    world: Any, admin: Any, django_assert_num_queries: Any, judges: tuple[str, ...]
) -> None:
    """Worker A's 计分说明, scored by one judge or by two (one sheet per judge and segment)."""
    setup = contest_setup(world, status=ContestStatus.IN_PROGRESS)
    score_all(setup, {0: ("90", "90"), 1: ("80", "85"), 2: ("85", "80")}, judges=judges)
    url = f"/competitions/entrants/{setup.entrants[0].pk}/"
    # + the visible entrant, the entrant in its contest, its round entries, the round's judge
    # assignments, segments and judges' bodies, the round's entries, the submitted sheets
    # (one statement), the contest, the entrant's sheets with their judges.
    response = measure(admin, url, SIGNED_IN + 10, django_assert_num_queries)
    assert "理论知识" in response.content.decode()
