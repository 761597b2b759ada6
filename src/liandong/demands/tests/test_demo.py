import pytest

from liandong.core.demo import demo_load
from liandong.demands import config
from liandong.demands.models import Demand, DemandEvent, DemandRollup, RoutingRule, State
from liandong.notifications.models import Message
from liandong.notifications.services import expand_pending
from liandong.outreach.models import Visit
from liandong.workers.models import Worker

pytestmark = pytest.mark.django_db


def test_the_demo_holds_demands_in_every_state_and_loads_twice_to_the_same_data() -> None:
    config.clear()
    demo_load()
    counts = (Demand.objects.count(), DemandEvent.objects.count(), RoutingRule.objects.count())
    # 320 from the demands demo, and one a key-enterprise visit of the outreach demo raised.
    raised = Visit.objects.exclude(demand_id=None).count()
    assert raised == 1
    assert counts[0] == 320 + raised
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
    assert received == 320 + raised
    # The replay told no one; today's news is told for real: the bodies' accounts of the last
    # day's routed demands (expanded by the worker), the demo worker of their answers.
    expand_pending()
    routed = Message.objects.filter(kind="demands.routed")
    assert routed.exists()
    assert {m.recipient.organization_id for m in routed} <= set(
        Demand.objects.filter(state=State.DISPATCHED).values_list("body_id", flat=True)
    )
    wang = Worker.objects.get(name="王建国")
    told = Message.objects.filter(recipient_id=wang.user_id)
    assert {"demands.answered", "demands.resolved"} <= set(told.values_list("kind", flat=True))
    messages = Message.objects.count()
    demo_load()
    expand_pending()
    assert (
        Demand.objects.count(),
        DemandEvent.objects.count(),
        RoutingRule.objects.count(),
        Message.objects.count(),
    ) == (*counts, messages)
