import base64
import binascii
import tempfile
from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.errors import HttpError

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.core.api_errors import TooManyRequests, prevalidated
from liandong.core.audit import request_context
from liandong.core.busy import retry_when_busy
from liandong.core.crypto import mobile_digest
from liandong.core.documents import XLSX
from liandong.core.paging import page_by_id
from liandong.core.schemas import InputSchema
from liandong.demands import classify, throttle
from liandong.demands.exporting import stats_xlsx
from liandong.demands.models import (
    CATEGORY_LABELS,
    STATE_LABELS,
    Category,
    Channel,
    Demand,
    DemandEvent,
    Industry,
    State,
)
from liandong.demands.permissions import (
    allowed_actions,
    bodies_visible_to,
    can_enter_demands,
    can_reveal_mobile,
    can_use_demands,
    demands_visible_to,
)
from liandong.demands.presenters import public_view
from liandong.demands.schemas import (
    ActionIn,
    DemandDetailOut,
    DemandMobileOut,
    DemandPage,
    DemandRevealIn,
    PublicDemandIn,
    PublicDemandOut,
    RatingIn,
    ReceiptOut,
    StaffDemandIn,
    StatsOut,
    SuggestIn,
    SuggestOut,
    demand_item,
)
from liandong.demands.selectors import (
    DemandFilters,
    StatsFilters,
    demand_by_code,
    demand_list,
    demand_stats,
)
from liandong.demands.services import (
    demand_act,
    demand_for_key,
    demand_rate,
    demand_reveal_mobile,
    demand_submit,
    request_digest,
    valid_mobile,
)
from liandong.organizations.models import Organization

router = Router(tags=["职工诉求"])
# Worker-facing, no login: mounted at /api/v1/public/demands (every operation passes auth=None).
public_router = Router(tags=["职工诉求（公开）"])

T = TypeVar("T")


def _ip() -> str | None:
    return (request_context.get() or {}).get("ip")


def _decode_photos(photos: list[str]) -> list[bytes]:
    decoded = []
    for index, photo in enumerate(photos, start=1):
        payload = photo.split(",", 1)[1] if photo.startswith("data:") else photo
        try:
            decoded.append(base64.b64decode(payload, validate=True))
        except (binascii.Error, ValueError):
            raise ValidationError(
                {"photos": [f"第 {index} 张照片不是有效的 base64 数据"]}
            ) from None
    return decoded


def _receipt(demand: Demand, created: bool) -> dict:
    return {
        "code": demand.code,
        "state": demand.state,
        "state_label": STATE_LABELS[demand.state],
        "created": created,
        # The category the demand goes by (the worker's, or the suggestion when sure enough),
        # or 待分类 while a person chooses it.
        "category": "" if demand.in_triage else demand.category,
        "category_label": "待分类" if demand.in_triage else CATEGORY_LABELS[demand.category],
        "message": f"您的诉求已受理，查询码 {demand.code}，请凭查询码和手机号后四位查询办理进度。",
    }


@public_router.post(
    "",
    response=ReceiptOut,
    auth=None,
    url_name="public-demand-submit",
    operation_id="public_demands_submit",
)
@retry_when_busy
def submit_demand(request: HttpRequest, payload: PublicDemandIn) -> HttpResponse:
    """Submit a demand without login. Send an ``Idempotency-Key`` header: a retry with the same
    key returns the same tracking code (``created`` false) instead of a second demand.
    Rate-limited per IP and per mobile (429)."""
    key = request.headers.get("Idempotency-Key", "").strip()
    body_digest = request_digest(payload.model_dump(mode="json")) if key else ""
    if key:
        existing = demand_for_key(key, body_digest)  # another body with a used key: 422
        if existing is not None:
            return prevalidated(_receipt(existing, False))
    try:
        digest = mobile_digest(valid_mobile(payload.mobile))
    except ValidationError:
        digest = None  # the service names the field
    photos = _decode_photos(payload.photos)

    def store() -> tuple[Demand, bool]:
        # The rate-limit count and the demand are committed together (or not at all).
        with transaction.atomic():
            if not throttle.claim(("submit-ip", _ip()), ("submit-mobile", digest)):
                raise TooManyRequests(
                    "提交过于频繁，请稍后再试；紧急情况请拨打 12351 职工服务热线",
                    retry_after=throttle.window("submit-ip"),
                )
            return demand_submit(
                channel=Channel.API,
                category=payload.category or "",
                description=payload.description,
                industry=payload.industry,
                city=payload.city,
                mobile=payload.mobile,
                employer_name=payload.employer_name,
                submitter_name=payload.name,
                consent=payload.consent,
                urgency=payload.urgency,
                photos=photos,
                idempotency_key=key,
                request_digest=body_digest,
                key_checked=True,
            )

    try:
        demand, created = store()
    except IntegrityError:
        existing = demand_for_key(key, body_digest) if key else None
        if existing is None:
            raise
        return prevalidated(
            _receipt(existing, False)
        )  # a concurrent retry with the same key stored it first
    # _receipt builds ReceiptOut's five plain fields; a test checks the answer against the schema.
    return prevalidated(_receipt(demand, created))


SUGGEST_MIN_CHARS = 4


def suggestion_for(text: str) -> dict[str, Any]:
    """The category hint of the public form (also its page's endpoint)."""
    if len(classify.normalize(text)) < SUGGEST_MIN_CHARS:
        return {"category": None, "label": "", "confidence": 0.0, "message": "", "top3": []}
    guess = classify.suggest(text)
    top3 = [
        {"category": c, "label": CATEGORY_LABELS[c], "confidence": round(p, 3)}
        for c, p in guess.top3
    ]
    label = CATEGORY_LABELS[guess.category]
    return {
        "category": guess.category,
        "label": label,
        "confidence": round(guess.confidence, 3),
        "message": f"您反映的问题可能属于：{label}",
        "top3": top3,
    }


@public_router.post(
    "/suggest-category",
    response=SuggestOut,
    auth=None,
    url_name="public-demand-suggest",
    operation_id="public_demands_suggest_category",
)
@retry_when_busy
def suggest_category(request: HttpRequest, payload: SuggestIn) -> dict:
    """The likeliest category of a text being typed, and the three likeliest with their
    probabilities: a hint the worker may follow or not (nothing is stored). Rate-limited per IP
    (429)."""
    with transaction.atomic():
        if not throttle.claim(("suggest-ip", _ip())):
            raise TooManyRequests(
                "请求过于频繁，请稍后再试", retry_after=throttle.window("suggest-ip")
            )
    return suggestion_for(payload.description)


class TrackQuery(InputSchema):
    mobile_tail: str = ""


def _lookup(code: str, tail: str) -> Demand:
    ip = _ip()
    if throttle.exceeded("lookup-ip", ip):
        raise TooManyRequests(
            "查询失败次数过多，请一小时后再试", retry_after=throttle.window("lookup-ip")
        )
    demand = demand_by_code(code, tail)
    if demand is None:
        throttle.hit("lookup-ip", ip)  # only failures count: guessing tails is what it stops
        raise HttpError(404, "查询码或手机号后四位不正确")
    return demand


@public_router.get(
    "/{code}",
    response=PublicDemandOut,
    auth=None,
    url_name="public-demand-track",
    operation_id="public_demands_track",
)
@retry_when_busy
def track_demand(request: HttpRequest, code: str, query: Query[TrackQuery]) -> dict:
    """Status and timeline with the tracking code and the mobile's last four digits. Shows no
    personal data and no handler names."""
    return public_view(_lookup(code, query.mobile_tail))


@public_router.post(
    "/{code}/rating",
    response=PublicDemandOut,
    auth=None,
    url_name="public-demand-rate",
    operation_id="public_demands_rate",
)
@retry_when_busy
def rate_demand(request: HttpRequest, code: str, payload: RatingIn) -> dict:
    """Rate a resolved demand. 不满意 reopens it once."""
    demand = _lookup(code, payload.mobile_tail)
    demand = demand_rate(demand=demand, rating=payload.rating, comment=payload.comment)
    return public_view(demand)


# ---------------------------------------------------------------------------------------------
# Staff


class ListQuery(InputSchema):
    body: int | None = None
    state: State | None = None
    breached: bool | None = None
    category: Category | None = None
    city: str = ""
    escalated: bool | None = None
    agenda: bool | None = None
    duplicates: bool = False
    q: str = ""
    cursor: int | None = None
    limit: int = 20


def _require_staff(request: HttpRequest) -> None:
    if not can_use_demands(request.user):
        raise PermissionDenied


def _body(request: HttpRequest, body_id: int | None, field: str = "body") -> Organization | None:
    return None if body_id is None else _visible_body(request, body_id, field)


def _visible_body(request: HttpRequest, body_id: int, field: str) -> Organization:
    body = bodies_visible_to(request.user).filter(pk=body_id).first()
    if body is None:
        raise ValidationError({field: ["找不到该单位，或不在您的工作范围内"]})
    return body


@router.get("/", response=DemandPage, url_name="demand-list", operation_id="demands_list")
def list_demands(request: AuthenticatedHttpRequest, query: Query[ListQuery]) -> dict:
    """Demands routed to the caller's body (union staff: within their subtree and partners),
    newest first; page with ``next_cursor``."""
    _require_staff(request)
    filters = DemandFilters(
        body=_body(request, query.body),
        state=query.state or "",
        breached=query.breached,
        category=query.category or "",
        city=query.city,
        escalated=query.escalated,
        agenda=query.agenda,
        duplicates=query.duplicates,
        q=query.q,
    )
    page = page_by_id(
        demand_list(user=request.user, filters=filters), cursor=query.cursor, size=query.limit
    )
    return {"items": [demand_item(d) for d in page.items], "next_cursor": page.next_cursor}


@router.post("/", response=DemandDetailOut, url_name="demand-create", operation_id="demands_create")
def create_demand(request: AuthenticatedHttpRequest, payload: StaffDemandIn) -> dict:
    """A hotline operator enters a call as a demand (channel recorded)."""
    if not can_enter_demands(request.user):
        raise PermissionDenied
    demand, _ = demand_submit(
        actor=request.user,
        channel=payload.channel,
        category=payload.category or "",
        description=payload.description,
        industry=payload.industry,
        city=payload.city,
        mobile=payload.mobile,
        employer_name=payload.employer_name,
        submitter_name=payload.name,
        consent=payload.consent,
        urgency=payload.urgency,
        photos=_decode_photos(payload.photos),
        idempotency_key=request.headers.get("Idempotency-Key", ""),
        request_digest=request_digest(payload.model_dump(mode="json")),
    )
    return _detail(request, demand)


class StatsQuery(InputSchema):
    start: date | None = None
    end: date | None = None
    body: int | None = None
    category: Category | None = None
    city: str = ""
    group_by: str = "category"
    industry: Industry | None = None


def _stats_filters(request: HttpRequest, query: StatsQuery) -> StatsFilters:
    if query.group_by not in {"month", "body", "category", "city"}:
        raise ValidationError({"group_by": ["分组只能是 month、body、category 或 city"]})
    return StatsFilters(
        start=query.start,
        end=query.end,
        body=_body(request, query.body),
        category=query.category or "",
        city=query.city,
        group_by=query.group_by,
        industry=query.industry or "",
    )


@router.get("/stats", response=StatsOut, url_name="demand-stats", operation_id="demands_stats")
def stats(request: AuthenticatedHttpRequest, query: Query[StatsQuery]) -> dict:
    """Counts and the three rates by period, body, category or city (see docs/demands.md)."""
    _require_staff(request)
    filters = _stats_filters(request, query)
    total, rows = demand_stats(user=request.user, filters=filters)
    return {
        "start": filters.start,
        "end": filters.end,
        "group_by": filters.group_by,
        "total": total.as_dict(),
        "rows": [row.as_dict() for row in rows],
    }


@router.get(
    "/stats/export",
    url_name="demand-stats-export",
    operation_id="demands_stats_export",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {XLSX: {}}}}},
)
def stats_export(request: AuthenticatedHttpRequest, query: Query[StatsQuery]) -> FileResponse:
    _require_staff(request)
    filters = _stats_filters(request, query)
    total, rows = demand_stats(user=request.user, filters=filters)
    stream = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    stats_xlsx(stream, total, rows, filters)
    stream.seek(0)
    return FileResponse(stream, as_attachment=True, filename="诉求统计.xlsx", content_type=XLSX)


def _get(request: HttpRequest, demand_id: int) -> Demand:
    _require_staff(request)
    return get_object_or_404(
        demands_visible_to(request.user)
        .select_related("body", "possible_duplicate_of")
        .annotate(photo_count=Count("photos")),
        pk=demand_id,
    )


def _detail(request: HttpRequest, demand: Demand) -> dict:
    demand = (
        Demand.objects.select_related("body", "possible_duplicate_of")
        .annotate(photo_count=Count("photos"))
        .get(pk=demand.pk)
    )
    return {
        **demand_item(demand, demand.photo_count),
        "allowed_actions": sorted(allowed_actions(request.user, demand)),
        "timeline": [_step(e) for e in demand.events.select_related("body")],
    }


def _step(event: DemandEvent) -> dict[str, Any]:
    return {
        "at": event.created_at,
        "kind": event.kind,
        "kind_label": event.get_kind_display(),
        "state_label": event.get_state_display(),
        "body": event.body.name if event.body is not None else "",
        "note": event.note,
    }


@router.get(
    "/{int:demand_id}",
    response=DemandDetailOut,
    url_name="demand-detail",
    operation_id="demands_detail",
)
def demand_detail(request: AuthenticatedHttpRequest, demand_id: int) -> dict:
    return _detail(request, _get(request, demand_id))


@router.post(
    "/{int:demand_id}/reveal",
    response=DemandMobileOut,
    url_name="demand-reveal",
    operation_id="demands_reveal",
)
def reveal(request: AuthenticatedHttpRequest, demand_id: int, payload: DemandRevealIn) -> dict:
    """The submitter's full mobile number: the responsible body's handler and union staff only.
    Written to the audit log."""
    demand = _get(request, demand_id)
    if not can_reveal_mobile(request.user, demand):
        raise PermissionDenied
    return {
        "id": demand.pk,
        "mobile": demand_reveal_mobile(actor=request.user, demand=demand, purpose=payload.purpose),
    }


@router.post(
    "/{int:demand_id}/actions",
    response=DemandDetailOut,
    url_name="demand-act",
    operation_id="demands_act",
)
def act(request: AuthenticatedHttpRequest, demand_id: int, payload: ActionIn) -> dict:
    """Take a step: accept (first response), reply, transfer, resolve, return, assign, reject,
    merge, category."""
    demand = _get(request, demand_id)
    allowed = allowed_actions(request.user, demand)
    if payload.action not in allowed:
        if payload.action in {
            "accept",
            "reply",
            "transfer",
            "resolve",
            "return",
            "assign",
            "reject",
            "merge",
            "category",
        }:
            if not allowed and demand.state not in {
                State.RESOLVED,
                State.RATED,
                State.REJECTED,
                State.MERGED,
            }:
                raise PermissionDenied
            raise HttpError(409, f"当前状态为“{demand.get_state_display()}”，不能执行该操作")
        raise ValidationError({"action": ["未知的操作"]})
    into = None
    if payload.action == "merge":
        into = (
            demands_visible_to(request.user).filter(code=payload.into_code.strip().upper()).first()
        )
        if into is None:
            raise ValidationError({"into_code": ["找不到该查询码的诉求"]})
    co_bodies = None
    if payload.co_body_ids is not None:
        co_bodies = [_visible_body(request, pk, "co_body_ids") for pk in payload.co_body_ids]
    demand = demand_act(
        actor=request.user,
        demand=demand,
        action=payload.action,
        note=payload.note,
        reason=payload.reason,
        body=_body(request, payload.body_id, "body_id"),
        co_bodies=co_bodies,
        category=payload.category or "",
        into=into,
    )
    return _detail(request, demand)
