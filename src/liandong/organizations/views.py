from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from liandong.accounts.permissions import acts_for_organization
from liandong.organizations.models import Organization
from liandong.organizations.permissions import organizations_visible_to
from liandong.organizations.selectors import (
    organization_coverage,
    organization_search,
    organization_subtree,
    percent,
)

TREE_LIMIT = 400


def _coverage_context(figures: dict[str, int]) -> dict[str, object]:
    return {
        **figures,
        "enterprise_union_rate": percent(figures["enterprises_with_union"], figures["enterprises"]),
        "outlet_reach_rate": percent(figures["outlets_reached"], figures["outlets"]),
        "membership_rate": percent(figures["members"], figures["workers"]),
    }


@login_required
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An organization with its coverage figures and the tree below it (two levels deep,
    deeper levels open on their own pages)."""
    if not acts_for_organization(request.user):
        raise PermissionDenied
    visible = organizations_visible_to(request.user)
    organization = get_object_or_404(visible, pk=pk)
    in_subtree = organization.path.startswith(request.user.organization.path)
    tree: list[Organization] = []
    truncated = False
    if in_subtree:
        rows = list(
            organization_subtree(root=organization)
            .filter(depth__lte=organization.depth + 2, depth__gt=organization.depth)
            .order_by("path")[: TREE_LIMIT + 1]
        )
        truncated = len(rows) > TREE_LIMIT
        tree = rows[:TREE_LIMIT]
    ancestors = visible.filter(pk__in=organization.ancestor_ids).order_by("depth")
    partners = visible.filter(partners=organization).order_by("kind", "name")
    return render(request, "organizations/organization_detail.html", {
        "organization": organization,
        "coverage": _coverage_context(organization_coverage(root=organization)) if in_subtree else None,
        "tree": tree,
        "truncated": truncated,
        "ancestors": ancestors,
        "partners": partners,
    })


@login_required
def organization_list(request: HttpRequest) -> HttpResponse:
    """Search the organizations one may see, by name or code."""
    if not acts_for_organization(request.user):
        raise PermissionDenied
    text = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    organizations = organization_search(queryset=organizations_visible_to(request.user), text=text)
    if kind in Organization.Kind.values:
        organizations = organizations.filter(kind=kind)
    results = list(organizations.select_related("parent").order_by("path")[:201])
    return render(request, "organizations/organization_list.html", {
        "organizations": results[:200], "more": len(results) > 200, "q": text, "kind": kind,
        "kinds": Organization.Kind.choices,
    })
