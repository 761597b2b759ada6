from datetime import date
from typing import Any

from django.core.cache import caches

from liandong.demands.rollups import add_counts
from liandong.reports.selectors import Links, ReportFilters, union_dashboard_cached


def received(data: dict[str, Any]) -> int:
    chart = next(c for c in data["charts"] if c.key == "demand-rates")
    return sum(int(r.values[0] or 0) for r in chart.rows)


def test_the_dashboard_is_kept_a_minute_per_viewer(world: Any, settings: Any) -> None:
    settings.LIANDONG_REPORTS_CACHE_SECONDS = 60
    caches["local"].clear()
    filters = ReportFilters(year=2026)

    def look(user: Any) -> dict[str, Any]:
        return union_dashboard_cached(world.union_a, filters, user=user, links=Links(True))

    first = look(world.users["admin_a"])
    assert received(first) == 0
    assert first["organization"] == world.union_a
    add_counts(
        month=date(2026, 4, 1),
        body_id=world.enterprise_a.pk,
        category="wages",
        city="兰州",
        received=5,
    )
    again = look(world.users["admin_a"])
    assert received(again) == 0  # within the minute: the figures computed before
    assert again["organization"] == world.union_a
    assert received(look(world.users["staff_a"])) == 5  # another viewer computes afresh
    caches["local"].clear()
    assert received(look(world.users["admin_a"])) == 5
