"""Reads: lists, the public notice, the figures the seed quotes (places, participants, people
served, money), per activity and per year."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from liandong.activities.models import (
    HOLDING_PLACE,
    Activity,
    ActivityKind,
    ActivityStatus,
    Application,
    ApplicationStatus,
    Booking,
    BudgetLine,
    Expense,
    ExpenseKind,
    ExpenseStatus,
    Home,
    Quota,
    Selection,
    ServiceEntry,
)
from liandong.activities.services import eligibility_check
from liandong.core.masking import mask_name
from liandong.workers.models import Worker

# A public notice "ends soon" when its last day is within this many days.
NOTICE_ENDING_DAYS = 3

KIND_LABELS = {value: str(label) for value, label in ActivityKind.choices}


def activity_list(
    queryset: QuerySet[Activity], *, year: int | None = None, kind: str = ""
) -> QuerySet[Activity]:
    if year:
        queryset = queryset.filter(starts_on__year=year)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.select_related("organizer")


@dataclass
class ActivityFigures:
    places: int = 0
    applicants: int = 0
    selected: int = 0
    checked_in: int = 0
    served_open: int = 0
    expenses: Decimal = Decimal("0")
    subsidies: Decimal = Decimal("0")
    local_products: Decimal = Decimal("0")
    rating_avg: float | None = None
    by_sub_venue: list[tuple[str, int]] = field(default_factory=list)

    @property
    def people_served(self) -> int:
        return self.checked_in + self.served_open

    @property
    def money(self) -> Decimal:
        return self.expenses + self.subsidies + self.local_products


def _add_money(figures: ActivityFigures, kind: str, total: Decimal | None) -> None:
    total = total or Decimal("0")
    if kind == ExpenseKind.SUBSIDY:
        figures.subsidies += total
    elif kind == ExpenseKind.LOCAL_PRODUCT:
        figures.local_products += total
    else:
        figures.expenses += total


def spent(expenses: QuerySet[Expense]) -> QuerySet[Expense]:
    """What counts as money spent: recorded entries only (a pending over-budget entry waiting
    for its approval is not spent); a reversal is a recorded negative entry, so sums net out.
    Every spending figure (activities, the year's kinds, merchants) reads through this."""
    return expenses.filter(status=ExpenseStatus.RECORDED)


def _money(expenses: QuerySet[Expense], figures: ActivityFigures) -> None:
    for row in spent(expenses).values("kind").annotate(total=Sum("amount")):
        _add_money(figures, row["kind"], row["total"])


# Applicants (not withdrawn), places held, and signed in, over activities: from the tallies the
# services keep on each activity (see Activity), not from its applications.
TALLIES = {
    "applicants": Sum("applicants"),
    "selected": Sum("places_taken"),
    "checked_in": Sum("checked_in"),
}


def _add_attendance(figures: ActivityFigures, counts: dict[str, Any]) -> None:
    figures.applicants += counts["applicants"] or 0
    figures.selected += counts["selected"] or 0
    figures.checked_in += counts["checked_in"] or 0


def activity_figures(activity: Activity) -> ActivityFigures:
    figures = ActivityFigures(
        places=activity.total_places,
        applicants=activity.applicants,
        selected=activity.places_taken,
        checked_in=activity.checked_in,
    )
    applications = Application.objects.filter(activity=activity)
    rating = applications.filter(rating__isnull=False).aggregate(avg=Sum("rating"), n=Count("id"))
    figures.rating_avg = round(rating["avg"] / rating["n"], 1) if rating["n"] else None
    entries = ServiceEntry.objects.filter(activity=activity)
    figures.served_open = entries.aggregate(total=Sum("people"))["total"] or 0
    figures.by_sub_venue = [
        (row["sub_venue__name"] or "主会场", row["total"])
        for row in entries.values("sub_venue__name")
        .annotate(total=Sum("people"))
        .order_by("sub_venue__name")
    ]
    _money(Expense.objects.filter(activity=activity), figures)
    return figures


def period_figures(
    activities: QuerySet[Activity], expenses: QuerySet[Expense], *, year: int
) -> dict[str, Any]:
    """The year's figures over ``activities`` (already scoped), by kind and in total."""
    scoped = activities.filter(starts_on__year=year)
    rows = []
    total = ActivityFigures()
    # The activities' tallies, not their applications: at province scale that is 2,000 rows
    # summed instead of 100,000 counted (the services keep the tallies, see Activity).
    by_kind: dict[str, dict[str, Any]] = {
        row["kind"]: dict(row)
        for row in scoped.order_by()
        .values("kind")
        .annotate(n=Count("id"), places=Sum("total_places"), **TALLIES)
    }
    entries = ServiceEntry.objects.filter(activity__in=scoped.values("pk"))
    served = {
        row["activity__kind"]: row["total"]
        for row in entries.values("activity__kind").annotate(total=Sum("people"))
    }
    money = list(
        spent(expenses.filter(spent_on__year=year))
        .order_by()
        .values("activity__kind", "kind")
        .annotate(total=Sum("amount"))
    )
    for kind, label in KIND_LABELS.items():
        if kind not in by_kind:
            continue
        figures = ActivityFigures(
            places=by_kind[kind]["places"] or 0, served_open=served.get(kind, 0) or 0
        )
        _add_attendance(figures, by_kind[kind])
        for row in money:
            if row["activity__kind"] == kind:
                _add_money(figures, row["kind"], row["total"])
        rows.append(
            {"kind": kind, "label": label, "activities": by_kind[kind]["n"], "figures": figures}
        )
        total.places += figures.places
        total.applicants += figures.applicants
        total.selected += figures.selected
        total.checked_in += figures.checked_in
        total.served_open += figures.served_open
    for row in money:
        _add_money(total, row["kind"], row["total"])
    return {
        "year": year,
        "rows": rows,
        "total": total,
        "activities": sum(r["activities"] for r in rows),
    }


def public_notice(activity: Activity) -> dict[str, Any]:
    """What the public notice shows: masked names and ID numbers only; the applicant list in
    draw order with tiers, so that anyone can recompute the draw from the published seed."""
    applications = {
        a.pk: a
        for a in Application.objects.filter(activity=activity).select_related("worker", "body")
    }
    for application in applications.values():
        application.activity = activity  # for .state, without a query per row

    def entry(app: Application, rank: int | None = None, tier: int | None = None) -> dict[str, Any]:
        return {
            "application_id": app.pk,
            "name": mask_name(app.worker.name),
            "id_number_masked": app.worker.id_number_masked,
            "body": app.body.name if app.body else "",
            "status": app.state,
            "status_label": app.state_label,
            "rank": rank,
            "tier": tier,
        }

    drawn = bool(activity.draw_order)
    published = activity.status in {"drawn", "notice", "confirmed"} or (
        activity.status == "open" and activity.selection != "lottery"
    )
    applicants = []
    if drawn:
        for rank, (app_id, tier) in enumerate(activity.draw_order, start=1):
            app = applications.get(app_id)
            if app is not None:
                applicants.append(entry(app, rank, tier))
    selected = (
        [e for e in applicants if e["status"] in HOLDING_PLACE]
        if drawn
        else [entry(a) for a in applications.values() if a.status in HOLDING_PLACE]
    )
    waitlist = [e for e in applicants if e["status"] == ApplicationStatus.WAITLISTED]
    return {
        "selected": selected if activity.status in {"notice", "confirmed"} or drawn else [],
        "waitlist": waitlist,
        "applicants": applicants,
        "published": published,
        "seed": activity.seed if activity.drawn_at else "",
    }


def waitlist_position(activity: Activity, application: Application) -> int | None:
    if application.state != ApplicationStatus.WAITLISTED:
        return None
    waiting = set(
        Application.objects.filter(activity=activity, status=ApplicationStatus.APPLIED).values_list(
            "pk", flat=True
        )
    )
    position = 0
    for app_id, _tier in activity.draw_order:
        if app_id in waiting:
            position += 1
            if app_id == application.pk:
                return position
    return None


def home_usage(home: Home, *, days: int = 365) -> list[dict[str, Any]]:
    """Bookings, hours and people per owner over the last ``days`` days and the days ahead.
    Cancelled bookings are counted apart (``cancelled``) and add no hours or people: the slot
    was given back."""
    since = timezone.now() - timedelta(days=days)
    usage: dict[str, dict[str, Any]] = {}

    def row(name: str) -> dict[str, Any]:
        return usage.setdefault(
            name, {"owner": name, "bookings": 0, "hours": 0.0, "people": 0, "cancelled": 0}
        )

    for owner in home.owners.all():
        row(owner.name)
    for booking in Booking.objects.filter(home=home, starts_at__gte=since).select_related("owner"):
        entry = row(booking.owner.name)
        if booking.cancelled:
            entry["cancelled"] += 1
            continue
        entry["bookings"] += 1
        entry["hours"] += (booking.ends_at - booking.starts_at).total_seconds() / 3600
        entry["people"] += booking.people
    return list(usage.values())


def worker_services(applications: QuerySet[Application]) -> list[Application]:
    return list(
        applications.exclude(status=ApplicationStatus.WITHDRAWN)
        .select_related("activity")
        .order_by("-activity__starts_on")
    )


# ---------------------------------------------------------------------------------------------
# Public notices (公示): the 工作台's count and the public front door


def public_notices(*, today: date | None = None) -> QuerySet[Activity]:
    """Activities whose public notice runs today (open to anyone at activities:public-notice)."""
    today = today or timezone.localdate()
    return (
        Activity.objects.filter(status=ActivityStatus.NOTICE)
        .exclude(notice_ends_on__lt=today)
        .select_related("organizer")
        .order_by("notice_ends_on", "-id")
    )


def notices_ending(
    queryset: QuerySet[Activity], *, today: date | None = None
) -> QuerySet[Activity]:
    """Of ``queryset`` (a user's scope), the activities whose public notice ends within a few
    days (the activity list's 公示中 view)."""
    today = today or timezone.localdate()
    return queryset.filter(
        status=ActivityStatus.NOTICE, notice_ends_on__lte=today + timedelta(days=NOTICE_ENDING_DAYS)
    )


# -- a worker's phone home -----------------------------------------------------------------------

HOME_ACTIVITIES = 10
SELF_APPLIED = {Selection.FIRST_COME, Selection.LOTTERY}


@dataclass
class OpenActivity:
    """One activity on a worker's home: what they can do about it and, if nothing, why."""

    activity: Activity
    places_left: int
    reasons: list[str]
    application: Application | None

    @property
    def can_apply(self) -> bool:
        return not self.reasons and self.application is None


def open_activities_for(
    *, activities: QuerySet[Activity], worker: Worker, now: datetime | None = None
) -> list[OpenActivity]:
    """The activities taking applications now (``activities``: those the worker may see, from
    ``permissions.activities_visible_to``), soonest first: past ones and closed windows are
    left out. Each carries the places left (the worker's quota body's when it has one), the
    worker's application if any, and every reason they cannot apply (eligibility rules, the
    selection, a full activity), so that the page says why instead of hiding a button."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    taking = list(
        activities.filter(status=ActivityStatus.OPEN, starts_on__gte=today)
        .filter(Q(applications_close_at__isnull=True) | Q(applications_close_at__gt=now))
        .select_related("organizer")
        .order_by("starts_on", "id")[:HOME_ACTIVITIES]
    )
    applied = {
        a.activity_id: a
        for a in Application.objects.filter(
            worker=worker, activity_id__in=[a.pk for a in taking]
        ).exclude(status=ApplicationStatus.WITHDRAWN)
    }
    rows = []
    for activity in taking:
        application = applied.get(activity.pk)
        reasons: list[str] = []
        places = activity.places_left
        if application is None:
            if activity.selection == Selection.OPEN:
                reasons.append("本活动无需报名，欢迎直接到场")
            elif activity.selection not in SELF_APPLIED:
                reasons.append("本活动由单位推荐，不接受个人报名")
            if activity.applications_open_at and now < activity.applications_open_at:
                reasons.append(
                    f"报名 {timezone.localtime(activity.applications_open_at):%-m月%-d日 %H:%M} 开始"
                )
            eligibility = eligibility_check(activity=activity, worker=worker)
            reasons += eligibility.reasons
            if eligibility.body is not None:
                quota = Quota.objects.filter(activity=activity, body=eligibility.body).first()
                if quota is not None:
                    places = min(places, max(0, quota.places - quota.taken))
            if activity.selection == Selection.FIRST_COME and places <= 0 and not reasons:
                reasons.append("名额已满")
        rows.append(
            OpenActivity(
                activity=activity, places_left=places, reasons=reasons, application=application
            )
        )
    return rows


# -- funds -------------------------------------------------------------------------------------------


@dataclass
class BudgetUsage:
    """One budget line's figures. A stable read for other apps (reports): ``budget_usage``."""

    line: BudgetLine
    amount: Decimal
    spent: Decimal  # recorded entries, reversals netted out
    pending: Decimal  # overrides waiting for a second admin
    override_ceiling: Decimal

    @property
    def remainder(self) -> Decimal:
        return self.amount - self.spent

    @property
    def ceiling_left(self) -> Decimal:
        return self.amount + self.override_ceiling - self.spent

    @property
    def used_percent(self) -> int:
        return int(self.spent * 100 / self.amount) if self.amount else 0


def budget_usage(lines: QuerySet[BudgetLine], *, year: int | None = None) -> list[BudgetUsage]:
    """Each line of ``lines`` (already scoped by the caller) with its amount, what is spent
    (``BudgetLine.spent``, kept by conditional UPDATEs), what waits for approval, and what is
    left. Two queries whatever the number of lines."""
    if year is not None:
        lines = lines.filter(year=year)
    rows = list(lines.select_related("owner").order_by("-year", "id")[:500])
    pending = {
        row["budget_line_id"]: row["total"]
        for row in Expense.objects.filter(
            budget_line_id__in=[r.pk for r in rows], status=ExpenseStatus.PENDING
        )
        .values("budget_line_id")
        .annotate(total=Sum("amount"))
    }
    return [
        BudgetUsage(
            line=row,
            amount=row.amount,
            spent=row.spent,
            pending=pending.get(row.pk) or Decimal("0"),
            override_ceiling=row.override_ceiling,
        )
        for row in rows
    ]


def partner_unit_ratings(unit_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Participants' ratings (1-5) of the activities held with each partner unit:
    ``{unit_id: {"avg": 4.6, "n": 38, "activities": 3}}``."""
    rows = (
        Application.objects.filter(activity__partner_unit_id__in=unit_ids, rating__isnull=False)
        .values("activity__partner_unit_id")
        .annotate(total=Sum("rating"), n=Count("id"), activities=Count("activity", distinct=True))
    )
    return {
        row["activity__partner_unit_id"]: {
            "avg": round(row["total"] / row["n"], 1),
            "n": row["n"],
            "activities": row["activities"],
        }
        for row in rows
    }


def merchant_spending(expenses: QuerySet[Expense], merchant_ids: list[int]) -> dict[int, Decimal]:
    """Recorded spending at each merchant (特产消费), reversals netted out."""
    rows = (
        spent(expenses.filter(local_merchant_id__in=merchant_ids))
        .values("local_merchant_id")
        .annotate(total=Sum("amount"))
    )
    return {row["local_merchant_id"]: row["total"] or Decimal("0") for row in rows}


def served_by_kind_and_month(activities: QuerySet[Activity], *, year: int) -> dict[str, list[int]]:
    """People served (checked-in participants and open-service head counts) per activity kind
    and per month of the activity's start, over ``activities`` (already scoped) starting in
    ``year``: the monthly split of the year figure ``服务群众人次``."""
    scoped = activities.filter(starts_on__year=year)
    result: dict[str, list[int]] = {}

    def add(kind: str, month: int, value: int) -> None:
        result.setdefault(kind, [0] * 12)[month - 1] += value or 0

    for row in (
        ServiceEntry.objects.filter(activity__in=scoped.values("pk"))
        .order_by()
        .values("activity__kind", "activity__starts_on")
        .annotate(total=Sum("people"))
    ):
        add(row["activity__kind"], row["activity__starts_on"].month, row["total"])
    for tally in (
        scoped.filter(checked_in__gt=0)
        .order_by()
        .values("kind", "starts_on")
        .annotate(total=Sum("checked_in"))
    ):
        add(tally["kind"], tally["starts_on"].month, tally["total"])
    return result
