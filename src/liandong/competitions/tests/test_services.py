"""The rules of issue 6, one test per rule; every refusal leaves the data as it was."""

import io
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook
from stdnum.cn import ric

from liandong.accounts.models import Role, User
from liandong.accounts.tests.factories import UserFactory
from liandong.competitions import services
from liandong.competitions.importing import score_template_xlsx, scores_from_xlsx
from liandong.competitions.models import Contest, ContestStatus, Entrant, RoundEntry, ScoreSheet
from liandong.competitions.selectors import judge_pool, round_results
from liandong.competitions.services import ScoreInput
from liandong.competitions.tests.factories import Setup, contest_setup
from liandong.core.models import AuditLog
from liandong.workers.tests.factories import WorkerFactory


def id_born(birth: str, sequence: str) -> str:
    body = f"620102{birth}{sequence}"
    return body + ric.calc_check_digit(body + "0")


def order(setup: Setup, index: int) -> int:
    return setup.entry(setup.entrants[index]).order_no


def score_all(
    setup: Setup, table: dict[int, tuple[str, str]], judges: tuple[str, ...] = ("chief", "x")
) -> None:
    """``table``: entrant index -> (理论知识, 实操) given by every judge named."""
    for name in judges:
        for segment, column in ((setup.theory, 0), (setup.practice, 1)):
            services.sheets_save(
                actor=setup.judges[name],
                segment=segment,
                submit=True,
                scores=[ScoreInput(order(setup, i), v[column]) for i, v in table.items()],
            )


def refused(code: str, call, *args, **kwargs) -> ValidationError:
    sheets = list(ScoreSheet.objects.values_list("pk", "score", "status"))
    audits = AuditLog.objects.count()
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    codes = [e.code for errors in getattr(caught.value, "error_dict", {}).values() for e in errors]
    assert code in codes or caught.value.code == code, (codes, caught.value)
    assert list(ScoreSheet.objects.values_list("pk", "score", "status")) == sheets
    assert AuditLog.objects.count() == audits
    return caught.value


# --- configuration ---------------------------------------------------------------------------


def test_segments_need_positive_weight_and_full_marks(setup: Setup) -> None:
    admin = setup.contest.organization.accounts.first()
    with pytest.raises(ValidationError, match="权重"):
        services.segment_create(
            actor=admin, round=setup.final, name="x", weight=D(0), full_marks=D(100)
        )
    with pytest.raises(ValidationError, match="满分"):
        services.segment_create(
            actor=admin, round=setup.final, name="x", weight=D(10), full_marks=D(-1)
        )
    with pytest.raises(ValidationError, match="比例"):
        services.prize_tier_create(
            actor=admin, contest=setup.contest, name="三等奖", percent=D(120)
        )
    with pytest.raises(ValidationError, match="只能填写一项"):
        services.prize_tier_create(
            actor=admin, contest=setup.contest, name="三等奖", count=2, percent=D(10)
        )


def test_only_judge_accounts_are_assigned(world, setup: Setup) -> None:
    with pytest.raises(ValidationError, match="评委账号"):
        services.judge_assign(actor=None, segment=setup.theory, judge=world.users["staff_a"])
    with pytest.raises(ValidationError, match="已分配"):
        services.judge_assign(actor=None, segment=setup.theory, judge=setup.judges["x"])


def test_judges_come_from_the_organizers_union_tree_and_partners(world, setup: Setup) -> None:
    """A contest of union A may call on judges of A's subtree, of the unions above it, of its
    partner bodies and the unattached pool; a sibling union's judges are neither offered nor
    assignable, as judge nor as chief judge."""
    assert setup.contest.organization == world.union_a

    def judge(name: str, **fields) -> User:
        return UserFactory(username=name, role=Role.JUDGE, **fields)

    offered = {
        judge("j_province", organization=world.province),
        judge("j_enterprise_a", organization=world.enterprise_a),
        judge("j_authority", organization=world.authority),  # a partner body of union A
        judge("j_made_by_a", managed_by=world.union_a),
        judge("j_pool"),
    }
    sibling = judge("j_enterprise_b", organization=world.enterprise_b)
    made_by_b = judge("j_made_by_b", managed_by=world.union_b)
    pool = set(judge_pool(world.union_a))
    assert offered <= pool
    assert not {sibling, made_by_b} & pool
    for refused in (sibling, made_by_b):
        with pytest.raises(ValidationError, match="评委范围"):
            services.judge_assign(actor=None, segment=setup.theory, judge=refused)
        with pytest.raises(ValidationError, match="评委范围"):
            services.contest_update(actor=None, contest=setup.contest, chief_judge=refused)
    services.judge_assign(actor=None, segment=setup.theory, judge=next(iter(offered)))


# --- registration and review -----------------------------------------------------------------


def test_registration_only_while_open_and_once(world, setup: Setup) -> None:
    admin = world.users["admin_a"]
    worker = WorkerFactory(employer=world.outlet_a)
    with pytest.raises(ValidationError, match="不在报名期"):
        services.entrant_register(
            actor=admin, contest=setup.contest, worker=worker, registered_by=world.union_a
        )
    services.contest_update(actor=admin, contest=setup.contest, status=ContestStatus.REGISTRATION)
    setup.contest.refresh_from_db()
    with pytest.raises(ValidationError, match="已报名"):
        services.entrant_register(
            actor=admin, contest=setup.contest, worker=world.worker_a, registered_by=world.union_a
        )
    assert Entrant.objects.filter(contest=setup.contest).count() == 3


def test_eligibility_occupation_age_and_employer_type(world) -> None:
    setup = contest_setup(world)
    admin = world.users["admin_a"]
    services.contest_update(
        actor=admin,
        contest=setup.contest,
        occupation_keywords="快递 分拣",
        min_age=18,
        max_age=40,
        employer_kinds="outlet",
    )
    contest = Contest.objects.get(pk=setup.contest.pk)
    # worker A: born 1984-03-15 → 42 on 2026-11-28: too old.
    assert services.eligibility_problems(contest, world.worker_a) == ["年龄 42 岁，超过 40 岁"]
    cook = WorkerFactory(
        employer=world.outlet_a, occupation="厨师", id_number=id_born("19950307", "123")
    )
    assert services.eligibility_problems(contest, cook) == [
        "职业“厨师”不符合报名条件（快递、分拣）"
    ]
    office = WorkerFactory(
        employer=world.enterprise_a, occupation="快递员", id_number=id_born("19950307", "127")
    )
    assert "工作单位类型" in services.eligibility_problems(contest, office)[0]
    young = WorkerFactory(
        employer=world.outlet_a, occupation="分拣员", id_number=id_born("19950307", "125")
    )
    assert services.eligibility_problems(contest, young) == []
    with pytest.raises(ValidationError, match="厨师"):
        services.entrant_register(
            actor=admin, contest=contest, worker=cook, registered_by=world.union_a
        )
    services.entrant_register(
        actor=admin, contest=contest, worker=young, registered_by=world.union_a
    )
    # The organizer's approval checks again: an entrant who no longer qualifies is not approved.
    with pytest.raises(ValidationError, match="超过 40 岁"):
        services.entrant_review(actor=admin, entrant=setup.entrants[0], approve=True)


def test_teams_register_all_members_or_none(world) -> None:
    setup = contest_setup(world)
    admin = world.users["admin_a"]
    a, b = WorkerFactory(employer=world.outlet_a), WorkerFactory(employer=world.outlet_a)
    with pytest.raises(ValidationError, match="每队应为 2 人"):
        services.team_register(
            actor=admin,
            contest=setup.contest,
            name="甲队",
            registered_by=world.union_a,
            workers=[a],
        )
    with pytest.raises(ValidationError, match="已报名"):
        services.team_register(
            actor=admin,
            contest=setup.contest,
            name="甲队",
            registered_by=world.union_a,
            workers=[a, world.worker_a],
        )
    assert not setup.contest.teams.exists()
    assert not Entrant.objects.filter(worker=a).exists()
    team = services.team_register(
        actor=admin, contest=setup.contest, name="甲队", registered_by=world.union_a, workers=[a, b]
    )
    assert set(team.members.values_list("worker_id", flat=True)) == {a.pk, b.pk}


def test_review_puts_approved_entrants_in_the_first_round_and_rejection_takes_them_out(
    world, setup: Setup
) -> None:
    assert setup.preliminary.entries.count() == 3
    services.entrant_review(actor=None, entrant=setup.entrants[2], approve=False, note="材料不全")
    assert setup.preliminary.entries.count() == 2
    assert Entrant.objects.get(pk=setup.entrants[2].pk).status == Entrant.Status.REJECTED


# --- order of appearance ---------------------------------------------------------------------


def test_the_draw_is_replayable_from_its_seed_and_order_can_be_assigned(
    world, setup: Setup
) -> None:
    first = dict(setup.preliminary.entries.values_list("pk", "order_no"))
    assert sorted(first.values()) == [1, 2, 3]
    services.round_draw_order(actor=None, round=setup.preliminary, seed="fixed-seed")
    assert dict(setup.preliminary.entries.values_list("pk", "order_no")) == first
    ids = sorted(first)
    with pytest.raises(ValidationError, match="互不相同"):
        services.round_assign_order(
            actor=None, round=setup.preliminary, numbers={ids[0]: 1, ids[1]: 1, ids[2]: 2}
        )
    assert dict(setup.preliminary.entries.values_list("pk", "order_no")) == first
    services.round_assign_order(
        actor=None, round=setup.preliminary, numbers={ids[0]: 3, ids[1]: 1, ids[2]: 2}
    )
    assert dict(setup.preliminary.entries.values_list("pk", "order_no")) == {
        ids[0]: 3,
        ids[1]: 1,
        ids[2]: 2,
    }
    services.sheets_save(
        actor=setup.judges["x"], segment=setup.theory, scores=[ScoreInput(1, "80")]
    )
    with pytest.raises(ValidationError, match="已开始评分"):
        services.round_draw_order(actor=None, round=setup.preliminary)


# --- score sheets ----------------------------------------------------------------------------


def test_scores_outside_zero_to_full_marks_are_refused(setup: Setup) -> None:
    judge = setup.judges["x"]
    for bad in ["100.5", "-1", "abc", "88.123", "NaN"]:
        refused(
            {
                "100.5": "out_of_range",
                "-1": "out_of_range",
                "abc": "not_a_number",
                "88.123": "too_precise",
                "NaN": "not_a_number",
            }[bad],
            services.sheets_save,
            actor=judge,
            segment=setup.theory,
            scores=[ScoreInput(order(setup, 0), "90"), ScoreInput(order(setup, 1), bad)],
        )
    assert not ScoreSheet.objects.exists()


def test_an_unassigned_segment_is_refused(world, setup: Setup) -> None:
    other = setup.judges["x"]
    setup.theory.assignments.filter(judge=other).delete()
    refused(
        "not_assigned",
        services.sheets_save,
        actor=other,
        segment=setup.theory,
        scores=[ScoreInput(order(setup, 0), "90")],
    )


def test_duplicate_sheets_are_refused(setup: Setup) -> None:
    judge = setup.judges["x"]
    refused(
        "duplicate_sheet",
        services.sheets_save,
        actor=judge,
        segment=setup.theory,
        scores=[ScoreInput(order(setup, 0), "90"), ScoreInput(order(setup, 0), "91")],
    )


def test_a_submitted_sheet_is_locked_for_its_judge(setup: Setup) -> None:
    judge = setup.judges["x"]
    services.sheets_save(
        actor=judge, segment=setup.theory, scores=[ScoreInput(order(setup, 0), "90")]
    )
    services.sheets_save(
        actor=judge, segment=setup.theory, scores=[ScoreInput(order(setup, 0), "92")], submit=True
    )
    sheet = ScoreSheet.objects.get()
    assert (sheet.score, sheet.status) == (D("92"), "submitted")
    refused(
        "sheet_locked",
        services.sheets_save,
        actor=judge,
        segment=setup.theory,
        scores=[ScoreInput(order(setup, 0), "95")],
    )


def test_a_judge_of_the_entrants_body_cannot_score_them(setup: Setup) -> None:
    refused(
        "conflict_of_interest",
        services.sheets_save,
        actor=setup.judges["ea"],
        segment=setup.theory,
        scores=[ScoreInput(order(setup, 0), "90")],
    )
    # ...and is not waited for: two sheets per segment complete the entrant.
    score_all(setup, {0: ("90", "90"), 1: ("80", "80"), 2: ("70", "70")})
    results, _ = round_results(setup.preliminary)
    assert all(r.complete for r in results)


def test_chief_judge_corrects_a_submitted_sheet_and_it_is_audited(world, setup: Setup) -> None:
    score_all(setup, {0: ("90", "90"), 1: ("80", "80"), 2: ("70", "70")})
    sheet = ScoreSheet.objects.get(
        judge=setup.judges["x"], segment=setup.theory, entry=setup.entry(setup.entrants[2])
    )
    refused(
        "not_chief_judge",
        services.sheet_correct,
        actor=setup.judges["x"],
        sheet=sheet,
        score="75",
        reason="笔误",
    )
    refused(
        "reason_required",
        services.sheet_correct,
        actor=setup.judges["chief"],
        sheet=sheet,
        score="75",
        reason=" ",
    )
    refused(
        "out_of_range",
        services.sheet_correct,
        actor=setup.judges["chief"],
        sheet=sheet,
        score="175",
        reason="笔误",
    )
    services.sheet_correct(
        actor=setup.judges["chief"], sheet=sheet, score="75", reason="笔误，核对原始评分表"
    )
    sheet.refresh_from_db()
    assert sheet.score == D("75")
    entry = AuditLog.objects.get(action="competitions.sheet_corrected")
    assert entry.changes["score"] == ["70.00", "75"]
    assert entry.changes["reason"] == "笔误，核对原始评分表"
    assert entry.actor == setup.judges["chief"]


# --- advancement, prizes, publication -------------------------------------------------------


def test_advancement_before_every_sheet_is_in_is_refused(setup: Setup) -> None:
    score_all(setup, {0: ("90", "90"), 1: ("80", "80"), 2: ("70", "70")}, judges=("chief",))
    error = refused("sheets_missing", services.round_advance, actor=None, round=setup.preliminary)
    assert "6 张评分表未提交" in str(error)  # 3 entrants × 2 segments × judge x
    assert not setup.final.entries.exists()


def test_advancement_moves_the_top_n_on_and_locks_the_round(setup: Setup) -> None:
    """Theory weight 40, practice 60, two judges each, same score from both:
    E0 90/90 → 90.00; E1 80/85 → 32 + 51 = 83.00; E2 85/80 → 34 + 48 = 82.00. Top 2: E0, E1."""
    score_all(setup, {0: ("90", "90"), 1: ("80", "85"), 2: ("85", "80")})
    created = services.round_advance(actor=None, round=setup.preliminary)
    assert {e.entrant_id for e in created} == {setup.entrants[0].pk, setup.entrants[1].pk}
    totals = dict(setup.preliminary.entries.values_list("entrant_id", "total"))
    assert totals == {
        setup.entrants[0].pk: D("90.00"),
        setup.entrants[1].pk: D("83.00"),
        setup.entrants[2].pk: D("82.00"),
    }
    refused("already_advanced", services.round_advance, actor=None, round=setup.preliminary)
    refused(
        "scores_locked",
        services.sheets_save,
        actor=setup.judges["x"],
        segment=setup.theory,
        scores=[ScoreInput(order(setup, 2), "99")],
    )


def finish(setup: Setup, final_scores: dict[int, str]) -> None:
    score_all(setup, {0: ("90", "90"), 1: ("80", "85"), 2: ("85", "80")})
    services.round_advance(actor=None, round=setup.preliminary)
    services.round_draw_order(actor=None, round=setup.final, seed="final")
    for name in ("chief", "x"):
        services.sheets_save(
            actor=setup.judges[name],
            segment=setup.final_segment,
            submit=True,
            scores=[
                ScoreInput(setup.entry(setup.entrants[i], setup.final).order_no, v)
                for i, v in final_scores.items()
            ],
        )


def test_prizes_by_tiers_then_publication(setup: Setup) -> None:
    with pytest.raises(ValidationError, match="晋级"):
        services.contest_award_prizes(actor=None, contest=setup.contest)
    finish(setup, {0: "88", 1: "93"})
    with pytest.raises(ValidationError, match="请先评定奖项"):
        services.contest_publish(actor=None, contest=setup.contest)
    services.contest_award_prizes(actor=None, contest=setup.contest)
    prizes = dict(
        Entrant.objects.filter(contest=setup.contest).values_list("worker__name", "prize")
    )
    assert prizes == {
        setup.entrants[1].worker.name: "一等奖",
        setup.entrants[0].worker.name: "二等奖",
        setup.entrants[2].worker.name: "",
    }
    services.contest_publish(actor=None, contest=setup.contest)
    contest = Contest.objects.get(pk=setup.contest.pk)
    assert contest.status == ContestStatus.PUBLISHED
    assert contest.is_published
    refused(
        "scores_locked",
        services.sheet_correct,
        actor=setup.judges["chief"],
        sheet=ScoreSheet.objects.filter(segment=setup.final_segment).first(),
        score="10",
        reason="x",
    )


def test_team_standings_and_team_prizes(world) -> None:
    setup = contest_setup(world)
    admin = world.users["admin_a"]
    members = [WorkerFactory(employer=world.outlet_a) for _ in range(4)]
    team_a = services.team_register(
        actor=admin,
        contest=setup.contest,
        name="城关队",
        registered_by=world.union_a,
        workers=members[:2],
    )
    team_b = services.team_register(
        actor=admin,
        contest=setup.contest,
        name="七里河队",
        registered_by=world.union_a,
        workers=members[2:],
    )
    services.prize_tier_create(
        actor=admin, contest=setup.contest, name="团体一等奖", count=1, for_teams=True
    )
    services.prize_tier_create(
        actor=admin, contest=setup.contest, name="团体二等奖", for_teams=True
    )
    for entrant in Entrant.objects.filter(team__isnull=False):
        services.entrant_review(actor=admin, entrant=entrant, approve=True)
    # One round only, for a short contest: drop the final.
    setup.final.delete()
    services.round_draw_order(actor=admin, round=setup.preliminary, seed="t")
    entries = {
        e.entrant.worker_id: e.order_no for e in setup.preliminary.entries.select_related("entrant")
    }
    marks = {
        members[0].pk: "90",
        members[1].pk: "70",
        members[2].pk: "85",
        members[3].pk: "80",
        world.worker_a.pk: "60",
        setup.entrants[1].worker_id: "60",
        setup.entrants[2].worker_id: "60",
    }
    for name in ("chief", "x"):
        for segment in (setup.theory, setup.practice):
            services.sheets_save(
                actor=setup.judges[name],
                segment=segment,
                submit=True,
                scores=[ScoreInput(entries[w], v) for w, v in marks.items()],
            )
    services.contest_award_prizes(actor=admin, contest=setup.contest)
    # Sum rule: 城关 90 + 70 = 160, 七里河 85 + 80 = 165 → 七里河 first.
    team_a.refresh_from_db()
    team_b.refresh_from_db()
    assert (team_b.prize, team_a.prize) == ("团体一等奖", "团体二等奖")


def test_nomination_to_a_higher_contest(world, setup: Setup) -> None:
    admin = world.users["admin_a"]
    national = services.contest_create(
        actor=world.users["province_admin"],
        organization=world.province,
        name="全国网约配送员职业技能竞赛",
        level="national",
        profession="网约配送员",
        status=ContestStatus.REGISTRATION,
    )
    finish(setup, {0: "88", 1: "93"})
    winner = Entrant.objects.get(worker=setup.entrants[1].worker, contest=setup.contest)
    with pytest.raises(ValidationError, match="公示后"):
        services.entrant_nominate(actor=admin, entrant=winner, target=national)
    services.contest_award_prizes(actor=admin, contest=setup.contest)
    services.contest_publish(actor=admin, contest=setup.contest)
    winner.refresh_from_db()
    loser = Entrant.objects.get(pk=setup.entrants[2].pk)
    with pytest.raises(ValidationError, match="获奖或晋级"):
        services.entrant_nominate(actor=admin, entrant=loser, target=national)
    nominated = services.entrant_nominate(actor=admin, entrant=winner, target=national)
    assert (nominated.contest, nominated.nominated_from, nominated.status) == (
        national,
        winner,
        "pending",
    )
    city = services.contest_create(
        actor=admin,
        organization=world.union_a,
        name="乙",
        level="city",
        profession="x",
        status=ContestStatus.REGISTRATION,
    )
    with pytest.raises(ValidationError, match="更高级别"):
        services.entrant_nominate(actor=admin, entrant=winner, target=city)


# --- the theory exam's workbook --------------------------------------------------------------


def workbook(rows: list[list[object]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(["理论考试成绩"])
    sheet.append(["出场顺序", "姓名", "成绩"])
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream


def test_theory_scores_from_xlsx(setup: Setup) -> None:
    scores = scores_from_xlsx(workbook([[1, "", 92.5], [2, "", 88], [3, "", "76"]]))
    assert [(s.order_no, str(s.score)) for s in scores] == [(1, "92.5"), (2, "88"), (3, "76")]
    services.sheets_save(actor=setup.judges["x"], segment=setup.theory, scores=scores, submit=True)
    assert ScoreSheet.objects.filter(status="submitted").count() == 3
    assert set(ScoreSheet.objects.values_list("score", flat=True)) == {D("92.5"), D("88"), D("76")}


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([[1, "", "=A1*2"]], "公式"),
        ([["一", "", 90]], "不是整数"),
        ([[1, "", None]], "没有成绩"),
    ],
)
def test_bad_workbooks_are_refused_whole(rows, message) -> None:
    with pytest.raises(ValidationError, match=message):
        scores_from_xlsx(workbook(rows))


def test_not_a_workbook_is_refused() -> None:
    with pytest.raises(ValidationError):
        scores_from_xlsx(io.BytesIO(b"order,score\n1,90\n"))


def test_a_workbook_with_a_score_out_of_range_writes_nothing(setup: Setup) -> None:
    scores = scores_from_xlsx(workbook([[1, "", 90], [2, "", 190]]))
    refused(
        "out_of_range",
        services.sheets_save,
        actor=setup.judges["x"],
        segment=setup.theory,
        scores=scores,
    )


def test_the_template_lists_order_numbers() -> None:
    scores_template = io.BytesIO(score_template_xlsx([1, 2]))
    with pytest.raises(ValidationError, match="没有成绩"):
        scores_from_xlsx(scores_template)


def test_round_entry_rows_are_one_per_round(setup: Setup) -> None:
    assert RoundEntry.objects.filter(entrant=setup.entrants[0]).count() == 1


@pytest.mark.parametrize(
    ("rounding", "first", "totals"),
    [
        ("exact", 0, [D("80.01"), D("80.01"), D("70.00")]),  # 80.012 > 80.009, both shown 80.01
        ("stage", 1, [D("80.02"), D("80.01"), D("70.00")]),
    ],
)
def test_the_contest_rounding_rule_decides_the_ranking(
    setup: Setup, rounding: str, first: int, totals: list[D]
) -> None:
    """The case of test_scoring example 9 with real sheets: the two rules rank differently;
    the default is to rank on unrounded totals."""
    assert Contest._meta.get_field("rounding").default == "exact"
    services.contest_update(actor=None, contest=setup.contest, rounding=rounding)
    services.sheets_save(
        actor=setup.judges["chief"],
        segment=setup.theory,
        submit=True,
        scores=[ScoreInput(order(setup, i), v) for i, v in ((0, "80"), (1, "80"), (2, "70"))],
    )
    services.sheets_save(
        actor=setup.judges["x"],
        segment=setup.theory,
        submit=True,
        scores=[ScoreInput(order(setup, i), v) for i, v in ((0, "80"), (1, "80.03"), (2, "70"))],
    )
    services.sheets_save(
        actor=setup.judges["chief"],
        segment=setup.practice,
        submit=True,
        scores=[ScoreInput(order(setup, i), v) for i, v in ((0, "80.01"), (1, "80"), (2, "70"))],
    )
    services.sheets_save(
        actor=setup.judges["x"],
        segment=setup.practice,
        submit=True,
        scores=[ScoreInput(order(setup, i), v) for i, v in ((0, "80.03"), (1, "80.01"), (2, "70"))],
    )
    results, _ = round_results(Contest.objects.get(pk=setup.contest.pk).rounds.first())
    by_entrant = {r.entry.id: r for r in results}
    winner = by_entrant[setup.entry(setup.entrants[first]).pk]
    assert winner.rank == 1
    assert sorted((r.total for r in results), reverse=True) == totals
