"""Reads of the outreach app: coverage of the key enterprises, and the lists."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from liandong.outreach.models import KeyEnterprise, Visit


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


@dataclass
class LeaderRow:
    name: str
    enterprises: int = 0
    visited: int = 0


@dataclass
class Coverage:
    """Key enterprises in contact, those visited since the quarter began, visits this
    quarter, problems found and not yet solved; per leader."""

    since: date
    enterprises: int = 0
    visited: int = 0
    visits: int = 0
    problems_open: int = 0
    leaders: list[LeaderRow] = field(default_factory=list)

    @property
    def rate(self) -> int | None:
        return round(100 * self.visited / self.enterprises) if self.enterprises else None

    @property
    def rate_label(self) -> str:
        return f"走访率 {self.rate}%" if self.rate is not None else ""


def with_last_visit(keys: QuerySet[KeyEnterprise], since: date) -> QuerySet[KeyEnterprise]:
    return keys.annotate(
        last_visit=Max("visits__visited_on"),
        open_problems=Count(
            "visits", filter=Q(visits__problem_closed_on__isnull=True) & ~Q(visits__problem="")
        ),
        quarter_visits=Count("visits", filter=Q(visits__visited_on__gte=since)),
    )


def coverage(keys: QuerySet[KeyEnterprise], today: date | None = None) -> Coverage:
    today = today or timezone.localdate()
    since = quarter_start(today)
    active = keys.filter(is_active=True)
    result = Coverage(since=since)
    rows: dict[int | None, LeaderRow] = {}
    for key in with_last_visit(active, since).order_by():
        result.enterprises += 1
        row = rows.setdefault(
            key.leader_id, LeaderRow(name=str(key.leader) if key.leader else "（未分配）")
        )
        row.enterprises += 1
        if getattr(key, "quarter_visits", 0):
            result.visited += 1
            row.visited += 1
    visits = Visit.objects.filter(key_enterprise__in=keys.values("pk"))
    result.visits = visits.filter(visited_on__gte=since, visited_on__lte=today).count()
    result.problems_open = visits.filter(problem_closed_on__isnull=True).exclude(problem="").count()
    result.leaders = sorted(rows.values(), key=lambda r: (r.name == "（未分配）", r.name))
    return result
