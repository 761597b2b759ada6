"""Exact statement counts of the account list, for one and for several rows."""

from typing import Any

import pytest

from liandong.accounts.models import Role
from liandong.accounts.tests.factories import UserFactory
from liandong.core.tests.query_counts import ROWS, SIGNED_IN, measure


@pytest.mark.parametrize("rows", ROWS)
def test_account_list_page(
    world: Any, login: Any, django_assert_num_queries: Any, rows: int
) -> None:
    for i in range(rows - 1):
        UserFactory(username=f"extra{i}", role=Role.LIAISON, organization=world.authority)
    client = login(world.users["admin_a"])
    # + the page of accounts with their organizations, and the organizations of the filter.
    measure(client, "/accounts/users/", SIGNED_IN + 2, django_assert_num_queries)


@pytest.mark.parametrize("rows", ROWS)
def test_audit_log_names_the_records_its_changes_name(
    world: Any, login: Any, django_assert_num_queries: Any, rows: int
) -> None:
    """Ids in an entry's changes read as names, linked where the viewer may open the record;
    a person by name; a record the viewer may not open is not named. The count of statements
    does not grow with the entries."""
    from liandong.core.audit import audit_log

    staff, judge = world.users["staff_a"], world.users["judge"]
    for _ in range(rows):
        audit_log(
            actor=staff,
            action="activities.nominated",
            target=world.union_a,
            changes={"worker": world.worker_a.pk, "judge": judge.pk},
        )
        audit_log(
            actor=staff,
            action="activities.nominated",
            target=world.union_a,
            changes={"worker": world.worker_b.pk, "partner": [None, world.authority.pk]},
        )
    client = login(world.users["admin_a"])
    # + the page of entries with their actors, the actor filter's people, then for each record
    # type named (workers, organizations, accounts): which the viewer may open, and their names.
    page = measure(client, "/audit-log/", SIGNED_IN + 3 + 3 * 2, django_assert_num_queries)
    body = page.content.decode()
    assert f'<a href="/workers/{world.worker_a.pk}/">{world.worker_a.name}</a>' in body
    assert world.worker_b.name not in body
    assert f"职工（编号 {world.worker_b.pk}）" in body
    assert (judge.display_name or judge.username) in body
    assert f'<a href="/organizations/{world.authority.pk}/">{world.authority.name}</a>' in body
