"""Who may see, change, unmask, import and export workers. Pages and API both use these."""

from typing import TYPE_CHECKING, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from liandong.accounts.models import User
from liandong.accounts.permissions import PII_ROLES, ROSTER_ROLES, acts_for_organization, is_worker
from liandong.core.querying import filter_range
from liandong.organizations.models import Organization, path_successor, subtree_q
from liandong.workers.models import RosterImport, Worker

if TYPE_CHECKING:
    from liandong.accounts.models import StaffUser


def workers_visible_to(
    user: User | AnonymousUser | None, *, large_scope: bool = False
) -> QuerySet[Worker]:
    """Staff: workers employed anywhere in their subtree. A worker: only themself.
    A partner liaison's body employs no one, so it sees no worker here.

    ``large_scope`` changes how, not what: for a list over a large subtree the scope is
    written so that SQLite walks workers newest-first instead of sorting the whole subtree
    (see core.querying.filter_range)."""
    if is_worker(user):
        return Worker.objects.filter(user=user)
    if acts_for_organization(user):
        path = user.organization.path
        return filter_range(
            Worker.objects.all(),
            "employer__path",
            path,
            path_successor(path),
            use_index=not large_scope,
        )
    return Worker.objects.none()


def can_view_worker_pii(user: User | AnonymousUser | None, worker: Worker) -> bool:
    """Unmasked ID and mobile: the worker themself, or roster staff over the worker's employer."""
    if is_worker(user):
        return worker.user_id == user.pk
    return (
        acts_for_organization(user)
        and user.role in PII_ROLES
        and worker.employer.path.startswith(user.organization.path)
    )


def can_manage_roster(
    user: User | AnonymousUser | None, organization: Organization | None = None
) -> TypeGuard["StaffUser"]:
    """Import into, or edit workers of, ``organization`` (or anywhere, when None)."""
    if not (acts_for_organization(user) and user.role in ROSTER_ROLES):
        return False
    return organization is None or organization.path.startswith(user.organization.path)


def can_export_workers(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    return acts_for_organization(user)


def roster_imports_visible_to(user: User | AnonymousUser | None) -> QuerySet[RosterImport]:
    if not can_manage_roster(user):
        return RosterImport.objects.none()
    return RosterImport.objects.filter(subtree_q(user.organization.path, "organization__path"))


def can_manage_honours(user: User | AnonymousUser | None, worker: Worker) -> bool:
    """Record or remove a worker's honours: roster staff over the worker's employer."""
    return can_manage_roster(user, worker.employer)
