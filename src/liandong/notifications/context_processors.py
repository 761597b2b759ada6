from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from liandong.notifications.selectors import unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    """The header's unread count: one COUNT over the partial index of unread messages, run
    only when a page shows it (lazy)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": SimpleLazyObject(lambda: unread_count(user))}
