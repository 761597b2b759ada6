"""Who may do what with accounts and the audit log."""

from typing import TYPE_CHECKING, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from liandong.accounts.models import ORGANIZATION_ROLES, Role, User
from liandong.core.models import AuditLog
from liandong.organizations.models import Organization, subtree_q

if TYPE_CHECKING:
    from liandong.accounts.models import StaffUser

# Roles that must act on a worker's identity (call them, verify them) and so may unmask it.
PII_ROLES = {Role.UNION_ADMIN, Role.UNION_STAFF, Role.ENTERPRISE_UNION}
# Roles that maintain the roster of their subtree.
ROSTER_ROLES = {Role.UNION_ADMIN, Role.UNION_STAFF, Role.ENTERPRISE_UNION}


def is_active_user(user: User | AnonymousUser | None) -> TypeGuard[User]:
    return bool(user is not None and user.is_authenticated and user.is_active)


def acts_for_organization(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    """A staff account scoped to an organization's subtree (afterwards, for the type checker,
    a user whose organization is set)."""
    return (
        is_active_user(user)
        and user.role in ORGANIZATION_ROLES
        and user.organization_id is not None
    )


def is_worker(user: User | AnonymousUser | None) -> TypeGuard[User]:
    return is_active_user(user) and user.role == Role.WORKER


def can_browse_audit_log(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    return acts_for_organization(user) and user.role == Role.UNION_ADMIN


def audit_entries_visible_to(user: User | AnonymousUser | None) -> QuerySet[AuditLog]:
    """Union admins see what was done by accounts of their subtree."""
    if not can_browse_audit_log(user):
        return AuditLog.objects.none()
    return AuditLog.objects.filter(subtree_q(user.organization.path, "organization__path"))


def audit_actors_for(user: User | AnonymousUser | None) -> QuerySet[User]:
    """The people an admin may pick in the audit log's 操作人 filter: the accounts of their
    subtree that act for a body (a worker's own entries are found by the object instead)."""
    if not can_browse_audit_log(user):
        return User.objects.none()
    return (
        User.objects.filter(subtree_q(user.organization.path, "organization__path"))
        .exclude(role=Role.WORKER)
        .select_related("organization")
        .order_by("display_name", "username")
    )


def maintains_rosters(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    """A role that imports and edits the workers of its own subtree (the menu's 名册 entry;
    ``workers.permissions.can_manage_roster`` adds the check for one organization)."""
    return acts_for_organization(user) and user.role in ROSTER_ROLES


# ---------------------------------------------------------------------------------------------
# Account management (issue 14): union administrators manage the accounts of their subtree and
# of the partner bodies linked to it. Staff, liaisons, enterprise unions, judges and workers
# manage none (an enterprise union's workers are managed on the roster).

# The roles an administrator may give; worker accounts come with the roster.
GRANTABLE_ROLES = [
    Role.UNION_ADMIN,
    Role.UNION_STAFF,
    Role.ENTERPRISE_UNION,
    Role.LIAISON,
    Role.JUDGE,
]


def can_manage_accounts(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    return acts_for_organization(user) and user.role == Role.UNION_ADMIN


def organizations_managed_by(user: User | AnonymousUser | None) -> QuerySet[Organization]:
    """The administrator's subtree and the partner bodies linked to any node of it (the
    organizations it may give an account)."""
    if not can_manage_accounts(user):
        return Organization.objects.none()
    partner_ids = Organization.partners.through.objects.filter(
        subtree_q(user.organization.path, "from_organization__path")
    ).values("to_organization_id")
    return Organization.objects.filter(subtree_q(user.organization.path) | Q(pk__in=partner_ids))


def accounts_visible_to(user: User | AnonymousUser | None) -> QuerySet[User]:
    """The accounts an administrator manages: those of the organizations above, and those it
    (or its subtree) created without an organization (judges). A root union's administrators
    also see the judges that nobody's administrator created (the demo's, a fresh install's)."""
    if not can_manage_accounts(user):
        return User.objects.none()
    organizations = organizations_managed_by(user).values("pk")
    mine = Q(organization__in=organizations) | Q(
        subtree_q(user.organization.path, "managed_by__path"), organization__isnull=True
    )
    if user.organization.parent_id is None:
        mine |= Q(organization__isnull=True, managed_by__isnull=True)
    return User.objects.exclude(role=Role.WORKER).filter(mine)
