"""Every rule of issue 7, at the service level. A refused action changes nothing."""

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from liandong.core.models import AuditLog
from liandong.democracy import hooks
from liandong.democracy.models import (
    AgendaItem,
    CollectiveContract,
    Congress,
    CoSignature,
    Disclosure,
    DisclosureRead,
    Negotiation,
    Nomination,
    Objection,
    Proposal,
    ProposalTally,
)
from liandong.democracy.permissions import disclosures_visible_to, proposals_visible_to
from liandong.democracy.selectors import figures_for
from liandong.democracy.services import (
    agenda_add,
    congress_create,
    congress_open,
    contract_sign,
    contracts_remind,
    delegate_add,
    disclosure_mark_read,
    disclosure_publish,
    negotiation_create,
    negotiation_outcome_add,
    nomination_confirm,
    nomination_create,
    nomination_review,
    objection_resolve,
    objection_submit,
    proposal_answer,
    proposal_cosign,
    proposal_decide,
    proposal_mark_outstanding,
    proposal_rate,
    proposal_submit,
    vote_record,
)
from liandong.democracy.tests.factories import (
    congress_setup,
    delegate_worker,
    next_week,
    nomination_on_notice,
    submitted_proposal,
)
from liandong.organizations.tests.factories import EnterpriseFactory
from liandong.workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def unchanged(model: type, before: list) -> bool:
    return list(model.objects.order_by("pk").values()) == before


def snapshot(model: type) -> list:
    return list(model.objects.order_by("pk").values())


# --- Congresses -------------------------------------------------------------------------------------


def test_congress_only_by_the_enterprise_union_or_a_union_above(world) -> None:
    kwargs = {
        "enterprise": world.enterprise_a,
        "term": 1,
        "session": 1,
        "title": "职代会",
        "held_on": date(2026, 3, 1),
    }
    for name in ["staff_b", "liaison", "judge", "worker_a"]:
        with pytest.raises(PermissionDenied):
            congress_create(actor=world.users[name], **kwargs)
    assert Congress.objects.count() == 0
    congress_create(actor=world.users["staff_a"], **kwargs)
    with pytest.raises(ValidationError, match="已经存在"):
        congress_create(actor=world.users["enterprise_a"], **kwargs)
    with pytest.raises(ValidationError, match="只能选择企业"):
        congress_create(
            actor=world.users["staff_a"], **{**kwargs, "enterprise": world.union_a, "session": 2}
        )


def test_delegates_are_the_enterprises_workers_once(world) -> None:
    setup = congress_setup(world, delegates=2)
    with pytest.raises(ValidationError, match="不是甲快递公司的职工"):
        delegate_add(
            actor=setup.manager, congress=setup.congress, worker=world.worker_b, constituency="一"
        )
    with pytest.raises(ValidationError, match="已是本次大会的代表"):
        delegate_add(
            actor=setup.manager, congress=setup.congress, worker=world.worker_a, constituency="一"
        )
    assert setup.congress.delegates.count() == 2


def test_the_frontline_quota_must_be_met_before_the_congress_opens(world) -> None:
    setup = congress_setup(world, delegates=4, frontline=1)  # 25% < 50%
    with pytest.raises(ValidationError, match=r"一线职工代表占 25\.0%，低于规定的 50%"):
        congress_open(actor=setup.manager, congress=setup.congress)
    setup.congress.refresh_from_db()
    assert setup.congress.status == Congress.Status.PREPARING
    worker, _ = delegate_worker(world.outlet_a, "一线代表")
    delegate_add(
        actor=setup.manager,
        congress=setup.congress,
        worker=worker,
        constituency="一线",
        is_frontline=True,
    )
    worker, _ = delegate_worker(world.outlet_a, "一线代表二")
    delegate_add(
        actor=setup.manager,
        congress=setup.congress,
        worker=worker,
        constituency="一线",
        is_frontline=True,
    )
    congress_open(actor=setup.manager, congress=setup.congress)  # 3 of 6 = 50%
    assert Congress.objects.get().status == Congress.Status.OPEN


def test_a_vote_without_two_thirds_present_is_refused_and_changes_nothing(world) -> None:
    setup = congress_setup(world, delegates=6)
    item = agenda_add(
        actor=setup.manager, congress=setup.congress, title="审议《集体合同（草案）》"
    )
    congress_open(actor=setup.manager, congress=setup.congress)
    before = snapshot(AgendaItem)
    with pytest.raises(ValidationError, match="未达到代表总数 6 人的三分之二"):
        vote_record(
            actor=setup.manager, item=item, present=3, votes_for=3, votes_against=0, abstentions=0
        )
    assert unchanged(AgendaItem, before)


def test_passing_needs_more_than_half_of_all_delegates_not_of_those_present(world) -> None:
    setup = congress_setup(world, delegates=6)
    first = agenda_add(actor=setup.manager, congress=setup.congress, title="工资专项集体合同")
    second = agenda_add(actor=setup.manager, congress=setup.congress, title="职工福利方案")
    congress_open(actor=setup.manager, congress=setup.congress)
    # 4 present (two thirds of 6), 3 for: a majority of those present, but not more than half of all 6.
    failed = vote_record(
        actor=setup.manager, item=first, present=4, votes_for=3, votes_against=1, abstentions=0
    )
    assert failed.result == AgendaItem.Result.FAILED
    assert failed.delegates_total == 6
    passed = vote_record(
        actor=setup.manager,
        item=second,
        present=5,
        votes_for=4,
        votes_against=0,
        abstentions=1,
        resolution="通过职工福利方案",
    )
    assert passed.result == AgendaItem.Result.PASSED
    assert passed.resolution == "通过职工福利方案"
    with pytest.raises(ValidationError, match="不能重复表决"):
        vote_record(
            actor=setup.manager, item=second, present=6, votes_for=0, votes_against=6, abstentions=0
        )
    third = agenda_add(actor=setup.manager, congress=setup.congress, title="三")
    with pytest.raises(ValidationError, match="超过到会代表人数"):
        vote_record(
            actor=setup.manager, item=third, present=4, votes_for=4, votes_against=1, abstentions=0
        )
    assert AgendaItem.objects.get(pk=second.pk).votes_against == 0


def test_voting_needs_an_open_congress(world) -> None:
    setup = congress_setup(world, delegates=3)
    item = agenda_add(actor=setup.manager, congress=setup.congress, title="议程")
    with pytest.raises(ValidationError, match="不在会议期间"):
        vote_record(
            actor=setup.manager, item=item, present=3, votes_for=3, votes_against=0, abstentions=0
        )


# --- Proposals --------------------------------------------------------------------------------------


def test_only_delegates_of_the_congress_submit(world) -> None:
    setup = congress_setup(world, delegates=3)
    _other, other_user = delegate_worker(world.outlet_a, "非代表")
    for user in [other_user, world.users["enterprise_a"], world.users["staff_a"]]:
        with pytest.raises(PermissionDenied, match="只有本次大会的职工代表"):
            proposal_submit(
                actor=user,
                congress=setup.congress,
                title="t",
                reasons="r",
                measures="m",
                category="welfare",
            )
    assert Proposal.objects.count() == 0
    with pytest.raises(ValidationError) as error:
        proposal_submit(
            actor=setup.users[0],
            congress=setup.congress,
            title=" ",
            reasons="r",
            measures="m",
            category="welfare",
        )
    assert error.value.message_dict == {"title": ["请填写案由"]}
    proposal = submitted_proposal(setup)
    assert proposal.number == 1
    assert proposal.status == Proposal.Status.COSIGNING
    assert ProposalTally.objects.get(enterprise=world.enterprise_a).collected == 1
    assert AuditLog.objects.filter(
        action="democracy.proposal_submitted", target_id=str(proposal.pk)
    ).exists()


def test_cosigning_rules(world) -> None:
    setup = congress_setup(world, delegates=4)
    proposal = submitted_proposal(setup)
    with pytest.raises(ValidationError, match="不能附议自己的提案"):
        proposal_cosign(actor=setup.users[0], proposal=proposal)
    proposal_cosign(actor=setup.users[1], proposal=proposal)
    with pytest.raises(ValidationError, match="已经附议过"):
        proposal_cosign(actor=setup.users[1], proposal=proposal)
    _, outsider = delegate_worker(world.outlet_a, "别的职工")
    with pytest.raises(PermissionDenied):
        proposal_cosign(actor=outsider, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.cosign_count == 1 == CoSignature.objects.count()


def test_a_delegate_of_another_congress_cannot_cosign(world) -> None:
    setup = congress_setup(world, delegates=2)
    other = congress_setup(
        world, delegates=2, enterprise=world.enterprise_b, manager=world.users["staff_b"]
    )
    proposal = submitted_proposal(setup)
    with pytest.raises(PermissionDenied):
        proposal_cosign(actor=other.users[1], proposal=proposal)


def test_review_needs_the_cosign_threshold(world) -> None:
    setup = congress_setup(world, delegates=4, threshold=2)
    proposal = submitted_proposal(setup, cosigners=1)
    before = snapshot(Proposal)
    with pytest.raises(ValidationError, match="附议代表 1 人，不足 2 人"):
        proposal_decide(
            actor=setup.manager,
            proposal=proposal,
            decision="accept",
            department="人力资源部",
            deadline=next_week(),
        )
    assert unchanged(Proposal, before)
    proposal_cosign(actor=setup.users[2], proposal=proposal)
    proposal.refresh_from_db()
    with pytest.raises(PermissionDenied):
        proposal_decide(
            actor=setup.users[1],
            proposal=proposal,
            decision="accept",
            department="x",
            deadline=next_week(),
        )
    with pytest.raises(ValidationError, match="立案须指定承办部门"):
        proposal_decide(
            actor=setup.manager, proposal=proposal, decision="accept", deadline=next_week()
        )
    with pytest.raises(ValidationError, match="立案须规定办理期限"):
        proposal_decide(
            actor=setup.manager, proposal=proposal, decision="accept", department="人力资源部"
        )
    with pytest.raises(ValidationError, match="不予立案须说明理由"):
        proposal_decide(actor=setup.manager, proposal=proposal, decision="reject")
    assert Proposal.objects.get().status == Proposal.Status.COSIGNING
    accepted = proposal_decide(
        actor=setup.manager,
        proposal=proposal,
        decision="accept",
        department="人力资源部",
        deadline=next_week(),
        reason="涉及职工切身利益",
    )
    assert accepted.status == Proposal.Status.ACCEPTED
    assert accepted.department.name == "人力资源部"
    with pytest.raises(ValidationError, match="已经审查过"):
        proposal_decide(actor=setup.manager, proposal=proposal, decision="reject", reason="x")
    assert ProposalTally.objects.get().accepted == 1


@pytest.mark.parametrize(("decision", "status"), [("convert", "converted"), ("reject", "rejected")])
def test_convert_and_reject_with_reason(world, decision: str, status: str) -> None:
    setup = congress_setup(world, delegates=3)
    proposal = submitted_proposal(setup, cosigners=2)
    decided = proposal_decide(
        actor=setup.manager, proposal=proposal, decision=decision, reason="属于日常管理事项"
    )
    assert decided.status == status
    assert decided.decision_reason == "属于日常管理事项"
    assert (
        getattr(
            ProposalTally.objects.get(), {"convert": "converted", "reject": "rejected"}[decision]
        )
        == 1
    )


def accepted(setup) -> Proposal:
    proposal = submitted_proposal(setup, cosigners=2)
    return proposal_decide(
        actor=setup.manager,
        proposal=proposal,
        decision="accept",
        department="行政部",
        deadline=next_week(),
    )


def test_answer_rating_and_one_reopening(world) -> None:
    setup = congress_setup(world, delegates=4)
    proposal = accepted(setup)
    with pytest.raises(ValidationError, match="请填写答复内容"):
        proposal_answer(actor=setup.manager, proposal=proposal, answer="  ")
    proposal_answer(actor=setup.manager, proposal=proposal, answer="已在分拨中心设立休息室。")
    with pytest.raises(PermissionDenied, match="只有提案人"):
        proposal_rate(actor=setup.users[1], proposal=proposal, rating="satisfied")
    reopened = proposal_rate(actor=setup.users[0], proposal=proposal, rating="unsatisfied")
    assert reopened.status == Proposal.Status.ACCEPTED
    assert reopened.reopened
    with pytest.raises(ValidationError, match="当前不能评价"):
        proposal_rate(actor=setup.users[0], proposal=proposal, rating="satisfied")
    proposal_answer(actor=setup.manager, proposal=proposal, answer="休息室已增配空调和饮水机。")
    closed = proposal_rate(actor=setup.users[0], proposal=proposal, rating="unsatisfied")
    assert closed.status == Proposal.Status.CLOSED
    assert closed.rating == "unsatisfied"
    tally = ProposalTally.objects.get()
    assert (tally.answered, tally.closed, tally.unsatisfied, tally.satisfied) == (1, 1, 1, 0)


def test_satisfied_closes_and_counts_in_the_figures(world) -> None:
    setup = congress_setup(world, delegates=4)
    first, second = accepted(setup), accepted(setup)
    for proposal, rating in [(first, "satisfied"), (second, "basic")]:
        proposal_answer(actor=setup.manager, proposal=proposal, answer="已办理")
        assert (
            proposal_rate(actor=setup.users[0], proposal=proposal, rating=rating).status == "closed"
        )
    submitted_proposal(setup)
    figures = figures_for(organization=world.province, year=timezone.localdate().year)
    assert (figures.collected, figures.accepted, figures.handled, figures.closed) == (3, 2, 2, 2)
    assert figures.satisfaction_rate == 100.0
    assert figures_for(organization=world.union_b, year=timezone.localdate().year).collected == 0
    assert figures_for(organization=world.province, year=2001).collected == 0


def test_outstanding_only_for_accepted_proposals(world) -> None:
    setup = congress_setup(world, delegates=4)
    fresh = submitted_proposal(setup)
    with pytest.raises(ValidationError, match="只有已立案"):
        proposal_mark_outstanding(actor=setup.manager, proposal=fresh, outstanding=True)
    good = accepted(setup)
    proposal_mark_outstanding(actor=setup.manager, proposal=good, outstanding=True)
    assert list(Proposal.objects.filter(is_outstanding=True)) == [good]


def test_the_public_list_is_the_enterprises_workers(world) -> None:
    setup = congress_setup(world, delegates=3)
    proposal = submitted_proposal(setup)
    assert list(proposals_visible_to(world.users["worker_a"])) == [proposal]
    _, b_user = delegate_worker(world.outlet_b, "乙职工")
    assert list(proposals_visible_to(b_user)) == []
    assert list(proposals_visible_to(world.users["staff_b"])) == []
    assert list(proposals_visible_to(world.users["liaison"])) == []
    assert list(proposals_visible_to(world.users["province_admin"])) == [proposal]


# --- Open affairs -----------------------------------------------------------------------------------


def test_disclosures_visible_to_the_enterprises_workers_in_their_period_with_read_receipts(
    world,
) -> None:
    today = timezone.localdate()
    manager = world.users["enterprise_a"]
    current = disclosure_publish(
        actor=manager,
        enterprise=world.enterprise_a,
        category="wages",
        title="2026年工资调整方案",
        body="一线职工月工资平均增加 300 元。",
        publish_on=today,
        expires_on=today + timedelta(days=30),
    )
    disclosure_publish(
        actor=manager,
        enterprise=world.enterprise_a,
        category="safety",
        title="未来事项",
        body="b",
        publish_on=today + timedelta(days=3),
    )
    disclosure_publish(
        actor=manager,
        enterprise=world.enterprise_a,
        category="safety",
        title="过期事项",
        body="b",
        publish_on=today - timedelta(days=30),
        expires_on=today - timedelta(days=1),
    )
    with pytest.raises(ValidationError, match="截止日期不能早于公开日期"):
        disclosure_publish(
            actor=manager,
            enterprise=world.enterprise_a,
            category="safety",
            title="t",
            body="b",
            publish_on=today,
            expires_on=today - timedelta(days=1),
        )
    with pytest.raises(PermissionDenied):
        disclosure_publish(
            actor=world.users["staff_b"],
            enterprise=world.enterprise_a,
            category="safety",
            title="t",
            body="b",
            publish_on=today,
        )
    assert list(disclosures_visible_to(world.users["worker_a"])) == [current]
    assert disclosures_visible_to(world.users["staff_a"]).count() == 3
    assert disclosures_visible_to(world.users["staff_b"]).count() == 0
    assert disclosure_mark_read(worker=world.worker_a, disclosure=current) is True
    assert disclosure_mark_read(worker=world.worker_a, disclosure=current) is False
    current.refresh_from_db()
    assert current.read_count == 1 == DisclosureRead.objects.count()


# --- Collective negotiation -------------------------------------------------------------------------


def test_negotiation_contract_and_expiry_reminder_once(world) -> None:
    staff = world.users["staff_a"]
    negotiation = negotiation_create(
        actor=staff,
        organization=world.union_a,
        industry_wide=True,
        title="快递行业工资集体协商",
        union_side="甲产业工会",
        employer_side="省快递协会",
        topics="最低工资、工龄工资、劳模奖励",
        started_on=date(2026, 3, 1),
    )
    assert negotiation.topic_list == ["最低工资", "工龄工资", "劳模奖励"]
    with pytest.raises(ValidationError, match="企业集体协商须选择企业"):
        negotiation_create(
            actor=staff,
            organization=world.union_a,
            title="t",
            union_side="u",
            employer_side="e",
            topics="t",
            started_on=date(2026, 3, 1),
        )
    negotiation_outcome_add(
        actor=staff, negotiation=negotiation, topic="行业最低工资标准", change=Decimal(340)
    )
    with pytest.raises(ValidationError, match="到期日期须晚于生效日期"):
        contract_sign(
            actor=staff,
            negotiation=negotiation,
            title="合同",
            signed_on=date(2026, 5, 1),
            effective_on=date(2026, 5, 1),
            expires_on=date(2026, 4, 1),
            enterprises_covered=9,
            workers_covered=12000,
        )
    today = timezone.localdate()
    contract_sign(
        actor=staff,
        negotiation=negotiation,
        title="快递行业工资专项集体合同",
        signed_on=today,
        effective_on=today - timedelta(days=300),
        expires_on=today + timedelta(days=45),
        enterprises_covered=9,
        workers_covered=12000,
    )
    with pytest.raises(PermissionDenied):
        negotiation_outcome_add(
            actor=world.users["staff_b"], negotiation=negotiation, topic="x", change=Decimal(1)
        )
    assert [c.pk for c in contracts_remind(dry_run=True)] == [CollectiveContract.objects.get().pk]
    assert CollectiveContract.objects.get().reminder_sent_on is None
    assert len(contracts_remind()) == 1
    assert contracts_remind() == []  # idempotent
    assert AuditLog.objects.filter(action="democracy.contract_expiry_reminder").count() == 1
    figures = figures_for(organization=world.province, year=today.year)
    assert (figures.contracts, figures.workers_covered, figures.enterprises_covered) == (
        1,
        12000,
        9,
    )


# --- Model-worker nominations -----------------------------------------------------------------------


def test_nomination_review_by_levels_notice_objection_and_confirmation(world) -> None:
    nomination = nomination_create(
        actor=world.users["enterprise_a"],
        worker=world.worker_a,
        level="province",
        year=2026,
        deeds="连续三年零投诉，带动网点 30 名快递员入会。",
    )
    with pytest.raises(PermissionDenied):
        nomination_review(actor=world.users["staff_b"], nomination=nomination, approved=True)
    with pytest.raises(PermissionDenied):  # the nominating body cannot review itself
        nomination_review(actor=world.users["enterprise_a"], nomination=nomination, approved=True)
    nomination_review(actor=world.users["province_admin"], nomination=nomination, approved=True)
    with pytest.raises(ValidationError, match="下一级审核须由其上级工会"):
        nomination_review(actor=world.users["staff_a"], nomination=nomination, approved=True)
    assert nomination.reviews.count() == 1
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.REVIEWING  # two levels are required


def test_notice_objection_and_confirmation(world) -> None:
    nomination = nomination_create(
        actor=world.users["enterprise_a"],
        worker=world.worker_a,
        level="province",
        year=2026,
        deeds="连续三年零投诉。",
    )
    nomination_review(
        actor=world.users["staff_a"], nomination=nomination, approved=True, comment="同意"
    )
    nomination = nomination_review(
        actor=world.users["province_admin"], nomination=nomination, approved=True
    )
    assert nomination.status == Nomination.Status.NOTICE
    assert nomination.notice_ends_on - nomination.notice_starts_on == timedelta(days=7)
    with pytest.raises(ValidationError, match="至少 10 个字"):
        objection_submit(nomination=nomination, body="不同意")
    with pytest.raises(ValidationError) as error:
        objection_submit(
            nomination=nomination, body="该同志去年曾因违规被通报批评，请核实。", contact="12345"
        )
    assert "contact" in error.value.message_dict
    objection = objection_submit(
        nomination=nomination, body="该同志去年曾因违规被通报批评，请核实。", contact="13800138000"
    )
    assert objection.contact_masked == "138****8000"
    assert "13800138000" not in objection.contact_cipher
    with pytest.raises(ValidationError, match="公示期满后才能确认"):
        nomination_confirm(actor=world.users["province_admin"], nomination=nomination)
    Nomination.objects.filter(pk=nomination.pk).update(
        notice_ends_on=timezone.localdate() - timedelta(days=1)
    )
    nomination.refresh_from_db()
    with pytest.raises(ValidationError, match="尚有异议未核查"):
        nomination_confirm(actor=world.users["province_admin"], nomination=nomination)
    objection_resolve(
        actor=world.users["staff_a"],
        objection=objection,
        upheld=False,
        finding="经核实，通报对象为他人。",
    )
    assert hooks.worker_honours([world.worker_a.pk]) == {}
    confirmed = nomination_confirm(actor=world.users["province_admin"], nomination=nomination)
    assert confirmed.status == Nomination.Status.CONFIRMED
    assert hooks.worker_honours([world.worker_a.pk, world.worker_b.pk]) == {
        world.worker_a.pk: ["劳模", "省级劳模"]
    }
    sections = hooks.worker_sections(world.users["staff_a"], world.worker_a)
    assert sections[0].title == "劳模荣誉"
    assert hooks.worker_sections(world.users["staff_b"], world.worker_a) == []


def test_an_upheld_objection_ends_the_nomination(world) -> None:
    nomination = nomination_on_notice(world)
    objection = objection_submit(nomination=nomination, body="事迹中的获奖情况与事实不符，请核实。")
    objection_resolve(
        actor=world.users["province_admin"], objection=objection, upheld=True, finding="属实。"
    )
    assert Nomination.objects.get().status == Nomination.Status.REJECTED
    assert Objection.objects.get().status == Objection.Status.UPHELD
    with pytest.raises(ValidationError, match="不在公示期内"):
        objection_submit(nomination=Nomination.objects.get(), body="再提一个异议，内容足够长。")


def test_refusing_a_nomination_needs_a_comment(world) -> None:
    nomination = nomination_create(
        actor=world.users["enterprise_a"],
        worker=world.worker_a,
        level="city",
        year=2026,
        deeds="事迹。",
    )
    with pytest.raises(ValidationError, match="不同意推荐须填写审核意见"):
        nomination_review(actor=world.users["staff_a"], nomination=nomination, approved=False)
    nomination_review(
        actor=world.users["staff_a"], nomination=nomination, approved=False, comment="事迹不够突出"
    )
    assert Nomination.objects.get().status == Nomination.Status.REJECTED
    with pytest.raises(ValidationError, match="本年度已有同级别的推荐"):
        nomination_create(
            actor=world.users["enterprise_a"],
            worker=world.worker_a,
            level="city",
            year=2026,
            deeds="x",
        )


# --- Hooks ------------------------------------------------------------------------------------------


def test_overdue_proposals_are_agenda_candidates_of_the_mechanism_over_them(world) -> None:
    setup = congress_setup(world, delegates=4)
    late = accepted(setup)
    accepted(setup)  # not late
    from liandong.democracy.models import Proposal as P

    P.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    mechanism_a = SimpleNamespace(
        member_organization_ids=lambda: [world.union_a.pk, world.authority.pk]
    )
    mechanism_b = SimpleNamespace(member_organization_ids=lambda: [world.union_b.pk])
    candidates = hooks.agenda_candidates(mechanism_a)
    assert [c.key for c in candidates] == [f"democracy.proposal:{late.pk}"]
    assert "超期未办" in candidates[0].title
    assert hooks.agenda_candidates(mechanism_b) == []


def test_year_figures_hook(world) -> None:
    setup = congress_setup(world, delegates=3)
    submitted_proposal(setup)
    figures = {f.label: f for f in hooks.year_figures(world.union_a, timezone.localdate().year)}
    assert figures["征集职工代表提案"].value == 1
    assert figures["征集职工代表提案"].url.startswith("/democracy/figures/?organization=")
    assert "提案办理满意率" not in figures  # nothing rated yet


# The tallies' figures in the order of ``_tally``'s counts.
TALLY_KEYS = [
    "proposals_collected",
    "proposals_accepted",
    "proposals_converted",
    "proposals_rejected",
    "proposals_handled",
    "proposals_closed",
    "rating_satisfied",
    "rating_basic",
    "rating_unsatisfied",
]


def _negotiation(organization, started_on: date, contract: tuple | None = None) -> None:
    """Written straight to the tables (the services date everything around today).
    ``contract``: (signed, effective, expires, enterprises covered, workers covered)."""
    negotiation = Negotiation.objects.create(
        organization=organization,
        title="工资集体协商",
        union_side="工会",
        employer_side="企业",
        topics="工资",
        started_on=started_on,
    )
    if contract:
        signed, effective, expires, enterprises, workers = contract
        CollectiveContract.objects.create(
            negotiation=negotiation,
            title="集体合同",
            signed_on=signed,
            effective_on=effective,
            expires_on=expires,
            enterprises_covered=enterprises,
            workers_covered=workers,
        )


def _tally(enterprise, year: int, *counts: int) -> None:
    names = ["collected", "accepted", "converted", "rejected", "answered", "closed"]
    names += ["satisfied", "basic", "unsatisfied"]
    ProposalTally.objects.create(
        enterprise=enterprise, year=year, **dict(zip(names, counts, strict=True))
    )


def _disclosure(enterprise, publish_on: date) -> None:
    Disclosure.objects.create(
        enterprise=enterprise, category="wages", title="工资", body="公开", publish_on=publish_on
    )


def test_figures_are_the_hand_counts(world) -> None:
    """Every branch of the figures' filters, in union A's subtree, the province and one
    industry: tallies of the year and the year before; negotiations started in the year or
    not, with a contract or none; contracts signed in the year or not, in force on the year's
    first day, on its last, over it, before it and only after it; disclosures of the year
    and of its eve."""
    y = 2024
    ea, eb = world.enterprise_a, world.enterprise_b  # 快递
    el = EnterpriseFactory(name="甲物流公司", code="W-EL", parent=world.union_a, industry="物流")
    _tally(ea, y, 5, 4, 1, 1, 3, 2, 2, 1, 1)
    _tally(ea, y - 1, 9, 9, 9, 9, 9, 9, 9, 9, 9)
    _tally(el, y, 2, 1, 0, 0, 0, 0, 0, 0, 1)
    _tally(eb, y, 7, 6, 2, 0, 5, 4, 3, 0, 0)
    _negotiation(ea, date(y, 2, 1), (date(y, 3, 1), date(y, 4, 1), date(y + 3, 3, 31), 1, 100))
    _negotiation(
        ea, date(y - 1, 5, 1), (date(y - 1, 6, 1), date(y - 1, 7, 1), date(y, 1, 1), 3, 50)
    )
    _negotiation(world.union_a, date(y, 9, 1))
    _negotiation(
        world.union_a,
        date(y - 2, 1, 1),
        (date(y - 2, 2, 1), date(y - 2, 3, 1), date(y - 1, 12, 31), 10, 1000),
    )
    _negotiation(el, date(y, 11, 1), (date(y, 12, 31), date(y + 1, 1, 1), date(y + 4, 1, 1), 2, 70))
    _negotiation(
        el, date(y - 3, 1, 1), (date(y - 3, 6, 1), date(y, 12, 31), date(y + 2, 1, 1), 5, 20)
    )
    _negotiation(eb, date(y, 1, 15), (date(y, 2, 1), date(y, 2, 1), date(y + 2, 1, 1), 1, 300))
    _disclosure(ea, date(y, 5, 1))
    _disclosure(ea, date(y - 1, 12, 31))
    _disclosure(el, date(y, 1, 1))
    _disclosure(eb, date(y, 6, 1))

    def counts(organization, industry: str = "") -> dict:
        found = figures_for(organization=organization, year=y, industry=industry).as_dict()
        return {k: v for k, v in found.items() if k not in {"organization_id", "organization"}}

    assert counts(world.union_a) == {
        "year": y,
        **dict(zip(TALLY_KEYS, [7, 5, 1, 1, 3, 2, 2, 1, 2], strict=True)),
        "satisfaction_rate": 60.0,
        "negotiations": 3,
        "contracts": 2,
        "contracts_in_force": 3,
        "enterprises_covered": 9,
        "workers_covered": 170,
        "disclosures": 2,
    }
    assert counts(world.province) == {
        "year": y,
        **dict(zip(TALLY_KEYS, [14, 11, 3, 1, 8, 6, 5, 1, 2], strict=True)),
        "satisfaction_rate": 75.0,
        "negotiations": 4,
        "contracts": 3,
        "contracts_in_force": 4,
        "enterprises_covered": 10,
        "workers_covered": 470,
        "disclosures": 3,
    }
    assert counts(world.province, industry="快递") == {
        "year": y,
        **dict(zip(TALLY_KEYS, [12, 10, 3, 1, 8, 6, 5, 1, 1], strict=True)),
        "satisfaction_rate": 85.7,
        "negotiations": 2,
        "contracts": 2,
        "contracts_in_force": 3,
        "enterprises_covered": 5,
        "workers_covered": 450,
        "disclosures": 2,
    }
    figures = {f.label: f for f in hooks.year_figures(world.union_a, y)}
    assert {label: f.value for label, f in figures.items()} == {
        "征集职工代表提案": 7,
        "提案立案": 5,
        "提案办复": 3,
        "签订集体合同": 2,
        "集体合同覆盖职工": 170,
        "提案办理满意率": 60.0,
    }
    assert figures["集体合同覆盖职工"].detail == {"enterprises": 9}
    assert figures["提案办理满意率"].detail == {"satisfied": 2, "basic": 1, "unsatisfied": 2}


def test_worker_sections_show_proposals_as_delegate(world) -> None:
    setup = congress_setup(world, delegates=3)
    submitted_proposal(setup)
    sections = hooks.worker_sections(world.users["worker_a"], world.worker_a)
    assert [s.title for s in sections] == ["职工代表提案"]
    assert (
        hooks.worker_sections(world.users["worker_a"], WorkerFactory(employer=world.outlet_a)) == []
    )


def test_the_tick_job_is_registered_and_idempotent(world) -> None:
    from liandong.core.tick import tick_run

    staff = world.users["staff_a"]
    negotiation = negotiation_create(
        actor=staff,
        organization=world.enterprise_a,
        title="工资协商",
        union_side="工会",
        employer_side="企业",
        topics="工资",
        started_on=date(2025, 1, 1),
    )
    today = timezone.localdate()
    contract_sign(
        actor=staff,
        negotiation=negotiation,
        title="工资专项集体合同",
        signed_on=today - timedelta(days=700),
        effective_on=today - timedelta(days=700),
        expires_on=today + timedelta(days=10),
        enterprises_covered=1,
        workers_covered=80,
    )
    first = dict(tick_run())
    second = dict(tick_run())
    assert first["democracy.contract_expiry_reminders"] == "已提醒 1 份集体合同（60 天内到期）"
    assert second["democracy.contract_expiry_reminders"] == "已提醒 0 份集体合同（60 天内到期）"


def test_confirmation_by_the_last_reviewer_or_above(world) -> None:
    nomination = nomination_create(
        actor=world.users["enterprise_a"],
        worker=world.worker_a,
        level="city",
        year=2026,
        deeds="事迹。",
        reviews_required=2,
    )
    nomination_review(actor=world.users["staff_a"], nomination=nomination, approved=True)
    nomination = nomination_review(
        actor=world.users["province_admin"], nomination=nomination, approved=True
    )
    Nomination.objects.filter(pk=nomination.pk).update(
        notice_ends_on=timezone.localdate() - timedelta(days=1)
    )
    nomination.refresh_from_db()
    with pytest.raises(PermissionDenied, match="须由其或其上级工会确认"):
        nomination_confirm(actor=world.users["staff_a"], nomination=nomination)
    assert (
        nomination_confirm(actor=world.users["province_admin"], nomination=nomination).status
        == "confirmed"
    )
