"""What the competitions app offers other apps (see core/extensions.py)."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q
from django.urls import reverse

from liandong.accounts.models import User
from liandong.competitions.models import Entrant
from liandong.competitions.notices import NOTIFICATION_KINDS as NOTIFICATION_KINDS
from liandong.competitions.permissions import (
    can_list_contests,
    entrants_visible_to,
    is_body_staff,
    is_judge,
)
from liandong.competitions.selectors import contests_of_year
from liandong.core.extensions import Figure, NavItem, WorkerSection
from liandong.organizations.models import Organization
from liandong.workers.models import Worker

NAV_ITEMS = [
    NavItem(
        label="技能竞赛",
        url_name="competitions:contest-list",
        visible=lambda user: can_list_contests(user) and not is_judge(user),
        order=50,
    ),
    NavItem(label="评分", url_name="competitions:judging", visible=is_judge, order=50),
]


def worker_sections(user: User | AnonymousUser | None, worker: Worker) -> list[WorkerSection]:
    """Contests the worker entered and the prizes won, as far as ``user`` may see them."""
    entries = [
        e
        for e in Entrant.objects.filter(worker=worker).select_related("contest").order_by("-id")
        if entrants_visible_to(user, e.contest).filter(pk=e.pk).exists()
    ]
    if not entries:
        return []
    rows = []
    for entrant in entries:
        if entrant.prize and entrant.contest.is_published:
            outcome = entrant.prize
        else:
            outcome = str(entrant.get_status_display()) if entrant.status != "approved" else "参赛"
        rows.append((entrant.contest.name, outcome))
    url = (
        reverse("competitions:entrant-detail", args=[entries[0].pk]) if is_body_staff(user) else ""
    )
    return [WorkerSection(title="技能竞赛", rows=rows, url=url)]


def year_figures(organization: Organization, year: int) -> list[Figure]:
    """Contests held, entrants and prizes in ``organization``'s subtree in ``year``."""
    contests = contests_of_year(organization, year)
    counted = Entrant.objects.filter(
        contest__in=contests, status=Entrant.Status.APPROVED
    ).aggregate(
        entrants=Count("id"),
        prizes=Count("id", filter=~Q(prize="") & Q(contest__published_at__isnull=False)),
    )
    url = reverse("competitions:contest-list")
    opens = can_list_contests
    return [
        Figure(section="技能竞赛", label=label, value=value, unit=unit, url=url, opens_for=opens)
        for label, value, unit in [
            ("举办技能竞赛", contests.count(), "场"),
            ("参赛选手", counted["entrants"], "人次"),
            ("获奖选手", counted["prizes"], "人次"),
        ]
    ]
