"""Reads of the competitions app: results computed from the submitted sheets (a handful of
queries whatever the number of sheets), team standings, a judge's worksheet."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import CharField, Count, Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404

from liandong.accounts.models import Role, User
from liandong.competitions.models import (
    Contest,
    ContestStatus,
    Entrant,
    JudgeAssignment,
    Round,
    RoundEntry,
    ScoreSheet,
    Segment,
    Team,
)
from liandong.competitions.scoring import (
    EntryResult,
    EntrySpec,
    SegmentSpec,
    Sheet,
    TeamResult,
    advancing,
    compute_round,
    q2,
    team_exact,
)
from liandong.core.masking import mask_name
from liandong.organizations.models import Organization, subtree_q


def entrant_bodies(entrant: Entrant) -> set[int]:
    """The bodies an entrant belongs to: employer, the enterprise above an outlet, and the
    body that registered them. A judge of one of these must not score the entrant."""
    employer = entrant.worker.employer
    bodies = {employer.pk, entrant.registered_by_id}
    if employer.kind == Organization.Kind.OUTLET and employer.parent_id:
        bodies.add(employer.parent_id)
    return bodies


def _segment_specs(round_: Round) -> list[SegmentSpec]:
    judges: dict[int, list[int]] = defaultdict(list)
    for segment_id, judge_id in (
        JudgeAssignment.objects.filter(segment__round=round_)
        .order_by("id")
        .values_list("segment_id", "judge_id")
    ):
        judges[segment_id].append(judge_id)
    return [
        SegmentSpec(s.pk, s.name, s.weight, s.full_marks, s.tie_break, tuple(judges[s.pk]))
        for s in round_.segments.order_by("order", "id")
    ]


def _judge_orgs(segments: list[SegmentSpec]) -> dict[int, int]:
    from liandong.accounts.models import User

    ids = {j for s in segments for j in s.judge_ids}
    return dict(
        User.objects.filter(pk__in=ids, organization__isnull=False).values_list(
            "pk", "organization_id"
        )
    )


def _entry_specs(round_: Round, judge_orgs: dict[int, int]) -> list[EntrySpec]:
    rows = round_.entries.values_list(
        "pk",
        "order_no",
        "entrant__group",
        "entrant__registered_by_id",
        "entrant__worker__employer_id",
        "entrant__worker__employer__parent_id",
        "entrant__worker__employer__kind",
    )
    specs = []
    for pk, order_no, group, registered_by, employer, parent, kind in rows:
        bodies = {registered_by, employer} | (
            {parent} if kind == Organization.Kind.OUTLET and parent else set()
        )
        conflicted = frozenset(j for j, org in judge_orgs.items() if org in bodies)
        specs.append(EntrySpec(pk, order_no, group, conflicted))
    return specs


def submitted_sheets(segment_ids: list[int]) -> list[Sheet]:
    """The submitted sheets of some segments. The score is read as text and made a Decimal
    here: Django's per-row Decimal converter on SQLite doubled the read (4,200 sheets: 8.1 ms
    as DecimalField, 5.2 ms as text, 4.4 ms in raw SQL; PostgreSQL 4.3 / 4.9 / 4.0 ms), and the
    text is exact on both databases."""
    if not segment_ids:
        return []
    rows = (
        ScoreSheet.objects.filter(status=ScoreSheet.Status.SUBMITTED, segment_id__in=segment_ids)
        .order_by()  # the scoring sorts; the database need not
        .values_list("segment_id", "entry_id", "judge_id", Cast("score", CharField()))
    )
    return [Sheet(s, e, j, Decimal(score)) for s, e, j, score in rows]


def round_results(round_: Round) -> tuple[list[EntryResult], dict[int, int]]:
    """Ranked results of a round from its submitted sheets, and who would advance."""
    segments = _segment_specs(round_)
    entries = _entry_specs(round_, _judge_orgs(segments))
    sheets = submitted_sheets([s.id for s in segments])
    contest = round_.contest
    results = compute_round(segments, entries, sheets, contest.drop_extremes_from, contest.rounding)
    chosen: dict[int, int] = {}
    if round_.advance_value is not None:
        if round_.advance_rule == Round.Rule.TOP_N:
            chosen = advancing(
                results, segments, count=int(round_.advance_value), per_group=round_.per_group
            )
        else:
            chosen = advancing(
                results, segments, percent=round_.advance_value, per_group=round_.per_group
            )
    return results, chosen


def team_standings(contest: Contest) -> list[TeamResult]:
    """Each team's score from its members' totals in the first round (every member takes
    part in it), by the contest's team rule."""
    first = contest.rounds.order_by("order").first()
    teams = list(contest.teams.order_by("id"))
    if first is None or not teams:
        return []
    results, _ = round_results(first)
    by_entry = {r.entry.id: r for r in results}
    members: dict[int, list[EntryResult]] = defaultdict(list)
    for entry_id, team_id in first.entries.filter(entrant__team__isnull=False).values_list(
        "pk", "entrant__team_id"
    ):
        if entry_id in by_entry:
            members[team_id].append(by_entry[entry_id])
    standings = []
    for t in teams:
        own = members[t.pk]
        exact = team_exact(
            [r.ranked_on for r in own], contest.team_rule, contest.team_best_n, contest.rounding
        )
        standings.append(TeamResult(t.pk, t.name, [r.total for r in own], q2(exact), exact=exact))
    return standings


def current_round(contest: Contest) -> Round | None:
    """The round being played: the first one not yet closed by advancement."""
    rounds = list(contest.rounds.order_by("order"))
    for round_ in rounds:
        if round_.advanced_at is None:
            return round_
    return rounds[-1] if rounds else None


@dataclass
class WorkRow:
    entry: RoundEntry
    sheet: ScoreSheet | None
    conflicted: bool


def judge_worksheet(*, judge: User, segment: Segment) -> list[WorkRow]:
    """The entrants of a segment's round by order of appearance, with this judge's own sheet."""
    entries = list(
        segment.round.entries.filter(order_no__isnull=False)
        .select_related("entrant__worker__employer")
        .order_by("order_no")
    )
    sheets = {s.entry_id: s for s in ScoreSheet.objects.filter(segment=segment, judge=judge)}
    rows = []
    for entry in entries:
        conflicted = judge.organization_id is not None and judge.organization_id in entrant_bodies(
            entry.entrant
        )
        rows.append(WorkRow(entry, sheets.get(entry.pk), conflicted))
    return rows


def segments_progress(segments: QuerySet[Segment]) -> dict[int, int]:
    """Segment id -> submitted sheets."""
    return dict(
        segments.annotate(
            n=Count("sheets", filter=Q(sheets__status=ScoreSheet.Status.SUBMITTED))
        ).values_list("pk", "n")
    )


def contest_list(contests: QuerySet[Contest]) -> QuerySet[Contest]:
    return contests.select_related("organization").annotate(
        entrant_count=Count(
            "entrants", filter=Q(entrants__status=Entrant.Status.APPROVED), distinct=True
        )
    )


def team_list(contest: Contest) -> QuerySet[Team]:
    return contest.teams.select_related("organization").prefetch_related("members__worker")


def public_contest(pk: int) -> Contest:
    return get_object_or_404(
        Contest.objects.exclude(status=ContestStatus.DRAFT).select_related("organization"), pk=pk
    )


def scoreboard_version(contest: Contest, round_: Round | None) -> tuple:
    """Changes whenever what the scoreboard shows may change: a sheet submitted or corrected
    (count and latest change of the round's submitted sheets), the round, publication."""
    if round_ is None:
        return (contest.pk, None, contest.published_at)
    sheets = ScoreSheet.objects.filter(
        segment__round=round_, status=ScoreSheet.Status.SUBMITTED
    ).aggregate(n=Count("id"), last=Max("updated_at"))
    return (
        contest.pk,
        round_.pk,
        round_.updated_at,
        contest.published_at,
        sheets["n"],
        sheets["last"],
    )


def scoreboard_data(contest: Contest) -> dict[str, Any]:
    """The current round's standings from submitted sheets: order numbers until published."""
    round_ = current_round(contest)
    rows = []
    segments: list[SegmentSpec] = []
    done = expected = 0
    if round_ is not None:
        results, _ = round_results(round_)
        segments = [s.segment for s in results[0].segments] if results else []
        names = {}
        if contest.is_published:
            names = {
                e.pk: (
                    mask_name(e.entrant.worker.name),
                    e.entrant.worker.employer.name,
                    e.entrant.prize,
                )
                for e in round_.entries.select_related("entrant__worker__employer")
            }
        for result in results:
            done += sum(len(s.marks) for s in result.segments)
            expected += sum(s.expected for s in result.segments)
            name, unit, prize = names.get(result.entry.id, ("", "", ""))
            rows.append(
                {
                    "rank": result.rank,
                    "order_no": result.entry.order_no,
                    "total": result.total,
                    "segments": [s.mean for s in result.segments],
                    "complete": result.complete,
                    "name": name,
                    "unit": unit,
                    "prize": prize,
                }
            )
    return {
        "contest": contest,
        "round": round_,
        "rows": rows,
        "segments": segments,
        "done": done,
        "expected": expected,
    }


def judge_pool(organization: Organization) -> QuerySet[User]:
    """The judges a contest of ``organization`` may call on: those of its own union tree (its
    subtree and the unions above it), of the partner bodies linked to it or to a union above,
    those such a union created without an organization, and the platform's unattached pool.
    A sibling union's judges are not offered, nor their names shown."""
    line = [*organization.ancestor_ids, organization.pk]
    partners = Organization.partners.through.objects.filter(from_organization_id__in=line).values(
        "to_organization_id"
    )
    unattached = Q(organization__isnull=True) & (
        Q(managed_by__isnull=True)
        | Q(managed_by_id__in=line)
        | subtree_q(organization.path, "managed_by__path")
    )
    return User.objects.filter(
        Q(organization_id__in=line)
        | subtree_q(organization.path, "organization__path")
        | Q(organization_id__in=partners)
        | unattached,
        role=Role.JUDGE,
        is_active=True,
    ).order_by("display_name", "username")


def public_contests(*, limit: int = 6) -> tuple[list[Contest], list[Contest]]:
    """What the public front door lists: contests being held (live scoreboard) and those whose
    results are published (public results), newest first."""
    contests = Contest.objects.filter(
        status__in=[ContestStatus.IN_PROGRESS, ContestStatus.PUBLISHED]
    ).order_by("-starts_on", "-id")
    live = list(contests.filter(status=ContestStatus.IN_PROGRESS)[:limit])
    published = list(contests.filter(status=ContestStatus.PUBLISHED)[:limit])
    return live, published


def contests_of_year(organization: Organization, year: int) -> QuerySet[Contest]:
    """Contests organized in ``organization``'s subtree in ``year`` (the year figures' set)."""
    return Contest.objects.filter(subtree_q(organization.path, "organization__path")).filter(
        Q(starts_on__year=year) | Q(starts_on__isnull=True, created_at__year=year)
    )


def entrants_by_body(
    contests: QuerySet[Contest], *, industry: str = "", limit: int | None = None
) -> list[dict[str, Any]]:
    """Approved entrants, finalists (advanced from a round) and prize winners (published
    results) of ``contests``, per registering body, most entrants first; with ``industry``,
    only the bodies of that industry (行业); with ``limit``, the first ``limit`` bodies (ranked
    and cut by the database: a province's contests have entrants from thousands of bodies)."""
    # One row per entrant (no join to the round entries, so no DISTINCT): a finalist is one
    # with an advanced round entry, asked per entrant by EXISTS.
    advanced = RoundEntry.objects.filter(entrant=OuterRef("pk"), advanced=True)
    entrants = Entrant.objects.filter(contest__in=contests, status=Entrant.Status.APPROVED)
    if industry:
        entrants = entrants.filter(registered_by__industry=industry)
    rows = (
        entrants.order_by()
        .values("registered_by_id", "registered_by__name")
        .annotate(
            entrants=Count("id"),
            finalists=Count("id", filter=Q(Exists(advanced))),
            prizes=Count("id", filter=~Q(prize="") & Q(contest__published_at__isnull=False)),
        )
        .order_by("-entrants", "registered_by__name", "registered_by_id")
    )
    return [
        {
            "body_id": row["registered_by_id"],
            "name": row["registered_by__name"],
            "entrants": row["entrants"],
            "finalists": row["finalists"],
            "prizes": row["prizes"],
        }
        for row in (rows[:limit] if limit is not None else rows)
    ]


def tour_stations(contest: Contest) -> list[Round]:
    """The rounds of a touring contest (巡回赛) that name a station, in order."""
    return list(contest.rounds.exclude(station="").order_by("order"))
