"""Who may see and act on mediation cases. Pages and API both use these.

Union staff and admins handle the cases accepted by a union of their subtree (its mediation
committee); a case outside that subtree is a 404, like one that does not exist. Other
accounts (partner liaisons, enterprise unions, judges, workers) have no access. Union admins
set the time limits of their union.
"""

from typing import TYPE_CHECKING, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from liandong.accounts.models import Role, User
from liandong.accounts.permissions import acts_for_organization
from liandong.mediation.models import Case
from liandong.organizations.models import Organization, subtree_q

if TYPE_CHECKING:
    from liandong.accounts.models import StaffUser

UNION_ROLES = {Role.UNION_ADMIN, Role.UNION_STAFF}
UNION_KINDS = {Organization.Kind.UNION, Organization.Kind.UNION_FEDERATION}


def can_use_mediation(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    return acts_for_organization(user) and user.role in UNION_ROLES


def can_configure(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    return acts_for_organization(user) and user.role == Role.UNION_ADMIN


def cases_visible_to(user: User | AnonymousUser | None) -> QuerySet[Case]:
    if not can_use_mediation(user):
        return Case.objects.none()
    return Case.objects.filter(subtree_q(user.organization.path, "union__path")).select_related(
        "union"
    )


def can_manage_case(user: User | AnonymousUser | None, case: Case) -> bool:
    return can_use_mediation(user) and case.union.path.startswith(user.organization.path)


def unions_for(user: User | AnonymousUser | None) -> QuerySet[Organization]:
    """Unions whose committee may accept a case from ``user``: theirs and those below."""
    if not can_use_mediation(user):
        return Organization.objects.none()
    return Organization.objects.filter(
        subtree_q(user.organization.path), kind__in=UNION_KINDS
    ).order_by("path")


def mediator_candidates(case_union: Organization) -> QuerySet[User]:
    """Active union staff and admins of the case's union and the unions below it, with their
    union (the mediators' form names it beside each of them)."""
    return (
        User.objects.filter(
            subtree_q(case_union.path, "organization__path"),
            role__in=UNION_ROLES,
            is_active=True,
        )
        .select_related("organization")
        .order_by("organization__path", "username")
    )
