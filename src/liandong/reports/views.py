"""The leadership dashboard (数据看板) of a union and of a mechanism, each chart's xlsx, and the
big-screen view (数据大屏), which fetches the same figures from the API."""

import tempfile

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.meetings.selectors import date_cn
from liandong.organizations.models import Organization, subtree_q
from liandong.reports import permissions as perms
from liandong.reports.exporting import XLSX, chart_xlsx
from liandong.reports.forms import DashboardFilterForm
from liandong.reports.selectors import Links, mechanism_dashboard, union_dashboard_cached


def _industries(root: Organization) -> list[str]:
    return sorted(
        set(
            Organization.objects.filter(path__startswith=root.path)
            .exclude(industry="")
            .order_by()
            .values_list("industry", flat=True)
            .distinct()[:50]
        )
    )


def _setup(request: AuthenticatedHttpRequest) -> tuple[DashboardFilterForm, Organization]:
    if not perms.can_view_reports(request.user):
        raise PermissionDenied
    root = perms.resolve_union(request.user, request.GET.get("org"))
    unions = perms.union_choices(request.user, root)
    form = DashboardFilterForm(
        request.GET or None,
        unions=unions,
        industries=_industries(root),
        initial={"org": root, "year": timezone.localdate().year},
    )
    return form, root


@login_required
def dashboard_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, root = _setup(request)
    filters = form.filters()
    links = Links(perms.sees_records(request.user))
    data = union_dashboard_cached(root, filters, user=request.user, links=links)
    query = request.GET.urlencode()
    return render(
        request,
        "reports/dashboard.html",
        {
            **data,
            "form": form,
            "query": query,
            "aggregate_only": not links.enabled,
            "period": _period(filters),
            "mechanisms": perms.mechanisms_for_reports(request.user)
            .filter(subtree_q(root.path, "convening_union__path"))
            .order_by("pk")[:30],
            "years": range(timezone.localdate().year, 2021, -1),
        },
    )


def _period(filters) -> str:  # type: ignore[no-untyped-def]
    if filters.start or filters.end:
        return f"{date_cn(filters.first)}至{date_cn(filters.last)}"
    return f"{filters.year}年"


@login_required
def export_view(request: AuthenticatedHttpRequest, key: str) -> FileResponse:
    form, root = _setup(request)
    filters = form.filters()
    links = Links(False)
    charts = union_dashboard_cached(root, filters, user=request.user, links=links)["charts"]
    chart = next((c for c in charts if c.key == key), None)
    if chart is None:
        raise Http404
    stream = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    chart_xlsx(stream, chart, heading=f"{root.name} {_period(filters)}")
    stream.seek(0)
    return FileResponse(
        stream, as_attachment=True, filename=f"{chart.title}.xlsx", content_type=XLSX
    )


@login_required
def mechanism_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not perms.can_view_reports(request.user):
        raise PermissionDenied
    mechanism = get_object_or_404(perms.mechanisms_for_reports(request.user), pk=pk)
    form = DashboardFilterForm(request.GET or None, initial={"year": timezone.localdate().year})
    filters = form.filters()
    links = Links(perms.sees_records(request.user))
    data = mechanism_dashboard(mechanism, filters, links=links)
    return render(
        request,
        "reports/mechanism.html",
        {
            **data,
            "form": form,
            "aggregate_only": not links.enabled,
            "period": _period(filters),
        },
    )


@login_required
def screen_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, root = _setup(request)
    filters = form.filters()
    return render(
        request,
        "reports/screen.html",
        {
            "organization": root,
            "filters": filters,
            "query": _without(request, "refresh"),
            "refresh": _refresh_seconds(request.GET.get("refresh", "")),
        },
    )


def _refresh_seconds(value: str) -> int:
    """How often the big screen asks for new figures: ``?refresh=N`` seconds (2 to 3600),
    a minute by default."""
    try:
        return min(max(int(value), 2), 3600)
    except ValueError:
        return 60


def _without(request: AuthenticatedHttpRequest, name: str) -> str:
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode()
