import secrets
import tempfile
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from liandong.accounts.models import AuthenticatedHttpRequest, User
from liandong.accounts.permissions import acts_for_organization, is_worker
from liandong.core.documents import XLSX
from liandong.core.extensions import hooks
from liandong.core.forms import form_add_service_error
from liandong.core.paging import Page
from liandong.demands.forms import RateForm
from liandong.demands.presenters import public_view
from liandong.demands.selectors import demands_of_worker
from liandong.organizations.models import Organization
from liandong.organizations.permissions import organizations_in_scope
from liandong.workers.exporting import workers_export
from liandong.workers.forms import (
    HonourForm,
    OwnDemandForm,
    RevealForm,
    RosterUploadForm,
    WorkerFilterForm,
    WorkerForm,
)
from liandong.workers.importing import roster_import, roster_report_xlsx, roster_template_xlsx
from liandong.workers.models import Honour, Worker
from liandong.workers.permissions import (
    can_export_workers,
    can_manage_honours,
    can_manage_roster,
    can_view_worker_pii,
    roster_imports_visible_to,
    workers_visible_to,
)
from liandong.workers.selectors import (
    WorkerFilters,
    demand_initial,
    imports_with_rejections,
    is_identifying_query,
    own_worker,
    worker_home,
    worker_list,
    worker_page,
)
from liandong.workers.services import (
    EMPLOYER_KINDS,
    honour_add,
    honour_remove,
    own_demand_submit,
    worker_register,
    worker_reveal,
    worker_update,
)

# Units offered in the filter and upload forms: unions and enterprises of one's subtree
# (outlets are reached through their enterprise).
SCOPE_KINDS = [
    Organization.Kind.UNION,
    Organization.Kind.UNION_FEDERATION,
    Organization.Kind.ENTERPRISE,
]


def _scope_choices(user: User | AnonymousUser | None) -> QuerySet[Organization]:
    return organizations_in_scope(user).filter(kind__in=SCOPE_KINDS)


def _scope_shown(user: User | AnonymousUser | None) -> QuerySet[Organization]:
    """The units the drop-downs list: one's own and the level below it. Asked by parent: asked
    as "the subtree's units no deeper than one level down", SQLite walked every enterprise of
    a province (3 ms on the bench database, against 0.8 ms)."""
    if not acts_for_organization(user):
        return Organization.objects.none()
    own = user.organization
    return Organization.objects.filter(Q(pk=own.pk) | Q(parent=own), kind__in=SCOPE_KINDS)


SEARCH_SESSION_KEY = "worker_searches"
SEARCHES_KEPT = 10


def _search_params(request: HttpRequest) -> QueryDict:
    """The list's query string, with a search kept in the session (``qs=<token>``) put back
    as ``q``. A full mobile or ID number is searched that way so that it never appears in
    a URL, a browser history or an access log."""
    params = request.GET.copy()
    token = params.pop("qs", [""])[-1]
    stored = request.session.get(SEARCH_SESSION_KEY, {}).get(token) if token else None
    if stored:
        params["q"] = stored
    return params


def _search_redirect(request: HttpRequest) -> HttpResponse:
    """The filter form is POSTed; answer with a redirect to the list's GET URL."""
    params = {k: v for k, v in request.POST.dict().items() if k != "csrfmiddlewaretoken" and v}
    q = params.get("q", "")
    if is_identifying_query(q):
        searches = request.session.get(SEARCH_SESSION_KEY, {})
        token = secrets.token_urlsafe(8)
        searches = dict([*list(searches.items())[-(SEARCHES_KEPT - 1) :], (token, q)])
        request.session[SEARCH_SESSION_KEY] = searches
        params.pop("q")
        params["qs"] = token
    return redirect(f"{request.path}?{urlencode(params)}" if params else request.path)


NUMBER_IN_URL_MESSAGE = (
    "完整的手机号或身份证号不能放在网址里（网址会被记入访问日志）。"
    "请在“姓名/手机号”框中输入后点“查询”。"
)


def _number_in_url(request: HttpRequest) -> HttpResponse | None:
    """A full mobile or ID number in the query string (a typed or bookmarked URL): answered
    with the empty search form and a message, never with the number (README: full numbers go
    by POST). The access log already holds this one request; nothing the product links to
    puts a number in a URL."""
    if not is_identifying_query(request.GET.get("q", "")):
        return None
    messages.warning(request, NUMBER_IN_URL_MESSAGE)
    params = {k: v for k, v in request.GET.items() if k not in ("q", "cursor") and v}
    target = reverse("workers:worker-list")
    return redirect(f"{target}?{urlencode(params)}" if params else target)


def _filters(request: HttpRequest) -> tuple[WorkerFilterForm, WorkerFilters | None]:
    """The list's filter form and what it asks for (None when the form has errors)."""
    form = WorkerFilterForm(
        _search_params(request),
        organizations=_scope_choices(request.user),
        shown=_scope_shown(request.user),
    )
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    member = {"yes": True, "no": False}.get(data.get("member") or "")
    return form, WorkerFilters(
        q=data.get("q") or "",
        employer=data.get("employer") or "",
        worker_type=data.get("worker_type") or "",
        city=data.get("city") or "",
        organization=data.get("organization"),
        member=member,
    )


def _filtered(request: HttpRequest, filters: WorkerFilters | None) -> QuerySet[Worker]:
    if filters is None:
        return Worker.objects.none()
    return worker_list(user=request.user, filters=filters)


@login_required
def worker_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if is_worker(request.user):
        return redirect("workers:me")
    if not can_export_workers(request.user):
        raise PermissionDenied
    if request.method == "POST":
        return _search_redirect(request)
    if refused := _number_in_url(request):
        return refused
    form, filters = _filters(request)
    try:
        cursor = int(request.GET["cursor"]) if request.GET.get("cursor") else None
    except ValueError:
        cursor = None
    page: Page[dict[str, Any]]  # of WorkerOut dicts (workers.selectors.worker_page)
    if filters is None:
        page = Page(items=[], next_cursor=None)
    else:
        page = worker_page(user=request.user, filters=filters, cursor=cursor)
    query = {k: v for k, v in request.GET.items() if k != "cursor" and v}
    return render(
        request,
        "workers/worker_list.html",
        {
            "form": form,
            "page": page,
            "query": urlencode(query),
            "next_query": urlencode({**query, "cursor": page.next_cursor})
            if page.next_cursor
            else "",
            "is_first_page": cursor is None,
            "can_import": can_manage_roster(request.user),
            "can_register": can_manage_roster(request.user),
        },
    )


@login_required
def worker_export_view(request: AuthenticatedHttpRequest) -> HttpResponse | FileResponse:
    if not can_export_workers(request.user):
        raise PermissionDenied
    if refused := _number_in_url(request):
        return refused
    _, filters = _filters(request)
    workers = _filtered(request, filters)
    stream = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    workers_export(actor=request.user, workers=workers, stream=stream, filters=filters)
    stream.seek(0)
    return FileResponse(stream, as_attachment=True, filename="职工名册.xlsx", content_type=XLSX)


def _visible_worker(request: HttpRequest, pk: int) -> Worker:
    return get_object_or_404(workers_visible_to(request.user).select_related("employer"), pk=pk)


def _worker_page(
    request: HttpRequest, worker: Worker, *, revealed: dict[str, str] | None = None
) -> HttpResponse:
    return render(
        request,
        "workers/worker_detail.html",
        {
            "worker": worker,
            "revealed": revealed,
            "can_reveal": can_view_worker_pii(request.user, worker),
            "can_edit": can_manage_roster(request.user, worker.employer),
            "reveal_form": RevealForm(),
            "honours": list(worker.honours.all()) if not is_worker(request.user) else [],
            "can_manage_honours": can_manage_honours(request.user, worker),
            "sections": [
                section
                for provider in hooks("worker_sections")
                for section in provider(request.user, worker)
            ],
        },
    )


@login_required
def worker_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _worker_page(request, _visible_worker(request, pk))


@login_required
def honour_create_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """荣誉登记: record an honour on a worker's register (staff over the worker's employer)."""
    worker = _visible_worker(request, pk)
    if not can_manage_honours(request.user, worker):
        raise PermissionDenied
    form = HonourForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            honour_add(actor=request.user, worker=worker, **form.cleaned_data)
        except ValidationError as error:
            for field, items in error.message_dict.items():
                form.add_error(field if field in form.fields else None, items)
        else:
            messages.success(request, "荣誉已登记，可用于服务活动的优先序。")
            return redirect("workers:worker-detail", pk=worker.pk)
    return render(request, "workers/honour_form.html", {"form": form, "worker": worker})


@login_required
@require_POST
def honour_delete_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    honour = get_object_or_404(
        Honour.objects.filter(worker__in=workers_visible_to(request.user)).select_related(
            "worker__employer"
        ),
        pk=pk,
    )
    if not can_manage_honours(request.user, honour.worker):
        raise PermissionDenied
    honour_remove(actor=request.user, honour=honour)
    messages.success(request, f"已删除荣誉：{honour.title}")
    return redirect("workers:worker-detail", pk=honour.worker_id)


@login_required
@require_POST
def worker_reveal_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Show the full ID and mobile numbers once, for this response only; audited."""
    worker = _visible_worker(request, pk)
    if not can_view_worker_pii(request.user, worker):
        raise PermissionDenied
    form = RevealForm(request.POST)
    purpose = form.cleaned_data["purpose"] if form.is_valid() else ""
    revealed = worker_reveal(actor=request.user, worker=worker, purpose=purpose)
    return _worker_page(request, worker, revealed=revealed)


# The other apps' panels of a worker's page that the home already shows as its own cards
# (我的诉求, 我的服务, 我的提案); the rest (honours, contests...) follow the cards.
SHOWN_AS_CARDS = {"职工诉求", "参加的服务活动", "职工代表提案"}


def _own_worker(request: AuthenticatedHttpRequest) -> Worker:
    worker = own_worker(request.user)
    if worker is None:
        raise PermissionDenied
    return worker


def _home(
    request: AuthenticatedHttpRequest, worker: Worker, *, revealed: dict[str, str] | None = None
) -> HttpResponse:
    sections = [
        section
        for provider in hooks("worker_sections")
        for section in provider(request.user, worker)
        if section.title not in SHOWN_AS_CARDS
    ]
    response = render(
        request,
        "workers/me.html",
        {
            "home": worker_home(user=request.user, worker=worker),
            "revealed": revealed,
            "sections": sections,
        },
    )
    if revealed:
        response["Cache-Control"] = "no-store"
    return response


@login_required
def me_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A worker's phone home: cards for what they come to do (raise a demand, follow theirs,
    sign up for an activity, read open affairs and messages) and their own record, masked."""
    if not is_worker(request.user):
        return redirect("accounts:home")
    return _home(request, _own_worker(request))


@login_required
@require_POST
def me_reveal_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The worker's own ID and mobile numbers, for this response only: one tap, no reason to
    give (they are their own), audited like every unmasking."""
    if not is_worker(request.user):
        return redirect("accounts:home")
    worker = _own_worker(request)
    revealed = worker_reveal(actor=request.user, worker=worker, purpose="本人查看")
    return _home(request, worker, revealed=revealed)


@login_required
def me_demand_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """我要反映: the demand form, filled in with what the roster knows, sent as the worker with
    their own mobile, so that it shows in 我的诉求 without a code."""
    if not is_worker(request.user):
        return redirect("accounts:home")
    worker = _own_worker(request)
    if request.method != "POST":
        form = OwnDemandForm(initial={**demand_initial(worker), "token": secrets.token_urlsafe(16)})
        return render(request, "workers/me_demand_form.html", {"form": form, "worker": worker})
    form = OwnDemandForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            demand = own_demand_submit(
                actor=request.user,
                worker=worker,
                token=data.get("token") or "",
                category=data["category"],
                description=data["description"],
                industry=data["industry"],
                city=data["city"],
                employer_name=data["employer_name"],
                submitter_name=data["name"],
                consent=data["consent"],
                urgency=data["urgency"],
                photos=request.FILES.getlist("photos"),
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(
                request, f"诉求已提交，查询码 {demand.code}。办理进度会显示在“我的诉求”中。"
            )
            return redirect("workers:me-demand-detail", pk=demand.pk)
    return render(request, "workers/me_demand_form.html", {"form": form, "worker": worker})


@login_required
def me_demand_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One of the worker's own demands, as the public follow-up page shows it, without the code
    and mobile tail: found among their own (another's is a 404)."""
    if not is_worker(request.user):
        return redirect("accounts:home")
    worker = _own_worker(request)
    demand = get_object_or_404(
        demands_of_worker(worker).select_related("body", "merged_into"), pk=pk
    )
    view = public_view(demand)
    rate_form = (
        RateForm(initial={"code": demand.code, "mobile_tail": demand.mobile_tail})
        if view["can_rate"]
        else None
    )
    return render(
        request, "workers/me_demand.html", {"demand": demand, "view": view, "rate_form": rate_form}
    )


@login_required
def roster_import_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_manage_roster(request.user):
        raise PermissionDenied
    choices = _scope_choices(request.user)
    form = RosterUploadForm(
        request.POST or None,
        request.FILES or None,
        organizations=choices,
        shown=_scope_shown(request.user),
        initial={"organization": request.user.organization_id},
    )
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["organization"]
        if not can_manage_roster(request.user, target):
            raise PermissionDenied
        upload = form.cleaned_data["file"]
        record = roster_import(
            actor=request.user,
            organization=target,
            file=upload,
            filename=upload.name,
            dry_run=form.cleaned_data["dry_run"],
            skip_invalid=form.cleaned_data["skip_invalid"],
        )
        return redirect("workers:roster-import-detail", pk=record.pk)
    # ?rejected=1: only the imports that rejected rows (the 工作台's count links here).
    rejected = request.GET.get("rejected") == "1"
    recent = (
        imports_with_rejections(request.user)
        if rejected
        else roster_imports_visible_to(request.user)
    ).select_related("organization")[: 50 if rejected else 10]
    return render(
        request,
        "workers/roster_import.html",
        {"form": form, "recent": recent, "rejected": rejected},
    )


@login_required
def roster_import_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(
        roster_imports_visible_to(request.user).select_related("organization"), pk=pk
    )
    return render(
        request,
        "workers/roster_import_detail.html",
        {
            "record": record,
            "errors": record.errors[:200],
            "more_errors": max(0, len(record.errors) - 200),
        },
    )


@login_required
def roster_import_report_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(roster_imports_visible_to(request.user), pk=pk)
    content = roster_report_xlsx(roster_import=record)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=import-report-{record.pk}.xlsx"
    return response


@login_required
def roster_template_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """An empty roster workbook with the expected headers."""
    if not can_manage_roster(request.user):
        raise PermissionDenied
    response = HttpResponse(roster_template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename=roster-template.xlsx"
    return response


def _employers(user: User | AnonymousUser | None) -> QuerySet[Organization]:
    return organizations_in_scope(user).filter(kind__in=EMPLOYER_KINDS)


@login_required
def worker_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Register one worker by hand (the roster import does many)."""
    if not can_manage_roster(request.user):
        raise PermissionDenied
    form = WorkerForm(request.POST or None, employers=_employers(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            worker = worker_register(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已登记职工 {worker.name}。")
            return redirect("workers:worker-detail", pk=worker.pk)
    return render(request, "workers/worker_form.html", {"form": form})


@login_required
def worker_edit_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    worker = _visible_worker(request, pk)
    if not can_manage_roster(request.user, worker.employer):
        raise PermissionDenied
    initial = {
        "name": worker.name,
        "employer": worker.employer_id,
        "occupation": worker.occupation,
        "joined_union_on": worker.joined_union_on,
    }
    form = WorkerForm(
        request.POST or None, initial=initial, employers=_employers(request.user), editing=True
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            worker_update(
                actor=request.user,
                worker=worker,
                name=data["name"],
                mobile=data["mobile"] or None,
                employer=data["employer"],
                occupation=data["occupation"],
                joined_union_on=data["joined_union_on"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "已保存。")
            return redirect("workers:worker-detail", pk=worker.pk)
    return render(request, "workers/worker_form.html", {"form": form, "worker": worker})
