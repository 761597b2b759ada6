import os
import signal
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME, task_backends
from django_tasks_db.management.commands.db_worker import Worker

from liandong.notifications.scheduler import run_due_jobs
from liandong.notifications.services import expand_pending


def is_rq_backend(alias: str) -> bool:
    """Whether the backend is the Redis queue (django-tasks-rq); its modules are imported only
    then (its app is installed only then)."""
    return task_backends[alias].__class__.__module__.startswith("django_tasks_rq")


class Command(BaseCommand):
    help = (
        "Run the background worker: the task queue (deliveries of messages; the database's, or "
        "Redis's with LIANDONG_TASKS_BACKEND=rq) and the periodic jobs of `liandong tick` every "
        "LIANDONG_TICK_SECONDS. Several may run at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="database queue poll, seconds"
        )
        parser.add_argument("--tick-seconds", type=int, default=settings.LIANDONG_TICK_SECONDS)
        parser.add_argument("--no-tick", action="store_true", help="run the queue only")
        parser.add_argument("--batch", action="store_true", help="run what is queued, then stop")
        parser.add_argument("--backend", default=DEFAULT_TASK_BACKEND_ALIAS)
        parser.add_argument("--worker-id", default="")
        parser.add_argument(
            "--exit-with-parent",
            action="store_true",
            help="stop when the process that started this one ends (used by `liandong demo`)",
        )

    def handle(
        self,
        *args: object,
        interval: float,
        tick_seconds: int,
        no_tick: bool,
        batch: bool,
        backend: str,
        worker_id: str,
        exit_with_parent: bool,
        verbosity: int,
        **options: object,
    ) -> None:
        worker_id = worker_id or f"{os.uname().nodename[:20]}-{os.getpid()}-{get_random_string(6)}"
        if not no_tick and not batch:
            threading.Thread(
                target=self.schedule, args=(worker_id, max(1, tick_seconds)), daemon=True
            ).start()
            threading.Thread(target=self.expand, daemon=True).start()
        if exit_with_parent:
            parent = os.getppid()
            threading.Thread(target=self.watch_parent, args=(parent,), daemon=True).start()
        if is_rq_backend(backend):
            from liandong.notifications import redis_queue

            self.stdout.write(f"联动 worker {worker_id} started (Redis queue and schedule)")
            self.stdout.flush()
            redis_queue.run_worker(
                task_backends[backend], name=worker_id, burst=batch, quiet=verbosity < 2
            )
            return
        self.stdout.write(f"联动 worker {worker_id} started (queue and schedule)")
        self.stdout.flush()
        worker = Worker(
            queue_names=[DEFAULT_TASK_QUEUE_NAME],
            interval=interval,
            batch=batch,
            backend_name=backend,
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id[:64],
            excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()

    def schedule(self, worker_id: str, seconds: int) -> None:
        while True:
            try:
                ran = run_due_jobs(worker=worker_id, seconds=seconds)
                if ran:
                    self.stdout.write(f"tick: {', '.join(ran)}")
                    self.stdout.flush()
            except Exception as error:  # keep the schedule alive; the next period retries
                self.stderr.write(f"tick failed: {error}")
            finally:
                connection.close()
            time.sleep(seconds - time.time() % seconds + 0.05)

    def expand(self) -> None:
        """Events the hot paths wrote as one row (notify_later) become messages at once."""
        while True:
            try:
                expand_pending()
            except Exception as error:
                self.stderr.write(f"expanding notices failed: {error}")
                connection.close()
            time.sleep(2)

    def watch_parent(self, parent: int) -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)
