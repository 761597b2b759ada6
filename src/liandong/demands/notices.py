"""Who hears of a demand's steps, through notifications.notify (in the step's transaction):
the responsible body's accounts when it is routed to them; the worker when it is answered or
resolved (their inbox when they have an account, else an SMS to the number they gave, with
the tracking code and link, never the demand's text)."""

from typing import TYPE_CHECKING

from django.urls import reverse

from liandong.accounts.models import ORGANIZATION_ROLES, User
from liandong.core import crypto
from liandong.demands.models import CATEGORY_LABELS, Demand, Urgency
from liandong.notifications.kinds import Kind
from liandong.notifications.models import Channel
from liandong.notifications.services import notify, notify_later
from liandong.workers.models import Worker

if TYPE_CHECKING:
    from django.db.models import QuerySet

ROUTED = "demands.routed"
ANSWERED = "demands.answered"
RESOLVED = "demands.resolved"
NEARING = "demands.nearing_limit"
BREACHED = "demands.past_limit"
ESCALATED = "demands.escalated"
CODE_TEXTED = "demands.code_texted"

NOTIFICATION_KINDS = [
    Kind(
        key=ROUTED,
        label="诉求派至本单位",
        title="新诉求待办理：{code}（{category}）",
        body="{category}诉求 {code} 已派至{body}，请于 {response_due} 前首次答复职工。{note}",
        sms="【联动】新的职工诉求（编号 {code}，{category}）已派至{body}，请于 {response_due} 前首次答复。",
        defaults=frozenset({Channel.EMAIL}),
    ),
    Kind(
        key=ANSWERED,
        label="我的诉求有答复",
        title="您的诉求 {code} 有了答复",
        body="{body}答复：{note}",
        sms="【联动】您的诉求（查询码 {code}）有了新的答复，请凭查询码和手机号后四位查看",
        defaults=frozenset({Channel.SMS}),
    ),
    Kind(
        key=RESOLVED,
        label="我的诉求已办结",
        title="您的诉求 {code} 已办结",
        body="{body}办理结果：{note}\n欢迎对办理情况作出评价。",
        sms="【联动】您的诉求（查询码 {code}）已办结，请凭查询码和手机号后四位查看结果并评价",
        defaults=frozenset({Channel.SMS}),
    ),
    Kind(
        key=NEARING,
        label="诉求办理时限将到",
        title="诉求 {code} 的{limit}时限将到",
        body="{body}承办的{category}诉求 {code} {limit}时限为 {due}，请抓紧办理。",
        sms="【联动】{body}承办的职工诉求（编号 {code}）{limit}时限为 {due}，请抓紧办理。",
        defaults=frozenset({Channel.EMAIL}),
    ),
    Kind(
        key=BREACHED,
        label="诉求已超过办理时限",
        title="诉求 {code} 已超过{limit}时限",
        body="{body}承办的{category}诉求 {code} 已超过{limit}时限（{due}），请立即办理。",
        sms="【联动】{body}承办的职工诉求（编号 {code}）已超过{limit}时限（{due}），请立即办理。",
        # Past a limit a handler must act now: by SMS too, unless they switch it off.
        defaults=frozenset({Channel.EMAIL, Channel.SMS}),
    ),
    Kind(
        key=ESCALATED,
        label="超时诉求督办（单位负责人、工会）",
        title="督办：诉求 {code} 超时未办结",
        body="{body}承办的{category}诉求 {code} 已超过办理时限，已督办至{body}负责人及{union}，"
        "请尽快安排办理。",
        sms="【联动】{body}承办的职工诉求（编号 {code}）已超过办理时限并被督办，请尽快安排办理。",
        defaults=frozenset({Channel.EMAIL, Channel.SMS}),
    ),
    Kind(
        key=CODE_TEXTED,
        label="诉求查询码短信（职工在受理页要求发送）",
        title="您的诉求查询码 {code}",
        body="您的诉求已受理，查询码 {code}。",
        sms="【联动】您的诉求已受理，查询码 {code}，凭查询码和手机号后四位可查询办理进度",
        defaults=frozenset({Channel.SMS}),
        webhook=False,
    ),
]


def _when(moment: object) -> str:
    from django.utils import timezone

    local = timezone.localtime(moment)  # type: ignore[arg-type]
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def tell_body_routed(demand: Demand, *, event_id: int, note: str = "") -> int:
    """The accounts of the body the demand was routed (or transferred) to."""
    if demand.body_id is None:
        return 0
    handlers = User.objects.filter(
        organization_id=demand.body_id, is_active=True, role__in=sorted(ORGANIZATION_ROLES)
    )
    return notify(
        ROUTED,
        handlers,
        context={
            "code": demand.code,
            "category": CATEGORY_LABELS.get(demand.category, ""),
            "body": demand.body.name if demand.body else "",
            "response_due": _when(demand.response_due),
            "note": note,
        },
        event_key=f"{ROUTED}:{demand.pk}:{event_id}",
        link=reverse("demands:demand-detail", args=[demand.pk]),
        target=f"demands.demand:{demand.pk}",
        urgent=demand.urgency == Urgency.URGENT,
        organizations=[demand.body_id],
        organization_id=demand.union_id,
    )


def tell_body_routed_at_intake(demand: Demand, *, body_name: str) -> None:
    """The intake's routing by rule: one row now (the public intake is a hot path), the body's
    accounts told by the worker moments later."""
    if demand.body_id is None:
        return
    notify_later(
        ROUTED,
        accounts_of=demand.body_id,
        context={
            "code": demand.code,
            "category": CATEGORY_LABELS.get(demand.category, ""),
            "body": body_name,
            "response_due": _when(demand.response_due),
            "note": "",
        },
        event_key=f"{ROUTED}:{demand.pk}:intake",
        link=reverse("demands:demand-detail", args=[demand.pk]),
        target=f"demands.demand:{demand.pk}",
        urgent=demand.urgency == Urgency.URGENT,
        organizations=[demand.body_id],
        organization_id=demand.union_id,
    )


def tell_worker(demand: Demand, *, kind: str, event_id: int, note: str) -> int:
    """The worker who submitted: their account (inbox, and SMS/email as they chose) when the
    number they gave is on the roster with an account, else an SMS to that number."""
    account = (
        User.objects.filter(
            pk__in=Worker.objects.filter(
                mobile_digest=demand.mobile_digest, user__isnull=False
            ).values("user_id")
        )
        .only("pk", "email", "is_active")
        .first()
    )
    return notify(
        kind,
        [account] if account is not None else [],
        context={
            "code": demand.code,
            "body": demand.body.name if demand.body else "工会",
            "note": note,
        },
        event_key=f"{kind}:{demand.pk}:{event_id}",
        link=f"{reverse('demands:public-track')}?code={demand.code}",
        target=f"demands.demand:{demand.pk}",
        mobiles=[] if account is not None else [crypto.decrypt(demand.mobile_cipher)],
        organization_id=demand.union_id,
    )


def _handlers(organization_id: int | None) -> "QuerySet[User]":
    if organization_id is None:
        return User.objects.none()
    return User.objects.filter(
        organization_id=organization_id, is_active=True, role__in=sorted(ORGANIZATION_ROLES)
    )


def tell_body_limit(demand: Demand, *, kind: str, limit: str) -> int:
    """A limit of the demand is near (``NEARING``) or past (``BREACHED``): the handlers of the
    responsible body. ``limit`` is "response" or "resolution"; each is told once."""
    due = demand.response_due if limit == "response" else demand.resolution_due
    return notify(
        kind,
        _handlers(demand.body_id),
        context={
            "code": demand.code,
            "category": CATEGORY_LABELS.get(demand.category, ""),
            "body": demand.body.name if demand.body else "责任单位",
            "limit": "首次响应" if limit == "response" else "办结",
            "due": _when(due),
        },
        event_key=f"{kind}:{demand.pk}:{limit}",
        link=reverse("demands:demand-detail", args=[demand.pk]),
        target=f"demands.demand:{demand.pk}",
        urgent=kind == BREACHED and demand.urgency == Urgency.URGENT,
        organizations=[demand.body_id] if demand.body_id else [],
        organization_id=demand.union_id,
    )


def tell_escalated(demand: Demand, *, leaders: list[User]) -> int:
    """督办: the body's leaders (负责人, by SMS too: the kind is urgent, past the quiet hours)
    and the accounts of the supervising union."""
    union = list(_handlers(demand.union_id).only("pk", "email", "is_active"))
    return notify(
        ESCALATED,
        [*leaders, *union],
        context={
            "code": demand.code,
            "category": CATEGORY_LABELS.get(demand.category, ""),
            "body": demand.body.name if demand.body else "责任单位",
            "union": demand.union.name,
        },
        event_key=f"{ESCALATED}:{demand.pk}",
        link=reverse("demands:demand-detail", args=[demand.pk]),
        target=f"demands.demand:{demand.pk}",
        urgent=True,
        organizations=sorted({demand.union_id, *([demand.body_id] if demand.body_id else [])}),
        organization_id=demand.union_id,
    )


def text_tracking_code(demand: Demand, *, sequence: str) -> None:
    """The worker asked, on the receipt page, for their tracking code by SMS: to the mobile
    they gave on the form (nobody else's; no account needed). ``sequence`` makes each allowed
    request its own event (the page's rate limit decides how many there may be)."""
    notify(
        CODE_TEXTED,
        [],
        context={"code": demand.code},
        event_key=f"{CODE_TEXTED}:{demand.pk}:{sequence}",
        link=f"{reverse('demands:public-track')}?code={demand.code}",
        target=f"demands.demand:{demand.pk}",
        mobiles=[crypto.decrypt(demand.mobile_cipher)],
        organization_id=demand.union_id,
    )
