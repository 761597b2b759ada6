from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Status
from pydantic import Field

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.accounts.permissions import acts_for_organization
from liandong.activities import permissions as perms
from liandong.activities import services
from liandong.activities.exporting import figures_xlsx
from liandong.activities.models import (
    Activity,
    ActivityStatus,
    Application,
    Booking,
    BudgetLine,
    Home,
    Quota,
    SubVenue,
)
from liandong.activities.schemas import (
    NULLABLE_ACTIVITY_FIELDS,
    ActivityBackEntryIn,
    ActivityIn,
    ActivityOut,
    ActivityPage,
    ActivityPatchIn,
    ApplicationOut,
    ApplicationPage,
    BookingIn,
    BookingOut,
    BudgetLineIn,
    BudgetLineOut,
    BudgetLinePatchIn,
    CancelBookingIn,
    CheckInIn,
    ExpenseIn,
    ExpenseOut,
    ExpenseReverseIn,
    ExpenseReverseOut,
    FeedbackIn,
    FiguresOut,
    FiguresQuery,
    HomeDetailOut,
    HomeIn,
    HomeOut,
    HomePatchIn,
    MerchantIn,
    MerchantOut,
    NominateIn,
    NoticeIn,
    OverrideDecisionIn,
    PartnerUnitIn,
    PartnerUnitOut,
    PublicNoticeOut,
    ServedIn,
    WithdrawIn,
)
from liandong.activities.selectors import (
    activity_list,
    budget_usage,
    home_usage,
    merchant_spending,
    partner_unit_ratings,
    period_figures,
    public_notice,
)
from liandong.core.documents import XLSX
from liandong.core.paging import page_by_id
from liandong.core.schemas import InputSchema
from liandong.organizations.models import Organization
from liandong.organizations.permissions import organizations_in_scope, organizations_visible_to
from liandong.workers.permissions import workers_visible_to

router = Router(tags=["服务活动"])
# No login: mounted at /api/v1/public/activities/ (DESIGN.md: public endpoints live under /api/v1/public/).
public_router = Router(tags=["服务活动（公开）"])


class ActivityListQuery(InputSchema):
    year: int | None = Field(None, ge=2000, le=2100)
    kind: str = Field("", max_length=20)
    cursor: int | None = None
    limit: int = 20


class ApplicationPageQuery(InputSchema):
    cursor: int | None = None
    limit: int = 20


def activity_item(a: Activity) -> dict[str, Any]:
    return {
        "id": a.pk,
        "title": a.title,
        "kind": a.kind,
        "kind_label": a.get_kind_display(),
        "organizer_id": a.organizer_id,
        "organizer_name": a.organizer.name,
        "partner_unit_id": a.partner_unit_id,
        "route": a.route,
        "place": a.place,
        "starts_on": a.starts_on,
        "ends_on": a.ends_on,
        "target_group": a.target_group,
        "total_places": a.total_places,
        "places_taken": a.places_taken,
        "selection": a.selection,
        "status": a.status,
        "status_label": a.get_status_display(),
        "applications_open_at": a.applications_open_at,
        "applications_close_at": a.applications_close_at,
        "seed_commitment": a.seed_commitment,
        "seed": a.seed if a.drawn_at else "",
        "notice_ends_on": a.notice_ends_on,
        "quotas": [
            {"body_id": q.body_id, "body_name": q.body.name, "places": q.places, "taken": q.taken}
            for q in a.quotas.all()
        ],
        "sub_venues": [v.name for v in a.sub_venues.all()],
        "back_entered": a.back_entered,
    }


def application_item(a: Application) -> dict[str, Any]:
    return {
        "id": a.pk,
        "activity_id": a.activity_id,
        "worker_id": a.worker_id,
        "worker_name": a.worker.name,
        "id_number_masked": a.worker.id_number_masked,
        "body_name": a.body.name if a.body else "",
        "status": a.state,
        "status_label": a.state_label,
        "checked_in_at": a.checked_in_at,
        "rating": a.rating,
    }


def _with_related(queryset: Any) -> Any:
    return queryset.select_related("organizer").prefetch_related(
        Prefetch("quotas", queryset=Quota.objects.select_related("body")),
        Prefetch("sub_venues", queryset=SubVenue.objects.all()),
    )


def visible_activity(request: AuthenticatedHttpRequest, activity_id: int) -> Activity:
    return get_object_or_404(
        _with_related(perms.activities_visible_to(request.user)), pk=activity_id
    )


def managed_activity(request: AuthenticatedHttpRequest, activity_id: int) -> Activity:
    activity = visible_activity(request, activity_id)
    if not perms.can_manage_activity(request.user, activity):
        raise PermissionDenied
    return activity


@router.get("/", response=ActivityPage, url_name="activity-list", operation_id="activities_list")
def list_activities(request: AuthenticatedHttpRequest, query: Query[ActivityListQuery]) -> dict:
    """Activities the caller may see, newest first; page with ``next_cursor``."""
    if not (perms.can_apply(request.user) or acts_for_organization(request.user)):
        raise PermissionDenied
    activities = _with_related(
        activity_list(perms.activities_visible_to(request.user), year=query.year, kind=query.kind)
    )
    page = page_by_id(activities, cursor=query.cursor, size=query.limit)
    return {"items": [activity_item(a) for a in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/", response={201: ActivityOut}, url_name="activity-create", operation_id="activities_create"
)
def create_activity(request: AuthenticatedHttpRequest, payload: ActivityIn) -> Status:
    """Create an activity (union admins and staff, for a union of their subtree)."""
    if not perms.can_create_activity(request.user):
        raise PermissionDenied
    scope = organizations_in_scope(request.user)
    organizer = (
        get_object_or_404(scope, pk=payload.organizer_id)
        if payload.organizer_id
        else request.user.organization
    )
    visible = organizations_visible_to(request.user)
    co_organizers = list(visible.filter(pk__in=payload.co_organizer_ids))
    if len(co_organizers) != len(set(payload.co_organizer_ids)):
        raise ValidationError({"co_organizer_ids": "协办单位不存在或不在您的范围内"})
    bodies = {o.pk: o for o in scope.filter(pk__in=[q.body_id for q in payload.quotas])}
    if len(bodies) != len({q.body_id for q in payload.quotas}):
        raise ValidationError({"quotas": "名额单位不存在或不在您的范围内"})
    data = payload.dict(
        exclude={
            "organizer_id",
            "co_organizer_ids",
            "quotas",
            "sub_venues",
            "publish",
            "partner_unit_id",
        }
    )
    if payload.partner_unit_id is not None:
        data["partner_unit"] = (
            perms.partner_units_usable_by(request.user).filter(pk=payload.partner_unit_id).first()
        )
        if data["partner_unit"] is None:
            raise ValidationError({"partner_unit_id": "合作单位不存在、已停止合作或不在您的范围内"})
    activity = services.activity_create(
        actor=request.user,
        organizer=organizer,
        co_organizers=co_organizers,
        quotas=[(bodies[q.body_id], q.places) for q in payload.quotas],
        sub_venues=payload.sub_venues,
        publish=payload.publish,
        **data,
    )
    return Status(201, activity_item(visible_activity(request, activity.pk)))


@router.get(
    "/figures", response=FiguresOut, url_name="activity-figures", operation_id="activities_figures"
)
def figures(request: AuthenticatedHttpRequest, query: Query[FiguresQuery]) -> dict:
    """The year's places, applicants, participants, people served and money, by activity type."""
    if not perms.can_view_figures(request.user):
        raise PermissionDenied
    data = period_figures(
        perms.activities_visible_to(request.user),
        perms.expenses_visible_to(request.user),
        year=query.year or timezone.localdate().year,
    )
    t = data["total"]
    return {
        "year": data["year"],
        "activities": data["activities"],
        "places": t.places,
        "applicants": t.applicants,
        "selected": t.selected,
        "checked_in": t.checked_in,
        "people_served": t.people_served,
        "expenses": t.expenses,
        "subsidies": t.subsidies,
        "local_products": t.local_products,
        "rows": [
            {
                "kind": r["kind"],
                "label": r["label"],
                "activities": r["activities"],
                "places": r["figures"].places,
                "applicants": r["figures"].applicants,
                "selected": r["figures"].selected,
                "checked_in": r["figures"].checked_in,
                "people_served": r["figures"].people_served,
                "money": r["figures"].money,
            }
            for r in data["rows"]
        ],
    }


@router.get(
    "/figures/export",
    url_name="activity-figures-export",
    operation_id="activities_figures_export",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {XLSX: {}}}}},
)
def figures_export(request: AuthenticatedHttpRequest, query: Query[FiguresQuery]) -> HttpResponse:
    if not perms.can_view_figures(request.user):
        raise PermissionDenied
    data = period_figures(
        perms.activities_visible_to(request.user),
        perms.expenses_visible_to(request.user),
        year=query.year or timezone.localdate().year,
    )
    response = HttpResponse(
        figures_xlsx(data, scope_name=request.user.organization.name), content_type=XLSX
    )
    response["Content-Disposition"] = f'attachment; filename="activities-{data["year"]}.xlsx"'
    return response


@public_router.get(
    "/{int:activity_id}",
    auth=None,
    response=PublicNoticeOut,
    url_name="activity-public",
    operation_id="activities_public_notice",
)
def public_notice_api(request: HttpRequest, activity_id: int) -> dict:
    """Public (no login): the seed commitment, after the draw the seed and the ranked applicant
    list, and the selected list under notice; names and ID numbers masked."""
    activity = get_object_or_404(
        Activity.objects.select_related("organizer").exclude(status=ActivityStatus.DRAFT),
        pk=activity_id,
    )
    notice = public_notice(activity)
    return {
        "id": activity.pk,
        "title": activity.title,
        "organizer_name": activity.organizer.name,
        "status": activity.status,
        "total_places": activity.total_places,
        "selection": activity.selection,
        "priority_rules": activity.priority_rules,
        "quotas": {q.body.name: q.places for q in activity.quotas.select_related("body")},
        "seed_commitment": activity.seed_commitment,
        "seed": notice["seed"],
        "drawn_at": activity.drawn_at,
        "notice_starts_on": activity.notice_starts_on,
        "notice_ends_on": activity.notice_ends_on,
        "objection_channel": activity.objection_channel,
        "selected": notice["selected"],
        "waitlist": notice["waitlist"],
        "applicants": notice["applicants"],
    }


@router.post(
    "/checkin",
    response=ApplicationOut,
    url_name="activity-checkin",
    operation_id="activities_check_in",
)
def check_in(request: AuthenticatedHttpRequest, payload: CheckInIn) -> dict:
    """Check a participant in by the token of their QR code (the activity's managers)."""
    application = (
        Application.objects.select_related("activity__organizer", "worker", "body")
        .filter(checkin_token=payload.token)
        .first()
    )
    if application is None or not perms.can_manage_activity(request.user, application.activity):
        raise ValidationError({"token": "签到码无效"})
    return application_item(
        services.application_check_in(actor=request.user, application=application)
    )


def home_item(h: Home) -> dict[str, Any]:
    owners = list(h.owners.all())
    return {
        "id": h.pk,
        "name": h.name,
        "address": h.address,
        "facilities": h.facilities,
        "opens_at": f"{h.opens_at:%H:%M}",
        "closes_at": f"{h.closes_at:%H:%M}",
        "open_weekdays": h.open_weekdays,
        "capacity": h.capacity,
        "owners": [o.name for o in owners],
        "owner_ids": [o.pk for o in owners],
    }


def booking_item(b: Booking) -> dict[str, Any]:
    return {
        "id": b.pk,
        "home_id": b.home_id,
        "owner_name": b.owner.name,
        "starts_at": b.starts_at,
        "ends_at": b.ends_at,
        "purpose": b.purpose,
        "people": b.people,
        "cancelled": b.cancelled,
        "cancel_reason": b.cancel_reason,
    }


def _home_owners(
    request: AuthenticatedHttpRequest, owner_ids: list[int], home: Home | None = None
) -> list[Organization]:
    owners = list(perms.home_owner_choices(request.user, home).filter(pk__in=owner_ids))
    if len(owners) != len(set(owner_ids)):
        raise ValidationError({"owner_ids": "共建单位不存在或不在您的范围内"})
    return owners


@router.get(
    "/homes/", response=list[HomeOut], url_name="home-list", operation_id="activities_homes"
)
def list_homes(request: AuthenticatedHttpRequest) -> list[dict]:
    if not acts_for_organization(request.user):
        raise PermissionDenied
    homes = perms.homes_visible_to(request.user).prefetch_related("owners")
    return [home_item(h) for h in homes[:200]]


@router.post(
    "/homes/",
    response={201: HomeOut},
    url_name="home-create",
    operation_id="activities_create_home",
)
def create_home(request: AuthenticatedHttpRequest, payload: HomeIn) -> Status:
    """A shared workers' home owned by unions of the caller's scope (union admins and staff)."""
    if not perms.can_create_home(request.user):
        raise PermissionDenied
    data = payload.dict(exclude={"owner_ids"})
    home = services.home_create(
        actor=request.user, owners=_home_owners(request, payload.owner_ids), **data
    )
    return Status(201, home_item(home))


@router.get(
    "/homes/{int:home_id}",
    response=HomeDetailOut,
    url_name="home-detail",
    operation_id="activities_home_detail",
)
def home_detail(request: AuthenticatedHttpRequest, home_id: int) -> dict:
    """A home, its usage per owner over the last year (cancelled bookings counted apart) and
    its upcoming bookings."""
    home = get_object_or_404(
        perms.homes_visible_to(request.user).prefetch_related("owners"), pk=home_id
    )
    upcoming = Booking.objects.filter(
        home=home, cancelled=False, ends_at__gte=timezone.now()
    ).select_related("owner")[:100]
    return {
        **home_item(home),
        "usage": home_usage(home),
        "upcoming": [booking_item(b) for b in upcoming],
    }


@router.patch(
    "/homes/{int:home_id}",
    response=HomeOut,
    url_name="home-update",
    operation_id="activities_update_home",
)
def update_home(request: AuthenticatedHttpRequest, home_id: int, payload: HomePatchIn) -> dict:
    """Change owners, facilities, opening hours or capacity; only the fields sent change."""
    home = get_object_or_404(perms.homes_visible_to(request.user), pk=home_id)
    if not perms.can_edit_home(request.user, home):
        raise PermissionDenied
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    owner_ids = data.pop("owner_ids", None)
    owners = _home_owners(request, owner_ids, home) if owner_ids is not None else None
    services.home_update(actor=request.user, home=home, owners=owners, **data)
    return home_item(Home.objects.prefetch_related("owners").get(pk=home.pk))


@router.post(
    "/homes/{int:home_id}/bookings",
    response={201: BookingOut},
    url_name="home-book",
    operation_id="activities_book_home",
)
def book_home(request: AuthenticatedHttpRequest, home_id: int, payload: BookingIn) -> Status:
    home = get_object_or_404(perms.homes_visible_to(request.user), pk=home_id)
    if not perms.can_book(request.user):
        raise PermissionDenied
    owner = perms.booking_owners_for(request.user, home).filter(pk=payload.owner_id).first()
    if owner is None:
        raise ValidationError({"owner_id": "预约单位须为您范围内的共建单位"})
    booking: Booking = services.booking_create(
        actor=request.user,
        home=home,
        owner=owner,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        purpose=payload.purpose,
        people=payload.people,
    )
    return Status(201, booking_item(booking))


@router.post(
    "/bookings/{int:booking_id}/cancel",
    response=BookingOut,
    url_name="booking-cancel",
    operation_id="activities_cancel_booking",
)
def cancel_booking(
    request: AuthenticatedHttpRequest, booking_id: int, payload: CancelBookingIn
) -> dict:
    """Cancel a booking with a reason (the booker, or staff of the home's owners); frees the slot."""
    booking = get_object_or_404(
        perms.bookings_visible_to(request.user).select_related("home", "owner"), pk=booking_id
    )
    if not perms.can_cancel_booking(request.user, booking):
        raise PermissionDenied
    return booking_item(
        services.booking_cancel(actor=request.user, booking=booking, reason=payload.reason)
    )


def _line_item(usage: Any) -> dict:
    b = usage.line
    return {
        "id": b.pk,
        "owner_name": b.owner.name,
        "year": b.year,
        "source": b.source,
        "name": b.name,
        "amount": usage.amount,
        "spent": usage.spent,
        "remainder": usage.remainder,
        "override_ceiling": usage.override_ceiling,
        "pending": usage.pending,
    }


@router.get(
    "/budget-lines",
    response=list[BudgetLineOut],
    url_name="budget-lines",
    operation_id="activities_budget_lines",
)
def budget_lines(request: AuthenticatedHttpRequest, query: Query[FiguresQuery]) -> list[dict]:
    if not perms.is_manager(request.user):
        raise PermissionDenied
    lines = perms.budget_lines_visible_to(request.user)
    return [_line_item(u) for u in budget_usage(lines, year=query.year or None)]


@router.post(
    "/budget-lines",
    response={201: BudgetLineOut},
    url_name="budget-line-create",
    operation_id="activities_create_budget_line",
)
def create_budget_line(request: AuthenticatedHttpRequest, payload: BudgetLineIn) -> Status:
    """A union admin opens a budget line for a union in their subtree, with its override ceiling."""
    if not perms.can_manage_budget_lines(request.user):
        raise PermissionDenied
    data = payload.dict()
    owner_id = data.pop("owner_id") or request.user.organization_id
    owner = perms.budget_line_owner_choices(request.user).filter(pk=owner_id).first()
    if owner is None:
        raise ValidationError({"owner_id": "所属单位须为您范围内的工会"})
    line = services.budget_line_create(actor=request.user, owner=owner, **data)
    usage = budget_usage(perms.budget_lines_visible_to(request.user).filter(pk=line.pk))[0]
    return Status(201, _line_item(usage))


@router.patch(
    "/budget-lines/{int:line_id}",
    response=BudgetLineOut,
    url_name="budget-line-update",
    operation_id="activities_update_budget_line",
)
def update_budget_line(
    request: AuthenticatedHttpRequest, line_id: int, payload: BudgetLinePatchIn
) -> dict:
    """Change a line's name, source, year, amount or ceiling; only the fields sent change."""
    line = get_object_or_404(perms.budget_lines_visible_to(request.user), pk=line_id)
    if not perms.can_manage_budget_lines(request.user):
        raise PermissionDenied
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    services.budget_line_update(actor=request.user, line=line, **data)
    return _line_item(
        budget_usage(perms.budget_lines_visible_to(request.user).filter(pk=line.pk))[0]
    )


def _expense_item(expense: Any) -> dict:
    line = BudgetLine.objects.get(pk=expense.budget_line_id)
    return {
        "id": expense.pk,
        "budget_line_id": expense.budget_line_id,
        "kind": expense.kind,
        "amount": expense.amount,
        "spent_on": expense.spent_on,
        "override_reason": expense.override_reason,
        "remainder": line.remainder,
        "status": expense.status,
        "reverses_id": expense.reverses_id,
        "corrects_id": expense.corrects_id,
        "reason": expense.reason,
    }


@router.post(
    "/expenses",
    response={201: ExpenseOut},
    url_name="expense-create",
    operation_id="activities_record_expense",
)
def record_expense(request: AuthenticatedHttpRequest, payload: ExpenseIn) -> Status:
    """Spend from a budget line. Over the remainder, a union admin's reason makes it a pending
    override (status ``pending``) that another union admin approves, within the line's ceiling."""
    if not perms.is_manager(request.user):
        raise PermissionDenied
    line = get_object_or_404(perms.budget_lines_visible_to(request.user), pk=payload.budget_line_id)
    activity = None
    if payload.activity_id is not None:
        activity = perms.activities_visible_to(request.user).filter(pk=payload.activity_id).first()
        if activity is None:
            raise ValidationError({"activity_id": "活动不存在或不在您的范围内"})
    enterprise = None
    if payload.enterprise_id is not None:
        enterprise = (
            organizations_in_scope(request.user)
            .filter(pk=payload.enterprise_id, kind=Organization.Kind.ENTERPRISE)
            .first()
        )
        if enterprise is None:
            raise ValidationError({"enterprise_id": "企业不存在或不在您的范围内"})
    local_merchant = None
    if payload.merchant_id is not None:
        local_merchant = (
            perms.merchants_visible_to(request.user).filter(pk=payload.merchant_id).first()
        )
        if local_merchant is None:
            raise ValidationError({"merchant_id": "商户不存在或不在您的范围内"})
        if not local_merchant.active:
            raise ValidationError({"merchant_id": "该商户已停止合作，不能再登记在该商户的消费"})
    expense = services.expense_record(
        actor=request.user,
        budget_line=line,
        kind=payload.kind,
        amount=payload.amount,
        spent_on=payload.spent_on,
        activity=activity,
        enterprise=enterprise,
        merchant=payload.merchant,
        local_merchant=local_merchant,
        note=payload.note,
        override_reason=payload.override_reason,
        may_override=perms.can_override_budget(request.user),
    )
    return Status(201, _expense_item(expense))


def _visible_expense(request: AuthenticatedHttpRequest, expense_id: int) -> Any:
    return get_object_or_404(
        perms.expenses_visible_to(request.user).select_related("budget_line__owner"),
        pk=expense_id,
    )


@router.post(
    "/expenses/{int:expense_id}/reverse",
    response={201: ExpenseReverseOut},
    url_name="expense-reverse",
    operation_id="activities_reverse_expense",
)
def reverse_expense(
    request: AuthenticatedHttpRequest, expense_id: int, payload: ExpenseReverseIn
) -> Status:
    """冲销 (and with ``corrected_amount`` 更正): a reversing entry, the original kept."""
    expense = _visible_expense(request, expense_id)
    if not perms.can_reverse_expense(request.user, expense):
        if perms.is_manager(request.user):
            raise ValidationError({"expense_id": "只有已入账且未冲销的支出可以冲销或更正"})
        raise PermissionDenied
    reversal, correction = services.expense_reverse(
        actor=request.user,
        expense=expense,
        reason=payload.reason,
        corrected_amount=payload.corrected_amount,
        may_override=perms.can_override_budget(request.user),
    )
    return Status(
        201,
        {
            "reversal": _expense_item(reversal),
            "correction": _expense_item(correction) if correction else None,
        },
    )


def _decide(request: AuthenticatedHttpRequest, expense_id: int) -> Any:
    expense = _visible_expense(request, expense_id)
    if not perms.can_override_budget(request.user):
        raise PermissionDenied
    if not perms.can_decide_override(request.user, expense):
        raise ValidationError({"expense_id": "该支出不在待审批状态"})
    return expense


@router.post(
    "/expenses/{int:expense_id}/approve",
    response=ExpenseOut,
    url_name="expense-approve",
    operation_id="activities_approve_expense",
)
def approve_expense(
    request: AuthenticatedHttpRequest, expense_id: int, payload: OverrideDecisionIn
) -> dict:
    """A second union admin (not the requester) approves a pending override."""
    expense = _decide(request, expense_id)
    return _expense_item(
        services.expense_approve(actor=request.user, expense=expense, note=payload.note)
    )


@router.post(
    "/expenses/{int:expense_id}/reject",
    response=ExpenseOut,
    url_name="expense-reject",
    operation_id="activities_reject_expense",
)
def reject_expense(
    request: AuthenticatedHttpRequest, expense_id: int, payload: OverrideDecisionIn
) -> dict:
    expense = _decide(request, expense_id)
    return _expense_item(
        services.expense_reject(actor=request.user, expense=expense, note=payload.note)
    )


def _unit_item(unit: Any, ratings: dict[int, dict[str, Any]]) -> dict:
    rating = ratings.get(unit.pk) or {}
    return {
        "id": unit.pk,
        "owner_name": unit.owner.name,
        "name": unit.name,
        "address": unit.address,
        "agreement_starts_on": unit.agreement_starts_on,
        "agreement_ends_on": unit.agreement_ends_on,
        "capacity": unit.capacity,
        "price_per_person": unit.price_per_person,
        "routes": unit.route_list,
        "active": unit.active,
        "rating_avg": rating.get("avg"),
        "rating_count": rating.get("n", 0),
    }


@router.get(
    "/partner-units",
    response=list[PartnerUnitOut],
    url_name="partner-units",
    operation_id="activities_partner_units",
)
def partner_units(request: AuthenticatedHttpRequest) -> list[dict]:
    """疗休养合作单位 with participants' ratings."""
    if not perms.is_manager(request.user):
        raise PermissionDenied
    units = list(perms.partner_units_visible_to(request.user).select_related("owner")[:500])
    ratings = partner_unit_ratings([u.pk for u in units])
    return [_unit_item(u, ratings) for u in units]


@router.post(
    "/partner-units",
    response={201: PartnerUnitOut},
    url_name="partner-unit-create",
    operation_id="activities_create_partner_unit",
)
def create_partner_unit(request: AuthenticatedHttpRequest, payload: PartnerUnitIn) -> Status:
    if not perms.is_manager(request.user):
        raise PermissionDenied
    data = payload.dict()
    owner_id = data.pop("owner_id") or request.user.organization_id
    owner = perms.register_owner_choices(request.user).filter(pk=owner_id).first()
    if owner is None:
        raise ValidationError({"owner_id": "签约工会须为您范围内的工会"})
    data["routes"] = "\n".join(r.strip() for r in data["routes"] if r.strip())
    unit = services.partner_unit_create(actor=request.user, owner=owner, **data)
    return Status(201, _unit_item(unit, {}))


def _merchant_item(merchant: Any, spending: dict[int, Any]) -> dict:
    return {
        "id": merchant.pk,
        "owner_name": merchant.owner.name,
        "name": merchant.name,
        "town": merchant.town,
        "products": merchant.products,
        "active": merchant.active,
        "spent": spending.get(merchant.pk, 0),
    }


@router.get(
    "/merchants",
    response=list[MerchantOut],
    url_name="merchants",
    operation_id="activities_merchants",
)
def merchants(request: AuthenticatedHttpRequest) -> list[dict]:
    """特产商户 with the recorded spending at each."""
    if not perms.is_manager(request.user):
        raise PermissionDenied
    found = list(perms.merchants_visible_to(request.user).select_related("owner")[:500])
    spending = merchant_spending(perms.expenses_visible_to(request.user), [m.pk for m in found])
    return [_merchant_item(m, spending) for m in found]


@router.post(
    "/merchants",
    response={201: MerchantOut},
    url_name="merchant-create",
    operation_id="activities_create_merchant",
)
def create_merchant(request: AuthenticatedHttpRequest, payload: MerchantIn) -> Status:
    if not perms.is_manager(request.user):
        raise PermissionDenied
    data = payload.dict()
    owner_id = data.pop("owner_id") or request.user.organization_id
    owner = perms.register_owner_choices(request.user).filter(pk=owner_id).first()
    if owner is None:
        raise ValidationError({"owner_id": "所属工会须为您范围内的工会"})
    merchant = services.merchant_create(actor=request.user, owner=owner, **data)
    return Status(201, _merchant_item(merchant, {}))


@router.post(
    "/applications/{int:application_id}/withdraw",
    response=ApplicationOut,
    url_name="application-withdraw",
    operation_id="activities_withdraw",
)
def withdraw(request: AuthenticatedHttpRequest, application_id: int, payload: WithdrawIn) -> dict:
    application = get_object_or_404(
        perms.all_applications_visible_to(request.user).select_related(
            "activity__organizer", "worker__employer"
        ),
        pk=application_id,
    )
    if not perms.can_withdraw(request.user, application):
        raise PermissionDenied
    services.application_withdraw(
        actor=request.user, application=application, reason=payload.reason
    )
    return application_item(
        Application.objects.select_related("worker", "body", "activity").get(pk=application.pk)
    )


@router.post(
    "/applications/{int:application_id}/feedback",
    response=ApplicationOut,
    url_name="application-feedback",
    operation_id="activities_feedback",
)
def feedback(request: AuthenticatedHttpRequest, application_id: int, payload: FeedbackIn) -> dict:
    application = get_object_or_404(
        Application.objects.select_related("worker", "body", "activity").filter(
            worker__user=request.user
        ),
        pk=application_id,
    )
    return application_item(
        services.application_feedback(
            actor=request.user,
            application=application,
            rating=payload.rating,
            feedback=payload.feedback,
        )
    )


@router.get(
    "/{int:activity_id}",
    response=ActivityOut,
    url_name="activity-detail",
    operation_id="activities_detail",
)
def activity_detail(request: AuthenticatedHttpRequest, activity_id: int) -> dict:
    return activity_item(visible_activity(request, activity_id))


@router.patch(
    "/{int:activity_id}",
    response=ActivityOut,
    url_name="activity-update",
    operation_id="activities_update",
)
def update_activity(
    request: AuthenticatedHttpRequest, activity_id: int, payload: ActivityPatchIn
) -> dict:
    """Change an activity's fields and quotas (managers). Refused with the field named where it
    would break a rule: places below those taken, a quota below what its body holds, the window
    or priority rules of a committed lottery, anything after the draw or the notice."""
    activity = managed_activity(request, activity_id)
    sent = payload.dict(exclude_unset=True)
    data = {k: v for k, v in sent.items() if v is not None or k in NULLABLE_ACTIVITY_FIELDS}
    co_ids = data.pop("co_organizer_ids", None)
    quota_rows = data.pop("quotas", None)
    co_organizers = None
    if co_ids is not None:
        co_organizers = list(organizations_visible_to(request.user).filter(pk__in=co_ids))
        if len(co_organizers) != len(set(co_ids)):
            raise ValidationError({"co_organizer_ids": "协办单位不存在或不在您的范围内"})
    quotas = None
    if quota_rows is not None:
        held = set(activity.quotas.values_list("body_id", flat=True))
        wanted = {q["body_id"] for q in quota_rows}
        bodies = {
            o.pk: o
            for o in Organization.objects.filter(
                Q(pk__in=organizations_in_scope(request.user).values("pk")) | Q(pk__in=held),
                pk__in=wanted,
            )
        }
        if len(bodies) != len(wanted):
            raise ValidationError({"quotas": "名额单位不存在或不在您的范围内"})
        quotas = [(bodies[q["body_id"]], q["places"]) for q in quota_rows]
    if "partner_unit_id" in data:
        unit_id = data.pop("partner_unit_id")
        data["partner_unit"] = None
        if unit_id is not None:
            data["partner_unit"] = (
                perms.partner_units_visible_to(request.user).filter(pk=unit_id).first()
            )
            if data["partner_unit"] is None:
                raise ValidationError({"partner_unit_id": "合作单位不存在或不在您的范围内"})
        if data["partner_unit"] is None:
            data.setdefault("route", "")
    try:
        services.activity_update(
            actor=request.user,
            activity=activity,
            co_organizers=co_organizers,
            quotas=quotas,
            **data,
        )
    except ValidationError as error:
        raise _api_names(error) from None
    return activity_item(visible_activity(request, activity_id))


def _api_names(error: ValidationError) -> ValidationError:
    """A service's refusal with the fields named as the API names them (``partner_unit_id``)."""
    if not hasattr(error, "error_dict") or "partner_unit" not in error.error_dict:
        return error
    renamed = {
        ("partner_unit_id" if k == "partner_unit" else k): v for k, v in error.error_dict.items()
    }
    return ValidationError(renamed)


@router.post(
    "/{int:activity_id}/publish",
    response=ActivityOut,
    url_name="activity-publish",
    operation_id="activities_publish",
)
def publish(request: AuthenticatedHttpRequest, activity_id: int) -> dict:
    """Open applications; a lottery commits to its seed now (the hash is public at once)."""
    activity = managed_activity(request, activity_id)
    services.activity_publish(actor=request.user, activity=activity)
    return activity_item(visible_activity(request, activity_id))


@router.post(
    "/{int:activity_id}/apply",
    response={201: ApplicationOut},
    url_name="activity-apply",
    operation_id="activities_apply",
)
def apply(request: AuthenticatedHttpRequest, activity_id: int) -> Status:
    """A worker applies for themself; refusals name the rule not met."""
    worker = perms.own_worker(request.user)
    if worker is None:
        raise PermissionDenied
    activity = get_object_or_404(
        perms.activities_visible_to(request.user, worker=worker), pk=activity_id
    )
    application = services.application_submit(actor=request.user, activity=activity, worker=worker)
    return Status(201, application_item(application))


@router.post(
    "/{int:activity_id}/nominate",
    response={201: ApplicationOut},
    url_name="activity-nominate",
    operation_id="activities_nominate",
)
def nominate(request: AuthenticatedHttpRequest, activity_id: int, payload: NominateIn) -> Status:
    """A body nominates one of its own workers within its quota."""
    activity = visible_activity(request, activity_id)
    if not perms.can_nominate(request.user, activity):
        raise PermissionDenied
    worker = (
        workers_visible_to(request.user)
        .select_related("employer")
        .filter(pk=payload.worker_id)
        .first()
    )
    if worker is None:
        raise ValidationError({"worker_id": "职工不存在或不在您的范围内"})
    application = services.application_submit(
        actor=request.user, activity=activity, worker=worker, nominated_by=request.user
    )
    return Status(
        201,
        application_item(
            Application.objects.select_related("worker", "body").get(pk=application.pk)
        ),
    )


@router.get(
    "/{int:activity_id}/applications",
    response=ApplicationPage,
    url_name="activity-applications",
    operation_id="activities_applications",
)
def applications(
    request: AuthenticatedHttpRequest, activity_id: int, query: Query[ApplicationPageQuery]
) -> dict:
    """Managers see every application; a body its own workers'; a worker their own."""
    activity = visible_activity(request, activity_id)
    rows = perms.applications_visible_to(request.user, activity).select_related(
        "worker", "body", "activity"
    )
    page = page_by_id(rows, cursor=query.cursor, size=query.limit)
    return {"items": [application_item(a) for a in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/{int:activity_id}/draw",
    response=ActivityOut,
    url_name="activity-draw",
    operation_id="activities_draw",
)
def draw(request: AuthenticatedHttpRequest, activity_id: int) -> dict:
    """Draw the lottery with the committed seed (once; audited)."""
    activity = managed_activity(request, activity_id)
    services.activity_draw(actor=request.user, activity=activity)
    return activity_item(visible_activity(request, activity_id))


@router.post(
    "/{int:activity_id}/notice",
    response=ActivityOut,
    url_name="activity-notice",
    operation_id="activities_publish_notice",
)
def notice(request: AuthenticatedHttpRequest, activity_id: int, payload: NoticeIn) -> dict:
    activity = managed_activity(request, activity_id)
    services.activity_publish_notice(
        actor=request.user,
        activity=activity,
        days=payload.days,
        objection_channel=payload.objection_channel,
    )
    return activity_item(visible_activity(request, activity_id))


@router.post(
    "/{int:activity_id}/confirm",
    response=ActivityOut,
    url_name="activity-confirm",
    operation_id="activities_confirm",
)
def confirm(request: AuthenticatedHttpRequest, activity_id: int) -> dict:
    activity = managed_activity(request, activity_id)
    services.activity_confirm(actor=request.user, activity=activity)
    return activity_item(visible_activity(request, activity_id))


@router.post(
    "/{int:activity_id}/served",
    response={201: dict},
    url_name="activity-served",
    operation_id="activities_record_served",
)
def served(request: AuthenticatedHttpRequest, activity_id: int, payload: ServedIn) -> Status:
    """Record people served at an open event, per sub-venue."""
    activity = managed_activity(request, activity_id)
    sub_venue = None
    if payload.sub_venue_id is not None:
        sub_venue = activity.sub_venues.filter(pk=payload.sub_venue_id).first()
        if sub_venue is None:
            raise ValidationError({"sub_venue_id": "分会场不属于本活动"})
    entry = services.service_entry_record(
        actor=request.user,
        activity=activity,
        people=payload.people,
        served_on=payload.served_on,
        sub_venue=sub_venue,
        note=payload.note,
    )
    return Status(201, {"id": entry.pk, "people": entry.people})


# -- 补录 -----------------------------------------------------------------------------------------


@router.post(
    "/back-entries",
    response={201: ActivityOut},
    url_name="activity-back-entry",
    operation_id="activities_back_enter",
)
def back_enter_activity(request: AuthenticatedHttpRequest, payload: ActivityBackEntryIn) -> Status:
    """补录活动: an activity held before the platform, with its participants (职工编号 in
    ``participant_ids`` and/or ID numbers from a roster in ``id_numbers``, all within the
    caller's scope) or an open event's ``people_served``. Created confirmed; sends nothing.
    Dates in the future or more than two years back are refused (422 naming the field)."""
    if not perms.can_back_enter_activity(request.user):
        raise PermissionDenied
    organizer = (
        get_object_or_404(organizations_in_scope(request.user), pk=payload.organizer_id)
        if payload.organizer_id
        else request.user.organization
    )
    lines = "\n".join([*map(str, payload.participant_ids), *payload.id_numbers])
    try:
        participants = services.participants_resolve(
            scope=workers_visible_to(request.user), lines=lines
        )
    except ValidationError as error:  # the page's one list is two fields here
        field = "id_numbers" if payload.id_numbers else "participant_ids"
        raise ValidationError({field: error.messages}) from error
    activity = services.activity_back_enter(
        actor=request.user,
        organizer=organizer,
        participants=participants,
        **payload.dict(exclude={"organizer_id", "participant_ids", "id_numbers"}),
    )
    return Status(201, activity_item(visible_activity(request, activity.pk)))
