"""Dashboard figures as JSON (the big screen refreshes from here), scoped like the pages by
reports.permissions: a union's subtree, or a liaison's partner unions as aggregates."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.core.documents import DOCX
from liandong.reports import permissions as perms
from liandong.reports.schemas import (
    AnnualQuery,
    DashboardOut,
    DashboardQuery,
    MechanismDashboardOut,
    MechanismQuery,
)
from liandong.reports.selectors import (
    Links,
    ReportFilters,
    mechanism_dashboard,
    union_dashboard_cached,
)

router = Router(tags=["数据看板"])


def _filters(query: DashboardQuery) -> ReportFilters:
    start, end = query.start, query.end
    if start and end and start > end:
        raise ValidationError({"end": "截止日期不能早于起始日期。"})
    year = query.year or (start or end or timezone.localdate()).year
    for name, value in (("start", start), ("end", end)):
        if value and value.year != year:
            raise ValidationError({name: "日期范围须在所选年度内。"})
    return ReportFilters(year=year, start=start, end=end, industry=query.industry)


@router.get(
    "/dashboard",
    response=DashboardOut,
    operation_id="reports_get_dashboard",
    url_name="reports_dashboard",
)
def get_dashboard(
    request: AuthenticatedHttpRequest, query: Query[DashboardQuery]
) -> dict[str, Any]:
    """A union's dashboard: coverage, the year figures of every module and each chart's table
    (rows linking to their records for union staff; aggregates only for a partner liaison)."""
    if not perms.can_view_reports(request.user):
        raise PermissionDenied
    root = perms.resolve_union(request.user, query.org)
    filters = _filters(query)
    links = Links(perms.sees_records(request.user))
    data = union_dashboard_cached(root, filters, user=request.user, links=links)
    return {
        "organization_id": root.pk,
        "organization": root.name,
        "year": filters.year,
        "start": filters.first,
        "end": filters.last,
        "industry": filters.industry,
        "updated_at": timezone.localtime(data["computed_at"]).strftime("%H:%M:%S"),
        "coverage": data["coverage"],
        "figures": [
            {
                "section": f.section,
                "label": f.label,
                "value": f.value,
                "unit": f.unit,
                "url": f.url,
            }
            for f in data["figures"]
        ],
        "charts": [chart.as_dict() for chart in data["charts"]],
    }


@router.get(
    "/mechanisms/{mechanism_id}",
    response=MechanismDashboardOut,
    operation_id="reports_get_mechanism_dashboard",
)
def get_mechanism_dashboard(
    request: AuthenticatedHttpRequest, mechanism_id: int, query: Query[MechanismQuery]
) -> dict[str, Any]:
    if not perms.can_view_reports(request.user):
        raise PermissionDenied
    mechanism = get_object_or_404(perms.mechanisms_for_reports(request.user), pk=mechanism_id)
    filters = ReportFilters(year=query.year or timezone.localdate().year)
    data = mechanism_dashboard(mechanism, filters, links=Links(perms.sees_records(request.user)))
    f = data["year_figures"]
    return {
        "mechanism_id": mechanism.pk,
        "mechanism": mechanism.name,
        "year": filters.year,
        "meetings_held": f.meetings_held,
        "items_total": f.items_total,
        "items_done": f.items_done,
        "items_overdue": f.items_overdue,
        "completion_rate": f.completion_rate,
        "stages": [{"name": s.name, "state": s.state, "note": s.note} for s in data["stages"]],
        "charts": [chart.as_dict() for chart in data["charts"]],
    }


@router.get(
    "/annual",
    response={200: None},
    operation_id="reports_get_annual_report",
    url_name="reports_annual",
    openapi_extra={"responses": {200: {"content": {DOCX: {}, "application/pdf": {}}}}},
)
def get_annual_report(request: AuthenticatedHttpRequest, query: Query[AnnualQuery]) -> HttpResponse:
    """年度工作报告 of a union (``org``, by default one's own) for ``year`` (not after this one)
    as .docx or PDF: the same figures as the dashboard, charts drawn on the server."""
    from liandong.reports.views import annual_response

    if not perms.can_view_reports(request.user):
        raise PermissionDenied
    if query.year > timezone.localdate().year:
        raise ValidationError({"year": "年度不能晚于今年。"})
    root = perms.resolve_union(request.user, query.org)
    return annual_response(request, root, query.year, query.format)
