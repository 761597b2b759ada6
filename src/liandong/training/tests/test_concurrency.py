"""Concurrent downloads are all counted: each is one ``UPDATE … SET n = n + 1``; concurrent
attendances of one delegate are all in the delegates-trained rollup: each is one UPSERT adding
one. Real clients, each thread with its own database connection; run on PostgreSQL too
(DATABASE_URL).

The control switches the guard off (``services.COUNTER_GUARD``): the counter is read, then
written back plus one, and on PostgreSQL downloads that read the same value at the same moment
count once between them. On SQLite the control cannot lose counts (every transaction takes the
database's one write lock when it begins), so there it only shows the same totals."""

import threading
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from liandong.core import races
from liandong.organizations.tests.factories import UnionFactory
from liandong.training import rollups, services
from liandong.training.models import Attendance, DelegateAreaRollup, Document, Session
from liandong.training.services import attendance_mark, download_count, newest_version
from liandong.training.tests.factories import make_document
from liandong.workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db(transaction=True)

THREADS, EACH = 12, 5


def _side_by_side(calls: list[Callable[[], object]]) -> None:
    """Each call in a thread of its own, with its own connection, all let go at once."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def client(call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            call()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def _download_concurrently(document: Document) -> None:
    version = newest_version(document)
    assert version is not None

    def downloads() -> None:
        for _ in range(EACH):
            download_count(document=document, version=version)

    _side_by_side([downloads] * THREADS)


def test_every_concurrent_download_is_counted(world: Any) -> None:
    assert services.COUNTER_GUARD
    document = make_document(world.users["admin_a"], world.union_a)
    _download_concurrently(document)
    document.refresh_from_db()
    assert document.download_count == THREADS * EACH
    assert document.versions.get().download_count == THREADS * EACH


def test_control_a_read_then_write_counter_loses_downloads_on_postgresql(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "COUNTER_GUARD", False)
    document = make_document(world.users["admin_a"], world.union_a)
    with races.all_read_first(THREADS):  # once per download: every round loses 11 of 12
        _download_concurrently(document)
    document.refresh_from_db()
    if connection.vendor == "sqlite":
        assert document.download_count == THREADS * EACH
        return
    assert document.download_count < THREADS * EACH


# --- The delegates-trained rollup ------------------------------------------------------------------
# Every thread marks the same delegate at a session of its own, each organized by a union of its
# own under union A: each locks its own organizer (against a move of the tree) and adds one to
# the same rollup rows (union A's, and those of every organization above it).


def _mark_concurrently(world: Any) -> int:
    staff = world.users["admin_a"]
    worker = WorkerFactory(employer=world.outlet_a)
    started = timezone.now() - timedelta(hours=1)
    sessions = []
    for _ in range(THREADS):
        session = Session.objects.create(
            organization=UnionFactory(parent=world.union_a), topic="培训", starts_at=started
        )
        Attendance.objects.create(session=session, worker=worker)  # invited
        sessions.append(session)
    _side_by_side(
        [
            partial(attendance_mark, actor=staff, session=session, worker_ids=[worker.pk])
            for session in sessions
        ]
    )
    return DelegateAreaRollup.objects.get(area=world.union_a, worker_id=worker.pk).attended


def test_every_concurrent_attendance_is_in_the_rollup(world: Any) -> None:
    assert rollups.UPSERT_GUARD
    attended = _mark_concurrently(world)
    assert attended == THREADS
    assert rollups.stored() == rollups.computed()


def test_control_a_read_then_write_rollup_loses_attendances_on_postgresql(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rollups, "UPSERT_GUARD", False)
    with races.all_read_first(THREADS):
        attended = _mark_concurrently(world)
    if connection.vendor == "sqlite":
        assert attended == THREADS
        return
    assert attended < THREADS
