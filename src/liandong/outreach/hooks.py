"""What the outreach app offers other apps (see core/extensions.py)."""

from django.urls import reverse

from liandong.core.extensions import Figure, NavItem
from liandong.organizations.models import Organization, subtree_q
from liandong.outreach.notices import NOTIFICATION_KINDS as NOTIFICATION_KINDS
from liandong.outreach.permissions import can_use_outreach

NAV_ITEMS = [
    # Under 联席会议 (the union's work with other bodies): the admin's menu stays one short row.
    NavItem(
        label="重点企业联系",
        url_name="outreach:key-list",
        visible=can_use_outreach,
        order=11,
        group="meetings",
    ),
    NavItem(
        label="协议",
        url_name="outreach:agreement-list",
        visible=can_use_outreach,
        order=12,
        group="meetings",
    ),
]


def year_figures(organization: Organization, year: int) -> list[Figure]:
    """Key enterprises in contact, visited this quarter, visits in the year, problems open
    and agreements in force, in the subtree of ``organization``."""
    from datetime import date

    from django.db.models import Q
    from django.utils import timezone

    from liandong.outreach.models import Agreement, KeyEnterprise
    from liandong.outreach.selectors import coverage

    keys = KeyEnterprise.objects.filter(subtree_q(organization.path, "union__path"))
    today = timezone.localdate()
    # One statement for the key enterprises and their visit counts, one for the agreements (a table of its own, under the owner's subtree).
    cover = coverage(keys, today, year=year, leaders=False)
    end = date(year, 12, 31)
    in_force = (
        Agreement.objects.filter(subtree_q(organization.path, "owner__path"), signed_on__lte=end)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=min(today, end)))
        .count()
    )
    keys_url = reverse("outreach:key-list")
    section = "联系企业"
    return [
        Figure(
            section, "联系重点企业", cover.enterprises, "家", keys_url, opens_for=can_use_outreach
        ),
        Figure(
            section,
            "本季度已走访重点企业",
            cover.visited,
            "家",
            keys_url + "?visited=no",
            detail={"of": cover.enterprises, "since": cover.since.isoformat()},
            opens_for=can_use_outreach,
        ),
        Figure(section, "走访企业", cover.year_visits, "次", keys_url, opens_for=can_use_outreach),
        Figure(
            section,
            "走访发现问题未解决",
            cover.problems_open,
            "个",
            reverse("outreach:visit-list") + "?open=1",
            opens_for=can_use_outreach,
        ),
        Figure(
            section,
            "有效协议",
            in_force,
            "份",
            reverse("outreach:agreement-list"),
            opens_for=can_use_outreach,
        ),
    ]
