"""rawsql.insert: the rows bulk_create would write, primary keys set in order, across statements."""

import pytest
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
