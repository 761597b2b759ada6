import pytest
from django.db import connection

from liandong.core.jobs import sqlite_optimize
from liandong.core.tick import tick_run


@pytest.mark.django_db
def test_tick_keeps_sqlite_statistics_fresh() -> None:
    names = [name for name, _ in tick_run(dry_run=True)]
    assert names[0] == "core.sqlite_optimize"
    if connection.vendor != "sqlite":
        assert sqlite_optimize(False).startswith("not SQLite")
        return
    assert sqlite_optimize(True) == "would run PRAGMA optimize"
    assert sqlite_optimize(False) == "PRAGMA optimize done"
    assert sqlite_optimize(False) == "PRAGMA optimize done"  # and again, harmlessly
