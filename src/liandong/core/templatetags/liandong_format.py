"""The shared display filters (core.formatting): ``{% load liandong_format %}``, then
``{{ amount|yuan }}`` → 301,300.00 元, ``{{ count|grouped }}`` → 1,968,000,
``{{ day|cn_date }}`` → 2026年12月2日, ``{{ moment|cn_datetime }}`` → 2026年12月2日 14:05,
``{{ moment|cn_time }}`` → 14:05."""

from django import template

from liandong.core import formatting

register = template.Library()

register.filter("yuan", formatting.yuan)
register.filter("cn_date", formatting.cn_date)
register.filter("cn_time", formatting.cn_time)
register.filter("cn_datetime", formatting.cn_datetime)


@register.filter
def grouped(value: object, places: int = 0) -> str:
    return formatting.grouped(value, places)
