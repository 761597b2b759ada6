"""Who may see what in the notifications app. Every account has its own inbox and choices and
sees no one else's; union admins see the failed deliveries of their subtree and resend them."""

from typing import TYPE_CHECKING, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from liandong.accounts.models import Role, User
from liandong.accounts.permissions import acts_for_organization, is_active_user
from liandong.notifications.models import Delivery, Message, WebhookEndpoint
from liandong.organizations.models import subtree_q

if TYPE_CHECKING:
    from liandong.accounts.models import StaffUser


def can_use_inbox(user: User | AnonymousUser | None) -> TypeGuard[User]:
    return is_active_user(user)


def messages_visible_to(user: User | AnonymousUser | None) -> QuerySet[Message]:
    if not can_use_inbox(user):
        return Message.objects.none()
    return Message.objects.filter(recipient=user)


def can_manage_deliveries(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    return acts_for_organization(user) and user.role == Role.UNION_ADMIN


def deliveries_visible_to(user: User | AnonymousUser | None) -> QuerySet[Delivery]:
    """Union admins: deliveries on behalf of organizations of their subtree."""
    if not can_manage_deliveries(user):
        return Delivery.objects.none()
    return Delivery.objects.filter(subtree_q(user.organization.path, "organization__path"))


def can_manage_webhooks(user: User | AnonymousUser | None) -> TypeGuard["StaffUser"]:
    """Union admins manage their own organization's group robots (not their subtree's: a
    robot posts into a group of that organization)."""
    return acts_for_organization(user) and user.role == Role.UNION_ADMIN


def webhooks_visible_to(user: User | AnonymousUser | None) -> QuerySet[WebhookEndpoint]:
    if not can_manage_webhooks(user):
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.filter(organization_id=user.organization_id)
