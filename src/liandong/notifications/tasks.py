"""The background tasks (Django's Tasks API, the django-tasks backport): run by ``liandong
worker`` on the database backend, at once on the immediate backend."""

from django_tasks import task

from liandong.notifications import outbox


@task()
def deliver_event(event_key: str, part: int = 0, parts: int = 1) -> dict[str, int]:
    """Deliver the due rows of one event (enqueued after the event's transaction commits), all
    of them, or of a large event the share ``part`` of ``parts`` (rows whose id % parts ==
    part), so that several workers send it at once."""
    return outbox.deliver_all_due(event_key=event_key, part=part, parts=parts)


@task()
def deliver_one(delivery_id: int) -> str:
    """One delivery: a retry after its delay, or an admin's resend."""
    return outbox.deliver(delivery_id)
