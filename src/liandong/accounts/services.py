"""Signing in: the throttled password check every sign-in goes through, and API tokens.

Workers' one-time codes and their mobile sign-in live in ``workers.signin``: they need the
roster, and accounts sit below workers."""

import hashlib
import re
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone

from liandong.accounts import throttle
from liandong.accounts.models import ApiToken, User
from liandong.core.audit import audit_log
from liandong.core.identity import normalize_code, validate_mobile
from liandong.core.masking import mask_id_number, mask_mobile
from liandong.core.middleware import client_ip

TOKEN_LIFETIME = timedelta(days=30)
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
