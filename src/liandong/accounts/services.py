"""Signing in: staff passwords, worker one-time codes and passwords, API tokens."""

import hashlib
import re
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from liandong.accounts import throttle
from liandong.accounts.models import ApiToken, OneTimeCode, Role, User
from liandong.accounts.sms import send_sms
from liandong.core import crypto
from liandong.core.audit import audit_log
from liandong.core.identity import normalize_code, validate_mobile
from liandong.core.masking import mask_id_number, mask_mobile
from liandong.core.middleware import client_ip

TOKEN_LIFETIME = timedelta(days=30)
OTP_MAX_ATTEMPTS = 5
LOCKED_MESSAGE = "登录失败次数过多，账号已暂时锁定，请 30 分钟后再试"
FAILED_MESSAGE = "用户名或密码不正确"


def _client_ip(request: HttpRequest | None) -> str | None:
    return client_ip(request) if request is not None else None


def _login_name(username: str) -> tuple[str, str]:
    """The name failures are counted under, and the form in which it may be logged.

    A worker signs in with a mobile number that can be typed many ways (+86, spaces, dashes,
    full-width digits): all of them are one account to the throttle, or else each spelling
    would get its own five tries. A mobile or ID number goes into the audit log masked.
    """
    try:
        mobile = validate_mobile(username)
    except ValidationError:
        code = normalize_code(username).upper()
        if re.fullmatch(r"\d{17}[\dX]", code):
            return username, mask_id_number(code)
        return username, username[:60]
    return mobile, mask_mobile(mobile)


def login_check(*, request: HttpRequest | None, username: str, **credentials: Any) -> User:
    """Authenticate with throttling; raise PermissionDenied with a Chinese message.

    The answer is the same whether or not the account exists (no user enumeration).
    """
    ip = _client_ip(request)
    throttle_name, shown = _login_name(username)
    if throttle.is_locked(username=throttle_name, ip=ip):
        audit_log(actor=None, action="accounts.login_locked", target_repr=shown)
        raise PermissionDenied(LOCKED_MESSAGE)
    user = authenticate(request, username=username, **credentials)
    if user is None or not user.is_active:
        throttle.record_failure(username=throttle_name, ip=ip)
        audit_log(actor=None, action="accounts.login_failed", target_repr=shown)
        raise PermissionDenied(FAILED_MESSAGE)
    throttle.record_success(username=throttle_name)
    audit_log(actor=user, action="accounts.logged_in", target=user)
    return user


def worker_account_for_mobile(mobile: str) -> User | None:
    from liandong.workers.models import Worker
    from liandong.workers.services import mobile_digest

    worker = (
        Worker.objects.filter(mobile_digest=mobile_digest(mobile)).select_related("user").first()
    )
    return worker.user if worker is not None and worker.user is not None else None


@transaction.atomic
def worker_account_ensure(*, worker: Any) -> User:
    """Give a worker an account (username = ``w<id>``) the first time they sign in."""
    if worker.user_id:
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


def otp_send(*, mobile: str) -> None:
    """Send a sign-in code to a registered worker's mobile.

    Unknown numbers get the same answer as known ones, and nothing is sent to them.
    """
    from liandong.workers.models import Worker
    from liandong.workers.services import mobile_digest

    mobile = validate_mobile(mobile)
    digest = mobile_digest(mobile)
    # Throttled by number whether or not it is registered: a "too soon" that only registered
    # numbers get would tell who is on the roster.
    if not cache.add(f"otp-sent:{digest}", 1, settings.LIANDONG_OTP_RESEND_SECONDS):
        raise ValidationError("验证码发送过于频繁，请稍后再试", code="otp_too_soon")
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


def otp_verify(*, mobile: str, code: str) -> bool:
    """Consume a valid code; five wrong tries burn it."""
    from liandong.workers.services import mobile_digest

    digest = mobile_digest(mobile)
    otp = OneTimeCode.objects.filter(
        mobile_digest=digest, used_at__isnull=True, expires_at__gt=timezone.now()
    ).first()
    if otp is None:
        return False
    # Count the try before comparing, with one conditional UPDATE: concurrent guesses cannot
    # read the same count and together exceed five.
    if not OneTimeCode.objects.filter(pk=otp.pk, attempts__lt=OTP_MAX_ATTEMPTS).update(
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


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_issue(*, user: User) -> tuple[str, ApiToken]:
    token = secrets.token_urlsafe(32)
    record = ApiToken.objects.create(
        user=user, key_digest=_token_digest(token), expires_at=timezone.now() + TOKEN_LIFETIME
    )
    audit_log(actor=user, action="accounts.token_issued", target=user)
    return token, record


def api_token_user(*, token: str) -> User | None:
    """The active user a bearer token belongs to, or None (unknown, expired, or deactivated).

    ``get()`` rather than ``first()``: the digest is unique, and ``first()`` would add an
    ORDER BY that costs about a fifth of this query's time in the compiler.
    """
    tokens = ApiToken.objects.select_related("user", "user__organization").filter(
        key_digest=_token_digest(token), expires_at__gt=timezone.now(), user__is_active=True
    )
    try:
        return tokens.get().user
    except ApiToken.DoesNotExist:
        return None
