"""The arithmetic of results, free of the database so that it can be checked by hand.

Per segment, an entrant's score is the mean of the judges' submitted sheets; when at least
``drop_from`` sheets are in (``drop_from`` > 0), one highest and one lowest are dropped first.
It counts ``mean / full_marks × weight`` points; the round total is the sum of those points.

Rounding is the contest's rule (``rounding``):
- ``EXACT`` (the default, as most contest regulations intend): means, points and totals are
  kept exact (fractions) and ranking compares the exact figures; they are shown rounded to 0.01
  (half up), so the rounded figures shown may not add up to the rounded total by 0.01.
- ``STAGE``: the mean is rounded to 0.01, the points too, and the total is the sum of the
  rounded points, so the figures shown add up; ranking compares those rounded figures.

Ranking: higher total first; on an equal total the segments with a ``tie_break`` position are
compared in that order (higher segment score first); entrants still equal share the rank
(1, 2, 2, 4). Listing order among equals is the order of appearance, then the id: the same
input always gives the same output.
"""

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import NamedTuple, TypeVar

CENT = Decimal("0.01")


EXACT = "exact"  # rank on unrounded figures, show them rounded
STAGE = "stage"  # round the mean, the points and so the total at each stage


def q2(value: Decimal | Fraction) -> Decimal:
    if isinstance(value, Fraction):
        with localcontext() as context:
            context.prec = 60  # far more digits than a score has: no double rounding
            value = Decimal(value.numerator) / Decimal(value.denominator)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class SegmentSpec:
    id: int
    name: str
    weight: Decimal
    full_marks: Decimal
    tie_break: int | None = None
    judge_ids: tuple[int, ...] = ()  # assigned judges, in assignment order


@dataclass(frozen=True)
class EntrySpec:
    id: int
    order_no: int | None = None
    group: str = ""
    conflicted_judges: frozenset[int] = frozenset()  # judges who may not score this entrant


class Sheet(NamedTuple):
    # A tuple, not a dataclass: results read thousands of these per round.
    segment_id: int
    entry_id: int
    judge_id: int
    score: Decimal


@dataclass
class Mark:
    judge_id: int
    score: Decimal
    dropped: str = ""  # "", "high" or "low"


@dataclass
class SegmentResult:
    segment: SegmentSpec
    marks: list[Mark]
    expected: int
    mean: Decimal | None  # as shown (0.01)
    points: Decimal  # as shown (0.01)
    exact_mean: Fraction | None = None  # what ties are broken on

    @property
    def missing(self) -> int:
        return max(0, self.expected - len(self.marks))


@dataclass
class EntryResult:
    entry: EntrySpec
    segments: list[SegmentResult]
    total: Decimal  # as shown (0.01)
    exact: Fraction | None = None  # what ranks: the exact total, or the rounded one (STAGE)
    rank: int = 0
    sort_key: tuple = field(default=(), repr=False)

    @property
    def complete(self) -> bool:
        return all(s.missing == 0 for s in self.segments)

    @property
    def missing(self) -> int:
        return sum(s.missing for s in self.segments)

    @property
    def ranked_on(self) -> Fraction:
        return self.exact if self.exact is not None else Fraction(self.total)

    def segment_mean(self, segment_id: int) -> Fraction | None:
        for result in self.segments:
            if result.segment.id == segment_id:
                if result.exact_mean is not None:
                    return result.exact_mean
                return Fraction(result.mean) if result.mean is not None else None
        return None


def segment_mean(
    scores: Sequence[Decimal], drop_from: int
) -> tuple[Decimal | None, int | None, int | None]:
    """The rounded mean, and the positions of the dropped highest and lowest (or None)."""
    mean, high, low = exact_segment_mean(scores, drop_from)
    return (q2(mean) if mean is not None else None), high, low


def exact_segment_mean(
    scores: Sequence[Decimal], drop_from: int
) -> tuple[Fraction | None, int | None, int | None]:
    """The exact mean, and the positions of the dropped highest and lowest (or None)."""
    if not scores:
        return None, None, None
    kept = list(range(len(scores)))
    high = low = None
    if drop_from > 0 and len(scores) >= drop_from and len(scores) >= 3:
        high = max(kept, key=lambda i: (scores[i], -i))
        kept.remove(high)
        low = min(kept, key=lambda i: (scores[i], i))
        kept.remove(low)
    return Fraction(sum((scores[i] for i in kept), Decimal(0))) / len(kept), high, low


def entry_result(
    entry: EntrySpec,
    segments: Sequence[SegmentSpec],
    sheets: Iterable[Sheet],
    drop_from: int,
    rounding: str = EXACT,
) -> EntryResult:
    by_segment: dict[int, list[Sheet]] = defaultdict(list)
    for sheet in sheets:
        by_segment[sheet.segment_id].append(sheet)
    return _entry_result(entry, segments, by_segment, drop_from, _positions(segments), rounding)


def _positions(segments: Sequence[SegmentSpec]) -> dict[int, dict[int, int]]:
    return {s.id: {judge: i for i, judge in enumerate(s.judge_ids)} for s in segments}


def _entry_result(
    entry: EntrySpec,
    segments: Sequence[SegmentSpec],
    by_segment: dict[int, list[Sheet]],
    drop_from: int,
    positions: dict[int, dict[int, int]],
    rounding: str = EXACT,
) -> EntryResult:
    results = []
    exact_total = Fraction(0)
    for segment in segments:
        position = positions[segment.id]
        own = sorted(
            by_segment.get(segment.id, ()),
            key=lambda s: (position.get(s.judge_id, 10**9), s.judge_id),
        )
        exact_mean, high, low = exact_segment_mean([s.score for s in own], drop_from)
        marks = [
            Mark(s.judge_id, s.score, "high" if i == high else "low" if i == low else "")
            for i, s in enumerate(own)
        ]
        if rounding == STAGE:
            mean = q2(exact_mean) if exact_mean is not None else None
            exact_mean = Fraction(mean) if mean is not None else None
        exact_points = (
            exact_mean / Fraction(segment.full_marks) * Fraction(segment.weight)
            if exact_mean is not None
            else Fraction(0)
        )
        if rounding == STAGE:
            exact_points = Fraction(q2(exact_points))
        expected = len(segment.judge_ids) - len(
            entry.conflicted_judges.intersection(segment.judge_ids)
        )
        results.append(
            SegmentResult(
                segment,
                marks,
                expected,
                q2(exact_mean) if exact_mean is not None else None,
                q2(exact_points),
                exact_mean,
            )
        )
        exact_total += exact_points
    return EntryResult(entry, results, q2(exact_total), exact_total)


def _sort_key(result: EntryResult, tie_segments: Sequence[SegmentSpec]) -> tuple:
    breakers = tuple(-(result.segment_mean(s.id) or Fraction(0)) for s in tie_segments)
    return (-result.ranked_on, *breakers)


def rank(results: list[EntryResult], segments: Sequence[SegmentSpec]) -> list[EntryResult]:
    """Ranks ``results`` in place (shared ranks for equal keys) and returns them in order."""
    tie_segments = sorted(
        (s for s in segments if s.tie_break is not None), key=lambda s: (s.tie_break, s.id)
    )
    for result in results:
        result.sort_key = _sort_key(result, tie_segments)
    ordered = sorted(results, key=lambda r: (r.sort_key, r.entry.order_no or 10**9, r.entry.id))
    previous = None
    for position, result in enumerate(ordered, start=1):
        result.rank = (
            previous.rank
            if previous is not None and previous.sort_key == result.sort_key
            else position
        )
        previous = result
    return ordered


def compute_round(
    segments: Sequence[SegmentSpec],
    entries: Sequence[EntrySpec],
    sheets: Iterable[Sheet],
    drop_from: int,
    rounding: str = EXACT,
) -> list[EntryResult]:
    grouped: dict[int, dict[int, list[Sheet]]] = defaultdict(lambda: defaultdict(list))
    for sheet in sheets:
        grouped[sheet.entry_id][sheet.segment_id].append(sheet)
    positions = _positions(segments)
    results = [
        _entry_result(entry, segments, grouped.get(entry.id, {}), drop_from, positions, rounding)
        for entry in entries
    ]
    return rank(results, segments)


def quota(size: int, *, count: int | None = None, percent: Decimal | None = None) -> int:
    """Places for ``count`` or ``percent`` of ``size`` (rounded up); neither means all."""
    if count is not None:
        return count
    if percent is not None:
        return int((Decimal(size) * percent / 100).to_integral_value(rounding=ROUND_CEILING))
    return size


def advancing(
    results: list[EntryResult],
    segments: Sequence[SegmentSpec],
    *,
    count: int | None = None,
    percent: Decimal | None = None,
    per_group: bool = False,
) -> dict[int, int]:
    """Entry id -> rank used for advancement (within its group when ``per_group``), for those
    who advance: everyone ranked within the quota, so a tie at the cut advances all tied."""
    groups: dict[str, list[EntryResult]] = defaultdict(list)
    for result in results:
        groups[result.entry.group if per_group else ""].append(result)
    chosen: dict[int, int] = {}
    for members in groups.values():
        copies = [EntryResult(r.entry, r.segments, r.total, r.exact) for r in members]
        places = quota(len(copies), count=count, percent=percent)
        for result in rank(copies, segments):
            if result.rank <= places:
                chosen[result.entry.id] = result.rank
    return chosen


T = TypeVar("T")


@dataclass(frozen=True)
class Tier:
    name: str
    count: int | None = None
    percent: Decimal | None = None


def assign_prizes(
    ranked: Sequence[T], tiers: Sequence[Tier], rank_of: Callable[[T], int]
) -> dict[int, str]:
    """Position in ``ranked`` -> prize name. Tiers fill in order; a tie at a tier's edge gives
    all tied the better prize."""
    prizes: dict[int, str] = {}
    cumulative: float = 0  # math.inf once a tier takes everyone left
    cutoffs = []
    for tier in tiers:
        places = quota(len(ranked), count=tier.count, percent=tier.percent)
        cumulative = (
            math.inf if tier.count is None and tier.percent is None else cumulative + places
        )
        cutoffs.append((cumulative, tier.name))
    for position, item in enumerate(ranked):
        for cutoff, name in cutoffs:
            if rank_of(item) <= cutoff:
                prizes[position] = name
                break
    return prizes


@dataclass
class TeamResult:
    team_id: int
    name: str
    member_totals: list[Decimal]  # as shown
    score: Decimal  # as shown (0.01)
    rank: int = 0
    exact: Fraction | None = None  # what ranks (see ``team_score``)

    @property
    def ranked_on(self) -> Fraction:
        return self.exact if self.exact is not None else Fraction(self.score)


def exact_team_score(totals: Sequence[Fraction], rule: str, best_n: int) -> Fraction:
    """A team's score from its members' totals, as given (exact or rounded)."""
    if not totals:
        return Fraction(0)
    if rule == "mean":
        return sum(totals, Fraction(0)) / len(totals)
    if rule == "best" and best_n > 0:
        return sum(sorted(totals, reverse=True)[:best_n], Fraction(0))
    return sum(totals, Fraction(0))


def team_exact(
    totals: Sequence[Decimal | Fraction], rule: str, best_n: int, rounding: str = EXACT
) -> Fraction:
    """The team score a team ranks on. Teams follow the contest's rounding rule: EXACT takes
    the members' exact totals and rounds only for display; STAGE takes the members' rounded
    totals and rounds the team's mean too."""
    members = [Fraction(q2(t)) if rounding == STAGE else Fraction(t) for t in totals]
    exact = exact_team_score(members, rule, best_n)
    return Fraction(q2(exact)) if rounding == STAGE else exact


def team_score(
    totals: Sequence[Decimal | Fraction], rule: str, best_n: int, rounding: str = EXACT
) -> Decimal:
    """The team score shown (0.01)."""
    return q2(team_exact(totals, rule, best_n, rounding))


def rank_teams(teams: list[TeamResult]) -> list[TeamResult]:
    ordered = sorted(teams, key=lambda t: (-t.ranked_on, t.team_id))
    previous = None
    for position, team in enumerate(ordered, start=1):
        team.rank = (
            previous.rank
            if previous is not None and previous.ranked_on == team.ranked_on
            else position
        )
        previous = team
    return ordered
