"""Who may see and do what with contests. Pages and API both call these.

- Union admins and staff run the contests of their subtree (``can_manage_contest``).
- Staff of a body (union, enterprise union) see the contests of their subtree and of the
  unions above them, and register the workers of their scope for those (``can_register``).
- A judge sees only the segments they are assigned to and their own score sheets; the chief
  judge (裁判长) of a contest also sees its results and corrects submitted sheets.
- A worker sees the contests they entered and their own results.
- Anyone sees the live scoreboard (order numbers only) and, once published, the results.
"""

from typing import TYPE_CHECKING, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from liandong.accounts.models import Role, User
from liandong.accounts.permissions import (
    ROSTER_ROLES,
    acts_for_organization,
    is_active_user,
    is_worker,
)
from liandong.competitions.models import (
    Contest,
    ContestStatus,
    Entrant,
    JudgeAssignment,
    ScoreSheet,
    Segment,
)
from liandong.organizations.models import subtree_q

if TYPE_CHECKING:
    from liandong.accounts.models import StaffUser

MANAGER_ROLES = {Role.UNION_ADMIN, Role.UNION_STAFF}


def is_judge(user: User | AnonymousUser | None) -> TypeGuard[User]:
    return is_active_user(user) and user.role == Role.JUDGE


def is_body_staff(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    """Staff that register entrants: unions and enterprise unions (a partner liaison's body
    employs no one on the roster)."""
    return acts_for_organization(user) and user.role in ROSTER_ROLES


def contests_managed_by(user: User | AnonymousUser | None) -> QuerySet[Contest]:
    if not (acts_for_organization(user) and user.role in MANAGER_ROLES):
        return Contest.objects.none()
    return Contest.objects.filter(subtree_q(user.organization.path, "organization__path"))


def contests_visible_to(user: User | AnonymousUser | None) -> QuerySet[Contest]:
    """Staff: contests of their subtree and of the unions above them. Judges: the contests
    they judge. Workers: the contests they entered."""
    if is_body_staff(user):
        org = user.organization
        return Contest.objects.filter(
            subtree_q(org.path, "organization__path") | Q(organization_id__in=org.ancestor_ids)
        )
    if is_judge(user):
        return Contest.objects.filter(
            Q(chief_judge=user) | Q(rounds__segments__assignments__judge=user)
        ).distinct()
    if is_worker(user):
        return Contest.objects.filter(entrants__worker__user=user).distinct()
    return Contest.objects.none()


def can_list_contests(user: User | AnonymousUser | None) -> bool:
    return is_body_staff(user) or is_judge(user) or is_worker(user)


def can_manage_contest(user: User | AnonymousUser | None, contest: Contest) -> bool:
    return (
        acts_for_organization(user)
        and user.role in MANAGER_ROLES
        and contest.organization.path.startswith(user.organization.path)
    )


def can_register(user: User | AnonymousUser | None, contest: Contest) -> TypeGuard["StaffUser"]:
    return is_body_staff(user) and contests_visible_to(user).filter(pk=contest.pk).exists()


def is_chief_judge(user: User | AnonymousUser | None, contest: Contest) -> bool:
    return is_judge(user) and contest.chief_judge_id == user.pk


def can_view_results(user: User | AnonymousUser | None, contest: Contest) -> bool:
    """The full results with every sheet: organizers and the chief judge."""
    return can_manage_contest(user, contest) or is_chief_judge(user, contest)


def entrants_visible_to(user: User | AnonymousUser | None, contest: Contest) -> QuerySet[Entrant]:
    entrants = Entrant.objects.filter(contest=contest)
    if can_view_results(user, contest):
        return entrants
    if is_body_staff(user):
        path = user.organization.path
        return entrants.filter(
            subtree_q(path, "registered_by__path") | subtree_q(path, "worker__employer__path")
        )
    if is_worker(user):
        return entrants.filter(worker__user=user)
    return entrants.none()


def segments_judged_by(user: User | AnonymousUser | None) -> QuerySet[Segment]:
    if not is_judge(user):
        return Segment.objects.none()
    return Segment.objects.filter(assignments__judge=user).select_related("round__contest")


def is_assigned(user: User | AnonymousUser | None, segment: Segment) -> bool:
    return is_judge(user) and JudgeAssignment.objects.filter(segment=segment, judge=user).exists()


def sheets_visible_to(user: User | AnonymousUser | None) -> QuerySet[ScoreSheet]:
    """A judge's own sheets; nobody else's through the judging pages."""
    if not is_judge(user):
        return ScoreSheet.objects.none()
    return ScoreSheet.objects.filter(judge=user)


def can_publish(user: User | AnonymousUser | None, contest: Contest) -> bool:
    return can_manage_contest(user, contest) and contest.status != ContestStatus.PUBLISHED


def can_back_enter_contest(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    """补录: who may set up a contest (union admins and staff) records one decided before the
    platform, for their own union."""
    return acts_for_organization(user) and user.role in MANAGER_ROLES
