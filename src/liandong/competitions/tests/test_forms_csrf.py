"""The competition forms submitted as a browser submits them: the page's own fields and CSRF
token, with CSRF enforced. Eight of these forms once included their card with ``only`` and
lost the token (issue 13): every browser got 403 and nobody could set up a contest. Without the
page's token the same POST is refused and writes nothing."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client

from liandong.accounts.models import Role
from liandong.accounts.tests.factories import UserFactory
from liandong.competitions import services
from liandong.competitions.models import (
    Contest,
    ContestStatus,
    Entrant,
    JudgeAssignment,
    PrizeTier,
    Round,
    ScoreSheet,
    Segment,
)
from liandong.competitions.tests.factories import contest_setup
from liandong.competitions.tests.test_services import score_all
from liandong.core.tests.client import submit_page_form
from liandong.workers.tests.factories import WorkerFactory


@dataclass
class FormCase:
    user: Any
    url: str
    values: dict[str, Any]
    written: Callable[[], Any]  # what the valid submission changes


def contest_create(world: Any) -> FormCase:
    values = {"name": "甲市快递员技能竞赛", "level": "city", "profession": "快递员"}
    values |= {"status": "registration", "drop_extremes_from": 5}
    return FormCase(world.users["admin_a"], "/competitions/new/", values, Contest.objects.count)


def contest_edit(world: Any) -> FormCase:
    contest = contest_setup(world).contest

    def name() -> str:
        return Contest.objects.get(pk=contest.pk).name

    url = f"/competitions/{contest.pk}/edit/"
    return FormCase(world.users["admin_a"], url, {"name": "甲市快递员技能大赛"}, name)


def round_create(world: Any) -> FormCase:
    contest = contest_setup(world).contest
    url = f"/competitions/{contest.pk}/rounds/new/"
    return FormCase(world.users["admin_a"], url, {"name": "复赛"}, Round.objects.count)


def segment_create(world: Any) -> FormCase:
    setup = contest_setup(world)
    extra = services.round_create(actor=world.users["admin_a"], contest=setup.contest, name="加赛")
    url = f"/competitions/rounds/{extra.pk}/segments/new/"
    values = {"name": "实操", "weight": "100", "full_marks": "100"}
    return FormCase(world.users["admin_a"], url, values, Segment.objects.count)


def prize_tier_create(world: Any) -> FormCase:
    contest = contest_setup(world).contest
    url = f"/competitions/{contest.pk}/prizes/new/"
    values = {"name": "三等奖", "count": 2}
    return FormCase(world.users["admin_a"], url, values, PrizeTier.objects.count)


def judge_assign(world: Any) -> FormCase:
    setup = contest_setup(world)
    judge = UserFactory(username="judge_new", display_name="新评委", role=Role.JUDGE)
    url = f"/competitions/segments/{setup.theory.pk}/judges/"
    values = {"judge": judge.pk}
    return FormCase(world.users["admin_a"], url, values, JudgeAssignment.objects.count)


def entrant_register(world: Any) -> FormCase:
    contest = contest_setup(world).contest
    worker = WorkerFactory(name="钱戊", employer=world.outlet_a)
    url = f"/competitions/{contest.pk}/register/"
    return FormCase(world.users["enterprise_a"], url, {"worker": worker.pk}, Entrant.objects.count)


def sheet_correct(world: Any) -> FormCase:
    setup = contest_setup(world, status=ContestStatus.IN_PROGRESS)
    score_all(setup, {0: ("90", "90"), 1: ("80", "85"), 2: ("85", "80")})
    sheet = ScoreSheet.objects.filter(judge=setup.judges["x"], segment=setup.theory).first()
    assert sheet is not None

    def score() -> Decimal | None:
        return ScoreSheet.objects.get(pk=sheet.pk).score

    url = f"/competitions/sheets/{sheet.pk}/correct/"
    values = {"score": "70", "reason": "录入笔误"}
    return FormCase(setup.judges["chief"], url, values, score)


FORMS = [
    contest_create,
    contest_edit,
    round_create,
    segment_create,
    prize_tier_create,
    judge_assign,
    entrant_register,
    sheet_correct,
]


def everything() -> dict[str, int]:
    models: list[type[Model]] = [Contest, Round, Segment, PrizeTier, JudgeAssignment, Entrant]
    counts = {model.__name__: model.objects.count() for model in models}
    return counts | {"sheets": hash(tuple(ScoreSheet.objects.values_list("pk", "score")))}


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.__name__)
def test_the_form_posts_with_its_page_token_and_not_without(world: Any, form: Any) -> None:
    case = form(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(case.user)
    before, written = everything(), case.written()
    refused = submit_page_form(client, case.url, case.values, with_token=False)
    assert refused.status_code == 403
    assert (everything(), case.written()) == (before, written)
    response = submit_page_form(client, case.url, case.values)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert case.written() != written
