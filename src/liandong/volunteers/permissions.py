"""Who may see and change volunteer teams. Pages and API both use these.

Staff of a union (and of enterprise unions, partner bodies) see the teams sponsored in their
subtree; union staff and admins manage them (members, hours, trainings, honours) and may
unmask an outside volunteer's mobile, audited. Everyone else gets a 404."""

from typing import TYPE_CHECKING, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from liandong.accounts.models import Role, User
from liandong.accounts.permissions import acts_for_organization
from liandong.organizations.models import Organization, subtree_q
from liandong.volunteers.models import Member, Team, Training
from liandong.workers.models import Worker
from liandong.workers.permissions import workers_visible_to

if TYPE_CHECKING:
    from liandong.accounts.models import StaffUser

MANAGER_ROLES = {Role.UNION_ADMIN, Role.UNION_STAFF}
SPONSOR_KINDS = [
    Organization.Kind.UNION,
    Organization.Kind.UNION_FEDERATION,
    Organization.Kind.ENTERPRISE,
]


def can_use_volunteers(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    """The menu entry and the list: accounts that act for an organization."""
    return acts_for_organization(user)


def is_manager(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    return acts_for_organization(user) and user.role in MANAGER_ROLES


def teams_visible_to(user: User | AnonymousUser | None) -> QuerySet[Team]:
    if not acts_for_organization(user):
        return Team.objects.none()
    return Team.objects.filter(
        subtree_q(user.organization.path, "organization__path")
    ).select_related("organization")


def can_create_team(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    return is_manager(user)


def can_manage_team(user: User | AnonymousUser | None, team: Team) -> bool:
    return is_manager(user) and team.organization.path.startswith(user.organization.path)


def sponsor_choices(user: User | AnonymousUser | None) -> QuerySet[Organization]:
    """Unions (and enterprises' unions) a manager may set up a team under: their subtree."""
    if not is_manager(user):
        return Organization.objects.none()
    return Organization.objects.filter(
        subtree_q(user.organization.path), kind__in=SPONSOR_KINDS
    ).order_by("path")


def workers_addable_by(user: User | AnonymousUser | None) -> QuerySet[Worker]:
    """Workers a manager may enrol: those of their subtree (another subtree's is a 404)."""
    if not is_manager(user):
        return Worker.objects.none()
    return workers_visible_to(user)


def members_visible_to(user: User | AnonymousUser | None) -> QuerySet[Member]:
    return Member.objects.filter(team__in=teams_visible_to(user).values("pk")).select_related(
        "team", "team__organization", "worker"
    )


def trainings_visible_to(user: User | AnonymousUser | None) -> QuerySet[Training]:
    return Training.objects.filter(team__in=teams_visible_to(user).values("pk")).select_related(
        "team", "team__organization"
    )


def can_reveal_mobile(user: User | AnonymousUser | None, member: Member) -> bool:
    """An outside volunteer's full mobile: the managers of the team, audited. A worker's
    number is revealed on the worker's page, under the roster's rule."""
    return bool(member.mobile_cipher) and can_manage_team(user, member.team)
