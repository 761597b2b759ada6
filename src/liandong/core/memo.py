"""Answers kept for one computation: a dashboard or a report asks some selectors twice (the
coverage cards and the coverage chart; the democracy headline figures and the democracy
charts). Inside :func:`one_computation`, :func:`once` computes each key once and hands the
same answer to the second caller; outside, it simply computes. Nothing outlives the block, so
no answer is ever stale."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_MEMO: ContextVar[dict[Any, Any] | None] = ContextVar("liandong_memo", default=None)


def once(key: Any, compute: Callable[[], T]) -> T:
    memo = _MEMO.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


@contextmanager
def one_computation() -> Iterator[None]:
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)
