"""Which organizations a user may see and change. Pages and API both use these."""

from typing import TYPE_CHECKING, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from liandong.accounts.models import Role, User
from liandong.accounts.permissions import acts_for_organization, is_active_user, is_worker
from liandong.organizations.models import Organization, subtree_q

if TYPE_CHECKING:
    # For the type checker only: an account that acts for an organization has one (the
    # user_org_role_needs_organization constraint), so its organization is never None.
    # Move beside User when accounts is typed (next round of issue 12).
    class StaffUser(User):
        organization: Organization
        organization_id: int

        class Meta:
            abstract = True


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a login_required view or an authenticated API operation, for the type
    checker: its user is a User. Move beside User when accounts is typed (next round)."""

    user: User


def is_org_staff(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    """acts_for_organization, told to the type checker: afterwards ``user`` is a staff account
    whose organization is set."""
    return acts_for_organization(user)


def is_active_account(user: User | AnonymousUser | None) -> TypeGuard[User]:
    """accounts' is_active_user, told to the type checker: afterwards ``user`` is a User."""
    return is_active_user(user)


def is_worker_account(user: User | AnonymousUser | None) -> TypeGuard[User]:
    """accounts' is_worker, told to the type checker: afterwards ``user`` is a User."""
    return is_worker(user)


def organizations_visible_to(user: User | AnonymousUser | None) -> QuerySet[Organization]:
    """A staff account sees its organization's subtree and the partner bodies linked to any
    node of it; a partner liaison thus sees its own body and the unions it works with."""
    if not is_org_staff(user):
        return Organization.objects.none()
    scope = subtree_q(user.organization.path)
    partner_ids = Organization.partners.through.objects.filter(
        subtree_q(user.organization.path, "from_organization__path")
    ).values("to_organization_id")
    return Organization.objects.filter(scope | Q(pk__in=partner_ids))


def organizations_in_scope(user: User | AnonymousUser | None) -> QuerySet[Organization]:
    """The subtree a staff account acts for (partners excluded): where it may import workers."""
    if not is_org_staff(user):
        return Organization.objects.none()
    return Organization.objects.filter(subtree_q(user.organization.path))


def can_view_organization(user: User | AnonymousUser | None, organization: Organization) -> bool:
    return organizations_visible_to(user).filter(pk=organization.pk).exists()


def can_edit_organization(user: User | AnonymousUser | None, organization: Organization) -> bool:
    return (
        is_org_staff(user)
        and user.role in {Role.UNION_ADMIN, Role.UNION_STAFF}
        and organization.path.startswith(user.organization.path)
    )
