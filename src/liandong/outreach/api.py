"""The outreach API: key enterprises, visits, coverage and agreements, with the same
permissions and services as the pages. Another body's record answers 404; an account that is
not union staff 403; a broken rule 422 naming the field."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import File, Router
from ninja.files import UploadedFile

from liandong.accounts.models import AuthenticatedHttpRequest, User
from liandong.organizations.models import Organization
from liandong.organizations.permissions import organizations_visible_to
from liandong.outreach import permissions as perms
from liandong.outreach import selectors, services
from liandong.outreach.models import Agreement, AgreementParty, KeyEnterprise, Visit
from liandong.outreach.schemas import (
    AgreementIn,
    AgreementOut,
    AgreementPatch,
    FollowUpIn,
    KeyEnterpriseDetailOut,
    KeyEnterpriseIn,
    KeyEnterpriseOut,
    OutreachCoverageOut,
    ToActionItemIn,
    ToDemandIn,
    VisitIn,
    VisitOut,
)

router = Router(tags=["联系走访与协议"])
T = TypeVar("T")


def _staff(request: AuthenticatedHttpRequest) -> None:
    if not perms.can_use_outreach(request.user):
        raise PermissionDenied


def _renamed(call: Callable[[], T], names: dict[str, str]) -> T:
    """The service's refusal, naming the API's field (``lead_body`` → ``lead_body_id``)."""
    try:
        return call()
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {names.get(field, field): items for field, items in error.error_dict.items()}
        ) from None


def _org(
    request: AuthenticatedHttpRequest, pk: int | None, field: str, label: str
) -> Organization | None:
    if pk is None:
        return None
    found = organizations_visible_to(request.user).filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: f"{label}不存在。"}, code="unknown")
    return found


def _user(request: AuthenticatedHttpRequest, pk: int | None, field: str) -> User | None:
    if pk is None:
        return None
    found = User.objects.filter(organization__in=perms.unions_for(request.user), pk=pk).first()
    if found is None:
        raise ValidationError({field: "该工作人员不存在。"}, code="unknown")
    return found


def key_item(key: KeyEnterprise) -> dict[str, Any]:
    return {
        "id": key.pk,
        "union_id": key.union_id,
        "union_name": key.union.name,
        "enterprise_id": key.enterprise_id,
        "enterprise_name": key.enterprise.name,
        "leader_id": key.leader_id,
        "leader_name": str(key.leader) if key.leader else "",
        "area": key.area,
        "note": key.note,
        "is_active": key.is_active,
    }


def visit_item(visit: Visit) -> dict[str, Any]:
    return {
        "id": visit.pk,
        "key_enterprise_id": visit.key_enterprise_id,
        "enterprise_name": visit.key_enterprise.enterprise.name,
        "visited_on": visit.visited_on,
        "visitors": visit.visitors,
        "findings": visit.findings,
        "problem": visit.problem,
        "follow_up": visit.follow_up,
        "problem_open": visit.problem_open,
        "problem_closed_on": visit.problem_closed_on,
        "demand_id": visit.demand_id,
        "demand_url": visit.demand_url,
        "action_item_id": visit.action_item_id,
        "action_item_url": visit.action_item_url,
    }


# An agreement's parties (with their bodies) and follow-ups: fetched for a whole list at once
# (two queries, not two per agreement), or for one agreement when it has not been.
AGREEMENT_ROWS = (
    Prefetch("parties", queryset=AgreementParty.objects.select_related("organization")),
    "follow_ups",
)


def agreement_item(a: Agreement) -> dict[str, Any]:
    prefetch_related_objects([a], *AGREEMENT_ROWS)
    return {
        "id": a.pk,
        "owner_id": a.owner_id,
        "owner_name": a.owner.name,
        "title": a.title,
        "kind": a.kind,
        "kind_label": a.get_kind_display(),
        "signed_on": a.signed_on,
        "effective_on": a.effective_on,
        "expires_on": a.expires_on,
        "terms": a.terms,
        "staff_id": a.staff_id,
        "mechanism_id": a.mechanism_id,
        "mechanism_name": a.mechanism_name,
        "document_name": a.document_name,
        "document_url": reverse("outreach:agreement-document", args=[a.pk]) if a.document else "",
        "parties": [
            {
                "organization_id": p.organization_id,
                "name": p.name,
                "external": p.is_external,
                "country": p.external_country,
                "signatory": p.signatory,
            }
            for p in a.parties.all()
        ],
        "follow_ups": [
            {"action_item_id": f.action_item_id, "label": f.label, "url": f.url}
            for f in a.follow_ups.all()
        ],
    }


# -- key enterprises and visits -------------------------------------------------------------------


@router.get("/coverage", response=OutreachCoverageOut, operation_id="outreach_coverage")
def get_coverage(request: AuthenticatedHttpRequest) -> selectors.Coverage:
    """Key enterprises in contact, visited this quarter, visits, problems open, per leader."""
    _staff(request)
    return selectors.coverage(perms.key_enterprises_visible_to(request.user))


@router.get(
    "/key-enterprises",
    response=list[KeyEnterpriseOut],
    operation_id="outreach_list_key_enterprises",
)
def list_key_enterprises(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    _staff(request)
    keys = perms.key_enterprises_visible_to(request.user).order_by("union__path", "area", "id")
    return [key_item(k) for k in keys[:500]]


@router.post(
    "/key-enterprises", response=KeyEnterpriseOut, operation_id="outreach_add_key_enterprise"
)
def add_key_enterprise(
    request: AuthenticatedHttpRequest, payload: KeyEnterpriseIn
) -> dict[str, Any]:
    _staff(request)
    union = perms.unions_for(request.user).filter(pk=payload.union_id).first()
    if union is None:
        raise ValidationError({"union_id": "请选择您所在或下级的工会。"}, code="union")
    enterprise = perms.enterprises_for(request.user).filter(pk=payload.enterprise_id).first()
    if enterprise is None:
        raise ValidationError({"enterprise_id": "企业不存在或不在您的范围内。"}, code="unknown")
    leader = _user(request, payload.leader_id, "leader_id")
    key = _renamed(
        lambda: services.key_enterprise_add(
            actor=request.user,
            union=union,
            enterprise=enterprise,
            leader=leader,
            area=payload.area,
            note=payload.note,
        ),
        {"union": "union_id", "enterprise": "enterprise_id", "leader": "leader_id"},
    )
    return key_item(key)


@router.get(
    "/key-enterprises/{int:key_id}",
    response=KeyEnterpriseDetailOut,
    operation_id="outreach_get_key_enterprise",
)
def get_key_enterprise(request: AuthenticatedHttpRequest, key_id: int) -> dict[str, Any]:
    key = get_object_or_404(perms.key_enterprises_visible_to(request.user), pk=key_id)
    visits = key.visits.select_related("key_enterprise__enterprise").order_by("-visited_on", "-id")
    return {**key_item(key), "visits": [visit_item(v) for v in visits[:100]]}


@router.post(
    "/key-enterprises/{int:key_id}/visits",
    response=VisitOut,
    operation_id="outreach_record_visit",
)
def record_visit(
    request: AuthenticatedHttpRequest, key_id: int, payload: VisitIn
) -> dict[str, Any]:
    key = get_object_or_404(perms.key_enterprises_visible_to(request.user), pk=key_id)
    visit = services.visit_record(actor=request.user, key=key, **payload.dict())
    return visit_item(visit)


@router.get("/visits/{int:visit_id}", response=VisitOut, operation_id="outreach_get_visit")
def get_visit(request: AuthenticatedHttpRequest, visit_id: int) -> dict[str, Any]:
    return visit_item(get_object_or_404(perms.visits_visible_to(request.user), pk=visit_id))


@router.post(
    "/visits/{int:visit_id}/demand", response=VisitOut, operation_id="outreach_visit_to_demand"
)
def visit_to_demand(
    request: AuthenticatedHttpRequest, visit_id: int, payload: ToDemandIn
) -> dict[str, Any]:
    """The visit's problem becomes a demand (channel 来访); once per visit."""
    visit = get_object_or_404(perms.visits_visible_to(request.user), pk=visit_id)
    visit = services.visit_to_demand(actor=request.user, visit=visit, **payload.dict())
    return visit_item(visit)


@router.post(
    "/visits/{int:visit_id}/action-item",
    response=VisitOut,
    operation_id="outreach_visit_to_action_item",
)
def visit_to_action_item(
    request: AuthenticatedHttpRequest, visit_id: int, payload: ToActionItemIn
) -> dict[str, Any]:
    """The visit's problem becomes a 督办事项 of a held joint meeting; once per visit."""
    visit = get_object_or_404(perms.visits_visible_to(request.user), pk=visit_id)
    lead_body = _org(request, payload.lead_body_id, "lead_body_id", "牵头单位")
    visit = _renamed(
        lambda: services.visit_to_action_item(
            actor=request.user,
            visit=visit,
            meeting_id=payload.meeting_id,
            lead_body=lead_body,
            deadline=payload.deadline,
        ),
        {"meeting": "meeting_id", "lead_body": "lead_body_id", "resolution": "meeting_id"},
    )
    return visit_item(visit)


# -- agreements -----------------------------------------------------------------------------------


@router.get("/agreements", response=list[AgreementOut], operation_id="outreach_list_agreements")
def list_agreements(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    _staff(request)
    agreements = (
        perms.agreements_visible_to(request.user)
        .prefetch_related(*AGREEMENT_ROWS)
        .order_by("-signed_on", "-id")
    )
    return [agreement_item(a) for a in agreements[:200]]


@router.post("/agreements", response=AgreementOut, operation_id="outreach_create_agreement")
def create_agreement(request: AuthenticatedHttpRequest, payload: AgreementIn) -> dict[str, Any]:
    """An agreement between bodies in the tree (``party_ids``) and bodies outside it
    (``external_parties``: name, country, signatory). The document is uploaded on its page."""
    _staff(request)
    owner = perms.unions_for(request.user).filter(pk=payload.owner_id).first()
    if owner is None:
        raise ValidationError({"owner_id": "请选择您所在或下级的工会。"}, code="owner")
    parties = _parties(request, payload.party_ids)
    staff = _user(request, payload.staff_id, "staff_id")
    agreement = _renamed(
        lambda: services.agreement_create(
            actor=request.user,
            owner=owner,
            title=payload.title,
            kind=payload.kind,
            signed_on=payload.signed_on,
            effective_on=payload.effective_on,
            expires_on=payload.expires_on,
            terms=payload.terms,
            staff=staff,
            parties=parties,
            external_parties=[
                services.ExternalParty(p.name, p.country, p.signatory)
                for p in payload.external_parties
            ],
            mechanism_id=payload.mechanism_id,
        ),
        {
            "owner": "owner_id",
            "staff": "staff_id",
            "parties": "party_ids",
            "mechanism": "mechanism_id",
        },
    )
    return agreement_item(agreement)


def _parties(
    request: AuthenticatedHttpRequest, party_ids: list[int], agreement: Agreement | None = None
) -> list[Organization]:
    """The bodies named, in the order given, each one the user may name (``parties_for``)."""
    found = {o.pk: o for o in perms.parties_for(request.user, agreement).filter(pk__in=party_ids)}
    if len(found) != len(set(party_ids)):
        raise ValidationError({"party_ids": "签约单位不存在。"}, code="unknown")
    return [found[pk] for pk in dict.fromkeys(party_ids)]


@router.get(
    "/agreements/{int:agreement_id}", response=AgreementOut, operation_id="outreach_get_agreement"
)
def get_agreement(request: AuthenticatedHttpRequest, agreement_id: int) -> dict[str, Any]:
    return agreement_item(
        get_object_or_404(perms.agreements_visible_to(request.user), pk=agreement_id)
    )


@router.patch(
    "/agreements/{int:agreement_id}",
    response=AgreementOut,
    operation_id="outreach_update_agreement",
)
def update_agreement(
    request: AuthenticatedHttpRequest, agreement_id: int, payload: AgreementPatch
) -> dict[str, Any]:
    """Change an agreement as its edit page does: dates (a renewal), terms, staff, and the
    parties when ``party_ids`` or ``external_parties`` are given (they replace them)."""
    agreement = get_object_or_404(perms.agreements_visible_to(request.user), pk=agreement_id)
    given = payload.dict(exclude_unset=True)
    values = {
        field: given[field] if field in given else getattr(agreement, field)
        for field in ["title", "signed_on", "effective_on", "expires_on", "terms"]
    }
    staff = (
        _user(request, given["staff_id"], "staff_id") if "staff_id" in given else agreement.staff
    )
    parties = None if payload.party_ids is None else _parties(request, payload.party_ids, agreement)
    externals = (
        None
        if payload.external_parties is None
        else [
            services.ExternalParty(p.name, p.country, p.signatory) for p in payload.external_parties
        ]
    )
    agreement = _renamed(
        lambda: services.agreement_update(
            actor=request.user,
            agreement=agreement,
            **values,
            staff=staff,
            parties=parties,
            external_parties=externals,
        ),
        {"staff": "staff_id", "parties": "party_ids"},
    )
    return agreement_item(agreement)


@router.post(
    "/agreements/{int:agreement_id}/document",
    response=AgreementOut,
    operation_id="outreach_upload_agreement_document",
)
def upload_agreement_document(
    request: AuthenticatedHttpRequest, agreement_id: int, file: File[UploadedFile]
) -> dict[str, Any]:
    """The agreement's text (PDF, Word or an image, up to 10 MB), as a multipart ``file``:
    it replaces the one before; read back through the agreement's page, never a public URL."""
    agreement = get_object_or_404(perms.agreements_visible_to(request.user), pk=agreement_id)
    agreement = _renamed(
        lambda: services.agreement_attach_document(
            actor=request.user, agreement=agreement, document=file
        ),
        {"document": "file"},
    )
    return agreement_item(agreement)


@router.post(
    "/agreements/{int:agreement_id}/follow-ups",
    response=AgreementOut,
    operation_id="outreach_add_follow_up",
)
def add_follow_up(
    request: AuthenticatedHttpRequest, agreement_id: int, payload: FollowUpIn
) -> dict[str, Any]:
    """A follow-up recorded as a 督办事项 of a held joint meeting the caller manages."""
    agreement = get_object_or_404(perms.agreements_visible_to(request.user), pk=agreement_id)
    lead_body = _org(request, payload.lead_body_id, "lead_body_id", "牵头单位")
    _renamed(
        lambda: services.agreement_follow_up(
            actor=request.user,
            agreement=agreement,
            meeting_id=payload.meeting_id,
            resolution=payload.resolution,
            lead_body=lead_body,
            deadline=payload.deadline,
        ),
        {"meeting": "meeting_id", "lead_body": "lead_body_id"},
    )
    return agreement_item(agreement)
