from datetime import date
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field

from liandong.core.schemas import Id, InputSchema


class VolunteerTeamOut(Schema):
    id: int
    name: str
    organization_id: int
    organization_name: str
    founded_on: date
    skills: list[str]
    service_mode: str
    description: str
    contact_name: str


class VolunteerTeamPage(Schema):
    items: list[VolunteerTeamOut]
    next_cursor: int | None


class VolunteerFiguresOut(Schema):
    members: int
    services: int
    hours: Decimal
    people_served: int
    volunteers_served: int
    trainings: int
    training_attendance: int


class VolunteerMemberOut(Schema):
    id: int
    team_id: int
    kind: Literal["worker", "outside"]
    worker_id: int | None
    name: str
    mobile_masked: str
    skills: str
    role: str
    joined_on: date
    left_on: date | None
    hours: Decimal


class VolunteerHonourOut(Schema):
    id: int
    title: str
    awarded_on: date
    awarded_by: str
    note: str


class VolunteerHoursOut(Schema):
    member_id: int
    name: str
    hours: Decimal


class VolunteerServiceOut(Schema):
    id: int
    team_id: int
    activity_id: int
    activity_title: str
    served_on: date
    people_served: int
    note: str
    hours: list[VolunteerHoursOut]


class VolunteerTrainingOut(Schema):
    id: int
    team_id: int
    title: str
    held_on: date
    place: str
    trainer: str
    hours: Decimal
    content: str
    attendee_ids: list[int]


class VolunteerTeamDetailOut(VolunteerTeamOut):
    figures: VolunteerFiguresOut
    members: list[VolunteerMemberOut]
    honours: list[VolunteerHonourOut]
    trainings: list[VolunteerTrainingOut]
    can_manage: bool


class VolunteerTeamIn(InputSchema):
    name: str = Field(min_length=1, max_length=120)
    organization_id: Id
    founded_on: date
    skills: str = Field("", max_length=300)
    service_mode: str = Field("", max_length=120)
    description: str = Field("", max_length=4000)
    contact_name: str = Field("", max_length=40)


class VolunteerTeamPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    founded_on: date | None = None
    skills: str | None = Field(None, max_length=300)
    service_mode: str | None = Field(None, max_length=120)
    description: str | None = Field(None, max_length=4000)
    contact_name: str | None = Field(None, max_length=40)


class VolunteerMemberIn(InputSchema):
    """A worker of the roster by ``worker_id``, or an outside volunteer by ``name`` and
    ``mobile``."""

    worker_id: Id | None = None
    name: str = Field("", max_length=40)
    mobile: str = Field("", max_length=20)
    joined_on: date
    skills: str = Field("", max_length=200)
    role: str = Field("", max_length=40)


class VolunteerRemoveIn(InputSchema):
    left_on: date | None = None


class VolunteerRevealIn(InputSchema):
    purpose: str = Field("", max_length=200)


class VolunteerMobileOut(Schema):
    id: int
    mobile: str


class VolunteerHonourIn(InputSchema):
    title: str = Field(min_length=1, max_length=120)
    awarded_on: date
    awarded_by: str = Field("", max_length=120)
    note: str = Field("", max_length=300)


class VolunteerHoursIn(InputSchema):
    member_id: Id
    hours: Decimal = Field(max_digits=6, decimal_places=2)


class VolunteerServiceIn(InputSchema):
    activity_id: Id
    served_on: date
    people_served: int = Field(0, ge=0, le=10_000_000)
    note: str = Field("", max_length=300)
    hours: list[VolunteerHoursIn] = Field(max_length=500)


class VolunteerTrainingIn(InputSchema):
    title: str = Field(min_length=1, max_length=120)
    held_on: date
    place: str = Field("", max_length=120)
    trainer: str = Field("", max_length=60)
    hours: Decimal = Field(Decimal("2"), max_digits=6, decimal_places=2)
    content: str = Field("", max_length=4000)


class VolunteerAttendanceIn(InputSchema):
    member_ids: list[Id] = Field(max_length=1000)
