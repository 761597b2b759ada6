"""How an import uses the database's write lock: a dry run opens no transaction and takes no
lock (it runs while another connection holds SQLite's write lock), and a real import writes in
short batches of their own, each complete, so that a failure half-way leaves the rows written
before it whole, their counts right, and the import's record saying so."""

import io
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connection
from django.db.models import Count

from liandong.core.models import AuditLog
from liandong.organizations.models import Organization
from liandong.workers import importing
from liandong.workers.models import RosterImport, Worker
from liandong.workers.tests.test_importing import db_state, person, roster_xlsx, run


class QueryLog:
    """Every statement the import sends, with whether a transaction was open around it."""

    def __init__(self) -> None:
        self.queries: list[tuple[str, bool]] = []
        self.before_write: Callable[[], None] | None = None

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        is_write = not sql.lstrip().upper().startswith(("SELECT", "PRAGMA", "SHOW", "SET", "RESET"))
        if is_write and self.before_write is not None:
            self.before_write()
            self.before_write = None
        self.queries.append((sql, connection.in_atomic_block))
        return execute(sql, params, many, context)


@pytest.mark.django_db(transaction=True)
def test_a_dry_run_opens_no_transaction_and_writes_only_its_record(world) -> None:
    before = db_state()
    log = QueryLog()
    with connection.execute_wrapper(log):
        record = run(world, roster_xlsx([person() for _ in range(5)]), dry_run=True)
    assert (record.rows_read, record.rows_imported, record.committed) == (5, 5, False)
    assert db_state() == before
    assert log.queries, "the import sent no query"
    assert [sql for sql, in_atomic in log.queries if in_atomic] == []
    writes = [
        sql for sql, _ in log.queries if sql.lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]
    tables = {RosterImport._meta.db_table, AuditLog._meta.db_table}
    assert writes
    assert all(any(table in sql for table in tables) for sql in writes), writes


@pytest.mark.django_db(transaction=True)
def test_a_dry_run_validates_while_another_connection_holds_the_write_lock(world) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's one write lock for the whole file; PostgreSQL locks rows")
    other = sqlite3.connect(
        connection.settings_dict["NAME"], isolation_level=None, check_same_thread=False
    )
    other.execute("BEGIN IMMEDIATE")  # the write lock, as a public submission would hold it
    held = threading.Event()
    held.set()
    selects_while_held: list[str] = []

    def release() -> None:
        other.execute("ROLLBACK")
        held.clear()

    log = QueryLog()
    log.before_write = release  # the record's own INSERT at the very end
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 500")  # a lock wait would fail the test fast
    try:
        with connection.execute_wrapper(log):
            record = run(world, roster_xlsx([person() for _ in range(3)]), dry_run=True)
        selects_while_held = [sql for sql, _ in log.queries[: len(log.queries) - 2]]
    finally:
        if held.is_set():
            release()
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 20000")
    assert (record.rows_read, record.rows_rejected, record.file_error) == (3, 0, "")
    assert any("workers_worker" in sql for sql in selects_while_held)


def _counts_match_workers() -> None:
    actual = dict(
        Worker.objects.values("employer_id").annotate(n=Count("pk")).values_list("employer_id", "n")
    )
    stored = dict(Organization.objects.values_list("pk", "worker_count"))
    for employer_id, count in actual.items():
        assert stored[employer_id] == count, (employer_id, stored[employer_id], count)


def test_a_real_import_writes_each_batch_in_a_transaction_of_its_own(world, monkeypatch) -> None:
    monkeypatch.setattr(importing, "WRITE_BATCH_SIZE", 2)
    calls = Counter[str]()
    real_insert = importing.rawsql.insert

    def insert(objects: list, **kwargs: Any) -> Any:
        if objects and isinstance(objects[0], Worker):
            calls["workers"] += 1
            if calls["workers"] == 3:  # the third batch: someone took a number meanwhile
                raise IntegrityError("UNIQUE constraint failed: workers_worker.mobile_digest")
        return real_insert(objects, **kwargs)

    monkeypatch.setattr(importing.rawsql, "insert", insert)
    before = Worker.objects.count()
    audited = AuditLog.objects.filter(action="workers.created").count()
    rows = [person() for _ in range(6)]
    record = run(world, roster_xlsx(rows))
    # Batches 1 and 2 stay, whole; batch 3 was rolled back; the record says what was written.
    assert Worker.objects.count() == before + 4
    assert (record.rows_read, record.rows_imported, record.committed) == (6, 4, True)
    assert record.file_error == importing.ERR_CONFLICT_PARTIAL.format(written=4)
    assert AuditLog.objects.filter(action="workers.created").count() == audited + 4
    written = set(Worker.objects.filter(name__in=[r["姓名"] for r in rows]).values_list("name"))
    assert len(written) == 4
    _counts_match_workers()


def test_a_conflict_in_the_first_batch_writes_nothing(world, monkeypatch) -> None:
    def insert(objects: list, **kwargs: Any) -> Any:
        raise IntegrityError("UNIQUE constraint failed")

    monkeypatch.setattr(importing.rawsql, "insert", insert)
    before = db_state()
    record = run(world, roster_xlsx([person(), person()]))
    assert record.file_error == importing.ERR_CONFLICT
    assert (record.rows_imported, record.committed) == (0, False)
    assert db_state() == before


def test_a_row_taken_between_the_passes_is_rejected_and_reported(world, monkeypatch) -> None:
    """Someone registers a row's mobile after pass 1 checked it: pass 2 refuses that row, the
    others go in, and the report lists it."""
    rows = [person(), person(), person()]
    taken = rows[1]["手机号"]
    real_write = importing._Importer.write

    def write(self: importing._Importer) -> None:
        Worker.objects.filter(pk=world.worker_a.pk).update(
            mobile_digest=importing.mobile_digest(str(taken))
        )
        real_write(self)

    monkeypatch.setattr(importing._Importer, "write", write)
    record = run(world, roster_xlsx(rows), skip_invalid=True)
    assert (record.rows_read, record.rows_imported, record.rows_rejected) == (3, 2, 1)
    assert record.errors[0][:3] == [3, "手机号", importing.MSG_MOBILE_TAKEN]
    _counts_match_workers()


def test_the_import_report_reads_the_same_as_before(world) -> None:
    record = run(world, roster_xlsx([person(), person(手机号="12")]), skip_invalid=True)
    assert (record.rows_imported, record.rows_rejected, record.committed) == (1, 1, True)
    assert importing._status(record) == "已写入名册（有错误的行已跳过）"
    assert io.BytesIO(importing.roster_report_xlsx(roster_import=record)).getvalue()[:2] == b"PK"
