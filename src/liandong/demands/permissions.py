"""Who may see and act on demands. Pages and API both use these.

- Union staff (admin, staff) see demands supervised by a union of their subtree, and demands
  routed to a body of their subtree or to a partner body of it.
- Staff of any other body (partner liaison, enterprise union) see only demands routed to
  their body, as responsible or co-handling body.
- A demand outside one's scope is a 404, like one that does not exist.
"""

from typing import TYPE_CHECKING, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from liandong.accounts.models import Role, User
from liandong.accounts.permissions import acts_for_organization
from liandong.demands.models import Demand, State
from liandong.organizations.models import Organization, subtree_q

if TYPE_CHECKING:
    from liandong.accounts.models import StaffUser

UNION_ROLES = {Role.UNION_ADMIN, Role.UNION_STAFF}
# Transitions and who may take them: "handler" = the responsible body (or union staff in
# scope, who supervise); "union" = union staff in scope only.
HANDLER_ACTIONS = {"accept", "reply", "transfer", "resolve", "return"}
UNION_ACTIONS = {"assign", "reject", "merge", "category"}


def is_union_staff(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    return acts_for_organization(user) and user.role in UNION_ROLES


def can_use_demands(user: User | AnonymousUser | None) -> bool:
    """Staff list and statistics: any account acting for an organization."""
    return acts_for_organization(user)


def can_enter_demands(user: User | AnonymousUser | None) -> bool:
    """Hotline intake: union staff (the union runs the 12351 hotline)."""
    return is_union_staff(user)


def can_configure(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    """Routing rules, time limits and the working-day calendar."""
    return acts_for_organization(user) and user.role == Role.UNION_ADMIN


def demands_visible_to(user: User | AnonymousUser | None) -> QuerySet[Demand]:
    if not acts_for_organization(user):
        return Demand.objects.none()
    organization = user.organization
    if user.role in UNION_ROLES:
        path = organization.path
        partner_ids = Organization.partners.through.objects.filter(
            subtree_q(path, "from_organization__path")
        ).values("to_organization_id")
        scope = (
            subtree_q(path, "union__path")
            | subtree_q(path, "body__path")
            | Q(body_id__in=partner_ids)
        )
        return Demand.objects.filter(scope)
    co_handled = Demand.co_bodies.through.objects.filter(organization_id=organization.pk).values(
        "demand_id"
    )
    return Demand.objects.filter(Q(body_id=organization.pk) | Q(pk__in=co_handled))


def bodies_visible_to(user: User | AnonymousUser | None) -> QuerySet[Organization]:
    """Bodies a demand may be assigned or transferred to by this user."""
    from liandong.organizations.permissions import organizations_visible_to

    return organizations_visible_to(user)


def can_supervise(user: User | AnonymousUser | None, demand: Demand) -> bool:
    """Union staff whose subtree supervises the demand (or holds/partners its body)."""
    return is_union_staff(user) and demands_visible_to(user).filter(pk=demand.pk).exists()


def is_handler(user: User | AnonymousUser | None, demand: Demand) -> bool:
    return (
        acts_for_organization(user)
        and demand.body_id is not None
        and user.organization_id == demand.body_id
    )


def allowed_actions(user: User | AnonymousUser | None, demand: Demand) -> set[str]:
    """Actions this user may take on this demand in its current state."""
    supervise = can_supervise(user, demand)
    actions: set[str] = set()
    if supervise or is_handler(user, demand):
        actions |= {a for a in HANDLER_ACTIONS if a in STATE_ACTIONS.get(demand.state, set())}
    if supervise:
        actions |= {a for a in UNION_ACTIONS if a in STATE_ACTIONS.get(demand.state, set())}
    return actions


STATE_ACTIONS: dict[str, set[str]] = {
    State.ACCEPTED: {"assign", "reject", "merge", "category"},
    State.DISPATCHED: {"accept", "transfer", "return", "assign", "reject", "merge", "category"},
    State.IN_PROGRESS: {"reply", "transfer", "resolve", "return", "merge", "category"},
    State.RETURNED: {"assign", "reject", "merge", "category"},
    State.RESOLVED: set(),
    State.RATED: set(),
    State.REJECTED: set(),
    State.MERGED: set(),
}


def can_reveal_mobile(user: User | AnonymousUser | None, demand: Demand) -> bool:
    """The full mobile: the assigned handler (responsible body) and union staff in scope."""
    return is_handler(user, demand) or can_supervise(user, demand)


def can_triage(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    """The 待分类 queue: union staff (of the union that received the demand: the queue shows
    only demands in their scope, and a demand outside it is a 404)."""
    return is_union_staff(user)


def can_manage_classifier(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    """The category model is the installation's, like the time limits: union admins (every
    roll back is in the audit log)."""
    return can_configure(user)
