from django.db.models import Count, Q, QuerySet, Sum

from liandong.organizations.models import Organization, subtree_q


def organization_subtree(*, root: Organization) -> QuerySet[Organization]:
    """``root`` and everything under it, in one indexed range query."""
    return Organization.objects.filter(subtree_q(root.path))


def organization_coverage(*, root: Organization) -> dict[str, int]:
    """Union founding (建会) and reach over a subtree, as one aggregate query.

    An outlet counts as reached when it has a union of its own or is covered by its
    enterprise's or a federation's union.
    """
    kinds = Organization.Kind
    has_union = ~Q(union_status=Organization.UnionStatus.NONE)
    figures = organization_subtree(root=root).aggregate(
        unions=Count("id", filter=Q(kind__in=[kinds.UNION, kinds.UNION_FEDERATION])),
        enterprises=Count("id", filter=Q(kind=kinds.ENTERPRISE)),
        enterprises_with_union=Count("id", filter=Q(kind=kinds.ENTERPRISE) & has_union),
        outlets=Count("id", filter=Q(kind=kinds.OUTLET)),
        outlets_reached=Count("id", filter=Q(kind=kinds.OUTLET) & has_union),
        workers=Sum("worker_count"),
        members=Sum("member_count"),
    )
    return {key: value or 0 for key, value in figures.items()}


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def organization_children_with_counts(*, parent: Organization) -> QuerySet[Organization]:
    return parent.children.annotate(child_count=Count("children")).order_by("kind", "name")


def organization_search(*, queryset: QuerySet[Organization], text: str) -> QuerySet[Organization]:
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(Q(name__contains=text) | Q(short_name__contains=text) | Q(code=text))
