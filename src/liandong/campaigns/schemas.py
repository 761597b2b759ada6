from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from liandong.core.schemas import InputSchema


class MeasureOut(Schema):
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


class ProgressRowOut(Schema):
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
    progress: list[ProgressRowOut]


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


class TargetIn(InputSchema):
    organization: int
    measure: str = Field(max_length=60)
    value: int = Field(ge=1, le=10_000_000)


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: date
    done_on: date | None
    note: str


class TaskOut(Schema):
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
    milestones: list[MilestoneOut]


class TaskIn(InputSchema):
    title: str = Field(min_length=1, max_length=120)
    description: str = Field("", max_length=5000)
    due_on: date | None = None


class MilestoneIn(InputSchema):
    title: str = Field(min_length=1, max_length=120)
    due_on: date


class MilestoneDoneIn(InputSchema):
    done_on: date
    note: str = Field("", max_length=300)


class CompleteIn(InputSchema):
    completed_on: date
    result: str = Field(min_length=1, max_length=5000)


class ProgressIn(InputSchema):
    organization: int
    measure: str = Field(max_length=60)
    count: int = Field(ge=1, le=1_000_000)
    occurred_on: date
    evidence: str = Field(min_length=1, max_length=300)


class ProgressEntryOut(Schema):
    id: int
    organization_id: int
    measure: str
    count: int
    occurred_on: date
    evidence: str
