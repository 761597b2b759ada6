"""Worked examples of the results arithmetic, each computed by hand in its docstring."""

from decimal import Decimal as D
from fractions import Fraction

from liandong.competitions.scoring import (
    EXACT,
    STAGE,
    EntrySpec,
    SegmentSpec,
    Sheet,
    TeamResult,
    Tier,
    advancing,
    assign_prizes,
    compute_round,
    rank_teams,
    team_exact,
    team_score,
)


def sheets(segment: int, entry: int, scores: list[str], first_judge: int = 1) -> list[Sheet]:
    return [Sheet(segment, entry, first_judge + i, D(s)) for i, s in enumerate(scores)]


def test_example_1_five_judges_drop_highest_and_lowest() -> None:
    """One segment, weight 100, full marks 100, judges 1–5 give 90, 85, 88, 70, 95.
    Five judges ≥ 5: drop the highest (95, judge 5) and the lowest (70, judge 4).
    Mean of 90, 85, 88 = 263 / 3 = 87.666… → 87.67. Points 87.67 / 100 × 100 = 87.67."""
    segment = SegmentSpec(1, "实操", D(100), D(100), judge_ids=(1, 2, 3, 4, 5))
    [result] = compute_round(
        [segment], [EntrySpec(10, 1)], sheets(1, 10, ["90", "85", "88", "70", "95"]), 5
    )
    marks = result.segments[0].marks
    assert [(m.judge_id, m.dropped) for m in marks if m.dropped] == [(4, "low"), (5, "high")]
    assert result.segments[0].mean == D("87.67")
    assert result.total == D("87.67")
    assert result.complete


def test_example_2_four_judges_keep_every_score_and_the_threshold_is_configurable() -> None:
    """Four judges give 80, 82, 84, 85: fewer than 5, nothing dropped; mean 331 / 4 = 82.75.
    With the threshold set to 4 the same sheets drop 85 and 80: (82 + 84) / 2 = 83.00.
    With 0 (never drop) five sheets 60, 70, 80, 90, 100 keep all: 400 / 5 = 80.00."""
    segment = SegmentSpec(1, "讲解", D(100), D(100), judge_ids=(1, 2, 3, 4))
    entries = [EntrySpec(1, 1)]
    [kept] = compute_round([segment], entries, sheets(1, 1, ["80", "82", "84", "85"]), 5)
    assert kept.total == D("82.75")
    [dropped] = compute_round([segment], entries, sheets(1, 1, ["80", "82", "84", "85"]), 4)
    assert dropped.total == D("83.00")
    five = SegmentSpec(1, "讲解", D(100), D(100), judge_ids=(1, 2, 3, 4, 5))
    [never] = compute_round([five], entries, sheets(1, 1, ["60", "70", "80", "90", "100"]), 0)
    assert never.total == D("80.00")


def test_example_3_weights_and_different_full_marks() -> None:
    """理论知识 weight 30, full 100: one sheet 90 → 90 / 100 × 30 = 27.00.
    VR实操 weight 70, full 50: sheets 40, 42, 44 → mean 42.00 → 42 / 50 × 70 = 58.80.
    Total 27.00 + 58.80 = 85.80."""
    theory = SegmentSpec(1, "理论知识", D(30), D(100), judge_ids=(1,))
    practice = SegmentSpec(2, "VR实操", D(70), D(50), judge_ids=(2, 3, 4))
    data = sheets(1, 7, ["90"]) + sheets(2, 7, ["40", "42", "44"], first_judge=2)
    [result] = compute_round([theory, practice], [EntrySpec(7, 3)], data, 5)
    assert [s.points for s in result.segments] == [D("27.00"), D("58.80")]
    assert result.total == D("85.80")


def test_example_4_ties_broken_by_segment_order_then_shared_rank() -> None:
    """Two segments, weight 50 each, full 100; tie-break: segment 2 first.
    E1: 80, 90 → 40 + 45 = 85.00.  E2: 90, 80 → 45 + 40 = 85.00.  E3: 90, 80 → 85.00.
    E4: 70, 70 → 70.00.  All of E1–E3 total 85; segment 2 puts E1 (90) before E2 and E3 (80);
    E2 and E3 are equal in every figure and share rank 2; E4 is 4th (not 3rd).
    Among the equals, order of appearance lists E3 (No. 1) before E2 (No. 5)."""
    s1 = SegmentSpec(1, "个人风采展示", D(50), D(100), tie_break=None, judge_ids=(1,))
    s2 = SegmentSpec(2, "五通建设主题讲解", D(50), D(100), tie_break=1, judge_ids=(1,))
    entries = [EntrySpec(1, 2), EntrySpec(2, 5), EntrySpec(3, 1), EntrySpec(4, 3)]
    data = []
    for entry, (a, b) in {
        1: ("80", "90"),
        2: ("90", "80"),
        3: ("90", "80"),
        4: ("70", "70"),
    }.items():
        data += [Sheet(1, entry, 1, D(a)), Sheet(2, entry, 1, D(b))]
    ranked = compute_round([s1, s2], entries, data, 5)
    assert [(r.entry.id, r.rank, r.total) for r in ranked] == [
        (1, 1, D("85.00")),
        (3, 2, D("85.00")),
        (2, 2, D("85.00")),
        (4, 4, D("70.00")),
    ]


def test_example_5_missing_sheets_and_a_conflicted_judge() -> None:
    """Three judges (1, 2, 3) assigned. E1 has sheets from judges 1 and 2 only: mean over
    what is in, (80 + 90) / 2 = 85.00, and 1 sheet missing (not complete).
    E2 is from judge 3's body: judge 3 must not score them, so 2 sheets are expected;
    70 and 75 → 72.50, complete."""
    segment = SegmentSpec(1, "案例分析", D(100), D(100), judge_ids=(1, 2, 3))
    entries = [EntrySpec(1, 1), EntrySpec(2, 2, conflicted_judges=frozenset({3}))]
    data = sheets(1, 1, ["80", "90"]) + sheets(1, 2, ["70", "75"])
    e1, e2 = compute_round([segment], entries, data, 5)
    assert (e1.total, e1.missing, e1.complete) == (D("85.00"), 1, False)
    assert (e2.total, e2.missing, e2.complete) == (D("72.50"), 0, True)


def test_example_6_advancement_top_percent_per_group_with_a_tie_at_the_cut() -> None:
    """Top 50% of each group advance (rounded up). Group 甲 has 5 entrants with totals
    90, 80, 80, 70, 60: 50% of 5 = 2.5 → 3 places; ranks 1, 2, 2, 4, 5 → 90, 80, 80 advance.
    Group 乙 has 3 entrants with 88, 77, 66: 1.5 → 2 places → 88 and 77 advance.
    Ranked over all 8 instead (top 3), only 90, 88 and one of the 80s would pass — per group
    matters. Top N = 2 over everyone: 90 and 88."""
    segment = SegmentSpec(1, "理论知识", D(100), D(100), judge_ids=(1,))
    totals = {
        1: ("甲", "90"),
        2: ("甲", "80"),
        3: ("甲", "80"),
        4: ("甲", "70"),
        5: ("甲", "60"),
        6: ("乙", "88"),
        7: ("乙", "77"),
        8: ("乙", "66"),
    }
    entries = [EntrySpec(pk, pk, group) for pk, (group, _) in totals.items()]
    data = [Sheet(1, pk, 1, D(score)) for pk, (_, score) in totals.items()]
    results = compute_round([segment], entries, data, 5)
    chosen = advancing(results, [segment], percent=D(50), per_group=True)
    assert chosen == {1: 1, 2: 2, 3: 2, 6: 1, 7: 2}
    assert set(advancing(results, [segment], count=2)) == {1, 6}


def test_example_7_prize_tiers_with_counts_percentages_and_the_rest() -> None:
    """Ten finalists ranked 1, 2, 3, 3, 5, 6, 7, 8, 9, 10. Tiers: 一等奖 1, 二等奖 2,
    三等奖 30% (of 10 = 3), 优秀奖 the rest. Cut-offs by rank: 1, 3, 6, ∞.
    Rank 1 → 一等奖; ranks 2, 3, 3 → 二等奖 (the tie at the edge shares the better prize);
    ranks 5, 6 → 三等奖; 7–10 → 优秀奖."""
    ranks = [1, 2, 3, 3, 5, 6, 7, 8, 9, 10]
    tiers = [
        Tier("一等奖", count=1),
        Tier("二等奖", count=2),
        Tier("三等奖", percent=D(30)),
        Tier("优秀奖"),
    ]
    prizes = assign_prizes(ranks, tiers, lambda r: r)
    assert [prizes[i] for i in range(10)] == [
        "一等奖",
        "二等奖",
        "二等奖",
        "二等奖",
        "三等奖",
        "三等奖",
        "优秀奖",
        "优秀奖",
        "优秀奖",
        "优秀奖",
    ]
    assert assign_prizes(ranks, [Tier("一等奖", count=1)], lambda r: r) == {0: "一等奖"}


def test_example_8_team_scores_and_standings() -> None:
    """Team 甲 members 85.50, 80.00, 70.25; team 乙 members 90.00, 75.00, 70.75.
    Sum: 甲 235.75, 乙 235.75 → shared rank 1. Mean: 甲 235.75 / 3 = 78.5833 → 78.58 (both).
    Best 2: 甲 85.50 + 80.00 = 165.50, 乙 90.00 + 75.00 = 165.00 → 甲 1st, 乙 2nd."""
    a = [D("85.50"), D("80.00"), D("70.25")]
    b = [D("90.00"), D("75.00"), D("70.75")]
    assert team_score(a, "sum", 0) == team_score(b, "sum", 0) == D("235.75")
    assert team_score(a, "mean", 0) == D("78.58")
    teams = rank_teams(
        [
            TeamResult(1, "甲", a, team_score(a, "best", 2)),
            TeamResult(2, "乙", b, team_score(b, "best", 2)),
        ]
    )
    assert [(t.name, t.score, t.rank) for t in teams] == [
        ("甲", D("165.50"), 1),
        ("乙", D("165.00"), 2),
    ]
    tied = rank_teams([TeamResult(1, "甲", a, D("235.75")), TeamResult(2, "乙", b, D("235.75"))])
    assert [t.rank for t in tied] == [1, 1]


def test_example_9_exact_and_stage_rounding_rank_differently() -> None:
    """Theory weight 40, practice weight 60, full marks 100, two judges each.
    E1: theory 80, 80 → 80; practice 80.01, 80.03 → 80.02.
        exact 32 + 48.012 = 80.012; stage 32.00 + 48.01 = 80.01.
    E2: theory 80, 80.03 → 80.015; practice 80, 80.01 → 80.005.
        exact 32.006 + 48.003 = 80.009; stage 80.02 × 0.4 = 32.008 → 32.01,
        80.01 × 0.6 = 48.006 → 48.01; 80.02.
    Exact ranks E1 first (80.012 > 80.009), both shown as 80.01; stage ranks E2 first."""
    theory = SegmentSpec(1, "理论", D(40), D(100), judge_ids=(1, 2))
    practice = SegmentSpec(2, "实操", D(60), D(100), judge_ids=(1, 2))
    marks = [
        *sheets(1, 1, ["80", "80"]),
        *sheets(2, 1, ["80.01", "80.03"]),
        *sheets(1, 2, ["80", "80.03"]),
        *sheets(2, 2, ["80", "80.01"]),
    ]
    entries = [EntrySpec(1, 1), EntrySpec(2, 2)]
    exact = compute_round([theory, practice], entries, marks, 0, EXACT)
    assert [(r.entry.id, r.total, r.rank) for r in exact] == [
        (1, D("80.01"), 1),
        (2, D("80.01"), 2),
    ]
    assert [s.mean for s in exact[1].segments] == [D("80.02"), D("80.01")]  # shown rounded
    stage = compute_round([theory, practice], entries, marks, 0, STAGE)
    assert [(r.entry.id, r.total, r.rank) for r in stage] == [
        (2, D("80.02"), 1),
        (1, D("80.01"), 2),
    ]
    assert [s.points for s in stage[0].segments] == [D("32.01"), D("48.01")]  # they add up


def test_example_10_teams_follow_the_rounding_rule() -> None:
    """Sum of two members. 甲: 85.004 + 85.004 = 170.008 exact, 85.00 + 85.00 = 170.00
    rounded; 乙: 85.005 + 84.999 = 170.004 exact, 85.01 + 85.00 = 170.01 rounded.
    Exact: 甲 first (both shown 170.01); stage: 乙 first."""
    a = [Fraction("85.004"), Fraction("85.004")]
    b = [Fraction("85.005"), Fraction("84.999")]

    def standings(rounding: str) -> list[tuple[str, D, int]]:
        teams = [
            TeamResult(
                i,
                name,
                [],
                team_score(m, "sum", 0, rounding),
                exact=team_exact(m, "sum", 0, rounding),
            )
            for i, name, m in ((1, "甲", a), (2, "乙", b))
        ]
        return [(t.name, t.score, t.rank) for t in rank_teams(teams)]

    assert standings(EXACT) == [("甲", D("170.01"), 1), ("乙", D("170.00"), 2)]
    assert standings(STAGE) == [("乙", D("170.01"), 1), ("甲", D("170.00"), 2)]
