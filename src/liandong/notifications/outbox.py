"""Delivering the outbox: claim a row by conditional UPDATE, send it, record the outcome.

At most once: a row is sent only by the worker whose UPDATE moved it from pending to sending.
A worker that dies while sending leaves the row "sending"; the sweep marks it failed after
``STALE_AFTER`` without sending it again (it may have gone out), and an admin can retry it.
A failed send goes back to pending with a growing delay, ``len(BACKOFF) + 1`` tries in all
(about an hour), and is then failed: a dead letter on the admins' page.

The claim is committed before each send (that is what makes it at most once); the sends that
went out are recorded together, ``SENT_BATCH`` at a time or every ``SENT_FLUSH_SECONDS``
(``_SentLog``): one commit per message instead of two, which on PostgreSQL with synchronous
commits is what bounds the rate. A worker killed before it recorded them leaves those rows
"sending": the sweep fails them as unconfirmed, exactly as for the row it was sending.
"""

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from liandong.notifications.channels import SENDERS, Sent, Undeliverable
from liandong.notifications.models import Channel, Delivery
from liandong.notifications.services import enqueue_delivery, quiet_until

logger = logging.getLogger(__name__)

# Delay before each retry: 1, 5, 10, 20 and 30 minutes (six tries over 66 minutes).
BACKOFF = [timedelta(minutes=m) for m in (1, 5, 10, 20, 30)]
MAX_ATTEMPTS = len(BACKOFF) + 1
STALE_AFTER = timedelta(minutes=10)
BATCH = 1000
SENT_BATCH, SENT_FLUSH_SECONDS = 50, 0.5


def claim(delivery_id: int, now: datetime) -> bool:
    """Take the delivery for sending: one conditional UPDATE, so that of two workers (or a
    worker and a retry) exactly one gets it. ``NOTIFICATIONS_CLAIM_GUARD = False`` (tests only)
    drops the condition on the status, for the control run that shows the test of a killed
    worker can fail."""
    rows = Delivery.objects.filter(pk=delivery_id, next_attempt_at__lte=now)
    if getattr(settings, "NOTIFICATIONS_CLAIM_GUARD", True):
        rows = rows.filter(status=Delivery.Status.PENDING)
    return bool(
        rows.update(status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def _finish(delivery: Delivery, **fields: object) -> None:
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(**fields)


class _SentLog:
    """The deliveries sent and not yet recorded as sent: one UPDATE for many of them."""

    def __init__(self) -> None:
        self.sent: dict[int, Sent] = {}
        self.since = time.monotonic()

    def add(self, delivery_id: int, sent: Sent) -> None:
        self.sent[delivery_id] = sent
        if len(self.sent) >= SENT_BATCH or time.monotonic() - self.since >= SENT_FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.sent:
            now = timezone.now()
            confirmed = [pk for pk, sent in self.sent.items() if sent.confirmed]
            refs = [When(pk=pk, then=Value(sent.ref)) for pk, sent in self.sent.items() if sent.ref]
            Delivery.objects.filter(pk__in=list(self.sent), status=Delivery.Status.SENDING).update(
                status=Case(
                    When(pk__in=confirmed, then=Value(Delivery.Status.DELIVERED)),
                    default=Value(Delivery.Status.SENT),
                ),
                delivered_at=Case(When(pk__in=confirmed, then=Value(now)), default=None),
                provider_ref=Case(*refs, default=Value("")) if refs else Value(""),
                sent_at=now,
                last_error="",
            )
        self.sent = {}
        self.since = time.monotonic()


def sms_sent_last_hour(delivery: Delivery, now: datetime) -> int:
    """SMS to the same number in the last hour: sent, or sent and not yet recorded (another
    row "sending" since then; counting one that then fails errs on the side of fewer)."""
    hour_ago = now - timedelta(hours=1)
    return (
        Delivery.objects.filter(channel=Channel.SMS, recipient_key=delivery.recipient_key)
        .filter(
            Q(status=Delivery.Status.SENT, sent_at__gt=hour_ago)
            | Q(status=Delivery.Status.SENDING, claimed_at__gt=hour_ago)
        )
        .exclude(pk=delivery.pk)
        .count()
    )


def deliver(delivery_id: int, sent_log: _SentLog | None = None) -> str:
    """Send one delivery if it is due and nobody else has claimed it. Returns its outcome.
    With ``sent_log``, a successful send is recorded by the caller's next flush."""
    now = timezone.now()
    if not claim(delivery_id, now):
        return "not due or taken"
    # The account or the robot is read only by the channel that needs it (not the SMS to a
    # number, most of the volume).
    delivery = Delivery.objects.get(pk=delivery_id)
    if delivery.channel == Channel.SMS:
        quiet = None if delivery.urgent else quiet_until(now)
        if quiet is not None:  # a retry that fell into the night waits for the morning
            _finish(
                delivery,
                status=Delivery.Status.PENDING,
                next_attempt_at=quiet,
                attempts=F("attempts") - 1,
            )
            enqueue_delivery(delivery.pk, run_after=quiet)
            return "deferred to the morning"
        limit = settings.LIANDONG_SMS_PER_HOUR
        if sms_sent_last_hour(delivery, now) >= limit:
            _finish(
                delivery,
                status=Delivery.Status.SKIPPED,
                last_error=f"该号码一小时内已收到 {limit} 条短信，本条未发送（防止刷屏）",
            )
            return "over the hourly limit"
    try:
        sent = SENDERS[delivery.channel](delivery)
    except Undeliverable as error:
        _finish(delivery, status=Delivery.Status.SKIPPED, last_error=str(error)[:500])
        return "undeliverable"
    except Exception as error:
        reason = f"{type(error).__name__}: {error}"[:500]
        logger.warning("delivery %s failed (try %s): %s", delivery.pk, delivery.attempts, reason)
        if delivery.attempts >= MAX_ATTEMPTS:
            _finish(delivery, status=Delivery.Status.FAILED, last_error=reason)
            return "failed"
        retry_at = now + BACKOFF[delivery.attempts - 1]
        _finish(
            delivery, status=Delivery.Status.PENDING, next_attempt_at=retry_at, last_error=reason
        )
        enqueue_delivery(delivery.pk, run_after=retry_at)
        return "will retry"
    if sent_log is None:
        sent_log = _SentLog()
        sent_log.add(delivery.pk, sent)
        sent_log.flush()
    else:
        sent_log.add(delivery.pk, sent)
    return "sent"


def deliver_due(
    *, event_key: str = "", part: int = 0, parts: int = 1, limit: int = BATCH
) -> dict[str, int]:
    """Pending deliveries that are due (of one event, or all), oldest first, ``limit`` at
    most; with ``parts``, only those whose id % parts == part."""
    now = timezone.now()
    due = Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
    if event_key:
        due = due.filter(event_key=event_key)
    if parts > 1:
        due = due.alias(part=F("pk") % parts).filter(part=part)
    outcomes: dict[str, int] = {}
    sent_log = _SentLog()
    try:
        for pk in due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]:
            outcome = deliver(pk, sent_log)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    finally:
        sent_log.flush()
    return outcomes


def deliver_all_due(*, event_key: str, part: int = 0, parts: int = 1) -> dict[str, int]:
    """Every due delivery of one event (of its share ``part``), a thousand at a time: a notice
    to ten thousand people is sent by its own task(s), not a thousand now and the rest by the
    minute's sweep."""
    outcomes: dict[str, int] = {}
    while True:
        batch = deliver_due(event_key=event_key, part=part, parts=parts)
        for outcome, count in batch.items():
            outcomes[outcome] = outcomes.get(outcome, 0) + count
        # Rows not sent stay out of the next batch (claimed, retried later or finished), so
        # a batch short of the limit was the last.
        if sum(batch.values()) < BATCH:
            return outcomes


def sweep_stale(now: datetime | None = None) -> int:
    """Rows left "sending" by a worker that died: failed, not sent again (at most once)."""
    now = now or timezone.now()
    return Delivery.objects.filter(
        Q(status=Delivery.Status.SENDING), claimed_at__lt=now - STALE_AFTER
    ).update(
        status=Delivery.Status.FAILED,
        last_error="发送过程中工作进程中断，无法确认是否已送达；为避免重复发送未自动重试，可人工重发",
    )
