"""Who hears of democracy's steps (democracy/notices.py through notifications.notify)."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from liandong.democracy.services import (
    contract_sign,
    contracts_remind,
    negotiation_create,
    nomination_create,
    nomination_review,
    objection_submit,
    proposal_answer,
    proposal_decide,
)
from liandong.democracy.tests.factories import congress_setup, next_week, submitted_proposal
from liandong.notifications.models import Delivery, Message, PendingNotice
from liandong.notifications.services import expand_pending


def _told(kind: str) -> set[str]:
    return set(Message.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_a_proposal_accepted_and_answered_tells_the_proposer_and_the_enterprise_union(
    world: Any,
) -> None:
    setup = congress_setup(world, delegates=4)
    proposal = submitted_proposal(setup, cosigners=2)
    proposal = proposal_decide(
        actor=setup.manager,
        proposal=proposal,
        decision="accept",
        department="行政部",
        deadline=next_week(),
    )
    assert _told("democracy.proposal_decided") == {"w_a"}  # the proposer, worker A
    decided = Message.objects.get(kind="democracy.proposal_decided")
    assert "立案" in decided.title
    assert "行政部" in decided.body
    assert decided.link == f"/democracy/proposals/{proposal.pk}/"
    # the department's work is recorded by the enterprise union: its accounts are told
    assert _told("democracy.proposal_assigned") == {"ent_a"}
    assert "行政部" in Message.objects.get(kind="democracy.proposal_assigned").title
    proposal_answer(actor=setup.manager, proposal=proposal, answer="已在分拨中心设立休息室。")
    answered = Message.objects.get(kind="democracy.proposal_answered")
    assert answered.recipient == world.users["worker_a"]
    assert answered.body.startswith("行政部")
    assert "休息室" in answered.body


def test_a_rejected_proposal_tells_only_the_proposer_with_the_reason(world: Any) -> None:
    setup = congress_setup(world, delegates=4)
    proposal = submitted_proposal(setup, cosigners=2)
    proposal_decide(
        actor=setup.manager, proposal=proposal, decision="reject", reason="不属于职代会职权"
    )
    assert _told("democracy.proposal_decided") == {"w_a"}
    assert "不属于职代会职权" in Message.objects.get().body
    assert not Message.objects.filter(kind="democracy.proposal_assigned").exists()


def test_a_refused_decision_tells_no_one(world: Any) -> None:
    setup = congress_setup(world, delegates=4)
    proposal = submitted_proposal(setup, cosigners=2)
    with pytest.raises(ValidationError):
        proposal_decide(actor=setup.manager, proposal=proposal, decision="accept", department="")
    assert not Message.objects.exists()
    assert not Delivery.objects.exists()


def test_a_nomination_notice_and_an_objection_tell_the_reviewing_union(world: Any) -> None:
    nomination = nomination_create(
        actor=world.users["enterprise_a"],
        worker=world.worker_a,
        level="city",
        year=2026,
        deeds="连续三年零投诉。",
        reviews_required=1,
    )
    nomination = nomination_review(
        actor=world.users["staff_a"], nomination=nomination, approved=True
    )
    assert _told("democracy.nomination_notice") == {"admin_a", "staff_a"}  # union A
    message = Message.objects.get(kind="democracy.nomination_notice", recipient__username="staff_a")
    assert "王甲" in message.title
    assert message.link == f"/democracy/nominations/{nomination.pk}/"
    objection_submit(
        nomination=nomination, body="该同志去年曾因违规被通报批评，请核实。", contact="13800138000"
    )
    # the public form writes one row; the worker tells union A's staff
    assert PendingNotice.objects.get().event_key.startswith("democracy.objection:")
    assert expand_pending() == 1
    assert _told("democracy.objection") == {"admin_a", "staff_a"}
    body = Message.objects.filter(kind="democracy.objection")[0].body
    assert "通报" not in body  # the objection's text stays on the page
    assert "13800138000" not in body


def test_a_contract_60_days_before_expiry_tells_the_union_and_the_one_above(world: Any) -> None:
    staff = world.users["staff_a"]
    negotiation = negotiation_create(
        actor=staff,
        organization=world.union_a,
        industry_wide=True,
        title="快递行业工资集体协商",
        union_side="甲产业工会",
        employer_side="省快递协会",
        topics="最低工资",
        started_on=date(2026, 3, 1),
    )
    today = timezone.localdate()
    contract_sign(
        actor=staff,
        negotiation=negotiation,
        title="快递行业工资专项集体合同",
        signed_on=today,
        effective_on=today - timedelta(days=300),
        expires_on=today + timedelta(days=60),
        enterprises_covered=9,
        workers_covered=12000,
    )
    assert len(contracts_remind()) == 1
    assert contracts_remind() == []
    # union A (the negotiating union) and the province union above it
    assert _told("democracy.contract_expiring") == {"admin_a", "staff_a", "province_admin"}
    message = Message.objects.filter(kind="democracy.contract_expiring")[0]
    assert "60天后" in message.body
    assert message.link == f"/democracy/negotiations/{negotiation.pk}/"
