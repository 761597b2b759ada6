from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field

from liandong.core.schemas import InputSchema


class PartyOut(Schema):
    role: str
    role_label: str
    kind: str
    name: str
    contact_name: str
    id_number_masked: str
    mobile_masked: str


class SessionOut(Schema):
    id: int
    held_on: date
    place: str
    attendees: str
    notes: str


class CaseOut(Schema):
    id: int
    code: str
    union_id: int
    union_name: str
    case_type: str
    case_type_label: str
    state: str
    state_label: str
    summary: str
    claim_amount: Decimal | None
    demand_id: int | None
    demand_code: str
    accepted_at: datetime
    limit_days: int
    extension_days: int
    due_on: date
    overdue: bool
    closed_at: datetime | None


class CaseDetailOut(CaseOut):
    parties: list[PartyOut]
    mediator_ids: list[int]
    sessions: list[SessionOut]
    agreement_terms: str
    agreement_amount: Decimal | None
    agreement_signed_on: date | None
    referral_reason: str
    withdrawal_reason: str
    extension_reason: str


class CasePage(Schema):
    items: list[CaseOut]
    next_cursor: int | None


class MediationPartyIn(InputSchema):
    kind: Literal["person", "enterprise"] = "person"
    name: str = Field(min_length=1, max_length=100)
    id_number: str = Field("", max_length=18)
    mobile: str = Field("", max_length=11)
    contact_name: str = Field("", max_length=40)


class CaseIn(InputSchema):
    union_id: int
    case_type: str = Field(max_length=16)
    summary: str = Field(min_length=1, max_length=2000)
    claim_amount: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    applicant: MediationPartyIn
    respondent: MediationPartyIn
    mediator_ids: list[int] = Field(default_factory=list, max_length=20)


class MediatorsIn(InputSchema):
    mediator_ids: list[int] = Field(max_length=20)


class SessionIn(InputSchema):
    held_on: date
    place: str = Field(min_length=1, max_length=100)
    attendees: str = Field(min_length=1, max_length=300)
    notes: str = Field("", max_length=4000)


class OutcomeIn(InputSchema):
    outcome: Literal["agreement", "referral", "withdrawal"]
    terms: str = Field("", max_length=4000)
    amount: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    signed_on: date | None = None
    reason: str = Field("", max_length=500)


class ExtensionIn(InputSchema):
    days: int = Field(ge=1, le=15)
    reason: str = Field(min_length=1, max_length=200)
