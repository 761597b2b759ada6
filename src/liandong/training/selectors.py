"""Reads of training: figures per union and year, and the lists behind the pages."""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from liandong.organizations.models import Organization, subtree_q
from liandong.training.models import DelegateAreaRollup, Session


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

    The sessions are counted from the sessions; the delegates and their attendances are the
    union's own rows of the rollup kept as attendances are marked (``DelegateAreaRollup``),
    not a distinct count over the subtree's invitations. An attendance is marked from its
    session's day on, so the rollup holds the sessions held. A delegate trained by two bodies
    is one delegate in the total and one in each body's row, so the total is not the sum of
    the rows."""
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
    kept = DelegateAreaRollup.objects.filter(area=organization, year=year).aggregate(
        d=Count("id"), a=Sum("attended")
    )
    rows: list[UnionRow] = []
    held_total = None  # each session is one body's: with the rows, the sum of theirs
    if by_union:
        per_org = list(
            sessions.values("organization").annotate(n=held, a=attendances, d=delegates).order_by()
        )
        names = Organization.objects.in_bulk([r["organization"] for r in per_org])
        rows = [
            UnionRow(names[r["organization"]], r["n"], r["a"], r["d"])
            for r in sorted(per_org, key=lambda r: names[r["organization"]].path)
        ]
        held_total = sum(r["n"] for r in per_org)
    return Figures(
        year=year,
        sessions=sessions.count() if held_total is None else held_total,
        attendances=kept["a"] or 0,
        delegates=kept["d"],
        by_union=rows,
    )


def figures_url(organization: Organization, year: int) -> str:
    return f"{reverse('training:home')}?organization={organization.pk}&year={year}"
