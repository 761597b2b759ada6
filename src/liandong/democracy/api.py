"""The democracy API: congresses, proposals (submit, co-sign, decide, answer, rate), votes,
disclosures, negotiations, figures, and the public notices of nominations with their objection
channel (the only operations without authentication)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.accounts.permissions import is_worker
from liandong.core.api_errors import TooManyRequests
from liandong.core.masking import mask_name
from liandong.core.paging import page_by_id
from liandong.democracy.models import AgendaItem, Negotiation, Nomination, Proposal
from liandong.democracy.permissions import (
    congresses_visible_to,
    disclosures_visible_to,
    is_democracy_staff,
    negotiations_visible_to,
    proposals_visible_to,
    public_nominations,
    worker_of,
)
from liandong.democracy.schemas import (
    AnswerIn,
    CongressAgendaItemOut,
    CongressOut,
    DecisionIn,
    DemocracyFiguresOut,
    DemocracyFiguresQuery,
    DisclosureOut,
    NegotiationOut,
    NoticeOut,
    ObjectionIn,
    ObjectionOut,
    ProposalDetailOut,
    ProposalIn,
    ProposalOut,
    ProposalPage,
    ProposalQuery,
    ProposalRatingIn,
    VoteIn,
    proposal_item,
)
from liandong.democracy.selectors import ProposalFilters, figures_for, figures_url, proposal_list
from liandong.democracy.services import (
    ObjectionsThrottled,
    disclosure_mark_read,
    objection_submit,
    proposal_answer,
    proposal_cosign,
    proposal_decide,
    proposal_rate,
    proposal_submit,
    vote_record,
)
from liandong.organizations.permissions import organizations_in_scope

router = Router(tags=["民主管理"])
# No login: mounted at /api/v1/public/democracy/ (DESIGN: public endpoints live under /public/).
public_router = Router(tags=["民主管理（公开）"])


def _staff_or_worker(request: AuthenticatedHttpRequest) -> None:
    if not (is_democracy_staff(request.user) or is_worker(request.user)):
        raise PermissionDenied


def _proposal(request: AuthenticatedHttpRequest, proposal_id: int) -> Proposal:
    _staff_or_worker(request)
    return get_object_or_404(
        proposals_visible_to(request.user).select_related(
            "congress", "proposer__worker", "department"
        ),
        pk=proposal_id,
    )


@router.get("/congresses", response=list[CongressOut], operation_id="democracy_list_congresses")
def list_congresses(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    """Congresses of the caller's enterprises (staff: their subtree; a worker: their enterprise)."""
    _staff_or_worker(request)
    return [
        {
            **{
                k: getattr(c, k)
                for k in [
                    "id",
                    "enterprise_id",
                    "term",
                    "session",
                    "title",
                    "held_on",
                    "status",
                    "cosign_threshold",
                    "frontline_quota",
                ]
            },
            "enterprise_name": c.enterprise.name,
        }
        for c in congresses_visible_to(request.user).select_related("enterprise")[:200]
    ]


@router.get("/proposals", response=ProposalPage, operation_id="democracy_list_proposals")
def list_proposals(
    request: AuthenticatedHttpRequest, query: Query[ProposalQuery]
) -> dict[str, Any]:
    """Proposals newest first, in pages (``next_cursor``); a worker sees their enterprise's public list."""
    _staff_or_worker(request)
    organization = None
    if query.organization is not None:
        organization = get_object_or_404(
            organizations_in_scope(request.user), pk=query.organization
        )
    filters = ProposalFilters(
        status=query.status or "",
        congress=query.congress,
        enterprise=organization,
        outstanding=query.outstanding,
        q=query.q.strip(),
    )
    page = page_by_id(
        proposal_list(user=request.user, filters=filters), cursor=query.cursor, size=query.limit
    )
    return {"items": [proposal_item(p) for p in page.items], "next_cursor": page.next_cursor}


@router.post("/proposals", response=ProposalDetailOut, operation_id="democracy_submit_proposal")
def submit_proposal(request: AuthenticatedHttpRequest, payload: ProposalIn) -> dict[str, Any]:
    """A delegate submits a proposal to their congress."""
    if not is_worker(request.user):
        raise PermissionDenied("只有职工代表才能提交提案")
    congress = get_object_or_404(congresses_visible_to(request.user), pk=payload.congress)
    proposal = proposal_submit(
        actor=request.user,
        congress=congress,
        title=payload.title,
        reasons=payload.reasons,
        measures=payload.measures,
        category=payload.category,
    )
    return proposal_item(proposal, detail=True)


@router.get(
    "/proposals/{int:proposal_id}",
    response=ProposalDetailOut,
    operation_id="democracy_get_proposal",
)
def get_proposal(request: AuthenticatedHttpRequest, proposal_id: int) -> dict[str, Any]:
    return proposal_item(_proposal(request, proposal_id), detail=True)


@router.post(
    "/proposals/{int:proposal_id}/cosign",
    response=ProposalOut,
    operation_id="democracy_cosign_proposal",
)
def cosign_proposal(request: AuthenticatedHttpRequest, proposal_id: int) -> dict[str, Any]:
    proposal = _proposal(request, proposal_id)
    proposal_cosign(actor=request.user, proposal=proposal)
    return proposal_item(proposal)


@router.post(
    "/proposals/{int:proposal_id}/decision",
    response=ProposalOut,
    operation_id="democracy_decide_proposal",
)
def decide_proposal(
    request: AuthenticatedHttpRequest, proposal_id: int, payload: DecisionIn
) -> dict[str, Any]:
    """The proposal committee: accept (with department and deadline), convert or reject (with reason)."""
    proposal = _proposal(request, proposal_id)
    return proposal_item(proposal_decide(actor=request.user, proposal=proposal, **payload.dict()))


@router.post(
    "/proposals/{int:proposal_id}/answer",
    response=ProposalOut,
    operation_id="democracy_answer_proposal",
)
def answer_proposal(
    request: AuthenticatedHttpRequest, proposal_id: int, payload: AnswerIn
) -> dict[str, Any]:
    proposal = _proposal(request, proposal_id)
    return proposal_item(
        proposal_answer(actor=request.user, proposal=proposal, answer=payload.answer)
    )


@router.post(
    "/proposals/{int:proposal_id}/rating",
    response=ProposalOut,
    operation_id="democracy_rate_proposal",
)
def rate_proposal(
    request: AuthenticatedHttpRequest, proposal_id: int, payload: ProposalRatingIn
) -> dict[str, Any]:
    """The proposer rates the answer; 不满意 the first time sends it back for handling once."""
    proposal = _proposal(request, proposal_id)
    return proposal_item(
        proposal_rate(actor=request.user, proposal=proposal, rating=payload.rating)
    )


@router.post(
    "/agenda-items/{int:item_id}/vote",
    response=CongressAgendaItemOut,
    operation_id="democracy_record_vote",
)
def record_vote(request: AuthenticatedHttpRequest, item_id: int, payload: VoteIn) -> AgendaItem:
    """Record a vote: refused without a two-thirds quorum; passes with more than half of ALL delegates."""
    _staff_or_worker(request)
    item = get_object_or_404(
        AgendaItem.objects.filter(congress__in=congresses_visible_to(request.user)).select_related(
            "congress__enterprise"
        ),
        pk=item_id,
    )
    return vote_record(actor=request.user, item=item, **payload.dict())


@router.get("/disclosures", response=list[DisclosureOut], operation_id="democracy_list_disclosures")
def list_disclosures(request: AuthenticatedHttpRequest) -> Any:
    """厂务公开: staff see their subtree's items; a worker sees their enterprise's current items."""
    _staff_or_worker(request)
    return disclosures_visible_to(request.user)[:200]


@router.post(
    "/disclosures/{int:disclosure_id}/read",
    response=DisclosureOut,
    operation_id="democracy_read_disclosure",
)
def read_disclosure(request: AuthenticatedHttpRequest, disclosure_id: int) -> Any:
    """A worker's read receipt (once per worker)."""
    _staff_or_worker(request)
    disclosure = get_object_or_404(disclosures_visible_to(request.user), pk=disclosure_id)
    worker = worker_of(request.user)
    if worker is None:
        raise PermissionDenied("只有职工本人才能确认阅读")
    disclosure_mark_read(worker=worker, disclosure=disclosure)
    disclosure.refresh_from_db(fields=["read_count"])
    return disclosure


def _negotiation_item(n: Negotiation) -> dict[str, Any]:
    contract = getattr(n, "contract", None)
    return {
        "id": n.pk,
        "organization_id": n.organization_id,
        "title": n.title,
        "industry_wide": n.industry_wide,
        "union_side": n.union_side,
        "employer_side": n.employer_side,
        "topics": n.topic_list,
        "status": n.status,
        "started_on": n.started_on,
        "outcomes": [
            {"topic": o.topic, "change": float(o.change), "unit": o.unit} for o in n.outcomes.all()
        ],
        "contract": None
        if contract is None
        else {
            k: getattr(contract, k)
            for k in [
                "title",
                "signed_on",
                "effective_on",
                "expires_on",
                "enterprises_covered",
                "workers_covered",
            ]
        },
    }


@router.get(
    "/negotiations", response=list[NegotiationOut], operation_id="democracy_list_negotiations"
)
def list_negotiations(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    if not is_democracy_staff(request.user):
        raise PermissionDenied
    negotiations = (
        negotiations_visible_to(request.user)
        .select_related("contract")
        .prefetch_related("outcomes")
    )
    return [_negotiation_item(n) for n in negotiations[:200]]


@router.get("/figures", response=DemocracyFiguresOut, operation_id="democracy_get_figures")
def get_figures(
    request: AuthenticatedHttpRequest, query: Query[DemocracyFiguresQuery]
) -> dict[str, Any]:
    """Proposals collected/accepted/handled/closed, ratings and satisfaction, negotiations and
    coverage, for an organization's subtree (an enterprise, a park, a city) and a year."""
    if not is_democracy_staff(request.user):
        raise PermissionDenied
    organization = request.user.organization
    if query.organization is not None:
        organization = get_object_or_404(
            organizations_in_scope(request.user), pk=query.organization
        )
    year = query.year or timezone.localdate().year
    return {
        **figures_for(organization=organization, year=year).as_dict(),
        "url": figures_url(organization, year),
    }


def _notice_item(n: Nomination) -> dict[str, Any]:
    return {
        "id": n.pk,
        "name_masked": mask_name(n.worker.name),
        "employer": n.worker.employer.name,
        "level": n.get_level_display(),
        "deeds": n.deeds,
        "notice_starts_on": n.notice_starts_on,
        "notice_ends_on": n.notice_ends_on,
    }


@public_router.get(
    "/notices", response=list[NoticeOut], auth=None, operation_id="democracy_list_notices"
)
def list_notices(request: HttpRequest) -> list[dict[str, Any]]:
    """Public: model-worker nominations under public notice, names masked."""
    return [_notice_item(n) for n in public_nominations().select_related("worker__employer")[:100]]


@public_router.post(
    "/notices/{int:nomination_id}/objections",
    response=ObjectionOut,
    auth=None,
    operation_id="democracy_object_notice",
)
def object_notice(request: HttpRequest, nomination_id: int, payload: ObjectionIn) -> Any:
    """Public: raise an objection during the notice period (the contact is kept encrypted)."""
    nomination = get_object_or_404(public_nominations(), pk=nomination_id)
    try:
        objection = objection_submit(
            nomination=nomination,
            body=payload.body,
            contact=payload.contact,
            client_key=request.META.get("REMOTE_ADDR", ""),
        )
    except ObjectionsThrottled as throttled:
        raise TooManyRequests(
            "提交过于频繁，请稍后再试", retry_after=throttled.retry_after
        ) from None
    return objection
