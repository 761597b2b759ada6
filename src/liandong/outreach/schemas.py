from datetime import date

from ninja import Field, Schema

from liandong.core.schemas import Id, InputSchema


class OutreachLeaderOut(Schema):
    name: str
    enterprises: int
    visited: int


class OutreachCoverageOut(Schema):
    since: date
    enterprises: int
    visited: int
    visits: int
    problems_open: int
    leaders: list[OutreachLeaderOut]


class KeyEnterpriseOut(Schema):
    id: int
    union_id: int
    union_name: str
    enterprise_id: int
    enterprise_name: str
    leader_id: int | None
    leader_name: str
    area: str
    note: str
    is_active: bool


class KeyEnterpriseIn(InputSchema):
    union_id: Id
    enterprise_id: Id
    leader_id: Id | None = None
    area: str = Field("", max_length=40)
    note: str = Field("", max_length=200)


class VisitOut(Schema):
    id: int
    key_enterprise_id: int
    enterprise_name: str
    visited_on: date
    visitors: str
    findings: str
    problem: str
    follow_up: str
    problem_open: bool
    problem_closed_on: date | None
    demand_id: int | None
    demand_url: str
    action_item_id: int | None
    action_item_url: str


class KeyEnterpriseDetailOut(KeyEnterpriseOut):
    visits: list[VisitOut]


class VisitIn(InputSchema):
    visited_on: date | None = None
    visitors: str = Field("", max_length=200)
    findings: str = Field("", max_length=2000)
    problem: str = Field("", max_length=2000)
    follow_up: str = Field("", max_length=2000)


class ToDemandIn(InputSchema):
    category: str = Field("", max_length=12)
    industry: str = Field("其他", max_length=12)
    contact_name: str = Field("", max_length=40)
    mobile: str = Field("", max_length=20)
    consent: bool = False


class ToActionItemIn(InputSchema):
    meeting_id: Id | None = None
    lead_body_id: Id | None = None
    deadline: date | None = None


class AgreementPartyOut(Schema):
    organization_id: int | None
    name: str
    external: bool
    country: str
    signatory: str


class ExternalPartyIn(InputSchema):
    name: str = Field(max_length=120)
    country: str = Field("", max_length=40)
    signatory: str = Field("", max_length=60)


class FollowUpOut(Schema):
    action_item_id: int
    label: str
    url: str


class AgreementOut(Schema):
    id: int
    owner_id: int
    owner_name: str
    title: str
    kind: str
    kind_label: str
    signed_on: date
    effective_on: date | None
    expires_on: date | None
    terms: str
    staff_id: int | None
    mechanism_id: int | None
    mechanism_name: str
    document_name: str
    document_url: str
    parties: list[AgreementPartyOut]
    follow_ups: list[FollowUpOut]


class AgreementIn(InputSchema):
    owner_id: Id
    title: str = Field("", max_length=120)
    kind: str = Field("framework", max_length=16)
    signed_on: date | None = None
    effective_on: date | None = None
    expires_on: date | None = None
    terms: str = Field("", max_length=5000)
    staff_id: Id | None = None
    party_ids: list[Id] = Field(default_factory=list, max_length=50)
    external_parties: list[ExternalPartyIn] = Field(default_factory=list, max_length=20)
    mechanism_id: Id | None = None


class AgreementPatch(InputSchema):
    """An agreement's changes: the fields given are set (``null`` clears a date or the staff),
    the others kept. ``party_ids`` and ``external_parties``, when given, replace the parties."""

    title: str | None = Field(None, max_length=120)
    signed_on: date | None = None
    effective_on: date | None = None
    expires_on: date | None = None
    terms: str | None = Field(None, max_length=5000)
    staff_id: Id | None = None
    party_ids: list[Id] | None = Field(None, max_length=50)
    external_parties: list[ExternalPartyIn] | None = Field(None, max_length=20)


class FollowUpIn(ToActionItemIn):
    resolution: str = Field("", max_length=900)
