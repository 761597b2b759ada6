from datetime import datetime, timedelta
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from liandong.accounts.sms import MemoryBackend
from liandong.core import crypto
from liandong.core.models import AuditLog
from liandong.notifications import outbox, services
from liandong.notifications.models import (
    Delivery,
    Message,
    PendingNotice,
    Preference,
    WebhookEndpoint,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 12, 2, 12, 0, tzinfo=SHANGHAI)
MOBILE_PAIR = ["13900000001", "13900000002"]


def tell(users, key="e:1", **kwargs):
    kwargs.setdefault("context", {"note": "甲"})
    return services.notify("notifications.test", users, event_key=key, link="/x/", **kwargs)


@pytest.fixture
def staff(world):
    user = world.users["staff_a"]
    user.email = "staff_a@example.org"
    user.save(update_fields=["email"])
    return user


def test_notify_writes_inbox_and_outbox_and_sends_after_commit(
    world, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        written = tell([staff, world.users["worker_a"]])
        assert mail.outbox == []
        assert MemoryBackend.outbox == []
    assert len(callbacks) == 1
    assert Message.objects.filter(event_key="e:1").count() == 2
    message = Message.objects.get(recipient=staff)
    assert (message.title, message.link, message.read_at) == ("测试消息：甲", "/x/", None)
    # staff: email (no mobile: no SMS); the worker: SMS to the roster's mobile (no email)
    by_key = {(d.recipient_id, d.channel): d.status for d in Delivery.objects.all()}
    assert by_key == {(staff.pk, "email"): "sent", (world.users["worker_a"].pk, "sms"): "sent"}
    assert written == 4
    assert [m.to for m in mail.outbox] == [["staff_a@example.org"]]
    assert "http://127.0.0.1:8000/x/" in mail.outbox[0].body
    assert MemoryBackend.outbox == [
        ("13919310001", "【联动】测试短信：甲 http://127.0.0.1:8000/x/")
    ]


def test_a_rolled_back_change_writes_and_sends_nothing(
    world, staff, django_capture_on_commit_callbacks
):
    def event_that_fails():
        with transaction.atomic():
            tell([staff])
            raise RuntimeError("the event's own write failed")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        event_that_fails()
    assert callbacks == []
    assert not Message.objects.exists()
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_each_event_recipient_channel_once(world, staff):
    tell([staff])
    tell([staff])
    assert Message.objects.count() == 1
    assert Delivery.objects.filter(channel="email").count() == 1


def test_preferences_choose_channels_and_the_inbox_stays(world, staff, client):
    services.preferences_set(
        user=staff,
        enabled={("notifications.test", "sms")},
        kinds=[services.kind("notifications.test")],
    )
    # SMS is on by default for this kind: only the change from the default is stored
    assert set(Preference.objects.values_list("channel", "enabled")) == {("email", False)}
    assert AuditLog.objects.filter(action="notifications.preferences_set").count() == 1
    tell([staff])
    assert Message.objects.filter(recipient=staff).count() == 1
    assert not Delivery.objects.exists()  # email off, and a staff account has no mobile
    services.preferences_set(
        user=staff,
        enabled={("notifications.test", "email")},
        kinds=[services.kind("notifications.test")],
    )
    tell([staff], key="e:2")
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["email"]


def test_inactive_accounts_are_not_told(world, staff):
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    assert tell([staff]) == 0


@pytest.mark.parametrize(
    ("hour", "urgent", "expected"),
    [
        (23, False, datetime(2026, 12, 3, 8, 0, tzinfo=SHANGHAI)),
        (3, False, datetime(2026, 12, 2, 8, 0, tzinfo=SHANGHAI)),
        (23, True, None),
        (12, False, None),
        (8, False, None),
        (22, False, datetime(2026, 12, 3, 8, 0, tzinfo=SHANGHAI)),
    ],
)
@override_settings(LIANDONG_SMS_QUIET_HOURS=(22, 8))
def test_sms_waits_for_the_morning_unless_urgent(world, monkeypatch, hour, urgent, expected):
    now = NOON.replace(hour=hour)
    monkeypatch.setattr(timezone, "now", lambda: now)
    services.notify(
        "notifications.test", [], context={}, event_key="q", mobiles=["13900000001"], urgent=urgent
    )
    delivery = Delivery.objects.get()
    assert delivery.next_attempt_at == (expected or now)
    assert outbox.deliver(delivery.pk) == ("sent" if expected is None else "not due or taken")


def test_public_sms_carries_the_text_and_link_not_the_number(world):
    services.notify(
        "notifications.test",
        [],
        context={"note": "D123"},
        event_key="p",
        mobiles=["13900000001"],
        link="/demands/track/",
    )
    delivery = Delivery.objects.get()
    assert delivery.address_masked == "139****0001"
    assert "13900000001" not in delivery.body + delivery.address_cipher
    assert crypto.decrypt(delivery.address_cipher) == "13900000001"


def failing(monkeypatch):
    error = ConnectionError("网关无响应")
    calls = []

    def send(delivery):
        calls.append(delivery.pk)
        raise error

    monkeypatch.setitem(outbox.SENDERS, "email", send)
    return calls


def test_retries_with_backoff_then_a_dead_letter(world, staff, monkeypatch):
    calls = failing(monkeypatch)
    tell([staff])
    delivery = Delivery.objects.get(channel="email")
    delays = []
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        moment = timezone.now()
        assert outbox.deliver(delivery.pk) == (
            "failed" if attempt == outbox.MAX_ATTEMPTS else "will retry"
        )
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        if delivery.status == "pending":
            delays.append(delivery.next_attempt_at - moment)
            # not due yet: nobody sends it early
            assert outbox.deliver(delivery.pk) == "not due or taken"
            Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert len(calls) == outbox.MAX_ATTEMPTS >= 5
    assert sum(delays, timedelta()) >= timedelta(minutes=60)
    assert [round(d.total_seconds() / 60) for d in delays] == [1, 5, 10, 20, 30]
    assert (delivery.status, delivery.last_error) == ("failed", "ConnectionError: 网关无响应")
    # the admin's retry starts a new round, audited
    services.delivery_retry(actor=world.users["admin_a"], delivery=delivery)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    assert AuditLog.objects.filter(action="notifications.delivery_retried").count() == 1


def test_a_claimed_delivery_is_not_sent_twice(world, staff):
    tell([staff])
    delivery = Delivery.objects.get(channel="email")
    assert outbox.claim(delivery.pk, timezone.now())
    assert outbox.deliver(delivery.pk) == "not due or taken"
    assert mail.outbox == []
    # a worker that died while sending: failed after a while, never resent by itself
    assert outbox.sweep_stale(timezone.now() + outbox.STALE_AFTER + timedelta(seconds=1)) == 1
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert "避免重复发送" in delivery.last_error
    assert outbox.deliver_due() == {}


@override_settings(LIANDONG_SMS_PER_HOUR=2)
def test_sms_per_number_per_hour(world):
    for n in range(3):
        services.notify(
            "notifications.test",
            [],
            context={},
            event_key=f"r{n}",
            mobiles=["13900000001"],
            urgent=True,
        )
    assert outbox.deliver_due() == {"sent": 2, "over the hourly limit": 1}
    assert len(MemoryBackend.outbox) == 2
    assert Delivery.objects.filter(status="skipped").get().last_error.startswith("该号码一小时内")


def test_mark_read_one_and_all(world, staff):
    tell([staff], key="a")
    tell([staff], key="b")
    tell([world.users["staff_b"]], key="a")
    first = Message.objects.get(recipient=staff, event_key="a")
    assert services.message_mark_read(user=staff, message=first)
    assert not services.message_mark_read(user=staff, message=first)
    other = Message.objects.get(recipient=world.users["staff_b"])
    assert not services.message_mark_read(user=staff, message=other)  # not theirs
    assert services.messages_mark_all_read(user=staff) == 1
    assert Message.objects.filter(read_at__isnull=True).get() == other


@pytest.mark.parametrize("flavor", ["wecom", "dingtalk", "feishu", "json"])
def test_webhook_posts_json_to_the_group_robot(world, fake_server, flavor):
    WebhookEndpoint.objects.create(
        organization=world.union_a,
        name="联络群",
        flavor=flavor,
        url=fake_server.url,
        keyword="联动",
        secret_cipher=crypto.encrypt("s3cret"),
    )
    WebhookEndpoint.objects.create(organization=world.union_b, name="乙", url=fake_server.url)
    services.notify(
        "notifications.test",
        [],
        context={"note": "甲"},
        event_key="w",
        organizations=[world.union_a.pk],
        link="/x/",
    )
    assert outbox.deliver_due() == {"sent": 1}
    [request] = fake_server.requests
    body = request["json"]
    text = {
        "wecom": lambda: body["text"]["content"],
        "dingtalk": lambda: body["text"]["content"],
        "feishu": lambda: body["content"]["text"],
        "json": lambda: body["title"],
    }[flavor]()
    assert "测试消息：甲" in text
    if flavor in ("wecom", "dingtalk", "feishu"):
        assert text.startswith("联动")
    if flavor == "dingtalk":
        assert "sign=" in request["path"]
    if flavor == "json":
        assert len(request["headers"]["X-Liandong-Signature"]) == 64


def test_webhook_refusal_is_retried(world, fake_server):
    fake_server.answer = lambda r: (200, {"errcode": 93000, "errmsg": "invalid webhook url"})
    WebhookEndpoint.objects.create(
        organization=world.union_a, name="群", flavor="wecom", url=fake_server.url
    )
    services.notify(
        "notifications.test", [], context={}, event_key="w", organizations=[world.union_a.pk]
    )
    assert outbox.deliver_due() == {"will retry": 1}
    assert "93000" in Delivery.objects.get().last_error


@pytest.mark.parametrize("body_format", ["json", "form"])
def test_http_sms_gateway(world, fake_server, settings, body_format):
    settings.LIANDONG_SMS_BACKEND = "liandong.accounts.sms.HttpGatewayBackend"
    settings.LIANDONG_SMS_GATEWAY_URL = fake_server.url
    settings.LIANDONG_SMS_GATEWAY_FORMAT = body_format
    settings.LIANDONG_SMS_GATEWAY_KEY = "k1"
    settings.LIANDONG_SMS_GATEWAY_SECRET = "sec"
    settings.LIANDONG_SMS_GATEWAY_SIGN_NAME = "联动工会"
    settings.LIANDONG_SMS_GATEWAY_TEMPLATE_ID = "SMS_001"
    services.notify(
        "notifications.test",
        [],
        context={"note": "D1"},
        event_key="g",
        mobiles=["13900000001"],
        urgent=True,
    )
    assert outbox.deliver_due() == {"sent": 1}
    [request] = fake_server.requests
    if body_format == "json":
        body = request["json"]
        content = body["params"]["content"]
    else:
        body = {k: v[0] for k, v in parse_qs(request["raw"].decode()).items()}
        content = __import__("json").loads(body["params"])["content"]
    assert (body["mobile"], body["sign_name"], body["template_id"], body["key"]) == (
        "13900000001",
        "联动工会",
        "SMS_001",
        "k1",
    )
    assert content == "【联动】测试短信：D1"
    import hashlib
    import hmac

    expected = hmac.new(
        b"sec", f"k1{body['timestamp']}{body['nonce']}13900000001".encode(), hashlib.sha256
    ).hexdigest()
    assert body["signature"] == expected


def test_http_sms_gateway_refusal_is_an_error(world, fake_server, settings):
    settings.LIANDONG_SMS_BACKEND = "liandong.accounts.sms.HttpGatewayBackend"
    settings.LIANDONG_SMS_GATEWAY_URL = fake_server.url
    fake_server.answer = lambda r: (200, {"code": "isv.BUSINESS_LIMIT_CONTROL"})
    services.notify(
        "notifications.test", [], context={}, event_key="g", mobiles=["13900000001"], urgent=True
    )
    assert outbox.deliver_due() == {"will retry": 1}
    assert "BUSINESS_LIMIT_CONTROL" in Delivery.objects.get().last_error


@override_settings(LIANDONG_SMS_QUIET_HOURS=(22, 8))
def test_an_sms_retry_that_falls_into_the_night_waits_for_the_morning(world, monkeypatch):
    evening = NOON.replace(hour=21, minute=59)
    monkeypatch.setattr(timezone, "now", lambda: evening)
    services.notify("notifications.test", [], context={}, event_key="n", mobiles=["13900000001"])
    delivery = Delivery.objects.get()
    delivery.attempts = 1
    delivery.save(update_fields=["attempts"])
    night = evening + timedelta(minutes=2)
    monkeypatch.setattr(timezone, "now", lambda: night)
    assert outbox.deliver(delivery.pk) == "deferred to the morning"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)  # not a try, not dropped
    assert delivery.next_attempt_at == datetime(2026, 12, 3, 8, 0, tzinfo=SHANGHAI)
    assert MemoryBackend.outbox == []


def test_notify_later_is_once_per_event_however_often_it_is_called(world, staff):
    for _ in range(2):
        services.notify_later(
            "notifications.test",
            accounts_of=world.union_a.pk,
            context={"note": "一次"},
            event_key="later:1",
        )
    assert PendingNotice.objects.filter(event_key="later:1").count() == 1
    assert services.expand_pending() == 1
    services.notify_later(
        "notifications.test", accounts_of=world.union_a.pk, context={}, event_key="later:1"
    )
    assert services.expand_pending() == 0
    assert Message.objects.filter(event_key="later:1", recipient=staff).count() == 1


def test_sends_not_yet_recorded_are_never_sent_again(world):
    """A worker records its sends fifty at a time: one that dies between a send and the
    record leaves the row "sending", which nobody sends again; the sweep fails it as
    unconfirmed, for an admin to resend by hand."""
    services.notify(
        "notifications.test", [], context={}, event_key="u", mobiles=MOBILE_PAIR, urgent=True
    )
    log = outbox._SentLog()
    for delivery in Delivery.objects.order_by("pk"):
        assert outbox.deliver(delivery.pk, log) == "sent"  # the worker dies before log.flush()
    assert len(MemoryBackend.outbox) == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sending"}
    assert outbox.deliver_due() == {}
    for delivery in Delivery.objects.all():
        assert outbox.deliver(delivery.pk) == "not due or taken"
    assert len(MemoryBackend.outbox) == 2
    later = timezone.now() + outbox.STALE_AFTER + timedelta(seconds=1)
    assert outbox.sweep_stale(later) == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {"failed"}


def test_sends_count_against_the_hourly_limit_before_they_are_recorded(world, settings):
    settings.LIANDONG_SMS_PER_HOUR = 1
    for n in range(2):
        services.notify(
            "notifications.test",
            [],
            context={},
            event_key=f"h{n}",
            mobiles=MOBILE_PAIR[:1],
            urgent=True,
        )
    log = outbox._SentLog()
    first, second = Delivery.objects.order_by("pk")
    assert outbox.deliver(first.pk, log) == "sent"  # not recorded yet: still "sending"
    assert outbox.deliver(second.pk, log) == "over the hourly limit"
    log.flush()
    first.refresh_from_db()
    assert first.status == "sent"
