"""Periodic work of the notifications app (run by ``liandong tick`` and by the worker's
schedule): deliver what is due and was not delivered by its own task (retries on the
immediate backend, a lost enqueue, the morning's SMS), and fail rows a dead worker left."""

from liandong.notifications import outbox
from liandong.notifications.services import expand_pending


def deliver_due(dry_run: bool) -> str:
    if dry_run:
        return "dry run"
    expanded = expand_pending(limit=10_000)
    stale = outbox.sweep_stale()
    outcomes = outbox.deliver_due()
    sent = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())) or "nothing due"
    return f"{expanded} events expanded; {sent}; {stale} interrupted marked failed"


TICK_JOBS = [("notifications.deliver_due", deliver_due)]
