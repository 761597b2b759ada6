"""Who hears of a demand's steps (demands/notices.py through notifications.notify)."""

from typing import Any

import pytest
from django.utils import timezone

from liandong.accounts.sms import MemoryBackend
from liandong.demands.services import demand_accept, demand_assign, demand_resolve, demand_transfer
from liandong.demands.tests.factories import make_demand
from liandong.notifications.models import Delivery, Message


@pytest.fixture
def demand(world: Any, rules: Any) -> Any:
    return make_demand(mobile="13919316601")  # routed by rule to the authority


def test_answer_and_resolution_reach_a_worker_without_account_by_sms(
    world: Any, demand: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        demand_accept(actor=world.users["liaison"], demand=demand, note="已联系网点核实")
    with django_capture_on_commit_callbacks(execute=True):
        demand_resolve(actor=world.users["liaison"], demand=demand, note="派费已补发")
    assert not Message.objects.filter(kind__in=["demands.answered", "demands.resolved"]).exists()
    assert [mobile for mobile, _ in MemoryBackend.outbox] == ["13919316601", "13919316601"]
    answered, resolved = (text for _, text in MemoryBackend.outbox)
    assert demand.code in answered
    assert "答复" in answered
    assert f"/demands/track/?code={demand.code}" in resolved
    assert "办结" in resolved
    # the tracking code and link, never the demand's text or the note
    assert "派费" not in answered + resolved
    assert "网点" not in answered + resolved


def test_a_worker_with_an_account_gets_the_answer_in_the_inbox(
    world: Any, rules: Any, django_capture_on_commit_callbacks: Any
) -> None:
    demand = make_demand(mobile="13919310001")  # worker A's number; worker A has an account
    with django_capture_on_commit_callbacks(execute=True):
        demand_accept(actor=world.users["liaison"], demand=demand, note="已联系网点核实")
    message = Message.objects.get(kind="demands.answered")
    assert message.recipient == world.users["worker_a"]
    assert message.body.endswith("已联系网点核实")
    assert message.link == f"/demands/track/?code={demand.code}"
    # and by SMS (the kind's default) to the roster's number, once
    assert [mobile for mobile, _ in MemoryBackend.outbox] == ["13919310001"]


def test_routing_tells_the_body_handlers(world: Any, demand: Any) -> None:
    demand_transfer(
        actor=world.users["liaison"], demand=demand, body=world.enterprise_a, reason="属企业内部"
    )
    message = Message.objects.get(kind="demands.routed")
    assert message.recipient == world.users["enterprise_a"]
    assert demand.code in message.title
    assert "属企业内部" in message.body
    assert message.link == f"/demands/{demand.pk}/"
    demand.refresh_from_db()
    demand_assign(actor=world.users["staff_a"], demand=demand, body=world.authority)
    assert set(
        Message.objects.filter(kind="demands.routed").values_list("recipient__username", flat=True)
    ) == {"ent_a", "liaison"}


def test_routing_at_intake_is_one_row_now_and_the_handlers_inbox_moments_later(
    world: Any, demand: Any
) -> None:
    from liandong.notifications.models import PendingNotice
    from liandong.notifications.services import expand_pending

    pending = PendingNotice.objects.get()
    assert pending.event_key == f"demands.routed:{demand.pk}:intake"
    assert not Message.objects.exists()  # the intake wrote no message itself
    assert expand_pending() == 1
    assert expand_pending() == 0  # once
    message = Message.objects.get(kind="demands.routed")
    assert message.recipient == world.users["liaison"]  # the authority's account
    assert demand.code in message.title
    assert "省邮政管理局" in message.body


def test_a_refused_step_tells_no_one(world: Any, demand: Any) -> None:
    with pytest.raises(Exception, match="办结"):
        demand_resolve(actor=None, demand=demand, note="x", now=timezone.now())
    assert not Message.objects.exists()
    assert not Delivery.objects.exists()


def test_limits_near_and_past_tell_the_handlers_once(world: Any, demand: Any) -> None:
    from datetime import timedelta

    from liandong.demands.jobs import demands_mark_breaches, demands_remind
    from liandong.demands.models import Demand

    Demand.objects.filter(pk=demand.pk).update(response_due=timezone.now() + timedelta(hours=2))
    assert demands_remind() == 1
    assert demands_remind() == 0
    nearing = Message.objects.get(kind="demands.nearing_limit")
    assert nearing.recipient == world.users["liaison"]  # the authority's handler
    assert demand.code in nearing.title
    assert "首次响应" in nearing.title
    assert nearing.link == f"/demands/{demand.pk}/"
    Demand.objects.filter(pk=demand.pk).update(response_due=timezone.now() - timedelta(hours=1))
    assert demands_mark_breaches() == 1
    assert demands_mark_breaches() == 0
    past = Message.objects.get(kind="demands.past_limit")
    assert past.recipient == world.users["liaison"]
    assert "已超过首次响应时限" in past.title
    assert not Message.objects.filter(kind="demands.escalated").exists()


def test_escalation_tells_the_bodys_leader_and_the_union_not_other_handlers(
    world: Any, demand: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from liandong.accounts.models import Role
    from liandong.accounts.tests.factories import UserFactory
    from liandong.demands.jobs import demands_escalate
    from liandong.demands.models import Demand

    leader = UserFactory(
        username="gov_leader", role=Role.LIAISON, organization=world.authority, is_leader=True
    )
    Demand.objects.filter(pk=demand.pk).update(is_breached=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert demands_escalate() == 1
    told = set(
        Message.objects.filter(kind="demands.escalated").values_list(
            "recipient__username", flat=True
        )
    )
    # the body's leader and the supervising union's accounts; the plain handler is not
    assert told == {"gov_leader", "admin_a", "staff_a"}
    message = Message.objects.get(kind="demands.escalated", recipient=leader)
    assert message.urgent
    assert demand.code in message.title
    assert "甲产业工会" in message.body


def test_a_rolled_back_breach_tells_no_one(world: Any, demand: Any) -> None:
    from datetime import timedelta

    from django.db import transaction

    from liandong.demands.jobs import demands_mark_breaches
    from liandong.demands.models import Demand

    Demand.objects.filter(pk=demand.pk).update(response_due=timezone.now() - timedelta(hours=1))

    def breach_then_fail() -> None:
        with transaction.atomic():
            assert demands_mark_breaches() == 1
            assert Message.objects.filter(kind="demands.past_limit").exists()
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        breach_then_fail()
    assert not Message.objects.filter(kind="demands.past_limit").exists()
    assert not Delivery.objects.filter(kind="demands.past_limit").exists()


def test_the_demand_page_shows_its_deliveries_with_the_failure_reason(
    world: Any, demand: Any, login: Any
) -> None:
    world.users["enterprise_a"].email = "ent@ea.example"
    world.users["enterprise_a"].save(update_fields=["email"])
    demand_transfer(
        actor=world.users["liaison"], demand=demand, body=world.enterprise_a, reason="属企业内部"
    )
    delivery = Delivery.objects.get(kind="demands.routed", channel="email")
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED, last_error="SMTP 550 邮箱不存在"
    )
    page = login(world.users["staff_a"]).get(f"/demands/{demand.pk}/").content.decode()
    assert "消息送达情况" in page
    assert "发送失败" in page
    assert "SMTP 550 邮箱不存在" in page
    assert "站内消息 1 条" in page
