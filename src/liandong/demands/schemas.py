from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from liandong.core.schemas import Id, InputSchema
from liandong.demands.models import Category, Demand, Industry, Rating, Urgency


class PublicDemandIn(InputSchema):
    category: Category | None = Field(None, description="诉求类别；不填则按内容自动建议")
    description: str = Field(..., max_length=2000, description="诉求内容")
    industry: Industry
    employer_name: str = Field("", max_length=100, description="工作单位或平台")
    city: str = Field(..., max_length=40)
    mobile: str = Field(..., max_length=20)
    name: str = Field("", max_length=40, description="姓名，可不填（匿名）")
    urgency: Urgency = Urgency.NORMAL
    consent: bool = Field(..., description="同意个人信息处理")
    photos: list[str] = Field(
        default_factory=list,
        max_length=3,
        description="照片，base64 编码，最多 3 张，每张不超过 5MB（请求总大小不超过 2MB）",
    )


class StaffDemandIn(PublicDemandIn):
    channel: str = Field(
        "hotline", pattern="^(hotline|visit)$", description="hotline 热线电话 / visit 来访"
    )
    consent: bool = Field(..., description="已告知来电职工个人信息处理并取得同意")


class ReceiptOut(Schema):
    code: str
    state: str
    state_label: str
    created: bool
    category: str  # empty while the demand waits in its union's 待分类 queue
    category_label: str
    message: str


class TimelineStepOut(Schema):
    at: datetime
    kind: str
    kind_label: str
    state_label: str
    body: str
    note: str


class PublicDemandOut(Schema):
    """What the worker sees with code + mobile tail: no names or numbers of anyone."""

    code: str
    category_label: str
    state: str
    state_label: str
    body: str
    submitted_at: datetime
    response_due: datetime
    resolution_due: datetime
    calendar_warning: str
    resolution_note: str
    reject_reason: str
    rating: str
    can_rate: bool
    merged_into: str
    timeline: list[TimelineStepOut]


class RatingIn(InputSchema):
    mobile_tail: str = Field(..., min_length=4, max_length=4)
    rating: Rating
    comment: str = Field("", max_length=500)


class DemandOut(Schema):
    id: int
    code: str
    channel: str
    category: str
    category_label: str
    suggested_category: str
    urgency: str
    state: str
    state_label: str
    description: str
    industry: str
    employer_name: str
    city: str
    submitter_name: str
    mobile_masked: str
    body_id: int | None
    body: str
    union_id: int
    created_at: datetime
    response_due: datetime
    resolution_due: datetime
    calendar_fallback: bool
    responded_at: datetime | None
    resolved_at: datetime | None
    is_breached: bool
    escalated_at: datetime | None
    agenda_at: datetime | None
    rating: str
    possible_duplicate_of: str
    photos: int


class DemandPage(Schema):
    items: list[DemandOut]
    next_cursor: int | None


class DemandDetailOut(DemandOut):
    allowed_actions: list[str]
    timeline: list[TimelineStepOut]


class DemandMobileOut(Schema):
    id: int
    mobile: str


class DemandRevealIn(InputSchema):
    purpose: str = Field("", max_length=200)


class ActionIn(InputSchema):
    action: str = Field(
        ..., description="accept/reply/transfer/resolve/return/assign/reject/merge/category"
    )
    note: str = Field("", max_length=2000)
    reason: str = Field("", max_length=500)
    body_id: int | None = None
    co_body_ids: list[Id] | None = None
    category: Category | None = None
    into_code: str = Field("", max_length=12)


class StatsRowOut(Schema):
    key: str
    label: str
    received: int
    response_due: int
    responded_on_time: int
    resolution_due: int
    resolved: int
    rated: int
    satisfied: int
    breached: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    median_response_hours: float | None
    median_resolution_hours: float | None


class StatsOut(Schema):
    start: date | None
    end: date | None
    group_by: str
    total: StatsRowOut
    rows: list[StatsRowOut]


def demand_item(demand: Demand, photos: int | None = None) -> dict:
    return {
        "id": demand.pk,
        "code": demand.code,
        "channel": demand.channel,
        "category": demand.category,
        "category_label": demand.get_category_display(),
        "suggested_category": demand.suggested_category,
        "urgency": demand.urgency,
        "state": demand.state,
        "state_label": demand.get_state_display(),
        "description": demand.description,
        "industry": demand.industry,
        "employer_name": demand.employer_name,
        "city": demand.city,
        "submitter_name": demand.submitter_name,
        "mobile_masked": demand.mobile_masked,
        "body_id": demand.body_id,
        "body": demand.body.name if demand.body is not None else "",
        "union_id": demand.union_id,
        "created_at": demand.created_at,
        "response_due": demand.response_due,
        "resolution_due": demand.resolution_due,
        "calendar_fallback": demand.calendar_fallback,
        "responded_at": demand.responded_at,
        "resolved_at": demand.resolved_at,
        "is_breached": demand.is_breached,
        "escalated_at": demand.escalated_at,
        "agenda_at": demand.agenda_at,
        "rating": demand.rating,
        "possible_duplicate_of": demand.possible_duplicate_of.code
        if demand.possible_duplicate_of is not None
        else "",
        "photos": photos if photos is not None else 0,
    }


class SuggestIn(InputSchema):
    description: str = Field("", max_length=2000, description="职工正在填写的诉求内容")


class GuessOut(Schema):
    category: Category
    label: str
    confidence: float


class SuggestOut(Schema):
    category: Category | None
    label: str
    confidence: float
    message: str
    top3: list[GuessOut]
