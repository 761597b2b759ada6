"""Money and counts with thousands separators (1,968,000 元).

Django's ``intcomma`` groups through the active locale's NUMBER_GROUPING, which zh-hans leaves
at 0, so under the Chinese UI ``1968000|intcomma`` stays ``1968000``. This filter groups by
three whatever the locale, as Chinese financial statements do."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def money(value: object, places: int = 0) -> str:
    """``1968000`` → ``1,968,000``; ``money:2`` → ``1,968,000.00``. Not a number: returned as is."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return "" if value is None else str(value)
    places = max(0, int(places))
    quantum = Decimal(1).scaleb(-places)
    return f"{number.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"
