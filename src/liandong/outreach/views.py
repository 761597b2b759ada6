"""Pages of leaders' contact with key enterprises and of agreements. Thin: the rules are in
services, the scope in permissions."""

import mimetypes
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.core.audit import audit_log
from liandong.core.forms import form_add_service_error
from liandong.outreach import permissions as perms
from liandong.outreach import selectors, services
from liandong.outreach.forms import (
    ActionItemForm,
    AgreementEditForm,
    AgreementForm,
    CloseProblemForm,
    FollowUpForm,
    KeyEditForm,
    KeyEnterpriseForm,
    ToDemandForm,
    VisitForm,
    format_external,
    parse_external,
)
from liandong.outreach.models import Agreement, Visit


def _require_staff(request: HttpRequest) -> None:
    if not perms.can_use_outreach(request.user):
        raise PermissionDenied


# -- key enterprises ------------------------------------------------------------------------------


@login_required
def key_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff(request)
    today = timezone.localdate()
    keys = perms.key_enterprises_visible_to(request.user)
    cover = selectors.coverage(keys, today)
    rows = selectors.with_last_visit(keys.filter(is_active=True), cover.since).order_by(
        "union__path", "area", "enterprise__name", "id"
    )
    leader = request.GET.get("leader", "")
    if leader.isdigit():
        rows = rows.filter(leader_id=int(leader))
    if request.GET.get("visited") == "no":
        rows = rows.exclude(visits__visited_on__gte=cover.since)
    return render(
        request,
        "outreach/key_list.html",
        {
            "cover": cover,
            "rows": list(rows[:300]),
            "filtered": bool(leader or request.GET.get("visited")),
        },
    )


@login_required
def key_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff(request)
    form = KeyEnterpriseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            key = services.key_enterprise_add(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"{key.enterprise.name}已列为重点企业。")
            return redirect("outreach:key-detail", key.pk)
    return render(
        request,
        "outreach/form_page.html",
        {"form": form, "title": "添加重点企业", "submit_label": "添加", "back": "key"},
    )


@login_required
def key_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(perms.key_enterprises_visible_to(request.user), pk=pk)
    initial = {
        "leader": key.leader_id,
        "area": key.area,
        "note": key.note,
        "is_active": key.is_active,
    }
    form = KeyEditForm(request.POST or None, union=key.union, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.key_enterprise_update(actor=request.user, key=key, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "已保存。")
            return redirect("outreach:key-detail", key.pk)
    visits = key.visits.order_by("-visited_on", "-id")[:100]
    return render(request, "outreach/key_detail.html", {"key": key, "form": form, "visits": visits})


@login_required
def visit_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(perms.key_enterprises_visible_to(request.user), pk=pk)
    form = VisitForm(request.POST or None, initial={"visited_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_record(actor=request.user, key=key, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "走访已登记。")
            return redirect("outreach:visit-detail", visit.pk)
    return render(
        request,
        "outreach/form_page.html",
        {
            "form": form,
            "title": f"登记走访：{key.enterprise.name}",
            "submit_label": "登记",
            "back": "key",
            "key": key,
        },
    )


@login_required
def visit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff(request)
    visits = perms.visits_visible_to(request.user)
    only_open = request.GET.get("open") == "1"
    if only_open:
        visits = visits.filter(problem_closed_on__isnull=True).exclude(problem="")
    return render(
        request,
        "outreach/visit_list.html",
        {"visits": list(visits.order_by("-visited_on", "-id")[:200]), "only_open": only_open},
    )


def _visit_page(
    request: AuthenticatedHttpRequest, visit: Visit, status: int = 200, **forms: Any
) -> HttpResponse:
    context = {
        "visit": visit,
        "key": visit.key_enterprise,
        "demand_form": forms.get("demand_form")
        or ToDemandForm(initial={"contact_name": "", "industry": "其他"}),
        "action_form": forms.get("action_form") or ActionItemForm(user=request.user),
        "close_form": forms.get("close_form")
        or CloseProblemForm(initial={"problem_closed_on": timezone.localdate()}),
    }
    return render(request, "outreach/visit_detail.html", context, status=status)


@login_required
def visit_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    visit = get_object_or_404(perms.visits_visible_to(request.user), pk=pk)
    return _visit_page(request, visit)


@login_required
@require_POST
def visit_demand(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    visit = get_object_or_404(perms.visits_visible_to(request.user), pk=pk)
    form = ToDemandForm(request.POST)
    if form.is_valid():
        try:
            visit = services.visit_to_demand(actor=request.user, visit=visit, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"已转为{visit.demand_label}，由诉求模块分派办理。")
            return redirect("outreach:visit-detail", visit.pk)
    return _visit_page(request, visit, demand_form=form)


@login_required
@require_POST
def visit_action_item(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    visit = get_object_or_404(perms.visits_visible_to(request.user), pk=pk)
    form = ActionItemForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            visit = services.visit_to_action_item(
                actor=request.user,
                visit=visit,
                meeting_id=form.cleaned_data["meeting"],
                lead_body=form.cleaned_data["lead_body"],
                deadline=form.cleaned_data["deadline"],
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"已转为{visit.action_item_label}。")
            return redirect("outreach:visit-detail", visit.pk)
    return _visit_page(request, visit, action_form=form)


@login_required
@require_POST
def visit_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    visit = get_object_or_404(perms.visits_visible_to(request.user), pk=pk)
    form = CloseProblemForm(request.POST)
    if form.is_valid():
        try:
            services.visit_close_problem(
                actor=request.user, visit=visit, closed_on=form.cleaned_data["problem_closed_on"]
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "问题已标记为解决。")
            return redirect("outreach:visit-detail", visit.pk)
    return _visit_page(request, visit, close_form=form)


# -- agreements -----------------------------------------------------------------------------------


@login_required
def agreement_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff(request)
    today = timezone.localdate()
    agreements = list(
        perms.agreements_visible_to(request.user)
        .prefetch_related("parties__organization")
        .order_by("-signed_on", "-id")[:200]
    )
    return render(
        request,
        "outreach/agreement_list.html",
        {
            "agreements": agreements,
            "today": today,
            "soon": today + timedelta(days=services.EXPIRY_NOTICE_DAYS),
        },
    )


@login_required
def agreement_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff(request)
    form = AgreementForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agreement = services.agreement_create(
                actor=request.user,
                owner=data["owner"],
                title=data["title"],
                kind=data["kind"],
                signed_on=data["signed_on"],
                effective_on=data["effective_on"],
                expires_on=data["expires_on"],
                terms=data["terms"],
                staff=data["staff"],
                parties=list(data["parties"]),
                external_parties=[
                    services.ExternalParty(name, country, signatory)
                    for name, country, signatory in parse_external(data["external_parties"])
                ],
                mechanism_id=data["mechanism"],
                document=data["document"],
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "协议已登记。")
            return redirect("outreach:agreement-detail", agreement.pk)
    return render(
        request,
        "outreach/form_page.html",
        {
            "form": form,
            "title": "登记协议",
            "submit_label": "登记",
            "back": "agreement",
            "upload": True,
        },
    )


@login_required
def agreement_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(perms.agreements_visible_to(request.user), pk=pk)
    form = FollowUpForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_follow_up(
                actor=request.user,
                agreement=agreement,
                meeting_id=form.cleaned_data["meeting"],
                resolution=form.cleaned_data["resolution"],
                lead_body=form.cleaned_data["lead_body"],
                deadline=form.cleaned_data["deadline"],
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "跟进事项已交办。")
            return redirect("outreach:agreement-detail", agreement.pk)
    return render(
        request,
        "outreach/agreement_detail.html",
        {
            "agreement": agreement,
            "parties": agreement.parties.select_related("organization"),
            "follow_ups": agreement.follow_ups.all(),
            "form": form,
            "today": timezone.localdate(),
        },
    )


@login_required
def agreement_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(perms.agreements_visible_to(request.user), pk=pk)
    initial = {
        "title": agreement.title,
        "signed_on": agreement.signed_on,
        "effective_on": agreement.effective_on,
        "expires_on": agreement.expires_on,
        "terms": agreement.terms,
        "staff": agreement.staff_id,
        "parties": [
            p.organization_id for p in agreement.parties.all() if p.organization_id is not None
        ],
        "external_parties": format_external(agreement),
    }
    form = AgreementEditForm(
        request.POST or None,
        request.FILES or None,
        agreement=agreement,
        user=request.user,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.agreement_update(
                actor=request.user,
                agreement=agreement,
                **{k: v for k, v in data.items() if k not in {"parties", "external_parties"}},
                parties=list(data["parties"]),
                external_parties=[
                    services.ExternalParty(name, country, signatory)
                    for name, country, signatory in parse_external(data["external_parties"])
                ],
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "协议已保存。")
            return redirect("outreach:agreement-detail", agreement.pk)
    return render(
        request,
        "outreach/form_page.html",
        {
            "form": form,
            "title": f"修改协议：{agreement.title}",
            "submit_label": "保存",
            "back": "agreement",
            "upload": True,
        },
    )


@login_required
def agreement_document(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """Only through this view, after the permission check; never a public URL."""
    agreement: Agreement = get_object_or_404(perms.agreements_visible_to(request.user), pk=pk)
    if not agreement.document:
        raise Http404
    try:
        handle = agreement.document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    audit_log(actor=request.user, action="outreach.document_downloaded", target=agreement)
    content_type = (
        agreement.document_type
        or mimetypes.guess_type(agreement.document_name)[0]
        or "application/octet-stream"
    )
    return FileResponse(
        handle, as_attachment=True, filename=agreement.document_name, content_type=content_type
    )
