from datetime import timedelta

import pytest
from django.utils import timezone

from liandong.core.models import AuditLog
from liandong.core.tick import tick_run
from liandong.demands.jobs import (
    demands_escalate,
    demands_mark_breaches,
    demands_remind,
    demands_to_agenda,
)
from liandong.demands.models import Demand, DemandEvent, State
from liandong.demands.selectors import StatsFilters, demand_stats
from liandong.demands.services import demand_accept
from liandong.demands.tests.factories import make_demand

pytestmark = pytest.mark.django_db


def _shift(demand: Demand, **deltas: timedelta) -> Demand:
    Demand.objects.filter(pk=demand.pk).update(
        **{f: getattr(demand, f) - d for f, d in deltas.items()}
    )
    demand.refresh_from_db()
    return demand


def test_reminder_before_the_limit_then_nothing_twice(world, rules) -> None:
    now = timezone.now()
    demand = make_demand()
    Demand.objects.filter(pk=demand.pk).update(response_due=now + timedelta(hours=3))
    assert demands_remind(dry_run=True) == 1
    assert not DemandEvent.objects.filter(kind=DemandEvent.Kind.REMINDED).exists()
    assert demands_remind() == 1
    assert demands_remind() == 0
    event = DemandEvent.objects.get(kind=DemandEvent.Kind.REMINDED)
    assert not event.public


def test_breach_escalation_and_agenda_are_idempotent(world, rules) -> None:
    demand = make_demand()
    other = make_demand(mobile="13919310077")
    demand_accept(actor=world.users["liaison"], demand=other, note="已受理。")
    now = timezone.now()
    Demand.objects.filter(pk=demand.pk).update(
        response_due=now - timedelta(hours=1), resolution_due=now - timedelta(days=30)
    )
    first = dict(tick_run())
    assert first["demands.breaches"].endswith(": 1")
    assert first["demands.escalate"].endswith(": 1")
    assert first["demands.agenda"].endswith(": 1")  # unresolved 30 days past its resolution limit
    events_after_first = DemandEvent.objects.count()
    audits_after_first = AuditLog.objects.count()
    second = dict(tick_run())
    assert all(v.endswith(": 0") for k, v in second.items() if k.startswith("demands.")), second
    assert DemandEvent.objects.count() == events_after_first
    assert AuditLog.objects.count() == audits_after_first
    demand.refresh_from_db()
    assert demand.response_breached
    assert demand.is_breached
    assert demand.escalated_at is not None
    assert demand.agenda_at is not None
    escalated = demand.events.get(kind=DemandEvent.Kind.ESCALATED)
    assert escalated.public
    assert "督办" in escalated.note
    total, _ = demand_stats(user=world.users["staff_a"], filters=StatsFilters())
    assert total.counts["breached"] == 1
    assert total.counts["response_due"] == 2
    assert total.counts["responded_on_time"] == 1


def test_a_breached_demand_needing_several_bodies_goes_to_the_agenda(world, rules) -> None:
    demand = make_demand()  # wages → authority with the association co-handling
    assert demand.co_bodies.exists()
    Demand.objects.filter(pk=demand.pk).update(response_due=timezone.now() - timedelta(minutes=1))
    demands_mark_breaches()
    demands_escalate()
    assert demands_to_agenda() == 1


def test_a_breach_within_the_second_limit_of_a_single_body_demand_is_not_on_the_agenda(
    world, rules
) -> None:
    demand = make_demand(category="rest", description="每天工作十几个小时，一个月休息不到两天。")
    assert demand.body == world.enterprise_a
    assert not demand.co_bodies.exists()
    Demand.objects.filter(pk=demand.pk).update(response_due=timezone.now() - timedelta(minutes=1))
    demands_mark_breaches()
    assert demands_escalate() == 1
    assert demands_to_agenda() == 0


def test_resolved_demands_are_not_breached_later(world, rules) -> None:
    demand = make_demand()
    demand = demand_accept(actor=world.users["liaison"], demand=demand, note="已受理。")
    Demand.objects.filter(pk=demand.pk).update(
        state=State.RESOLVED, resolution_due=timezone.now() - timedelta(days=1)
    )
    assert demands_mark_breaches() == 0


def test_escalation_reaches_the_bodys_leader(
    world, rules, django_capture_on_commit_callbacks
) -> None:
    """The responsible body's accounts marked 负责人 (accounts: is_leader) are told by SMS
    (through notifications, after commit) and in their inbox."""
    from liandong.accounts.models import Role
    from liandong.accounts.services import account_create
    from liandong.accounts.sms import MemoryBackend

    demand = make_demand()
    assert demand.body is not None
    leader = account_create(
        actor=world.users["province_admin"],
        username="body_leader",
        display_name="单位负责人",
        role={"union": Role.UNION_STAFF, "enterprise": Role.ENTERPRISE_UNION}.get(
            demand.body.kind, Role.LIAISON
        ),
        organization=demand.body,
        mobile="13800006666",
        is_leader=True,
    )
    Demand.objects.filter(pk=demand.pk).update(is_breached=True)
    MemoryBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert demands_escalate() == 1
    sent = [text for mobile, text in MemoryBackend.outbox if mobile == "13800006666"]
    assert len(sent) == 1
    assert "督办" in sent[0]
    entry = AuditLog.objects.get(action="demands.escalated")
    assert entry.changes["leaders"] == [leader.pk]
