"""Reads of training: figures per union and year, and the lists behind the pages."""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from liandong.organizations.models import Organization, subtree_q
from liandong.training.models import Session


@dataclass
class UnionRow:
    organization: Organization
    sessions: int = 0
    attendances: int = 0
    delegates: int = 0


@dataclass
class Figures:
    year: int
    sessions: int
    attendances: int  # 人次: one per delegate per session attended
    delegates: int  # distinct delegates trained at least once in the year
    by_union: list[UnionRow] = field(default_factory=list)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(date(year, 1, 1), time.min))
    end = timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min))
    return start, end


def figures_for(*, organization: Organization, year: int, by_union: bool = True) -> Figures:
    """Sessions held in ``year`` by bodies in ``organization``'s subtree (those still to come
    are not counted), the delegate attendances (人次) and the distinct delegates trained, in
    total and (``by_union``) per organizing body.

    The totals are one statement: the sessions joined to their invitations, each invitation
    a row of one session only, so the sessions are counted distinct and the attendances as
    they come. A delegate trained by two bodies is one delegate in the total and one in each
    body's row, so the total is not the sum of the rows."""
    start, end = year_bounds(year)
    end = min(end, timezone.now())
    sessions = Session.objects.filter(
        subtree_q(organization.path, "organization__path"),
        starts_at__gte=start,
        starts_at__lt=end,
    )
    attended = Q(attendances__attended=True)
    held = Count("id", distinct=True)
    attendances = Count("attendances", filter=attended)
    delegates = Count("attendances__worker", filter=attended, distinct=True)
    total = sessions.aggregate(n=held, a=attendances, d=delegates)
    rows: list[UnionRow] = []
    if by_union:
        per_org = list(
            sessions.values("organization").annotate(n=held, a=attendances, d=delegates).order_by()
        )
        names = Organization.objects.in_bulk([r["organization"] for r in per_org])
        rows = [
            UnionRow(names[r["organization"]], r["n"], r["a"], r["d"])
            for r in sorted(per_org, key=lambda r: names[r["organization"]].path)
        ]
    return Figures(
        year=year,
        sessions=total["n"],
        attendances=total["a"],
        delegates=total["d"],
        by_union=rows,
    )


def figures_url(organization: Organization, year: int) -> str:
    return f"{reverse('training:home')}?organization={organization.pk}&year={year}"
