"""The same deliveries on the Redis-backed queue (django-tasks-rq on a real redis-server, the
"rq" backend of the test settings): ``liandong worker --backend rq`` in a subprocess delivers
what ``notify`` wrote, a rolled-back change queues nothing, and a worker killed in the middle
of sending does not cause a second send. They need a Redis: scripts/run-tests.sh starts one
(scripts/redis.sh) and sets REDIS_URL for its PostgreSQL pass; without it they are skipped."""

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings
from django.db import connection, transaction
from django_tasks import TaskResultStatus

from liandong.notifications import services
from liandong.notifications.models import Delivery, PendingNotice, TickRun, WebhookEndpoint
from liandong.notifications.tasks import deliver_event, deliver_one
from liandong.organizations.tests.factories import UnionFactory

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="REDIS_URL is unset: the Redis queue's tests run in scripts/run-tests.sh's "
    "PostgreSQL pass, which starts a redis-server (scripts/redis.sh)",
)

SLOW, FAST = "13900000011", "13900000012"
DONE = {TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED}


@pytest.fixture
def redis_queue():
    """The test's Redis database, emptied before and after (jobs, workers, locks)."""
    import django_rq

    redis = django_rq.get_connection("default")
    redis.flushdb()
    yield django_rq.get_queue("default")
    redis.flushdb()


def start_worker(
    gateway_url: str, *extra: str, guard: bool = True, default_backend: str = ""
) -> subprocess.Popen:
    env = {
        "LIANDONG_TEST_WORKER_BACKEND": default_backend,
        **os.environ,
        "LIANDONG_TEST_CLAIM_GUARD": "1" if guard else "0",
        "DJANGO_SETTINGS_MODULE": "liandong.notifications.tests.worker_settings",
        "LIANDONG_DATA_DIR": str(settings.DATA_DIR),
        "LIANDONG_TEST_WORKER_DB": connection.settings_dict["NAME"],
        "LIANDONG_SMS_GATEWAY_URL": gateway_url,
    }
    # A session of its own, so that the test can kill the worker with RQ's scheduler process.
    return subprocess.Popen(  # noqa: S603 - the test's own command line
        [sys.executable, "-m", "liandong", "worker", "--backend", "rq", *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


def wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def finished(*results) -> bool:
    for result in results:
        result.refresh()
    return all(result.status in DONE for result in results)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("guard", [True, False], ids=["claimed", "control-without-claim"])
def test_redis_worker_delivers_and_a_killed_worker_sends_nothing_twice(
    fake_server, monkeypatch, redis_queue, guard
):
    """As test_worker.py's test on the database queue: the first worker is killed (SIGKILL)
    while the gateway holds its request for SLOW; the event and a retry of SLOW are queued
    again and a second worker delivers FAST without sending SLOW a second time. The control
    run drops the claim's condition on the status and SLOW goes out twice."""
    release = threading.Event()

    def answer(request):
        if (
            request["json"]["mobile"] == SLOW
            and sum(r["json"]["mobile"] == SLOW for r in fake_server.requests) == 1
        ):
            release.wait(60)  # the first worker is killed while it waits for this answer
        return 200, {"code": 0}

    fake_server.answer = answer
    monkeypatch.setattr(
        services, "enqueue_event", lambda key: deliver_event.using(backend="rq").enqueue(key)
    )

    def rolled_back() -> None:
        with transaction.atomic():
            services.notify(
                "notifications.test", [], context={"note": "R0"}, event_key="gone", mobiles=[FAST]
            )
            raise RuntimeError("the change is rolled back")

    with pytest.raises(RuntimeError):
        rolled_back()
    assert redis_queue.count == 0  # nothing queued for a rolled-back change
    with transaction.atomic():
        services.notify(
            "notifications.test",
            [],
            context={"note": "R1"},
            event_key="r",
            mobiles=[SLOW, FAST],
            urgent=True,
        )
        assert redis_queue.count == 0  # not before the commit
    assert redis_queue.count == 1  # one task for the event, queued on commit
    first = start_worker(fake_server.url, "--no-tick", guard=guard)
    try:
        wait_for(lambda: any(r["json"]["mobile"] == SLOW for r in fake_server.requests))
    finally:
        kill(first)  # SIGKILL in the middle of sending to SLOW
    slow = Delivery.objects.get(address_masked="139****0011")
    fast = Delivery.objects.get(address_masked="139****0012")
    assert (slow.status, slow.attempts) == ("sending", 1)
    assert fast.status == "pending"

    again = [
        deliver_event.using(backend="rq").enqueue("r"),
        deliver_one.using(backend="rq").enqueue(slow.pk),
    ]
    second = start_worker(fake_server.url, "--no-tick", guard=guard)
    try:
        wait_for(lambda: finished(*again))
    finally:
        second.terminate()  # a warm shutdown: RQ's worker stops between tasks
        try:
            output = second.communicate(timeout=20)[0].decode()
        finally:
            kill(second)
            release.set()
    assert second.returncode == 0, output
    assert [result.status for result in again] == [TaskResultStatus.SUCCESSFUL] * 2
    fast.refresh_from_db()
    assert fast.status == "sent"
    sent = sorted(r["json"]["mobile"] for r in fake_server.requests)
    if not guard:
        assert sent == [SLOW, SLOW, FAST]  # the control: sent twice
        return
    assert sent == [SLOW, FAST]  # each number once: SLOW was not sent again
    slow.refresh_from_db()
    assert slow.status == "sending"  # left for the sweep to fail, never resent by itself


@pytest.mark.django_db(transaction=True)
def test_redis_worker_runs_the_schedule_and_delivers_a_hot_paths_event(fake_server, redis_queue):
    """With the Redis queue the worker still runs the tick jobs (claimed per period) and turns
    a hot path's one-row event (notify_later) into deliveries, which it queues on Redis (the
    worker's own default backend is "rq" here) and sends: the group robot gets the message."""
    union = UnionFactory(name="甲产业工会", code="R-A")
    WebhookEndpoint.objects.create(organization=union, name="联络群", url=fake_server.url)
    services.notify_later(
        "notifications.test",
        accounts_of=None,
        context={"note": "R2"},
        event_key="later",
        organizations=[union.pk],
    )
    worker = start_worker(fake_server.url, "--tick-seconds", "1", default_backend="rq")
    try:
        wait_for(lambda: Delivery.objects.filter(event_key="later", status="sent").exists())
        wait_for(lambda: TickRun.objects.filter(job="notifications.deliver_due").exists())
    finally:
        worker.terminate()
        try:
            output = worker.communicate(timeout=20)[0].decode()
        finally:
            kill(worker)
    assert worker.returncode == 0, output
    assert "Redis queue" in output
    [request] = fake_server.requests
    assert request["json"]["title"] == "测试消息：R2"
    assert PendingNotice.objects.get().expanded_at is not None
