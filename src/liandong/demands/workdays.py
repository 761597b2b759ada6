"""Chinese working days: public holidays and 调休 make-up workdays.

Source of truth, in order: days a union admin entered in the app (``CalendarDay``, for a year
the package does not cover yet), then the ``chinese_calendar`` package (the State Council's
published schedules, up to 2026 in version 1.11), then, for a year neither knows, Monday to
Friday, reported as a fallback so that the deadline can carry a visible warning.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import chinese_calendar
from django.utils import timezone

from liandong.demands import config


@dataclass(frozen=True)
class Deadline:
    at: datetime
    fallback: bool  # some day was counted Monday–Friday, without an official schedule


@lru_cache(maxsize=4096)
def _package_is_workday(day: date) -> bool | None:
    """The package's answer (None for a year it does not cover); its lookup is slow enough
    (~0.5 ms) to matter on the intake path, and its data never changes in a process."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


class Calendar:
    """One lookup of the entered days per computation (not per day)."""

    def __init__(self) -> None:
        self.entered, self.entered_years = config.calendar()
        self.fallback = False

    def is_workday(self, day: date) -> bool:
        if day in self.entered:
            return self.entered[day]
        if day.year in self.entered_years:
            return day.weekday() < 5
        known = _package_is_workday(day)
        if known is None:
            self.fallback = True
            return day.weekday() < 5
        return known

    def add_working_days(self, start: datetime, days: int) -> Deadline:
        """The end (24:00 local time) of the ``days``-th working day after the day of ``start``:
        a demand received on a Friday evening with one working day is due at the end of the
        next working day (a Saturday, if that is a 调休 make-up workday)."""
        day = timezone.localtime(start).date()
        self.fallback = False
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
        return Deadline(at=end, fallback=self.fallback)


def add_working_days(start: datetime, days: int) -> Deadline:
    return Calendar().add_working_days(start, days)


def package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True
