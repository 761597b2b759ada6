"""One way to show things to people: dates as 2026年12月2日, times as 14:05, money as
301,300.00 元. Pages use the template filters (core/templatetags/liandong_format.py), messages
and the API's human-readable fields these functions; machine fields stay ISO 8601."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone


def cn_date(value: dt.date | dt.datetime | None) -> str:
    """``2026-12-02`` → ``2026年12月2日``; a datetime is shown in local time. None → ``""``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.year}年{value.month}月{value.day}日"


def cn_time(value: dt.datetime | dt.time | None) -> str:
    """``14:05`` (local time for an aware datetime)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value:%H:%M}"


def cn_datetime(value: dt.datetime | None) -> str:
    """``2026年12月2日 14:05`` in local time."""
    if value is None:
        return ""
    return f"{cn_date(value)} {cn_time(value)}"


def grouped(value: object, places: int = 0) -> str:
    """``1968000`` → ``1,968,000``; ``places=2`` → ``1,968,000.00``. Grouped by three whatever
    the locale: Django's ``intcomma`` follows zh-hans's NUMBER_GROUPING, which is 0, so under
    the Chinese UI it does not group at all. Not a number: returned as text."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return "" if value is None else str(value)
    if not number.is_finite():
        return str(value)
    places = max(0, int(places))
    quantum = Decimal(1).scaleb(-places)
    return f"{number.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"


def yuan(value: object) -> str:
    """An amount of money: ``301300`` → ``301,300.00 元``; nothing → ``""``."""
    if value is None or value == "":
        return ""
    text = grouped(value, 2)
    return f"{text} 元" if text and text[-1].isdigit() else text
