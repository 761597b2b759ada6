"""The worker's schedule: the periodic jobs of ``liandong tick`` (every app's ``jobs.TICK_JOBS``)
run once per period however many workers run, each job's run claimed by inserting its
(job, period) row: the unique constraint lets exactly one worker in."""

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import timezone

from liandong.notifications.models import TickRun

logger = logging.getLogger(__name__)

KEEP_RUNS = timedelta(days=7)


def tick_jobs() -> Iterator[tuple[str, Callable[[bool], str]]]:
    """The jobs ``liandong tick`` runs, in the same (INSTALLED_APPS) order."""
    for config in apps.get_app_configs():
        if not config.name.startswith("liandong.") or find_spec(f"{config.name}.jobs") is None:
            continue
        yield from import_module(f"{config.name}.jobs").TICK_JOBS


def period_of(moment: datetime, seconds: int) -> str:
    start = int(moment.timestamp()) // seconds * seconds
    return datetime.fromtimestamp(start, tz=moment.tzinfo).strftime("%Y-%m-%dT%H:%M:%S")


def claim_run(job: str, period: str, worker: str) -> TickRun | None:
    try:
        with transaction.atomic():
            return TickRun.objects.create(job=job, period=period, worker=worker)
    except IntegrityError:
        return None  # another worker runs it in this period


def run_due_jobs(*, worker: str, seconds: int, now: datetime | None = None) -> list[str]:
    """Run every job not yet run in the current period; returns the names this worker ran."""
    now = now or timezone.now()
    period = period_of(now, seconds)
    ran = []
    for name, job in tick_jobs():
        run = claim_run(name, period, worker)
        if run is None:
            continue
        try:
            outcome = job(False)
        except Exception as error:
            logger.exception("tick job %s failed", name)
            outcome = f"出错：{type(error).__name__}: {error}"
        TickRun.objects.filter(pk=run.pk).update(
            finished_at=timezone.now(), outcome=str(outcome)[:500]
        )
        ran.append(name)
    TickRun.objects.filter(started_at__lt=now - KEEP_RUNS).delete()
    return ran
