from datetime import datetime
from typing import Any

import pytest
from django.utils import timezone

from liandong.demands.tests.conftest import _fresh_configuration as _fresh_configuration
from liandong.demands.tests.conftest import rules as rules
from liandong.mediation import services
from liandong.mediation.models import Case, Party


def accepted(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour))  # noqa: DTZ001 - local time


def open_case(world: Any, *, now: datetime | None = None, **overrides: Any) -> Case:
    fields: dict[str, Any] = {
        "actor": world.users["staff_a"],
        "union": world.union_a,
        "case_type": "wages",
        "summary": "快递网点拖欠两个月工资共 8,600 元。",
        "applicant": services.PartyData(
            kind=Party.Kind.PERSON,
            name="王甲",
            id_number="620102198403152712",
            mobile="13919310001",
        ),
        "respondent": services.PartyData(
            kind=Party.Kind.ENTERPRISE, name="甲快递城关网点", contact_name="刘站长"
        ),
        "mediators": [world.users["staff_a"]],
        "now": now,
    }
    fields.update(overrides)
    return services.case_open(**fields)


@pytest.fixture
def case(world: Any) -> Case:
    return open_case(world)
