"""Who hears of a demand's steps, through notifications.notify (in the step's transaction):
the responsible body's accounts when it is routed to them; the worker when it is answered or
resolved (their inbox when they have an account, else an SMS to the number they gave, with
the tracking code and link, never the demand's text)."""

from django.urls import reverse

from liandong.accounts.models import ORGANIZATION_ROLES, User
from liandong.core import crypto
from liandong.demands.models import CATEGORY_LABELS, Demand, Urgency
from liandong.notifications.kinds import Kind
from liandong.notifications.models import Channel
from liandong.notifications.services import notify, notify_later
from liandong.workers.models import Worker

ROUTED = "demands.routed"
ANSWERED = "demands.answered"
RESOLVED = "demands.resolved"

NOTIFICATION_KINDS = [
    Kind(
        key=ROUTED,
        label="诉求派至本单位",
        title="新诉求待办理：{code}（{category}）",
        body="{category}诉求 {code} 已派至{body}，请于 {response_due} 前首次答复职工。{note}",
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
