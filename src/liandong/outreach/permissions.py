"""Who may see and change key enterprises, visits and agreements. Pages and API both use these.

Union staff and admins keep their union's key enterprises and agreements, and see and keep
those of the unions below theirs. Everyone else: the list pages are refused (403), another
body's record is a 404.
"""

from typing import TYPE_CHECKING, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from liandong.accounts.models import Role, User
from liandong.accounts.permissions import acts_for_organization
from liandong.organizations.models import Organization, subtree_q
from liandong.organizations.permissions import organizations_visible_to
from liandong.outreach.models import Agreement, KeyEnterprise, Visit

if TYPE_CHECKING:
    from liandong.accounts.models import StaffUser

MANAGER_ROLES = {Role.UNION_ADMIN, Role.UNION_STAFF}
UNION_KINDS = [Organization.Kind.UNION, Organization.Kind.UNION_FEDERATION]


def can_use_outreach(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    """Staff of a union: the menu entry, the lists and every write in their subtree."""
    return acts_for_organization(user) and user.role in MANAGER_ROLES


def key_enterprises_visible_to(user: User | AnonymousUser | None) -> QuerySet[KeyEnterprise]:
    if not can_use_outreach(user):
        return KeyEnterprise.objects.none()
    return KeyEnterprise.objects.filter(
        subtree_q(user.organization.path, "union__path")
    ).select_related("union", "enterprise", "leader")


def visits_visible_to(user: User | AnonymousUser | None) -> QuerySet[Visit]:
    if not can_use_outreach(user):
        return Visit.objects.none()
    return Visit.objects.filter(
        subtree_q(user.organization.path, "key_enterprise__union__path")
    ).select_related("key_enterprise__enterprise", "key_enterprise__union")


def agreements_visible_to(user: User | AnonymousUser | None) -> QuerySet[Agreement]:
    if not can_use_outreach(user):
        return Agreement.objects.none()
    return Agreement.objects.filter(
        subtree_q(user.organization.path, "owner__path")
    ).select_related("owner", "staff")


def parties_for(
    user: User | AnonymousUser | None, agreement: Agreement | None = None
) -> QuerySet[Organization]:
    """The bodies ``user`` may name as an agreement's parties: those they may see, and, when
    editing, the agreement's own (a partner elsewhere in the tree stays a party unless it is
    taken off). The edit page's choices and the API's check both read this."""
    visible = Q(pk__in=organizations_visible_to(user).values("pk"))
    if agreement is not None:
        current = agreement.parties.filter(organization__isnull=False).values("organization")
        visible |= Q(pk__in=current)
    return Organization.objects.filter(visible)


def unions_for(user: User | AnonymousUser | None) -> QuerySet[Organization]:
    """Unions whose key enterprises and agreements ``user`` keeps: theirs and those below."""
    if not can_use_outreach(user):
        return Organization.objects.none()
    return Organization.objects.filter(subtree_q(user.organization.path), kind__in=UNION_KINDS)


def enterprises_for(user: User | AnonymousUser | None) -> QuerySet[Organization]:
    """Enterprises in ``user``'s subtree: those that can be made key enterprises."""
    if not can_use_outreach(user):
        return Organization.objects.none()
    return Organization.objects.filter(
        subtree_q(user.organization.path), kind=Organization.Kind.ENTERPRISE, is_active=True
    )


def leaders_of(union: Organization) -> QuerySet[User]:
    """The accounts of a union's leaders and staff, who may be assigned key enterprises."""
    return User.objects.filter(organization=union, role__in=MANAGER_ROLES, is_active=True).order_by(
        "display_name", "id"
    )


def document_visible(user: User | AnonymousUser | None, agreement: Agreement) -> bool:
    return bool(agreement.document) and agreements_visible_to(user).filter(pk=agreement.pk).exists()
