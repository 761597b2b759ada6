"""Concurrent writes of account management, on PostgreSQL (SQLite serializes writers): two
administrators of a union disabled at once leave one, and a link submitted twice at once sets
one password."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from liandong.accounts import services
from liandong.accounts.models import Role, User
from liandong.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(calls: list[Callable[[], Any]]) -> list[str]:
    """Run the calls in threads released together; "ok" or the refusal's message for each."""
    barrier = threading.Barrier(len(calls))
    results: list[str] = []

    def run(call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            call()
            results.append("ok")
        except ValidationError as error:
            results.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("concurrent writers are a PostgreSQL matter; SQLite serializes them")


def test_two_admins_disabled_at_once_leave_one(world) -> None:
    first = world.users["admin_a"]
    second = UserFactory(username="admin_a2", role=Role.UNION_ADMIN, organization=world.union_a)
    province = world.users["province_admin"]
    results = at_once(
        [
            lambda: services.account_disable(actor=province, account=first),
            lambda: services.account_disable(actor=province, account=second),
        ]
    )
    assert len(results) == 2
    assert "ok" in results
    assert any("最后一位" in result for result in results), results
    assert (
        User.objects.filter(
            organization=world.union_a, role=Role.UNION_ADMIN, is_active=True
        ).count()
        == 1
    )


def test_a_link_submitted_twice_at_once_is_used_once(world) -> None:
    account = services.account_create(
        actor=world.users["admin_a"],
        username="race_liaison",
        display_name="并发",
        role=Role.LIAISON,
        organization=world.authority,
    )
    _, link = services.invitation_issue(
        actor=world.users["admin_a"], account=account, channel="show", base_url="http://t/"
    )
    assert link is not None
    token = link.split("#", 1)[1]
    results = at_once(
        [
            lambda: services.invitation_redeem(token=token, password="First-Pass-2026"),
            lambda: services.invitation_redeem(token=token, password="Second-Pass-2026"),
        ]
    )
    assert len(results) == 2
    assert "ok" in results
    assert any("已使用过" in result for result in results), results
