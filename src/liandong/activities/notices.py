"""Who hears of an activity's steps, through notifications.notify (in the step's transaction):
each applicant of a lottery its result, a waiting applicant their promotion (their inbox when
they have an account, else an SMS to their roster number with the activity's name and the
public notice's link, nothing personal), and the organizers' staff the opening of the public
notice (公示). Back-entered activities (补录) tell no one."""

from collections.abc import Iterable

from django.urls import reverse

from liandong.accounts.models import ORGANIZATION_ROLES, User
from liandong.activities.models import Activity, Expense
from liandong.core import crypto
from liandong.core.formatting import cn_date
from liandong.notifications.kinds import Kind
from liandong.notifications.models import Channel
from liandong.notifications.services import notify

SELECTED = "activities.selected"
WAITLISTED = "activities.waitlisted"
PROMOTED = "activities.promoted"
NOTICE_OPENED = "activities.notice_opened"
OVERRIDE_REQUESTED = "activities.override_requested"
OVERRIDE_DECIDED = "activities.override_decided"

NOTIFICATION_KINDS = [
    Kind(
        key=SELECTED,
        label="活动抽签：中签",
        title="您已中签：{title}",
        body="您报名的“{title}”已公开抽签，您已中签。活动时间 {when}，地点 {place}。请留意公示和后续安排。",
        sms="【联动】您报名的“{title}”已抽签，您已中签，活动时间 {when}。抽签结果公示见",
        defaults=frozenset({Channel.SMS}),
    ),
    Kind(
        key=WAITLISTED,
        label="活动抽签：候补",
        title="抽签结果：{title}（候补）",
        body="您报名的“{title}”已公开抽签，您未中签，已列入候补名单；有人退出时按抽签顺序依次递补，递补后会再通知您。",
        sms="【联动】您报名的“{title}”已抽签，您暂未中签，已列入候补，递补时将再通知。抽签结果公示见",
        defaults=frozenset({Channel.SMS}),
    ),
    Kind(
        key=PROMOTED,
        label="活动候补递补",
        title="您已递补入选：{title}",
        body="“{title}”有名额空出，您已按候补顺序递补入选。活动时间 {when}，地点 {place}。",
        sms="【联动】“{title}”有名额空出，您已递补入选，活动时间 {when}。详情见",
        defaults=frozenset({Channel.SMS}),
    ),
    Kind(
        key=NOTICE_OPENED,
        label="活动名单公示",
        title="名单公示已发布：{title}",
        body="“{title}”的入选名单已开始公示，公示期至 {ends}。异议受理渠道：{channel}。",
        defaults=frozenset({Channel.EMAIL}),
    ),
    Kind(
        key=OVERRIDE_REQUESTED,
        label="超预算支出待审批",
        title="超预算支出待您审批：{line}",
        body="{requester} 申请从“{line}”支出 {amount} 元，超出科目余额 {remainder} 元。超预算说明：{reason}。须由另一位工会管理员审批后入账。",
        defaults=frozenset({Channel.EMAIL}),
    ),
    Kind(
        key=OVERRIDE_DECIDED,
        label="超预算支出审批结果",
        title="超预算支出{decision}：{line}",
        body="您从“{line}”支出 {amount} 元的超预算申请已由 {approver} {decision}。{note}",
    ),
]


def _context(activity: Activity) -> dict[str, object]:
    return {
        "title": activity.title,
        "when": cn_date(activity.starts_on),
        "place": activity.place or "—",
    }


def tell_workers(
    activity: Activity, kind: str, *, workers: Iterable[tuple[int | None, str]], event: str
) -> int:
    """``workers`` as (account id, mobile cipher) pairs, read by the caller with the rest of
    its rows: the accounts' inboxes, the others an SMS to their number."""
    if activity.back_entered:
        return 0
    accounts: list[int] = []
    mobiles: list[str] = []
    for user_id, cipher in workers:
        if user_id is not None:
            accounts.append(user_id)
        elif cipher:
            mobiles.append(crypto.decrypt(cipher))
    if not accounts and not mobiles:
        return 0
    return notify(
        kind,
        User.objects.filter(pk__in=accounts).only("pk", "email", "is_active") if accounts else [],
        context=_context(activity),
        event_key=f"{kind}:{activity.pk}:{event}",
        link=reverse("activities:public-notice", args=[activity.pk]),
        target=f"activities.activity:{activity.pk}",
        mobiles=mobiles,
        organization_id=activity.organizer_id,
    )


def tell_notice_opened(activity: Activity) -> int:
    """The staff of the organizer and co-organizers (their accounts and group robots)."""
    if activity.back_entered:
        return 0
    bodies = [activity.organizer_id, *activity.co_organizers.values_list("pk", flat=True)]
    return notify(
        NOTICE_OPENED,
        User.objects.filter(
            organization_id__in=bodies, is_active=True, role__in=sorted(ORGANIZATION_ROLES)
        ).only("pk", "email", "is_active"),
        context={
            **_context(activity),
            "ends": cn_date(activity.notice_ends_on) or "—",
            "channel": activity.objection_channel,
        },
        event_key=f"{NOTICE_OPENED}:{activity.pk}",
        link=reverse("activities:activity-detail", args=[activity.pk]),
        target=f"activities.activity:{activity.pk}",
        organizations=bodies,
        organization_id=activity.organizer_id,
    )


def _money(value: object) -> str:
    return f"{value:,.2f}"


def tell_override_requested(expense: Expense, requester: User | None) -> int:
    """The other union admins of the line's union and of the unions above it: one of them
    approves or rejects the override (the requester may not)."""
    from liandong.accounts.models import Role

    line = expense.budget_line
    owner = line.owner
    bodies = [*owner.ancestor_ids, owner.pk]
    admins = User.objects.filter(
        organization_id__in=bodies, is_active=True, role=Role.UNION_ADMIN
    ).only("pk", "email", "is_active")
    if requester is not None and requester.pk:
        admins = admins.exclude(pk=requester.pk)
    return notify(
        OVERRIDE_REQUESTED,
        admins,
        context={
            "line": str(line),
            "amount": _money(expense.amount),
            "remainder": _money(line.remainder),
            "reason": expense.override_reason,
            "requester": getattr(requester, "display_name", "") or str(requester or "系统"),
        },
        event_key=f"{OVERRIDE_REQUESTED}:{expense.pk}",
        link=reverse("activities:expense-detail", args=[expense.pk]),
        target=f"activities.expense:{expense.pk}",
        organization_id=owner.pk,
    )


def tell_override_decided(expense: Expense, approver: User) -> int:
    if expense.created_by_id is None:
        return 0
    approved = expense.status == "recorded"
    return notify(
        OVERRIDE_DECIDED,
        User.objects.filter(pk=expense.created_by_id, is_active=True).only(
            "pk", "email", "is_active"
        ),
        context={
            "line": str(expense.budget_line),
            "amount": _money(expense.amount),
            "approver": getattr(approver, "display_name", "") or str(approver),
            "decision": "已批准" if approved else "已驳回",
            "note": f"审批意见：{expense.decision_note}" if expense.decision_note else "",
        },
        event_key=f"{OVERRIDE_DECIDED}:{expense.pk}",
        link=reverse("activities:expense-detail", args=[expense.pk]),
        target=f"activities.expense:{expense.pk}",
        organization_id=expense.budget_line.owner_id,
    )
