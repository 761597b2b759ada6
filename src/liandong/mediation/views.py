"""Pages of labour-dispute mediation: thin, over permissions, selectors and services."""

import mimetypes
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.core.extensions import DemandRef, hooks
from liandong.core.forms import form_add_service_error
from liandong.mediation import services
from liandong.mediation.forms import (
    AgreementForm,
    CaseForm,
    ExtensionForm,
    FilterForm,
    MediatorsForm,
    PartyForm,
    ReasonForm,
    RevealForm,
    SessionForm,
    TimeLimitForm,
)
from liandong.mediation.models import DEFAULT_LIMIT_DAYS, Case, CaseType, Party, TimeLimit
from liandong.mediation.permissions import (
    can_configure,
    can_manage_case,
    can_use_mediation,
    cases_visible_to,
    mediator_candidates,
    unions_for,
)
from liandong.mediation.selectors import case_list, figures


def _require_use(request: AuthenticatedHttpRequest) -> None:
    if not can_use_mediation(request.user):
        raise PermissionDenied


def _visible(request: AuthenticatedHttpRequest, pk: int) -> Case:
    return get_object_or_404(cases_visible_to(request.user), pk=pk)


def _demand_ref(request: AuthenticatedHttpRequest, demand_id: int | None) -> DemandRef | None:
    if demand_id is None:
        return None
    for provider in hooks("demand_ref"):
        ref: DemandRef | None = provider(request.user, demand_id)
        if ref is not None:
            return ref
    return None


@login_required
def case_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_use(request)
    form = FilterForm(request.GET or None)
    state, year = "", None
    if form.is_valid():
        state, year = form.cleaned_data["state"] or "", form.cleaned_data["year"]
    visible = cases_visible_to(request.user)
    cases = case_list(visible, state=state, year=year).prefetch_related("parties")[:200]
    return render(
        request,
        "mediation/case_list.html",
        {
            "form": form,
            "cases": cases,
            "figures": figures(visible, year or timezone.localdate().year),
            "can_create": can_use_mediation(request.user),
            "can_configure": can_configure(request.user),
        },
    )


@login_required
def case_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_use(request)
    unions = unions_for(request.user)
    form = CaseForm(
        request.POST or None, unions=unions, initial={"union": request.user.organization_id}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open(
                actor=request.user,
                union=data["union"],
                case_type=data["case_type"],
                summary=data["summary"],
                claim_amount=data["claim_amount"],
                applicant=services.PartyData(
                    kind=Party.Kind.PERSON,
                    name=data["applicant_name"],
                    id_number=data["applicant_id_number"],
                    mobile=data["applicant_mobile"],
                ),
                respondent=services.PartyData(
                    kind=data["respondent_kind"],
                    name=data["respondent_name"],
                    contact_name=data["respondent_contact"],
                    mobile=data["respondent_mobile"],
                ),
                mediators=services.self_as_mediator(request.user, data["union"]),
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, f"已受理调解案件 {case.code}。")
            return redirect("mediation:case-detail", case.pk)
    return render(request, "mediation/case_form.html", {"form": form})


@login_required
@require_POST
def from_demand_view(request: AuthenticatedHttpRequest, demand_id: int) -> HttpResponse:
    _require_use(request)
    demand = _demand_ref(request, demand_id)
    if demand is None:
        raise Http404
    existing = cases_visible_to(request.user).filter(demand_id=demand_id).first()
    if existing is not None:
        return redirect("mediation:case-detail", existing.pk)
    # The demand's supervising union when it lies in the user's scope, else their own union.
    union = unions_for(request.user).filter(pk=demand.union_id).first() or request.user.organization
    if union is None:
        raise Http404
    try:
        case = services.case_open_from_demand(actor=request.user, demand=demand, union=union)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect(demand.url)
    messages.success(request, f"诉求 {demand.code} 已转入劳动争议调解，案件编号 {case.code}。")
    return redirect("mediation:case-detail", case.pk)


def _detail(
    request: AuthenticatedHttpRequest,
    case: Case,
    *,
    forms: dict[str, Form] | None = None,
    revealed: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    parties = {p.role: p for p in case.parties.all()}
    manage = can_manage_case(request.user, case) and case.is_open
    candidates = mediator_candidates(case.union)
    mediators = list(case.mediators.all())
    built: dict[str, Form] = {
        "mediators": MediatorsForm(candidates=candidates, initial={"mediators": mediators}),
        "session": SessionForm(initial={"held_on": timezone.localdate()}),
        "agreement": AgreementForm(initial={"signed_on": timezone.localdate()}),
        "referral": ReasonForm(),
        "withdrawal": ReasonForm(),
        "extension": ExtensionForm(),
    }
    for role, party in parties.items():
        built[f"party_{role}"] = PartyForm(
            initial={
                "kind": party.kind,
                "name": party.name,
                "contact_name": party.contact_name,
            },
            prefix=role,
        )
        built[f"reveal_{role}"] = RevealForm(prefix=f"reveal_{role}")
    built.update(forms or {})
    demand = _demand_ref(request, case.demand_id)
    party_rows = [
        (
            p,
            built.get(f"party_{p.role}"),
            built.get(f"reveal_{p.role}"),
            (revealed or {}).get(p.role),
        )
        for p in (parties.get(Party.Role.APPLICANT), parties.get(Party.Role.RESPONDENT))
        if p is not None
    ]
    return render(
        request,
        "mediation/case_detail.html",
        {
            "case": case,
            "party_rows": party_rows,
            "sessions": list(case.sessions.select_related("recorded_by")),
            "mediators": mediators,
            "forms": built,
            "manage": manage,
            "can_reveal": can_manage_case(request.user, case),
            "demand": demand,
            "revealed": bool(revealed),
        },
        status=status,
    )


@login_required
def case_detail_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible(request, pk))


def _managed(request: AuthenticatedHttpRequest, pk: int) -> Case:
    case = _visible(request, pk)
    if not can_manage_case(request.user, case):
        raise PermissionDenied
    return case


def _act(
    request: AuthenticatedHttpRequest, case: Case, key: str, form: Form, write: Any, done: str
) -> HttpResponse:
    """Validate ``form``, run ``write(data)``; done: back to the case with ``done``; refused:
    the case page with the form and the reason."""
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
            if "state" in getattr(error, "message_dict", {}):
                messages.error(request, "；".join(error.message_dict["state"]))
        else:
            messages.success(request, done)
            return redirect("mediation:case-detail", case.pk)
    case.refresh_from_db()
    return _detail(request, case, forms={key: form})


@login_required
@require_POST
def party_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _managed(request, pk)
    role = request.POST.get("role", "")
    if role not in Party.Role.values:
        role = Party.Role.APPLICANT
    form = PartyForm(request.POST, prefix=role)

    def write(data: dict[str, Any]) -> None:
        services.party_update(
            actor=request.user,
            case=case,
            role=role,
            data=services.PartyData(
                kind=data["kind"],
                name=data["name"],
                id_number=data["id_number"],
                mobile=data["mobile"],
                contact_name=data["contact_name"],
            ),
        )

    return _act(request, case, f"party_{role}", form, write, "已保存当事人信息。")


@login_required
@require_POST
def reveal_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _managed(request, pk)
    role = request.POST.get("role", "")
    if role not in Party.Role.values:
        role = Party.Role.APPLICANT
    form = RevealForm(request.POST, prefix=f"reveal_{role}")
    purpose = form.cleaned_data["purpose"] if form.is_valid() else ""
    party = get_object_or_404(case.parties, role=role)
    shown = services.party_reveal(actor=request.user, party=party, purpose=purpose)
    response = _detail(request, case, revealed={role: shown})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def mediators_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _managed(request, pk)
    form = MediatorsForm(request.POST, candidates=mediator_candidates(case.union))

    def write(data: dict[str, Any]) -> None:
        services.mediators_assign(actor=request.user, case=case, mediators=list(data["mediators"]))

    return _act(request, case, "mediators", form, write, "已指派调解员。")


@login_required
@require_POST
def session_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _managed(request, pk)

    def write(data: dict[str, Any]) -> None:
        services.session_record(actor=request.user, case=case, **data)

    return _act(request, case, "session", SessionForm(request.POST), write, "已记录调解会谈。")


@login_required
@require_POST
def agreement_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _managed(request, pk)
    form = AgreementForm(request.POST, request.FILES)

    def write(data: dict[str, Any]) -> None:
        services.case_agree(
            actor=request.user,
            case=case,
            terms=data["terms"],
            amount=data["amount"],
            signed_on=data["signed_on"],
            document=data["document"] or None,
        )

    return _act(request, case, "agreement", form, write, "已登记调解协议，案件结案。")


@login_required
@require_POST
def referral_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _managed(request, pk)

    def write(data: dict[str, Any]) -> None:
        services.case_refer(actor=request.user, case=case, reason=data["reason"])

    return _act(request, case, "referral", ReasonForm(request.POST), write, "已转劳动仲裁。")


@login_required
@require_POST
def withdrawal_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _managed(request, pk)

    def write(data: dict[str, Any]) -> None:
        services.case_withdraw(actor=request.user, case=case, reason=data["reason"])

    return _act(request, case, "withdrawal", ReasonForm(request.POST), write, "已登记撤回。")


@login_required
@require_POST
def extension_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _managed(request, pk)

    def write(data: dict[str, Any]) -> None:
        services.case_extend(
            actor=request.user, case=case, days=data["days"], reason=data["reason"]
        )

    return _act(request, case, "extension", ExtensionForm(request.POST), write, "已延长调解期限。")


@login_required
def document_view(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """The signed agreement, only through this view after the permission check."""
    case = _visible(request, pk)
    if not case.agreement_document:
        raise Http404
    try:
        handle = case.agreement_document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = case.agreement_document_name or "agreement.pdf"
    return FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
    )


@login_required
def settings_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Time limits per case type of the admin's union (15 working days where none is set)."""
    if not can_configure(request.user):
        raise PermissionDenied
    union = request.user.organization
    form = TimeLimitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.time_limit_set(actor=request.user, union=union, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "已保存调解时限。")
            return redirect("mediation:settings")
    limits = {t.case_type: t.working_days for t in TimeLimit.objects.filter(union=union)}
    rows = [
        (label, limits.get(value), services.limit_days_for(union, value))
        for value, label in CaseType.choices
    ]
    return render(
        request,
        "mediation/settings.html",
        {"form": form, "rows": rows, "union": union, "default_days": DEFAULT_LIMIT_DAYS},
    )
