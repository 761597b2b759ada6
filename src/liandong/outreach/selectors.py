"""Reads of the outreach app: coverage of the key enterprises, and the lists."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from liandong.accounts.models import User
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


OPEN_PROBLEM = Q(visits__problem_closed_on__isnull=True) & ~Q(visits__problem="")


def with_last_visit(keys: QuerySet[KeyEnterprise], since: date) -> QuerySet[KeyEnterprise]:
    return keys.annotate(
        last_visit=Max("visits__visited_on"),
        open_problems=Count("visits", filter=OPEN_PROBLEM),
        quarter_visits=Count("visits", filter=Q(visits__visited_on__gte=since)),
    )


def coverage(
    keys: QuerySet[KeyEnterprise],
    today: date | None = None,
    *,
    year: int | None = None,
    leaders: bool = True,
) -> Coverage:
    """The totals in one statement over ``keys`` and their visits, without a row per key (a
    visit is of one key enterprise, so its counts are the visits'; the key enterprises are
    counted distinct): the visits and open problems are of all of ``keys``; the enterprises
    and those visited this quarter, of the active ones only. With ``leaders``, a row per
    leader of the active ones (one more statement, the list page's and the API's)."""
    today = today or timezone.localdate()
    since = quarter_start(today)
    active = Q(is_active=True)
    counted = {
        "enterprises": Count("id", distinct=True, filter=active),
        "visited": Count("id", distinct=True, filter=active & Q(visits__visited_on__gte=since)),
        "quarter_visits": Count(  # not "visits": the name would hide the relation
            "visits", filter=Q(visits__visited_on__gte=since, visits__visited_on__lte=today)
        ),
        "problems_open": Count("visits", filter=OPEN_PROBLEM),
    }
    if year is not None:
        counted["year_visits"] = Count(
            "visits",
            filter=Q(
                visits__visited_on__gte=date(year, 1, 1), visits__visited_on__lte=date(year, 12, 31)
            ),
        )
    totals = keys.select_related(None).order_by().aggregate(**counted)
    totals["visits"] = totals.pop("quarter_visits")
    result = Coverage(since=since, **totals)
    if leaders:
        result.leaders = _leaders(keys.filter(active), since)
    return result


def _leaders(keys: QuerySet[KeyEnterprise], since: date) -> list[LeaderRow]:
    """Each leader's active key enterprises and how many were visited since ``since``."""
    rows = (
        keys.select_related(None)
        .order_by()
        .values("leader")
        .annotate(
            enterprises=Count("id", distinct=True),
            visited=Count("id", distinct=True, filter=Q(visits__visited_on__gte=since)),
        )
    )
    found = list(rows)
    names = User.objects.in_bulk([r["leader"] for r in found if r["leader"]])
    result = [
        LeaderRow(
            name=str(names[r["leader"]]) if r["leader"] else "（未分配）",
            enterprises=r["enterprises"],
            visited=r["visited"],
        )
        for r in found
    ]
    return sorted(result, key=lambda r: (r.name == "（未分配）", r.name))
