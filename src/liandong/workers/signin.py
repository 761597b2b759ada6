"""How a worker signs in: a one-time code sent to the mobile on the roster, or their own
password, and the account they get the first time. The codes are stored in accounts'
``OneTimeCode``; finding the worker by mobile is the roster's business, so it lives here."""

import hashlib
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from liandong.accounts.models import OneTimeCode, Role, User
from liandong.accounts.sms import send_sms
from liandong.core import crypto, races
from liandong.core.audit import audit_log
from liandong.core.identity import validate_mobile
from liandong.workers.models import Worker

OTP_MAX_ATTEMPTS = 5


@transaction.atomic
def worker_account_ensure(*, worker: Worker) -> User:
    """Give a worker an account (username = ``w<id>``) the first time they sign in."""
    if worker.user is not None:  # no query when user_id is None
        return worker.user
    user = User.objects.create_user(
        username=f"w{worker.pk}", role=Role.WORKER, display_name=worker.name
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    worker.user = user
    worker.save(update_fields=["user"])
    audit_log(actor=None, action="accounts.worker_account_created", target=user)
    return user


OTP_HOURLY_LIMIT_MESSAGE = "验证码请求次数已达上限，请一小时后再试；本次没有发送验证码"


def _hourly_slot(kind: str, value: str, limit: int) -> bool:
    """Claim one of ``limit`` request slots of ``value`` in this clock hour; False when all are
    taken. A slot is one cache key claimed with ``cache.add``, which the database cache makes
    atomic (the key is the cache table's primary key), so concurrent requests, on any app
    server, cannot both take the last one; a counter only says where to start looking."""
    hour = timezone.now().strftime("%Y%m%d%H")
    key = hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()[:32]
    start = f"otp-{kind}:{hour}:{key}"
    slot = cache.get(start, 0)
    while slot < limit:
        if cache.add(f"{start}:{slot}", 1, 3600):
            cache.set(start, slot + 1, 3600)
            return True
        slot += 1
    return False


def otp_send(*, mobile: str, ip: str | None = None) -> None:
    """Send a sign-in code to a registered worker's mobile.

    Unknown numbers get the same answer as known ones, and nothing is sent to them. Requests
    are limited per mobile, per client address and in total per hour (settings
    LIANDONG_OTP_SENDS_*), registered numbers or not; over a limit nothing is sent.
    """
    mobile = validate_mobile(mobile)
    digest = crypto.mobile_digest(mobile)
    # Throttled by number whether or not it is registered: a "too soon" that only registered
    # numbers get would tell who is on the roster.
    if not cache.add(f"otp-sent:{digest}", 1, settings.LIANDONG_OTP_RESEND_SECONDS):
        raise ValidationError("验证码发送过于频繁，请稍后再试", code="otp_too_soon")
    limits = [
        ("mobile", digest, settings.LIANDONG_OTP_SENDS_PER_MOBILE_HOUR),
        *([("ip", ip, settings.LIANDONG_OTP_SENDS_PER_IP_HOUR)] if ip else []),
        ("all", "", settings.LIANDONG_OTP_SENDS_PER_HOUR),
    ]
    for kind, value, limit in limits:
        if not _hourly_slot(kind, value, limit):
            raise ValidationError(OTP_HOURLY_LIMIT_MESSAGE, code="otp_hourly_limit")
    if not Worker.objects.filter(mobile_digest=digest).exists():
        return
    code = f"{secrets.randbelow(10**6):06d}"
    OneTimeCode.objects.create(
        mobile_digest=digest,
        code_digest=crypto.blind_index("otp", f"{digest}:{code}"),
        expires_at=timezone.now() + settings.LIANDONG_OTP_TTL,
    )
    send_sms(
        mobile=mobile, text=f"【联动】您的登录验证码是 {code}，5 分钟内有效。如非本人操作请忽略。"
    )


# The tries' guard: the check and the count are one conditional UPDATE. It is a flag only so
# that the concurrency test's control run can turn it off and show the race it prevents (read
# the tries, then count one: guesses that all read 4 of 5 are all compared).
OTP_ATTEMPTS_GUARD = True


def _count_try_unguarded(otp: OneTimeCode) -> bool:
    """The control run's check-then-act count (OTP_ATTEMPTS_GUARD off): never used by the
    product."""
    attempts = OneTimeCode.objects.values_list("attempts", flat=True).get(pk=otp.pk)
    if attempts >= OTP_MAX_ATTEMPTS:
        return False
    races.window()  # control path only: all threads read before any writes
    OneTimeCode.objects.filter(pk=otp.pk).update(attempts=F("attempts") + 1)
    return True


def otp_verify(*, mobile: str, code: str) -> bool:
    """Consume a valid code; five wrong tries burn it."""
    digest = crypto.mobile_digest(mobile)
    otp = OneTimeCode.objects.filter(
        mobile_digest=digest, used_at__isnull=True, expires_at__gt=timezone.now()
    ).first()
    if otp is None:
        return False
    # Count the try before comparing, with one conditional UPDATE: concurrent guesses cannot
    # read the same count and together exceed five.
    if not OTP_ATTEMPTS_GUARD:
        if not _count_try_unguarded(otp):
            return False
    elif not OneTimeCode.objects.filter(pk=otp.pk, attempts__lt=OTP_MAX_ATTEMPTS).update(
        attempts=F("attempts") + 1
    ):
        return False
    expected = crypto.blind_index("otp", f"{digest}:{code.strip()}")
    if not secrets.compare_digest(expected, otp.code_digest):
        return False
    claimed = OneTimeCode.objects.filter(pk=otp.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    return bool(claimed)
