"""Time limits in Chinese working days. The calendar package's 2026 data was checked first:
春节 2026 is 2月15日–23日 off, with make-up workdays on Saturday 2月14日 and Saturday 2月28日."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from liandong.demands.models import CalendarDay, CalendarYear
from liandong.demands.services import calendar_year_set
from liandong.demands.workdays import add_working_days, package_covers

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def test_the_package_knows_the_2026_spring_festival() -> None:
    assert chinese_calendar.is_workday(date(2026, 2, 14))  # Saturday, 调休
    assert not chinese_calendar.is_workday(date(2026, 2, 16))  # Monday, holiday
    assert not chinese_calendar.is_workday(date(2026, 2, 23))
    assert chinese_calendar.is_workday(date(2026, 2, 24))
    assert package_covers(2026)
    assert not package_covers(2027)


def test_one_working_day_from_a_friday_before_the_holiday_ends_on_the_makeup_saturday() -> None:
    due = add_working_days(datetime(2026, 2, 13, 18, 30, tzinfo=SH), 1)
    assert due.at == datetime(2026, 2, 15, 0, 0, tzinfo=SH)  # the end of Saturday 2月14日
    assert not due.fallback


def test_five_working_days_skip_the_whole_spring_festival() -> None:
    # 2/14 (调休), then 2/15–2/23 off, then 2/24, 2/25, 2/26, 2/27.
    due = add_working_days(datetime(2026, 2, 13, 9, 0, tzinfo=SH), 5)
    assert due.at == datetime(2026, 2, 28, 0, 0, tzinfo=SH)


def test_a_limit_in_an_uncovered_year_falls_back_to_monday_to_friday_with_a_warning() -> None:
    due = add_working_days(
        datetime(2026, 12, 31, 10, 0, tzinfo=SH), 1
    )  # Thursday → Friday 2027-01-01
    assert due.fallback
    assert due.at == datetime(2027, 1, 2, 0, 0, tzinfo=SH)


def test_an_entered_official_schedule_takes_precedence(django_capture_on_commit_callbacks) -> None:
    # Each change "commits" (runs its on_commit callbacks: the configuration copy is dropped).
    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_set(actor=None, year=2027, days=[(date(2027, 1, 1), False, "元旦")])
    assert CalendarYear.objects.filter(year=2027).exists()
    due = add_working_days(datetime(2026, 12, 31, 10, 0, tzinfo=SH), 1)
    assert not due.fallback
    assert due.at == datetime(
        2027, 1, 5, 0, 0, tzinfo=SH
    )  # 1/1 holiday, 1/2–1/3 weekend, Monday 1/4
    # and an entered day overrides the package in a covered year too
    with django_capture_on_commit_callbacks(execute=True):
        CalendarDay.objects.create(date=date(2026, 2, 14), is_workday=False, name="测试")
    assert add_working_days(datetime(2026, 2, 13, 9, 0, tzinfo=SH), 1).at == datetime(
        2026, 2, 25, 0, 0, tzinfo=SH
    )
