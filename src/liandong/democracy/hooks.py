"""What democracy offers other apps (see core/extensions.py)."""

from dataclasses import replace
from datetime import date
from typing import Any, Protocol

from django.contrib.auth.models import AnonymousUser
from django.db.models import Min, QuerySet
from django.urls import reverse

from liandong.accounts.models import User
from liandong.accounts.permissions import is_worker
from liandong.core.extensions import (
    AgendaCandidate,
    CampaignMeasure,
    Figure,
    NavItem,
    WorkerSection,
)
from liandong.democracy.models import (
    Congress,
    Delegate,
    Nomination,
    Proposal,
    TeachingPoint,
    cn_date,
)
from liandong.democracy.notices import NOTIFICATION_KINDS as NOTIFICATION_KINDS
from liandong.democracy.permissions import is_democracy_staff
from liandong.democracy.selectors import figures_for, figures_url, proposals_overdue
from liandong.organizations.models import Organization, subtree_q
from liandong.workers.models import Worker


class JointMechanism(Protocol):
    """What democracy reads of the meetings module's Mechanism (the modules do not import
    each other)."""

    def member_organization_ids(self) -> set[int]: ...


NAV_ITEMS = [
    NavItem(label="民主管理", url_name="democracy:home", visible=is_democracy_staff, order=60),
    NavItem(label="我的提案", url_name="democracy:home", visible=is_worker, order=60),
    NavItem(label="厂务公开", url_name="democracy:disclosure-list", visible=is_worker, order=61),
]


def worker_honours(worker_ids: list[int]) -> dict[int, list[str]]:
    """Confirmed model workers: ["劳模", "省级劳模"] (every level held)."""
    honours: dict[int, list[str]] = {}
    confirmed = Nomination.objects.filter(
        worker_id__in=list(worker_ids), status=Nomination.Status.CONFIRMED
    )
    for worker_id, level in confirmed.order_by("worker_id", "level").values_list(
        "worker_id", "level"
    ):
        titles = honours.setdefault(worker_id, ["劳模"])
        label = str(Nomination.Level(level).label)
        if label not in titles:
            titles.append(label)
    return honours


def _may_see(user: User | AnonymousUser | None, worker: Worker) -> bool:
    if is_worker(user):
        return worker.user_id == user.pk
    return is_democracy_staff(user) and worker.employer.path.startswith(user.organization.path)


def worker_sections(user: User | AnonymousUser | None, worker: Worker) -> list[WorkerSection]:
    """The model-worker record and the proposals the worker made as a delegate."""
    if not _may_see(user, worker):
        return []
    sections = []
    confirmed = list(Nomination.objects.filter(worker=worker, status=Nomination.Status.CONFIRMED))
    if confirmed:
        sections.append(
            WorkerSection(
                title="劳模荣誉",
                rows=[
                    (f"{n.year}年度", f"{n.get_level_display()}（{cn_date(n.confirmed_on)}确认）")
                    for n in confirmed
                ],
                url=reverse("democracy:nomination-detail", args=[confirmed[0].pk]),
            )
        )
    proposals = list(Proposal.objects.filter(proposer__worker=worker).order_by("-id")[:5])
    if proposals:
        sections.append(
            WorkerSection(
                title="职工代表提案",
                rows=[
                    (f"第{p.number}号", f"{p.title}（{p.get_status_display()}）") for p in proposals
                ],
                url=reverse("democracy:proposal-detail", args=[proposals[0].pk]),
            )
        )
    return sections


def year_figures(organization: Organization, year: int) -> list[Figure]:
    f = figures_for(organization=organization, year=year)
    url = figures_url(organization, year)
    figures = [
        Figure(section="民主管理", label="征集职工代表提案", value=f.collected, unit="件", url=url),
        Figure(section="民主管理", label="提案立案", value=f.accepted, unit="件", url=url),
        Figure(section="民主管理", label="提案办复", value=f.handled, unit="件", url=url),
        Figure(section="民主管理", label="签订集体合同", value=f.contracts, unit="份", url=url),
        Figure(
            section="民主管理",
            label="集体合同覆盖职工",
            value=f.workers_covered,
            unit="人",
            url=url,
            detail={"enterprises": f.enterprises_covered},
        ),
    ]
    if f.satisfaction_rate is not None:
        figures.append(
            Figure(
                section="民主管理",
                label="提案办理满意率",
                value=f.satisfaction_rate,
                unit="%",
                url=url,
                detail={"satisfied": f.satisfied, "basic": f.basic, "unsatisfied": f.unsatisfied},
            )
        )
    # The figures page is for democracy staff: other viewers of a summary see the numbers only.
    return [replace(figure, opens_for=is_democracy_staff) for figure in figures]


def agenda_candidates(mechanism: JointMechanism) -> list[AgendaCandidate]:
    """Proposals past their handling deadline in the member bodies' subtrees."""
    overdue = proposals_overdue(organization_ids=list(mechanism.member_organization_ids()))
    return [
        AgendaCandidate(
            key=f"democracy.proposal:{p.pk}",
            title=f"{p.enterprise.name}第{p.number}号提案超期未办：{p.title}",
            kind="proposal",
            url=reverse("democracy:proposal-detail", args=[p.pk]),
            note=f"承办部门：{p.department.name if p.department else '—'}，期限{cn_date(p.deadline)}",
        )
        for p in overdue[:50]
    ]


def _first_congresses(organization: Organization, start: date, end: date) -> QuerySet[Any, Any]:
    """Enterprises below ``organization`` whose first workers' congress sat in the period: the
    units that established democratic management (新建民主管理制度单位)."""
    firsts: QuerySet[Any, Any] = (
        Congress.objects.filter(subtree_q(organization.path, "enterprise__path"))
        .exclude(enterprise_id=organization.pk)
        .values("enterprise_id")
        .annotate(first=Min("held_on"))
        .filter(first__gte=start, first__lte=end)
    )
    return firsts


def _count_units(organization: Organization, start: date, end: date) -> int:
    return _first_congresses(organization, start, end).count()


def _unit_records(
    organization: Organization, start: date, end: date, limit: int
) -> list[tuple[str, date | None, str]]:
    rows = list(_first_congresses(organization, start, end).order_by("first", "enterprise_id"))
    rows = rows[:limit]
    sittings = {
        (c.enterprise_id, c.held_on): c
        for c in Congress.objects.filter(
            enterprise_id__in=[r["enterprise_id"] for r in rows]
        ).select_related("enterprise")
    }
    records = []
    for row in rows:
        congress = sittings[(row["enterprise_id"], row["first"])]
        records.append(
            (
                f"{congress.enterprise.name} · {congress.title}",
                row["first"],
                reverse("democracy:congress-detail", args=[congress.pk]),
            )
        )
    return records


campaign_measures = [
    CampaignMeasure(
        key="democracy.units_established",
        label="新建民主管理制度单位",
        unit="家",
        count=_count_units,
        records=_unit_records,
    )
]


def delegate_lists(organization: Organization, key: str = "") -> list[dict[str, Any]]:
    """The workers' congresses of the enterprises in the subtree of ``organization``, newest
    first (at most 200), or only the one whose ``key`` is given, each as ``{"key":
    "democracy.congress:7", "title", "organization_id", "held_on", "worker_ids"}`` (its
    delegates' workers), for training sessions that invite a congress's delegates."""
    congresses = Congress.objects.filter(
        subtree_q(organization.path, "enterprise__path")
    ).select_related("enterprise")
    if key:
        prefix, _, pk = key.partition(":")
        if prefix != "democracy.congress" or not pk.isdigit():
            return []
        congresses = congresses.filter(pk=int(pk))
    found = list(congresses[:200])
    members: dict[int, list[int]] = {c.pk: [] for c in found}
    for congress_id, worker_id in Delegate.objects.filter(congress__in=found).values_list(
        "congress_id", "worker_id"
    ):
        members[congress_id].append(worker_id)
    return [
        {
            "key": f"democracy.congress:{c.pk}",
            "title": c.title
            if (c.enterprise.short_name or c.enterprise.name) in c.title
            else f"{c.enterprise.short_name or c.enterprise.name}{c.title}",
            "organization_id": c.enterprise_id,
            "held_on": c.held_on,
            "worker_ids": members[c.pk],
        }
        for c in found
    ]


def teaching_points(organization: Organization) -> list[str]:
    """Names of the teaching points (教学点) in the subtree of ``organization``."""
    points = TeachingPoint.objects.filter(
        subtree_q(organization.path, "enterprise__path")
    ).select_related("enterprise")
    return [p.enterprise.name for p in points[:200]]
