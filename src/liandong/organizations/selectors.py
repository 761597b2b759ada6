from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth

from liandong.organizations.models import PATH_STEP, Organization, subtree_q


def organization_subtree(*, root: Organization) -> QuerySet[Organization]:
    """``root`` and everything under it, in one indexed range query."""
    return Organization.objects.filter(subtree_q(root.path))


def _coverage_sums() -> dict[str, Any]:
    kinds = Organization.Kind
    has_union = ~Q(union_status=Organization.UnionStatus.NONE)
    return {
        "unions": Count("id", filter=Q(kind__in=[kinds.UNION, kinds.UNION_FEDERATION])),
        "enterprises": Count("id", filter=Q(kind=kinds.ENTERPRISE)),
        "enterprises_with_union": Count("id", filter=Q(kind=kinds.ENTERPRISE) & has_union),
        "outlets": Count("id", filter=Q(kind=kinds.OUTLET)),
        "outlets_reached": Count("id", filter=Q(kind=kinds.OUTLET) & has_union),
        "workers": Sum("worker_count"),
        "members": Sum("member_count"),
    }


def organization_coverage(*, root: Organization) -> dict[str, int]:
    """Union founding (建会) and reach over a subtree, as one aggregate query.

    An outlet counts as reached when it has a union of its own or is covered by its
    enterprise's or a federation's union.
    """
    figures = organization_subtree(root=root).aggregate(**_coverage_sums())
    return {key: value or 0 for key, value in figures.items()}


def coverage_total(rows: list[dict[str, Any]]) -> dict[str, int]:
    """The subtree's ``organization_coverage`` from its ``coverage_by_industry`` rows (which
    add up to it): a dashboard that shows both scans the subtree once."""
    return {key: sum(row[key] for row in rows) for key in _coverage_sums()}


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def organization_tree_with_totals(
    *, root: Organization, levels: int = 2, limit: int = 400
) -> tuple[list[Organization], bool]:
    """The ``levels`` levels below ``root`` in tree order, each node annotated with
    ``subtree_workers`` and ``subtree_members`` (its own and everything under it).

    Two queries whatever the size: the displayed nodes, then (path, counts) of the whole
    subtree summed in one pass by each row's displayed ancestor, read off its path.
    """
    rows = list(
        organization_subtree(root=root)
        .filter(depth__gt=root.depth, depth__lte=root.depth + levels)
        .order_by("path")[: limit + 1]
    )
    truncated = len(rows) > limit
    nodes = {node.path: node for node in rows[:limit]}
    for node in nodes.values():
        node.subtree_workers = node.subtree_members = 0
    base = len(root.path)
    for path, workers, members in (
        organization_subtree(root=root)
        .filter(depth__gt=root.depth)
        .values_list("path", "worker_count", "member_count")
        .iterator(chunk_size=5000)
    ):
        for level in range(1, levels + 1):
            shown = nodes.get(path[: base + level * PATH_STEP])
            if shown is not None:
                shown.subtree_workers += workers
                shown.subtree_members += members
    return list(nodes.values()), truncated


def organization_children_with_counts(*, parent: Organization) -> QuerySet[Organization]:
    return parent.children.annotate(child_count=Count("children")).order_by("kind", "name")


def organization_search(*, queryset: QuerySet[Organization], text: str) -> QuerySet[Organization]:
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(Q(name__contains=text) | Q(short_name__contains=text) | Q(code=text))


def coverage_by_industry(*, root: Organization) -> list[dict[str, Any]]:
    """``organization_coverage`` split by industry (行业), one aggregate query; the rows add up
    to the subtree's totals. Organizations without an industry are under ``""``."""
    rows = (
        organization_subtree(root=root)
        .order_by()
        .values("industry")
        .annotate(**_coverage_sums())
        .order_by("industry")
    )
    result: list[dict[str, Any]] = [dict(row) for row in rows]
    for row in result:
        row["workers"], row["members"] = row["workers"] or 0, row["members"] or 0
    return result


def unions_founded_by_month(*, root: Organization, year: int, industry: str = "") -> list[int]:
    """Enterprises and outlets of the subtree whose union was founded (建会日期) in each month
    of ``year``: twelve counts, January first."""
    kinds = Organization.Kind
    founded = organization_subtree(root=root).filter(
        kind__in=[kinds.ENTERPRISE, kinds.OUTLET],
        union_founded_on__gte=f"{year}-01-01",
        union_founded_on__lte=f"{year}-12-31",
    )
    if industry:
        founded = founded.filter(industry=industry)
    months = [0] * 12
    by_month = (
        founded.order_by()
        .values(month=ExtractMonth("union_founded_on"))
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    for month, count in by_month:
        months[month - 1] = count
    return months
