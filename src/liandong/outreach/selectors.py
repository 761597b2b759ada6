"""Reads of the outreach app: coverage of the key enterprises, and the lists."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from liandong.outreach.models import KeyEnterprise


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
    year_visits: int = 0  # with a year: the visits in it

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


def coverage(
    keys: QuerySet[KeyEnterprise], today: date | None = None, *, year: int | None = None
) -> Coverage:
    """One statement: every key enterprise of ``keys`` with its leader and its visits counted
    (a visit is of one key enterprise, so the sums of the counts are the counts of the
    visits). The visits and open problems are of all of ``keys``; the enterprises, those
    visited and the leaders' rows, of the active ones only."""
    today = today or timezone.localdate()
    since = quarter_start(today)
    result = Coverage(since=since)
    counted = {
        "visits_to_date": Count(
            "visits", filter=Q(visits__visited_on__gte=since, visits__visited_on__lte=today)
        )
    }
    if year is not None:
        counted["year_visits"] = Count(
            "visits",
            filter=Q(
                visits__visited_on__gte=date(year, 1, 1), visits__visited_on__lte=date(year, 12, 31)
            ),
        )
    rows: dict[int | None, LeaderRow] = {}
    found = with_last_visit(keys.select_related(None).select_related("leader"), since)
    for key in found.annotate(**counted).order_by():
        result.visits += getattr(key, "visits_to_date", 0)
        result.problems_open += getattr(key, "open_problems", 0)
        result.year_visits += getattr(key, "year_visits", 0)
        if not key.is_active:
            continue
        result.enterprises += 1
        row = rows.get(key.leader_id)
        if row is None:
            row = rows[key.leader_id] = LeaderRow(
                name=str(key.leader) if key.leader else "（未分配）"
            )
        row.enterprises += 1
        if getattr(key, "quarter_visits", 0):
            result.visited += 1
            row.visited += 1
    result.leaders = sorted(rows.values(), key=lambda r: (r.name == "（未分配）", r.name))
    return result
