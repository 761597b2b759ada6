"""Many recipients: ``notify`` writes them a chunk at a time (bounded memory, statements that
do not grow with the recipients), and an event with many deliveries is sent in full by its own
tasks, shared out among several (bench/bench_notifications.py measures both at scale)."""

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liandong.accounts.models import Role, User
from liandong.accounts.sms import MemoryBackend
from liandong.accounts.tests.factories import UserFactory
from liandong.notifications import outbox, services
from liandong.notifications.models import Delivery, Message


@pytest.fixture
def accounts(world):
    users = [
        UserFactory(
            username=f"many{n}",
            role=Role.UNION_STAFF,
            organization=world.union_a,
            email=f"many{n}@example.org" if n % 2 else "",
        )
        for n in range(7)
    ]
    users[3].is_active = False
    users[3].save(update_fields=["is_active"])
    return users


@pytest.mark.parametrize("as_queryset", [True, False], ids=["queryset", "list"])
def test_notify_writes_many_accounts_a_chunk_at_a_time(
    accounts, monkeypatch, as_queryset, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "NOTIFY_CHUNK", 3)
    recipients = (
        User.objects.filter(username__startswith="many").order_by("pk")
        if as_queryset
        else iter(accounts)  # any iterable, read once
    )
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks() as on_commit,
    ):
        written = services.notify(
            "notifications.test", recipients, context={"note": "众"}, event_key="many:1"
        )
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    active = [user for user in accounts if user.is_active]
    told = set(Message.objects.filter(event_key="many:1").values_list("recipient_id", flat=True))
    assert told == {user.pk for user in active}  # the inactive account is not told
    emailed = {user.pk for user in active if user.email}
    assert set(Delivery.objects.values_list("recipient_id", flat=True)) == emailed
    assert written == len(active) + len(emailed)
    # three chunks of at most three accounts, each one INSERT of messages (and one of
    # deliveries, but the last chunk has no email address): none carries more than a chunk
    assert ["notifications_message" in sql for sql in inserts] == [True, False] * 2 + [True]
    assert max(sql.count("many:1") for sql in inserts) <= 3
    assert len(on_commit) == 1  # one task for the whole event


def test_a_large_event_is_sent_in_full_by_several_tasks(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """More rows than a task's batch, in parts: every number gets its SMS once."""
    monkeypatch.setattr(services, "PART_ROWS", 4)
    monkeypatch.setattr(services, "DELIVERY_PARTS", 3)
    monkeypatch.setattr(outbox, "BATCH", 2)
    enqueued = []
    real_enqueue = services.enqueue_event
    monkeypatch.setattr(
        services,
        "enqueue_event",
        lambda key, parts=1: enqueued.append(parts) or real_enqueue(key, parts=parts),
    )
    mobiles = [f"1390000{n:04d}" for n in range(11)]
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            "notifications.test",
            [],
            context={"note": "众"},
            event_key="many:2",
            mobiles=mobiles,
            urgent=True,
        )
    assert enqueued == [3]  # 11 rows, 4 a part, at most 3 parts
    assert Counter(Delivery.objects.values_list("status", flat=True)) == {"sent": 11}
    assert sorted(mobile for mobile, _text in MemoryBackend.outbox) == mobiles


def test_one_part_sends_only_its_share(world):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "enqueue_event", lambda *args, **kwargs: None)  # no task
        services.notify(
            "notifications.test",
            [],
            context={"note": "众"},
            event_key="many:3",
            mobiles=[f"1390001{n:04d}" for n in range(6)],
            urgent=True,
        )
    outcomes = outbox.deliver_all_due(event_key="many:3", part=1, parts=2)
    sent = Delivery.objects.filter(status="sent").values_list("pk", flat=True)
    assert outcomes == {"sent": 3}
    assert {pk % 2 for pk in sent} == {1}
    assert outbox.deliver_all_due(event_key="many:3", part=0, parts=2) == {"sent": 3}
    assert Delivery.objects.filter(status="sent").count() == 6
