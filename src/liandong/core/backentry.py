"""补录 (records from before the platform): the date rules every app's back-entry shares.

A union that adopts the platform mid-year records what it already did (meetings held,
activities run, contests decided) so that the year's figures cover the whole year. Those
records are history: their dates are never in the future, and not older than the window a
year-end summary can still need (two years back)."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from liandong.core.formatting import cn_date

BACK_ENTRY_MAX_DAYS = 730  # two years: last year's summary can still be completed
BACK_ENTRY_LABEL = "补录"


def back_entry_floor(today: date | None = None) -> date:
    """The earliest date a back-entered record may carry."""
    return (today or timezone.localdate()) - timedelta(days=BACK_ENTRY_MAX_DAYS)


def _day(value: date) -> str:
    return cn_date(value)


def back_entry_date_check(
    value: date | None,
    *,
    field: str,
    label: str,
    today: date | None = None,
    not_before: date | None = None,
    not_before_label: str = "",
) -> date:
    """``value`` if it is a date of the past window; otherwise a refusal naming ``field``."""
    today = today or timezone.localdate()
    if value is None:
        raise ValidationError({field: f"请填写{label}。"}, code="required")
    if value > today:
        raise ValidationError(
            {field: f"补录的{label}不能晚于今天（{_day(today)}）。"}, code="back_entry_future"
        )
    floor = back_entry_floor(today)
    if value < floor:
        raise ValidationError(
            {field: f"补录的{label}不能早于{_day(floor)}（最多补录两年内的记录）。"},
            code="back_entry_too_old",
        )
    if not_before is not None and value < not_before:
        raise ValidationError(
            {field: f"{label}不能早于{not_before_label}（{_day(not_before)}）。"},
            code="back_entry_order",
        )
    return value
