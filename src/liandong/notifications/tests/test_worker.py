"""The real queue: ``liandong worker`` in a subprocess on the database backend (django-tasks-db)
delivers what ``notify`` wrote, and a worker killed in the middle of sending does not cause a
second send (at most once: the claim by conditional UPDATE)."""

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from liandong.notifications import outbox, scheduler, services
from liandong.notifications.models import Delivery, TickRun
from liandong.notifications.tasks import deliver_event, deliver_one

SLOW, FAST = "13900000001", "13900000002"


def start_worker(gateway_url: str, *, guard: bool = True) -> subprocess.Popen:
    env = {
        **os.environ,
        "LIANDONG_TEST_CLAIM_GUARD": "1" if guard else "0",
        "DJANGO_SETTINGS_MODULE": "liandong.notifications.tests.worker_settings",
        "LIANDONG_DATA_DIR": str(settings.DATA_DIR),
        "LIANDONG_TEST_WORKER_DB": connection.settings_dict["NAME"],
        "LIANDONG_SMS_GATEWAY_URL": gateway_url,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "liandong",
            "worker",
            "--backend",
            "db",
            "--no-tick",
            "--interval",
            "0.1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("guard", [True, False], ids=["claimed", "control-without-claim"])
def test_worker_delivers_and_a_killed_worker_sends_nothing_twice(fake_server, monkeypatch, guard):
    """A worker is killed while the gateway holds its request for SLOW. The event is then
    queued again twice over (the sweep's event task, and a retry of SLOW by id) and a second
    worker runs them: it delivers FAST, and SLOW is not sent a second time because its row is
    no longer pending. The control run drops the claim's condition and SLOW goes out twice."""
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
        services, "enqueue_event", lambda key: deliver_event.using(backend="db").enqueue(key)
    )
    with transaction.atomic():
        services.notify(
            "notifications.test",
            [],
            context={"note": "D1"},
            event_key="k",
            mobiles=[SLOW, FAST],
            urgent=True,
        )
    assert DBTaskResult.objects.count() == 1  # enqueued on commit
    first = start_worker(fake_server.url, guard=guard)
    try:
        wait_for(lambda: any(r["json"]["mobile"] == SLOW for r in fake_server.requests))
        first.kill()  # SIGKILL in the middle of sending to SLOW
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    slow = Delivery.objects.get(address_masked="139****0001")
    fast = Delivery.objects.get(address_masked="139****0002")
    assert (slow.status, slow.attempts) == ("sending", 1)
    assert fast.status == "pending"

    deliver_event.using(backend="db").enqueue("k")
    deliver_one.using(backend="db").enqueue(slow.pk)
    second = start_worker(fake_server.url, guard=guard)
    try:
        wait_for(
            lambda: DBTaskResult.objects.filter(status__in=["SUCCESSFUL", "FAILED"]).count() == 2
        )
    finally:
        second.terminate()
        output = second.communicate(timeout=20)[0].decode()
        release.set()
    assert second.returncode == 0, output
    fast.refresh_from_db()
    assert fast.status == "sent"
    sent = sorted(r["json"]["mobile"] for r in fake_server.requests)
    if not guard:
        assert sent == [SLOW, SLOW, FAST]  # the control: sent twice
        return
    assert sent == [SLOW, FAST]  # each number once: SLOW was not sent again
    slow.refresh_from_db()
    assert slow.status == "sending"
    assert outbox.sweep_stale(timezone.now() + outbox.STALE_AFTER + timedelta(seconds=1)) == 1
    slow.refresh_from_db()
    assert slow.status == "failed"


def test_each_tick_job_runs_once_per_period_however_many_workers(db, monkeypatch):
    runs = []
    monkeypatch.setattr(
        scheduler,
        "tick_jobs",
        lambda: iter(
            [
                ("a", lambda dry: runs.append("a") or "ok"),
                ("b", lambda dry: runs.append("b") or "ok"),
            ]
        ),
    )
    now = timezone.now()
    assert scheduler.run_due_jobs(worker="w1", seconds=60, now=now) == ["a", "b"]
    assert scheduler.run_due_jobs(worker="w2", seconds=60, now=now) == []
    assert scheduler.run_due_jobs(worker="w2", seconds=60, now=now + timedelta(seconds=60)) == [
        "a",
        "b",
    ]
    assert runs == ["a", "b", "a", "b"]
    assert set(TickRun.objects.values_list("worker", flat=True)) == {"w1", "w2"}
    assert TickRun.objects.filter(outcome="ok").count() == 4


def test_the_worker_schedule_runs_the_tick_jobs(db):
    names = [name for name, _ in scheduler.tick_jobs()]
    assert "notifications.deliver_due" in names
    assert names == [
        name for name, _ in __import__("liandong.core.tick", fromlist=["x"]).tick_run(dry_run=True)
    ]
