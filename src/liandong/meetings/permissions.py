"""Who may see and change mechanisms, meetings and action items. Pages and API both use these.

Union staff and admins of the convening union, and of the unions above it, manage a
mechanism. The people of its member bodies (liaisons, enterprise unions, staff of a member
union) see it, its meetings and published minutes, and report progress on the action items
their body leads. Everyone else gets a 404: another body's record does not exist for them.
"""

from typing import TYPE_CHECKING, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from liandong.accounts.models import Role, User
from liandong.accounts.permissions import acts_for_organization
from liandong.meetings.models import ActionItem, Mechanism, Meeting, ProgressAttachment
from liandong.organizations.models import Organization, subtree_q

if TYPE_CHECKING:
    from liandong.accounts.models import StaffUser

MANAGER_ROLES = {Role.UNION_ADMIN, Role.UNION_STAFF}


def can_use_meetings(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    """Accounts that act for an organization; the menu entry and the list pages."""
    return acts_for_organization(user)


def is_union_manager(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    return acts_for_organization(user) and user.role in MANAGER_ROLES


def mechanisms_visible_to(user: User | AnonymousUser | None) -> QuerySet[Mechanism]:
    if not acts_for_organization(user):
        return Mechanism.objects.none()
    query = Q(members__organization_id=user.organization_id) | Q(
        convening_union_id=user.organization_id
    )
    if user.role in MANAGER_ROLES:
        query |= subtree_q(user.organization.path, "convening_union__path")
    mechanisms = Mechanism.objects.filter(pk__in=Mechanism.objects.filter(query).values("pk"))
    return mechanisms.select_related("convening_union")


def mechanisms_managed_by(user: User | AnonymousUser | None) -> QuerySet[Mechanism]:
    if not is_union_manager(user):
        return Mechanism.objects.none()
    return Mechanism.objects.filter(
        subtree_q(user.organization.path, "convening_union__path")
    ).select_related("convening_union")


def can_create_mechanism(user: User | AnonymousUser | None) -> bool:
    return is_union_manager(user)


def convening_unions_for(user: User | AnonymousUser | None) -> QuerySet[Organization]:
    """Unions a manager may convene a mechanism for: their own and those below."""
    if not is_union_manager(user):
        return Organization.objects.none()
    return Organization.objects.filter(
        subtree_q(user.organization.path),
        kind__in=[Organization.Kind.UNION, Organization.Kind.UNION_FEDERATION],
    )


def can_manage_mechanism(user: User | AnonymousUser | None, mechanism: Mechanism) -> bool:
    return is_union_manager(user) and mechanism.convening_union.path.startswith(
        user.organization.path
    )


def meetings_visible_to(user: User | AnonymousUser | None) -> QuerySet[Meeting]:
    return Meeting.objects.filter(
        mechanism__in=mechanisms_visible_to(user).values("pk")
    ).select_related("mechanism", "mechanism__convening_union", "host_body")


def can_view_minutes(user: User | AnonymousUser | None, meeting: Meeting) -> bool:
    """Published minutes are for every member; a draft only for the managers."""
    return meeting.status == Meeting.Status.PUBLISHED or can_manage_mechanism(
        user, meeting.mechanism
    )


def action_items_visible_to(user: User | AnonymousUser | None) -> QuerySet[ActionItem]:
    return ActionItem.objects.filter(
        mechanism__in=mechanisms_visible_to(user).values("pk")
    ).select_related("mechanism", "mechanism__convening_union", "lead_body", "meeting")


def can_report_progress(user: User | AnonymousUser | None, item: ActionItem) -> bool:
    """The lead body's people, or the union staff who manage the mechanism."""
    if not acts_for_organization(user) or not item.is_open:
        return False
    return user.organization_id == item.lead_body_id or can_manage_mechanism(user, item.mechanism)


def can_cancel_action_item(user: User | AnonymousUser | None, item: ActionItem) -> bool:
    return item.is_open and can_manage_mechanism(user, item.mechanism)


def attachments_visible_to(user: User | AnonymousUser | None) -> QuerySet[ProgressAttachment]:
    return ProgressAttachment.objects.filter(
        report__action_item__mechanism__in=mechanisms_visible_to(user).values("pk")
    )


def can_back_enter(user: User | AnonymousUser | None, mechanism: Mechanism) -> bool:
    """补录: who manages the mechanism records its meetings from before the platform (and the
    mechanism has not been closed)."""
    return mechanism.status != Mechanism.Status.CLOSED and can_manage_mechanism(user, mechanism)
