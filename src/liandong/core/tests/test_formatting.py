"""One way to show things (core.formatting and its template filters)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.template import Context, Template

from liandong.core.formatting import cn_date, cn_datetime, cn_time, grouped, yuan


def test_dates_and_times_read_the_chinese_way() -> None:
    assert cn_date(dt.date(2026, 12, 2)) == "2026年12月2日"
    # An aware moment is shown in local time (Asia/Shanghai): 18:05 UTC is the next day there.
    late = dt.datetime(2026, 12, 1, 18, 5, tzinfo=dt.UTC)
    assert cn_date(late) == "2026年12月2日"
    assert cn_time(late) == "02:05"
    assert cn_datetime(dt.datetime(2026, 12, 2, 14, 5, tzinfo=ZoneInfo("Asia/Shanghai"))) == (
        "2026年12月2日 14:05"
    )
    assert cn_date(None) == cn_datetime(None) == ""


def test_money_is_grouped_by_three_with_two_places_and_the_unit() -> None:
    assert yuan(301300) == "301,300.00 元"
    assert yuan(Decimal("1234.5")) == "1,234.50 元"
    assert yuan("-0.005") == "-0.01 元"
    assert yuan(None) == yuan("") == ""
    assert yuan("不是数") == "不是数"
    assert grouped(1968000) == "1,968,000"
    assert grouped("NaN") == "NaN"


def test_the_filters_are_the_functions() -> None:
    html = Template(
        "{% load liandong_format %}{{ a|yuan }}|{{ d|cn_date }}|{{ t|cn_datetime }}|{{ n|grouped }}"
    ).render(
        Context(
            {
                "a": 301300,
                "d": dt.date(2026, 12, 2),
                "t": dt.datetime(2026, 12, 2, 14, 5, tzinfo=ZoneInfo("Asia/Shanghai")),
                "n": 12345,
            }
        )
    )
    assert html == "301,300.00 元|2026年12月2日|2026年12月2日 14:05|12,345"
