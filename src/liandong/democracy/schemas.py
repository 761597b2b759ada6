from datetime import date
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from liandong.core.schemas import InputSchema, enum_schema
from liandong.democracy.models import Proposal

# Both are called like demands' enums (Category, Rating); see enum_schema.
ProposalCategory = Annotated[Proposal.Category, enum_schema(Proposal.Category, "ProposalCategory")]
ProposalRating = Annotated[Proposal.Rating, enum_schema(Proposal.Rating, "ProposalRating")]


class CongressOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    term: int
    session: int
    title: str
    held_on: date
    status: str
    cosign_threshold: int
    frontline_quota: int


class ProposalOut(Schema):
    """A proposal as the enterprise's workers and its unions see it; no personal data beyond
    the proposer's name, which the congress publishes."""

    id: int
    congress_id: int
    enterprise_id: int
    number: int
    title: str
    category: str
    status: str
    status_label: str
    proposer_name: str
    cosign_count: int
    cosign_threshold: int
    department: str | None
    deadline: date | None
    answer: str
    rating: str
    reopened: bool
    is_outstanding: bool


class ProposalDetailOut(ProposalOut):
    reasons: str
    measures: str
    decision_reason: str


class ProposalPage(Schema):
    items: list[ProposalOut]
    next_cursor: int | None


STATUS_LABELS = {value: str(label) for value, label in Proposal.Status.choices}


def proposal_item(p: Proposal, *, detail: bool = False) -> dict:
    item = {
        "id": p.pk,
        "congress_id": p.congress_id,
        "enterprise_id": p.enterprise_id,
        "number": p.number,
        "title": p.title,
        "category": p.category,
        "status": p.status,
        "status_label": STATUS_LABELS[p.status],
        "proposer_name": p.proposer.worker.name,
        "cosign_count": p.cosign_count,
        "cosign_threshold": p.congress.cosign_threshold,
        "department": p.department.name if p.department else None,
        "deadline": p.deadline,
        "answer": p.answer,
        "rating": p.rating,
        "reopened": p.reopened,
        "is_outstanding": p.is_outstanding,
    }
    if detail:
        item.update(reasons=p.reasons, measures=p.measures, decision_reason=p.decision_reason)
    return item


class ProposalQuery(InputSchema):
    status: Proposal.Status | None = None
    congress: int | None = None
    organization: int | None = None
    outstanding: bool | None = None
    q: str = Field("", max_length=60)
    cursor: int | None = None
    limit: int = 20


class ProposalIn(InputSchema):
    congress: int
    title: str = Field(max_length=120)
    reasons: str = Field(max_length=5000)
    measures: str = Field(max_length=5000)
    category: ProposalCategory


class DecisionIn(InputSchema):
    decision: Literal["accept", "convert", "reject"]
    reason: str = Field("", max_length=2000)
    department: str = Field("", max_length=60)
    deadline: date | None = None


class AnswerIn(InputSchema):
    answer: str = Field(max_length=5000)


class ProposalRatingIn(InputSchema):
    rating: ProposalRating


class VoteIn(InputSchema):
    present: int = Field(ge=0)
    votes_for: int = Field(ge=0)
    votes_against: int = Field(ge=0)
    abstentions: int = Field(ge=0)
    resolution: str = Field("", max_length=2000)


class CongressAgendaItemOut(Schema):
    id: int
    congress_id: int
    title: str
    result: str
    present: int | None
    votes_for: int | None
    votes_against: int | None
    abstentions: int | None
    delegates_total: int | None
    resolution: str


class DemocracyFiguresQuery(InputSchema):
    organization: int | None = None
    year: int | None = Field(None, ge=2000, le=2100)


class DemocracyFiguresOut(Schema):
    organization_id: int
    organization: str
    year: int
    proposals_collected: int
    proposals_accepted: int
    proposals_converted: int
    proposals_rejected: int
    proposals_handled: int
    proposals_closed: int
    rating_satisfied: int
    rating_basic: int
    rating_unsatisfied: int
    satisfaction_rate: float | None
    negotiations: int
    contracts: int
    contracts_in_force: int
    enterprises_covered: int
    workers_covered: int
    disclosures: int
    url: str


class DisclosureOut(Schema):
    id: int
    enterprise_id: int
    category: str
    title: str
    body: str
    publish_on: date
    expires_on: date | None
    read_count: int


class OutcomeOut(Schema):
    topic: str
    change: float
    unit: str


class ContractOut(Schema):
    title: str
    signed_on: date
    effective_on: date
    expires_on: date
    enterprises_covered: int
    workers_covered: int


class NegotiationOut(Schema):
    id: int
    organization_id: int
    title: str
    industry_wide: bool
    union_side: str
    employer_side: str
    topics: list[str]
    status: str
    started_on: date
    outcomes: list[OutcomeOut]
    contract: ContractOut | None


class NoticeOut(Schema):
    """A nomination under public notice: the name masked (王*国), no ID or mobile."""

    id: int
    name_masked: str
    employer: str
    level: str
    deeds: str
    notice_starts_on: date
    notice_ends_on: date


class ObjectionIn(InputSchema):
    body: str = Field(max_length=2000)
    contact: str = Field("", max_length=20)


class ObjectionOut(Schema):
    id: int
    status: str
    contact_masked: str
