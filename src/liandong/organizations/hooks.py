"""What the organization tree offers other apps (see core/extensions.py)."""

from datetime import date

from django.db.models import QuerySet
from django.urls import reverse

from liandong.core.extensions import CampaignMeasure
from liandong.organizations.models import Organization, subtree_q


def _founded(organization: Organization, start: date, end: date) -> QuerySet[Organization]:
    """Nodes below ``organization`` whose union was founded in the period (新建基层工会)."""
    return Organization.objects.filter(
        subtree_q(organization.path), union_founded_on__gte=start, union_founded_on__lte=end
    ).exclude(pk=organization.pk)


def _count_founded(organization: Organization, start: date, end: date) -> int:
    return _founded(organization, start, end).count()


def _founded_records(
    organization: Organization, start: date, end: date, limit: int
) -> list[tuple[str, date | None, str]]:
    return [
        (o.name, o.union_founded_on, reverse("organizations:organization-detail", args=[o.pk]))
        for o in _founded(organization, start, end).order_by("union_founded_on", "id")[:limit]
    ]


campaign_measures = [
    CampaignMeasure(
        key="organizations.unions_founded",
        label="新建基层工会",
        unit="个",
        count=_count_founded,
        records=_founded_records,
    )
]
