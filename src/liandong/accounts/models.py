from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from liandong.core.models import BaseModel

if TYPE_CHECKING:
    from liandong.organizations.models import Organization


class Role(models.TextChoices):
    UNION_ADMIN = "union_admin", _("工会管理员")
    UNION_STAFF = "union_staff", _("工会工作人员")
    LIAISON = "liaison", _("成员单位联络员")
    ENTERPRISE_UNION = "enterprise_union", _("企业工会")
    JUDGE = "judge", _("评委")
    WORKER = "worker", _("职工")


# Roles that act for an organization and are scoped to its subtree.
ORGANIZATION_ROLES = {Role.UNION_ADMIN, Role.UNION_STAFF, Role.LIAISON, Role.ENTERPRISE_UNION}


class User(AbstractUser):
    """An account. Staff accounts act for one organization with one role; a worker's account
    is tied to their worker record and signs in with mobile number and a one-time code."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
        verbose_name=_("所属组织"),
    )
    display_name = models.CharField(_("姓名"), max_length=60, blank=True)
    title = models.CharField(_("职务"), max_length=60, blank=True)
    # 负责人: the leader of the body the account acts for; escalations of that body's demands
    # reach them (demands/jobs.py).
    is_leader = models.BooleanField(_("单位负责人"), default=False)
    # The union whose administrators manage this account (set when an administrator creates
    # it): a judge without an organization still belongs to one union's scope.
    managed_by = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_accounts",
        verbose_name=_("管理单位"),
    )
    # The mobile, as the roster keeps workers' numbers: encrypted, found by its keyed digest,
    # shown masked (core.crypto).
    mobile_cipher = models.TextField(blank=True, editable=False)
    mobile_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    mobile_masked = models.CharField(_("手机号"), max_length=11, blank=True, editable=False)

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                # sorted: a set's order changes with hash randomization, and the migration
                # autodetector would see a new constraint on every run.
                condition=~Q(role__in=sorted(r.value for r in ORGANIZATION_ROLES))
                | Q(organization__isnull=False),
                name="user_org_role_needs_organization",
            ),
        ]
        verbose_name = _("账号")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role else ""


if TYPE_CHECKING:
    # For the type checker only: an account that acts for an organization has one (the
    # user_org_role_needs_organization constraint), so its organization is never None.
    # ``permissions.acts_for_organization`` narrows a user to it.
    class StaffUser(User):
        organization: Organization
        organization_id: int

        class Meta:
            abstract = True


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a login_required view or an authenticated API operation, for the type
    checker: its user is a User."""

    user: User


class ApiToken(BaseModel):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class OneTimeCode(BaseModel):
    """A six-digit sign-in code sent to a worker's mobile. Stored as a keyed hash."""

    mobile_digest = models.CharField(max_length=64, db_index=True)
    code_digest = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class AccountSession(models.Model):
    """A session an account signed in with (recorded at sign-in), so that disabling the
    account ends its sessions at once without reading every session of the site."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="session_records")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"session of {self.user_id}"


class Invitation(BaseModel):
    """A one-time link to set an account's password: for a new account (invite) or a
    forgotten password (reset). Only the keyed digest of its random token is stored."""

    class Purpose(models.TextChoices):
        INVITE = "invite", _("邀请")
        RESET = "reset", _("重置密码")

    class Channel(models.TextChoices):
        SHOW = "show", _("显示给管理员转交")
        SMS = "sms", _("短信")
        EMAIL = "email", _("电子邮件")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    purpose = models.CharField(_("用途"), max_length=10, choices=Purpose.choices)
    channel = models.CharField(_("发送方式"), max_length=10, choices=Channel.choices)
    token_digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("邀请链接")

    @property
    def state_label(self) -> str:
        from django.utils import timezone

        if self.used_at:
            return "已使用"
        if self.revoked_at:
            return "已作废"
        if self.expires_at <= timezone.now():
            return "已过期"
        return "有效"
