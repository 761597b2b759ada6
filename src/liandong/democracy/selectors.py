"""Reads of democratic management: lists already scoped by the permissions module, and the
figures per enterprise, park (any organization's subtree) and year, read from the tallies."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from liandong.accounts.models import User
from liandong.core.memo import once
from liandong.democracy.models import (
    Case,
    Delegate,
    Disclosure,
    Negotiation,
    Nomination,
    Proposal,
    ProposalTally,
)
from liandong.democracy.permissions import (
    cases_visible_to,
    disclosures_visible_to,
    nominations_visible_to,
    proposals_visible_to,
)
from liandong.organizations.models import Organization, subtree_q
from liandong.workers.models import Worker


@dataclass(frozen=True)
class ProposalFilters:
    status: str = ""
    congress: int | None = None
    enterprise: Organization | None = None
    outstanding: bool | None = None
    q: str = ""


def proposal_list(
    *, user: User | AnonymousUser | None, filters: ProposalFilters | None = None
) -> QuerySet[Proposal]:
    filters = filters or ProposalFilters()
    proposals = proposals_visible_to(user)
    if filters.enterprise is not None:
        proposals = (
            proposals.filter(enterprise=filters.enterprise)
            if filters.enterprise.kind == Organization.Kind.ENTERPRISE
            else proposals.filter(subtree_q(filters.enterprise.path, "enterprise__path"))
        )
    if filters.status:
        proposals = proposals.filter(status=filters.status)
    if filters.congress is not None:
        proposals = proposals.filter(congress_id=filters.congress)
    if filters.outstanding is not None:
        proposals = proposals.filter(is_outstanding=filters.outstanding)
    if filters.q:
        proposals = proposals.filter(Q(title__contains=filters.q) | Q(reasons__contains=filters.q))
    return proposals.select_related("proposer__worker", "enterprise", "department", "congress")


def proposals_overdue(
    *, organization_ids: list[int], today: date | None = None
) -> QuerySet[Proposal]:
    """Accepted proposals past their handling deadline in the subtrees of ``organization_ids``."""
    today = today or timezone.localdate()
    paths = Organization.objects.filter(pk__in=organization_ids).values_list("path", flat=True)
    scope = Q(pk__in=[])
    for path in paths:
        scope |= subtree_q(path, "enterprise__path")
    return Proposal.objects.filter(
        scope, status=Proposal.Status.ACCEPTED, deadline__lt=today
    ).select_related("enterprise", "department")


@dataclass(frozen=True)
class Figures:
    organization: Organization
    year: int
    collected: int
    accepted: int
    converted: int
    rejected: int
    answered: int
    closed: int
    satisfied: int
    basic: int
    unsatisfied: int
    negotiations: int
    contracts: int
    contracts_in_force: int
    enterprises_covered: int
    workers_covered: int
    disclosures: int

    @property
    def rated(self) -> int:
        return self.satisfied + self.basic + self.unsatisfied

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: (满意 + 基本满意) / 评价总数, in percent."""
        return round(100 * (self.satisfied + self.basic) / self.rated, 1) if self.rated else None

    @property
    def handled(self) -> int:
        """Proposals whose handling has been answered (办复)."""
        return self.answered

    def as_dict(self) -> dict[str, Any]:
        return {
            "organization_id": self.organization.pk,
            "organization": self.organization.name,
            "year": self.year,
            "proposals_collected": self.collected,
            "proposals_accepted": self.accepted,
            "proposals_converted": self.converted,
            "proposals_rejected": self.rejected,
            "proposals_handled": self.handled,
            "proposals_closed": self.closed,
            "rating_satisfied": self.satisfied,
            "rating_basic": self.basic,
            "rating_unsatisfied": self.unsatisfied,
            "satisfaction_rate": self.satisfaction_rate,
            "negotiations": self.negotiations,
            "contracts": self.contracts,
            "contracts_in_force": self.contracts_in_force,
            "enterprises_covered": self.enterprises_covered,
            "workers_covered": self.workers_covered,
            "disclosures": self.disclosures,
        }


def figures_for(*, organization: Organization, year: int, industry: str = "") -> Figures:
    """Figures of a year in ``organization``'s subtree: a sum over the tallies (one row per
    enterprise and year) and small per-negotiation tables, never a scan of the proposals.
    ``industry`` (the dashboard's 行业): records of enterprises (negotiations: of bodies) of
    that industry only. A dashboard asks twice (headline figures, charts): computed once."""
    return once(
        ("democracy.figures_for", organization.pk, year, industry),
        lambda: _figures_for(organization, year, industry),
    )


def _figures_for(organization: Organization, year: int, industry: str) -> Figures:
    by_enterprise = Q(enterprise__industry=industry) if industry else Q()
    tally = ProposalTally.objects.filter(
        subtree_q(organization.path, "enterprise__path"), by_enterprise, year=year
    ).aggregate(
        **{
            name: Sum(name)
            for name in [
                "collected",
                "accepted",
                "converted",
                "rejected",
                "answered",
                "closed",
                "satisfied",
                "basic",
                "unsatisfied",
            ]
        }
    )
    tally = {k: v or 0 for k, v in tally.items()}
    # The negotiations with their contracts in one statement: a contract is of one
    # negotiation and a negotiation has one contract at most (OneToOne), so the join keeps
    # one row per negotiation and counts both as they come.
    negotiations = Negotiation.objects.filter(subtree_q(organization.path, "organization__path"))
    if industry:
        negotiations = negotiations.filter(organization__industry=industry)
    signed = Q(contract__signed_on__year=year)
    in_force = Q(
        contract__effective_on__lte=date(year, 12, 31), contract__expires_on__gte=date(year, 1, 1)
    )
    bargaining = negotiations.aggregate(
        negotiations=Count("id", filter=Q(started_on__year=year)),
        contracts=Count("contract", filter=signed),
        in_force=Count("contract", filter=in_force),
        enterprises=Sum("contract__enterprises_covered", filter=in_force),
        workers=Sum("contract__workers_covered", filter=in_force),
    )
    return Figures(
        organization=organization,
        year=year,
        **tally,
        negotiations=bargaining["negotiations"],
        contracts=bargaining["contracts"],
        contracts_in_force=bargaining["in_force"],
        enterprises_covered=bargaining["enterprises"] or 0,
        workers_covered=bargaining["workers"] or 0,
        disclosures=Disclosure.objects.filter(
            subtree_q(organization.path, "enterprise__path"), by_enterprise, publish_on__year=year
        ).count(),
    )


def figures_url(organization: Organization, year: int) -> str:
    return f"{reverse('democracy:figures')}?organization={organization.pk}&year={year}"


def library(
    *, user: User | AnonymousUser | None, q: str = ""
) -> tuple[QuerySet[Proposal], QuerySet[Case]]:
    """The outstanding proposals (教材库) and the cases (案例库), searched by ``q``."""
    proposals = (
        proposals_visible_to(user)
        .filter(is_outstanding=True)
        .select_related("enterprise", "proposer__worker", "department")
    )
    cases = cases_visible_to(user).select_related("organization").prefetch_related("attachments")
    if q:
        proposals = proposals.filter(
            Q(title__contains=q) | Q(measures__contains=q) | Q(reasons__contains=q)
        )
        cases = cases.filter(
            Q(title__contains=q)
            | Q(summary__contains=q)
            | Q(tags__contains=q)
            | Q(teaching__contains=q)
        )
    return proposals, cases


# ---------------------------------------------------------------------------------------------
# The 工作台 (workbench app)

# A public notice "ends soon" when its last day is within this many days.
NOTICE_ENDING_DAYS = 3


def proposals_awaiting_review(user: User | AnonymousUser | None) -> QuerySet[Proposal]:
    """Proposals still collecting co-signatures, which the proposal committee decides next
    (the list's 征集附议 filter), in the user's scope."""
    return proposal_list(user=user, filters=ProposalFilters(status=Proposal.Status.COSIGNING))


def nominations_notice_ending(
    user: User | AnonymousUser | None, *, today: date | None = None
) -> QuerySet[Nomination]:
    """Nominations in the user's scope under public notice that ends within a few days."""
    today = today or timezone.localdate()
    return nominations_visible_to(user).filter(
        status=Nomination.Status.NOTICE,
        notice_ends_on__lte=today + timedelta(days=NOTICE_ENDING_DAYS),
    )


# --- A worker's phone home -------------------------------------------------------------------------


def disclosures_unread(*, user: User | AnonymousUser | None, worker: Worker) -> int:
    """How many of the open-affairs items the worker may read now (their enterprises', in
    their period) they have not opened yet (``DisclosureRead``, written when they open one)."""
    return disclosures_visible_to(user).exclude(reads__worker=worker).count()


@dataclass(frozen=True)
class DelegateProposals:
    """A delegate's proposals for their home: the congresses they sit in and the latest few."""

    delegacies: list[Delegate]
    proposals: list[Proposal]


def delegate_proposals(worker: Worker, *, limit: int = 3) -> DelegateProposals | None:
    """None when the worker is not a delegate and never proposed anything."""
    delegacies = list(Delegate.objects.filter(worker=worker).select_related("congress"))
    proposals = list(
        Proposal.objects.filter(proposer__worker=worker)
        .select_related("congress")
        .order_by("-id")[:limit]
    )
    if not delegacies and not proposals:
        return None
    return DelegateProposals(delegacies=delegacies, proposals=proposals)
