"""What campaigns offer other apps (see core/extensions.py)."""

from django.db.models import Count, Q, Sum
from django.urls import reverse

from liandong.campaigns.models import Campaign, Milestone, ProgressEntry, Task, TaskStatus
from liandong.campaigns.notices import NOTIFICATION_KINDS as NOTIFICATION_KINDS
from liandong.campaigns.permissions import may_open_campaigns
from liandong.core.extensions import Figure, NavItem
from liandong.organizations.models import Organization, subtree_q

# Under 联席会议: the campaigns (揭榜挂帅, 八项行动) are what the joint meetings deploy, and the
# top row of the menu holds nine entries at most (core/tests/test_navigation.py).
NAV_ITEMS = [
    NavItem(
        label="专项行动",
        url_name="campaigns:campaign-list",
        visible=may_open_campaigns,
        order=11,
        group="meetings",
    ),
]


def year_figures(organization: Organization, year: int) -> list[Figure]:
    """Campaigns run in the subtree that overlap the year, tasks claimed and done, milestones
    met, and hand-reported publicity events."""
    campaigns = Campaign.objects.filter(
        subtree_q(organization.path, "owner__path"),
        starts_on__year__lte=year,
        ends_on__year__gte=year,
    )
    tasks = Task.objects.filter(campaign__in=campaigns.values("pk"))
    counts = tasks.aggregate(
        claimed=Count("id", filter=~Q(status=TaskStatus.OPEN)),
        done=Count("id", filter=Q(status=TaskStatus.DONE, completed_on__year=year)),
    )
    milestones_done = Milestone.objects.filter(
        task__in=tasks.values("pk"), done_on__year=year
    ).count()
    publicity = (
        ProgressEntry.objects.filter(
            campaign__in=campaigns.values("pk"),
            measure="reported.publicity",
            occurred_on__year=year,
        ).aggregate(n=Sum("count"))["n"]
        or 0
    )
    url = reverse("campaigns:campaign-list") + f"?year={year}"
    section = "专项行动"
    return [
        Figure(section, "开展专项行动", campaigns.count(), "项", url, opens_for=may_open_campaigns),
        Figure(
            section, "任务被揭榜", counts["claimed"] or 0, "项", url, opens_for=may_open_campaigns
        ),
        Figure(
            section, "揭榜任务完成", counts["done"] or 0, "项", url, opens_for=may_open_campaigns
        ),
        Figure(section, "完成任务节点", milestones_done, "个", url, opens_for=may_open_campaigns),
        Figure(section, "开展宣传活动", publicity, "场", url, opens_for=may_open_campaigns),
    ]
