"""What campaigns offer other apps (see core/extensions.py)."""

from django.db.models import Count, Q, Sum
from django.urls import reverse

from liandong.campaigns.models import Campaign, Task, TaskStatus
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
    # Two statements, each over one table and its children: the campaigns with their
    # progress entries, the tasks with their milestones. A child row joins one parent only,
    # so the children are counted (summed) as they come and the parents distinct. Tasks and
    # entries, two children of a campaign, are not joined: they would multiply each other.
    run = campaigns.aggregate(
        n=Count("id", distinct=True),
        publicity=Sum(
            "entries__count",
            filter=Q(entries__measure="reported.publicity", entries__occurred_on__year=year),
        ),
    )
    counts = Task.objects.filter(campaign__in=campaigns.values("pk")).aggregate(
        claimed=Count("id", distinct=True, filter=~Q(status=TaskStatus.OPEN)),
        done=Count("id", distinct=True, filter=Q(status=TaskStatus.DONE, completed_on__year=year)),
        milestones_done=Count("milestones", filter=Q(milestones__done_on__year=year)),
    )
    url = reverse("campaigns:campaign-list") + f"?year={year}"
    section = "专项行动"
    return [
        Figure(section, "开展专项行动", run["n"], "项", url, opens_for=may_open_campaigns),
        Figure(
            section, "任务被揭榜", counts["claimed"] or 0, "项", url, opens_for=may_open_campaigns
        ),
        Figure(
            section, "揭榜任务完成", counts["done"] or 0, "项", url, opens_for=may_open_campaigns
        ),
        Figure(
            section,
            "完成任务节点",
            counts["milestones_done"],
            "个",
            url,
            opens_for=may_open_campaigns,
        ),
        Figure(
            section, "开展宣传活动", run["publicity"] or 0, "场", url, opens_for=may_open_campaigns
        ),
    ]
