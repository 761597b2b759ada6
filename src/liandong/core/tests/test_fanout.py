"""Independent reads side by side (core/fanout.py): on the pool's threads, each with its own
connection that sees what is committed; inline wherever threads would not see what the caller
sees; answers in order; an error raised to the caller."""

import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction

from liandong.core import fanout
from liandong.core.memo import once, one_computation
from liandong.organizations.models import Organization
from liandong.organizations.tests.factories import UnionFactory


def _where() -> tuple[str, int, int]:
    """The thread, its connection's identity, and how many organizations it sees."""
    seen = Organization.objects.count()
    return threading.current_thread().name, id(connection.connection), seen


@pytest.mark.django_db(transaction=True)
def test_calls_run_side_by_side_each_on_its_own_connection(settings: Any) -> None:
    settings.LIANDONG_READ_THREADS = 3
    UnionFactory()  # committed: every pool connection must see it
    meet = threading.Barrier(3, timeout=10)

    def call(n: int) -> tuple[int, tuple[str, int, int]]:
        # Three calls that each wait for the other two: run one after another they would
        # break the barrier (BrokenBarrierError) instead of returning.
        meet.wait()
        return n, _where()

    answers = fanout.gather([lambda n=n: call(n) for n in range(3)])

    assert [n for n, _ in answers] == [0, 1, 2]  # in the order asked
    names = {where[0] for _, where in answers}
    assert len(names) == 3
    assert all(name.startswith("liandong-read") for name in names)
    assert len({where[1] for _, where in answers}) == 3  # three connections
    assert {where[2] for _, where in answers} == {Organization.objects.count()}


@pytest.mark.django_db
def test_inside_a_transaction_calls_run_inline(settings: Any) -> None:
    """pytest-django wraps this test in a transaction: another connection would not see the
    union made here, so the calls stay on this thread and its connection."""
    settings.LIANDONG_READ_THREADS = 3
    UnionFactory()
    seen = Organization.objects.count()
    answers = fanout.gather([_where, _where])
    assert [a[0] for a in answers] == [threading.current_thread().name] * 2
    assert [a[2] for a in answers] == [seen, seen]


@pytest.mark.django_db(transaction=True)
def test_a_transaction_of_the_caller_keeps_the_calls_inline(settings: Any) -> None:
    settings.LIANDONG_READ_THREADS = 3
    with transaction.atomic():
        UnionFactory()
        answers = fanout.gather([_where, _where])
        assert {a[0] for a in answers} == {threading.current_thread().name}
        assert {a[2] for a in answers} == {Organization.objects.count()}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("threads", [0, 1])
def test_zero_or_one_thread_computes_one_after_another(settings: Any, threads: int) -> None:
    settings.LIANDONG_READ_THREADS = threads
    answers = fanout.gather([_where, _where, _where])
    assert {a[0] for a in answers} == {threading.current_thread().name}


@pytest.mark.django_db(transaction=True)
def test_a_gather_inside_a_pool_thread_runs_inline(settings: Any) -> None:
    """A pool thread waiting for calls queued behind itself could wait for ever."""
    settings.LIANDONG_READ_THREADS = 2

    def outer() -> list[str]:
        here = threading.current_thread().name
        inner = fanout.gather([lambda: threading.current_thread().name] * 2)
        assert inner == [here, here]
        return inner

    answers = fanout.gather([outer, outer])
    assert all(name.startswith("liandong-read") for names in answers for name in names)


@pytest.mark.django_db(transaction=True)
def test_an_error_reaches_the_caller_after_the_other_calls_finished(settings: Any) -> None:
    settings.LIANDONG_READ_THREADS = 3
    finished = threading.Event()

    def fails() -> None:
        raise ValueError("坏的计算")

    def slow() -> str:
        finished.wait(0.2)
        finished.set()
        return "done"

    with pytest.raises(ValueError, match="坏的计算"):
        fanout.gather([fails, slow])
    assert finished.is_set()


@pytest.mark.django_db(transaction=True)
def test_the_one_computation_memo_goes_with_the_calls_and_computes_a_key_once(
    settings: Any,
) -> None:
    """Two pool threads asking one key: the second waits for the first one's answer."""
    settings.LIANDONG_READ_THREADS = 2
    computed: list[str] = []
    asked = threading.Barrier(2, timeout=10)
    lock = threading.Lock()

    def compute() -> str:
        with lock:
            computed.append(threading.current_thread().name)
        time.sleep(0.3)  # the other thread asks meanwhile (a memo without the wait computes twice)
        return "coverage"

    def call() -> str:
        asked.wait()  # both threads ask at the same moment
        return once("by-industry", compute)

    with one_computation():
        answers = fanout.gather([call, call])
    assert answers == ["coverage", "coverage"]
    assert len(computed) == 1
