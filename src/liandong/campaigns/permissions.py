"""Who may see and do what with campaigns. Pages and API both use these.

A campaign belongs to its owning union. It is seen by the union staff of that union and of the
unions above it (who manage it), and by the bodies taking part: organizations of its subtree
(lower unions, enterprise unions) and the partner bodies linked to the owning union (a
liaison's authority or association). Those participants may claim its tasks (揭榜) and report
progress for their own body. Judges and workers see none; another body's campaign is a 404.
"""

from typing import TYPE_CHECKING, Any, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from liandong.accounts.models import Role, User
from liandong.accounts.permissions import acts_for_organization
from liandong.campaigns.models import Campaign, Task
from liandong.organizations.models import Organization, subtree_q

if TYPE_CHECKING:
    from liandong.accounts.models import StaffUser

MANAGER_ROLES = {Role.UNION_ADMIN, Role.UNION_STAFF}


def is_campaign_staff(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    """Union staff: may start campaigns for a union of their subtree."""
    return acts_for_organization(user) and user.role in MANAGER_ROLES


def opens_counted_records(user: User | AnonymousUser | None, organization: Organization) -> bool:
    """Whether the records counted for ``organization`` link to their pages for ``user``: the
    staff of that union or of a union above it, whose modules show them the subtree's records.
    Anyone else taking part (an enterprise union, a partner body) sees titles and dates only,
    as the record pages are not theirs to open."""
    return is_campaign_staff(user) and organization.path.startswith(user.organization.path)


def may_open_campaigns(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    """The menu entry: every account that acts for a body may find campaigns it takes part in."""
    return acts_for_organization(user)


def _partner_owner_ids(organization: Organization) -> QuerySet[Any, Any]:
    return Organization.partners.through.objects.filter(to_organization_id=organization.pk).values(
        "from_organization_id"
    )


def campaigns_visible_to(user: User | AnonymousUser | None) -> QuerySet[Campaign]:
    if not acts_for_organization(user):
        return Campaign.objects.none()
    org = user.organization
    managed = subtree_q(org.path, "owner__path")
    taking_part = Q(owner_id__in=org.ancestor_ids) | Q(owner_id__in=_partner_owner_ids(org))
    if user.role in MANAGER_ROLES:
        return Campaign.objects.filter(managed | taking_part)
    return Campaign.objects.filter(taking_part | Q(owner_id=org.pk))


def can_create_campaign(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    return is_campaign_staff(user)


def owners_for(user: User | AnonymousUser | None) -> QuerySet[Organization]:
    """The unions a user may start a campaign for: unions of their subtree."""
    if not is_campaign_staff(user):
        return Organization.objects.none()
    return Organization.objects.filter(
        subtree_q(user.organization.path),
        kind__in=[Organization.Kind.UNION, Organization.Kind.UNION_FEDERATION],
    )


def can_manage(user: User | AnonymousUser | None, campaign: Campaign) -> bool:
    """Union staff of the owning union or of a union above it."""
    return is_campaign_staff(user) and campaign.owner.path.startswith(user.organization.path)


def is_participant(user: User | AnonymousUser | None, campaign: Campaign) -> bool:
    """A body below the owning union, or a partner body linked to it."""
    if not acts_for_organization(user):
        return False
    org = user.organization
    if org.pk == campaign.owner_id:
        return False
    if org.path.startswith(campaign.owner.path):
        return True
    return _partner_owner_ids(org).filter(from_organization_id=campaign.owner_id).exists()


def can_claim(user: User | AnonymousUser | None, task: Task) -> bool:
    return task.claimed_by_id is None and is_participant(user, task.campaign)


def acts_for_claimant(user: User | AnonymousUser | None, task: Task) -> bool:
    return (
        acts_for_organization(user)
        and task.claimed_by_id is not None
        and user.organization_id == task.claimed_by_id
    )


def can_work_on_task(user: User | AnonymousUser | None, task: Task) -> bool:
    """Add milestones, mark them done, record the result: the claiming body or the managers."""
    return acts_for_claimant(user, task) or can_manage(user, task.campaign)


def can_report(user: User | AnonymousUser | None, campaign: Campaign) -> bool:
    return can_manage(user, campaign) or is_participant(user, campaign)


def reporting_organizations(
    user: User | AnonymousUser | None, campaign: Campaign
) -> QuerySet[Organization]:
    """Whom a user may report progress for: managers any body of the campaign's subtree, a
    participant their own body."""
    if can_manage(user, campaign):
        return Organization.objects.filter(subtree_q(campaign.owner.path))
    if is_participant(user, campaign) and acts_for_organization(user):
        return Organization.objects.filter(pk=user.organization_id)
    return Organization.objects.none()


def target_organizations(campaign: Campaign) -> QuerySet[Organization]:
    """Targets are set for the owning union and the unions of its subtree."""
    return Organization.objects.filter(
        subtree_q(campaign.owner.path),
        kind__in=[Organization.Kind.UNION, Organization.Kind.UNION_FEDERATION],
    )


def tasks_visible_to(user: User | AnonymousUser | None) -> QuerySet[Task]:
    return Task.objects.filter(campaign__in=campaigns_visible_to(user).values("pk"))
