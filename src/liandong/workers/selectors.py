import re
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.db import connection
from django.db.models import Count, DateField, Q, QuerySet

from liandong.accounts.models import User
from liandong.accounts.permissions import acts_for_organization, is_worker
from liandong.activities.models import Application
from liandong.activities.permissions import activities_visible_to, all_applications_visible_to
from liandong.activities.selectors import OpenActivity, open_activities_for, worker_services
from liandong.core.crypto import mobile_digest
from liandong.core.paging import DEFAULT_PAGE_SIZE, Page, page_by_id
from liandong.core.querying import filter_range, filter_unindexed, prefix_q
from liandong.demands.models import OPEN_STATES, Demand, Industry
from liandong.demands.selectors import demands_of_worker
from liandong.democracy.selectors import DelegateProposals, delegate_proposals, disclosures_unread
from liandong.notifications.selectors import unread_count
from liandong.organizations.models import Organization, path_successor
from liandong.organizations.permissions import organizations_visible_to
from liandong.organizations.selectors import organization_subtree
from liandong.workers.models import RosterImport, Worker, WorkerType
from liandong.workers.permissions import roster_imports_visible_to, workers_visible_to
from liandong.workers.schemas import WORKER_OUT_VALUES, worker_item
from liandong.workers.services import id_number_digest

EMPLOYER_MATCH_LIMIT = 200
# Subtrees with more units than this are listed by walking the id index backwards. Measured
# on the bench's 1M-worker SQLite database: a 74-unit county (0.5% of workers) lists in
# 1.7 ms through its employers' index and 3.3 ms by walking; a province walks in ~1 ms and
# takes 300 ms the other way.
LARGE_SCOPE_UNITS = 200
NAME_PROBE = 1000
LIST_FIELDS = [
    "name",
    "gender",
    "id_number_masked",
    "mobile_masked",
    "employer__name",
    "city",
    "occupation",
    "worker_type",
    "joined_union_on",
]


@dataclass(frozen=True)
class WorkerFilters:
    """What the worker list can be searched and filtered by (the page's form and the API's
    query string both build one)."""

    q: str = ""
    employer: str = ""
    worker_type: str = ""
    city: str = ""
    organization: Organization | None = None
    member: bool | None = None


def is_identifying_query(q: str) -> bool:
    """A full mobile or ID number: personal data that must not travel in a URL (ASVS 14.2.1)."""
    q = re.sub(r"\s+", "", q)
    return bool(re.fullmatch(r"1\d{10}", q) or re.fullmatch(r"\d{17}[\dXx]", q))


# Whether a subtree is large only picks the query plan, never the rows: both plans return the
# same workers. So each process remembers the answer for a while (``CACHES["local"]``) instead
# of asking on every request (a query per list request, a tenth of its cost).
_SIZE_MEMORY_SECONDS = 300


def forget_scope_sizes() -> None:
    """For tests, which build and roll back trees whose paths repeat: empties the per-process
    cache (the remembered sizes and every other per-process copy)."""
    caches["local"].clear()


def _has_more_units_than(root: Organization, limit: int) -> bool:
    """Whether a subtree has more than ``limit`` units: one short index scan, remembered."""
    key = f"workers.scope_large.{limit}.{root.path}"
    large = caches["local"].get(key)
    if large is None:
        large = (
            len(organization_subtree(root=root).values_list("pk", flat=True)[: limit + 1]) > limit
        )
        caches["local"].set(key, large, _SIZE_MEMORY_SECONDS)
    return large


def _filter_name_prefix(workers: QuerySet[Worker], q: str) -> QuerySet[Worker]:
    """Names starting with ``q``. PostgreSQL's planner picks the right index by itself.

    SQLite cannot tell a surname like 王 (one worker in fourteen) from a full name (a
    handful): probe the name index for up to NAME_PROBE matches, in index order (no ORDER
    BY, which would sort every match), and use them when there are few; otherwise walk the
    id index and test the name row by row."""
    if connection.vendor != "sqlite":
        return workers.filter(prefix_q("name", q))
    probe = Worker.objects.filter(prefix_q("name", q)).order_by().values_list("pk", flat=True)
    named = list(probe[:NAME_PROBE])
    if len(named) < NAME_PROBE:
        return workers.filter(pk__in=named)
    return filter_range(workers, "name", q, q + "\U0010ffff", use_index=False)


def worker_list(*, user: User | AnonymousUser | None, filters: WorkerFilters) -> QuerySet[Worker]:
    """The workers ``user`` may see that match ``filters``, for listing newest first.

    Every branch is answered from an index, whichever the scope. On a large subtree the
    scope and dense filters are hidden from SQLite's planner so that it walks the id index
    backwards and stops at the page size; a small subtree, a rare name or a mobile tail is
    looked up through its own index instead (see core.querying.filter_range).
    """
    root = filters.organization or (user.organization if acts_for_organization(user) else None)
    large = root is not None and _has_more_units_than(root, LARGE_SCOPE_UNITS)
    # With an organization filter, that filter (not the user's wider scope) drives the query.
    workers = workers_visible_to(user, large_scope=large or filters.organization is not None)
    # The columns a list row shows: not the ciphertexts, which are the widest.
    workers = workers.select_related("employer").only(*LIST_FIELDS)
    q = re.sub(r"\s+", "", filters.q)
    if q:
        if re.fullmatch(r"\d{4}", q):
            workers = workers.filter(mobile_tail=q)
        elif re.fullmatch(r"1\d{10}", q):
            workers = workers.filter(mobile_digest=mobile_digest(q))
        elif re.fullmatch(r"\d{17}[\dXx]", q):
            workers = workers.filter(id_number_digest=id_number_digest(q.upper()))
        else:
            workers = _filter_name_prefix(workers, q)
    if filters.employer.strip():
        employers = (
            organizations_visible_to(user)
            .filter(
                name__contains=filters.employer.strip(),
                kind__in=[Organization.Kind.ENTERPRISE, Organization.Kind.OUTLET],
            )
            .values_list("pk", flat=True)[:EMPLOYER_MATCH_LIMIT]
        )
        workers = workers.filter(employer_id__in=list(employers))
    if filters.worker_type:
        workers = workers.filter(worker_type=filters.worker_type)
    if filters.city.strip():
        workers = workers.filter(city=filters.city.strip())
    if filters.organization is not None:
        path = filters.organization.path
        workers = filter_range(
            workers, "employer__path", path, path_successor(path), use_index=not large
        )
    if filters.member is not None:
        workers = filter_unindexed(
            workers, "joined_union_on", "isnull", not filters.member, DateField()
        )
    return workers


def worker_page(
    *,
    user: User | AnonymousUser | None,
    filters: WorkerFilters,
    cursor: int | None = None,
    size: int = DEFAULT_PAGE_SIZE,
) -> Page[dict[str, Any]]:
    """A page of ``worker_list`` as WorkerOut dicts (``worker_item``), for the list page and API.

    On PostgreSQL, a small subtree's workers are found in worker_employer_id_idx, but their
    rows lie scattered over thousands of table pages: reading them all to keep twenty took
    6 ms for a county's 3,000 members (bench database), reading the twenty ids from the index
    first and then their rows 1.5 ms. A large scope walks the id index and reads little
    beyond its page anyway, and SQLite answers a small subtree in about 1 ms either way."""
    workers = worker_list(user=user, filters=filters)
    scattered = (
        connection.vendor == "postgresql"
        and filters.organization is not None
        and not _has_more_units_than(filters.organization, LARGE_SCOPE_UNITS)
    )
    if scattered:
        page = page_by_id(
            workers, cursor=cursor, size=size, rows=lambda rows: rows.values(*WORKER_OUT_VALUES)
        )
    else:
        page = page_by_id(workers.values(*WORKER_OUT_VALUES), cursor=cursor, size=size)
    return Page(items=[worker_item(row) for row in page.items], next_cursor=page.next_cursor)


def imports_with_rejections(user: User | AnonymousUser | None) -> QuerySet[RosterImport]:
    """The roster imports in the user's scope that rejected rows (the import page's 有拒绝行)."""
    return roster_imports_visible_to(user).filter(rows_rejected__gt=0)


# ---------------------------------------------------------------------------------------------
# A signed-in worker's phone home

HOME_ROWS = 5
# The demand form's industry, from the roster's worker type.
INDUSTRY_OF_TYPE: dict[str, str] = {
    WorkerType.COURIER: Industry.COURIER,
    WorkerType.RIDER: Industry.DELIVERY,
    WorkerType.DRIVER: Industry.RIDE_HAILING,
    WorkerType.TRUCKER: Industry.TRUCKING,
    WorkerType.BEAUTICIAN: Industry.BEAUTY,
}


@dataclass
class WorkerHome:
    """What a worker's home shows, every part scoped to the worker themself."""

    worker: Worker
    demands: list[Demand]
    demands_total: int
    demands_open: int
    activities: list[OpenActivity]
    services: list[Application]
    disclosures_unread: int
    delegate: DelegateProposals | None
    inbox_unread: int


def own_worker(user: User | AnonymousUser | None) -> Worker | None:
    """The signed-in worker's own roster record (None for anyone else)."""
    return workers_visible_to(user).select_related("employer").first() if is_worker(user) else None


def demand_initial(worker: Worker) -> dict[str, str]:
    """What the platform knows that the demand form asks for."""
    return {
        "name": worker.name,
        "employer_name": worker.employer.name,
        "industry": str(INDUSTRY_OF_TYPE.get(worker.worker_type, "")),
        "city": worker.city or "兰州",
    }


def worker_home(*, user: User, worker: Worker) -> WorkerHome:
    demands = demands_of_worker(worker)
    counts = demands.aggregate(total=Count("id"), open=Count("id", filter=Q(state__in=OPEN_STATES)))
    applications = all_applications_visible_to(user).filter(worker=worker)
    return WorkerHome(
        worker=worker,
        demands=list(demands.select_related("body")[:HOME_ROWS]),
        demands_total=counts["total"],
        demands_open=counts["open"],
        activities=open_activities_for(
            activities=activities_visible_to(user, worker=worker), worker=worker
        ),
        services=worker_services(applications)[:HOME_ROWS],
        disclosures_unread=disclosures_unread(user=user, worker=worker),
        delegate=delegate_proposals(worker),
        inbox_unread=unread_count(user),
    )
