from typing import Any

import pytest
from django.db import connection

from liandong.core.jobs import sqlite_optimize
from liandong.core.tick import tick_run


@pytest.mark.django_db(transaction=True)
def test_tick_keeps_sqlite_statistics_fresh(world: Any) -> None:
    """The job, on a connection of its own as the tick's, gives the planner statistics of the
    tables with rows and indexes: on SQLite 3.40 ``PRAGMA optimize`` on a new connection
    analyzed nothing, and a database never had statistics."""
    names = [name for name, _ in tick_run(dry_run=True)]
    assert names[0] == "core.sqlite_optimize"
    if connection.vendor != "sqlite":
        assert sqlite_optimize(False).startswith("not SQLite")
        return
    assert sqlite_optimize(True) == "would run ANALYZE"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
    connection.close()  # a new connection, which has queried nothing yet
    assert sqlite_optimize(False) == "ANALYZE done"
    assert sqlite_optimize(False) == "ANALYZE done"  # and again, harmlessly
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        analyzed = {row[0] for row in cursor.fetchall()}
    assert {"organizations_organization", "accounts_user"} <= analyzed
