"""Reads: the staff list, a demand's public view, and statistics from the rollup."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from liandong.accounts.models import User
from liandong.accounts.permissions import acts_for_organization
from liandong.core.memo import once
from liandong.demands.models import (
    OPEN_STATES,
    Category,
    Demand,
    DemandAreaRollup,
    DemandBodyRollup,
    DemandEvent,
    DemandIndustryRollup,
    DemandRollup,
    State,
)
from liandong.demands.permissions import UNION_ROLES, demands_visible_to
from liandong.demands.services import BUCKETS
from liandong.organizations.models import Organization, path_successor, subtree_q
from liandong.workers.models import Worker

if TYPE_CHECKING:
    from liandong.core.extensions import DemandAction, TimelineEntry


@dataclass
class DemandFilters:
    body: Organization | None = None
    state: str = ""
    breached: bool | None = None
    category: str = ""
    city: str = ""
    escalated: bool | None = None
    agenda: bool | None = None
    duplicates: bool = False
    near_limit: bool = False  # open and near or past a limit (the 工作台's count)
    q: str = ""  # a tracking code


def demand_list(*, user: User | AnonymousUser | None, filters: DemandFilters) -> QuerySet[Demand]:
    demands = demands_visible_to(user)
    if filters.body is not None:
        demands = demands.filter(body=filters.body)
    if filters.state:
        demands = demands.filter(state=filters.state)
    if filters.breached is not None:
        demands = demands.filter(is_breached=filters.breached)
    if filters.category:
        demands = demands.filter(category=filters.category)
    if filters.city:
        demands = demands.filter(city=filters.city)
    if filters.escalated is not None:
        demands = demands.filter(escalated_at__isnull=not filters.escalated)
    if filters.agenda is not None:
        demands = demands.filter(agenda_at__isnull=not filters.agenda)
    if filters.duplicates:
        demands = demands.filter(possible_duplicate_of__isnull=False).exclude(state=State.MERGED)
    if filters.near_limit:
        demands = demands.filter(near_or_past_limit_q())
    if filters.q:
        demands = demands.filter(code=filters.q.strip().upper())
    return demands.select_related("body")


def demand_public_timeline(demand: Demand) -> list[DemandEvent]:
    return list(demand.events.filter(public=True).select_related("body"))


def demand_by_code(code: str, mobile_tail: str) -> Demand | None:
    """The demand with this tracking code, if the mobile's last four digits match."""
    code = (code or "").strip().upper()
    tail = (mobile_tail or "").strip()
    if not code or len(code) > 12 or len(tail) != 4 or not tail.isdigit():
        return None
    return (
        Demand.objects.filter(code=code, mobile_tail=tail)
        .select_related("body", "merged_into")
        .first()
    )


# ---------------------------------------------------------------------------------------------
# Statistics

SUMS = [
    "received",
    "response_due",
    "responded_on_time",
    "resolution_due",
    "resolved",
    "rated",
    "satisfied",
    "breached",
    *[f"rh{i}" for i in range(8)],
    *[f"sh{i}" for i in range(8)],
]
GROUPS = {"month": "month", "body": "body_id_key", "category": "category", "city": "city"}


@dataclass
class StatsFilters:
    start: date | None = None  # first month included
    end: date | None = None  # last month included
    body: Organization | None = None
    category: str = ""
    city: str = ""
    group_by: str = "category"
    industry: str = ""  # 行业: the demands filed under it (the industry rollups)


@dataclass
class StatsRow:
    key: str | int | date  # a category or city, a body's id (0: not routed), a month
    label: str
    counts: dict[str, int] = field(default_factory=dict)

    def _rate(self, numerator: str, denominator: str) -> float | None:
        total = self.counts.get(denominator, 0)
        return round(100 * self.counts.get(numerator, 0) / total, 1) if total else None

    @property
    def received(self) -> int:
        return self.counts.get("received", 0)

    @property
    def response_rate(self) -> float | None:
        return self._rate("responded_on_time", "response_due")

    @property
    def resolution_rate(self) -> float | None:
        return self._rate("resolved", "resolution_due")

    @property
    def satisfaction_rate(self) -> float | None:
        return self._rate("satisfied", "rated")

    def _median(self, prefix: str) -> float | None:
        counts = [self.counts.get(f"{prefix}{i}", 0) for i in range(len(BUCKETS))]
        total = sum(counts)
        if not total:
            return None
        half, seen, lower = total / 2, 0, 0.0
        for bound, count in zip(BUCKETS, counts, strict=True):
            if count and seen + count >= half:
                if bound is None:
                    return lower
                return round(lower + (bound - lower) * (half - seen) / count, 1)
            seen += count
            lower = float(bound or lower)
        return lower

    @property
    def median_response_hours(self) -> float | None:
        return self._median("rh")

    @property
    def median_resolution_hours(self) -> float | None:
        return self._median("sh")

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": str(self.key),
            "label": self.label,
            "received": self.received,
            "response_due": self.counts.get("response_due", 0),
            "responded_on_time": self.counts.get("responded_on_time", 0),
            "resolution_due": self.counts.get("resolution_due", 0),
            "resolved": self.counts.get("resolved", 0),
            "rated": self.counts.get("rated", 0),
            "satisfied": self.counts.get("satisfied", 0),
            "breached": self.counts.get("breached", 0),
            "response_rate": self.response_rate,
            "resolution_rate": self.resolution_rate,
            "satisfaction_rate": self.satisfaction_rate,
            "median_response_hours": self.median_response_hours,
            "median_resolution_hours": self.median_resolution_hours,
        }


def rollup_of_union(organization: Organization) -> QuerySet[DemandRollup]:
    """Rollup rows of the bodies in a union's subtree and of its partners."""
    return DemandRollup.objects.filter(body_id_key__in=bodies_of_union(organization).values("pk"))


def bodies_of_union(organization: Organization) -> QuerySet[Organization]:
    """The bodies whose demands a union's statistics count (``rollup_of_union``'s)."""
    path = organization.path
    partners = Organization.partners.through.objects.filter(
        subtree_q(path, "from_organization__path")
    ).values("to_organization_id")
    return Organization.objects.filter(
        Q(path__gte=path, path__lt=path_successor(path)) | Q(pk__in=partners)
    )


def industry_rollup_of_union(
    organization: Organization, industry: str
) -> QuerySet[DemandIndustryRollup]:
    """``rollup_of_union`` narrowed to the demands filed under one industry (行业): the same
    bodies, read from the industry rollup (``demand_stats`` takes either)."""
    return DemandIndustryRollup.objects.filter(
        industry=industry, body_id_key__in=bodies_of_union(organization).values("pk")
    )


def rollup_visible_to(user: User | AnonymousUser | None) -> QuerySet[DemandRollup]:
    """Rollup rows of the bodies in the user's scope (union staff: subtree and partners)."""
    if not acts_for_organization(user):
        return DemandRollup.objects.none()
    if user.role in UNION_ROLES:
        return rollup_of_union(user.organization)
    return DemandRollup.objects.filter(body_id_key=user.organization_id)


def demand_stats(
    *,
    user: User | AnonymousUser | None = None,
    filters: StatsFilters,
    rows: QuerySet[DemandRollup] | QuerySet[DemandIndustryRollup] | None = None,
    union: Organization | None = None,
) -> tuple[StatsRow, list[StatsRow]]:
    """The total and one row per group (month, body, category or city), over the rollup rows
    the user may see, or a union's (``union``: its subtree and partners, as for its staff), or
    ``rows`` (a scope that is neither, e.g. a mechanism's member bodies; always summed).

    A union's figures not by body are read from its own area rollup rows (a few hundred,
    whatever the demands and bodies), plus the rows of its partner bodies outside its subtree:
    the same sums as over every body's rows of ``rollup_of_union`` (tests/test_rollups.py).
    ``filters.industry`` reads the industry rollups instead."""
    if rows is None and union is None and acts_for_organization(user):
        union = user.organization if user.role in UNION_ROLES else None
    column = GROUPS.get(filters.group_by, "category")
    if rows is None and union is not None and column != "body_id_key" and filters.body is None:
        return _grouped_stats(_union_area_sums(union, filters, column), column)
    if rows is None and union is not None and _by_body_table(filters, column):
        # Each row's body asked of the scope (EXISTS), rather than the rows of every
        # organization of the scope looked up (a province has 20,000, a few hundred handle).
        scope = Q(Exists(bodies_of_union(union).filter(pk=OuterRef("body_id_key"))))
        return _grouped_stats(_body_sums(scope, filters, column), column)
    if rows is None:
        if union is not None:
            rows = (
                industry_rollup_of_union(union, filters.industry)
                if filters.industry
                else rollup_of_union(union)
            )
        elif filters.industry:
            visible = rollup_visible_to(user).values("body_id_key")
            rows = DemandIndustryRollup.objects.filter(
                industry=filters.industry, body_id_key__in=visible
            )
        else:
            rows = rollup_visible_to(user)
    elif filters.industry and rows.model is DemandRollup:
        rows = DemandIndustryRollup.objects.filter(
            industry=filters.industry, body_id_key__in=rows.values("body_id_key")
        )
    return _grouped_stats(_sums(rows, filters, column), column)


def _in_period(rows: QuerySet[Any], filters: StatsFilters) -> QuerySet[Any]:
    if filters.start:
        rows = rows.filter(month__gte=filters.start.replace(day=1))
    if filters.end:
        rows = rows.filter(month__lte=filters.end.replace(day=1))
    if filters.body is not None:
        rows = rows.filter(body_id_key=filters.body.pk)
    return rows


def _summed(rows: QuerySet[Any], column: str) -> list[dict[str, Any]]:
    sums = {name: Sum(name) for name in SUMS}
    return list(rows.order_by().values(column).annotate(**sums).order_by(column))


def _by_body_table(filters: StatsFilters, column: str) -> bool:
    """Whether the figures can be read from ``DemandBodyRollup`` (by month or body, neither
    a category nor a city asked): the same sums over a twelfth of the rows."""
    return column in ("month", "body_id_key") and not filters.category and not filters.city


def _body_sums(scope: Q, filters: StatsFilters, column: str) -> list[dict[str, Any]]:
    """``_sums`` over the body rollup rows in ``scope`` (a condition on ``body_id_key``)."""
    rows = DemandBodyRollup.objects.filter(scope, industry=filters.industry or DemandBodyRollup.ALL)
    return _summed(_in_period(rows, filters), column)


def _sums(rows: QuerySet[Any], filters: StatsFilters, column: str) -> list[dict[str, Any]]:
    rows = _in_period(rows, filters)
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.city:
        rows = rows.filter(city=filters.city)
    elif column == "city":
        rows = rows.exclude(city=DemandRollup.ALL_CITIES)
    else:
        rows = rows.filter(city=DemandRollup.ALL_CITIES)
    return _summed(rows, column)


def partners_outside(union: Organization) -> list[int]:
    """Bodies a union's statistics count that are not in its subtree (partners of its
    organizations elsewhere in the tree): their rows are not in the union's area rows. Asked
    by each demand figure of a dashboard, answered once per computation (``core/memo.py``)."""
    return once(
        ("partners-outside", union.pk, union.path),
        lambda: list(
            Organization.partners.through.objects.filter(
                subtree_q(union.path, "from_organization__path")
            )
            .exclude(subtree_q(union.path, "to_organization__path"))
            .values_list("to_organization_id", flat=True)
            .distinct()
        ),
    )


def _union_area_sums(
    union: Organization, filters: StatsFilters, column: str
) -> list[dict[str, Any]]:
    area = DemandAreaRollup.objects.filter(
        area_id_key=union.pk, industry=filters.industry or DemandAreaRollup.ALL
    )
    grouped = _sums(area, filters, column)
    outside = partners_outside(union)
    if outside:
        if _by_body_table(filters, column):
            extra_sums = _body_sums(Q(body_id_key__in=outside), filters, column)
        else:
            model: Any = DemandIndustryRollup if filters.industry else DemandRollup
            extra = model.objects.filter(body_id_key__in=outside)
            if filters.industry:
                extra = extra.filter(industry=filters.industry)
            extra_sums = _sums(extra, filters, column)
        merged = {g[column]: g for g in grouped}
        for g in extra_sums:
            if g[column] in merged:
                target = merged[g[column]]
                for name in SUMS:
                    target[name] = (target[name] or 0) + (g[name] or 0)
            else:
                merged[g[column]] = g
        grouped = [merged[k] for k in sorted(merged)]
    return grouped


def _grouped_stats(grouped: list[dict[str, Any]], column: str) -> tuple[StatsRow, list[StatsRow]]:
    total = StatsRow(key="total", label="合计", counts=dict.fromkeys(SUMS, 0))
    result = []
    names = {}
    if column == "body_id_key":
        names = dict(
            Organization.objects.filter(pk__in=[g[column] for g in grouped]).values_list(
                "pk", "name"
            )
        )
    for group in grouped:
        key = group[column]
        counts = {n: group[n] or 0 for n in SUMS}
        for n in SUMS:
            total.counts[n] += counts[n]
        if column == "category":
            label = Category(key).label if key in Category.values else key
        elif column == "body_id_key":
            label = names.get(key, "未派单")
        elif column == "month":
            label = f"{key.year}年{key.month}月"
        else:
            label = key
        result.append(StatsRow(key=key, label=str(label), counts=counts))
    return total, result


# ---------------------------------------------------------------------------------------------
# Limits (the 工作台's count and the list's 临近或超时 view share this rule)

# "Near its limit": a limit that ends within this window (longer than the reminder's window, so
# that the desk shows tomorrow's work today).
NEAR_LIMIT = timedelta(days=2)


def near_or_past_limit_q(*, now: datetime | None = None) -> Q:
    """Open demands past a limit, or whose running limit ends within ``NEAR_LIMIT``: the first
    response for those not yet answered, the resolution for those in progress. Each branch is
    a range of the (state, response_due) / (state, resolution_due) indexes or the breach flag."""
    soon = (now or timezone.now()) + NEAR_LIMIT
    unresponded = [State.ACCEPTED, State.DISPATCHED, State.RETURNED]
    return Q(state__in=OPEN_STATES) & (
        Q(is_breached=True)
        | Q(state__in=unresponded, responded_at__isnull=True, response_due__lte=soon)
        | Q(state=State.IN_PROGRESS, resolution_due__lte=soon)
    )


def demands_near_limit(
    user: User | AnonymousUser | None, *, now: datetime | None = None
) -> QuerySet[Demand]:
    """The demands in the user's scope (as on the staff list) near or past a limit."""
    return demands_visible_to(user).filter(near_or_past_limit_q(now=now))


def demands_of_body_by_deadline(
    user: User | AnonymousUser | None, *, limit: int = 20
) -> list[Demand]:
    """A body's open demands (routed to it, or co-handled), breached first, then by the limit
    that runs next (``by_urgency``; each carries it as ``next_limit``)."""
    if not acts_for_organization(user):
        return []
    open_demands = demands_visible_to(user).filter(state__in=OPEN_STATES)
    return list(by_urgency(open_demands).select_related("body")[:limit])


def triage_queue(user: User | AnonymousUser | None) -> QuerySet[Demand]:
    """Demands waiting for a person to choose their category, oldest first (their time limits
    run from the intake)."""
    return (
        demands_visible_to(user)
        .filter(awaiting_category=True, state=State.ACCEPTED)
        .select_related("union")
        .order_by("id")
    )


# ---------------------------------------------------------------------------------------------
# A signed-in worker's own demands


def demands_of_worker(worker: Worker) -> QuerySet[Demand]:
    """The demands made with the worker's own mobile (the same keyed digest the roster keeps),
    newest first: those raised from their home, and those they sent before signing in, by the
    public form or the hotline. Nobody else's: the digest is of their number alone."""
    return Demand.objects.filter(mobile_digest=worker.mobile_digest).order_by("-id")


# Urgency for the staff list: open and past a limit first, then open by the nearest limit
# (the first response's until it is given, then the resolution's), then the closed ones.
URGENCY_RANK = Case(
    When(state__in=OPEN_STATES, is_breached=True, then=Value(0)),
    When(state__in=OPEN_STATES, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
NEXT_LIMIT = Case(
    When(state__in=OPEN_STATES, responded_at__isnull=True, then=F("response_due")),
    When(state__in=OPEN_STATES, then=F("resolution_due")),
    default=Value(None),
    output_field=DateTimeField(),
)


def by_urgency(demands: QuerySet[Demand]) -> QuerySet[Demand]:
    """``demands`` in the order staff work them: breached, then nearest limit, then closed
    (newest first among equals)."""
    return demands.annotate(urgency_rank=URGENCY_RANK, next_limit=NEXT_LIMIT).order_by(
        "urgency_rank", F("next_limit").asc(nulls_last=True), "-id"
    )


def linked_work(
    user: User | AnonymousUser | None, demand: Demand
) -> tuple[list["DemandAction"], list["TimelineEntry"]]:
    """What other modules offer on a demand's page: their buttons (``demand_actions``) and
    the dated entries they add to its timeline (``demand_timeline``), each entry's link kept
    only for whom it ``opens_for``."""
    from dataclasses import replace

    from liandong.core.extensions import hooks

    actions: list[DemandAction] = []
    for provider in hooks("demand_actions"):
        actions += provider(user, demand.pk)
    entries: list[TimelineEntry] = []
    for provider in hooks("demand_timeline"):
        entries += provider([demand.pk]).get(demand.pk, [])
    entries = [
        e if e.opens_for is None or e.opens_for(user) else replace(e, url="") for e in entries
    ]
    return actions, entries
