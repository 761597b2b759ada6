from datetime import date
from typing import Literal

from ninja import Field, Schema

from liandong.core.schemas import InputSchema


class DashboardQuery(InputSchema):
    org: int | None = None
    year: int | None = Field(None, ge=2000, le=2100)
    start: date | None = None
    end: date | None = None
    industry: str = Field("", max_length=40)


class AnnualQuery(InputSchema):
    org: int | None = None
    year: int = Field(..., ge=2000, le=2100)
    format: Literal["docx", "pdf"] = "pdf"


class MechanismQuery(InputSchema):
    year: int | None = Field(None, ge=2000, le=2100)


class ReportFigureOut(Schema):
    section: str
    label: str
    value: float
    unit: str
    url: str


class RowOut(Schema):
    label: str
    values: list[float | int | str | None]
    url: str


class ChartOut(Schema):
    key: str
    title: str
    section: str
    kind: str
    columns: list[str]
    rows: list[RowOut]
    unit: str
    note: str
    plotted: list[int]


class ReportCoverageOut(Schema):
    enterprises: int
    enterprises_with_union: int
    outlets: int
    outlets_reached: int
    workers: int
    members: int
    enterprise_rate: float | None
    outlet_rate: float | None
    member_rate: float | None


class DashboardOut(Schema):
    organization_id: int
    organization: str
    year: int
    start: date
    end: date
    industry: str
    updated_at: str
    coverage: ReportCoverageOut
    figures: list[ReportFigureOut]
    charts: list[ChartOut]


class StageOut(Schema):
    name: str
    state: str
    note: str


class MechanismDashboardOut(Schema):
    mechanism_id: int
    mechanism: str
    year: int
    meetings_held: int
    items_total: int
    items_done: int
    items_overdue: int
    completion_rate: float | None
    stages: list[StageOut]
    charts: list[ChartOut]
