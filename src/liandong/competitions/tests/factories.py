"""Contests for tests, built through the services (audit, rules) like users would."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from liandong.accounts.models import Role
from liandong.accounts.tests.factories import UserFactory
from liandong.competitions import services
from liandong.competitions.models import Contest, ContestStatus, Entrant, Round, RoundEntry, Segment
from liandong.workers.tests.factories import WorkerFactory


@dataclass
class Setup:
    """Contest C of union A, in progress: 初赛 (top 2 advance) with 理论知识 (weight 40) and
    实操 (weight 60), both full 100, judged by the world's judge (chief judge, no body),
    judge_ea (of enterprise A) and judge_x; a 决赛 with one segment. Entrants: worker A
    and two more workers of outlet A, approved, order drawn."""

    contest: Contest
    preliminary: Round
    final: Round
    theory: Segment
    practice: Segment
    final_segment: Segment
    judges: dict[str, Any]
    entrants: list[Entrant]

    def entry(self, entrant: Entrant, round_: Round | None = None) -> RoundEntry:
        return RoundEntry.objects.get(round=round_ or self.preliminary, entrant=entrant)


def contest_setup(world: Any, *, status: str = ContestStatus.REGISTRATION) -> Setup:
    admin = world.users["admin_a"]
    chief = world.users["judge"]
    contest = services.contest_create(
        actor=admin,
        organization=world.union_a,
        name="甲市快递员职业技能竞赛",
        level="city",
        profession="快递员",
        hosts="甲产业工会、甲市人社局",
        undertakers="甲快递公司",
        starts_on=date(2026, 11, 28),
        status=ContestStatus.REGISTRATION,
        chief_judge=chief,
        team_size=2,
    )
    preliminary = services.round_create(
        actor=admin, contest=contest, name="初赛", advance_value=Decimal(2)
    )
    final = services.round_create(actor=admin, contest=contest, name="决赛")
    theory = services.segment_create(
        actor=admin,
        round=preliminary,
        name="理论知识",
        weight=Decimal(40),
        full_marks=Decimal(100),
        tie_break=2,
    )
    practice = services.segment_create(
        actor=admin,
        round=preliminary,
        name="实操",
        weight=Decimal(60),
        full_marks=Decimal(100),
        tie_break=1,
    )
    final_segment = services.segment_create(
        actor=admin, round=final, name="综合实操", weight=Decimal(100), full_marks=Decimal(100)
    )
    judges = {
        "chief": chief,
        "ea": UserFactory(
            username="judge_ea",
            display_name="甲企评委",
            role=Role.JUDGE,
            organization=world.enterprise_a,
        ),
        "x": UserFactory(username="judge_x", display_name="外聘评委", role=Role.JUDGE),
    }
    for segment in (theory, practice, final_segment):
        for judge in judges.values():
            services.judge_assign(actor=admin, segment=segment, judge=judge)
    for name, count in [("一等奖", 1), ("二等奖", 1)]:
        services.prize_tier_create(actor=admin, contest=contest, name=name, count=count)
    workers = [
        world.worker_a,
        WorkerFactory(name="张丙", employer=world.outlet_a),
        WorkerFactory(name="赵丁", employer=world.outlet_a),
    ]
    entrants = [
        services.entrant_register(
            actor=admin, contest=contest, worker=w, registered_by=world.union_a
        )
        for w in workers
    ]
    for entrant in entrants:
        services.entrant_review(actor=admin, entrant=entrant, approve=True)
    services.round_draw_order(actor=admin, round=preliminary, seed="fixed-seed")
    if status != ContestStatus.REGISTRATION:
        services.contest_update(actor=admin, contest=contest, status=status)
    contest.refresh_from_db()
    return Setup(
        contest,
        preliminary,
        final,
        theory,
        practice,
        final_segment,
        judges,
        [Entrant.objects.get(pk=e.pk) for e in entrants],
    )
