from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router
from ninja.errors import HttpError
from ninja.files import UploadedFile

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.accounts.permissions import acts_for_organization
from liandong.core.documents import XLSX
from liandong.core.paging import page_by_id
from liandong.core.schemas import InputSchema
from liandong.organizations.forms import CHILD_KINDS
from liandong.organizations.importing import organization_import, organization_tree_xlsx
from liandong.organizations.models import Organization, OrganizationImport
from liandong.organizations.permissions import (
    can_import_tree,
    organizations_in_scope,
    organizations_visible_to,
    tree_imports_visible_to,
)
from liandong.organizations.schemas import (
    CoverageOut,
    OrganizationDetailOut,
    OrganizationImportOut,
    OrganizationPage,
)
from liandong.organizations.selectors import organization_coverage, organization_search, percent

router = Router(tags=["organizations"])


class OrganizationQuery(InputSchema):
    q: str = ""
    kind: str = ""
    parent: int | None = None
    cursor: int | None = None
    limit: int = 50


def coverage_out(figures: dict[str, int]) -> CoverageOut:
    return CoverageOut(
        **figures,
        enterprise_union_rate=percent(figures["enterprises_with_union"], figures["enterprises"]),
        outlet_reach_rate=percent(figures["outlets_reached"], figures["outlets"]),
        membership_rate=percent(figures["members"], figures["workers"]),
    )


@router.get(
    "/", response=OrganizationPage, url_name="organization-list", operation_id="organizations_list"
)
def list_organizations(request: AuthenticatedHttpRequest, query: Query[OrganizationQuery]) -> dict:
    if not acts_for_organization(request.user):
        raise PermissionDenied
    organizations = organization_search(
        queryset=organizations_visible_to(request.user), text=query.q
    )
    if query.kind:
        organizations = organizations.filter(kind=query.kind)
    if query.parent is not None:
        organizations = organizations.filter(parent_id=query.parent)
    page = page_by_id(organizations, cursor=query.cursor, size=query.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


class ExportQuery(InputSchema):
    into: str = ""


def _tree_root(request: AuthenticatedHttpRequest, code: str) -> Organization:
    """``code`` within the caller's subtree (404 otherwise), or their own organization."""
    if not can_import_tree(request.user):
        raise PermissionDenied
    code = code.replace("\x00", "").strip()
    if not code:
        return Organization.objects.get(pk=request.user.organization_id)
    return get_object_or_404(organizations_in_scope(request.user), code=code)


@router.post(
    "/imports",
    response=OrganizationImportOut,
    url_name="tree-import",
    operation_id="organizations_import",
)
def import_tree(
    request: AuthenticatedHttpRequest,
    file: File[UploadedFile],
    into: Form[str] = "",
    dry_run: Form[bool] = False,
) -> OrganizationImport:
    """Import an organization-tree workbook (xlsx) into the subtree of ``into`` (a unit code
    within the caller's subtree; blank: their own organization). See README for the columns;
    the row errors are in the answer, and nothing is written when there are any."""
    root = _tree_root(request, into)
    if not CHILD_KINDS.get(root.kind):
        raise HttpError(422, "into：这个单位之下不能设下级单位，请选择工会、行业工会联合会或企业")
    return organization_import(
        actor=request.user, root=root, file=file, filename=file.name or "", dry_run=dry_run
    )


@router.get(
    "/imports/{int:import_id}",
    response=OrganizationImportOut,
    url_name="tree-import-detail",
    operation_id="organizations_import_detail",
)
def tree_import_detail(request: AuthenticatedHttpRequest, import_id: int) -> OrganizationImport:
    return get_object_or_404(tree_imports_visible_to(request.user), pk=import_id)


@router.get(
    "/export",
    url_name="tree-export",
    operation_id="organizations_export",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {XLSX: {}}}}},
)
def export_tree(request: AuthenticatedHttpRequest, query: Query[ExportQuery]) -> HttpResponse:
    """The subtree of ``into`` (default: the caller's organization) as xlsx, in the import's
    columns."""
    root = _tree_root(request, query.into)
    response = HttpResponse(
        organization_tree_xlsx(actor=request.user, root=root), content_type=XLSX
    )
    response["Content-Disposition"] = f"attachment; filename=organizations-{root.pk}.xlsx"
    return response


@router.get(
    "/{int:organization_id}",
    response=OrganizationDetailOut,
    url_name="organization-detail",
    operation_id="organizations_detail",
)
def organization_detail(request: AuthenticatedHttpRequest, organization_id: int) -> object:
    if not acts_for_organization(request.user):
        raise PermissionDenied
    visible = organizations_visible_to(request.user)
    organization = get_object_or_404(visible, pk=organization_id)
    organization.coverage = coverage_out(organization_coverage(root=organization))
    # As on the page: only the partners the caller may see.
    organization.partner_ids = list(
        visible.filter(partners=organization).values_list("pk", flat=True)
    )
    return organization
