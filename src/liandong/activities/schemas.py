from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone
from ninja import Schema
from pydantic import Field, field_validator

from liandong.activities.models import ActivityKind, ExpenseKind, FundSource, Selection
from liandong.core.schemas import Id, InputSchema


def _storable_items(value: list[str] | None) -> list[str] | None:
    """Each string of a list, checked as the base schema checks top-level strings."""
    for item in value or []:
        if "\x00" in item:
            raise ValueError("不能包含空字符（\\0）")
        try:
            item.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("包含无效的字符") from None
        if len(item) > 200:
            raise ValueError("每项不超过 200 个字符")
    return value


def _local_time(value: time | None) -> time | None:
    """Opening hours are wall-clock times of the home's city: a time with a zone is refused."""
    if value is not None and value.tzinfo is not None:
        raise ValueError("请填写不带时区的时间，如 09:00")
    return value


def _bounded(value: date | datetime | None) -> date | datetime | None:
    """Dates between 2000 and 2100; a datetime without a zone is read in the local zone (Asia/Shanghai)."""
    if value is None:
        return None
    if not 2000 <= value.year <= 2100:
        raise ValueError("日期应在 2000 年至 2100 年之间")
    if isinstance(value, datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


class QuotaIn(InputSchema):
    body_id: Id
    places: int = Field(ge=1, le=100_000)


class ActivityIn(InputSchema):
    title: str = Field(min_length=1, max_length=120)
    kind: ActivityKind
    organizer_id: int | None = None
    co_organizer_ids: list[Id] = []
    description: str = Field("", max_length=5000)
    place: str = Field("", max_length=200)
    starts_on: date
    ends_on: date
    target_group: str = Field("", max_length=200)
    target_worker_types: list[str] = []
    total_places: int = Field(0, ge=0, le=1_000_000)
    selection: Selection = Selection.FIRST_COME
    applications_open_at: datetime | None = None
    applications_close_at: datetime | None = None
    members_only: bool = False
    no_recuperation_years: int = Field(0, ge=0, le=20)
    min_years_registered: int = Field(0, ge=0, le=50)
    min_age: int | None = Field(None, ge=0, le=120)
    max_age: int | None = Field(None, ge=0, le=120)
    priority_rules: list[str] = []
    objection_channel: str = Field("", max_length=200)
    partner_unit_id: int | None = None
    route: str = Field("", max_length=120)
    quotas: list[QuotaIn] = []
    sub_venues: list[str] = []
    publish: bool = False

    _dates = field_validator(
        "starts_on", "ends_on", "applications_open_at", "applications_close_at"
    )(classmethod(lambda cls, value: _bounded(value)))


class ActivityPatchIn(InputSchema):
    """Only the fields sent change; ``quotas`` (when sent) replaces the whole allocation."""

    title: str | None = Field(None, min_length=1, max_length=120)
    kind: ActivityKind | None = None
    co_organizer_ids: list[Id] | None = None
    description: str | None = Field(None, max_length=5000)
    place: str | None = Field(None, max_length=200)
    starts_on: date | None = None
    ends_on: date | None = None
    target_group: str | None = Field(None, max_length=200)
    target_worker_types: list[str] | None = None
    total_places: int | None = Field(None, ge=0, le=1_000_000)
    selection: Selection | None = None
    applications_open_at: datetime | None = None
    applications_close_at: datetime | None = None
    members_only: bool | None = None
    no_recuperation_years: int | None = Field(None, ge=0, le=20)
    min_years_registered: int | None = Field(None, ge=0, le=50)
    min_age: int | None = Field(None, ge=0, le=120)
    max_age: int | None = Field(None, ge=0, le=120)
    priority_rules: list[str] | None = None
    objection_channel: str | None = Field(None, max_length=200)
    # A partner unit the caller may see (null: none); ``route`` one of its themed routes.
    partner_unit_id: int | None = None
    route: str | None = Field(None, max_length=120)
    quotas: list[QuotaIn] | None = None

    _lists = field_validator("target_worker_types", "priority_rules")(
        classmethod(lambda cls, value: _storable_items(value))
    )

    _dates = field_validator(
        "starts_on", "ends_on", "applications_open_at", "applications_close_at"
    )(classmethod(lambda cls, value: _bounded(value)))


# Fields a PATCH may set to null; for the others null means "not sent".
NULLABLE_ACTIVITY_FIELDS = {
    "applications_open_at",
    "applications_close_at",
    "min_age",
    "max_age",
    "partner_unit_id",
}


class QuotaOut(Schema):
    body_id: int
    body_name: str
    places: int
    taken: int


class ActivityOut(Schema):
    id: int
    title: str
    partner_unit_id: int | None = None
    route: str = ""
    kind: str
    kind_label: str
    organizer_id: int
    organizer_name: str
    place: str
    starts_on: date
    ends_on: date
    target_group: str
    total_places: int
    places_taken: int
    selection: str
    status: str
    status_label: str
    applications_open_at: datetime | None
    applications_close_at: datetime | None
    seed_commitment: str
    seed: str
    notice_ends_on: date | None
    quotas: list[QuotaOut]
    sub_venues: list[str]
    back_entered: bool = False


class ActivityPage(Schema):
    items: list[ActivityOut]
    next_cursor: int | None


class ApplicationOut(Schema):
    id: int
    activity_id: int
    worker_id: int
    worker_name: str
    id_number_masked: str
    body_name: str
    status: str
    status_label: str
    checked_in_at: datetime | None
    rating: int | None


class ApplicationPage(Schema):
    items: list[ApplicationOut]
    next_cursor: int | None


class NominateIn(InputSchema):
    worker_id: int


class WithdrawIn(InputSchema):
    reason: str = Field("", max_length=200)


class NoticeIn(InputSchema):
    days: int = Field(5, ge=1, le=30)
    objection_channel: str = Field("", max_length=200)


class CheckInIn(InputSchema):
    token: str = Field(min_length=8, max_length=64)


class FeedbackIn(InputSchema):
    rating: int = Field(ge=1, le=5)
    feedback: str = Field("", max_length=500)


class ServedIn(InputSchema):
    people: int = Field(ge=1, le=100_000)
    served_on: date
    sub_venue_id: int | None = None
    note: str = Field("", max_length=200)

    _dates = field_validator("served_on")(classmethod(lambda cls, value: _bounded(value)))


class PublicEntryOut(Schema):
    application_id: int
    name: str
    id_number_masked: str
    body: str
    status: str
    status_label: str
    rank: int | None
    tier: int | None


class PublicNoticeOut(Schema):
    id: int
    title: str
    organizer_name: str
    status: str
    total_places: int
    selection: str
    priority_rules: list[str]
    quotas: dict[str, int]
    seed_commitment: str
    seed: str
    drawn_at: datetime | None
    notice_starts_on: date | None
    notice_ends_on: date | None
    objection_channel: str
    selected: list[PublicEntryOut]
    waitlist: list[PublicEntryOut]
    applicants: list[PublicEntryOut]


class FigureRowOut(Schema):
    kind: str
    label: str
    activities: int
    places: int
    applicants: int
    selected: int
    checked_in: int
    people_served: int
    money: Decimal


class FiguresOut(Schema):
    year: int
    activities: int
    places: int
    applicants: int
    selected: int
    checked_in: int
    people_served: int
    expenses: Decimal
    subsidies: Decimal
    local_products: Decimal
    rows: list[FigureRowOut]


class FiguresQuery(InputSchema):
    year: int | None = Field(None, ge=2000, le=2100)


class HomeOut(Schema):
    id: int
    name: str
    address: str
    facilities: str
    opens_at: str
    closes_at: str
    open_weekdays: str
    capacity: int
    owners: list[str]
    owner_ids: list[int]


class UsageOut(Schema):
    owner: str
    bookings: int
    hours: float
    people: int
    cancelled: int


class HomeDetailOut(HomeOut):
    usage: list[UsageOut]
    upcoming: list["BookingOut"]


WEEKDAYS_PATTERN = r"^[1-7]{1,7}$"


class HomeIn(InputSchema):
    name: str = Field(min_length=1, max_length=120)
    address: str = Field("", max_length=200)
    facilities: str = Field("", max_length=300)
    owner_ids: list[Id] = Field(min_length=1)
    opens_at: time
    closes_at: time
    open_weekdays: str = Field("1234567", pattern=WEEKDAYS_PATTERN)
    capacity: int = Field(0, ge=0, le=100_000)

    _times = field_validator("opens_at", "closes_at")(
        classmethod(lambda cls, value: _local_time(value))
    )


class HomePatchIn(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    address: str | None = Field(None, max_length=200)
    facilities: str | None = Field(None, max_length=300)
    owner_ids: list[Id] | None = Field(None, min_length=1)
    opens_at: time | None = None
    closes_at: time | None = None
    open_weekdays: str | None = Field(None, pattern=WEEKDAYS_PATTERN)
    capacity: int | None = Field(None, ge=0, le=100_000)

    _times = field_validator("opens_at", "closes_at")(
        classmethod(lambda cls, value: _local_time(value))
    )


class CancelBookingIn(InputSchema):
    reason: str = Field(min_length=1, max_length=200)


class BookingIn(InputSchema):
    owner_id: int
    starts_at: datetime
    ends_at: datetime
    purpose: str = Field(min_length=1, max_length=120)
    people: int = Field(0, ge=0, le=100_000)

    _dates = field_validator("starts_at", "ends_at")(
        classmethod(lambda cls, value: _bounded(value))
    )


class BookingOut(Schema):
    id: int
    home_id: int
    owner_name: str
    starts_at: datetime
    ends_at: datetime
    purpose: str
    people: int
    cancelled: bool = False
    cancel_reason: str = ""


HomeDetailOut.model_rebuild()


class BudgetLineOut(Schema):
    id: int
    owner_name: str
    year: int
    source: FundSource
    name: str
    amount: Decimal
    spent: Decimal
    remainder: Decimal
    override_ceiling: Decimal = Decimal("0")
    pending: Decimal = Decimal("0")


class BudgetLineIn(InputSchema):
    owner_id: int | None = None
    year: int = Field(ge=2000, le=2100)
    source: FundSource
    name: str = Field(min_length=1, max_length=120)
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    override_ceiling: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    note: str = Field("", max_length=200)


class BudgetLinePatchIn(InputSchema):
    year: int | None = Field(None, ge=2000, le=2100)
    source: FundSource | None = None
    name: str | None = Field(None, min_length=1, max_length=120)
    amount: Decimal | None = Field(None, gt=0, max_digits=14, decimal_places=2)
    override_ceiling: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    note: str | None = Field(None, max_length=200)


class ExpenseIn(InputSchema):
    budget_line_id: int
    kind: ExpenseKind
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    spent_on: date
    activity_id: int | None = None
    enterprise_id: int | None = None
    merchant_id: int | None = None
    merchant: str = Field("", max_length=120)
    note: str = Field("", max_length=200)
    override_reason: str = Field("", max_length=200)

    _dates = field_validator("spent_on")(classmethod(lambda cls, value: _bounded(value)))


class ExpenseOut(Schema):
    id: int
    budget_line_id: int
    kind: str
    amount: Decimal
    spent_on: date
    override_reason: str
    remainder: Decimal
    status: str = "recorded"
    reverses_id: int | None = None
    corrects_id: int | None = None
    reason: str = ""


class ExpenseReverseIn(InputSchema):
    reason: str = Field(min_length=1, max_length=200)
    corrected_amount: Decimal | None = Field(None, gt=0, max_digits=14, decimal_places=2)


class ExpenseReverseOut(Schema):
    reversal: ExpenseOut
    correction: ExpenseOut | None = None


class OverrideDecisionIn(InputSchema):
    note: str = Field("", max_length=200)


class PartnerUnitIn(InputSchema):
    owner_id: int | None = None
    name: str = Field(min_length=1, max_length=120)
    address: str = Field("", max_length=200)
    contact: str = Field("", max_length=120)
    agreement_starts_on: date
    agreement_ends_on: date
    capacity: int = Field(0, ge=0, le=100_000)
    price_per_person: Decimal = Field(Decimal("0"), ge=0, max_digits=10, decimal_places=2)
    routes: list[str] = Field(default_factory=list, max_length=30)
    active: bool = True

    _dates = field_validator("agreement_starts_on", "agreement_ends_on")(
        classmethod(lambda cls, value: _bounded(value))
    )
    _lists = field_validator("routes")(classmethod(lambda cls, value: _storable_items(value)))


class PartnerUnitOut(Schema):
    id: int
    owner_name: str
    name: str
    address: str
    agreement_starts_on: date
    agreement_ends_on: date
    capacity: int
    price_per_person: Decimal
    routes: list[str]
    active: bool
    rating_avg: float | None = None
    rating_count: int = 0


class MerchantIn(InputSchema):
    owner_id: int | None = None
    name: str = Field(min_length=1, max_length=120)
    town: str = Field("", max_length=60)
    products: str = Field(min_length=1, max_length=200)
    contact: str = Field("", max_length=120)


class MerchantOut(Schema):
    id: int
    owner_name: str
    name: str
    town: str
    products: str
    active: bool
    spent: Decimal = Decimal("0")


class ActivityBackEntryIn(InputSchema):
    """补录活动: an activity already held, created confirmed with its participants."""

    title: str = Field(min_length=1, max_length=120)
    kind: ActivityKind
    organizer_id: int | None = None
    starts_on: date
    ends_on: date
    place: str = Field("", max_length=200)
    description: str = Field("", max_length=5000)
    target_group: str = Field("", max_length=200)
    participant_ids: list[Id] = Field(default_factory=list, max_length=5000)
    id_numbers: list[str] = Field(default_factory=list, max_length=5000)
    people_served: int | None = Field(None, ge=0, le=100_000)
