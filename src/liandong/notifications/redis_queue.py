"""The Redis-backed task queue (LIANDONG_TASKS_BACKEND=rq, django-tasks-rq on RQ): the worker
that ``liandong worker`` runs when the backend is RQ.

It runs each task in its own process (RQ's SimpleWorker) rather than forking a child per task:
the tasks are short and wait on the network, a fork per task would cost a fresh database
connection each, and a worker killed mid-task is already safe (the outbox's claim, outbox.py).
RQ's scheduler (a process of one of the workers, under a Redis lock) moves deferred tasks (a
retry's delay, the end of the SMS quiet hours) to the queue when they are due.
"""

from typing import Any

import django_rq
from django.db import close_old_connections, connections
from django_tasks.backends.base import BaseTaskBackend
from django_tasks_rq import Job, RQBackend
from rq import SimpleWorker


def is_rq(backend: BaseTaskBackend) -> bool:
    return isinstance(backend, RQBackend)


class DjangoWorker(SimpleWorker):
    """RQ's in-process worker with Django's per-request care of database connections: a
    connection that has expired or broken is replaced before and after each task."""

    def execute_job(self, job: Any, queue: Any) -> None:
        close_old_connections()
        try:
            super().execute_job(job, queue)
        finally:
            close_old_connections()


def run_worker(backend: BaseTaskBackend, *, name: str, burst: bool, quiet: bool) -> bool:
    """Work the backend's queues until stopped (SIGTERM/SIGINT: after the current task), or
    until they are empty with ``burst``. Returns whether any task ran."""
    if not isinstance(backend, RQBackend):
        raise TypeError(f"{backend.alias} is not a Redis (django-tasks-rq) backend")
    worker = django_rq.get_worker(
        *sorted(backend.queues),
        job_class=Job,
        worker_class=f"{__name__}.DjangoWorker",  # typed as a forking Worker; any BaseWorker does
        name=name,
    )
    # RQ's scheduler is a forked process: it must not share this process's connections.
    for connection in connections.all(initialized_only=True):
        connection.close()
    return bool(
        worker.work(burst=burst, with_scheduler=True, logging_level="WARNING" if quiet else "INFO")
    )
