from datetime import date, datetime, time
from typing import Literal

from ninja import Schema
from pydantic import Field

from liandong.core.schemas import Id, InputSchema


class MemberOut(Schema):
    organization_id: int
    organization_name: str
    role: str
    role_label: str
    liaison_name: str
    liaison_title: str


class MechanismOut(Schema):
    id: int
    name: str
    industry: str
    convening_union_id: int
    convening_union_name: str
    collaboration_mode: str
    collaboration_mode_label: str
    status: str
    description: str


class YearFiguresOut(Schema):
    year: int
    meetings_held: int
    meetings_upcoming: int
    items_total: int
    items_done: int
    items_open: int
    items_overdue: int
    items_cancelled: int
    completion_rate: float | None
    targets_total: int
    targets_met: int
    plan_status: str


class MechanismDetailOut(MechanismOut):
    members: list[MemberOut]
    year: YearFiguresOut
    can_manage: bool


class MechanismPage(Schema):
    items: list[MechanismOut]
    next_cursor: int | None


class MechanismIn(InputSchema):
    name: str = Field(max_length=120)
    industry: str = Field(max_length=40)
    convening_union_id: int
    collaboration_mode: str
    custom_mode: str = Field("", max_length=120)
    description: str = Field("", max_length=5000)
    member_ids: list[Id] = Field(default_factory=list, max_length=50)


class MeetingOut(Schema):
    id: int
    mechanism_id: int
    title: str
    topic: str
    starts_at: datetime
    duration_minutes: int
    location: str
    online_url: str
    host_body_id: int
    host_body_name: str
    status: str
    status_label: str
    cancel_reason: str
    held_on: date | None
    back_entered: bool = False


class AgendaItemOut(Schema):
    id: int
    position: int
    title: str
    kind: str
    source_key: str
    source_url: str
    note: str


class AttendanceOut(Schema):
    organization_id: int
    organization_name: str
    present: bool
    attendees: str


class MeetingDetailOut(MeetingOut):
    agenda: list[AgendaItemOut]
    attendances: list[AttendanceOut]
    minutes: str | None  # null until published, for the member bodies
    action_item_ids: list[int]


class MeetingPage(Schema):
    items: list[MeetingOut]
    next_cursor: int | None


class MeetingIn(InputSchema):
    title: str = Field(max_length=120)
    topic: str = Field("", max_length=120)
    starts_at: datetime
    duration_minutes: int = Field(120, ge=15, le=1440)
    location: str = Field("", max_length=200)
    online_url: str = Field("", max_length=300)
    host_body_id: int


class TransitionIn(InputSchema):
    action: Literal["notify", "hold", "publish", "cancel"]
    reason: str = Field("", max_length=200)
    minutes: str | None = Field(None, max_length=20000)


class AgendaIn(InputSchema):
    title: str = Field("", max_length=200)
    note: str = Field("", max_length=300)
    candidate_key: str = Field("", max_length=80)


class ResolutionIn(InputSchema):
    resolution: str = Field(max_length=1000)
    lead_body_id: int | None = None
    co_body_ids: list[Id] = Field(default_factory=list, max_length=20)
    deadline: date | None = None
    expected_output: str = Field("", max_length=200)
    target_id: int | None = None


class ActionItemOut(Schema):
    id: int
    mechanism_id: int
    meeting_id: int
    number: int
    resolution: str
    lead_body_id: int
    lead_body_name: str
    deadline: date
    expected_output: str
    status: str
    status_label: str
    progress: int
    overdue: bool
    cancel_reason: str
    completed_on: date | None
    back_entered: bool = False


class ReportOut(Schema):
    id: int
    percent: int
    text: str
    reason: str
    organization_id: int | None
    created_at: datetime


class ActionItemDetailOut(ActionItemOut):
    co_body_ids: list[int]
    reports: list[ReportOut]
    can_report: bool


class ActionItemPage(Schema):
    items: list[ActionItemOut]
    next_cursor: int | None


class ProgressIn(InputSchema):
    percent: int
    text: str = Field(max_length=2000)
    reason: str = Field("", max_length=200)


class FigureOut(Schema):
    section: str
    label: str
    value: float | int
    unit: str
    url: str


class SummaryOut(Schema):
    mechanism_id: int
    year: int
    figures: YearFiguresOut
    meetings: list[MeetingOut]
    targets: list[dict]
    bodies: list[dict]
    other_figures: list[FigureOut]


# -- 补录 -----------------------------------------------------------------------------------------


class BackEntryProgressIn(InputSchema):
    reported_on: date
    percent: int
    text: str = Field(max_length=2000)
    reason: str = Field("", max_length=200)


class BackEntryResolutionIn(InputSchema):
    resolution: str = Field(max_length=1000)
    lead_body_id: int | None = None
    co_body_ids: list[Id] = Field(default_factory=list, max_length=20)
    deadline: date | None = None
    expected_output: str = Field("", max_length=200)
    target_id: int | None = None
    progress: list[BackEntryProgressIn] = Field(default_factory=list, max_length=50)


class BackEntryMeetingIn(InputSchema):
    """补录会议: a meeting already held, created as 已召开 (``publish``: 纪要已发布); nothing
    is sent to anyone."""

    title: str = Field(max_length=120)
    topic: str = Field("", max_length=120)
    held_on: date
    start_time: time | None = None
    duration_minutes: int = Field(120, ge=15, le=1440)
    location: str = Field("", max_length=200)
    online_url: str = Field("", max_length=300)
    host_body_id: int
    present_body_ids: list[Id] = Field(default_factory=list, max_length=50)
    minutes: str = Field("", max_length=20000)
    publish: bool = False
    resolutions: list[BackEntryResolutionIn] = Field(default_factory=list, max_length=50)
