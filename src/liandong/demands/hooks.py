"""What demands offers other apps (see core/extensions.py)."""

from typing import Protocol

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.urls import reverse

from liandong.accounts.models import User
from liandong.core import crypto
from liandong.core.extensions import (
    AgendaCandidate,
    DemandRef,
    Figure,
    LinkedRecord,
    NavItem,
    WorkerSection,
)
from liandong.core.formatting import cn_date
from liandong.demands.models import OPEN_STATES, Demand
from liandong.demands.notices import NOTIFICATION_KINDS as NOTIFICATION_KINDS
from liandong.demands.permissions import can_use_demands, demands_visible_to
from liandong.demands.rollups import move_area
from liandong.demands.selectors import StatsFilters, StatsRow
from liandong.demands.workdays import add_working_days as add_working_days
from liandong.organizations.models import Organization
from liandong.workers.models import Worker


class JointMechanism(Protocol):
    """What demands reads of the meetings module's Mechanism (the modules do not import each
    other); its ``industry``, when it has one, is read with getattr."""

    def member_organization_ids(self) -> set[int]: ...


NAV_ITEMS = [
    NavItem(label="职工诉求", url_name="demands:demand-list", visible=can_use_demands, order=30)
]


def agenda_candidates(mechanism: JointMechanism) -> list[AgendaCandidate]:
    """Demands the tick escalated to the joint meeting (unresolved past the second limit, or
    needing several bodies) whose responsible body is a member of the mechanism, and of its
    industry when it has one. No personal data: code, category, city, body."""
    members = list(mechanism.member_organization_ids())
    demands = Demand.objects.filter(
        agenda_at__isnull=False, state__in=OPEN_STATES, body_id__in=members
    )
    industry = getattr(mechanism, "industry", "") or ""
    if industry:
        demands = demands.filter(Q(industry=industry) | Q(industry=""))
    return [
        AgendaCandidate(
            key=f"demands.demand:{d.pk}",
            title=f"职工诉求 {d.code}：{d.city}{d.industry}从业人员反映{d.get_category_display()}问题，"
            f"{d.body.name if d.body is not None else ''}办理超时未解决",
            kind="demand",
            url=reverse("demands:demand-detail", args=[d.pk]),
            note=f"受理于 {cn_date(d.created_at)}，办结时限 {cn_date(d.resolution_due)}",
        )
        for d in demands.select_related("body").order_by("pk")[:50]
    ]


def year_figures(organization: Organization, year: int) -> list[Figure]:
    """Demands received and resolved in the year in the subtree of ``organization`` and its
    partners, and the three rates; each links to the statistics or the list behind it."""
    from datetime import date

    from liandong.demands.selectors import demand_stats

    filters = StatsFilters(start=date(year, 1, 1), end=date(year, 12, 31), group_by="month")
    total: StatsRow
    total, _ = demand_stats(union=organization, filters=filters)
    stats_url = (
        reverse("demands:demand-stats") + f"?start={year}-01-01&end={year}-12-31&group_by=month"
    )
    list_url = reverse("demands:demand-list")
    section = "职工诉求"
    figures = [
        Figure(section, "受理职工诉求", total.received, "件", stats_url),
        Figure(
            section,
            "办结职工诉求",
            total.counts.get("resolved", 0),
            "件",
            list_url + "?state=resolved",
        ),
    ]
    for label, value in [
        ("响应率", total.response_rate),
        ("解决率", total.resolution_rate),
        ("满意率", total.satisfaction_rate),
    ]:
        if value is not None:
            figures.append(Figure(section, label, value, "%", stats_url))
    return figures


def worker_sections(user: User | AnonymousUser | None, worker: Worker) -> list[WorkerSection]:
    """The worker's own demands (matched by the mobile's keyed digest), for those who may see them."""
    if getattr(worker, "user_id", None) is not None and worker.user_id == getattr(user, "pk", None):
        demands = Demand.objects.filter(mobile_digest=worker.mobile_digest)
    elif can_use_demands(user):
        demands = demands_visible_to(user).filter(mobile_digest=worker.mobile_digest)
    else:
        return []
    rows = [
        (
            f"{d.code} {d.get_category_display()}",
            f"{d.get_state_display()}（{cn_date(d.created_at)}）",
        )
        for d in demands.order_by("-pk")[:10]
    ]
    return [WorkerSection(title="职工诉求", rows=rows, url=reverse("demands:public-track"))]


def demand_ref(user: User | AnonymousUser | None, demand_id: int) -> DemandRef | None:
    """A demand ``user`` may see, as another module (mediation) starts from it; its mobile is
    decrypted only to be sealed again there."""
    demand = demands_visible_to(user).filter(pk=demand_id).first()
    if demand is None:
        return None
    return DemandRef(
        id=demand.pk,
        code=demand.code,
        url=reverse("demands:demand-detail", args=[demand.pk]),
        union_id=demand.union_id,
        category=demand.category,
        description=demand.description,
        submitter_name=demand.submitter_name,
        employer_name=demand.employer_name,
        mobile=crypto.decrypt(demand.mobile_cipher) if demand.mobile_cipher else "",
    )


def create_demand_from(
    *,
    actor: User,
    description: str,
    category: str,
    industry: str,
    city: str,
    mobile: str,
    contact_name: str = "",
    employer_name: str = "",
    body: Organization | None = None,
) -> LinkedRecord:
    """A demand recorded by union staff from a problem found elsewhere (a leader's visit to a
    key enterprise): channel 来访, routed and timed like any other; the contact person agreed
    to be called back (the caller's form asks). ``body``: the union that found it handles it
    (dispatched to it by hand over the routing rules, the reason on the timeline). Raises ValidationError
    naming the field."""
    from liandong.demands.models import Channel, State
    from liandong.demands.services import demand_assign, demand_submit

    demand, _ = demand_submit(
        actor=actor,
        channel=Channel.VISIT,
        category=category,
        description=description,
        industry=industry,
        city=city,
        mobile=mobile,
        employer_name=employer_name,
        submitter_name=contact_name,
        consent=True,
    )
    if (
        body is not None
        and demand.body_id != body.pk
        and demand.state in (State.ACCEPTED, State.DISPATCHED)
    ):
        demand = demand_assign(
            actor=actor, demand=demand, body=body, note="走访重点企业时发现，由联系工会办理"
        )
    return LinkedRecord(
        pk=demand.pk,
        label=f"职工诉求 {demand.code}",
        url=reverse("demands:demand-detail", args=[demand.pk]),
    )


# A unit moved in the tree takes its subtree's demands out of its old unions' area rows.
subtree_moved = move_area
