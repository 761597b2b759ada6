"""Who may do what with accounts and the audit log."""

from typing import TYPE_CHECKING, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from liandong.accounts.models import ORGANIZATION_ROLES, Role, User
from liandong.core.models import AuditLog
from liandong.organizations.models import subtree_q

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


def maintains_rosters(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    """A role that imports and edits the workers of its own subtree (the menu's 名册 entry;
    ``workers.permissions.can_manage_roster`` adds the check for one organization)."""
    return acts_for_organization(user) and user.role in ROSTER_ROLES
