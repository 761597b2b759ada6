"""Routing rules, time limits and entered calendar days, read once per process and kept for
a short while: every intake needs them and they change a few times a year. A change made in
this process clears the copy at once (signals, see apps.py); other app servers see it within
``TTL`` seconds."""

import time
from dataclasses import dataclass
from datetime import date
from typing import Any

TTL = 30.0
_cache: dict[str, tuple[float, Any]] = {}


@dataclass(frozen=True)
class Rule:
    pk: int
    union_id: int
    category: str
    industry: str
    city: str
    body_id: int
    co_body_ids: tuple[int, ...]
    priority: int
    names: tuple[tuple[int, str], ...] = ()  # (pk, name) of the body and co-handling bodies

    @property
    def specificity(self) -> int:
        return bool(self.category) + bool(self.industry) + bool(self.city)


def _get(name: str, load: Any) -> Any:
    hit = _cache.get(name)
    now = time.monotonic()
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    _cache[name] = (now + TTL, value)
    return value


def invalidate(**_: Any) -> None:
    _cache.clear()


def rules() -> list[Rule]:
    from liandong.demands.models import RoutingRule

    def load() -> list[Rule]:
        return [
            Rule(
                r.pk,
                r.union_id,
                r.category,
                r.industry,
                r.city,
                r.body_id,
                tuple(sorted(b.pk for b in r.co_bodies.all())),
                r.priority,
                ((r.body_id, r.body.name), *((b.pk, b.name) for b in r.co_bodies.all())),
            )
            for r in RoutingRule.objects.filter(is_active=True)
            .select_related("body")
            .prefetch_related("co_bodies")
        ]

    return _get("rules", load)


def limits() -> dict[tuple[str, str], tuple[int, int, int]]:
    from liandong.demands.models import TimeLimit

    def load() -> dict[tuple[str, str], tuple[int, int, int]]:
        return {
            (t.category, t.urgency): (t.response_days, t.resolution_days, t.escalation_days)
            for t in TimeLimit.objects.all()
        }

    return _get("limits", load)


def calendar() -> tuple[dict[date, bool], set[int]]:
    from liandong.demands.models import CalendarDay, CalendarYear

    def load() -> tuple[dict[date, bool], set[int]]:
        return (
            dict(CalendarDay.objects.values_list("date", "is_workday")),
            set(CalendarYear.objects.values_list("year", flat=True)),
        )

    return _get("calendar", load)
