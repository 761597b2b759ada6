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
