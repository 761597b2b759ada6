"""Demo of democratic management, from the seed's 威海 article and the Gansu rider nomination:
光威集团's workers' congress with its proposals in every state, a service-trade park whose
enterprises collected 86 proposals, a library of outstanding proposals, ten typical cases and
teaching points, the courier industry's wage negotiation (minimum wage +340 yuan) with its
contract, open-affairs items, and a rider nominated as a model worker under public notice.

Idempotent: nothing is loaded twice. Logins (password ``lian-dong-2026``): ``weihai_staff``
(威海市总), ``guangwei_union`` (光威集团工会), delegate 于海涛 by mobile 13906310001.
"""

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from liandong.accounts.models import Role, User
from liandong.core.sample_data import id_number, mobile, person_name
from liandong.democracy import services as s
from liandong.democracy.models import Congress, Nomination, NominationReview, Proposal
from liandong.notifications.services import muted
from liandong.organizations.models import Organization
from liandong.organizations.services import organization_create
from liandong.workers.models import Worker
from liandong.workers.services import worker_register
from liandong.workers.signin import worker_account_ensure

PASSWORD = "lian-dong-2026"  # noqa: S105 - the demo's shared password, printed in the docs
K = Organization.Kind
PARK = [
    ("WEIHAI-FMY-01", "威海华信软件服务有限公司", "华信软件"),
    ("WEIHAI-FMY-02", "威海海云数据科技有限公司", "海云数据"),
    ("WEIHAI-FMY-03", "威海智联人力资源服务有限公司", "智联人力"),
    ("WEIHAI-FMY-04", "威海鲸海文化创意设计有限公司", "鲸海设计"),
]
TOPICS = [
    (
        "增设园区职工午间休息区",
        "welfare",
        "园区企业多为小微企业，职工午间无处休息。",
        "在服务中心设午休区，配躺椅和饮水设施。",
    ),
    (
        "开设青年职工技能提升夜校",
        "training",
        "年轻职工多，晋升通道窄。",
        "联合职业院校开设夜校，费用由企业与工会分担。",
    ),
    (
        "规范加班调休制度",
        "wages",
        "项目上线期间加班多，调休难落实。",
        "建立加班台账，调休在三个月内兑现。",
    ),
    (
        "完善园区班车线路",
        "welfare",
        "部分职工住在环翠区西部，通勤时间长。",
        "增开一条早晚班车线路。",
    ),
    (
        "建立职工心理疏导室",
        "welfare",
        "项目压力大，心理健康问题增多。",
        "设心理疏导室，每月请专业人员坐班。",
    ),
    (
        "公开年度绩效考核办法",
        "management",
        "考核标准不透明，职工有意见。",
        "考核办法经职代会审议后在厂务公开栏公布。",
    ),
    ("加强夜间园区安保照明", "safety", "夜间下班路段照明不足。", "增设路灯和监控，安排夜间巡逻。"),
    (
        "设立困难职工互助基金",
        "welfare",
        "个别职工家庭突发困难。",
        "职工自愿捐助与企业配套相结合设立基金。",
    ),
]
ANSWERS = [
    "已落实，相关设施已投入使用。",
    "已纳入年度计划，分两期实施，第一期已完成。",
    "已与相关部门协调解决，并形成长效制度。",
]


def _user(username: str, name: str, role: str, organization: Organization) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(
            username=username,
            password=PASSWORD,
            display_name=name,
            role=role,
            organization=organization,
        )
    return user


def _workers(
    rng: random.Random, employer: Organization, count: int, occupations: list[str]
) -> list[Worker]:
    return [
        worker_register(
            actor=None,
            name=person_name(rng),
            id_number=id_number(rng, region="371002"),
            mobile=mobile(rng),
            employer=employer,
            occupation=rng.choice(occupations),
            joined_union_on=date(2024, 5, 1) + timedelta(days=rng.randrange(0, 500)),
        )
        for _ in range(count)
    ]


def _congress(
    manager: User,
    enterprise: Organization,
    workers: list[Worker],
    *,
    term: int,
    session: int,
    held_on: date,
    threshold: int,
    frontline_share: float,
) -> tuple[Congress, list[User]]:
    congress = s.congress_create(
        actor=manager,
        enterprise=enterprise,
        term=term,
        session=session,
        title=f"{enterprise.short_name or enterprise.name}第{term}届职工代表大会第{session}次会议",
        held_on=held_on,
        cosign_threshold=threshold,
        frontline_quota=50,
    )
    users = []
    for i, worker in enumerate(workers):
        s.delegate_add(
            actor=manager,
            congress=congress,
            worker=worker,
            constituency=f"第{i % 4 + 1}代表团",
            is_frontline=i < round(len(workers) * frontline_share),
        )
        users.append(worker_account_ensure(worker=worker))
    return congress, users


def _proposal(
    rng: random.Random,
    congress: Congress,
    users: list[User],
    manager: User,
    state: str,
    topic: tuple[str, str, str, str],
    n: int,
) -> Proposal:
    proposer = users[n % len(users)]
    title, category, reasons, measures = topic
    proposal = s.proposal_submit(
        actor=proposer,
        congress=congress,
        title=title if n < len(TOPICS) else f"{title}（{n // len(TOPICS) + 1}）",
        reasons=reasons,
        measures=measures,
        category=category,
    )
    if state == "cosigning":
        return proposal
    others = [u for u in users if u.pk != proposer.pk]
    for user in rng.sample(others, congress.cosign_threshold):
        s.proposal_cosign(actor=user, proposal=proposal)
    proposal.refresh_from_db()
    if state in {"converted", "rejected"}:
        reason = (
            "属于日常管理事项，转交行政部门研究办理。"
            if state == "converted"
            else "不属于本企业职权范围。"
        )
        return s.proposal_decide(
            actor=manager,
            proposal=proposal,
            decision="convert" if state == "converted" else "reject",
            reason=reason,
        )
    department = rng.choice(["人力资源部", "行政部", "安全环保部", "工会办公室"])
    proposal = s.proposal_decide(
        actor=manager,
        proposal=proposal,
        decision="accept",
        department=department,
        deadline=timezone.localdate() + timedelta(days=30),
    )
    if state in {"accepted", "overdue"}:
        if state == "overdue":
            Proposal.objects.filter(pk=proposal.pk).update(
                deadline=timezone.localdate() - timedelta(days=12)
            )
        return proposal
    proposal = s.proposal_answer(actor=manager, proposal=proposal, answer=rng.choice(ANSWERS))
    if state == "answered":
        return proposal
    if state in {
        "unsatisfied",
        "reopened",
    }:  # 不满意 sends it back once; the second answer is final
        s.proposal_rate(actor=proposer, proposal=proposal, rating="unsatisfied")
        if state == "reopened":
            return proposal
        proposal = s.proposal_answer(
            actor=manager,
            proposal=proposal,
            answer="已重新研究，受条件限制暂难全部落实，已作说明。",
        )
    return s.proposal_rate(actor=proposer, proposal=proposal, rating=state)


def load(ctx: dict[str, Any]) -> None:
    # The replay of the past tells nobody (no SMS to the demo's made-up numbers).
    with muted():
        _load(ctx)


def _load(ctx: dict[str, Any]) -> None:
    orgs: dict[str, Organization] = ctx["orgs"]
    ctx["more_logins"].append(
        (
            "民主管理",
            "weihai_staff（威海市总工会）、guangwei_union（光威集团工会）；"
            "职工代表于海涛用手机号 13906310001 登录",
        )
    )
    if Congress.objects.filter(enterprise=orgs["WEIHAI-GW"]).exists():
        return
    rng = random.Random(20261126)  # noqa: S311 - invented demo data, reproducible
    today = timezone.localdate()
    weihai, guangwei = orgs["WEIHAI-ZGH"], orgs["WEIHAI-GW"]
    staff = _user("weihai_staff", "刘海燕", Role.UNION_STAFF, weihai)
    gw_union = _user("guangwei_union", "于洋", Role.ENTERPRISE_UNION, guangwei)

    # 光威集团: a congress whose proposals are in every state.
    yu = worker_register(
        actor=None,
        name="于海涛",
        id_number=id_number(rng, region="371002", gender="M"),
        mobile="13906310001",
        employer=guangwei,
        occupation="碳纤维生产线班长",
        joined_union_on=date(2012, 7, 1),
    )
    yu_user = worker_account_ensure(worker=yu)
    yu_user.set_password(PASSWORD)
    yu_user.save(update_fields=["password"])
    gw_workers = [
        yu,
        *_workers(
            rng,
            guangwei,
            35,
            ["碳纤维生产线操作工", "质检员", "设备维修工", "研发工程师", "班组长"],
        ),
    ]
    congress, users = _congress(
        gw_union,
        guangwei,
        gw_workers[:30],
        term=5,
        session=3,
        held_on=today - timedelta(days=40),
        threshold=3,
        frontline_share=0.6,
    )
    s.congress_open(actor=gw_union, congress=congress)
    for title, votes in [
        ("审议《2026年度工资集体协商协议（草案）》", (28, 26, 1, 1)),
        ("审议《职工福利费使用方案》", (27, 25, 0, 2)),
        ("审议《绩效考核办法（修订）》", (26, 14, 9, 3)),
    ]:
        item = s.agenda_add(actor=gw_union, congress=congress, title=title)
        present, yes, no, abstain = votes
        s.vote_record(
            actor=gw_union,
            item=item,
            present=present,
            votes_for=yes,
            votes_against=no,
            abstentions=abstain,
            resolution=f"大会通过{title[2:]}。",
        )
    states = [
        "satisfied",
        "satisfied",
        "basic",
        "unsatisfied",
        "reopened",
        "answered",
        "accepted",
        "overdue",
        "converted",
        "rejected",
        "cosigning",
    ]
    gw_proposals = [
        _proposal(rng, congress, users, gw_union, state, TOPICS[i % len(TOPICS)], i)
        for i, state in enumerate(states)
    ]
    for proposal in gw_proposals[:2]:
        s.proposal_mark_outstanding(actor=gw_union, proposal=proposal, outstanding=True)
    today_items = [
        (
            "wages",
            "2026年度工资调整方案",
            "一线生产岗位月工资平均增加 320 元，自 2026 年 7 月起执行。",
        ),
        (
            "welfare",
            "职工福利费使用情况（上半年）",
            "上半年福利费支出 86.4 万元，其中节日慰问 32.1 万元。",
        ),
        (
            "safety",
            "碳纤维车间安全生产责任制",
            "各班组长为本班组安全第一责任人，每日班前会讲安全。",
        ),
        (
            "decisions",
            "新建复合材料生产线职工安置方案",
            "涉及岗位调整职工 46 人，全部内部转岗，不减薪。",
        ),
    ]
    for category, title, body in today_items:
        s.disclosure_publish(
            actor=gw_union,
            enterprise=guangwei,
            category=category,
            title=title,
            body=body,
            publish_on=today - timedelta(days=rng.randrange(1, 20)),
            expires_on=today + timedelta(days=60),
        )

    # 威海服务贸易产业园: 86 proposals across the park's enterprises.
    park = organization_create(
        actor=None,
        name="威海服务贸易产业园工会联合会",
        code="WEIHAI-FMY",
        kind=K.UNION_FEDERATION,
        parent=weihai,
        level=Organization.Level.STREET,
        short_name="服贸园工会",
        city="威海",
    )
    park_states = (
        ["satisfied"] * 50
        + ["basic"] * 12
        + ["unsatisfied"] * 3
        + ["answered"] * 6
        + ["accepted"] * 5
        + ["reopened"]
        + ["overdue"] * 2
        + ["converted"] * 4
        + ["rejected"] * 2
        + ["cosigning"] * 1
    )
    rng.shuffle(park_states)
    chunks = [park_states[i :: len(PARK)] for i in range(len(PARK))]
    park_enterprises = []
    for (code, name, short), chunk in zip(PARK, chunks, strict=True):
        enterprise = organization_create(
            actor=None,
            name=name,
            code=code,
            kind=K.ENTERPRISE,
            parent=park,
            short_name=short,
            city="威海",
            industry="服务贸易",
            union_status=Organization.UnionStatus.FOUNDED,
        )
        park_enterprises.append(enterprise)
        workers = _workers(
            rng, enterprise, 14, ["软件工程师", "数据标注员", "客服专员", "设计师", "项目经理"]
        )
        ent_congress, ent_users = _congress(
            staff,
            enterprise,
            workers[:12],
            term=1,
            session=2,
            held_on=today - timedelta(days=rng.randrange(60, 200)),
            threshold=2,
            frontline_share=0.6,
        )
        done = [
            _proposal(rng, ent_congress, ent_users, staff, state, TOPICS[i % len(TOPICS)], i)
            for i, state in enumerate(chunk)
        ]
        for proposal in [p for p in done if p.status == Proposal.Status.CLOSED][:3]:
            s.proposal_mark_outstanding(actor=staff, proposal=proposal, outstanding=True)

    # Collective negotiation: the courier industry's wage agreement (+340 yuan), and 光威's own.
    industry = s.negotiation_create(
        actor=staff,
        organization=weihai,
        industry_wide=True,
        title="威海市快递行业工资专项集体协商",
        union_side="威海市总工会、威海市快递行业工会联合会",
        employer_side="威海市快递行业协会",
        topics="行业最低工资标准、工龄工资、劳模奖励、高温津贴",
        started_on=date(today.year, 3, 6),
    )
    for number, summary in enumerate(
        [
            "职工方提出要约，提交职工问卷 1,200 份的诉求汇总。",
            "双方就最低工资标准增幅和工龄工资起点进行协商。",
            "达成一致：行业最低工资标准提高 340 元，工龄工资、劳模奖励纳入协议。",
        ],
        start=1,
    ):
        s.negotiation_round_add(
            actor=staff,
            negotiation=industry,
            held_on=date(today.year, 3, 6) + timedelta(days=14 * (number - 1)),
            summary=summary,
        )
    for topic, change, unit in [
        ("行业最低工资标准", 340, "元/月"),
        ("工龄工资", 30, "元/年"),
        ("市级以上劳模奖励", 500, "元/月"),
    ]:
        s.negotiation_outcome_add(
            actor=staff, negotiation=industry, topic=topic, change=Decimal(change), unit=unit
        )
    s.contract_sign(
        actor=staff,
        negotiation=industry,
        title="威海市快递行业工资专项集体合同",
        signed_on=date(today.year, 4, 28),
        effective_on=date(today.year, 5, 1),
        expires_on=date(today.year + 2, 4, 30),
        enterprises_covered=23,
        workers_covered=4600,
    )
    own = s.negotiation_create(
        actor=gw_union,
        organization=guangwei,
        title="光威集团2024年度工资集体协商",
        union_side="光威集团工会",
        employer_side="威海光威集团有限责任公司",
        topics="工资增长幅度、技能津贴",
        started_on=today - timedelta(days=720),
    )
    s.negotiation_outcome_add(
        actor=gw_union, negotiation=own, topic="一线职工工资增幅", change=Decimal("5.5"), unit="%"
    )
    s.contract_sign(
        actor=gw_union,
        negotiation=own,
        title="光威集团工资集体协议",
        signed_on=today - timedelta(days=700),
        effective_on=today - timedelta(days=690),
        expires_on=today + timedelta(days=35),
        enterprises_covered=1,
        workers_covered=3200,
    )

    # Case library (十大典型案例) and teaching points.
    cases = [
        (
            "光威集团“五个关口”职代会机制",
            "会前征集、会中审议、会后督办全流程闭环。",
            "职代会、提案督办",
        ),
        (
            "服务贸易产业园“五个一”责任体系",
            "园区小微企业联合建会、联合召开职代会。",
            "区域职代会、小微企业",
        ),
        (
            "快递行业工资集体协商",
            "行业最低工资标准提高 340 元，工龄工资纳入协议。",
            "集体协商、快递、最低工资",
        ),
        (
            "北洋集团国企代会规范化",
            "市国资委与市总联合推动 12 家国企规范代会机制。",
            "国企、职代会",
        ),
        (
            "威高集团厂务公开栏数字化",
            "厂务公开事项线上发布，职工扫码阅读留痕。",
            "厂务公开、数字化",
        ),
        (
            "紫健生物依靠职工办企业",
            "企业家沙龙现身说法，职工代表参与决策。",
            "企业家沙龙、民主决策",
        ),
        ("“金领驿站”服务高知职工", "7 大服务体系回应年轻高知职工诉求。", "诉求渠道、青年职工"),
        (
            "“一主四辅”诉求渠道",
            "提案为主，座谈、信箱、线上、走访为辅，解决诉求超千条。",
            "诉求、提案",
        ),
        ("劳动争议源头化解", "职代会审议规章制度，从源头减少争议。", "枫桥经验、劳动争议"),
        ("民主管理实务读本进班组", "“干什么、谁来干、怎样干”明白纸送到一线。", "培训、宣传"),
    ]
    for title, summary, tags in cases:
        s.case_create(
            actor=staff,
            organization=weihai,
            title=title,
            summary=summary,
            tags=tags,
            teaching="可在教学点现场观摩，适合新建会企业学习。",
        )
    for enterprise, honour in [
        (guangwei, "全国厂务公开民主管理先进单位"),
        (park_enterprises[0], "省级厂务公开民主管理示范单位"),
        (park_enterprises[1], "市级民主管理教学点"),
    ]:
        s.teaching_point_mark(
            actor=staff, enterprise=enterprise, since=date(today.year, 4, 1), honour=honour
        )

    # A confirmed model worker at 光威 (shows on the worker's page) ...
    confirmed = Nomination.objects.create(
        worker=yu,
        nominated_by=guangwei,
        level=Nomination.Level.CITY,
        year=today.year - 1,
        deeds="带领班组攻克 T800 级碳纤维稳定生产难题，提出合理化建议 12 条。",
        status=Nomination.Status.CONFIRMED,
        notice_starts_on=date(today.year - 1, 4, 1),
        notice_ends_on=date(today.year - 1, 4, 8),
        confirmed_on=date(today.year - 1, 4, 20),
    )
    NominationReview.objects.create(
        nomination=confirmed, organization=weihai, approved=True, comment="同意推荐"
    )
    # ... and a Gansu rider under public notice: 兰州快递业工会联合会 nominates, 省经贸工会 reviews.
    rider = Worker.objects.filter(employer__code__startswith="KD-XF").order_by("id").first()
    if rider is not None:
        nomination = Nomination.objects.create(
            worker=rider,
            nominated_by=orgs["LZ-KDGL"],
            level=Nomination.Level.PROVINCE,
            year=today.year,
            deeds="从事即时配送 6 年，累计安全配送 4.2 万单，零差评；参加全国网约配送员技能竞赛获三等奖；"
            "发起“骑手互助队”帮助新骑手 60 余人。",
            status=Nomination.Status.NOTICE,
            notice_starts_on=today - timedelta(days=2),
            notice_ends_on=today + timedelta(days=5),
            reviews_required=1,
        )
        NominationReview.objects.create(
            nomination=nomination,
            organization=orgs["GS-JMGH"],
            approved=True,
            comment="事迹突出，同意推荐，报省总工会",
        )
