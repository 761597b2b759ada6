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
