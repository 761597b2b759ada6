import re
from dataclasses import dataclass

from django.db.models import QuerySet

from liandong.core.querying import prefix_q
from liandong.organizations.models import Organization, subtree_q
from liandong.organizations.permissions import organizations_visible_to
from liandong.workers.models import Worker
from liandong.workers.services import id_number_digest, mobile_digest

EMPLOYER_MATCH_LIMIT = 200


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


def worker_list(*, visible: QuerySet[Worker], filters: WorkerFilters, user: object) -> QuerySet[Worker]:
    """Apply ``filters`` to the workers a user may see. Every branch uses an index."""
    workers = visible.select_related("employer")
    q = re.sub(r"\s+", "", filters.q)
    if q:
        if re.fullmatch(r"\d{4}", q):
            workers = workers.filter(mobile_tail=q)
        elif re.fullmatch(r"1\d{10}", q):
            workers = workers.filter(mobile_digest=mobile_digest(q))
        elif re.fullmatch(r"\d{17}[\dXx]", q):
            workers = workers.filter(id_number_digest=id_number_digest(q.upper()))
        else:
            workers = workers.filter(prefix_q("name", q))
    if filters.employer.strip():
        employers = organizations_visible_to(user).filter(
            name__contains=filters.employer.strip(),
            kind__in=[Organization.Kind.ENTERPRISE, Organization.Kind.OUTLET],
        ).values_list("pk", flat=True)[:EMPLOYER_MATCH_LIMIT]
        workers = workers.filter(employer_id__in=list(employers))
    if filters.worker_type:
        workers = workers.filter(worker_type=filters.worker_type)
    if filters.city.strip():
        workers = workers.filter(city=filters.city.strip())
    if filters.organization is not None:
        workers = workers.filter(subtree_q(filters.organization.path, "employer__path"))
    if filters.member is not None:
        workers = workers.filter(joined_union_on__isnull=not filters.member)
    return workers
