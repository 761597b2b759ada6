"""Who may see and do what in democratic management. Pages and API both use these.

An enterprise's records are visible to that enterprise's union (Role.ENTERPRISE_UNION accounts of
it) and to the unions above it (union admins and staff whose organization is an ancestor); partner
liaisons and judges see none. A worker sees the public side of their own enterprise: its
proposals, its disclosures, and acts as a delegate where they are one.
"""

from datetime import date
from typing import TYPE_CHECKING, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import IntegerField, Q, QuerySet

from liandong.accounts.models import Role, User
from liandong.accounts.permissions import acts_for_organization, is_worker
from liandong.core.querying import filter_unindexed
from liandong.democracy.models import (
    Case,
    Congress,
    Delegate,
    Disclosure,
    Negotiation,
    Nomination,
    Proposal,
    TeachingPoint,
)
from liandong.organizations.models import Organization, subtree_q
from liandong.workers.models import Worker

if TYPE_CHECKING:
    from liandong.accounts.models import StaffUser

STAFF_ROLES = {Role.UNION_ADMIN, Role.UNION_STAFF, Role.ENTERPRISE_UNION}
UNION_ROLES = {Role.UNION_ADMIN, Role.UNION_STAFF}


def is_democracy_staff(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    return acts_for_organization(user) and user.role in STAFF_ROLES


def is_union_reviewer(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    """Union staff above enterprises: review nominations, curate the case library."""
    return acts_for_organization(user) and user.role in UNION_ROLES


def _scope(user: "StaffUser", field: str) -> Q:
    return subtree_q(user.organization.path, field)


def can_manage_enterprise(user: User | AnonymousUser | None, enterprise: Organization) -> bool:
    return is_democracy_staff(user) and enterprise.path.startswith(user.organization.path)


def enterprises_in_scope(user: User | AnonymousUser | None) -> list[int]:
    """Ids of the enterprises in a staff account's subtree. Resolved first, so that a list is an
    index range on (enterprise, id) rather than a join checked row by row (see the bench)."""
    if not acts_for_organization(user):
        return []
    return list(
        Organization.objects.filter(
            _scope(user, "path"), kind=Organization.Kind.ENTERPRISE
        ).values_list("pk", flat=True)
    )


def worker_of(user: User | AnonymousUser | None) -> Worker | None:
    if not is_worker(user):
        return None
    return Worker.objects.select_related("employer").filter(user=user).first()


def worker_enterprise_ids(worker: Worker | None) -> list[int]:
    """The enterprises a worker belongs to: every enterprise on the path to their employer."""
    if worker is None:
        return []
    employer = worker.employer
    ids = [*employer.ancestor_ids, employer.pk]
    return list(
        Organization.objects.filter(pk__in=ids, kind=Organization.Kind.ENTERPRISE).values_list(
            "pk", flat=True
        )
    )


def congresses_visible_to(user: User | AnonymousUser | None) -> QuerySet[Congress]:
    if is_democracy_staff(user):
        return Congress.objects.filter(_scope(user, "enterprise__path"))
    if is_worker(user):
        return Congress.objects.filter(enterprise_id__in=worker_enterprise_ids(worker_of(user)))
    return Congress.objects.none()


def proposals_visible_to(user: User | AnonymousUser | None) -> QuerySet[Proposal]:
    """Staff: the proposals of their subtree's enterprises. A worker: the public list of their
    own enterprise (every delegate's proposals, as the congress publishes them)."""
    if is_democracy_staff(user):
        ids = enterprises_in_scope(user)
        if len(ids) == 1:  # an enterprise union: one range of the (enterprise, id) index
            return Proposal.objects.filter(enterprise_id=ids[0])
        # Many enterprises: SQLite would read every match through the (enterprise, id) index and
        # sort them; walking the ids backwards finds the newest 20 at once (see filter_range).
        return filter_unindexed(Proposal.objects.all(), "enterprise_id", "in", ids, IntegerField())
    if is_worker(user):
        return Proposal.objects.filter(enterprise_id__in=worker_enterprise_ids(worker_of(user)))
    return Proposal.objects.none()


def delegate_for(user: User | AnonymousUser | None, congress: Congress) -> Delegate | None:
    if not is_worker(user):
        return None
    return (
        Delegate.objects.filter(congress=congress, worker__user=user)
        .select_related("worker")
        .first()
    )


def can_manage_congress(user: User | AnonymousUser | None, congress: Congress) -> bool:
    return can_manage_enterprise(user, congress.enterprise)


def disclosures_visible_to(
    user: User | AnonymousUser | None, *, today: date | None = None
) -> QuerySet[Disclosure]:
    """Staff: all of their subtree's items. A worker: their enterprise's items in their period."""
    if is_democracy_staff(user):
        return Disclosure.objects.filter(_scope(user, "enterprise__path"))
    if is_worker(user):
        from django.utils import timezone

        today = today or timezone.localdate()
        return Disclosure.objects.filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=today),
            enterprise_id__in=worker_enterprise_ids(worker_of(user)),
            publish_on__lte=today,
        )
    return Disclosure.objects.none()


def negotiations_visible_to(user: User | AnonymousUser | None) -> QuerySet[Negotiation]:
    if is_democracy_staff(user):
        return Negotiation.objects.filter(_scope(user, "organization__path"))
    return Negotiation.objects.none()


def cases_visible_to(user: User | AnonymousUser | None) -> QuerySet[Case]:
    """The case library is shared teaching material: every union and enterprise account sees
    the cases curated in its subtree and by the unions above it."""
    if not is_democracy_staff(user):
        return Case.objects.none()
    return Case.objects.filter(
        _scope(user, "organization__path") | Q(organization_id__in=user.organization.ancestor_ids)
    )


def can_curate_cases(
    user: User | AnonymousUser | None, organization: Organization | None = None
) -> bool:
    if not is_union_reviewer(user):
        return False
    return organization is None or organization.path.startswith(user.organization.path)


def teaching_points_visible_to(user: User | AnonymousUser | None) -> QuerySet[TeachingPoint]:
    if not is_democracy_staff(user):
        return TeachingPoint.objects.none()
    return TeachingPoint.objects.filter(_scope(user, "enterprise__path"))


def nominations_visible_to(user: User | AnonymousUser | None) -> QuerySet[Nomination]:
    if is_democracy_staff(user):
        return Nomination.objects.filter(_scope(user, "worker__employer__path"))
    if is_worker(user):
        return Nomination.objects.filter(worker__user=user)
    return Nomination.objects.none()


def can_nominate(user: User | AnonymousUser | None, worker: Worker) -> TypeGuard["StaffUser"]:
    return is_democracy_staff(user) and worker.employer.path.startswith(user.organization.path)


def can_review_nomination(
    user: User | AnonymousUser | None, nomination: Nomination
) -> TypeGuard["StaffUser"]:
    """A union strictly above the nominating body, not yet reviewed by this union."""
    return (
        is_union_reviewer(user)
        and nomination.nominated_by.path.startswith(user.organization.path)
        and nomination.nominated_by.path != user.organization.path
    )


def public_nominations() -> QuerySet[Nomination]:
    """What anyone may see: nominations under public notice (personal data masked by the page)."""
    return Nomination.objects.filter(status=Nomination.Status.NOTICE)
