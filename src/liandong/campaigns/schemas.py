from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from liandong.core.schemas import InputSchema


class CampaignMeasureOut(Schema):
    key: str
    label: str
    unit: str
    counted: bool


class CampaignOut(Schema):
    id: int
    name: str
    owner_id: int
    owner_name: str
    starts_on: date
    ends_on: date
    description: str
    result: str


class CampaignProgressRowOut(Schema):
    target_id: int
    organization_id: int
    organization_name: str
    measure: str
    measure_label: str
    counted: bool
    target: int
    actual: int
    percent: float | None
    records_url: str


class CampaignDetailOut(CampaignOut):
    progress: list[CampaignProgressRowOut]


class CampaignIn(InputSchema):
    owner: int
    name: str = Field(min_length=1, max_length=120)
    starts_on: date
    ends_on: date
    description: str = Field("", max_length=5000)


class CampaignPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    starts_on: date | None = None
    ends_on: date | None = None
    description: str | None = Field(None, max_length=5000)
    result: str | None = Field(None, max_length=5000)


class CampaignTargetIn(InputSchema):
    organization: int
    measure: str = Field(max_length=60)
    value: int = Field(ge=1, le=10_000_000)


class CampaignMilestoneOut(Schema):
    id: int
    title: str
    due_on: date
    done_on: date | None
    note: str


class CampaignTaskOut(Schema):
    id: int
    campaign_id: int
    title: str
    description: str
    due_on: date | None
    status: str
    claimed_by_id: int | None
    claimed_by_name: str
    claimed_at: datetime | None
    result: str
    completed_on: date | None
    milestones: list[CampaignMilestoneOut]


class CampaignTaskIn(InputSchema):
    title: str = Field(min_length=1, max_length=120)
    description: str = Field("", max_length=5000)
    due_on: date | None = None


class CampaignMilestoneIn(InputSchema):
    title: str = Field(min_length=1, max_length=120)
    due_on: date


class CampaignMilestoneDoneIn(InputSchema):
    done_on: date
    note: str = Field("", max_length=300)


class CampaignTaskCompleteIn(InputSchema):
    completed_on: date
    result: str = Field(min_length=1, max_length=5000)


class CampaignProgressIn(InputSchema):
    organization: int
    measure: str = Field(max_length=60)
    count: int = Field(ge=1, le=1_000_000)
    occurred_on: date
    evidence: str = Field(min_length=1, max_length=300)


class CampaignProgressEntryOut(Schema):
    id: int
    organization_id: int
    measure: str
    count: int
    occurred_on: date
    evidence: str
