import json
from html import escape
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

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


@register.simple_tag
def chart_rows(chart: Any) -> SafeString:
    """A chart's data table rows: the label (a link to the records when there is one) and each
    value as ``figure`` prints it. Written in one pass with the standard library's escape
    (a body chart has hundreds of rows: as template tags, or ``format_html`` per cell, 5 to
    12 ms of the dashboard; this, under 1 ms). Every text is escaped."""
    lines = []
    for row in chart.rows:
        label = escape(str(row.label))
        if row.url:
            label = f'<a href="{escape(row.url)}">{label}</a>'
        cells = "".join(f'<td class="num">{escape(figure(value))}</td>' for value in row.values)
        lines.append(f'<tr><th scope="row">{label}</th>{cells}</tr>')
    return mark_safe("\n".join(lines))  # noqa: S308 - built above from escaped text


# What json_script escapes so that the data cannot close its <script> element, done with three
# replaces rather than str.translate (a body chart's data: 4 ms -> 0.1 ms).
_SCRIPT_SAFE = (("&", "\\u0026"), ("<", "\\u003C"), (">", "\\u003E"))


@register.simple_tag
def chart_data(chart: Any) -> SafeString:
    """The chart's table as JSON in ``<script type="application/json">`` (Django's
    ``json_script``, the same escapes), read by reports.js to draw it."""
    text = json.dumps(chart.as_dict(), cls=DjangoJSONEncoder)
    for character, code in _SCRIPT_SAFE:
        text = text.replace(character, code)
    return format_html(
        '<script id="{}" type="application/json">{}</script>',
        chart.script_id,
        mark_safe(text),  # noqa: S308
    )
