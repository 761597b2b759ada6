"""Money and counts with thousands separators (1,968,000 元): core.formatting's, under the name
the activities templates load (``money``); new templates load ``liandong_format`` (``yuan``)."""

from django import template

from liandong.core import formatting

register = template.Library()


@register.filter
def money(value: object, places: int = 0) -> str:
    """``1968000`` → ``1,968,000``; ``money:2`` → ``1,968,000.00``. Not a number: returned as is."""
    return formatting.grouped(value, places)
