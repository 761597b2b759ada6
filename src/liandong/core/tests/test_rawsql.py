"""rawsql.insert: the rows bulk_create would write, primary keys set in order, across statements."""

import pytest
from django.db import connection, models
from django.test.utils import isolate_apps
from django.utils import timezone

from liandong.core import rawsql
from liandong.core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("pipelined", [False, True])  # PostgreSQL pipelines many rows; SQLite never
def test_many_rows_split_into_statements_get_their_own_ids(
    monkeypatch: pytest.MonkeyPatch, pipelined: bool
) -> None:
    monkeypatch.setattr(rawsql, "MAX_PARAMETERS", 100)  # a few rows per statement
    monkeypatch.setattr(rawsql, "PIPELINE_FROM", 2 if pipelined else 10**9)
    entries = [
        AuditLog(
            action="test.row",
            target_type="t",
            target_id=str(n),
            target_repr=f"第{n}行",
            changes={"n": n, "text": "引号' 和 %s"},
        )
        for n in range(57)
    ]
    now = timezone.now()
    rawsql.insert(entries, now=now, returning=True)
    assert len({entry.pk for entry in entries}) == 57
    stored = {row.pk: row for row in AuditLog.objects.filter(action="test.row")}
    assert len(stored) == 57
    for entry in entries:
        row = stored[entry.pk]
        assert row.target_id == entry.target_id
        assert row.changes == {"n": int(entry.target_id), "text": "引号' 和 %s"}
        assert row.created_at == now


def test_nothing_to_insert_sends_nothing(django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        rawsql.insert([], now=timezone.now(), returning=True)


class Shouting(models.CharField):
    """A CharField that converts on save, as an encrypted field would (here: upper case)."""

    def get_db_prep_save(self, value: object, connection: object) -> object:
        return None if value is None else str(value).upper()


@pytest.mark.django_db(transaction=True)  # the table is created and dropped by the test
@isolate_apps("liandong.core")
def test_a_subclass_of_a_plain_field_gets_its_own_preparation() -> None:
    """rawsql passes str and int values of plain fields to the driver unconverted; a subclass
    of one (an encrypted CharField) must never be taken for it."""

    class Secret(models.Model):  # noqa: DJ008 - never shown
        key = Shouting(max_length=20, unique=True)
        note = Shouting(max_length=20, null=True)
        hits = models.IntegerField(default=0)

        class Meta:
            app_label = "core"
            db_table = "core_test_rawsql_secret"

    with connection.schema_editor() as editor:
        editor.create_model(Secret)
    try:
        rawsql.insert([Secret(key="a", note="written raw?")], now=timezone.now())
        rawsql.upsert_add(Secret, ("key",), [(("b",), {"hits": 2})])
        rawsql.upsert_add(Secret, ("key",), [(("b",), {"hits": 3})])
        with connection.cursor() as cursor:
            cursor.execute("SELECT key, note, hits FROM core_test_rawsql_secret ORDER BY key")
            rows = cursor.fetchall()
        assert rows == [("A", "WRITTEN RAW?", 0), ("B", None, 5)]
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(Secret)
