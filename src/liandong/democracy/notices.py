"""Who hears of democratic management's steps, through notifications.notify (in the step's
transaction): the union's staff when a model-worker nomination's public notice opens and when
an objection arrives; the proposer (their inbox, else an SMS naming the proposal's number) and
the enterprise union that records the handling department's work when a proposal is decided
and answered; the enterprise union and the union above it 60 days before a collective
contract expires."""

from collections.abc import Sequence

from django.urls import reverse

from liandong.accounts.models import ORGANIZATION_ROLES, User
from liandong.core import crypto
from liandong.democracy.models import CollectiveContract, Nomination, Proposal, cn_date
from liandong.notifications.kinds import Kind
from liandong.notifications.models import Channel
from liandong.notifications.services import notify, notify_later

NOMINATION_NOTICE = "democracy.nomination_notice"
OBJECTION = "democracy.objection"
PROPOSAL_DECIDED = "democracy.proposal_decided"
PROPOSAL_ASSIGNED = "democracy.proposal_assigned"
PROPOSAL_ANSWERED = "democracy.proposal_answered"
CONTRACT_EXPIRING = "democracy.contract_expiring"

NOTIFICATION_KINDS = [
    Kind(
        key=NOMINATION_NOTICE,
        label="劳模推荐公示开始",
        title="劳模推荐公示开始：{worker}（{level}）",
        body="{nominated_by}推荐的{worker}（{level}，{year}年）已通过审核，公示期 {starts} 至 {ends}。"
        "公示期间收到的异议请及时核查。",
        defaults=frozenset({Channel.EMAIL}),
    ),
    Kind(
        key=OBJECTION,
        label="劳模推荐收到异议",
        title="劳模推荐收到异议：{worker}（{level}）",
        body="公示中的{worker}（{level}，{year}年）收到一条异议，请在确认推荐前核查并作出结论。",
        defaults=frozenset({Channel.EMAIL}),
    ),
    Kind(
        key=PROPOSAL_DECIDED,
        label="我的提案已审查",
        title="您的提案第{number}号已审查：{decision}",
        body="您提交的提案第{number}号“{title}”经提案工作委员会审查：{decision}。{detail}",
        sms="【联动】您提交的职代会提案第{number}号已审查：{decision}。详情见",
        defaults=frozenset({Channel.SMS}),
    ),
    Kind(
        key=PROPOSAL_ASSIGNED,
        label="提案立案交办",
        title="提案第{number}号已立案，交{department}办理",
        body="提案第{number}号“{title}”已立案，承办部门：{department}，办理期限：{deadline}。"
        "请督促承办部门按期答复。",
        defaults=frozenset({Channel.EMAIL}),
    ),
    Kind(
        key=PROPOSAL_ANSWERED,
        label="我的提案有答复",
        title="您的提案第{number}号有了答复",
        body="{department}对提案第{number}号“{title}”的答复：{answer}\n欢迎对办理情况作出评价。",
        sms="【联动】您提交的职代会提案第{number}号已有答复，请查看并评价：",
        defaults=frozenset({Channel.SMS}),
    ),
    Kind(
        key=CONTRACT_EXPIRING,
        label="集体合同即将到期",
        title="集体合同将于{expires}到期：{title}",
        body="{organization}的集体合同“{title}”将于{expires}到期（{days}天后），请及早启动新一轮集体协商。",
        defaults=frozenset({Channel.EMAIL}),
    ),
]

DECISION_LABELS = {"accepted": "立案", "converted": "转为意见建议", "rejected": "不予立案"}


def _accounts(organization_ids: Sequence[int | None]) -> "list[User]":
    ids = [pk for pk in organization_ids if pk]
    if not ids:
        return []
    return list(
        User.objects.filter(
            organization_id__in=ids, is_active=True, role__in=sorted(ORGANIZATION_ROLES)
        ).only("pk", "email", "is_active")
    )


def _nomination_context(nomination: Nomination) -> dict[str, object]:
    return {
        "worker": nomination.worker.name,
        "level": nomination.get_level_display(),
        "year": nomination.year,
        "nominated_by": nomination.nominated_by.name,
        "starts": cn_date(nomination.notice_starts_on) if nomination.notice_starts_on else "—",
        "ends": cn_date(nomination.notice_ends_on) if nomination.notice_ends_on else "—",
    }


def tell_nomination_notice(nomination: Nomination, *, union_id: int) -> int:
    """The staff of the union whose approval opened the notice (it hears the objections)."""
    return notify(
        NOMINATION_NOTICE,
        _accounts([union_id]),
        context=_nomination_context(nomination),
        event_key=f"{NOMINATION_NOTICE}:{nomination.pk}",
        link=reverse("democracy:nomination-detail", args=[nomination.pk]),
        target=f"democracy.nomination:{nomination.pk}",
        organizations=[union_id],
        organization_id=union_id,
    )


def tell_objection(nomination: Nomination, *, objection_id: int) -> None:
    """The public objection form is a public path: one row now, the staff of the union that
    opened the notice told by the worker moments later. The text of the objection stays on
    the nomination's page."""
    union_id = (
        nomination.reviews.order_by("-id").values_list("organization_id", flat=True).first()
        or nomination.nominated_by_id
    )
    notify_later(
        OBJECTION,
        accounts_of=union_id,
        context=_nomination_context(nomination),
        event_key=f"{OBJECTION}:{nomination.pk}:{objection_id}",
        link=reverse("democracy:nomination-detail", args=[nomination.pk]),
        target=f"democracy.nomination:{nomination.pk}",
        organizations=[union_id],
        organization_id=union_id,
    )


def _proposer(proposal: Proposal) -> tuple[list[User], list[str]]:
    """The proposer's account, else their roster number (for an SMS)."""
    worker = proposal.proposer.worker
    if worker.user_id is not None:
        return list(User.objects.filter(pk=worker.user_id).only("pk", "email", "is_active")), []
    return [], [crypto.decrypt(worker.mobile_cipher)] if worker.mobile_cipher else []


def _proposal_context(proposal: Proposal) -> dict[str, object]:
    return {
        "number": proposal.number,
        "title": proposal.title,
        "department": proposal.department.name if proposal.department else "承办部门",
        "deadline": cn_date(proposal.deadline) if proposal.deadline else "—",
    }


def tell_proposal_decided(proposal: Proposal) -> int:
    """The proposer hears the decision; an accepted proposal is handed to the enterprise union
    that records its handling department's work (departments have no accounts)."""
    context = _proposal_context(proposal)
    decision = DECISION_LABELS.get(proposal.status, proposal.get_status_display())
    if proposal.status == Proposal.Status.ACCEPTED:
        detail = f"承办部门：{context['department']}，办理期限：{context['deadline']}。"
    else:
        detail = f"理由：{proposal.decision_reason}" if proposal.decision_reason else ""
    accounts, mobiles = _proposer(proposal)
    link = reverse("democracy:proposal-detail", args=[proposal.pk])
    target = f"democracy.proposal:{proposal.pk}"
    told = notify(
        PROPOSAL_DECIDED,
        accounts,
        context={**context, "decision": decision, "detail": detail},
        event_key=f"{PROPOSAL_DECIDED}:{proposal.pk}",
        link=link,
        target=target,
        mobiles=mobiles,
        organization_id=proposal.enterprise_id,
    )
    if proposal.status == Proposal.Status.ACCEPTED:
        told += notify(
            PROPOSAL_ASSIGNED,
            _accounts([proposal.enterprise_id]),
            context=context,
            event_key=f"{PROPOSAL_ASSIGNED}:{proposal.pk}",
            link=link,
            target=target,
            organizations=[proposal.enterprise_id],
            organization_id=proposal.enterprise_id,
        )
    return told


def tell_proposal_answered(proposal: Proposal) -> int:
    """The proposer (each answer once: a reopened proposal's new answer is a new event)."""
    accounts, mobiles = _proposer(proposal)
    answered = f"{proposal.answered_at:%Y%m%d%H%M%S}" if proposal.answered_at else "0"
    return notify(
        PROPOSAL_ANSWERED,
        accounts,
        context={**_proposal_context(proposal), "answer": proposal.answer},
        event_key=f"{PROPOSAL_ANSWERED}:{proposal.pk}:{answered}",
        link=reverse("democracy:proposal-detail", args=[proposal.pk]),
        target=f"democracy.proposal:{proposal.pk}",
        mobiles=mobiles,
        organization_id=proposal.enterprise_id,
    )


def tell_contract_expiring(contract: CollectiveContract, *, days: int) -> int:
    """The negotiating enterprise union (or union) and the union above it."""
    organization = contract.negotiation.organization
    bodies = [organization.pk, organization.parent_id]
    return notify(
        CONTRACT_EXPIRING,
        _accounts(bodies),
        context={
            "title": contract.title,
            "organization": organization.name,
            "expires": cn_date(contract.expires_on),
            "days": days,
        },
        event_key=f"{CONTRACT_EXPIRING}:{contract.pk}:{contract.expires_on:%Y%m%d}",
        link=reverse("democracy:negotiation-detail", args=[contract.negotiation_id]),
        target=f"democracy.collectivecontract:{contract.pk}",
        organizations=[pk for pk in bodies if pk],
        organization_id=organization.parent_id or organization.pk,
    )
