"""The competitions API: contests, registration, judges' score sheets, results, and the
public live scoreboard. Every operation goes through ``permissions``; another body's record
is a 404."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.competitions import services
from liandong.competitions.models import Contest, Entrant, Round, ScoreSheet, Segment
from liandong.competitions.permissions import (
    can_list_contests,
    can_manage_contest,
    can_register,
    can_view_results,
    contests_visible_to,
    is_chief_judge,
    is_judge,
    sheets_visible_to,
)
from liandong.competitions.schemas import (
    AdvanceOut,
    ContestDetailOut,
    ContestPage,
    CorrectionIn,
    EntrantIn,
    EntrantOut,
    RoundResultsOut,
    ScoreboardOut,
    SheetOut,
    SheetsIn,
)
from liandong.competitions.selectors import public_contest, round_results, scoreboard_data
from liandong.competitions.services import ScoreInput
from liandong.core.paging import page_by_id
from liandong.core.schemas import InputSchema
from liandong.workers.permissions import workers_visible_to

router = Router(tags=["技能竞赛"])
# No login: mounted at /api/v1/public/competitions/ (DESIGN: public endpoints live under /public/).
public_router = Router(tags=["技能竞赛（公开）"])


class ContestListQuery(InputSchema):
    cursor: int | None = None
    limit: int = 20


def contest_item(c: Contest) -> dict[str, Any]:
    return {
        "id": c.pk,
        "name": c.name,
        "level": c.level,
        "status": c.status,
        "profession": c.profession,
        "organization_id": c.organization_id,
        "organization_name": c.organization.name,
        "hosts": c.hosts,
        "undertakers": c.undertakers,
        "co_organizers": c.co_organizers,
        "starts_on": c.starts_on,
        "published": c.is_published,
    }


def entrant_item(e: Entrant) -> dict[str, Any]:
    return {
        "id": e.pk,
        "contest_id": e.contest_id,
        "worker_id": e.worker_id,
        "name": e.worker.name,
        "employer_name": e.worker.employer.name,
        "registered_by_id": e.registered_by_id,
        "group": e.group,
        "status": e.status,
        "prize": e.prize,
    }


@router.get("/", response=ContestPage, url_name="contest-list", operation_id="competitions_list")
def list_contests(request: AuthenticatedHttpRequest, query: Query[ContestListQuery]) -> dict:
    """Contests the caller may see, newest first."""
    if not can_list_contests(request.user):
        raise PermissionDenied
    page = page_by_id(
        contests_visible_to(request.user).select_related("organization"),
        cursor=query.cursor,
        size=query.limit,
    )
    return {"items": [contest_item(c) for c in page.items], "next_cursor": page.next_cursor}


def _visible(request: AuthenticatedHttpRequest, contest_id: int) -> Contest:
    return get_object_or_404(
        contests_visible_to(request.user).select_related("organization"), pk=contest_id
    )


@router.get(
    "/{int:contest_id}",
    response=ContestDetailOut,
    url_name="contest-detail",
    operation_id="competitions_detail",
)
def contest_detail(request: AuthenticatedHttpRequest, contest_id: int) -> dict:
    """A contest with its rounds and segments (weights, full marks, tie-break order)."""
    contest = _visible(request, contest_id)
    if is_judge(request.user) and not is_chief_judge(request.user, contest):
        raise PermissionDenied
    rounds = [
        {
            "id": r.pk,
            "name": r.name,
            "order": r.order,
            "advance_rule": r.advance_rule,
            "advance_value": r.advance_value,
            "per_group": r.per_group,
            "station": r.station,
            "venue": r.venue,
            "starts_on": r.starts_on,
            "ends_on": r.ends_on,
            "advanced": r.advanced_at is not None,
            "segments": list(r.segments.values("id", "name", "weight", "full_marks", "tie_break")),
        }
        for r in contest.rounds.order_by("order")
    ]
    return {
        **contest_item(contest),
        "drop_extremes_from": contest.drop_extremes_from,
        "team_size": contest.team_size,
        "team_rule": contest.team_rule,
        "rounding": contest.rounding,
        "rounds": rounds,
    }


@router.post(
    "/{int:contest_id}/entrants",
    response={201: EntrantOut},
    url_name="contest-register",
    operation_id="competitions_register",
)
def register_entrant(
    request: AuthenticatedHttpRequest, contest_id: int, payload: EntrantIn
) -> Status:
    """A body registers one of its workers (reviewed by the organizer next)."""
    contest = _visible(request, contest_id)
    if not can_register(request.user, contest):
        raise PermissionDenied
    worker = (
        workers_visible_to(request.user)
        .select_related("employer")
        .filter(pk=payload.worker)
        .first()
    )
    if worker is None:
        raise ValidationError({"worker": "未找到该职工，或不在本单位范围内"})
    entrant = services.entrant_register(
        actor=request.user,
        contest=contest,
        worker=worker,
        registered_by=request.user.organization,
        group=payload.group,
    )
    return Status(201, entrant_item(entrant))


@router.get(
    "/rounds/{int:round_id}/results",
    response=RoundResultsOut,
    url_name="round-results",
    operation_id="competitions_round_results",
)
def results(request: AuthenticatedHttpRequest, round_id: int) -> dict:
    """Every entrant's segment means (with dropped extremes), total, rank and advancement."""
    round_ = get_object_or_404(
        Round.objects.select_related("contest"),
        pk=round_id,
        contest__in=contests_visible_to(request.user),
    )
    if not can_view_results(request.user, round_.contest):
        raise PermissionDenied
    ranked, chosen = round_results(round_)
    names = {
        e.pk: (e.entrant_id, e.entrant.worker.name)
        for e in round_.entries.select_related("entrant__worker")
    }
    items = []
    for r in ranked:
        entrant_id, name = names[r.entry.id]
        items.append(
            {
                "entry_id": r.entry.id,
                "entrant_id": entrant_id,
                "name": name,
                "order_no": r.entry.order_no,
                "group": r.entry.group,
                "rank": r.rank,
                "total": r.total,
                "complete": r.complete,
                "advancing": r.entry.id in chosen,
                "segments": [
                    {
                        "segment_id": s.segment.id,
                        "name": s.segment.name,
                        "scores": [m.score for m in s.marks],
                        "dropped": [m.score for m in s.marks if m.dropped],
                        "mean": s.mean,
                        "points": s.points,
                        "missing": s.missing,
                    }
                    for s in r.segments
                ],
            }
        )
    return {
        "round_id": round_.pk,
        "missing_sheets": sum(r.missing for r in ranked),
        "results": items,
    }


@router.post(
    "/rounds/{int:round_id}/advance",
    response=AdvanceOut,
    url_name="round-advance",
    operation_id="competitions_advance",
)
def advance(request: AuthenticatedHttpRequest, round_id: int) -> dict:
    """Close a round and advance its best entrants; refused until every sheet is in."""
    round_ = get_object_or_404(
        Round.objects.select_related("contest__organization"),
        pk=round_id,
        contest__in=contests_visible_to(request.user),
    )
    if not can_manage_contest(request.user, round_.contest):
        raise PermissionDenied
    created = services.round_advance(actor=request.user, round=round_)
    return {"round_id": round_.pk, "advanced": len(created)}


@router.get(
    "/judging/sheets",
    response=list[SheetOut],
    url_name="judge-sheets",
    operation_id="competitions_my_sheets",
)
def my_sheets(request: AuthenticatedHttpRequest) -> list[dict]:
    """A judge's own score sheets (entrants by order of appearance)."""
    if not is_judge(request.user):
        raise PermissionDenied
    return [
        {
            "id": s.pk,
            "segment_id": s.segment_id,
            "order_no": s.entry.order_no,
            "score": s.score,
            "status": s.status,
        }
        for s in sheets_visible_to(request.user).select_related("entry")[:2000]
    ]


@router.post(
    "/judging/sheets",
    response=list[SheetOut],
    url_name="judge-sheets-save",
    operation_id="competitions_save_sheets",
)
def save_sheets(request: AuthenticatedHttpRequest, payload: SheetsIn) -> list[dict]:
    """Enter scores in one segment; ``submit`` locks them. All or nothing."""
    if not is_judge(request.user):
        raise PermissionDenied
    segment = Segment.objects.filter(pk=payload.segment, assignments__judge=request.user).first()
    if segment is None:
        raise Http404
    saved = services.sheets_save(
        actor=request.user,
        segment=segment,
        submit=payload.submit,
        scores=[ScoreInput(order_no=s.order_no, score=s.score) for s in payload.scores],
    )
    return [
        {
            "id": s.pk,
            "segment_id": s.segment_id,
            "order_no": s.entry.order_no,
            "score": s.score,
            "status": s.status,
        }
        for s in saved
    ]


@router.post(
    "/sheets/{int:sheet_id}/correct",
    response=SheetOut,
    url_name="sheet-correct",
    operation_id="competitions_correct_sheet",
)
def correct_sheet(request: AuthenticatedHttpRequest, sheet_id: int, payload: CorrectionIn) -> dict:
    """The chief judge corrects a submitted sheet (audited)."""
    sheet = get_object_or_404(
        ScoreSheet.objects.select_related("segment__round__contest", "entry"),
        pk=sheet_id,
        segment__round__contest__in=contests_visible_to(request.user),
    )
    if not is_chief_judge(request.user, sheet.segment.round.contest):
        raise PermissionDenied
    sheet = services.sheet_correct(
        actor=request.user, sheet=sheet, score=payload.score, reason=payload.reason
    )
    return {
        "id": sheet.pk,
        "segment_id": sheet.segment_id,
        "order_no": sheet.entry.order_no,
        "score": sheet.score,
        "status": sheet.status,
    }


@public_router.get(
    "/{int:contest_id}/scoreboard",
    response=ScoreboardOut,
    auth=None,
    url_name="scoreboard",
    operation_id="competitions_scoreboard",
)
def scoreboard(request: HttpRequest, contest_id: int) -> dict:
    """Public: the current round's standings; entrants as order numbers until published."""
    data = scoreboard_data(public_contest(contest_id))
    return {
        "contest_id": contest_id,
        "name": data["contest"].name,
        "round": data["round"].name if data["round"] else "",
        "published": data["contest"].is_published,
        "sheets_in": data["done"],
        "sheets_expected": data["expected"],
        "rows": [
            {
                "rank": r["rank"],
                "order_no": r["order_no"],
                "name": r["name"],
                "total": r["total"],
                "complete": r["complete"],
            }
            for r in data["rows"]
        ],
    }
