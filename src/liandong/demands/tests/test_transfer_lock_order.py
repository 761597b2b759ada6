"""Issue 13: two demands transferred at the same moment between the same two bodies in opposite
directions must not deadlock on the statistics rollup rows.

A transfer takes the old body's rollup rows off and adds to the new body's: two UPSERT
statements, each locking its rows on PostgreSQL. Transfer 1 (authority -> enterprise) and
transfer 2 (enterprise -> authority) that each lock their old body's rows first, then wait for
the other's, deadlock; demands.services locks the rows in one order, that of their keys
(``ROLLUP_LOCK_ORDER``). The test makes the dangerous interleaving certain rather than likely:
each transfer waits, after its first rollup statement, until the other has run its own first
one (or 3 s have passed). With the guard, the second transfer's first statement waits for the
first transfer's commit, so the meeting never happens and both commit; with the guard off
(the control run) both hold their first rows and PostgreSQL reports the deadlock.

On SQLite the control cannot deadlock: every transaction takes the database's one write lock
when it begins (``transaction_mode`` IMMEDIATE), so the second transfer waits at its BEGIN for
the first to commit, whatever order the rows are written in. The same test there shows both
runs commit and the rollup adds up."""

import contextlib
import threading
from typing import Any

import pytest
from django.db import DatabaseError, connection

from liandong.core import rawsql
from liandong.demands import services
from liandong.demands.models import Demand, DemandRollup
from liandong.demands.services import demand_transfer
from liandong.demands.tests.factories import make_demand

pytestmark = pytest.mark.django_db(transaction=True)


def _opposite_transfers(world: Any, monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    """Run the two transfers in two threads that meet after their first rollup statement;
    return the errors they raised."""
    authority, enterprise = world.authority, world.enterprise_a
    to_enterprise = make_demand()  # a courier wage demand in 兰州: routed to the authority
    to_authority = make_demand()
    demand_transfer(actor=None, demand=to_authority, body=enterprise, reason="先交企业核实")
    assert (to_enterprise.body_id, Demand.objects.get(pk=to_authority.pk).body_id) == (
        authority.pk,
        enterprise.pk,
    )
    meeting = threading.Barrier(2, timeout=3)
    calls = threading.local()
    real_upsert = rawsql.upsert_add

    def upsert_then_meet(*args: Any, **kwargs: Any) -> None:
        real_upsert(*args, **kwargs)
        calls.count = getattr(calls, "count", 0) + 1
        if calls.count == 1:  # the transfer's first rollup statement holds its rows' locks
            # Broken: the other transfer is waiting for our locks; go on and commit.
            with contextlib.suppress(threading.BrokenBarrierError):
                meeting.wait()

    monkeypatch.setattr(rawsql, "upsert_add", upsert_then_meet)
    errors: list[BaseException] = []

    def transfer(demand: Demand, body: Any) -> None:
        try:
            demand_transfer(actor=None, demand=demand, body=body, reason="同时转办")
        except BaseException as error:  # collected for the assertions
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=transfer, args=(to_enterprise, enterprise)),
        threading.Thread(target=transfer, args=(to_authority, authority)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    monkeypatch.setattr(rawsql, "upsert_add", real_upsert)
    return errors


def _received(body: Any) -> int:
    rows = DemandRollup.objects.filter(body_id_key=body.pk, city=DemandRollup.ALL_CITIES)
    return sum(rows.values_list("received", flat=True))


def test_opposite_transfers_commit_without_deadlock(world, rules, monkeypatch) -> None:
    assert services.ROLLUP_LOCK_ORDER
    errors = _opposite_transfers(world, monkeypatch)
    assert errors == []
    # Both moved, and the rollup follows: one demand at each body.
    assert _received(world.authority) == _received(world.enterprise_a) == 1


def test_control_unordered_locks_deadlock_on_postgresql(world, rules, monkeypatch) -> None:
    monkeypatch.setattr(services, "ROLLUP_LOCK_ORDER", False)
    errors = _opposite_transfers(world, monkeypatch)
    if connection.vendor == "sqlite":
        # One writer at a time (see the module's docstring): no deadlock is possible.
        assert errors == []
        assert _received(world.authority) == _received(world.enterprise_a) == 1
        return
    assert len(errors) == 1, errors  # PostgreSQL aborts one of the two
    assert isinstance(errors[0], DatabaseError)
    assert "deadlock detected" in str(errors[0])
