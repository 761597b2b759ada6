from typing import Any

import pytest

from liandong.demands.models import RoutingRule
from liandong.demands.services import routing_rule_create
from liandong.organizations.tests.factories import OrganizationFactory


@pytest.fixture
def rules(world: Any) -> dict[str, RoutingRule]:
    """Courier wage demands in 兰州 go to the authority (a partner of union A) with an
    association co-handling; anything else in 快递 goes to enterprise A; the rest to union A."""
    association = OrganizationFactory(name="省快递协会", code="W-ASSOC", kind="association")
    return {
        "wages": routing_rule_create(
            actor=None,
            union=world.union_a,
            body=world.authority,
            category="wages",
            industry="快递",
            co_bodies=[association],
        ),
        "courier": routing_rule_create(
            actor=None, union=world.union_a, body=world.enterprise_a, industry="快递", priority=50
        ),
        "any": routing_rule_create(
            actor=None, union=world.union_a, body=world.union_a, priority=200
        ),
    }


@pytest.fixture(autouse=True)
def _fresh_configuration() -> None:
    """Each test's rules live in its own (rolled back) transaction: drop the process's copy."""
    from liandong.demands import config

    config.clear()
