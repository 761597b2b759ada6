"""Writes of democratic management. Each checks its rule, changes nothing when refused (a
``ValidationError`` naming the field, or ``PermissionDenied``), runs in one transaction and is
written to the audit log. Status changes are conditional UPDATEs, so that two people acting on
the same proposal at once cannot both succeed."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from liandong.accounts.models import User
from liandong.core import crypto
from liandong.core.audit import audit_log
from liandong.core.identity import validate_mobile
from liandong.core.masking import mask_mobile
from liandong.demands import throttle
from liandong.democracy import notices
from liandong.democracy.models import (
    AgendaItem,
    Case,
    CaseAttachment,
    CollectiveContract,
    Congress,
    CoSignature,
    Delegate,
    Department,
    Disclosure,
    DisclosureRead,
    Negotiation,
    NegotiationOutcome,
    NegotiationRound,
    Nomination,
    NominationReview,
    Objection,
    Proposal,
    ProposalTally,
    TeachingPoint,
    cn_date,
)
from liandong.democracy.permissions import (
    can_curate_cases,
    can_manage_congress,
    can_manage_enterprise,
    can_nominate,
    can_review_nomination,
    delegate_for,
    is_union_reviewer,
    worker_enterprise_ids,
)
from liandong.organizations.models import Organization
from liandong.workers.models import Worker

NOTICE_DAYS = 7
CONTRACT_REMINDER_DAYS = 60
OBJECTIONS_PER_HOUR = throttle.OBJECTIONS_PER_IP_HOUR


class ObjectionsThrottled(ValidationError):
    """Over OBJECTIONS_PER_HOUR from one address: the page shows it as the form's error; the
    API answers 429 with Retry-After (``retry_after`` seconds: the hour, an upper bound)."""

    def __init__(self, *, retry_after: int) -> None:
        super().__init__({"body": "提交过于频繁，请稍后再试"}, code="throttled")
        self.retry_after = retry_after


def _required(value: str, field: str, label: str, max_length: int | None = None) -> str:
    # Stripped only: NFKC would turn Chinese punctuation (，（）) into ASCII.
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: f"请填写{label}"}, code="required")
    if max_length and len(text) > max_length:
        raise ValidationError({field: f"{label}不能超过 {max_length} 个字"}, code="too_long")
    return text


def _enterprise(organization: Organization, field: str = "enterprise") -> None:
    if organization.kind != Organization.Kind.ENTERPRISE:
        raise ValidationError({field: "只能选择企业"}, code="not_enterprise")


def _bump_tally(enterprise_id: int, year: int, **counts: int) -> None:
    ProposalTally.objects.get_or_create(enterprise_id=enterprise_id, year=year)
    ProposalTally.objects.filter(enterprise_id=enterprise_id, year=year).update(
        **{name: F(name) + value for name, value in counts.items()}
    )


# --- Congresses -----------------------------------------------------------------------------------


@transaction.atomic
def congress_create(
    *,
    actor: User | None,
    enterprise: Organization,
    term: int,
    session: int,
    title: str,
    held_on: date,
    cosign_threshold: int = 2,
    frontline_quota: int = 50,
) -> Congress:
    _enterprise(enterprise)
    if not can_manage_enterprise(actor, enterprise):
        raise PermissionDenied("您不能为该企业召开职工代表大会")
    if term < 1 or session < 1:
        raise ValidationError({"term": "届、次须为正整数"}, code="term")
    if not 0 <= frontline_quota <= 100:
        raise ValidationError(
            {"frontline_quota": "一线职工代表比例须在 0 到 100 之间"}, code="quota"
        )
    if not 1 <= cosign_threshold <= 50:
        raise ValidationError(
            {"cosign_threshold": "附议人数须在 1 到 50 之间"}, code="cosign_threshold"
        )
    if Congress.objects.filter(enterprise=enterprise, term=term, session=session).exists():
        raise ValidationError(
            {"session": f"第{term}届第{session}次职工代表大会已经存在"}, code="duplicate"
        )
    congress = Congress.objects.create(
        enterprise=enterprise,
        term=term,
        session=session,
        title=_required(title, "title", "名称", 120),
        held_on=held_on,
        cosign_threshold=cosign_threshold,
        frontline_quota=frontline_quota,
    )
    audit_log(
        actor=actor,
        action="democracy.congress_created",
        target=congress,
        changes={"term": term, "session": session, "cosign_threshold": cosign_threshold},
    )
    return congress


@transaction.atomic
def delegate_add(
    *,
    actor: User | None,
    congress: Congress,
    worker: Worker,
    constituency: str,
    is_frontline: bool = True,
) -> Delegate:
    if not can_manage_congress(actor, congress):
        raise PermissionDenied("您不能管理该职工代表大会")
    if congress.status == Congress.Status.CLOSED:
        raise ValidationError({"worker": "大会已闭会，不能再增补代表"}, code="closed")
    if congress.enterprise_id not in worker_enterprise_ids(worker):
        raise ValidationError(
            {"worker": f"{worker.name}不是{congress.enterprise.name}的职工"}, code="not_employee"
        )
    if Delegate.objects.filter(congress=congress, worker=worker).exists():
        raise ValidationError({"worker": f"{worker.name}已是本次大会的代表"}, code="duplicate")
    delegate = Delegate.objects.create(
        congress=congress,
        worker=worker,
        is_frontline=is_frontline,
        constituency=_required(constituency, "constituency", "选区", 60),
    )
    audit_log(
        actor=actor,
        action="democracy.delegate_added",
        target=delegate,
        changes={
            "congress": congress.pk,
            "worker": worker.pk,
            "constituency": delegate.constituency,
        },
    )
    return delegate


@dataclass(frozen=True)
class QuotaCheck:
    total: int
    frontline: int
    required_percent: int

    @property
    def share(self) -> float:
        return round(100 * self.frontline / self.total, 1) if self.total else 0.0

    @property
    def met(self) -> bool:
        return self.total > 0 and self.frontline * 100 >= self.required_percent * self.total


def congress_quota(congress: Congress) -> QuotaCheck:
    delegates = Delegate.objects.filter(congress=congress)
    return QuotaCheck(
        total=delegates.count(),
        frontline=delegates.filter(is_frontline=True).count(),
        required_percent=congress.frontline_quota,
    )


@transaction.atomic
def congress_open(*, actor: User | None, congress: Congress) -> Congress:
    if not can_manage_congress(actor, congress):
        raise PermissionDenied("您不能管理该职工代表大会")
    quota = congress_quota(congress)
    if not quota.met:
        raise ValidationError(
            {
                "delegates": f"一线职工代表占 {quota.share}%，低于规定的 {quota.required_percent}%，不能开会"
            },
            code="quota",
        )
    if not Congress.objects.filter(pk=congress.pk, status=Congress.Status.PREPARING).update(
        status=Congress.Status.OPEN
    ):
        raise ValidationError({"status": "大会不在筹备状态"}, code="status")
    congress.status = Congress.Status.OPEN
    audit_log(
        actor=actor,
        action="democracy.congress_opened",
        target=congress,
        changes={"delegates": quota.total, "frontline": quota.frontline},
    )
    return congress


@transaction.atomic
def congress_close(*, actor: User | None, congress: Congress) -> Congress:
    if not can_manage_congress(actor, congress):
        raise PermissionDenied("您不能管理该职工代表大会")
    if not Congress.objects.filter(pk=congress.pk, status=Congress.Status.OPEN).update(
        status=Congress.Status.CLOSED
    ):
        raise ValidationError({"status": "只有会议期间的大会才能闭会"}, code="status")
    congress.status = Congress.Status.CLOSED
    audit_log(actor=actor, action="democracy.congress_closed", target=congress)
    return congress


@transaction.atomic
def agenda_add(*, actor: User | None, congress: Congress, title: str) -> AgendaItem:
    if not can_manage_congress(actor, congress):
        raise PermissionDenied("您不能管理该职工代表大会")
    if congress.status == Congress.Status.CLOSED:
        raise ValidationError({"title": "大会已闭会，不能再增加议程"}, code="closed")
    order = (AgendaItem.objects.filter(congress=congress).aggregate(m=Max("order"))["m"] or 0) + 1
    item = AgendaItem.objects.create(
        congress=congress, order=order, title=_required(title, "title", "议程", 200)
    )
    audit_log(
        actor=actor, action="democracy.agenda_added", target=item, changes={"congress": congress.pk}
    )
    return item


@transaction.atomic
def vote_record(
    *,
    actor: User | None,
    item: AgendaItem,
    present: int,
    votes_for: int,
    votes_against: int,
    abstentions: int,
    resolution: str = "",
) -> AgendaItem:
    """Record a vote. Quorum: at least two thirds of all delegates present. The item passes
    with more than half of ALL delegates (not of those present) voting for it."""
    congress = item.congress
    if not can_manage_congress(actor, congress):
        raise PermissionDenied("您不能管理该职工代表大会")
    if congress.status != Congress.Status.OPEN:
        raise ValidationError({"present": "大会不在会议期间，不能表决"}, code="not_open")
    total = Delegate.objects.filter(congress=congress).count()
    if min(present, votes_for, votes_against, abstentions) < 0:
        raise ValidationError({"present": "人数不能为负数"}, code="negative")
    if present > total:
        raise ValidationError(
            {"present": f"到会代表 {present} 人，超过代表总数 {total} 人"}, code="present"
        )
    if present * 3 < total * 2:
        raise ValidationError(
            {"present": f"到会代表 {present} 人，未达到代表总数 {total} 人的三分之二，不能表决"},
            code="quorum",
        )
    if votes_for + votes_against + abstentions > present:
        raise ValidationError(
            {"votes_for": "赞成、反对、弃权票数之和超过到会代表人数"}, code="votes"
        )
    passed = votes_for * 2 > total
    resolution = (resolution or "").strip()
    updated = AgendaItem.objects.filter(pk=item.pk, result=AgendaItem.Result.PENDING).update(
        result=AgendaItem.Result.PASSED if passed else AgendaItem.Result.FAILED,
        present=present,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
        delegates_total=total,
        voted_at=timezone.now(),
        resolution=resolution if passed else "",
    )
    if not updated:
        raise ValidationError({"present": "该议程已经表决，不能重复表决"}, code="already_voted")
    item.refresh_from_db()
    audit_log(
        actor=actor,
        action="democracy.vote_recorded",
        target=item,
        changes={
            "present": present,
            "for": votes_for,
            "against": votes_against,
            "abstain": abstentions,
            "total": total,
            "result": item.result,
        },
    )
    return item


# --- Proposals ------------------------------------------------------------------------------------


@transaction.atomic
def proposal_submit(
    *,
    actor: User | None,
    congress: Congress,
    title: str,
    reasons: str,
    measures: str,
    category: str,
) -> Proposal:
    delegate = delegate_for(actor, congress)
    if delegate is None:
        raise PermissionDenied("只有本次大会的职工代表才能提交提案")
    if congress.status == Congress.Status.CLOSED:
        raise ValidationError({"congress": "大会已闭会，提案征集已结束"}, code="closed")
    if category not in Proposal.Category.values:
        raise ValidationError({"category": "请选择提案类别"}, code="category")
    fields = {
        "title": _required(title, "title", "案由", 120),
        "reasons": _required(reasons, "reasons", "理由"),
        "measures": _required(measures, "measures", "建议措施"),
    }
    # The congress row is the lock that numbers its proposals one after another.
    Congress.objects.select_for_update().filter(pk=congress.pk).first()
    number = (Proposal.objects.filter(congress=congress).aggregate(m=Max("number"))["m"] or 0) + 1
    proposal = Proposal.objects.create(
        congress=congress,
        enterprise_id=congress.enterprise_id,
        proposer=delegate,
        number=number,
        category=category,
        **fields,
    )
    _bump_tally(congress.enterprise_id, congress.held_on.year, collected=1)
    audit_log(
        actor=actor,
        action="democracy.proposal_submitted",
        target=proposal,
        changes={"congress": congress.pk, "number": number, "category": category},
    )
    return proposal


@transaction.atomic
def proposal_cosign(*, actor: User | None, proposal: Proposal) -> CoSignature:
    delegate = delegate_for(actor, proposal.congress)
    if delegate is None:
        raise PermissionDenied("只有本次大会的职工代表才能附议")
    if delegate.pk == proposal.proposer_id:
        raise ValidationError({"proposal": "不能附议自己的提案"}, code="own_proposal")
    if proposal.status != Proposal.Status.COSIGNING:
        raise ValidationError({"proposal": "该提案已结束附议"}, code="closed")
    try:
        with transaction.atomic():
            cosign = CoSignature.objects.create(proposal=proposal, delegate=delegate)
    except IntegrityError:
        raise ValidationError({"proposal": "您已经附议过该提案"}, code="twice") from None
    Proposal.objects.filter(pk=proposal.pk).update(cosign_count=F("cosign_count") + 1)
    proposal.refresh_from_db(fields=["cosign_count"])
    audit_log(
        actor=actor,
        action="democracy.proposal_cosigned",
        target=proposal,
        changes={"delegate": delegate.pk, "cosign_count": proposal.cosign_count},
    )
    return cosign


DECISIONS = {
    "accept": Proposal.Status.ACCEPTED,
    "convert": Proposal.Status.CONVERTED,
    "reject": Proposal.Status.REJECTED,
}


@transaction.atomic
def proposal_decide(
    *,
    actor: User | None,
    proposal: Proposal,
    decision: str,
    reason: str = "",
    department: str = "",
    deadline: date | None = None,
) -> Proposal:
    """The proposal committee's decision: 立案 (with a handling department and a deadline),
    转为意见建议 or 不予立案 (each with a reason)."""
    congress = proposal.congress
    if not can_manage_congress(actor, congress):
        raise PermissionDenied("只有提案工作委员会（企业工会或上级工会）才能审查提案")
    if decision not in DECISIONS:
        raise ValidationError({"decision": "请选择审查结论"}, code="decision")
    if proposal.cosign_count < congress.cosign_threshold:
        raise ValidationError(
            {
                "decision": f"附议代表 {proposal.cosign_count} 人，不足 {congress.cosign_threshold} 人，不能审查"
            },
            code="cosign_threshold",
        )
    reason = (reason or "").strip()
    changes: dict[str, Any] = {
        "status": DECISIONS[decision].value,
        "decision_reason": reason,
        "decided_at": timezone.now(),
    }
    if decision == "accept":
        name = " ".join((department or "").split())
        if not name:
            raise ValidationError({"department": "立案须指定承办部门"}, code="department")
        if len(name) > 60:
            raise ValidationError({"department": "承办部门名称不能超过 60 个字"}, code="department")
        if deadline is None:
            raise ValidationError({"deadline": "立案须规定办理期限"}, code="deadline")
        if deadline < timezone.localdate():
            raise ValidationError({"deadline": "办理期限不能早于今天"}, code="deadline")
        changes["department"], _ = Department.objects.get_or_create(
            enterprise_id=proposal.enterprise_id, name=name
        )
        changes["deadline"] = deadline
    elif not reason:
        label = "转为意见建议" if decision == "convert" else "不予立案"
        raise ValidationError({"reason": f"{label}须说明理由"}, code="reason")
    if not Proposal.objects.filter(pk=proposal.pk, status=Proposal.Status.COSIGNING).update(
        **changes
    ):
        raise ValidationError({"decision": "该提案已经审查过"}, code="already_decided")
    proposal.refresh_from_db()
    _bump_tally(
        proposal.enterprise_id,
        congress.held_on.year,
        **{"accept": {"accepted": 1}, "convert": {"converted": 1}, "reject": {"rejected": 1}}[
            decision
        ],
    )
    notices.tell_proposal_decided(proposal)
    audit_log(
        actor=actor,
        action="democracy.proposal_decided",
        target=proposal,
        changes={
            "decision": decision,
            "reason": reason,
            "department": proposal.department_id,
            "deadline": str(proposal.deadline) if proposal.deadline else None,
        },
    )
    return proposal


@transaction.atomic
def proposal_answer(*, actor: User | None, proposal: Proposal, answer: str) -> Proposal:
    """The handling department's answer, recorded by the enterprise union on its behalf."""
    if not can_manage_congress(actor, proposal.congress):
        raise PermissionDenied("您不能答复该提案")
    text = _required(answer, "answer", "答复内容")
    if not Proposal.objects.filter(pk=proposal.pk, status=Proposal.Status.ACCEPTED).update(
        status=Proposal.Status.ANSWERED,
        answer=text,
        answered_at=timezone.now(),
        rating="",
        rated_at=None,
    ):
        raise ValidationError({"answer": "只有已立案、正在办理的提案才能答复"}, code="status")
    if not proposal.reopened:
        _bump_tally(proposal.enterprise_id, proposal.congress.held_on.year, answered=1)
    proposal.refresh_from_db()
    notices.tell_proposal_answered(proposal)
    audit_log(
        actor=actor,
        action="democracy.proposal_answered",
        target=proposal,
        changes={"department": proposal.department_id, "reopened": proposal.reopened},
    )
    return proposal


@transaction.atomic
def proposal_rate(*, actor: User | None, proposal: Proposal, rating: str) -> Proposal:
    """The proposer rates the answer. 不满意 the first time sends it back to the department
    once (重新办理); after that, or with 满意/基本满意, the proposal is closed."""
    delegate = delegate_for(actor, proposal.congress)
    if delegate is None or delegate.pk != proposal.proposer_id:
        raise PermissionDenied("只有提案人才能评价办理结果")
    if rating not in Proposal.Rating.values:
        raise ValidationError({"rating": "请选择满意、基本满意或不满意"}, code="rating")
    now = timezone.now()
    reopen = rating == Proposal.Rating.UNSATISFIED and not proposal.reopened
    if reopen:
        changes = {
            "status": Proposal.Status.ACCEPTED,
            "reopened": True,
            "rating": rating,
            "rated_at": now,
        }
    else:
        changes = {"status": Proposal.Status.CLOSED, "rating": rating, "rated_at": now}
    if not Proposal.objects.filter(pk=proposal.pk, status=Proposal.Status.ANSWERED).update(
        **changes
    ):
        raise ValidationError({"rating": "该提案当前不能评价"}, code="status")
    if not reopen:
        _bump_tally(proposal.enterprise_id, proposal.congress.held_on.year, closed=1, **{rating: 1})
    proposal.refresh_from_db()
    audit_log(
        actor=actor,
        action="democracy.proposal_rated",
        target=proposal,
        changes={"rating": rating, "reopened": reopen},
    )
    return proposal


@transaction.atomic
def proposal_mark_outstanding(
    *, actor: User | None, proposal: Proposal, outstanding: bool
) -> Proposal:
    if not can_manage_congress(actor, proposal.congress):
        raise PermissionDenied("您不能评选该提案")
    if outstanding and proposal.status not in {
        Proposal.Status.ACCEPTED,
        Proposal.Status.ANSWERED,
        Proposal.Status.CLOSED,
    }:
        raise ValidationError({"outstanding": "只有已立案的提案才能评为优秀提案"}, code="status")
    Proposal.objects.filter(pk=proposal.pk).update(is_outstanding=outstanding)
    proposal.is_outstanding = outstanding
    audit_log(
        actor=actor,
        action="democracy.proposal_outstanding",
        target=proposal,
        changes={"is_outstanding": outstanding},
    )
    return proposal


# --- Open affairs ---------------------------------------------------------------------------------


@transaction.atomic
def disclosure_publish(
    *,
    actor: User | None,
    enterprise: Organization,
    category: str,
    title: str,
    body: str,
    publish_on: date,
    expires_on: date | None = None,
) -> Disclosure:
    _enterprise(enterprise)
    if not can_manage_enterprise(actor, enterprise):
        raise PermissionDenied("您不能为该企业发布厂务公开事项")
    if category not in Disclosure.Category.values:
        raise ValidationError({"category": "请选择公开类别"}, code="category")
    if expires_on is not None and expires_on < publish_on:
        raise ValidationError({"expires_on": "截止日期不能早于公开日期"}, code="dates")
    disclosure = Disclosure.objects.create(
        enterprise=enterprise,
        category=category,
        title=_required(title, "title", "标题", 120),
        body=_required(body, "body", "内容"),
        publish_on=publish_on,
        expires_on=expires_on,
    )
    audit_log(
        actor=actor,
        action="democracy.disclosure_published",
        target=disclosure,
        changes={
            "category": category,
            "publish_on": str(publish_on),
            "expires_on": str(expires_on) if expires_on else None,
        },
    )
    return disclosure


def disclosure_mark_read(*, worker: Worker, disclosure: Disclosure) -> bool:
    """A read receipt, once per worker; True when this was the first reading."""
    with transaction.atomic():
        _, created = DisclosureRead.objects.get_or_create(disclosure=disclosure, worker=worker)
        if created:
            Disclosure.objects.filter(pk=disclosure.pk).update(read_count=F("read_count") + 1)
    return created


# --- Collective negotiation ------------------------------------------------------------------------


@transaction.atomic
def negotiation_create(
    *,
    actor: User | None,
    organization: Organization,
    title: str,
    union_side: str,
    employer_side: str,
    topics: str,
    started_on: date,
    industry_wide: bool = False,
) -> Negotiation:
    if not can_manage_enterprise(actor, organization):
        raise PermissionDenied("您不能为该单位登记集体协商")
    if not industry_wide and organization.kind != Organization.Kind.ENTERPRISE:
        raise ValidationError(
            {"organization": "企业集体协商须选择企业；行业性协商请勾选“行业性协商”"}, code="kind"
        )
    negotiation = Negotiation.objects.create(
        organization=organization,
        industry_wide=industry_wide,
        title=_required(title, "title", "名称", 120),
        union_side=_required(union_side, "union_side", "职工方", 120),
        employer_side=_required(employer_side, "employer_side", "企业方", 120),
        topics=_required(topics, "topics", "协商议题", 300),
        started_on=started_on,
    )
    audit_log(
        actor=actor,
        action="democracy.negotiation_created",
        target=negotiation,
        changes={"organization": organization.pk, "industry_wide": industry_wide},
    )
    return negotiation


def _check_negotiation(actor: User | None, negotiation: Negotiation) -> None:
    if not can_manage_enterprise(actor, negotiation.organization):
        raise PermissionDenied("您不能管理该集体协商")


@transaction.atomic
def negotiation_round_add(
    *, actor: User | None, negotiation: Negotiation, held_on: date, summary: str
) -> NegotiationRound:
    _check_negotiation(actor, negotiation)
    if negotiation.status != Negotiation.Status.IN_PROGRESS:
        raise ValidationError({"summary": "协商已结束，不能再增加轮次"}, code="status")
    Negotiation.objects.select_for_update().filter(pk=negotiation.pk).first()
    number = (negotiation.rounds.aggregate(m=Max("number"))["m"] or 0) + 1
    held = NegotiationRound.objects.create(
        negotiation=negotiation,
        number=number,
        held_on=held_on,
        summary=_required(summary, "summary", "协商情况"),
    )
    audit_log(
        actor=actor,
        action="democracy.negotiation_round",
        target=negotiation,
        changes={"round": number},
    )
    return held


@transaction.atomic
def negotiation_outcome_add(
    *, actor: User | None, negotiation: Negotiation, topic: str, change: Decimal, unit: str = "元"
) -> NegotiationOutcome:
    _check_negotiation(actor, negotiation)
    outcome = NegotiationOutcome.objects.create(
        negotiation=negotiation,
        topic=_required(topic, "topic", "议题", 60),
        change=change,
        unit=_required(unit, "unit", "单位", 12),
    )
    audit_log(
        actor=actor,
        action="democracy.negotiation_outcome",
        target=negotiation,
        changes={"topic": outcome.topic, "change": str(change), "unit": outcome.unit},
    )
    return outcome


@transaction.atomic
def contract_sign(
    *,
    actor: User | None,
    negotiation: Negotiation,
    title: str,
    signed_on: date,
    effective_on: date,
    expires_on: date,
    enterprises_covered: int,
    workers_covered: int,
) -> CollectiveContract:
    _check_negotiation(actor, negotiation)
    if expires_on <= effective_on:
        raise ValidationError({"expires_on": "到期日期须晚于生效日期"}, code="dates")
    if enterprises_covered < 1 or workers_covered < 0:
        raise ValidationError(
            {"enterprises_covered": "覆盖企业数至少为 1，覆盖职工数不能为负"}, code="coverage"
        )
    if not Negotiation.objects.filter(
        pk=negotiation.pk, status=Negotiation.Status.IN_PROGRESS
    ).update(status=Negotiation.Status.CONCLUDED):
        raise ValidationError({"title": "该协商已签订合同或已结束"}, code="status")
    contract = CollectiveContract.objects.create(
        negotiation=negotiation,
        title=_required(title, "title", "合同名称", 120),
        signed_on=signed_on,
        effective_on=effective_on,
        expires_on=expires_on,
        enterprises_covered=enterprises_covered,
        workers_covered=workers_covered,
    )
    negotiation.status = Negotiation.Status.CONCLUDED
    audit_log(
        actor=actor,
        action="democracy.contract_signed",
        target=contract,
        changes={
            "effective_on": str(effective_on),
            "expires_on": str(expires_on),
            "enterprises": enterprises_covered,
            "workers": workers_covered,
        },
    )
    return contract


def contracts_remind(
    *, today: date | None = None, dry_run: bool = False
) -> list[CollectiveContract]:
    """Contracts expiring within CONTRACT_REMINDER_DAYS that have not been reminded yet: mark
    each one reminded (once: a conditional UPDATE) so that the union renews it in time."""
    today = today or timezone.localdate()
    due = list(
        CollectiveContract.objects.filter(
            reminder_sent_on__isnull=True,
            expires_on__gte=today,
            expires_on__lte=today + timedelta(days=CONTRACT_REMINDER_DAYS),
        ).select_related("negotiation__organization")
    )
    if dry_run:
        return due
    sent = []
    for contract in due:
        with transaction.atomic():
            if CollectiveContract.objects.filter(
                pk=contract.pk, reminder_sent_on__isnull=True
            ).update(reminder_sent_on=today):
                audit_log(
                    actor=None,
                    action="democracy.contract_expiry_reminder",
                    target=contract,
                    changes={"expires_on": str(contract.expires_on)},
                )
                notices.tell_contract_expiring(contract, days=(contract.expires_on - today).days)
                sent.append(contract)
    return sent


# --- Case library and teaching points -------------------------------------------------------------


@transaction.atomic
def case_create(
    *,
    actor: User | None,
    organization: Organization,
    title: str,
    summary: str,
    tags: str = "",
    teaching: str = "",
    files: list[UploadedFile] | None = None,
) -> Case:
    if not can_curate_cases(actor, organization):
        raise PermissionDenied("只有工会工作人员才能编入案例库")
    case = Case.objects.create(
        organization=organization,
        title=_required(title, "title", "标题", 120),
        summary=_required(summary, "summary", "案例简介"),
        tags=" ".join((tags or "").split())[:200],
        teaching=(teaching or "").strip(),
    )
    for upload in files or []:
        name = upload.name or ""
        if upload.size is None or upload.size > 10 * 1024 * 1024:
            raise ValidationError({"files": f"附件“{name}”超过 10 MB"}, code="too_big")
        CaseAttachment.objects.create(case=case, file=upload, name=name[:200])
    audit_log(
        actor=actor,
        action="democracy.case_created",
        target=case,
        changes={"tags": case.tags, "attachments": len(files or [])},
    )
    return case


@transaction.atomic
def teaching_point_mark(
    *, actor: User | None, enterprise: Organization, since: date, honour: str = "", note: str = ""
) -> TeachingPoint:
    _enterprise(enterprise)
    if not can_curate_cases(actor, enterprise):
        raise PermissionDenied("只有上级工会才能设立教学点")
    point, created = TeachingPoint.objects.update_or_create(
        enterprise=enterprise,
        defaults={"since": since, "honour": (honour or "").strip()[:120], "note": note},
    )
    audit_log(
        actor=actor,
        action="democracy.teaching_point",
        target=point,
        target_repr=enterprise.name,
        changes={"created": created, "honour": point.honour},
    )
    return point


# --- Model-worker nominations ----------------------------------------------------------------------


@transaction.atomic
def nomination_create(
    *,
    actor: User | None,
    worker: Worker,
    level: str,
    year: int,
    deeds: str,
    reviews_required: int = 2,
) -> Nomination:
    if not can_nominate(actor, worker):
        raise PermissionDenied("您不能推荐该职工")
    if level not in Nomination.Level.values:
        raise ValidationError({"level": "请选择推荐级别"}, code="level")
    if Nomination.objects.filter(worker=worker, level=level, year=year).exists():
        raise ValidationError({"worker": f"{worker.name}本年度已有同级别的推荐"}, code="duplicate")
    if not 1 <= reviews_required <= 4:
        raise ValidationError({"reviews_required": "审核层级须为 1 到 4 级"}, code="reviews")
    nomination = Nomination.objects.create(
        worker=worker,
        nominated_by=actor.organization,
        level=level,
        year=year,
        deeds=_required(deeds, "deeds", "主要事迹"),
        reviews_required=reviews_required,
    )
    audit_log(
        actor=actor,
        action="democracy.nomination_created",
        target=nomination,
        changes={"worker": worker.pk, "level": level, "year": year},
    )
    return nomination


@transaction.atomic
def nomination_review(
    *,
    actor: User | None,
    nomination: Nomination,
    approved: bool,
    comment: str = "",
    notice_days: int = NOTICE_DAYS,
) -> Nomination:
    """One level's review. Levels go up the tree: each review comes from a union above the
    previous reviewer. The last approval opens the public notice (公示)."""
    if not can_review_nomination(actor, nomination):
        raise PermissionDenied("只有推荐单位的上级工会才能审核")
    Nomination.objects.select_for_update().filter(pk=nomination.pk).first()
    nomination.refresh_from_db()
    if nomination.status != Nomination.Status.REVIEWING:
        raise ValidationError({"approved": "该推荐不在审核阶段"}, code="status")
    reviews = list(nomination.reviews.select_related("organization"))
    org = actor.organization
    if reviews:
        last = reviews[-1].organization
        if not (last.path.startswith(org.path) and last.path != org.path):
            raise ValidationError(
                {"approved": f"已由{last.name}审核，下一级审核须由其上级工会进行"},
                code="level_order",
            )
    if not approved and not (comment or "").strip():
        raise ValidationError({"comment": "不同意推荐须填写审核意见"}, code="comment")
    NominationReview.objects.create(
        nomination=nomination,
        organization=org,
        reviewer=actor,
        approved=approved,
        comment=(comment or "").strip(),
    )
    if not approved:
        nomination.status = Nomination.Status.REJECTED
    elif len(reviews) + 1 >= nomination.reviews_required:
        today = timezone.localdate()
        nomination.status = Nomination.Status.NOTICE
        nomination.notice_starts_on = today
        nomination.notice_ends_on = today + timedelta(days=max(5, notice_days))
    nomination.save(update_fields=["status", "notice_starts_on", "notice_ends_on", "updated_at"])
    if nomination.status == Nomination.Status.NOTICE:
        notices.tell_nomination_notice(nomination, union_id=org.pk)
    audit_log(
        actor=actor,
        action="democracy.nomination_reviewed",
        target=nomination,
        changes={"approved": approved, "level": len(reviews) + 1, "status": nomination.status},
    )
    return nomination


def objection_submit(
    *, nomination: Nomination, body: str, contact: str = "", client_key: str = ""
) -> Objection:
    """Anyone may object during the notice period. The contact (a mobile) is stored encrypted
    and shown masked; each address may object a few times an hour."""
    today = timezone.localdate()
    starts, ends = nomination.notice_starts_on, nomination.notice_ends_on
    if nomination.status != Nomination.Status.NOTICE or not (
        starts is not None and ends is not None and starts <= today <= ends
    ):
        raise ValidationError({"body": "该推荐不在公示期内，不能提出异议"}, code="not_in_notice")
    text = _required(body, "body", "异议内容")
    if len(text) < 10:
        raise ValidationError({"body": "请具体说明异议的事实（至少 10 个字）"}, code="too_short")
    if len(text) > 2000:
        raise ValidationError({"body": "异议内容不能超过 2000 个字"}, code="too_long")
    cipher = masked = ""
    if (contact or "").strip():
        try:
            mobile = validate_mobile(contact)
        except ValidationError as error:
            raise ValidationError({"contact": error.messages[0]}, code="contact") from None
        cipher, masked = crypto.encrypt(mobile), mask_mobile(mobile)
    with transaction.atomic():
        # The address's count and its answer in one statement (the demands' counters): twelve
        # objections sent at once from one address store exactly the hour's allowance. A
        # refusal raises inside the transaction, so it counts nowhere.
        if client_key and not throttle.claim(("objection-ip", client_key)):
            raise ObjectionsThrottled(retry_after=throttle.window("objection-ip"))
        objection = Objection.objects.create(
            nomination=nomination, body=text, contact_cipher=cipher, contact_masked=masked
        )
        audit_log(
            actor=None,
            action="democracy.objection_received",
            target=nomination,
            changes={"objection": objection.pk, "contact": masked},
        )
        notices.tell_objection(nomination, objection_id=objection.pk)
    return objection


@transaction.atomic
def objection_resolve(
    *, actor: User | None, objection: Objection, upheld: bool, finding: str
) -> Objection:
    nomination = objection.nomination
    if not (
        is_union_reviewer(actor)
        and nomination.nominated_by.path.startswith(actor.organization.path)
    ):
        raise PermissionDenied("您不能核查该异议")
    text = _required(finding, "finding", "核查结论")
    status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
    if not Objection.objects.filter(pk=objection.pk, status=Objection.Status.OPEN).update(
        status=status, finding=text
    ):
        raise ValidationError({"finding": "该异议已经核查"}, code="status")
    if upheld:
        Nomination.objects.filter(pk=nomination.pk).update(status=Nomination.Status.REJECTED)
    objection.refresh_from_db()
    audit_log(
        actor=actor,
        action="democracy.objection_resolved",
        target=nomination,
        changes={"objection": objection.pk, "upheld": upheld},
    )
    return objection


@transaction.atomic
def nomination_confirm(*, actor: User | None, nomination: Nomination) -> Nomination:
    if not can_review_nomination(actor, nomination):
        raise PermissionDenied("只有上级工会才能确认劳模推荐")
    today = timezone.localdate()
    ends = nomination.notice_ends_on  # set with the status NOTICE by nomination_review
    if nomination.status != Nomination.Status.NOTICE or ends is None:
        raise ValidationError({"status": "只有公示中的推荐才能确认"}, code="status")
    if today <= ends:
        raise ValidationError(
            {"status": f"公示期至{cn_date(ends)}，公示期满后才能确认"},
            code="notice_running",
        )
    last = nomination.reviews.select_related("organization").order_by("-id").first()
    if last is not None and not last.organization.path.startswith(actor.organization.path):
        raise PermissionDenied(f"已由{last.organization.name}终审，须由其或其上级工会确认")
    if nomination.objections.filter(status=Objection.Status.OPEN).exists():
        raise ValidationError({"status": "尚有异议未核查，不能确认"}, code="open_objections")
    if not Nomination.objects.filter(pk=nomination.pk, status=Nomination.Status.NOTICE).update(
        status=Nomination.Status.CONFIRMED, confirmed_on=today
    ):
        raise ValidationError({"status": "该推荐已处理"}, code="status")
    nomination.refresh_from_db()
    audit_log(
        actor=actor,
        action="democracy.nomination_confirmed",
        target=nomination,
        changes={"level": nomination.level},
    )
    return nomination
