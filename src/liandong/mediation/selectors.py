"""Reads of the mediation app: the list with its filters, and the figures of a period."""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from liandong.mediation.models import Case, State


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return (
        timezone.make_aware(datetime.combine(date(year, 1, 1), time.min)),
        timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min)),
    )


def case_list(
    cases: QuerySet[Case], *, state: str = "", year: int | None = None, overdue: bool = False
) -> QuerySet[Case]:
    if state in State.values:
        cases = cases.filter(state=state)
    if year:
        start, end = year_bounds(year)
        cases = cases.filter(accepted_at__gte=start, accepted_at__lt=end)
    if overdue:
        cases = cases.filter(
            state__in=[State.ACCEPTED, State.MEDIATING], due_at__lte=timezone.now()
        )
    return cases


@dataclass(frozen=True)
class Figures:
    year: int
    opened: int
    agreed: int
    referred: int
    withdrawn: int
    open_now: int
    closed: int
    closed_in_time: int
    amount_recovered: Decimal

    @property
    def in_time_rate(self) -> float | None:
        """Closed cases settled within their limit, in percent (None before any is closed)."""
        return round(100 * self.closed_in_time / self.closed, 1) if self.closed else None


def figures(cases: QuerySet[Case], year: int) -> Figures:
    """Cases accepted in ``year`` among ``cases`` (already scoped): how each ended, the share
    closed within the limit and the amounts agreed. One query."""
    start, end = year_bounds(year)
    row = cases.filter(accepted_at__gte=start, accepted_at__lt=end).aggregate(
        opened=Count("id"),
        agreed=Count("id", filter=Q(state=State.AGREED)),
        referred=Count("id", filter=Q(state=State.REFERRED)),
        withdrawn=Count("id", filter=Q(state=State.WITHDRAWN)),
        open_now=Count("id", filter=Q(state__in=[State.ACCEPTED, State.MEDIATING])),
        closed=Count("id", filter=Q(closed_at__isnull=False)),
        closed_in_time=Count("id", filter=Q(closed_at__isnull=False, closed_at__lt=F("due_at"))),
        amount=Sum("agreement_amount", filter=Q(state=State.AGREED)),
    )
    return Figures(
        year=year,
        opened=row["opened"],
        agreed=row["agreed"],
        referred=row["referred"],
        withdrawn=row["withdrawn"],
        open_now=row["open_now"],
        closed=row["closed"],
        closed_in_time=row["closed_in_time"],
        amount_recovered=row["amount"] or Decimal("0"),
    )
