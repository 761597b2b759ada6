"""The outbox: an inbox message per account, a delivery per (event, recipient, channel), each
account's channel choices, and the group-robot webhooks of each organization."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from liandong.core.models import BaseModel


class Channel(models.TextChoices):
    INBOX = "inbox", "站内消息"
    EMAIL = "email", "电子邮件"
    SMS = "sms", "短信"
    WEBHOOK = "webhook", "群机器人"


class Message(models.Model):
    """One line of an account's inbox. Written in the transaction of the event that causes it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=60)
    event_key = models.CharField(max_length=120)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    # The record it is about, "app_label.model:pk" (e.g. "demands.demand:42").
    target = models.CharField(max_length=80, blank=True)
    urgent = models.BooleanField(default=False)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # The same event tells an account once, however often it is reported.
            models.UniqueConstraint(fields=["event_key", "recipient"], name="message_once"),
        ]
        indexes = [
            # The inbox (newest first, keyset paging by id).
            models.Index(fields=["recipient", "id"], name="message_inbox_idx"),
            # The header's unread count: only unread rows are in this index.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="message_unread_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """One (event, recipient, channel) to send outside the product: at most once (the unique
    constraint, and a claim by conditional UPDATE before sending), retried with backoff."""

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        DELIVERED = "delivered", "已送达"
        FAILED = "failed", "发送失败"
        SKIPPED = "skipped", "未发送"

    event_key = models.CharField(max_length=120)
    kind = models.CharField(max_length=60)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # "user:12", "mobile:<digest>", "hook:3": who, whatever the channel's address.
    recipient_key = models.CharField(max_length=80)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    endpoint = models.ForeignKey(
        "notifications.WebhookEndpoint",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    # The organization whose admins see this delivery when it fails.
    organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # An address given with the event (a demand's mobile), encrypted (core.crypto); empty when
    # the address is the recipient account's or the endpoint's.
    address_cipher = models.TextField(blank=True)
    address_masked = models.CharField(max_length=40, blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=300, blank=True)
    target = models.CharField(max_length=80, blank=True)
    urgent = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The gateway's id of the message (SMS), which its delivery report (回执) names; and when
    # the far end confirmed it: the report, or the group robot's acceptance.
    provider_ref = models.CharField(max_length=80, blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "channel", "recipient_key"], name="delivery_once"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
            models.Index(fields=["channel", "recipient_key", "sent_at"], name="delivery_rate_idx"),
            models.Index(fields=["target"], name="delivery_target_idx"),
            models.Index(fields=["provider_ref"], name="delivery_ref_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_key} {self.channel} {self.recipient_key}"


class Preference(models.Model):
    """An account's choice for one kind of event and one channel; no row: the kind's default."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=60)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    enabled = models.BooleanField()

    class Meta:
        ordering = ["kind", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="preference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.channel} {self.enabled}"


class WebhookEndpoint(BaseModel):
    """A group robot (企业微信, 钉钉, 飞书 or any JSON receiver) of one organization: events for
    that organization are POSTed to it as JSON."""

    class Flavor(models.TextChoices):
        WECOM = "wecom", "企业微信群机器人"
        DINGTALK = "dingtalk", "钉钉群机器人"
        FEISHU = "feishu", "飞书群机器人"
        JSON = "json", "通用 JSON"

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField("名称", max_length=60)
    flavor = models.CharField("类型", max_length=10, choices=Flavor.choices, default=Flavor.JSON)
    url = models.URLField("地址", max_length=500)
    # A keyword the robot requires in every message (钉钉 "自定义关键词"), or a signing secret.
    keyword = models.CharField("关键词", max_length=40, blank=True)
    secret_cipher = models.TextField(blank=True)
    # Kinds of event sent to it; empty: all of the organization's.
    kinds = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["organization_id", "name"]

    def __str__(self) -> str:
        return self.name


class PendingNotice(models.Model):
    """An event written by a hot path (the public intake) as one row, in its transaction; the
    worker turns it into messages and deliveries moments later (``services.expand_pending``),
    so that the request pays one INSERT, whoever is to be told."""

    kind = models.CharField(max_length=60)
    event_key = models.CharField(max_length=120, unique=True)
    # The active accounts of this organization are told (its handlers).
    accounts_of = models.ForeignKey(
        "organizations.Organization", null=True, on_delete=models.CASCADE, related_name="+"
    )
    organizations = models.JSONField(default=list)  # group robots of these organizations
    organization = models.ForeignKey(
        "organizations.Organization", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    context = models.JSONField(default=dict)
    link = models.CharField(max_length=300, blank=True)
    target = models.CharField(max_length=80, blank=True)
    urgent = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expanded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"], condition=Q(expanded_at__isnull=True), name="pending_notice_idx"
            )
        ]

    def __str__(self) -> str:
        return self.event_key


class TickRun(models.Model):
    """One periodic run of a tick job per period: the row is the claim, so that several
    workers run each job once (the unique constraint decides who)."""

    job = models.CharField(max_length=80)
    period = models.CharField(max_length=20)  # e.g. "2026-12-02T13:45" for a minute's run
    worker = models.CharField(max_length=64)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["job", "period"], name="tick_run_once")]

    def __str__(self) -> str:
        return f"{self.job} {self.period}"
