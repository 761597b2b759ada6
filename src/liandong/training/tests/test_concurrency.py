"""Concurrent downloads are all counted: each is one ``UPDATE … SET n = n + 1``. Real clients,
each thread with its own database connection; run on PostgreSQL too (DATABASE_URL).

The control switches the guard off (``services.COUNTER_GUARD``): the counter is read, then
written back plus one, and on PostgreSQL downloads that read the same value at the same moment
count once between them. On SQLite the control cannot lose counts (every transaction takes the
database's one write lock when it begins), so there it only shows the same totals."""

import threading
from typing import Any

import pytest
from django.db import connection

from liandong.core import races
from liandong.training import services
from liandong.training.models import Document
from liandong.training.services import download_count, newest_version
from liandong.training.tests.factories import make_document

pytestmark = pytest.mark.django_db(transaction=True)

THREADS, EACH = 12, 5


def _download_concurrently(document: Document) -> None:
    version = newest_version(document)
    assert version is not None
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def client() -> None:
        try:
            barrier.wait()
            for _ in range(EACH):
                download_count(document=document, version=version)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


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
