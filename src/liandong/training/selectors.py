"""Reads of training: figures per union and year, and the lists behind the pages."""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from liandong.organizations.models import Organization, subtree_q
from liandong.training.models import Attendance, Session


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


def figures_for(*, organization: Organization, year: int) -> Figures:
    """Sessions held in ``year`` by bodies in ``organization``'s subtree (those still to come
    are not counted), the delegate attendances (人次) and the distinct delegates trained, in
    total and per organizing body."""
    start, end = year_bounds(year)
    end = min(end, timezone.now())
    sessions = Session.objects.filter(
        subtree_q(organization.path, "organization__path"),
        starts_at__gte=start,
        starts_at__lt=end,
    )
    attended = Attendance.objects.filter(session__in=sessions, attended=True)
    rows: dict[int, UnionRow] = {}
    per_org = sessions.values("organization").annotate(
        n=Count("id", distinct=True),
        a=Count("attendances", filter=Q(attendances__attended=True)),
        d=Count("attendances__worker", filter=Q(attendances__attended=True), distinct=True),
    )
    names = {
        o.pk: o for o in Organization.objects.filter(pk__in=[r["organization"] for r in per_org])
    }
    for r in per_org:
        rows[r["organization"]] = UnionRow(names[r["organization"]], r["n"], r["a"], r["d"])
    return Figures(
        year=year,
        sessions=sessions.count(),
        attendances=attended.count(),
        delegates=attended.values("worker").distinct().count(),
        by_union=sorted(rows.values(), key=lambda r: r.organization.path),
    )


def figures_url(organization: Organization, year: int) -> str:
    return f"{reverse('training:home')}?organization={organization.pk}&year={year}"
