from datetime import datetime

from ninja import Schema
from pydantic import Field

from liandong.core.schemas import InputSchema


class TrainingLecturerOut(Schema):
    id: int
    organization_id: int
    organization_name: str
    name: str
    affiliation: str
    topics: list[str]
    mobile_masked: str
    active: bool


class TrainingLecturerIn(InputSchema):
    organization: int
    name: str = Field(max_length=60)
    affiliation: str = Field(max_length=120)
    topics: str = Field(max_length=300)
    mobile: str = Field("", max_length=20)


class TrainingAttendanceOut(Schema):
    worker_id: int
    name: str
    attended: bool


class TrainingSessionOut(Schema):
    id: int
    organization_id: int
    organization_name: str
    topic: str
    starts_at: datetime
    place: str
    teaching_point: str
    lecturer_ids: list[int]
    congress_key: str
    congress_title: str
    invited: int
    attended: int


class TrainingSessionDetailOut(TrainingSessionOut):
    attendances: list[TrainingAttendanceOut]


class TrainingSessionIn(InputSchema):
    organization: int
    topic: str = Field(max_length=120)
    starts_at: datetime
    place: str = Field("", max_length=120)
    teaching_point: str = Field("", max_length=120)
    lecturers: list[int] = Field(default_factory=list, max_length=50)
    congress: str = Field("", max_length=60, description="职代会，如 democracy.congress:7")
    note: str = Field("", max_length=2000)


class TrainingAttendanceIn(InputSchema):
    workers: list[int] = Field(max_length=5000)
    attended: bool = True


class TrainingAttendanceResult(Schema):
    changed: int
    attended: int
    invited: int


class TrainingVersionOut(Schema):
    number: int
    name: str
    size: int
    note: str
    download_count: int
    download_url: str
    uploaded_at: datetime


class TrainingDocumentOut(Schema):
    id: int
    organization_id: int
    organization_name: str
    kind: str
    kind_label: str
    category: str
    title: str
    summary: str
    published: bool
    download_count: int
    download_url: str


class TrainingDocumentDetailOut(TrainingDocumentOut):
    body: str
    versions: list[TrainingVersionOut]


class TrainingUnionFiguresOut(Schema):
    organization_id: int
    organization_name: str
    sessions: int
    attendances: int
    delegates: int


class TrainingFiguresOut(Schema):
    organization_id: int
    year: int
    sessions: int
    attendances: int
    delegates: int
    by_union: list[TrainingUnionFiguresOut]
    url: str
