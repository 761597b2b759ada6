"""Keyset paging, with and without finding the page's ids first."""

from typing import Any

import pytest

from liandong.core.paging import page_by_id
from liandong.workers.models import Worker
from liandong.workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("ids_first", [False, True])
@pytest.mark.parametrize("as_values", [False, True])
def test_pages_cover_every_row_once_newest_first(
    world: Any, ids_first: bool, as_values: bool
) -> None:
    WorkerFactory.create_batch(25, employer=world.outlet_a)
    WorkerFactory.create_batch(5, employer=world.outlet_b)
    matching = Worker.objects.filter(employer=world.outlet_a)

    def shape(rows: Any) -> Any:
        return (
            rows.values("id", "name", "employer__name")
            if as_values
            else rows.select_related("employer")
        )

    seen, cursor = [], None
    while True:
        if ids_first:
            page = page_by_id(matching, cursor=cursor, size=7, rows=shape)
        else:
            page = page_by_id(shape(matching), cursor=cursor, size=7)
        assert len(page.items) <= 7
        for row in page.items:
            if as_values:
                assert set(row) == {"id", "name", "employer__name"}
                seen.append(row["id"])
            else:
                assert row.employer.name == world.outlet_a.name
                seen.append(row.pk)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == sorted(matching.values_list("pk", flat=True), reverse=True)
    assert len(seen) == 26  # the world's own worker of outlet A, and the 25


def test_a_page_with_ids_first_is_one_statement(world: Any, django_assert_num_queries: Any) -> None:
    WorkerFactory.create_batch(3, employer=world.outlet_a)
    with django_assert_num_queries(1):
        page = page_by_id(
            Worker.objects.filter(employer=world.outlet_a),
            cursor=None,
            size=2,
            rows=lambda rows: rows.values("id", "name"),
        )
    assert len(page.items) == 2
    assert page.next_cursor == page.items[-1]["id"]
