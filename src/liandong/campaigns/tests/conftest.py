from datetime import date
from typing import Any

import pytest

from liandong.campaigns import services
from liandong.campaigns.models import Campaign, Task

YEAR = 2026


@pytest.fixture
def campaign(world: Any) -> Campaign:
    return services.campaign_create(
        actor=world.users["staff_a"],
        owner=world.union_a,
        name="八项行动",
        starts_on=date(YEAR, 1, 1),
        ends_on=date(YEAR, 12, 31),
    )


@pytest.fixture
def task(world: Any, campaign: Campaign) -> Task:
    return services.task_create(
        actor=world.users["staff_a"],
        campaign=campaign,
        title="推动国企规范职代会机制",
        due_on=date(YEAR, 11, 30),
    )
