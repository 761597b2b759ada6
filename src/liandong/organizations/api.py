from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.accounts.permissions import acts_for_organization
from liandong.core.paging import page_by_id
from liandong.core.schemas import InputSchema
from liandong.organizations.permissions import organizations_visible_to
from liandong.organizations.schemas import CoverageOut, OrganizationDetailOut, OrganizationPage
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
