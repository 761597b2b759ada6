"""Signing in: the throttled password check every sign-in goes through, and API tokens;
account management by union administrators, invitations (one-time links to set a password),
and one's own profile.

Workers' one-time codes and their mobile sign-in live in ``workers.signin``: they need the
roster, and accounts sit below workers."""

import hashlib
import logging
import re
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string

from liandong.accounts import throttle
from liandong.accounts.models import (
    ORGANIZATION_ROLES,
    AccountSession,
    ApiToken,
    Invitation,
    OneTimeCode,
    Role,
    User,
)
from liandong.accounts.permissions import GRANTABLE_ROLES, organizations_managed_by
from liandong.accounts.sms import GatewayError, send_sms
from liandong.core import crypto
from liandong.core.audit import audit_log, diff, snapshot
from liandong.core.identity import normalize_code, validate_mobile
from liandong.core.masking import mask_id_number, mask_mobile
from liandong.core.middleware import client_ip
from liandong.organizations.models import Organization

TOKEN_LIFETIME = timedelta(days=30)
LOCKED_MESSAGE = "登录失败次数过多，账号已暂时锁定，请 30 分钟后再试"
FAILED_MESSAGE = "用户名或密码不正确"

logger = logging.getLogger(__name__)


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


# ---------------------------------------------------------------------------------------------
# Sessions: recorded at sign-in (the user_logged_in signal, AccountsConfig.ready) so that
# disabling an account ends them without reading every session of the site.


def session_record(*, user: User, session_key: str | None) -> None:
    if session_key:
        AccountSession.objects.get_or_create(session_key=session_key, defaults={"user": user})


def sessions_end(*, user: User) -> int:
    """End every session the account signed in with, and its API tokens. Returns how many
    sessions were ended."""
    store: type[SessionBase] = import_string(settings.SESSION_ENGINE + ".SessionStore")
    keys = list(AccountSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    AccountSession.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()
    return len(keys)


# ---------------------------------------------------------------------------------------------
# Account management. Every refusal is a ValidationError naming the field, in Chinese.

UNION_KINDS = {Organization.Kind.UNION, Organization.Kind.UNION_FEDERATION}
ACCOUNT_FIELDS = [
    "username",
    "display_name",
    "title",
    "role",
    "organization",
    "is_leader",
    "email",
    "mobile_masked",
    "is_active",
]


def _account_snapshot(account: User) -> dict[str, Any]:
    return snapshot(account, ACCOUNT_FIELDS)


def _check_grant(
    *, actor: User, role: str, organization: Organization | None, is_leader: bool
) -> None:
    """Nobody gives a role or an organization beyond their own scope."""
    if role not in GRANTABLE_ROLES:
        raise ValidationError(
            {"role": "不能授予该角色（职工账号随职工名册登记产生）"}, code="role_not_grantable"
        )
    if role in ORGANIZATION_ROLES and organization is None:
        raise ValidationError(
            {"organization": "该角色必须选择所属组织"}, code="organization_required"
        )
    if organization is not None:
        managed = organizations_managed_by(actor)
        if not managed.filter(pk=organization.pk).exists():
            raise ValidationError(
                {"organization": "所属组织不在您的管理范围内"}, code="organization_out_of_scope"
            )
        in_subtree = organization.path.startswith(actor.organization.path)  # type: ignore[union-attr]
        if role in {Role.UNION_ADMIN, Role.UNION_STAFF} and not (
            in_subtree and organization.kind in UNION_KINDS
        ):
            raise ValidationError(
                {"organization": "工会管理员和工作人员只能属于本级或下级工会"},
                code="organization_not_union",
            )
        if role == Role.ENTERPRISE_UNION and not (
            in_subtree and organization.kind == Organization.Kind.ENTERPRISE
        ):
            raise ValidationError(
                {"organization": "企业工会账号只能属于本级以下的企业"},
                code="organization_not_enterprise",
            )
        if role == Role.LIAISON and (
            organization.kind in UNION_KINDS or organization.kind == Organization.Kind.OUTLET
        ):
            raise ValidationError(
                {"organization": "联络员只能属于成员单位（主管部门、协会或企业）"},
                code="organization_not_partner",
            )
    if is_leader and role not in ORGANIZATION_ROLES:
        raise ValidationError(
            {"is_leader": "只有代表单位的账号可以设为单位负责人"}, code="leader_needs_organization"
        )


def _check_not_last_admin(account: User, *, message: str) -> None:
    """Refuse when ``account`` is the last active administrator of its union. The union's
    administrators are locked (in id order) so that two administrators disabling each other
    at once cannot both go through."""
    if account.role != Role.UNION_ADMIN or not account.is_active:
        return
    admins = list(
        User.objects.select_for_update()
        .filter(role=Role.UNION_ADMIN, organization=account.organization, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not [pk for pk in admins if pk != account.pk]:
        raise ValidationError({"account": message}, code="last_admin")


def _set_mobile(account: User, mobile: str) -> None:
    if mobile:
        account.mobile_cipher = crypto.encrypt(mobile)
        account.mobile_digest = crypto.mobile_digest(mobile)
        account.mobile_masked = mask_mobile(mobile)
    else:
        account.mobile_cipher = account.mobile_digest = account.mobile_masked = ""


def _clean_mobile(mobile: str) -> str:
    if not mobile.strip():
        return ""
    try:
        return validate_mobile(mobile)
    except ValidationError as error:
        raise ValidationError({"mobile": error.messages}, code="mobile_invalid") from error


def _clean_email(email: str) -> str:
    from django.core.validators import validate_email

    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as error:
            raise ValidationError(
                {"email": "电子邮件地址格式不正确"}, code="email_invalid"
            ) from error
    return email


@transaction.atomic
def account_create(
    *,
    actor: User,
    username: str,
    display_name: str,
    role: str,
    organization: Organization | None = None,
    title: str = "",
    email: str = "",
    mobile: str = "",
    is_leader: bool = False,
) -> User:
    """A new account with no password yet: its owner sets one through an invitation."""
    username = username.strip()
    if not username:
        raise ValidationError({"username": "请填写用户名"}, code="username_required")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as error:
        raise ValidationError(
            {"username": "用户名只能包含字母、数字和 @/./+/-/_"}, code="username_invalid"
        ) from error
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "该用户名已被使用"}, code="username_taken")
    if not display_name.strip():
        raise ValidationError({"display_name": "请填写姓名"}, code="name_required")
    _check_grant(actor=actor, role=role, organization=organization, is_leader=is_leader)
    account = User(
        username=username,
        display_name=display_name.strip(),
        title=title.strip(),
        role=role,
        organization=organization,
        email=_clean_email(email),
        is_leader=is_leader,
        managed_by_id=actor.organization_id,
    )
    _set_mobile(account, _clean_mobile(mobile))
    account.set_unusable_password()
    account.save()
    audit_log(
        actor=actor,
        action="accounts.account_created",
        target=account,
        changes=diff({}, _account_snapshot(account)),
    )
    return account


@transaction.atomic
def account_update(
    *,
    actor: User,
    account: User,
    display_name: str,
    role: str,
    organization: Organization | None = None,
    title: str = "",
    email: str = "",
    mobile: str | None = None,
    is_leader: bool = False,
) -> User:
    """Change an account's name, role, organization or contact. ``mobile`` None leaves the
    stored number as it is (the form shows it masked)."""
    if not display_name.strip():
        raise ValidationError({"display_name": "请填写姓名"}, code="name_required")
    _check_grant(actor=actor, role=role, organization=organization, is_leader=is_leader)
    if account.pk == actor.pk and (role != account.role or organization != account.organization):
        raise ValidationError(
            {"role": "不能更改自己的角色或所属组织，请由其他管理员操作"}, code="own_role"
        )
    organization_id = organization.pk if organization is not None else None
    if role != account.role or organization_id != account.organization_id:
        _check_not_last_admin(
            account, message="这是该工会最后一位在用的管理员，不能改为其他角色或组织"
        )
    before = _account_snapshot(account)
    account.display_name = display_name.strip()
    account.title = title.strip()
    account.role = role
    account.organization = organization
    account.email = _clean_email(email)
    account.is_leader = is_leader
    if mobile is not None:
        _set_mobile(account, _clean_mobile(mobile))
    account.save()
    changes = diff(before, _account_snapshot(account))
    if changes:
        audit_log(actor=actor, action="accounts.account_updated", target=account, changes=changes)
    return account


@transaction.atomic
def account_disable(*, actor: User, account: User) -> User:
    """Disable an account: its sessions and API tokens end at once, open invitations are
    revoked. The last active administrator of a union stays."""
    if account.pk == actor.pk:
        raise ValidationError({"account": "不能停用自己的账号"}, code="disable_self")
    if not account.is_active:
        raise ValidationError({"account": "该账号已经停用"}, code="already_disabled")
    _check_not_last_admin(account, message="这是该工会最后一位在用的管理员，不能停用")
    User.objects.filter(pk=account.pk).update(is_active=False)
    account.is_active = False
    ended = sessions_end(user=account)
    Invitation.objects.filter(user=account, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit_log(
        actor=actor,
        action="accounts.account_disabled",
        target=account,
        changes={"is_active": [True, False], "sessions_ended": [None, ended]},
    )
    return account


@transaction.atomic
def account_enable(*, actor: User, account: User) -> User:
    if account.is_active:
        raise ValidationError({"account": "该账号已经启用"}, code="already_enabled")
    User.objects.filter(pk=account.pk).update(is_active=True)
    account.is_active = True
    audit_log(
        actor=actor,
        action="accounts.account_enabled",
        target=account,
        changes={"is_active": [False, True]},
    )
    return account


def leaders_of(organization: Organization | None) -> list[User]:
    """The active accounts marked as the body's leader (负责人)."""
    if organization is None:
        return []
    return list(User.objects.filter(organization=organization, is_leader=True, is_active=True))


# ---------------------------------------------------------------------------------------------
# Invitations: a random token (256 bits) of which only the keyed digest is stored. The link
# carries it after "#", so that the browser never sends it in a request line (nor does any
# access log keep it); the page posts it in the form body.

INVITATION_LIFETIME = timedelta(hours=72)
INVITATION_PATH = "/accounts/invitation/"
INVITATION_REFUSED = {
    "unknown": "邀请链接无效，请向管理员索取新的链接",
    "used": "该链接已使用过，请直接登录；忘记密码请联系管理员重新发送",
    "revoked": "该链接已作废，请向管理员索取新的链接",
    "expired": "该链接已过期（有效期 72 小时），请向管理员索取新的链接",
    "disabled": "该账号已停用，不能设置密码",
}


def _invitation_digest(token: str) -> str:
    return crypto.blind_index("invitation", token)


def invitation_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{INVITATION_PATH}#{token}"


def deliver_invitation(invitation: Invitation, link: str, channel: str) -> str | None:
    """Send the link by SMS or email, or hand it back to be shown once to the administrator
    (returns it then, None otherwise).

    Sent at once, not through the notifications outbox: the link is a password-setting
    secret, and the outbox keeps each message's text in the database for its retries, where
    an invitation must rest only as a digest. A failed send is refused (the invitation is
    rolled back) and the administrator, who is waiting on the page, retries or shows it."""
    account = invitation.user
    purpose = "设置密码" if invitation.purpose == Invitation.Purpose.INVITE else "重置密码"
    text = (
        f"【联动】{account.display_name}您好，请在 72 小时内打开链接{purpose}（用户名 "
        f"{account.username}）：{link}"
    )
    try:
        if channel == Invitation.Channel.SMS:
            send_sms(mobile=crypto.decrypt(account.mobile_cipher), text=text)
            return None
        if channel == Invitation.Channel.EMAIL:
            send_mail(f"联动平台账号{purpose}", text, None, [account.email])
            return None
    except (OSError, GatewayError) as error:  # SMTP errors and unreachable gateways are OSErrors
        logger.warning("Invitation for account %s not sent by %s: %r", account.pk, channel, error)
        raise ValidationError(
            {"channel": "发送失败，链接未生效；请稍后重试，或选择“在页面显示链接”转交本人"},
            code="delivery_failed",
        ) from None
    return link


@transaction.atomic
def invitation_issue(
    *,
    actor: User,
    account: User,
    channel: str,
    base_url: str,
    purpose: str = Invitation.Purpose.INVITE,
) -> tuple[Invitation, str | None]:
    """A new one-time link for ``account`` (earlier open links are revoked) delivered by
    ``channel``. Returns the invitation and the link when it is to be shown once."""
    if channel not in Invitation.Channel.values:
        raise ValidationError({"channel": "请选择发送方式"}, code="channel_invalid")
    if channel == Invitation.Channel.SMS and not account.mobile_cipher:
        raise ValidationError({"channel": "该账号没有登记手机号，不能短信发送"}, code="no_mobile")
    if channel == Invitation.Channel.EMAIL and not account.email:
        raise ValidationError({"channel": "该账号没有登记电子邮件，不能邮件发送"}, code="no_email")
    if not account.is_active:
        raise ValidationError({"account": "该账号已停用，请先启用"}, code="account_disabled")
    now = timezone.now()
    revoked = Invitation.objects.filter(
        user=account, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        user=account,
        purpose=purpose,
        channel=channel,
        token_digest=_invitation_digest(token),
        created_by=actor,
        expires_at=now + INVITATION_LIFETIME,
    )
    shown = deliver_invitation(invitation, invitation_link(base_url, token), channel)
    audit_log(
        actor=actor,
        action="accounts.invitation_issued"
        if purpose == Invitation.Purpose.INVITE
        else "accounts.password_reset_issued",
        target=account,
        changes={"channel": [None, channel], "revoked_links": [None, revoked]},
    )
    return invitation, shown


@transaction.atomic
def invitation_revoke(*, actor: User, account: User) -> int:
    revoked = Invitation.objects.filter(
        user=account, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if not revoked:
        raise ValidationError({"account": "该账号没有有效的邀请链接"}, code="nothing_to_revoke")
    audit_log(
        actor=actor,
        action="accounts.invitation_revoked",
        target=account,
        changes={"revoked_links": [None, revoked]},
    )
    return revoked


def invitation_check(token: str) -> Invitation:
    """The open invitation of ``token``, or a ValidationError on ``token`` saying why not."""
    token = token.strip()
    found = (
        Invitation.objects.select_related("user")
        .filter(token_digest=_invitation_digest(token))
        .first()
        if token
        else None
    )
    reason = (
        "unknown"
        if found is None
        else "used"
        if found.used_at
        else "revoked"
        if found.revoked_at
        else "expired"
        if found.expires_at <= timezone.now()
        else "disabled"
        if not found.user.is_active
        else None
    )
    if reason or found is None:
        raise ValidationError({"token": INVITATION_REFUSED[reason or "unknown"]}, code=reason)
    return found


@transaction.atomic
def invitation_redeem(*, token: str, password: str) -> User:
    """Set the account's password through its link; the link is then used up."""
    invitation = invitation_check(token)
    account = invitation.user
    try:
        validate_password(password, account)
    except ValidationError as error:
        raise ValidationError({"password1": error.messages}, code="password_invalid") from error
    # The conditional UPDATE claims the link: two submissions of it cannot both set a password.
    if not Invitation.objects.filter(
        pk=invitation.pk, used_at__isnull=True, revoked_at__isnull=True
    ).update(used_at=timezone.now()):
        raise ValidationError({"token": INVITATION_REFUSED["used"]}, code="used")
    account.set_password(password)
    account.save(update_fields=["password"])
    throttle.record_success(username=account.username)
    audit_log(
        actor=account,
        action="accounts.invitation_redeemed",
        target=account,
        changes={"purpose": [None, invitation.purpose]},
    )
    return account


# ---------------------------------------------------------------------------------------------
# One's own profile.

PROFILE_FIELDS = ["display_name", "title", "email", "mobile_masked"]
MOBILE_CODE_TEXT = (
    "【联动】您正在更换账号绑定的手机号，验证码 {code}，10 分钟内有效。如非本人操作请忽略。"
)
MOBILE_CODE_TTL = timedelta(minutes=10)
MOBILE_CODE_SENDS_PER_HOUR = 5


def profile_update(*, user: User, display_name: str, title: str, email: str) -> User:
    if not display_name.strip():
        raise ValidationError({"display_name": "请填写姓名"}, code="name_required")
    before = snapshot(user, PROFILE_FIELDS)
    user.display_name = display_name.strip()
    user.title = title.strip()
    user.email = _clean_email(email)
    user.save(update_fields=["display_name", "title", "email"])
    changes = diff(before, snapshot(user, PROFILE_FIELDS))
    if changes:
        audit_log(actor=user, action="accounts.profile_updated", target=user, changes=changes)
    return user


def _mobile_change_digest(user: User, mobile: str) -> str:
    # Not the plain mobile digest: a worker's sign-in codes are looked up by that one, and a
    # code for changing an account's number must never be one of them.
    return crypto.blind_index("mobile-change", f"{user.pk}:{mobile}")


def profile_mobile_code_send(*, user: User, mobile: str) -> str:
    """Send a code to the new number (limited: one a minute, five an hour per account)."""
    mobile = _clean_mobile(mobile)
    if not mobile:
        raise ValidationError({"mobile": "请填写新的手机号"}, code="mobile_required")
    if mobile == (crypto.decrypt(user.mobile_cipher) if user.mobile_cipher else ""):
        raise ValidationError({"mobile": "这就是当前绑定的手机号"}, code="mobile_same")
    if not cache.add(f"mobile-change-sent:{user.pk}", 1, settings.LIANDONG_OTP_RESEND_SECONDS):
        raise ValidationError({"mobile": "验证码发送过于频繁，请稍后再试"}, code="otp_too_soon")
    hour_key = f"mobile-change-hour:{user.pk}:{timezone.now():%Y%m%d%H}"
    cache.add(hour_key, 0, 3600)
    if cache.incr(hour_key) > MOBILE_CODE_SENDS_PER_HOUR:
        raise ValidationError(
            {"mobile": "验证码请求次数已达上限，请一小时后再试"}, code="otp_hourly_limit"
        )
    digest = _mobile_change_digest(user, mobile)
    code = f"{secrets.randbelow(10**6):06d}"
    OneTimeCode.objects.create(
        mobile_digest=digest,
        code_digest=crypto.blind_index("otp", f"{digest}:{code}"),
        expires_at=timezone.now() + MOBILE_CODE_TTL,
    )
    send_sms(mobile=mobile, text=MOBILE_CODE_TEXT.format(code=code))
    return mask_mobile(mobile)


MOBILE_CODE_MAX_ATTEMPTS = 5


def profile_mobile_confirm(*, user: User, mobile: str, code: str) -> User:
    """Bind the new number once its code is given (five wrong tries burn the code). Not one
    transaction: a wrong try must stay counted when the refusal is raised."""
    mobile = _clean_mobile(mobile)
    if not mobile:
        raise ValidationError({"mobile": "请填写新的手机号"}, code="mobile_required")
    digest = _mobile_change_digest(user, mobile)
    otp = OneTimeCode.objects.filter(
        mobile_digest=digest, used_at__isnull=True, expires_at__gt=timezone.now()
    ).first()
    wrong = ValidationError({"code": "验证码不正确或已过期"}, code="otp_invalid")
    if otp is None or not OneTimeCode.objects.filter(
        pk=otp.pk, attempts__lt=MOBILE_CODE_MAX_ATTEMPTS
    ).update(attempts=F("attempts") + 1):
        raise wrong
    expected = crypto.blind_index("otp", f"{digest}:{code.strip()}")
    if not secrets.compare_digest(expected, otp.code_digest):
        raise wrong
    if not OneTimeCode.objects.filter(pk=otp.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    ):
        raise wrong
    before = snapshot(user, PROFILE_FIELDS)
    _set_mobile(user, mobile)
    user.save(update_fields=["mobile_cipher", "mobile_digest", "mobile_masked"])
    audit_log(
        actor=user,
        action="accounts.mobile_changed",
        target=user,
        changes=diff(before, snapshot(user, PROFILE_FIELDS)),
    )
    return user
