"""The mediation API: the same permissions and services as the pages. A case outside the
caller's subtree answers 404; an account that may not use mediation 403; a broken rule 422
naming the field. Party numbers are masked; the full numbers are shown on the page only,
audited."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router

from liandong.accounts.models import AuthenticatedHttpRequest, User
from liandong.core.extensions import DemandRef, hooks
from liandong.core.paging import page_by_id
from liandong.core.schemas import InputSchema
from liandong.mediation import services
from liandong.mediation.models import Case, Party
from liandong.mediation.permissions import (
    can_manage_case,
    can_use_mediation,
    cases_visible_to,
    mediator_candidates,
    unions_for,
)
from liandong.mediation.schemas import (
    CaseDetailOut,
    CaseIn,
    CasePage,
    ExtensionIn,
    MediationPartyIn,
    MediatorsIn,
    OutcomeIn,
    SessionIn,
)
from liandong.mediation.selectors import case_list
from liandong.organizations.models import Organization

router = Router(tags=["劳动争议调解"])


class CaseListQuery(InputSchema):
    cursor: int | None = None
    limit: int = 20
    state: str = ""
    year: int | None = Field(None, ge=2000, le=2100)


def case_item(c: Case) -> dict[str, Any]:
    return {
        "id": c.pk,
        "code": c.code,
        "union_id": c.union_id,
        "union_name": c.union.name,
        "case_type": c.case_type,
        "case_type_label": c.get_case_type_display(),
        "state": c.state,
        "state_label": c.get_state_display(),
        "summary": c.summary,
        "claim_amount": c.claim_amount,
        "demand_id": c.demand_id,
        "demand_code": c.demand_code,
        "accepted_at": c.accepted_at,
        "limit_days": c.limit_days,
        "extension_days": c.extension_days,
        "due_on": c.due_day,
        "overdue": c.is_overdue,
        "closed_at": c.closed_at,
    }


def _detail(c: Case) -> dict[str, Any]:
    return {
        **case_item(c),
        "parties": [
            {
                "role": p.role,
                "role_label": p.get_role_display(),
                "kind": p.kind,
                "name": p.name,
                "contact_name": p.contact_name,
                "id_number_masked": p.id_number_masked,
                "mobile_masked": p.mobile_masked,
            }
            for p in c.parties.all()
        ],
        "mediator_ids": sorted(c.mediators.values_list("pk", flat=True)),
        "sessions": [
            {
                "id": s.pk,
                "held_on": s.held_on,
                "place": s.place,
                "attendees": s.attendees,
                "notes": s.notes,
            }
            for s in c.sessions.all()
        ],
        "agreement_terms": c.agreement_terms,
        "agreement_amount": c.agreement_amount,
        "agreement_signed_on": c.agreement_signed_on,
        "referral_reason": c.referral_reason,
        "withdrawal_reason": c.withdrawal_reason,
        "extension_reason": c.extension_reason,
    }


def _require_use(request: AuthenticatedHttpRequest) -> None:
    if not can_use_mediation(request.user):
        raise PermissionDenied


def _managed(request: AuthenticatedHttpRequest, case_id: int) -> Case:
    case = get_object_or_404(cases_visible_to(request.user), pk=case_id)
    if not can_manage_case(request.user, case):
        raise PermissionDenied
    return case


def _mediators(case_union: Organization, ids: list[int]) -> list[User]:
    found = list(mediator_candidates(case_union).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError(
            {"mediator_ids": "调解员须是本工会或下级工会的在职工作人员。"}, code="mediator"
        )
    return found


def _party(data: MediationPartyIn) -> services.PartyData:
    return services.PartyData(
        kind=data.kind,
        name=data.name,
        id_number=data.id_number,
        mobile=data.mobile,
        contact_name=data.contact_name,
    )


@router.get("/cases", response=CasePage, operation_id="mediation_list_cases")
def list_cases(request: AuthenticatedHttpRequest, query: Query[CaseListQuery]) -> dict:
    """Cases of the caller's subtree, newest first; ``state`` and ``year`` filter."""
    _require_use(request)
    cases = case_list(cases_visible_to(request.user), state=query.state, year=query.year)
    page = page_by_id(cases, cursor=query.cursor, size=query.limit)
    return {"items": [case_item(c) for c in page.items], "next_cursor": page.next_cursor}


@router.post("/cases", response=CaseDetailOut, operation_id="mediation_create_case")
def create_case(request: AuthenticatedHttpRequest, payload: CaseIn) -> dict:
    _require_use(request)
    union = unions_for(request.user).filter(pk=payload.union_id).first()
    if union is None:
        raise ValidationError({"union_id": "受理工会须是您所在工会或其下级工会。"}, code="union")
    mediators = _mediators(union, payload.mediator_ids) if payload.mediator_ids else []
    case = services.case_open(
        actor=request.user,
        union=union,
        case_type=payload.case_type,
        summary=payload.summary,
        claim_amount=payload.claim_amount,
        applicant=_party(payload.applicant),
        respondent=_party(payload.respondent),
        mediators=mediators or services.self_as_mediator(request.user, union),
    )
    return _detail(case)


@router.post(
    "/cases/from-demand/{int:demand_id}",
    response=CaseDetailOut,
    operation_id="mediation_case_from_demand",
)
def case_from_demand(request: AuthenticatedHttpRequest, demand_id: int) -> dict:
    """Open a case from a demand the caller may see (as the demand page's button does)."""
    _require_use(request)
    demand: DemandRef | None = None
    for provider in hooks("demand_ref"):
        demand = demand or provider(request.user, demand_id)
    if demand is None:
        raise Http404
    union = unions_for(request.user).filter(pk=demand.union_id).first() or request.user.organization
    if union is None:
        raise Http404
    case = services.case_open_from_demand(actor=request.user, demand=demand, union=union)
    return _detail(case)


@router.get("/cases/{int:case_id}", response=CaseDetailOut, operation_id="mediation_get_case")
def get_case(request: AuthenticatedHttpRequest, case_id: int) -> dict:
    return _detail(get_object_or_404(cases_visible_to(request.user), pk=case_id))


@router.post(
    "/cases/{int:case_id}/parties/{role}",
    response=CaseDetailOut,
    operation_id="mediation_update_party",
)
def update_party(
    request: AuthenticatedHttpRequest, case_id: int, role: str, payload: MediationPartyIn
) -> dict:
    """Correct a party (``applicant`` or ``respondent``); empty numbers keep the stored ones."""
    case = _managed(request, case_id)
    if role not in Party.Role.values:
        raise Http404
    services.party_update(actor=request.user, case=case, role=role, data=_party(payload))
    return _detail(case)


@router.post(
    "/cases/{int:case_id}/mediators",
    response=CaseDetailOut,
    operation_id="mediation_assign_mediators",
)
def assign_mediators(request: AuthenticatedHttpRequest, case_id: int, payload: MediatorsIn) -> dict:
    case = _managed(request, case_id)
    services.mediators_assign(
        actor=request.user, case=case, mediators=_mediators(case.union, payload.mediator_ids)
    )
    return _detail(case)


@router.post(
    "/cases/{int:case_id}/sessions", response=CaseDetailOut, operation_id="mediation_record_session"
)
def record_session(request: AuthenticatedHttpRequest, case_id: int, payload: SessionIn) -> dict:
    case = _managed(request, case_id)
    services.session_record(actor=request.user, case=case, **payload.dict())
    case.refresh_from_db()
    return _detail(case)


@router.post(
    "/cases/{int:case_id}/outcome", response=CaseDetailOut, operation_id="mediation_record_outcome"
)
def record_outcome(request: AuthenticatedHttpRequest, case_id: int, payload: OutcomeIn) -> dict:
    """An agreement (terms, amount in 元, signed date; the signed document is uploaded on the
    case's page), a referral to labour arbitration, or the applicant's withdrawal (reason)."""
    case = _managed(request, case_id)
    if payload.outcome == "agreement":
        if payload.signed_on is None:
            raise ValidationError({"signed_on": "请填写签订日期。"}, code="required")
        case = services.case_agree(
            actor=request.user,
            case=case,
            terms=payload.terms,
            amount=payload.amount,
            signed_on=payload.signed_on,
        )
    elif payload.outcome == "referral":
        case = services.case_refer(actor=request.user, case=case, reason=payload.reason)
    else:
        case = services.case_withdraw(actor=request.user, case=case, reason=payload.reason)
    return _detail(case)


@router.post(
    "/cases/{int:case_id}/extension", response=CaseDetailOut, operation_id="mediation_extend_case"
)
def extend_case(request: AuthenticatedHttpRequest, case_id: int, payload: ExtensionIn) -> dict:
    case = _managed(request, case_id)
    case = services.case_extend(
        actor=request.user, case=case, days=payload.days, reason=payload.reason
    )
    return _detail(case)
