"""Keyset paging: "newest first, 20 at a time" without COUNT(*) or OFFSET, so that page 500 of
a million rows costs the same as page 1."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)
# A page's rows: model instances, or dicts for a values() queryset.
R = TypeVar("R")
S = TypeVar("S")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass
class Page(Generic[R]):
    items: list[R]
    next_cursor: int | None


@overload
def page_by_id(
    queryset: QuerySet[M, R], *, cursor: int | None, size: int = ..., rows: None = None
) -> Page[R]: ...


@overload
def page_by_id(
    queryset: QuerySet[M, Any],
    *,
    cursor: int | None,
    size: int = ...,
    rows: Callable[[QuerySet[M, M]], QuerySet[M, S]],
) -> Page[S]: ...


def page_by_id(
    queryset: QuerySet[Any, Any],
    *,
    cursor: int | None,
    size: int = DEFAULT_PAGE_SIZE,
    rows: Callable[[QuerySet[Any, Any]], QuerySet[Any, Any]] | None = None,
) -> Page[Any]:
    """Rows with id below ``cursor`` in descending id order, plus the cursor of the next page.

    Rows are model instances, or dicts for a ``values()`` queryset (cheaper to build when the
    answer is a list of plain records).

    With ``rows``, the page's ids are found first and only those rows are read, shaped by
    ``rows(<the model's rows with those ids>)`` (its columns: ``values()``, ``only()``...),
    in one statement. Use it when the filters are answered from an index but the matching
    rows lie scattered over the table, so that reading every match to keep twenty would cost
    more than the match itself.
    """
    size = max(1, min(size, MAX_PAGE_SIZE))
    if cursor is not None:
        queryset = queryset.filter(pk__lt=cursor)
    if rows is not None:
        ids = queryset.order_by("-pk").values("pk")[: size + 1]
        queryset = rows(queryset.model._default_manager.filter(pk__in=ids))
    found = list(queryset.order_by("-pk")[: size + 1])
    next_cursor = None
    if len(found) > size:  # a values() queryset gives dicts, which must include "id"
        last = found[size - 1]
        next_cursor = last["id"] if isinstance(last, dict) else last.pk
    return Page(items=found[:size], next_cursor=next_cursor)
