"""Answers kept for one computation: a dashboard or a report asks some selectors twice (the
coverage cards and the coverage chart; the democracy headline figures and the democracy
charts). Inside :func:`one_computation`, :func:`once` computes each key once and hands the
same answer to the second caller; outside, it simply computes. Nothing outlives the block, so
no answer is ever stale. The block's calls may run side by side (``core/fanout.py``): a second
caller of a key being computed waits for the first one's answer rather than computing it
again."""

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_MEMO: ContextVar[dict[Any, "Future[Any]"] | None] = ContextVar("liandong_memo", default=None)
_LOCK = threading.Lock()


def once(key: Any, compute: Callable[[], T]) -> T:
    memo = _MEMO.get()
    if memo is None:
        return compute()
    with _LOCK:
        answer = memo.get(key)
        first = answer is None
        if answer is None:
            answer = memo[key] = Future()
    if first:
        try:
            answer.set_result(compute())
        except BaseException as error:
            answer.set_exception(error)
            raise
    return answer.result()


@contextmanager
def one_computation() -> Iterator[None]:
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)
