"""Keyset paging: "newest first, 20 at a time" without COUNT(*) or OFFSET, so that page 500 of
a million rows costs the same as page 1."""

from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Model, QuerySet

T = TypeVar("T", bound=Model)

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: int | None


def page_by_id(queryset: QuerySet[T], *, cursor: int | None, size: int = DEFAULT_PAGE_SIZE) -> Page[T]:
    """Rows with id below ``cursor`` in descending id order, plus the cursor of the next page.

    Rows are model instances, or dicts for a ``values()`` queryset (cheaper to build when the
    answer is a list of plain records)."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    if cursor is not None:
        queryset = queryset.filter(pk__lt=cursor)
    rows = list(queryset.order_by("-pk")[: size + 1])
    next_cursor = None
    if len(rows) > size:  # a values() queryset gives dicts, which must include "id"
        last = rows[size - 1]
        next_cursor = last["id"] if isinstance(last, dict) else last.pk
    return Page(items=rows[:size], next_cursor=next_cursor)
