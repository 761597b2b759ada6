"""The demo's demands: routing rules of 甘肃省经贸工会 (courier wage arrears → 省邮政管理局 with
省快递协会, …) and 320 demands from couriers, riders and salon workers in Gansu over the last
four months, taken through their steps at the times they happened: most resolved and rated,
some late, some still open and breached (escalated by the tick), a few returned, transferred,
rejected or merged. Idempotent: each demand carries a fixed idempotency key.

The steps run through the services with the moment they happened as ``now``; the rows the
services stamp with the clock (timeline events, ``updated_at``) are dated to that moment right
after each step. The audit log is append-only and keeps the time its entries were written."""

import random
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from liandong.accounts.models import User
from liandong.demands import config, jobs, notices
from liandong.demands.models import Demand, DemandEvent, RoutingRule, State
from liandong.demands.sample_texts import LABELLED
from liandong.demands.services import (
    demand_accept,
    demand_assign,
    demand_merge,
    demand_rate,
    demand_reject,
    demand_reply,
    demand_resolve,
    demand_return,
    demand_submit,
    demand_transfer,
    routing_rule_create,
)
from liandong.notifications.services import muted
from liandong.organizations.models import Organization

COUNT = 320
# Words that make a text plausible for an industry (a salon worker does not write about parcels).
INDUSTRY_WORDS = {
    "快递": ("快递", "网点", "派", "件", "分拣", "站长", "中转", "驿站"),
    "即时配送": ("外卖", "骑手", "平台", "站点", "单", "配送"),
    "美发美容": ("美发", "美容", "养生", "店", "技师", "洗"),
    "网约车": ("网约车", "司机", "平台", "开车", "驾"),
}


def _text(rng: random.Random, texts: list[str], industry: str) -> str:
    words = INDUSTRY_WORDS.get(industry, ())
    fitting = [t for t in texts if any(w in t for w in words)]
    return rng.choice(fitting or texts)


CITIES = ["兰州"] * 12 + ["天水", "白银", "酒泉", "张掖", "武威", "定西", "庆阳"]
INDUSTRIES = ["快递"] * 6 + ["即时配送"] * 3 + ["美发美容"] * 2 + ["网约车"]
EMPLOYERS = {
    "快递": [
        "中通快递兰州分公司",
        "圆通速递兰州分公司",
        "韵达快递兰州分公司",
        "申通快递兰州分公司",
        "极兔速递甘肃分公司",
        "顺丰速运（兰州）有限公司",
        "中通城关区东岗网点",
        "圆通七里河区西站网点",
    ],
    "即时配送": ["美团外卖兰州站点", "饿了么城关区站点", "兰州迅丰同城配送有限公司"],
    "美发美容": ["兰州名流美发连锁有限公司", "兰州丝域养发馆（城关店）", "天水秀美美容美发店"],
    "网约车": ["滴滴出行兰州", "曹操出行兰州", "T3出行兰州"],
}
REPLIES = {
    "wages": (
        "已联系企业核实派费和工资结算情况。",
        "经省邮政管理局约谈，网点已补发拖欠的派费和工资。",
    ),
    "safety": (
        "已转告企业安全负责人，近日到站点检查。",
        "站点已完成整改：更换老化电瓶，规范充电区域，配发防护用品。",
    ),
    "insurance": (
        "已告知社保缴纳政策，正在与企业沟通。",
        "企业已为您补缴社会保险，可在人社 App 查询缴费记录。",
    ),
    "injury": (
        "已联系企业了解受伤经过，指导您准备工伤认定材料。",
        "已协助提交工伤认定申请，企业先行垫付医疗费用。",
    ),
    "rest": (
        "已向企业工会反映休息休假问题。",
        "企业已调整排班，实行每周轮休一天，节假日加班按规定补休。",
    ),
    "skills": (
        "已登记您的培训需求。",
        "已为您报名快递员职业技能等级培训（11 月班），培训费由工会补贴。",
    ),
    "rights": (
        "已安排工会法律援助律师与您联系。",
        "经协调，企业已与您补签劳动合同；律师已提供仲裁指导。",
    ),
    "hardship": (
        "已登记困难情况，正在核实。",
        "已按困难职工帮扶办法发放帮扶金，并纳入春节送温暖名单。",
    ),
    "other": ("感谢您的建议，已转有关部门研究。", "已答复：相关建议已纳入联席会议议题研究。"),
}


# The demo's routing rules: (body, category, industry, co-handling bodies, priority), all
# supervised by GS-JMGH. Also the rules the routing check (data/routing.jsonl) is scored on.
DEMO_UNION = "GS-JMGH"
DEMO_RULES: list[tuple[str, str, str, tuple[str, ...], int]] = [
    ("GS-YZJ", "wages", "快递", ("GS-KDXH",), 100),
    ("GS-YZJ", "injury", "快递", ("GS-KDXH",), 100),
    ("GS-YZJ", "safety", "快递", (), 100),
    ("GS-KDXH", "rights", "快递", ("LZ-KDGL",), 100),
    ("LZ-KDGL", "", "快递", (), 50),
    ("LZ-KDGL", "", "即时配送", (), 50),
    ("GS-MFGL", "", "美发美容", ("GS-MRXH",), 50),
    ("GS-JMGH", "", "", (), 200),
]


def demo_rules() -> tuple[list[config.Rule], list[str]]:
    """The demo's rules as the router reads them, without a database: body ids are indexes
    into the returned list of organization codes."""
    codes = sorted({code for rule in DEMO_RULES for code in (rule[0], *rule[3])} | {DEMO_UNION})
    rules = [
        config.Rule(
            pk,
            codes.index(DEMO_UNION),
            category,
            industry,
            "",
            codes.index(body),
            tuple(codes.index(code) for code in co_bodies),
            priority,
        )
        for pk, (body, category, industry, co_bodies, priority) in enumerate(DEMO_RULES, start=1)
    ]
    return rules, codes


def _rules(orgs: dict[str, Organization]) -> None:
    if RoutingRule.objects.exists():
        return
    for body, category, industry, co_bodies, priority in DEMO_RULES:
        routing_rule_create(
            actor=None,
            union=orgs[DEMO_UNION],
            body=orgs[body],
            category=category,
            industry=industry,
            co_bodies=[orgs[code] for code in co_bodies],
            priority=priority,
        )


class _Replay:
    """The moment the demo's current step happened, before ``real_now`` (when the load began)."""

    def __init__(self, real_now: datetime) -> None:
        self.real_now = real_now
        self.at = real_now

    def stamp(self, demand: Demand) -> None:
        """Date what the step just wrote to ``demand`` to the step's moment: its timeline events
        and ``updated_at`` carry the clock's time (none before the load began)."""
        DemandEvent.objects.filter(demand_id=demand.pk, created_at__gte=self.real_now).update(
            created_at=self.at
        )
        Demand.objects.filter(pk=demand.pk).update(updated_at=self.at)


def load(ctx: dict[str, Any]) -> None:
    # The replay of months past tells nobody (no SMS to the demo's made-up numbers).
    with muted():
        _load(ctx)


def tell(ctx: dict[str, Any]) -> None:
    """Today's news (core.demo): the demands routed in the last day and not yet taken up, to
    their bodies; the demo worker's answered and resolved demands, to the worker."""
    since = timezone.now() - timedelta(days=1)
    for demand in Demand.objects.filter(
        state=State.DISPATCHED, created_at__gte=since, body__isnull=False
    ).select_related("body"):
        notices.tell_body_routed_at_intake(
            demand, body_name=demand.body.name if demand.body else ""
        )
    wang = ctx.get("wang")
    if wang is None:
        return
    told: dict[str, str] = {
        DemandEvent.Kind.REPLIED: notices.ANSWERED,
        DemandEvent.Kind.RESOLVED: notices.RESOLVED,
    }
    events = DemandEvent.objects.filter(
        demand__mobile_digest=wang.mobile_digest, kind__in=list(told)
    ).select_related("demand", "demand__body")
    for event in events:
        notices.tell_worker(event.demand, kind=told[event.kind], event_id=event.pk, note=event.note)


def _load(ctx: dict[str, Any]) -> None:
    orgs: dict[str, Organization] = ctx["orgs"]
    _rules(orgs)
    if Demand.objects.filter(idempotency_key=f"demo-{COUNT - 1}").exists():
        return
    staff = (
        User.objects.filter(username="gansu_staff").first()
        or User.objects.filter(organization=orgs["GS-JMGH"]).first()
    )
    handlers = {o.pk: User.objects.filter(organization=o).first() for o in orgs.values()}
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    real_now = timezone.now()
    replay = _Replay(real_now)
    texts: dict[str, list[str]] = {}
    for category, text in LABELLED:
        texts.setdefault(category, []).append(text)
    created: list[Demand] = []
    for i in range(COUNT):
        if Demand.objects.filter(idempotency_key=f"demo-{i}").exists():
            continue
        age_hours = rng.uniform(2, 120 * 24) if i < COUNT - 12 else rng.uniform(1, 30)
        replay.at = real_now - timedelta(hours=age_hours)
        replay.at = replay.at.replace(hour=rng.choice([8, 9, 10, 11, 13, 14, 15, 16, 17, 19, 21]))
        if replay.at > real_now:
            replay.at = real_now - timedelta(minutes=30)
        industry = rng.choice(INDUSTRIES)
        category = rng.choice(
            ["wages"] * 5
            + [
                "safety",
                "insurance",
                "insurance",
                "injury",
                "injury",
                "rest",
                "rest",
                "rest",
                "skills",
                "rights",
                "rights",
                "hardship",
                "other",
            ]
        )
        prefix = rng.choice(["139", "138", "159", "137", "186", "189"])
        mobile = "13919310001" if i in (7, 150) else f"{prefix}{rng.randrange(10**8):08d}"
        demand, _ = demand_submit(
            channel=rng.choice(["online"] * 5 + ["hotline", "hotline", "visit"]),
            category=category if rng.random() < 0.7 else "",
            description=_text(rng, texts[category], industry),
            industry=industry,
            city=rng.choice(CITIES),
            mobile=mobile,
            employer_name=rng.choice(EMPLOYERS.get(industry, [""])),
            submitter_name=rng.choice(["", "", "王师傅", "李女士", "马师傅", "张先生", "赵女士"]),
            consent=True,
            urgency="urgent" if rng.random() < 0.08 else "normal",
            idempotency_key=f"demo-{i}",
            actor=staff if rng.random() < 0.25 else None,
            now=replay.at,
        )
        replay.stamp(demand)
        created.append(demand)
        _play(demand, rng, replay, staff, handlers, orgs)
    # Two probable duplicates merged by the union's staff.
    for demand in created[:40]:
        demand.refresh_from_db()
        if demand.possible_duplicate_of_id and demand.state in (State.DISPATCHED, State.ACCEPTED):
            replay.at = min(real_now, demand.created_at + timedelta(hours=3))
            demand_merge(actor=staff, demand=demand, into=demand.possible_duplicate_of)
            replay.stamp(demand)
    for _name, job in jobs.TICK_JOBS:
        job(False)


def _play(
    demand: Demand,
    rng: random.Random,
    replay: _Replay,
    staff: User | None,
    handlers: dict[int, User | None],
    orgs: dict[str, Organization],
) -> None:
    """Take a demand through the steps its age allows."""
    start = demand.created_at

    def at(hours: float) -> bool:
        moment = start + timedelta(hours=hours)
        if moment >= replay.real_now:
            return False
        replay.at = moment
        return True

    roll = rng.random()
    if demand.body_id is None or roll < 0.04:
        if at(rng.uniform(2, 20)):
            demand_reject(
                actor=staff,
                demand=demand,
                reason="该诉求属于个人消费纠纷，不属于职工诉求受理范围，建议拨打 12315。",
            )
            replay.stamp(demand)
        return
    if roll < 0.08 and at(rng.uniform(3, 18)):
        handler = handlers.get(demand.body_id)
        demand = demand_return(
            actor=handler, demand=demand, reason="经核实，该网点不属于本单位管理范围。"
        )
        replay.stamp(demand)
        if at(rng.uniform(20, 30)):
            demand = demand_assign(
                actor=staff, demand=demand, body=orgs["KD-ZTO"], note="由企业工会直接办理"
            )
            replay.stamp(demand)
    if (
        roll > 0.96
        and demand.state == State.DISPATCHED
        and demand.body_id != orgs["GS-KDXH"].pk
        and at(rng.uniform(2, 10))
    ):
        demand = demand_transfer(
            actor=_handler(handlers, demand),
            demand=demand,
            body=orgs["GS-KDXH"],
            reason="涉及多家加盟网点，请行业协会协调。",
        )
        replay.stamp(demand)
    handler = _handler(handlers, demand)
    # Most first responses come within the day; one in eight is late, some never come.
    response_hours = rng.uniform(1, 20) if rng.random() > 0.12 else rng.uniform(30, 90)
    if rng.random() < 0.05 or not at(max(response_hours, 0.5)):
        return
    demand = demand_accept(
        actor=handler, demand=demand, note=REPLIES[demand.category][0], now=replay.at
    )
    replay.stamp(demand)
    if rng.random() < 0.4 and at(response_hours + rng.uniform(4, 30)):
        demand = demand_reply(actor=handler, demand=demand, note="正在协调企业，请您耐心等待。")
        replay.stamp(demand)
    resolve_hours = response_hours + (
        rng.uniform(20, 110) if rng.random() > 0.15 else rng.uniform(150, 300)
    )
    if rng.random() < 0.08 or not at(resolve_hours):
        return
    demand = demand_resolve(
        actor=handler, demand=demand, note=REPLIES[demand.category][1], now=replay.at
    )
    replay.stamp(demand)
    if rng.random() < 0.8 and at(resolve_hours + rng.uniform(2, 48)):
        rating = rng.choices(["satisfied", "basically", "unsatisfied"], weights=[78, 15, 7])[0]
        comment = {
            "satisfied": "感谢工会，办得很快！",
            "basically": "问题基本解决，希望以后不再发生。",
            "unsatisfied": "只解决了一部分，还有一个月的钱没给。",
        }[rating]
        demand = demand_rate(
            demand=demand,
            rating=rating,
            comment=comment if rng.random() < 0.6 else "",
            now=replay.at,
        )
        replay.stamp(demand)
        if demand.state == State.IN_PROGRESS and at(resolve_hours + rng.uniform(60, 120)):
            demand = demand_resolve(
                actor=handler,
                demand=demand,
                note="已督促企业补发剩余款项，已全部到账。",
                now=replay.at,
            )
            replay.stamp(demand)
            if at(resolve_hours + rng.uniform(130, 160)):
                demand_rate(demand=demand, rating="basically", now=replay.at)
                replay.stamp(demand)


def _handler(handlers: dict[int, User | None], demand: Demand) -> User | None:
    """An account of the demand's responsible body (none when no body holds it)."""
    return handlers.get(demand.body_id) if demand.body_id is not None else None
