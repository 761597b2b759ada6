"""Writes of the notifications app. ``notify`` is the one entry point of every other app: it
writes the inbox messages and the outbox rows in the caller's transaction and, once that
commits, asks the task queue to deliver them (nothing is sent for a rolled-back change)."""

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, time, timedelta
from itertools import islice
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from liandong.accounts.models import ORGANIZATION_ROLES, User
from liandong.core import crypto
from liandong.core.audit import audit_log
from liandong.core.masking import mask_mobile
from liandong.notifications.kinds import OPTIONAL_CHANNELS, Kind, all_kinds, kind, render
from liandong.notifications.models import (
    Channel,
    Delivery,
    Message,
    PendingNotice,
    Preference,
    WebhookEndpoint,
)
from liandong.notifications.selectors import mobile_ciphers

if TYPE_CHECKING:
    from liandong.accounts.models import StaffUser

logger = logging.getLogger(__name__)


_muted: ContextVar[bool] = ContextVar("notifications_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    """Nobody is told of what happens inside (the demo replaying months of the past)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def absolute(link: str) -> str:
    """A link of the product as an address outside it (email, SMS, group robots)."""
    if not link or "://" in link:
        return link
    return settings.LIANDONG_SITE_URL.rstrip("/") + link


def quiet_until(moment: datetime) -> datetime | None:
    """The end of the SMS quiet hours (22:00-08:00 local by default) when ``moment`` lies in
    them, else None."""
    start, end = settings.LIANDONG_SMS_QUIET_HOURS
    if start == end:
        return None
    local = timezone.localtime(moment)
    hour = local.hour
    inside = (start <= hour or hour < end) if start > end else (start <= hour < end)
    if not inside:
        return None
    day = local.date() if hour < end else local.date() + timedelta(days=1)
    return datetime.combine(day, time(end), tzinfo=local.tzinfo)


def channel_choices(user_ids: Sequence[int], kind_: Kind) -> dict[tuple[int, str], bool]:
    """The accounts' own choices for a kind (one query); absent: the kind's default."""
    if not user_ids:
        return {}
    return {
        (user_id, channel): enabled
        for user_id, channel, enabled in Preference.objects.filter(
            user_id__in=user_ids, kind=kind_.key
        ).values_list("user_id", "channel", "enabled")
    }


def wants(choices: dict[tuple[int, str], bool], user_id: int, kind_: Kind, channel: str) -> bool:
    if channel == Channel.SMS and not kind_.sms:
        return False
    return choices.get((user_id, channel), channel in kind_.defaults)


# Accounts are told in chunks of this many: the memory of ``notify`` stays bounded however many
# are told (a notice to every worker of a province), and no statement grows with them.
NOTIFY_CHUNK = 2_000
# An event with many deliveries is sent by several tasks at once (each a share of its rows, so
# that several workers share it), one per this many rows, at most DELIVERY_PARTS.
PART_ROWS = 500
DELIVERY_PARTS = 8


def in_chunks(recipients: Iterable[User], size: int) -> Iterator[list[User]]:
    """The recipients a chunk at a time; a queryset is read in chunks, not loaded whole."""
    iterator = iter(
        recipients.iterator(chunk_size=size) if isinstance(recipients, QuerySet) else recipients
    )
    while chunk := list(islice(iterator, size)):
        yield chunk


def notify(
    kind_key: str,
    recipients: Iterable[User],
    *,
    context: dict[str, object],
    event_key: str,
    link: str = "",
    target: str = "",
    urgent: bool = False,
    mobiles: Sequence[str] = (),
    organizations: Sequence[int] = (),
    organization_id: int | None = None,
) -> int:
    """Tell ``recipients`` (accounts: inbox, and email/SMS as each chose), ``mobiles`` (people
    without an account: SMS with the kind's public text) and the group robots of
    ``organizations`` about one event. ``event_key`` names the event ("demands.answered:42:7"):
    each (event, recipient, channel) is written at most once, however often this is called.
    ``organization_id``: whose admins see a failed delivery. Only inserts rows (three
    statements per NOTIFY_CHUNK accounts at most, plus one per robot organization list);
    delivery starts after commit. Returns how many rows were written."""
    kind_ = kind(kind_key)
    if _muted.get():
        return 0
    now = timezone.now()
    title = render(kind_.title, context)[:200]
    body = render(kind_.body, context)
    sms_text = render(kind_.sms, context)
    quiet = None if urgent else quiet_until(now)
    url = absolute(link)

    def delivery(channel: str, recipient_key: str, **fields: object) -> Delivery:
        text = sms_text if channel == Channel.SMS else body
        if url and channel == Channel.SMS:
            text = f"{text} {url}"
        return Delivery(
            event_key=event_key,
            kind=kind_.key,
            channel=channel,
            recipient_key=recipient_key,
            organization_id=organization_id,
            subject=title,
            body=text,
            link=url,
            target=target,
            urgent=urgent,
            next_attempt_at=(quiet or now) if channel == Channel.SMS else now,
            **fields,
        )

    written = queued = 0

    def write(messages: list[Message], deliveries: list[Delivery]) -> None:
        # ignore_conflicts: a second report of the same event adds nothing (the unique keys).
        nonlocal written, queued
        if messages:
            Message.objects.bulk_create(messages, ignore_conflicts=True, batch_size=NOTIFY_CHUNK)
        if deliveries:
            Delivery.objects.bulk_create(deliveries, ignore_conflicts=True, batch_size=NOTIFY_CHUNK)
        written += len(messages) + len(deliveries)
        queued += len(deliveries)

    for chunk in in_chunks(recipients, NOTIFY_CHUNK):
        users = {user.pk: user for user in chunk if user.pk and user.is_active}
        messages = [
            Message(
                recipient_id=user_id,
                kind=kind_.key,
                event_key=event_key,
                title=title,
                body=body,
                link=link,
                target=target,
                urgent=urgent,
            )
            for user_id in users
        ]
        choices = channel_choices(list(users), kind_)
        wanted = [
            (user_id, channel)
            for user_id in users
            for channel in OPTIONAL_CHANNELS
            if wants(choices, user_id, kind_, channel)
        ]
        sms_wanted = [user_id for user_id, channel in wanted if channel == Channel.SMS]
        # An account's mobile is its worker record's, else its own (a body's leader, 负责人):
        # one query, only when someone wants an SMS.
        with_mobile = set(mobile_ciphers(sms_wanted)) if sms_wanted else set()
        write(
            messages,
            [
                delivery(channel, f"user:{user_id}", recipient_id=user_id)
                for user_id, channel in wanted
                if (channel != Channel.EMAIL or users[user_id].email)
                and (channel != Channel.SMS or user_id in with_mobile)
            ],
        )
    deliveries = []
    if kind_.sms:
        for mobile in dict.fromkeys(mobiles):
            deliveries.append(
                delivery(
                    Channel.SMS,
                    f"mobile:{crypto.mobile_digest(mobile)}",
                    address_cipher=crypto.encrypt(mobile),
                    address_masked=mask_mobile(mobile),
                )
            )
    if kind_.webhook and organizations:
        for endpoint in WebhookEndpoint.objects.filter(
            organization_id__in=list(organizations), is_active=True
        ).only("pk", "kinds", "organization_id"):
            if endpoint.kinds and kind_.key not in endpoint.kinds:
                continue
            deliveries.append(
                delivery(Channel.WEBHOOK, f"hook:{endpoint.pk}", endpoint_id=endpoint.pk)
            )
    write([], deliveries)
    if queued:
        parts = min(DELIVERY_PARTS, -(-queued // PART_ROWS))
        if parts == 1:
            transaction.on_commit(lambda: enqueue_event(event_key))
        else:
            transaction.on_commit(lambda: enqueue_event(event_key, parts=parts))
    return written


def notify_later(
    kind_key: str,
    *,
    accounts_of: int | None,
    context: dict[str, object],
    event_key: str,
    link: str = "",
    target: str = "",
    urgent: bool = False,
    organizations: Sequence[int] = (),
    organization_id: int | None = None,
) -> None:
    """``notify`` for a hot path: one INSERT now, in the caller's transaction; the worker
    (``expand_pending``, polled every two seconds and by the tick) tells the active accounts of
    organization ``accounts_of`` and the robots of ``organizations``. Like ``notify``, once
    per ``event_key`` however often it is called (a second call writes nothing)."""
    kind(kind_key)  # an unknown kind fails here, in the caller's transaction
    if _muted.get():
        return
    PendingNotice.objects.bulk_create(
        [
            PendingNotice(
                kind=kind_key,
                event_key=event_key,
                accounts_of_id=accounts_of,
                organizations=list(organizations),
                organization_id=organization_id,
                context=context,
                link=link,
                target=target,
                urgent=urgent,
            )
        ],
        ignore_conflicts=True,
    )


def expand_pending(*, limit: int = 200) -> int:
    """Turn written-later events into messages and deliveries, each once (claimed by a
    conditional UPDATE in the same transaction as its rows)."""
    expanded = 0
    for pk in PendingNotice.objects.filter(expanded_at__isnull=True).values_list("pk", flat=True)[
        :limit
    ]:
        with transaction.atomic():
            if not PendingNotice.objects.filter(pk=pk, expanded_at__isnull=True).update(
                expanded_at=timezone.now()
            ):
                continue  # another worker has it
            pending = PendingNotice.objects.get(pk=pk)
            recipients = (
                User.objects.filter(
                    organization_id=pending.accounts_of_id,
                    is_active=True,
                    role__in=sorted(ORGANIZATION_ROLES),
                )
                if pending.accounts_of_id
                else User.objects.none()
            )
            notify(
                pending.kind,
                recipients,
                context=pending.context,
                event_key=pending.event_key,
                link=pending.link,
                target=pending.target,
                urgent=pending.urgent,
                organizations=pending.organizations,
                organization_id=pending.organization_id,
            )
            expanded += 1
    return expanded


def enqueue_event(event_key: str, parts: int = 1) -> None:
    """After commit: one task delivers the event's rows, or ``parts`` tasks a share each (a
    large event, so that several workers send it). If the queue cannot take them, the worker's
    sweep (jobs.py) finds the rows still pending and delivers them."""
    from liandong.notifications.tasks import deliver_event

    try:
        if parts == 1:
            deliver_event.enqueue(event_key)
        else:
            for part in range(parts):
                deliver_event.enqueue(event_key, part, parts)
    except Exception:
        logger.exception("could not enqueue delivery of %s; the sweep will", event_key)


# -- the inbox ----------------------------------------------------------------------------------


def message_mark_read(*, user: User, message: Message) -> bool:
    """Mark one of the account's own messages read (callers fetch it from the account's
    inbox). True when it was unread."""
    return bool(
        Message.objects.filter(pk=message.pk, recipient=user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    )


def messages_mark_all_read(*, user: User) -> int:
    return Message.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# -- preferences --------------------------------------------------------------------------------


@transaction.atomic
def preferences_set(*, user: User, enabled: set[tuple[str, str]], kinds: Iterable[Kind]) -> int:
    """Store the account's choice of every optional channel of ``kinds``: (kind, channel) in
    ``enabled`` is on, the rest off. Returns how many choices changed."""
    current = {
        (kind_key, channel): on
        for kind_key, channel, on in Preference.objects.filter(user=user).values_list(
            "kind", "channel", "enabled"
        )
    }
    changes: dict[str, list[bool]] = {}
    for kind_ in kinds:
        for channel in OPTIONAL_CHANNELS:
            if channel == Channel.SMS and not kind_.sms:
                continue
            key = (kind_.key, str(channel))
            before = current.get(key, channel in kind_.defaults)
            after = key in enabled
            if before == after and key not in current:
                continue
            if current.get(key) == after:
                continue
            Preference.objects.update_or_create(
                user=user, kind=kind_.key, channel=channel, defaults={"enabled": after}
            )
            if before != after:
                changes[f"{kind_.key}/{channel}"] = [before, after]
    if changes:
        audit_log(actor=user, action="notifications.preferences_set", target=user, changes=changes)
    return len(changes)


# -- failed deliveries --------------------------------------------------------------------------


@transaction.atomic
def delivery_retry(*, actor: User, delivery: Delivery) -> Delivery:
    """An admin sends a failed (or skipped) delivery again: a fresh round of tries from now."""
    updated = Delivery.objects.filter(
        pk=delivery.pk, status__in=[Delivery.Status.FAILED, Delivery.Status.SKIPPED]
    ).update(
        status=Delivery.Status.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        claimed_at=None,
        last_error="",
    )
    if updated:
        audit_log(
            actor=actor,
            action="notifications.delivery_retried",
            target=delivery,
            changes={"status": [delivery.status, Delivery.Status.PENDING]},
        )
        pk = delivery.pk
        transaction.on_commit(lambda: enqueue_delivery(pk))
    delivery.refresh_from_db()
    return delivery


def enqueue_delivery(delivery_id: int, *, run_after: datetime | None = None) -> None:
    from liandong.notifications.tasks import deliver_one

    task = deliver_one
    try:
        if run_after is not None:
            if not task.get_backend().supports_defer:
                return  # the sweep delivers it when it is due
            task = task.using(run_after=run_after)
        task.enqueue(delivery_id)
    except Exception:
        logger.exception("could not enqueue delivery %s; the sweep will", delivery_id)


# -- group robots -------------------------------------------------------------------------------

WEBHOOK_SCHEMES = ("https://", "http://")


@transaction.atomic
def webhook_endpoint_create(
    *,
    actor: "StaffUser",
    name: str,
    flavor: str,
    url: str,
    keyword: str = "",
    secret: str = "",
    kinds: Sequence[str] = (),
) -> WebhookEndpoint:
    """A group robot of the actor's organization. The signing secret is stored encrypted and
    never shown again; ``kinds`` (empty: every kind) are the events it hears."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "请填写名称，例如“联络员工作群”。"}, code="required")
    if len(name) > 60:
        raise ValidationError({"name": "名称不能超过 60 个字。"}, code="too_long")
    if flavor not in WebhookEndpoint.Flavor.values:
        raise ValidationError({"flavor": "请选择机器人类型。"}, code="flavor")
    url = (url or "").strip()
    if not url.lower().startswith(WEBHOOK_SCHEMES) or len(url) > 500 or " " in url:
        raise ValidationError(
            {"url": "请填写机器人的 Webhook 地址（以 https:// 开头，不超过 500 个字符）。"},
            code="url",
        )
    keyword = (keyword or "").strip()
    if len(keyword) > 40:
        raise ValidationError({"keyword": "关键词不能超过 40 个字。"}, code="too_long")
    unknown = [key for key in kinds if key not in all_kinds()]
    if unknown:
        raise ValidationError({"kinds": "请从列表中选择消息类型。"}, code="kinds")
    endpoint = WebhookEndpoint.objects.create(
        organization_id=actor.organization_id,
        name=name,
        flavor=flavor,
        url=url,
        keyword=keyword,
        secret_cipher=crypto.encrypt(secret.strip()) if (secret or "").strip() else "",
        kinds=sorted(set(kinds)),
    )
    audit_log(
        actor=actor,
        action="notifications.webhook_created",
        target=endpoint,
        changes={
            "name": [None, name],
            "flavor": [None, flavor],
            "kinds": [None, endpoint.kinds],
            "signed": [None, bool(endpoint.secret_cipher)],
        },
    )
    return endpoint


@transaction.atomic
def webhook_endpoint_set_active(
    *, actor: User, endpoint: WebhookEndpoint, active: bool
) -> WebhookEndpoint:
    """Stop (or resume) posting to a robot. Deliveries already written keep their status; new
    events skip a stopped robot."""
    if WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=not active).update(
        is_active=active, updated_at=timezone.now()
    ):
        audit_log(
            actor=actor,
            action="notifications.webhook_enabled" if active else "notifications.webhook_disabled",
            target=endpoint,
            changes={"is_active": [not active, active]},
        )
    endpoint.refresh_from_db()
    return endpoint


# -- SMS delivery reports (回执) ------------------------------------------------------------------

# What gateways put in a report: 阿里云 {"biz_id", "success": true, "err_code": "DELIVERED"},
# 腾讯云 {"sid", "report_status": "SUCCESS", "description"}, CMPP-style {"msgid", "stat":
# "DELIVRD"}. The message is found by the id the gateway gave when it accepted it.
REPORT_STATUS_FIELDS = ("report_status", "stat", "status", "Status", "err_code")
REPORT_DELIVERED = {"SUCCESS", "DELIVRD", "DELIVERED", "OK", "0"}
REPORT_REASON_FIELDS = ("err_msg", "errmsg", "description", "err_code", "stat", "report_status")
MAX_REPORTS = 1000


def _report_delivered(report: dict[str, object]) -> bool | None:
    """True (delivered), False (not delivered) or None (the report does not say)."""
    if isinstance(report.get("success"), bool):
        return bool(report["success"])
    for field in REPORT_STATUS_FIELDS:
        if field in report and report[field] is not None:
            return str(report[field]).strip().upper() in REPORT_DELIVERED
    return None


def sms_reports_record(reports: list[object]) -> dict[str, int]:
    """Record a gateway's delivery reports: each names a message by the gateway's id; a
    delivered one becomes 已送达, an undelivered one 发送失败 with the carrier's reason (shown to
    admins, who can send it again: it is not retried by itself, as it did go out). Reports of
    unknown messages, or that say neither, change nothing."""
    from liandong.accounts.sms import message_id

    if len(reports) > MAX_REPORTS:
        raise ValidationError({"reports": f"一次最多 {MAX_REPORTS} 条回执"}, code="too_many")
    counts = {"delivered": 0, "failed": 0, "unmatched": 0}
    now = timezone.now()
    for index, report in enumerate(reports):
        if not isinstance(report, dict):
            raise ValidationError({"reports": f"第 {index + 1} 条回执不是 JSON 对象"})
        ref, delivered = message_id(report), _report_delivered(report)
        rows = Delivery.objects.filter(
            channel=Channel.SMS,
            provider_ref=ref or "",
            status__in=[Delivery.Status.SENT, Delivery.Status.SENDING],
        )
        if ref is None or delivered is None:
            counts["unmatched"] += 1
        elif delivered:
            counts["delivered"] += rows.update(status=Delivery.Status.DELIVERED, delivered_at=now)
        else:
            reason = next(
                (str(report[f]) for f in REPORT_REASON_FIELDS if report.get(f) not in (None, "")),
                "未说明原因",
            )
            counts["failed"] += rows.update(
                status=Delivery.Status.FAILED, last_error=f"运营商回执：未送达（{reason}）"[:500]
            )
    return counts
