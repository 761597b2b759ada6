from django.db.models import QuerySet

from liandong.accounts.models import User
from liandong.notifications.models import Delivery, Message


def unread_count(user: User) -> int:
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox(user: User, *, unread_only: bool = False) -> QuerySet[Message]:
    messages = Message.objects.filter(recipient=user)
    if unread_only:
        messages = messages.filter(read_at__isnull=True)
    return messages


def deliveries_for_target(target: str) -> QuerySet[Delivery]:
    """The outbox rows of one record ("app.model:pk"), for its page's delivery status."""
    return Delivery.objects.filter(target=target).order_by("-id")
