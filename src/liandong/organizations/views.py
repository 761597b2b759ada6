from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.accounts.permissions import acts_for_organization
from liandong.organizations.forms import CHILD_KINDS, OrganizationForm
from liandong.organizations.models import Organization
from liandong.organizations.permissions import (
    can_edit_organization,
    organizations_in_scope,
    organizations_visible_to,
)
from liandong.organizations.selectors import (
    organization_coverage,
    organization_search,
    organization_tree_with_totals,
    percent,
)
from liandong.organizations.services import organization_create, organization_update

TREE_LIMIT = 400


def _rate_note(prefix: str, part: int, whole: int) -> str:
    rate = percent(part, whole)
    return f"{prefix} {rate}%" if rate is not None else f"{prefix} —"


def _coverage_context(figures: dict[str, int]) -> dict[str, object]:
    return {
        **figures,
        "enterprises_display": f"{figures['enterprises']:,}",
        "outlets_display": f"{figures['outlets']:,}",
        "enterprise_union_note": _rate_note(
            "企业建会率", figures["enterprises_with_union"], figures["enterprises"]
        ),
        "outlet_reach_note": _rate_note(
            "网点覆盖率", figures["outlets_reached"], figures["outlets"]
        ),
        "membership_note": _rate_note("入会率", figures["members"], figures["workers"]),
        "unions_note": f"范围内工会组织 {figures['unions']:,} 个",
    }


@login_required
def organization_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
        tree, truncated = organization_tree_with_totals(
            root=organization, levels=2, limit=TREE_LIMIT
        )
    coverage = _coverage_context(organization_coverage(root=organization))
    ancestors = visible.filter(pk__in=organization.ancestor_ids).order_by("depth")
    partners = visible.filter(partners=organization).order_by("kind", "name")
    return render(
        request,
        "organizations/organization_detail.html",
        {
            "organization": organization,
            # Partners see a union's aggregate figures, never the names below it.
            "coverage": coverage
            if coverage["enterprises"] or coverage["workers"] or coverage["unions"]
            else None,
            "in_subtree": in_subtree,
            "tree": tree,
            "truncated": truncated,
            "ancestors": ancestors,
            "partners": partners,
            "can_edit": can_edit_organization(request.user, organization),
            "can_add_child": can_edit_organization(request.user, organization)
            and bool(CHILD_KINDS.get(organization.kind)),
        },
    )


@login_required
def organization_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Search the organizations one may see, by name or code."""
    if not acts_for_organization(request.user):
        raise PermissionDenied
    text = request.GET.get("q", "").replace("\x00", "").strip()  # PostgreSQL text holds no NUL
    kind = request.GET.get("kind", "")
    organizations = organization_search(queryset=organizations_visible_to(request.user), text=text)
    if kind in Organization.Kind.values:
        organizations = organizations.filter(kind=kind)
    results = list(organizations.select_related("parent").order_by("path")[:201])
    return render(
        request,
        "organizations/organization_list.html",
        {
            "organizations": results[:200],
            "more": len(results) > 200,
            "q": text,
            "kind": kind,
            "kinds": Organization.Kind.choices,
        },
    )


def _organization_fields(form: OrganizationForm) -> dict[str, Any]:
    return {
        name: value
        for name, value in form.cleaned_data.items()
        if name in form.fields and not form.fields[name].disabled
    }


@login_required
def organization_create_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add a unit under ``pk`` (a union, federation or enterprise of one's subtree)."""
    if not acts_for_organization(request.user):
        raise PermissionDenied
    parent = get_object_or_404(organizations_in_scope(request.user), pk=pk)
    if not can_edit_organization(request.user, parent) or not CHILD_KINDS.get(parent.kind):
        raise PermissionDenied
    form = OrganizationForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            child = organization_create(
                actor=request.user, parent=parent, **_organization_fields(form)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已添加 {child.name}。")
            return redirect("organizations:organization-detail", pk=child.pk)
    return render(request, "organizations/organization_form.html", {"form": form, "parent": parent})


@login_required
def organization_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not acts_for_organization(request.user):
        raise PermissionDenied
    organization = get_object_or_404(organizations_in_scope(request.user), pk=pk)
    if not can_edit_organization(request.user, organization):
        raise PermissionDenied
    form = OrganizationForm(
        request.POST or None, instance=Organization.objects.get(pk=organization.pk)
    )
    if request.method == "POST" and form.is_valid():
        fields = _organization_fields(form)
        fields.pop("code", None)
        try:
            organization_update(actor=request.user, organization=organization, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "已保存。")
            return redirect("organizations:organization-detail", pk=organization.pk)
    return render(
        request,
        "organizations/organization_form.html",
        {"form": form, "organization": organization},
    )
