"""Routing rules, time limits and entered calendar days, kept per process for ``TTL`` seconds
in the local-memory cache (``CACHES["local"]``): every intake needs them and they change a few
times a year. A change clears this process's copy when its transaction commits (signals, see
apps.py, and the services that change rows without them); other app servers see it within
``TTL`` seconds."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django.core.cache import caches
from django.db import transaction

TTL = 30
KEYS = {name: f"demands.config.{name}" for name in ("rules", "limits", "calendar", "classifier")}


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


T = TypeVar("T")


def _get(name: str, load: Callable[[], T]) -> T:
    cache = caches["local"]
    value: T | None = cache.get(KEYS[name])
    if value is None:
        value = load()
        cache.set(KEYS[name], value, TTL)
    return value


def clear() -> None:
    caches["local"].delete_many(list(KEYS.values()))


def invalidate(**_: Any) -> None:
    """Drop the copy once the change is committed: cleared before, a concurrent request could
    load the old rows again (or this transaction's uncommitted ones) and keep them ``TTL``."""
    transaction.on_commit(clear)


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


def classifier_path() -> str:
    """The file of the active ``ClassifierVersion`` ("" when none is: the shipped model)."""
    from django.conf import settings

    from liandong.demands.models import ClassifierVersion

    def load() -> str:
        name = (
            ClassifierVersion.objects.filter(is_active=True)
            .values_list("file_name", flat=True)
            .first()
        )
        return str(settings.DATA_DIR / "classifier" / name) if name else ""

    return _get("classifier", load)
