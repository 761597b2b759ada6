"""``{% delivery_status "app.model:pk" %}``: who was told of a record, by which channel, and
whether it went out (sent, failed with the reason, waiting), for the record's page. Pages show
it to their staff only; it reads notifications' selectors (two queries)."""

from typing import Any

from django import template
from django.db.models import Count, Model, Q

from liandong.notifications.models import Message
from liandong.notifications.selectors import deliveries_for_target

register = template.Library()

SHOWN = 50


def target_of(record: Model) -> str:
    """The ``target`` notices give a record: "app_label.model_name:pk"."""
    return f"{record._meta.app_label}.{record._meta.model_name}:{record.pk}"


@register.inclusion_tag("notifications/_delivery_status.html")
def delivery_status(target: str | Model) -> dict[str, Any]:
    """For a target string, or for the record itself."""
    if isinstance(target, Model):
        target = target_of(target)
    deliveries = list(
        deliveries_for_target(target).select_related("recipient", "endpoint")[: SHOWN + 1]
    )
    inbox = Message.objects.filter(target=target).aggregate(
        total=Count("id"), read=Count("id", filter=Q(read_at__isnull=False))
    )
    return {
        "deliveries": deliveries[:SHOWN],
        "more": len(deliveries) > SHOWN,
        "inbox_total": inbox["total"],
        "inbox_read": inbox["read"],
    }
