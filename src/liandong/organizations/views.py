from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.accounts.permissions import acts_for_organization
from liandong.core.documents import XLSX
from liandong.organizations.forms import CHILD_KINDS, OrganizationForm, TreeImportForm
from liandong.organizations.importing import (
    organization_import,
    organization_template_xlsx,
    organization_tree_xlsx,
)
from liandong.organizations.models import Organization
from liandong.organizations.permissions import (
    can_edit_organization,
    can_import_tree,
    organizations_in_scope,
    organizations_visible_to,
    tree_imports_visible_to,
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
            "can_import_tree": in_subtree
            and can_import_tree(request.user, organization)
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


ERR_ROOT_UNKNOWN = "找不到这个编码的单位，或它不在您的管辖范围内"
ERR_ROOT_KIND = "这个单位之下不能设下级单位，请选择工会、行业工会联合会或企业"


def tree_root(user: Any, code: str) -> Organization | None:
    """The unit an import goes into (or an export starts from): ``code`` within the user's
    subtree, or the user's own organization when blank. None when it is not theirs."""
    code = code.replace("\x00", "").strip()
    if not code:
        return Organization.objects.get(pk=user.organization_id)
    return organizations_in_scope(user).filter(code=code).first()


@login_required
def tree_import_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload an organization-tree workbook (with a dry run); the result page lists rejects."""
    if not can_import_tree(request.user):
        raise PermissionDenied
    form = TreeImportForm(
        request.POST or None,
        request.FILES or None,
        initial={"into": request.GET.get("into", "")[:40]},
    )
    if request.method == "POST" and form.is_valid():
        root = tree_root(request.user, form.cleaned_data["into"])
        if root is None:
            form.add_error("into", ERR_ROOT_UNKNOWN)
        elif not CHILD_KINDS.get(root.kind):
            form.add_error("into", ERR_ROOT_KIND)
        else:
            upload = form.cleaned_data["file"]
            record = organization_import(
                actor=request.user,
                root=root,
                file=upload,
                filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
            )
            return redirect("organizations:tree-import-detail", pk=record.pk)
    recent = tree_imports_visible_to(request.user).select_related("organization")[:10]
    return render(
        request,
        "organizations/tree_import.html",
        {"form": form, "recent": recent, "own": request.user.organization},
    )


@login_required
def tree_import_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(
        tree_imports_visible_to(request.user).select_related("organization"), pk=pk
    )
    return render(
        request,
        "organizations/tree_import_detail.html",
        {
            "record": record,
            "errors": record.errors[:500],
            "more_errors": max(0, len(record.errors) - 500),
        },
    )


@login_required
def tree_template_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_import_tree(request.user):
        raise PermissionDenied
    response = HttpResponse(organization_template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename=organization-template.xlsx"
    return response


@login_required
def tree_export_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The subtree of one's organization (or of ``?into=CODE`` within it) as a workbook in the
    import's columns."""
    if not can_import_tree(request.user):
        raise PermissionDenied
    root = tree_root(request.user, request.GET.get("into", ""))
    if root is None:
        raise Http404
    response = HttpResponse(
        organization_tree_xlsx(actor=request.user, root=root), content_type=XLSX
    )
    response["Content-Disposition"] = f"attachment; filename=organizations-{root.pk}.xlsx"
    return response
