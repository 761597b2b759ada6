"""The seed's contests: 长春's first fire-inspection contest in progress (about 200 entrants,
68 finalists, 理论知识 → 案例分析 / VR实操), 云南's 中老口语 contest with published results
(30 finalists, 苏鹏程 first prize), Gansu's 劳动关系协调员 contest where the 省经贸工会 team
won 团体二等奖, and the riders selected for the national delivery-rider contest. Built
through the services, like users would; loading twice changes nothing."""

import random
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from liandong.accounts.models import Role, User
from liandong.competitions import services
from liandong.competitions.models import Contest, ContestStatus, Entrant, Round, Segment
from liandong.competitions.services import ScoreInput
from liandong.core.sample_data import id_number, mobile, person_name
from liandong.notifications.services import muted
from liandong.organizations.models import Organization
from liandong.organizations.services import organization_create
from liandong.workers.models import Worker
from liandong.workers.services import worker_register

K = Organization.Kind
CHANGCHUN = "长春市第一届建设工程消防审验技能竞赛"
YUNNAN = "云南省第二十二届职工职业技能大赛中老口语技能竞赛"
GANSU_TEAM = "2026年甘肃省劳动关系协调员职业技能大赛"
NATIONAL = "第二届全国网约配送员职业技能竞赛"
GANSU_RIDERS = "2026年甘肃省网约配送员技能竞赛（全国赛选拔赛）"
DEMO_PASSWORD = "lian-dong-2026"  # noqa: S105 - the demo's one password, printed by `liandong demo`


def _judge(username: str, name: str, organization: Organization | None = None) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            display_name=name,
            role=Role.JUDGE,
            organization=organization,
        )
    return user


def _org(
    orgs: dict[str, Organization], code: str, name: str, kind: str, parent: str, **fields: Any
) -> Organization:
    if code not in orgs:
        orgs[code] = Organization.objects.filter(code=code).first() or organization_create(
            actor=None, code=code, name=name, kind=kind, parent=orgs[parent], **fields
        )
    return orgs[code]


def _worker(
    rng: random.Random, employer: Organization, occupation: str, region: str, name: str = ""
) -> Worker:
    for _ in range(20):
        try:
            return worker_register(
                actor=None,
                name=name or person_name(rng),
                id_number=id_number(rng, region=region),
                mobile=mobile(rng),
                employer=employer,
                occupation=occupation,
            )
        except ValidationError:  # an invented number already taken: draw another
            continue
    raise RuntimeError("could not invent a unique worker")


def _score(rng: random.Random, mean: float, spread: float, step: float = 0.5) -> Decimal:
    value = max(30.0, min(99.5, rng.gauss(mean, spread)))
    return Decimal(str(round(round(value / step) * step, 2))).quantize(Decimal("0.01"))


def _score_segment(
    segment: Segment,
    judges: list[User],
    ability: dict[int, float],
    rng: random.Random,
    spread: float = 3.0,
    step: float = 0.5,
) -> None:
    """Each judge submits a sheet for every entrant of the round: the entrant's ability plus
    the judge's own noise."""
    entries = list(segment.round.entries.select_related("entrant").order_by("order_no"))
    for judge in judges:
        bias = rng.uniform(-1.5, 1.5)
        services.sheets_save(
            actor=judge,
            segment=segment,
            submit=True,
            scores=[
                ScoreInput(e.order_no, _score(rng, ability[e.entrant_id] + bias, spread, step))
                for e in entries
                if e.order_no is not None  # every entry of a drawn round has its order
            ],
        )


def _register(
    contest: Contest, workers: list[Worker], body: Organization, group: str = ""
) -> list[Entrant]:
    entrants = [
        services.entrant_register(
            actor=None, contest=contest, worker=w, registered_by=body, group=group
        )
        for w in workers
    ]
    for entrant in entrants:
        services.entrant_review(actor=None, entrant=entrant, approve=True)
    return entrants


# Staff logins of the two unions whose contests the seed reports (the accounts demo covers Gansu).
STAFF = [("changchun_staff", "王丽华", "CC-ZGH"), ("yunnan_staff", "马丽娜", "YN-ZGH")]


def load(ctx: dict[str, Any]) -> None:
    # The replay of the past tells nobody (no SMS to the demo's made-up numbers).
    with muted():
        _load(ctx)


def _load(ctx: dict[str, Any]) -> None:
    orgs: dict[str, Organization] = ctx["orgs"]
    ctx["more_logins"].append(
        (
            "技能竞赛",
            "changchun_staff（长春市总工会）、yunnan_staff（云南省总工会）；"
            "评委 judge（长春竞赛裁判长）、cc_judge_1…4、yn_judge_1…7",
        )
    )
    for username, name, code in STAFF:
        if not User.objects.filter(username=username).exists():
            User.objects.create_user(
                username=username,
                password=DEMO_PASSWORD,
                display_name=name,
                role=Role.UNION_STAFF,
                organization=orgs[code],
            )
    if Contest.objects.filter(name=CHANGCHUN).exists():
        return
    rng = random.Random(20261128)  # noqa: S311 - invented demo scores, reproducible
    _changchun(orgs, rng)
    _yunnan(orgs, rng)
    _gansu_team(orgs, rng)
    _riders(orgs, rng)


def _changchun(orgs: dict[str, Organization], rng: random.Random) -> None:
    bodies = [
        ("CC-SJZX", "长春市建设工程施工图审查中心", "施工图审查员", 46),
        ("CC-JYSJ", "吉林省建苑设计集团有限公司", "消防设计审查员", 38),
        ("CC-ZJJC", "长春市中建工程检测有限公司", "消防检测工程师", 34),
        ("CC-JKJS", "吉林建科技术服务有限公司", "消防验收技术员", 30),
        ("CC-CYZX", "长春市城乡建设技术服务中心", "消防审验员", 28),
        ("CC-HXJC", "吉林华信消防检测有限公司", "消防检测员", 24),
    ]
    workers: dict[str, list[Worker]] = {}
    for code, name, occupation, count in bodies:
        employer = _org(
            orgs,
            code,
            name,
            K.ENTERPRISE,
            "CC-ZGH",
            industry="建设工程",
            city="长春",
            union_status=Organization.UnionStatus.FOUNDED,
        )
        workers[code] = [_worker(rng, employer, occupation, "220102") for _ in range(count)]
    chief = _judge("judge", "吴志刚")
    judges = [chief] + [
        _judge(f"cc_judge_{i}", n, None)
        for i, n in enumerate(["孙宏伟", "高建平", "刘春雨", "韩立新"], start=1)
    ]
    contest = services.contest_create(
        actor=None,
        organization=orgs["CC-ZGH"],
        name=CHANGCHUN,
        level="city",
        profession="建设工程消防审验",
        hosts="长春市城乡建设委员会、长春市总工会、长春市人社局",
        undertakers="吉林建筑科技学院",
        venue="吉林建筑科技学院",
        starts_on=date(2026, 11, 20),
        status=ContestStatus.REGISTRATION,
        occupation_keywords="审查 审验 检测 验收 消防",
        min_age=18,
        max_age=60,
        chief_judge=chief,
        drop_extremes_from=5,
    )
    preliminary = services.round_create(
        actor=None, contest=contest, name="初赛", advance_value=Decimal(68)
    )
    final = services.round_create(actor=None, contest=contest, name="决赛")
    theory = services.segment_create(
        actor=None, round=preliminary, name="理论知识", weight=Decimal(100), full_marks=Decimal(100)
    )
    case = services.segment_create(
        actor=None,
        round=final,
        name="案例分析",
        weight=Decimal(40),
        full_marks=Decimal(100),
        tie_break=2,
    )
    vr = services.segment_create(
        actor=None,
        round=final,
        name="VR实操",
        weight=Decimal(60),
        full_marks=Decimal(100),
        tie_break=1,
    )
    services.judge_assign(actor=None, segment=theory, judge=judges[1])
    for segment in (case, vr):
        for judge in judges:
            services.judge_assign(actor=None, segment=segment, judge=judge)
    for name, count in [("一等奖", 3), ("二等奖", 10), ("三等奖", 20)]:
        services.prize_tier_create(actor=None, contest=contest, name=name, count=count)
    services.prize_tier_create(actor=None, contest=contest, name="优秀奖")
    ability = {}
    for code, *_ in bodies:
        for entrant in _register(contest, workers[code], orgs[code]):
            ability[entrant.pk] = rng.gauss(74, 9)
    services.contest_update(actor=None, contest=contest, status=ContestStatus.IN_PROGRESS)
    services.round_draw_order(actor=None, round=preliminary, seed="cc2026-prelim")
    # The theory exam is marked by machine (converted to 100 points): one sheet per entrant,
    # uploaded as xlsx in real life.
    _score_segment(theory, [judges[1]], ability, rng, spread=4.0, step=0.01)
    services.round_advance(actor=None, round=preliminary)
    services.round_draw_order(actor=None, round=Round.objects.get(pk=final.pk), seed="cc2026-final")
    _score_segment(case, judges, ability, rng)
    # VR实操 is under way: four judges have submitted, 吴志刚 (the demo login) has not yet.
    _score_segment(vr, judges[1:], ability, rng)


def _yunnan(orgs: dict[str, Organization], rng: random.Random) -> None:
    jt = orgs["YN-JT"]
    units = [
        ("YN-JT-GJB", "云南建投集团国际部", 4),
        ("YN-JT-YJ", "云南建投第一建设有限公司", 5),
        ("YN-JT-EJ", "云南建投第二建设有限公司", 4),
        ("YN-JT-LQ", "云南建投路桥建设有限公司", 5),
        ("YN-JT-HW", "云南建投海外工程有限公司", 6),
        ("YN-JT-ZX", "云南建投中老铁路项目部", 6),
    ]
    workers: list[tuple[Organization, Worker]] = []
    for code, name, count in units:
        unit = _org(orgs, code, name, K.OUTLET, "YN-JT", industry="建筑", city="昆明")
        for i in range(count):
            special = code == "YN-JT-GJB" and i == 0
            workers.append(
                (
                    unit,
                    _worker(
                        rng,
                        unit,
                        "老挝语翻译"
                        if special
                        else rng.choice(["老挝语翻译", "项目商务专员", "涉外项目管理员", "技术员"]),
                        "530102",
                        name="苏鹏程" if special else "",
                    ),
                )
            )
    judges = [
        _judge(f"yn_judge_{i}", n)
        for i, n in enumerate(
            ["李晓梅", "杨正华", "段玉琴", "马丽娜", "普建国", "刀美兰", "沙文涛"], start=1
        )
    ]
    contest = services.contest_create(
        actor=None,
        organization=orgs["YN-ZGH"],
        name=YUNNAN,
        level="province",
        profession="老挝语口语",
        hosts="云南省总工会、省人社厅、省科技厅、省工信厅、省国资委",
        undertakers="云南建投集团工会",
        co_organizers="老挝万象市工会联合会",
        venue="云南民族大学",
        starts_on=date(2026, 11, 28),
        status=ContestStatus.REGISTRATION,
        chief_judge=judges[0],
        drop_extremes_from=5,
    )
    # 中老口语巡回赛: the 万象站 (held 11月4日~6日 in Vientiane) and then the 云南站 (11月28日 at
    # 云南民族大学), linked rounds of one contest; every contestant goes on to the 云南站.
    vientiane = services.round_create(
        actor=None,
        contest=contest,
        name="第一站",
        station="万象站",
        venue="老挝万象市",
        starts_on=date(2026, 11, 4),
        ends_on=date(2026, 11, 6),
        advance_value=Decimal(len(workers)),
    )
    final = services.round_create(
        actor=None,
        contest=contest,
        name="决赛",
        station="云南站",
        venue="云南民族大学",
        starts_on=date(2026, 11, 28),
    )
    oral = services.segment_create(
        actor=None, round=vientiane, name="口语测试", weight=Decimal(100), full_marks=Decimal(100)
    )
    style = services.segment_create(
        actor=None,
        round=final,
        name="个人风采展示",
        weight=Decimal(40),
        full_marks=Decimal(100),
        tie_break=2,
    )
    talk = services.segment_create(
        actor=None,
        round=final,
        name="五通建设主题讲解",
        weight=Decimal(60),
        full_marks=Decimal(100),
        tie_break=1,
    )
    for segment in (style, talk):
        for judge in judges:
            services.judge_assign(actor=None, segment=segment, judge=judge)
    for judge in judges[:3]:
        services.judge_assign(actor=None, segment=oral, judge=judge)
    for name, count in [("一等奖", 1), ("二等奖", 3), ("三等奖", 6)]:
        services.prize_tier_create(actor=None, contest=contest, name=name, count=count)
    services.prize_tier_create(actor=None, contest=contest, name="优秀奖")
    ability = {}
    for _unit, worker in workers:
        [entrant] = _register(contest, [worker], jt)
        ability[entrant.pk] = 96.0 if worker.name == "苏鹏程" else min(91.0, rng.gauss(84, 4))
    services.contest_update(actor=None, contest=contest, status=ContestStatus.IN_PROGRESS)
    services.round_draw_order(actor=None, round=vientiane, seed="yn-vientiane")
    # Its own random stream: the 云南站's scores stay those the demo had before the 万象站.
    vientiane_rng = random.Random(20261104)  # noqa: S311 - invented demo scores, reproducible
    _score_segment(oral, judges[:3], ability, vientiane_rng, spread=2.0)
    services.round_advance(actor=None, round=vientiane)
    final = Round.objects.get(pk=final.pk)
    services.round_draw_order(actor=None, round=final, seed="yn-vientiane-kunming")
    _score_segment(style, judges, ability, rng, spread=1.5)
    _score_segment(talk, judges, ability, rng, spread=1.5)
    services.contest_award_prizes(actor=None, contest=contest)
    services.contest_publish(actor=None, contest=contest)


def _gansu_team(orgs: dict[str, Organization], rng: random.Random) -> None:
    """Teams of three from five bodies; the 省经贸工会 team comes second (团体二等奖)."""
    teams = [
        ("GS-JMGH", "LOG-01", "省经贸工会代表队", 79.5),
        ("GS-ZGH", "GS-ZGH-LZ", "兰州市总工会代表队", 82.0),
        ("GS-ZGH", "GS-ZGH-TS", "天水市总工会代表队", 74.0),
        ("GS-ZGH", "GS-ZGH-JQ", "酒泉市总工会代表队", 72.5),
        ("GS-ZGH", "GS-ZGH-BY", "白银市总工会代表队", 71.0),
    ]
    employers = {
        "GS-ZGH-LZ": "兰州兰石集团有限公司",
        "GS-ZGH-TS": "天水长城开关厂集团有限公司",
        "GS-ZGH-JQ": "酒泉钢铁（集团）有限责任公司",
        "GS-ZGH-BY": "白银有色集团股份有限公司",
    }
    judges = [
        _judge(f"gs_judge_{i}", n)
        for i, n in enumerate(["张永福", "陈淑芳", "王立军", "魏红霞", "安志强"], start=1)
    ]
    contest = services.contest_create(
        actor=None,
        organization=orgs["GS-ZGH"],
        name=GANSU_TEAM,
        level="province",
        profession="劳动关系协调员",
        hosts="甘肃省总工会、甘肃省人力资源和社会保障厅",
        undertakers="甘肃省职工教育培训中心",
        starts_on=date(2026, 9, 16),
        status=ContestStatus.REGISTRATION,
        chief_judge=judges[0],
        team_size=3,
        team_rule="sum",
    )
    final = services.round_create(actor=None, contest=contest, name="决赛")
    theory = services.segment_create(
        actor=None,
        round=final,
        name="理论知识",
        weight=Decimal(30),
        full_marks=Decimal(100),
        tie_break=2,
    )
    practice = services.segment_create(
        actor=None,
        round=final,
        name="实务操作",
        weight=Decimal(70),
        full_marks=Decimal(100),
        tie_break=1,
    )
    services.judge_assign(actor=None, segment=theory, judge=judges[0])
    for judge in judges:
        services.judge_assign(actor=None, segment=practice, judge=judge)
    for name, count in [("一等奖", 2), ("二等奖", 4), ("三等奖", 6)]:
        services.prize_tier_create(actor=None, contest=contest, name=name, count=count)
    for name, count in [("团体一等奖", 1), ("团体二等奖", 1), ("团体三等奖", 2)]:
        services.prize_tier_create(
            actor=None, contest=contest, name=name, count=count, for_teams=True
        )
    ability = {}
    for body_code, employer_code, team_name, level in teams:
        if employer_code not in orgs:
            _org(
                orgs,
                employer_code,
                employers[employer_code],
                K.ENTERPRISE,
                "GS-ZGH",
                city=team_name[:2],
            )
        members = [_worker(rng, orgs[employer_code], "劳动关系协调员", "620102") for _ in range(3)]
        services.team_register(
            actor=None,
            contest=contest,
            name=team_name,
            registered_by=orgs[body_code],
            workers=members,
        )
        for entrant in Entrant.objects.filter(contest=contest, team__name=team_name):
            services.entrant_review(actor=None, entrant=entrant, approve=True)
            ability[entrant.pk] = rng.gauss(level, 1.0)
    services.contest_update(actor=None, contest=contest, status=ContestStatus.IN_PROGRESS)
    services.round_draw_order(actor=None, round=final, seed="gs-ldgx-2026")
    _score_segment(theory, [judges[0]], ability, rng, spread=2.0)
    _score_segment(practice, judges, ability, rng, spread=1.0)
    services.contest_award_prizes(actor=None, contest=contest)
    services.contest_publish(actor=None, contest=contest)


def _riders(orgs: dict[str, Organization], rng: random.Random) -> None:
    """Gansu's selection contest for riders, published; its two best riders are nominated to
    the national contest, which is open for registration."""
    national = services.contest_create(
        actor=None,
        organization=orgs["ACFTU"],
        name=NATIONAL,
        level="national",
        profession="网约配送员",
        hosts="中华全国总工会、人力资源社会保障部",
        undertakers="中国就业培训技术指导中心",
        starts_on=date(2026, 12, 18),
        status=ContestStatus.REGISTRATION,
        occupation_keywords="骑手 配送",
    )
    services.round_create(actor=None, contest=national, name="决赛")
    riders = list(
        Worker.objects.filter(occupation__in=["外卖骑手", "网约配送员"]).order_by("id")[:10]
    )
    if len(riders) < 4:
        return
    judges = [
        _judge(f"gs_rider_judge_{i}", n) for i, n in enumerate(["马俊", "赵宏", "李芳"], start=1)
    ]
    contest = services.contest_create(
        actor=None,
        organization=orgs["GS-JMGH"],
        name=GANSU_RIDERS,
        level="province",
        profession="网约配送员",
        hosts="甘肃省经贸工会、甘肃省邮政管理局、甘肃省快递协会",
        undertakers="兰州快递业工会联合会",
        starts_on=date(2026, 10, 22),
        status=ContestStatus.REGISTRATION,
        occupation_keywords="骑手 配送",
        chief_judge=judges[0],
        nominated_to=national,
    )
    final = services.round_create(actor=None, contest=contest, name="决赛")
    theory = services.segment_create(
        actor=None, round=final, name="理论知识", weight=Decimal(30), full_marks=Decimal(100)
    )
    road = services.segment_create(
        actor=None,
        round=final,
        name="安全骑行与配送实操",
        weight=Decimal(70),
        full_marks=Decimal(100),
        tie_break=1,
    )
    for segment in (theory, road):
        for judge in judges:
            services.judge_assign(actor=None, segment=segment, judge=judge)
    for name, count in [("一等奖", 1), ("二等奖", 2), ("三等奖", 3)]:
        services.prize_tier_create(actor=None, contest=contest, name=name, count=count)
    ability = {e.pk: rng.gauss(80, 6) for e in _register(contest, riders, orgs["LZ-KDGL"])}
    services.contest_update(actor=None, contest=contest, status=ContestStatus.IN_PROGRESS)
    services.round_draw_order(actor=None, round=final, seed="gs-rider-2026")
    _score_segment(theory, judges, ability, rng)
    _score_segment(road, judges, ability, rng)
    services.contest_award_prizes(actor=None, contest=contest)
    services.contest_publish(actor=None, contest=contest)
    for entrant in Entrant.objects.filter(contest=contest, final_rank__lte=2).order_by(
        "final_rank"
    ):
        services.entrant_nominate(actor=None, entrant=entrant, target=national)
