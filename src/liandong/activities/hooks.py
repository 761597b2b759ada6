"""What the activities app offers other apps (see core/extensions.py)."""

from datetime import date

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse

from liandong.accounts.models import User
from liandong.accounts.permissions import acts_for_organization, is_worker
from liandong.activities import permissions as perms
from liandong.activities.models import (
    RECUPERATION_KINDS,
    Activity,
    ActivityKind,
    ActivityStatus,
    ApplicationStatus,
    Expense,
    ExpenseKind,
    ServiceEntry,
)
from liandong.activities.notices import NOTIFICATION_KINDS as NOTIFICATION_KINDS
from liandong.activities.selectors import spent
from liandong.core.extensions import (
    CampaignMeasure,
    Figure,
    NavItem,
    ServiceActivity,
    WorkerSection,
)
from liandong.organizations.models import Organization, subtree_q
from liandong.workers.models import Worker

NAV_ITEMS = [
    NavItem(
        label="服务活动",
        url_name="activities:activity-list",
        visible=acts_for_organization,
        order=30,
    ),
    NavItem(label="活动报名", url_name="activities:activity-list", visible=is_worker, order=30),
    NavItem(label="职工之家", url_name="activities:home-list", visible=perms.is_manager, order=31),
    NavItem(label="活动经费", url_name="activities:funds", visible=perms.is_manager, order=32),
    NavItem(
        label="活动统计", url_name="activities:figures", visible=acts_for_organization, order=33
    ),
]


def worker_sections(user: User | AnonymousUser | None, worker: Worker) -> list[WorkerSection]:
    """Services the worker received, limited to what the viewer may see."""
    applications = (
        perms.all_applications_visible_to(user)
        .filter(worker=worker)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .select_related("activity")
        .order_by("-activity__starts_on")[:20]
    )
    rows = []
    for application in applications:
        activity = application.activity
        state = "已签到" if application.checked_in_at else application.state_label
        rows.append(
            (
                f"{activity.starts_on:%Y年%-m月%-d日}",
                f"{activity.get_kind_display()} · {activity.title} · {state}",
            )
        )
    url = reverse("activities:activity-list")
    return [WorkerSection(title="参加的服务活动", rows=rows, url=url if rows else "")]


def year_figures(organization: Organization, year: int) -> list[Figure]:
    """The year's places, participants, people served and money in the subtree of ``organization``."""
    activities = Activity.objects.filter(
        subtree_q(organization.path, "organizer__path"), starts_on__year=year
    )
    url = reverse("activities:figures") + f"?year={year}"
    counts = activities.aggregate(  # the activities' tallies, kept by the services
        n=Count("id"),
        places=Sum("total_places"),
        recuperation_places=Sum("total_places", filter=Q(kind__in=RECUPERATION_KINDS)),
        participants=Sum("places_taken"),
        checked_in=Sum("checked_in"),
        recuperated=Sum("places_taken", filter=Q(kind__in=RECUPERATION_KINDS)),
    )
    participants = counts["participants"] or 0
    checked_in = counts["checked_in"] or 0
    recuperated = counts["recuperated"] or 0
    served = (
        ServiceEntry.objects.filter(activity__in=activities.values("pk")).aggregate(
            n=Sum("people")
        )["n"]
        or 0
    )
    money = {
        row["kind"]: row["total"]
        for row in spent(
            Expense.objects.filter(
                subtree_q(organization.path, "budget_line__owner__path"), spent_on__year=year
            )
        )
        .values("kind")
        .annotate(total=Sum("amount"))
    }
    section = "服务职工"
    return [
        Figure(section, "服务活动场次", counts["n"] or 0, "场", url),
        Figure(section, "活动名额", counts["places"] or 0, "个", url),
        Figure(section, "疗休养人次", recuperated, "人次", url),
        Figure(section, "参加活动人数", participants, "人", url, {"checked_in": checked_in}),
        Figure(section, "服务群众人次", served + checked_in, "人次", url),
        Figure(section, "活动支出", float(money.get(ExpenseKind.EXPENSE, 0) or 0), "元", url),
        Figure(section, "企业补助", float(money.get(ExpenseKind.SUBSIDY, 0) or 0), "元", url),
        Figure(
            section, "带动特产消费", float(money.get(ExpenseKind.LOCAL_PRODUCT, 0) or 0), "元", url
        ),
    ]


def _held(organization: Organization, start: date, end: date, kind: str) -> QuerySet[Activity]:
    """Activities the subtree of ``organization`` held (begun in the period, not cancelled nor
    still a draft); ``kind`` "" for every kind."""
    held = Activity.objects.filter(
        subtree_q(organization.path, "organizer__path"), starts_on__gte=start, starts_on__lte=end
    ).exclude(status__in=[ActivityStatus.DRAFT, ActivityStatus.CANCELLED])
    return held.filter(kind=kind) if kind else held


def _held_measure(kind: str, label: str) -> CampaignMeasure:
    def count(organization: Organization, start: date, end: date) -> int:
        return _held(organization, start, end, kind).count()

    def records(
        organization: Organization, start: date, end: date, limit: int
    ) -> list[tuple[str, date | None, str]]:
        return [
            (a.title, a.starts_on, reverse("activities:activity-detail", args=[a.pk]))
            for a in _held(organization, start, end, kind).order_by("starts_on", "id")[:limit]
        ]

    return CampaignMeasure(
        key=f"activities.held.{kind}" if kind else "activities.held",
        label=f"举办{label}",
        unit="场",
        count=count,
        records=records,
    )


campaign_measures = [_held_measure("", "服务活动")] + [
    _held_measure(kind.value, f"{kind.label}活动") for kind in ActivityKind
]


def service_activities(
    user: User | AnonymousUser | None, ids: list[int] | None = None
) -> list[ServiceActivity]:
    """Activities ``user`` may see that volunteers can serve at (for the volunteers app)."""
    found = (
        perms.activities_visible_to(user)
        .exclude(status__in=[ActivityStatus.CANCELLED])
        .exclude(kind__in=RECUPERATION_KINDS)
        .order_by("-starts_on", "-id")
    )
    found = found.filter(pk__in=ids) if ids is not None else found[:200]
    return [
        ServiceActivity(
            id=a.pk,
            title=a.title,
            starts_on=a.starts_on,
            ends_on=a.ends_on,
            url=reverse("activities:activity-detail", args=[a.pk]),
        )
        for a in found.only("id", "title", "starts_on", "ends_on")
    ]
