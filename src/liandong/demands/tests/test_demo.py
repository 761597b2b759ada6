import pytest

from liandong.core.demo import demo_load
from liandong.demands import config
from liandong.demands.models import Demand, DemandEvent, DemandRollup, RoutingRule, State

pytestmark = pytest.mark.django_db


def test_the_demo_holds_demands_in_every_state_and_loads_twice_to_the_same_data() -> None:
    config.clear()
    demo_load()
    counts = (Demand.objects.count(), DemandEvent.objects.count(), RoutingRule.objects.count())
    assert counts[0] == 320
    states = set(Demand.objects.values_list("state", flat=True))
    assert {
        State.DISPATCHED,
        State.IN_PROGRESS,
        State.RESOLVED,
        State.RATED,
        State.REJECTED,
    } <= states
    assert Demand.objects.filter(is_breached=True).exists()
    assert Demand.objects.filter(agenda_at__isnull=False).exists()
    assert Demand.objects.exclude(rating="").count() > 100
    assert Demand.objects.filter(body__code="GS-YZJ", category="wages", industry="快递").exists()
    received = sum(
        DemandRollup.objects.filter(city=DemandRollup.ALL_CITIES).values_list("received", flat=True)
    )
    assert received == 320
    demo_load()
    assert (
        Demand.objects.count(),
        DemandEvent.objects.count(),
        RoutingRule.objects.count(),
    ) == counts
