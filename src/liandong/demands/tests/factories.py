"""Demands for tests, made through the real service (encryption, routing, clocks, rollup)."""

import itertools
from typing import Any

from liandong.demands.models import Demand
from liandong.demands.services import demand_submit

_mobiles = itertools.count(13800000101)


def make_demand(**overrides: Any) -> Demand:
    fields: dict[str, Any] = {
        "category": "wages",
        "description": "网点连续两个月拖欠派费，站长说总部没结算，一直拖着不给。",
        "industry": "快递",
        "city": "兰州",
        "mobile": str(next(_mobiles)),
        "employer_name": "甲快递城关网点",
        "consent": True,
    }
    fields.update(overrides)
    demand, _ = demand_submit(**fields)
    return demand
