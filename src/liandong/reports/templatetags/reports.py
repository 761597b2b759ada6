from django import template

register = template.Library()


@register.filter
def figure(value: object) -> str:
    """A figure the way a Chinese report prints it: thousands separated, whole numbers without
    decimals, others to one decimal place (12,345; 75.5; 3,200,000)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "—" if value is None else str(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"
