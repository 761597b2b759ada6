"""Which organizations a user may see and change. Pages and API both use these."""

from typing import TYPE_CHECKING, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from liandong.accounts.models import Role, User
from liandong.accounts.permissions import acts_for_organization
from liandong.organizations.models import Organization, OrganizationImport, subtree_q

if TYPE_CHECKING:
    from liandong.accounts.models import StaffUser

# Who imports and exports the organization tree of their subtree: those who edit it.
TREE_ROLES = {Role.UNION_ADMIN, Role.UNION_STAFF}


def organizations_visible_to(user: User | AnonymousUser | None) -> QuerySet[Organization]:
    """A staff account sees its organization's subtree and the partner bodies linked to any
    node of it; a partner liaison thus sees its own body and the unions it works with."""
    if not acts_for_organization(user):
        return Organization.objects.none()
    scope = subtree_q(user.organization.path)
    partner_ids = Organization.partners.through.objects.filter(
        subtree_q(user.organization.path, "from_organization__path")
    ).values("to_organization_id")
    return Organization.objects.filter(scope | Q(pk__in=partner_ids))


def organizations_in_scope(user: User | AnonymousUser | None) -> QuerySet[Organization]:
    """The subtree a staff account acts for (partners excluded): where it may import workers."""
    if not acts_for_organization(user):
        return Organization.objects.none()
    return Organization.objects.filter(subtree_q(user.organization.path))


def can_view_organization(user: User | AnonymousUser | None, organization: Organization) -> bool:
    return organizations_visible_to(user).filter(pk=organization.pk).exists()


def can_edit_organization(user: User | AnonymousUser | None, organization: Organization) -> bool:
    return (
        acts_for_organization(user)
        and user.role in {Role.UNION_ADMIN, Role.UNION_STAFF}
        and organization.path.startswith(user.organization.path)
    )


def can_import_tree(
    user: User | AnonymousUser | None, root: Organization | None = None
) -> TypeGuard["StaffUser"]:
    """Import the tree into (or export it from) ``root``'s subtree, or anywhere of one's own
    subtree when None."""
    if not (acts_for_organization(user) and user.role in TREE_ROLES):
        return False
    return root is None or root.path.startswith(user.organization.path)


def tree_imports_visible_to(user: User | AnonymousUser | None) -> QuerySet[OrganizationImport]:
    if not can_import_tree(user):
        return OrganizationImport.objects.none()
    return OrganizationImport.objects.filter(
        subtree_q(user.organization.path, "organization__path")
    )
