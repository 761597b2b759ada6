"""Real concurrent clients, each thread with its own database connection, claim one task: only
one body takes it (the conditional UPDATE in ``services.task_claim``). Runs on SQLite and on
PostgreSQL.

The control run switches the guard off (``CLAIM_GUARD``): the claim reads the task, sees it
open and writes its own body. On PostgreSQL bodies that read at the same moment all "win"
(each is told it took the task while the row keeps only the last writer). On SQLite the
control cannot fail: each transaction takes the database's one write lock as it begins, so
reads and writes of the requests happen one after the other."""

import threading
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from liandong.accounts.models import Role
from liandong.accounts.tests.factories import UserFactory
from liandong.campaigns import services
from liandong.campaigns.models import Task
from liandong.core import races
from liandong.organizations.models import Organization
from liandong.organizations.services import organization_create

pytestmark = pytest.mark.django_db(transaction=True)
BODIES = 16


def _claims(world: Any) -> tuple[Task, list[str]]:
    campaign = services.campaign_create(
        actor=None,
        owner=world.union_a,
        name="揭榜挂帅",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
    )
    task = services.task_create(actor=None, campaign=campaign, title="规范国企职代会")
    bodies = []
    for i in range(BODIES):
        body = organization_create(
            actor=None,
            name=f"企业{i}",
            code=f"C-{i}",
            kind=Organization.Kind.ENTERPRISE,
            parent=world.union_a,
        )
        bodies.append((UserFactory(role=Role.ENTERPRISE_UNION, organization=body), body))
    barrier = threading.Barrier(BODIES)
    outcomes: list[str] = []
    lock = threading.Lock()

    def claim(user: Any, body: Organization) -> None:
        try:
            barrier.wait()
            try:
                services.task_claim(actor=user, task=task, organization=body)
                result = "ok"
            except ValidationError as error:
                result = "taken" if "揭榜" in error.messages[0] else error.messages[0]
            with lock:
                outcomes.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=pair) for pair in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return task, outcomes


def test_of_many_bodies_claiming_at_once_exactly_one_takes_the_task(world: Any) -> None:
    assert services.CLAIM_GUARD
    task, outcomes = _claims(world)
    assert len(outcomes) == BODIES
    assert outcomes.count("ok") == 1
    assert set(outcomes) == {"ok", "taken"}
    task.refresh_from_db()
    assert task.status == "claimed"
    assert task.claimed_by is not None


def test_control_unguarded_claims_let_several_bodies_win_on_postgresql(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "CLAIM_GUARD", False)
    with races.all_read_first(BODIES):
        _task, outcomes = _claims(world)
    assert len(outcomes) == BODIES
    if connection.vendor == "sqlite":
        assert outcomes.count("ok") == 1  # one writer at a time (see the module's docstring)
        return
    assert outcomes.count("ok") > 1, outcomes
