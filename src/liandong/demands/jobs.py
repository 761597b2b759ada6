"""``liandong tick`` jobs of demands: reminders before a limit, breaches, escalation to the
body's leader and the union, and the joint meeting's agenda. Each job changes a demand only
through a conditional UPDATE on the flag it sets, so a second run (or a concurrent one)
finds nothing left to do and sends nothing twice."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from liandong.accounts.services import leaders_of
from liandong.core.audit import audit_log
from liandong.demands import learning, notices, throttle
from liandong.demands.models import OPEN_STATES, Demand, DemandEvent, State
from liandong.demands.services import _before, _event, _rollup_move, limits_for
from liandong.demands.workdays import Calendar

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# Remind on the morning of the last day: limits end at 24:00 local time.
REMIND_BEFORE = timedelta(hours=16)
UNRESPONDED = [State.ACCEPTED, State.DISPATCHED, State.RETURNED]
BATCH = 500


def _each(
    queryset: QuerySet[Demand],
    flag_filter: Q,
    update: dict[str, Any],
    apply: Callable[[Demand], None],
    dry_run: bool,
) -> int:
    done = 0
    for pk in list(queryset.values_list("pk", flat=True)[: BATCH * 20]):
        if dry_run:
            done += 1
            continue
        with transaction.atomic():
            # The conditional UPDATE claims the demand: a concurrent tick gets 0 rows here.
            if not Demand.objects.filter(flag_filter, pk=pk).update(**update):
                continue
            apply(Demand.objects.select_related("body", "union").get(pk=pk))
            done += 1
    return done


def demands_remind(*, now: datetime | None = None, dry_run: bool = False) -> int:
    now = now or timezone.now()
    soon = now + REMIND_BEFORE

    def remind(what: str) -> Callable[[Demand], None]:
        def apply(demand: Demand) -> None:
            due = demand.response_due if what == "response" else demand.resolution_due
            label = "首次响应" if what == "response" else "办结"
            _event(
                demand,
                DemandEvent.Kind.REMINDED,
                public=False,
                note=f"{label}时限 {timezone.localtime(due):%Y年%-m月%-d日 %H:%M} 将到，请抓紧办理",
            )
            audit_log(actor=None, action="demands.reminded", target=demand, changes={"limit": what})
            notices.tell_body_limit(demand, kind=notices.NEARING, limit=what)

        return apply

    response = Q(
        state__in=UNRESPONDED,
        responded_at__isnull=True,
        response_reminded=False,
        response_breached=False,
        response_due__gt=now,
        response_due__lte=soon,
    )
    resolution = Q(
        state=State.IN_PROGRESS,
        resolution_reminded=False,
        resolution_breached=False,
        resolution_due__gt=now,
        resolution_due__lte=soon,
    )
    return _each(
        Demand.objects.filter(response),
        response,
        {"response_reminded": True},
        remind("response"),
        dry_run,
    ) + _each(
        Demand.objects.filter(resolution),
        resolution,
        {"resolution_reminded": True},
        remind("resolution"),
        dry_run,
    )


def demands_mark_breaches(*, now: datetime | None = None, dry_run: bool = False) -> int:
    now = now or timezone.now()

    def breached(what: str) -> Callable[[Demand], None]:
        def apply(demand: Demand) -> None:
            # The UPDATE above set the flag; the rollup's "before" must be the state without it.
            if what == "response":
                demand.response_breached = False
            else:
                demand.resolution_breached = False
            demand.is_breached = demand.response_breached or demand.resolution_breached
            before = _before(demand)
            setattr(demand, f"{what}_breached", True)
            demand.is_breached = True
            Demand.objects.filter(pk=demand.pk).update(is_breached=True)
            _rollup_move(before, demand)
            label = "首次响应" if what == "response" else "办结"
            _event(demand, DemandEvent.Kind.BREACHED, public=False, note=f"已超过{label}时限")
            audit_log(actor=None, action="demands.breached", target=demand, changes={"limit": what})
            notices.tell_body_limit(demand, kind=notices.BREACHED, limit=what)

        return apply

    response = Q(
        state__in=UNRESPONDED,
        responded_at__isnull=True,
        response_breached=False,
        response_due__lte=now,
    )
    resolution = Q(state=State.IN_PROGRESS, resolution_breached=False, resolution_due__lte=now)
    return _each(
        Demand.objects.filter(response),
        response,
        {"response_breached": True},
        breached("response"),
        dry_run,
    ) + _each(
        Demand.objects.filter(resolution),
        resolution,
        {"resolution_breached": True},
        breached("resolution"),
        dry_run,
    )


def demands_escalate(*, now: datetime | None = None, dry_run: bool = False) -> int:
    """A breached, unresolved demand is escalated (督办) once: to the leader of the responsible
    body and to the supervising union; the worker sees that it was escalated."""
    now = now or timezone.now()

    def apply(demand: Demand) -> None:
        body = demand.body.name if demand.body else "责任单位"
        _event(
            demand,
            DemandEvent.Kind.ESCALATED,
            body=demand.union,
            note=f"诉求已超时，已督办至{body}负责人及{demand.union.name}",
        )
        # The body's leaders (accounts marked 负责人) and the union's accounts (notices.py).
        leaders = leaders_of(demand.body)
        notices.tell_escalated(demand, leaders=leaders)
        audit_log(
            actor=None,
            action="demands.escalated",
            target=demand,
            changes={"body": demand.body_id, "leaders": [leader.pk for leader in leaders]},
        )

    open_breached = Q(state__in=OPEN_STATES, is_breached=True, escalated_at__isnull=True)
    return _each(
        Demand.objects.filter(open_breached), open_breached, {"escalated_at": now}, apply, dry_run
    )


class AgendaCounts(TypedDict):
    co_count: int  # co-handling bodies
    transfers: int  # transfer events


def agenda_due(
    demand: "WithAnnotations[Demand, AgendaCounts]", calendar: Calendar, now: datetime
) -> bool:
    """Unresolved past the second limit (``escalation_days`` working days after the resolution
    limit), or escalated while it needs several bodies (co-handling bodies or transferred)."""
    _, _, escalation_days = limits_for(category=demand.category, urgency=demand.urgency)
    second = calendar.add_working_days(
        demand.resolution_due - timedelta(seconds=1), escalation_days
    ).at
    if now >= second:
        return True
    return demand.escalated_at is not None and (demand.co_count > 0 or demand.transfers > 0)


def demands_to_agenda(*, now: datetime | None = None, dry_run: bool = False) -> int:
    now = now or timezone.now()
    calendar = Calendar()
    candidates = Demand.objects.filter(
        state__in=OPEN_STATES, agenda_at__isnull=True, escalated_at__isnull=False
    ).annotate(
        co_count=Count("co_bodies", distinct=True),
        transfers=Count(
            "events", filter=Q(events__kind=DemandEvent.Kind.TRANSFERRED), distinct=True
        ),
    )
    due = [demand.pk for demand in candidates[: BATCH * 20] if agenda_due(demand, calendar, now)]

    def apply(demand: Demand) -> None:
        _event(
            demand,
            DemandEvent.Kind.AGENDA,
            body=demand.union,
            note="诉求长期未解决或需多部门协同，已提交联席会议研究",
        )
        audit_log(actor=None, action="demands.agenda", target=demand, changes={})

    flag = Q(agenda_at__isnull=True)
    return _each(Demand.objects.filter(pk__in=due), flag, {"agenda_at": now}, apply, dry_run)


def _job(fn: Callable[..., int], label: str) -> Callable[[bool], str]:
    def run(dry_run: bool) -> str:
        return f"{label}: {fn(dry_run=dry_run)}"

    return run


TICK_JOBS = [
    ("demands.remind", _job(demands_remind, "时限提醒")),
    ("demands.breaches", _job(demands_mark_breaches, "标记超时")),
    ("demands.escalate", _job(demands_escalate, "超时督办")),
    ("demands.agenda", _job(demands_to_agenda, "提交联席会议")),
    ("demands.classifier", learning.retrain_if_due),
    (
        "demands.throttle",
        lambda dry_run: f"过期限流计数: {0 if dry_run else throttle.purge_expired()}",
    ),
]
