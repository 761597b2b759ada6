"""Which organizations a user may see and change. Pages and API both use these."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from liandong.accounts.models import Role, User
from liandong.accounts.permissions import acts_for_organization
from liandong.organizations.models import Organization, subtree_q


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
