from django.db.models import QuerySet

from liandong.accounts.models import User
from liandong.notifications.models import Delivery, Message


def mobile_ciphers(user_ids: list[int]) -> dict[int, str]:
    """The encrypted mobile of each account that has one, in one query: its worker record's,
    else its own (a body's leader, 负责人). The one rule of where an account's SMS goes."""
    rows = User.objects.filter(pk__in=user_ids).values_list(
        "pk", "worker__mobile_cipher", "mobile_cipher"
    )
    return {pk: worker or own for pk, worker, own in rows if worker or own}


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
