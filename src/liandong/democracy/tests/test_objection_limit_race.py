"""The public objection channel's per-address limit under concurrent clients: twelve objections
sent at once from one address store exactly the hour's allowance, the others get a 429 with
Retry-After, nothing else is lost. The control run reads the count before counting (the old
check-then-count) and shows the race the one-statement claim prevents."""

import threading
from typing import Any

import pytest
from django.db import connection

from liandong.core import races
from liandong.core.tests.client import BrowserClient
from liandong.demands import throttle
from liandong.demands.models import DemandThrottle
from liandong.democracy.models import Objection
from liandong.democracy.services import OBJECTIONS_PER_HOUR
from liandong.democracy.tests.factories import nomination_on_notice

CLIENTS = 12


def _object_at_once(nomination_id: int) -> list[tuple[int, str]]:
    """CLIENTS objections posted at the same moment, each by its own client and connection."""
    url = f"/api/v1/public/democracy/notices/{nomination_id}/objections"
    barrier = threading.Barrier(CLIENTS)
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def send(i: int) -> None:
        try:
            client = BrowserClient()
            barrier.wait()
            response = client.post(
                url, {"body": f"第{i}条异议：事迹中的获奖情况与事实不符。"}, "application/json"
            )
            with lock:
                answers.append((response.status_code, response.get("Retry-After", "")))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.mark.django_db(transaction=True)
def test_concurrent_objections_from_one_address_store_exactly_the_allowance(world: Any) -> None:
    assert throttle.CLAIM_UPSERT
    answers = _object_at_once(nomination_on_notice(world).pk)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] * OBJECTIONS_PER_HOUR + [429] * (CLIENTS - OBJECTIONS_PER_HOUR)
    assert all(0 < int(after) <= 3600 for status, after in answers if status == 429)
    assert Objection.objects.count() == OBJECTIONS_PER_HOUR
    # The refused ones rolled back their count: the address's counter is the allowance.
    assert list(DemandThrottle.objects.values_list("hits", flat=True)) == [OBJECTIONS_PER_HOUR]


@pytest.mark.django_db(transaction=True)
def test_control_check_then_count_lets_more_through_on_postgresql(
    world: Any, monkeypatch: Any
) -> None:
    """With the count read before it is added (CLAIM_UPSERT off) and every client reading
    first, more than the allowance is stored on PostgreSQL. SQLite's transactions take the one
    write lock when they begin (IMMEDIATE), so there the requests still go one at a time."""
    monkeypatch.setattr(throttle, "CLAIM_UPSERT", False)
    nomination_id = nomination_on_notice(world).pk
    with races.all_read_first(CLIENTS):
        answers = _object_at_once(nomination_id)
    accepted = [status for status, _ in answers].count(200)
    assert len(answers) == CLIENTS
    assert Objection.objects.count() == accepted
    if connection.vendor == "sqlite":
        assert accepted == OBJECTIONS_PER_HOUR
        return
    assert accepted > OBJECTIONS_PER_HOUR, answers
