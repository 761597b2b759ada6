from datetime import date
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from liandong.core.schemas import InputSchema


class SegmentOut(Schema):
    id: int
    name: str
    weight: Decimal
    full_marks: Decimal
    tie_break: int | None


class RoundOut(Schema):
    id: int
    name: str
    order: int
    advance_rule: str
    advance_value: Decimal | None
    per_group: bool
    station: str
    venue: str
    starts_on: date | None
    ends_on: date | None
    advanced: bool
    segments: list[SegmentOut]


class ContestOut(Schema):
    id: int
    name: str
    level: str
    status: str
    profession: str
    organization_id: int
    organization_name: str
    hosts: str
    undertakers: str
    co_organizers: str
    starts_on: date | None
    published: bool


class ContestDetailOut(ContestOut):
    drop_extremes_from: int
    team_size: int
    team_rule: str
    rounding: str = Field(
        description="exact：按未经四舍五入的总分排名（显示保留两位小数）；"
        "stage：每一步保留两位小数，按保留后的总分排名"
    )
    rounds: list[RoundOut]


class ContestPage(Schema):
    items: list[ContestOut]
    next_cursor: int | None


class EntrantIn(InputSchema):
    worker: int = Field(description="职工编号（须在本单位范围内）")
    group: str = Field("", max_length=40)


class EntrantOut(Schema):
    id: int
    contest_id: int
    worker_id: int
    name: str
    employer_name: str
    registered_by_id: int
    group: str
    status: str
    prize: str


class SegmentResultOut(Schema):
    segment_id: int
    name: str
    scores: list[Decimal]
    dropped: list[Decimal]
    mean: Decimal | None
    points: Decimal
    missing: int


class ResultOut(Schema):
    entry_id: int
    entrant_id: int
    name: str
    order_no: int | None
    group: str
    rank: int
    total: Decimal
    complete: bool
    advancing: bool
    segments: list[SegmentResultOut]


class RoundResultsOut(Schema):
    round_id: int
    missing_sheets: int
    results: list[ResultOut]


class AdvanceOut(Schema):
    round_id: int
    advanced: int


class SheetOut(Schema):
    id: int
    segment_id: int
    order_no: int | None
    score: Decimal
    status: str


class ScoreIn(InputSchema):
    order_no: int = Field(ge=1)
    score: Decimal


class SheetsIn(InputSchema):
    segment: int
    scores: list[ScoreIn] = Field(min_length=1, max_length=1000)
    submit: bool = False


class CorrectionIn(InputSchema):
    score: Decimal
    reason: str = Field(max_length=200)


class BoardRowOut(Schema):
    rank: int
    order_no: int | None
    name: str
    total: Decimal
    complete: bool


class ScoreboardOut(Schema):
    contest_id: int
    name: str
    round: str
    published: bool
    sheets_in: int
    sheets_expected: int
    rows: list[BoardRowOut]
