"""The leadership dashboard (数据看板) of a union and of a mechanism, each chart's xlsx, the
big-screen view (数据大屏), which fetches the same figures from the API, and the union-wide
annual report (年度工作报告) as .docx and PDF."""

import tempfile
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.meetings.selectors import date_cn
from liandong.organizations.models import Organization, subtree_q
from liandong.reports import permissions as perms
from liandong.reports.annual import build_report, render_file
from liandong.reports.exporting import XLSX, chart_xlsx
from liandong.reports.forms import AnnualReportForm, DashboardFilterForm
from liandong.reports.selectors import Links, mechanism_dashboard, union_dashboard_cached


def _industries(root: Organization) -> list[str]:
    return sorted(
        set(
            Organization.objects.filter(subtree_q(root.path))
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
            "annual_form": AnnualReportForm(),
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


def absolute_url(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Paths as addresses a reader of the downloaded file can open."""

    def absolute(url: str) -> str:
        return request.build_absolute_uri(url) if url.startswith("/") else url

    return absolute


def annual_response(request: AuthenticatedHttpRequest, root: Organization, year: int, fmt: str):  # type: ignore[no-untyped-def]
    links = Links(perms.sees_records(request.user))
    report = build_report(
        root, year, user=request.user, links=links, absolute=absolute_url(request)
    )
    content, filename, content_type = render_file(report, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def annual_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """年度工作报告: the year chooser, and with ``format`` the file itself."""
    if not perms.can_view_reports(request.user):
        raise PermissionDenied
    root = perms.resolve_union(request.user, request.GET.get("org"))
    form = AnnualReportForm(
        request.GET if "year" in request.GET else None,
        initial={"year": timezone.localdate().year - (timezone.localdate().month < 3)},
    )
    if form.is_bound and form.is_valid() and form.cleaned_data["format"]:
        return annual_response(
            request, root, form.cleaned_data["year"], form.cleaned_data["format"]
        )
    return render(
        request,
        "reports/annual.html",
        {
            "organization": root,
            "form": form,
            "years": range(timezone.localdate().year, 2021, -1),
            "aggregate_only": not perms.sees_records(request.user),
        },
    )
